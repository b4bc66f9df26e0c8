"""Access, declared once per route: which roles may call it and what scope it reads.

A view (or its whole blueprint) declares a Policy; `before_request` enforces it for every
request, and puts walled users' database sessions behind their center's wall. A route
without a declaration answers 404 and fails the URL-map test; a route a walled (partner) user's
role may not use answers it 404 too, like anything outside its wall.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from flask import Blueprint, Flask, abort, current_app, request
from flask_login import current_user

from servicecenter.accounts.roles import STAFF_ROLES, Role
from servicecenter.scoping import NETWORK, Scope, set_scope
from workstations.web.dbsession import db

F = TypeVar("F", bound=Callable[..., Any])


class Reads(StrEnum):
    PUBLIC = "public"  # no login; reads nothing private
    SELF = "self"  # the user's own account
    CENTER = "center"  # center-owned records (partners see only their own center's)
    NETWORK = "network"  # shared reference data


@dataclass(frozen=True)
class Policy:
    roles: frozenset[Role] | None  # None: public, no login needed
    reads: Reads

    @property
    def public(self) -> bool:
        return self.roles is None

    def admits(self, role: Role | None) -> bool:
        return self.public or (role is not None and role in (self.roles or ()))


_BLUEPRINT_POLICIES: dict[str, Policy] = {}
_ENDPOINT_POLICIES: dict[str, Policy] = {"static": Policy(None, Reads.PUBLIC)}


def _policy(roles: Iterable[Role] | None, reads: Reads | str) -> Policy:
    return Policy(None if roles is None else frozenset(Role(r) for r in roles), Reads(reads))


def allow(*roles: Role, reads: Reads | str = Reads.CENTER) -> Callable[[F], F]:
    """Declare the roles that may call this view and the scope it reads."""

    def mark(view: F) -> F:
        view.__access_policy__ = _policy(roles, reads)  # type: ignore[attr-defined]
        return view

    return mark


def public(reads: Reads | str = Reads.PUBLIC) -> Callable[[F], F]:
    """Declare a view that needs no login."""

    def mark(view: F) -> F:
        view.__access_policy__ = _policy(None, reads)  # type: ignore[attr-defined]
        return view

    return mark


def any_staff(reads: Reads | str = Reads.CENTER) -> Callable[[F], F]:
    return allow(*STAFF_ROLES, reads=reads)


def blueprint_policy(bp: Blueprint, roles: Iterable[Role], reads: Reads | str = Reads.CENTER) -> None:
    """Declare the policy of every view of a blueprint that declares none itself."""
    _BLUEPRINT_POLICIES[bp.name] = _policy(roles, reads)


def policy_for(endpoint: str | None, app: Flask | None = None) -> Policy | None:
    """The declared policy of an endpoint, or None when it declares nothing."""
    if endpoint is None:
        return None
    if endpoint in _ENDPOINT_POLICIES:
        return _ENDPOINT_POLICIES[endpoint]
    view = (app or current_app).view_functions.get(endpoint)
    own = getattr(view, "__access_policy__", None)
    if own is not None:
        return own
    blueprint = endpoint.rsplit(".", 1)[0] if "." in endpoint else None
    return _BLUEPRINT_POLICIES.get(blueprint) if blueprint else None


def can_access(endpoint: str, role: Role | None) -> bool:
    pol = policy_for(endpoint)
    return pol is not None and pol.admits(role)


def _enforce() -> Any:
    if request.routing_exception is not None and request.path.startswith("/api/"):
        return None  # the API says 405 for a known path's wrong method (routing raises it next)
    pol = policy_for(request.endpoint)
    if pol is None:
        abort(404)  # undeclared routes do not exist (and a test fails)
    if not pol.public and not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if current_user.is_authenticated:
        # The wall goes up before the view runs, for every route a walled user reaches.
        who = current_user.principal
        set_scope(db(), Scope(who.center_id) if who.is_walled else NETWORK)
    if not pol.admits(current_user.role):
        # Behind the wall, what a partner may not use does not exist for it: the same answer as a
        # missing page, so nothing tells it what else the network runs. Our own staff get 403.
        abort(404 if current_user.principal.is_walled else 403)
    return None


def init_app(app: Flask) -> None:
    app.before_request(_enforce)
