"""CSRF on every form and security headers on every response."""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.formparser import FormDataParser
from werkzeug.wrappers import Response

from servicecenter.errors import N_, DomainError
from workstations.web.i18n import WTFormsCatalogue

csrf = CSRFProtect()

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class _Unreadable(ImmutableMultiDict):
    """The empty form werkzeug hands over for a body it could not parse."""


class _FormParser(FormDataParser):
    """Werkzeug's parser, except that a body it cannot parse (a part's headers not in UTF-8, a boundary
    other than the declared one) leaves a mark instead of passing for an empty form."""

    def parse(self, stream: Any, mimetype: str, content_length: int | None,
              options: dict[str, str] | None = None) -> Any:
        if mimetype not in FORM_TYPES or not self.silent:
            return super().parse(stream, mimetype, content_length, options)
        self.silent = False
        try:
            return super().parse(stream, mimetype, content_length, options)
        except ValueError:
            return stream, _Unreadable(), _Unreadable()
        finally:
            self.silent = True


class FormRequest(WTFormsCatalogue, Request):
    form_data_parser_class = _FormParser

    @property
    def body_unreadable(self) -> bool:
        """A body came with the request but no form could be read from it: not a form's media type, or
        one werkzeug could not parse. (Otherwise every field — the CSRF token, the files — is just gone.)"""
        if not self.content_length or self.method not in ("POST", "PUT", "PATCH"):
            return False
        return self.mimetype not in FORM_TYPES or isinstance(self.form, _Unreadable)


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _refuse_nul() -> None:
    """A NUL byte in the address or a form field: refused (400) before any view runs. No text column
    stores it and PostgreSQL refuses it even in a WHERE clause, so it would otherwise end as a 500."""
    if request.path.startswith("/api/"):  # the JSON API reads and answers its own input (workstations/api)
        return
    values = [request.path, *(v for _k, v in request.args.items(multi=True))]
    if request.method == "POST" and request.mimetype in FORM_TYPES:
        values += [v for _k, v in request.form.items(multi=True)]
    if any("\x00" in v for v in values):
        raise DomainError(N_("The request contains a NUL character, which cannot be stored; remove it and try again"))


def init_app(app: Flask) -> None:
    app.request_class = FormRequest
    csrf.init_app(app)
    app.before_request(_refuse_nul)
    app.after_request(_headers)
    if app.config.get("SESSION_COOKIE_SECURE"):
        @app.after_request
        def _hsts(response: Response) -> Response:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            return response
