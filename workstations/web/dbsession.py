"""One database session per request, committed in exactly one place: after the view."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TypeVar

from flask import Flask, current_app, g, request, session
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from servicecenter.db import Database, generic_plans
from servicecenter.errors import DomainError

View = TypeVar("View", bound=Callable[..., object])


def keyed_lookups(view: View) -> View:
    """Mark a view whose statements all find rows by a key (a number, an id, a serial): PostgreSQL may
    keep their plans across requests (`servicecenter.db.generic_plans`) instead of planning each
    one again. Put it right under the route decorator. The hot paths only: a scan, the order page,
    the intake; anything that lists or counts a center's orders is planned for its values."""
    view.generic_plans = True  # type: ignore[attr-defined]
    return view


def _plan_scope() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "generic_plans", False):
        scope = generic_plans()
        scope.__enter__()  # left in `_close`, after the request's session (opened inside it) is closed
        g.plan_scope = scope


def database() -> Database:
    return current_app.extensions["servicecenter.db"]


def db() -> Session:
    """The request's session (created on first use)."""
    if "db_session" not in g:
        reading = request.method in ("GET", "HEAD", "OPTIONS")
        g.db_session = database().reading_session() if reading else database().session()
    return g.db_session


def _commit(response: Response) -> Response:
    """Commit the request's work when the view succeeded; roll back on any error answer."""
    sess: Session | None = g.get("db_session")
    if sess is None:
        return response
    if response.status_code >= 400:
        sess.rollback()
        return response
    if database().nothing_to_commit(sess):
        return response  # a GET that only read: closed at teardown, as a commit would leave it
    try:
        sess.commit()
    except (DomainError, IntegrityError, OperationalError) as exc:
        sess.rollback()
        session.pop("_flashes", None)  # what the view announced did not happen
        current_app.logger.warning("commit refused: %s", exc)
        from workstations.web.errors import database_error_response, domain_error_response, race_response

        if isinstance(exc, DomainError):
            return domain_error_response(exc)
        return database_error_response(exc) if isinstance(exc, OperationalError) else race_response(exc)
    return response


def _close(_exc: BaseException | None) -> None:
    sess: Session | None = g.pop("db_session", None)
    if sess is not None:
        sess.close()
    scope: AbstractContextManager[None] | None = g.pop("plan_scope", None)
    if scope is not None:
        scope.__exit__(None, None, None)


def init_app(app: Flask) -> None:
    app.before_request(_plan_scope)
    app.after_request(_commit)
    app.teardown_request(_close)
