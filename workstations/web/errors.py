"""Turning refusals into clear pages: domain errors, 403/404, CSRF, and no 500 for bad input."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from servicecenter.errors import N_, ConcurrentUpdate, DomainError


def translate(exc: DomainError) -> str:
    """The error's message in the user's language, with its parameters filled in."""
    params = {k: (gettext(v) if isinstance(v, str) and k in ("label", "action") else v) for k, v in exc.params.items()}
    return gettext(exc.message, **params) if params else gettext(exc.message)


def field_errors(exc: DomainError) -> dict[str, str]:
    return {field: gettext(msg) for field, msg in getattr(exc, "errors", {}).items()}


def domain_error_response(exc: DomainError) -> Response:
    body = render_template("errors/refused.html", message=translate(exc), errors=field_errors(exc),
                           status=exc.status)
    return Response(body, status=exc.status)


def _http_error(exc: HTTPException) -> Response | HTTPException:
    if request.path.startswith("/api/"):
        return exc
    body = render_template("errors/http.html", code=exc.code, status=exc.code)
    return Response(body, status=exc.code or 500)


def _csrf_error(_exc: CSRFError) -> Response:
    body = render_template("errors/http.html", code=400, csrf=True, status=400)
    return Response(body, status=400)


def race_response(_exc: Exception) -> Response:
    """Two people wrote the same thing at the same instant and the database refused the second:
    a conflict to retry, not a server error (the request's transaction is rolled back)."""
    return domain_error_response(ConcurrentUpdate(
        N_("Someone else changed the same record at the same moment; try again")))


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, domain_error_response)
    app.register_error_handler(IntegrityError, race_response)
    app.register_error_handler(StaleDataError, race_response)
    app.register_error_handler(CSRFError, _csrf_error)
    for code in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(code, _http_error)
