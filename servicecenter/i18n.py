"""The interface's catalogues outside a request: what a background job writes (a printed batch, an
export's headings) speaks the same words as the screen, from the same `translations/` files.

The web layer reads these catalogues through Flask-Babel; the domain and the jobs through `translator`.
"""

from __future__ import annotations

import os
import threading
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from servicecenter.config import PROJECT_ROOT

LOCALES = ("ru", "en")
DEFAULT_LOCALE = "ru"
CATALOGUES = PROJECT_ROOT / "translations"
_compiling = threading.Lock()


def compile_catalogues(directory: Path = CATALOGUES) -> None:
    """Compile each messages.po whose .mo is missing or older (no build step needed)."""
    with _compiling:
        for po_path in directory.glob("*/LC_MESSAGES/messages.po"):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            # A name of this process's own: gunicorn's workers fork with the same thread ids and start
            # compiling at the same moment (two of them once shared a file and one failed to boot).
            tmp = mo_path.with_suffix(f".mo.{os.getpid()}.{uuid.uuid4().hex}.tmp")
            with tmp.open("wb") as mo_file:
                write_mo(mo_file, catalog)
            tmp.replace(mo_path)


def locale_for(preferred: str | None) -> str:
    """A language we speak: the preferred one when we do, else Russian."""
    lang = (preferred or "").replace("-", "_").split("_")[0].lower()
    return lang if lang in LOCALES else DEFAULT_LOCALE


@dataclass(frozen=True)
class Translator:
    """gettext and ngettext with named parameters, as the templates and views use them."""

    locale: str
    catalogue: NullTranslations

    def gettext(self, msgid: str, **params: object) -> str:
        text = self.catalogue.gettext(str(msgid))
        return text % params if params else text

    def ngettext(self, singular: str, plural: str, num: int, **params: object) -> str:
        text = self.catalogue.ngettext(singular, plural, num)
        return text % {"num": num, **params}


@cache
def translator(locale: str | None = DEFAULT_LOCALE) -> Translator:
    """The translator of a language we speak (Russian for anything else)."""
    lang = locale_for(locale)
    compile_catalogues()
    return Translator(lang, Translations.load(str(CATALOGUES), [lang], domain="messages"))
