"""CSRF on every form and security headers on every response."""

from __future__ import annotations

from flask import Flask, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response

from servicecenter.errors import N_, DomainError

csrf = CSRFProtect()

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


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
    if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += [v for _k, v in request.form.items(multi=True)]
    if any("\x00" in v for v in values):
        raise DomainError(N_("The request contains a NUL character, which cannot be stored; remove it and try again"))


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    app.before_request(_refuse_nul)
    app.after_request(_headers)
    if app.config.get("SESSION_COOKIE_SECURE"):
        @app.after_request
        def _hsts(response: Response) -> Response:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            return response
