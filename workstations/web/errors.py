"""Turning refusals into clear pages: domain errors, 403/404, CSRF, and no 500 for bad input."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from servicecenter.errors import N_, ConcurrentUpdate, DomainError
from workstations import labels


def _humane(value: object) -> object:
    """Enum codes in a message ("awaiting_parts", "refused, unrepairable") become their labels."""
    if not isinstance(value, str):
        return value
    parts = [p.strip() for p in value.split(",")]
    known = [labels.label(labels.STATE, p) if p in labels.STATE else
             labels.label(labels.OUTCOME, p) if p in labels.OUTCOME else None for p in parts]
    return ", ".join(known) if all(known) else value


def translate(exc: DomainError) -> str:
    """The error's message in the user's language, with its parameters filled in."""
    params = {}
    for key, value in exc.params.items():
        if key in ("label", "action") and isinstance(value, str):
            params[key] = gettext(value)
        elif key in ("current", "allowed"):
            params[key] = _humane(value)
        else:
            params[key] = value
    return gettext(exc.message, **params) if params else gettext(exc.message)


def field_errors(exc: DomainError) -> dict[str, str]:
    return {labels.label(labels.FIELD, field): gettext(msg) for field, msg in getattr(exc, "errors", {}).items()}


def domain_error_response(exc: DomainError) -> Response:
    if request.path.startswith("/api/"):  # the JSON API answers in problem+json (workstations/api)
        from workstations.api.problems import from_domain

        return from_domain(exc)
    body = render_template("errors/refused.html", message=translate(exc), errors=field_errors(exc),
                           status=exc.status)
    return Response(body, status=exc.status, mimetype="text/html")


def _http_error(exc: HTTPException) -> Response | HTTPException:
    if request.path.startswith("/api/"):
        from workstations.api.problems import from_http

        return from_http(exc)
    body = render_template("errors/http.html", code=exc.code, status=exc.code)
    return Response(body, status=exc.code or 500, mimetype="text/html")


def _csrf_error(_exc: CSRFError) -> Response:
    # A body no form could be read from was not our form expiring: the token went with the fields.
    unreadable = getattr(request, "body_unreadable", False)
    body = render_template("errors/http.html", code=400, csrf=True, unreadable=unreadable, status=400)
    return Response(body, status=400, mimetype="text/html")


def race_response(_exc: Exception) -> Response:
    """Two people wrote the same thing at the same instant and the database refused the second:
    a conflict to retry, not a server error (the request's transaction is rolled back)."""
    return domain_error_response(ConcurrentUpdate(
        N_("Someone else changed the same record at the same moment; try again")))


def unavailable_response(_exc: Exception) -> Response:
    """The database connection broke mid-request (a restart, a killed backend): the transaction is
    gone, nothing was saved; the pool hands the next request a fresh connection. 503, retry."""
    if request.path.startswith("/api/"):
        from workstations.api.problems import unavailable

        return unavailable()
    body = render_template("errors/http.html", code=503, status=503)
    return Response(body, status=503, mimetype="text/html", headers={"Retry-After": "1"})


def _is_race(exc: DBAPIError) -> bool:
    """PostgreSQL's serialization failure or deadlock, SQLite's busy file: the other writer won."""
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return code in ("40001", "40P01") or "database is locked" in str(exc.orig)


def _is_unavailable(exc: DBAPIError) -> bool:
    """The server gone or refusing: a broken or refused connection (PostgreSQL's class 08, a shutdown
    57P01-57P03, out of resources 53, or no code at all when no connection could be made), SQLite's
    file unreadable or its disk full. Not "no such table": that is our bug, and stays a 500."""
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError):
        return False
    if type(exc.orig).__module__.startswith("sqlite3"):
        return any(m in str(exc.orig).lower() for m in ("unable to open", "disk i/o", "disk is full"))
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return code is None or code.startswith(("08", "57P", "53"))


def database_error_response(exc: DBAPIError) -> Response:
    """A database error raised inside a view: a lost race is 409; the server gone or refusing (a
    restart, a killed connection, no connection to be had, a full disk) 503; anything else — a
    statement the database refuses — is our bug, 500."""
    if isinstance(exc, OperationalError) and _is_race(exc):
        return race_response(exc)
    if _is_unavailable(exc):
        current_app.logger.warning("database unavailable: %s", exc.orig)
        return unavailable_response(exc)
    current_app.logger.error("database error", exc_info=exc)
    return _server_error(exc)


def _server_error(_exc: Exception) -> Response:
    """Our own page (in the user's language) for a crash; the details go to the log only."""
    if request.path.startswith("/api/"):
        from workstations.api.problems import server_error

        return server_error()
    return Response(render_template("errors/http.html", code=500, status=500), status=500, mimetype="text/html")


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, domain_error_response)
    app.register_error_handler(IntegrityError, race_response)
    app.register_error_handler(StaleDataError, race_response)
    app.register_error_handler(DBAPIError, database_error_response)
    app.register_error_handler(CSRFError, _csrf_error)
    for code in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(code, _http_error)
    if not app.debug:
        app.register_error_handler(500, _server_error)
