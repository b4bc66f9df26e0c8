"""Flask-Login over server-side login sessions: the cookie carries a revocable token."""

from __future__ import annotations

from typing import Any

from flask import Flask, redirect, request, url_for
from flask_login import AnonymousUserMixin, LoginManager, current_user

from servicecenter.accounts.models import User
from servicecenter.accounts.services import get_session_user
from workstations.web.dbsession import db


class CurrentUser:
    """The logged-in user as Flask-Login sees it; `.user` is the domain's User (the actor)."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, user: User, token: str) -> None:
        self.user = user
        self.token = token

    @property
    def is_active(self) -> bool:
        return self.user.active

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


def init_app(app: Flask) -> None:
    manager = LoginManager()
    manager.anonymous_user = Anonymous
    manager.session_protection = None  # the server-side token is the protection

    @manager.user_loader
    def _load(token: str) -> CurrentUser | None:
        user = get_session_user(db(), token)
        return CurrentUser(user, token) if user is not None else None

    @manager.unauthorized_handler
    def _unauthorized():  # noqa: ANN202
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    manager.init_app(app)
