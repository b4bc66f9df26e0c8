"""Russian first, English second: locale choice and the compiled catalogues."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel import support
from flask import Flask, request, session
from flask_babel import Babel, get_locale
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


def init_app(app: Flask) -> None:
    compile_catalogues(Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]))
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
