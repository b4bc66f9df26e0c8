"""Russian first, English second: locale choice and the compiled catalogues."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, support
from flask import Flask, request, session
from flask_babel import Babel, get_locale, get_translations
from flask_babel.speaklater import LazyString
from flask_login import current_user
from wtforms.i18n import messages_path

from servicecenter.i18n import DEFAULT_LOCALE, LOCALES, compile_catalogues

DEFAULT_TIMEZONE = "Europe/Moscow"


def select_locale() -> str:
    """The user's own choice, then this browser session's, then Accept-Language, then Russian."""
    if current_user.is_authenticated and current_user.principal.locale in LOCALES:
        return current_user.principal.locale
    chosen = session.get("locale")
    if chosen in LOCALES:
        return chosen
    return request.accept_languages.best_match(LOCALES, default=DEFAULT_LOCALE) or DEFAULT_LOCALE


def select_timezone() -> str:
    """Times are shown in the user's center's local time (Moscow before login)."""
    if current_user.is_authenticated:
        return current_user.principal.timezone
    return DEFAULT_TIMEZONE


@cache
def _wtforms_catalogue(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class WTFormsCatalogue:
    """Flask-WTF reads WTForms' own catalogue (its messages in Russian) from disk on every request that
    builds a form, looking for it first as `request.wtforms_translations`: half a millisecond of every
    order page and intake (issue 10). The request class answers that from one load per language."""

    @property
    def wtforms_translations(self) -> support.Translations:
        return _wtforms_catalogue(str(get_locale()))

    @wtforms_translations.setter
    def wtforms_translations(self, _loaded: object) -> None:
        """Flask-WTF stores what it loaded only when the property gave nothing, which it never does."""


_NO_CATALOGUE = support.NullTranslations()
_CATALOGUES: dict[Locale, support.NullTranslations] = {}
_LAST: tuple[Locale | None, support.NullTranslations] = (None, _NO_CATALOGUE)


def catalogue() -> support.NullTranslations:
    """The catalogue of the request's language (of `force_locale`'s inside one; none outside a request).

    Flask-Babel's own `gettext` finds it anew for every message: three lookups of its context through
    Flask's proxies and the locale's name formatted as a cache key — 73 messages and 100 locale
    lookups on an order page, about 0.8 ms of its Python (issue 10). Here: the locale once, then a
    dict keyed by it. Every app of the project reads the same catalogues (BABEL_TRANSLATION_DIRECTORIES
    is the project's `translations/`), so one memo serves them all."""
    global _LAST
    locale = get_locale()
    last = _LAST
    if last[0] is locale:  # the request's own Locale object: Flask-Babel keeps it for the request
        return last[1]
    if locale is None:
        return _NO_CATALOGUE
    found = _CATALOGUES.get(locale)  # a Locale compares field by field: once per request, not per word
    if found is None:
        found = get_translations()
        if len(_CATALOGUES) < 32:  # the project's languages; anything odd is simply not remembered
            _CATALOGUES[locale] = found
    _LAST = (locale, found)  # one tuple, swapped whole: threads read either the old pair or the new
    return found


def gettext(string: str, **variables: Any) -> str:
    """Flask-Babel's `gettext` (same catalogue, same %-formatting), through `catalogue()`."""
    text = catalogue().ugettext(string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables: Any) -> LazyString:
    """Translated when shown (module-level words: labels, form fields), through `gettext` above."""
    return LazyString(gettext, string, **variables)


def init_app(app: Flask) -> None:
    compile_catalogues(Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]))
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    # the templates' _(), gettext() and ngettext() (Flask-Babel installed its own a line above)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalogue().ugettext(s),
        ngettext=lambda s, p, n: catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalogue().unpgettext(c, s, p, n),
        newstyle=True)
