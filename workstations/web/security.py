"""CSRF on every form and security headers on every response."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from flask import Flask, Request, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from itsdangerous import URLSafeTimedSerializer
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


_ALWAYS = (("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
           ("Referrer-Policy", "same-origin"))
_HSTS = ("Strict-Transport-Security", "max-age=31536000")
_PAGES = ("Cache-Control", "no-store")  # an HTML page (with its CSRF tokens and data) is never cached


def _security_headers(always: tuple[tuple[str, str], ...]) -> Callable[[Response], Response]:
    """The after-request hook that adds `always` (and Cache-Control to an HTML page) unless the view set
    them itself. The names present are read in one pass: werkzeug's `setdefault` looks each one up by
    raising and catching a KeyError, which made these five headers 7% of a scan lookup (issue 10)."""
    wanted = tuple((name, value, name.lower()) for name, value in always)

    def _headers(response: Response) -> Response:
        headers = response.headers
        present = {name.lower() for name, _value in headers.items()}
        missing = [(name, value) for name, value, lower in wanted if lower not in present]
        if "cache-control" not in present and response.mimetype == "text/html":
            missing.append(_PAGES)
        headers.extend(missing)
        return response

    return _headers


class SignedCookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, the same cookie and signature (HMAC-SHA1 over the same payload),
    read with less work on every request (issue 10: 2% of a scan lookup):

    - the signing serializer is made once per key set, not per request (Flask makes a new one each
      time, and itsdangerous checks it by serialising an empty dict);
    - the hash is hashlib's OpenSSL `sha1` itself: Flask hands hmac a Python wrapper of it, which
      sends hmac down its pure-Python path (two hash objects and a key translation per signature)."""

    digest_method = staticmethod(hashlib.sha1)

    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if keys not in self._serializers:
            if len(self._serializers) > 8:  # keys only change when an operator rotates them
                self._serializers.clear()
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]


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
    app.session_interface = SignedCookieSessions()
    csrf.init_app(app)
    # Flask-WTF's own hook works out whether the view is exempt before it looks at the method, on every
    # GET too (2% of a scan lookup). The same check, the method first: a form's methods are checked
    # exactly as before, a GET no longer pays for it.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False

    @app.before_request
    def _csrf_protect() -> None:
        if app.config["WTF_CSRF_ENABLED"] and request.method in app.config["WTF_CSRF_METHODS"]:
            csrf.protect(apply_exemptions=True)

    app.before_request(_refuse_nul)
    app.after_request(_security_headers(_ALWAYS + ((_HSTS,) if app.config.get("SESSION_COOKIE_SECURE") else ())))
