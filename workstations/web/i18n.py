"""Russian first, English second: locale choice and the compiled catalogues."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request, session
from flask_babel import Babel
from flask_login import current_user

LOCALES = ("ru", "en")
DEFAULT_LOCALE = "ru"
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


def compile_catalogues(directory: Path) -> None:
    """Compile each messages.po whose .mo is missing or older (no build step needed)."""
    for po_path in directory.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        tmp.replace(mo_path)


def init_app(app: Flask) -> None:
    compile_catalogues(Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]))
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
