"""Russian first, English second: locale choice and the compiled catalogues."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, request, session
from flask_babel import Babel
from flask_login import current_user

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


def init_app(app: Flask) -> None:
    compile_catalogues(Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]))
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
