"""Flask-Login over server-side login sessions: the cookie carries a revocable token."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, redirect, request, url_for
from flask_login import AnonymousUserMixin, LoginManager, current_user

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.accounts.services import Principal, session_principal
from servicecenter.accounts.tokens import token_principal
from workstations.web.dbsession import database, db


class CurrentUser:
    """The logged-in user as Flask-Login sees it: the principal (one query, or none while the process's
    cache holds it: accounts/principal_cache.py) and, when a view acts, `.user`, the domain's User
    (the actor), loaded on first use."""

    is_authenticated = True
    is_anonymous = False
    is_active = True  # only active users' sessions are live

    def __init__(self, principal: Principal, token: str) -> None:
        self.principal = principal
        self.token = token
        self._user: User | None = None

    @property
    def user(self) -> User:
        if self._user is None:
            self._user = db().get(User, self.principal.user_id)
        return self._user  # type: ignore[return-value]

    @property
    def role(self) -> Role:
        return self.principal.role

    @property
    def name(self) -> str:
        return self.principal.name

    @property
    def center_code(self) -> str:
        return self.principal.center_code

    def get_id(self) -> str:
        return self.token

    def __getattr__(self, name: str) -> Any:
        return getattr(self.user, name)


class Anonymous(AnonymousUserMixin):
    user = None
    role = None


def actor() -> User:
    """The domain actor of this request (views pass it to every service)."""
    return current_user.user  # type: ignore[no-any-return]


def reader() -> Principal:
    """Who reads, for checks and queries that only need the id, role and center (the page's
    sections): the principal, without loading the User as `actor()` does."""
    return current_user.principal  # type: ignore[no-any-return]


API_PREFIX = "/api/"


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def _bearer_user() -> None:
    """An API call is authenticated by its Bearer token alone: a browser's session cookie never
    counts there (no CSRF needed), and the token's user gets the same principal and wall."""
    if not is_api_request():
        return
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    principal = token_principal(db(), token.strip()) if scheme.lower() == "bearer" else None
    user = CurrentUser(principal, "") if principal is not None else None
    current_app.login_manager._update_request_context_with_user(user)


def init_app(app: Flask) -> None:
    manager = LoginManager()
    manager.anonymous_user = Anonymous
    manager.session_protection = None  # the server-side token is the protection

    @manager.user_loader
    def _load(token: str) -> CurrentUser | None:
        principal = session_principal(db(), token, database().principals)
        return CurrentUser(principal, token) if principal is not None else None

    @manager.unauthorized_handler
    def _unauthorized():  # noqa: ANN202
        if is_api_request():
            from workstations.api.problems import unauthorized

            return unauthorized()
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    manager.init_app(app)
    app.before_request(_bearer_user)  # before access.init_app's check, which reads current_user
