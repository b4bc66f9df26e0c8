"""CSRF on every form and security headers on every response."""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response

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


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    app.after_request(_headers)
    if app.config.get("SESSION_COOKIE_SECURE"):
        @app.after_request
        def _hsts(response: Response) -> Response:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            return response
