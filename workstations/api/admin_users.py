"""Users: the administrator's user list and forms (admin.user_new / user_edit / user_password) and a
partner manager's own team (partner.team_*), on one set of endpoints — the workstations call the same
services (accounts.services.add_user, update_user, set_password), and the domain's check_manages
decides who may grant what: an administrator manages everyone but cannot change their own role or
deactivate themself; a partner manager manages the partner-role accounts of its own center only (403
for anything more). A partner manager sees its own engineers only, as on its team page's forms: another
center's user, another manager and itself are not found (404)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from servicecenter.accounts import services
from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.errors import N_, NotFound
from servicecenter.paging import paginate
from workstations.api import bp, present
from workstations.api.admin_fields import Body, center_by_code, created, guarded_list, record
from workstations.api.payload import Fields, paged, query_page
from workstations.api.spec import (
    INT,
    MOMENT,
    STR,
    body,
    json_answer,
    obj,
    page_of,
    problems,
    register,
)
from workstations.web.access import allow
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

MANAGERS = allow(Role.ADMIN, Role.PARTNER_MANAGER)
ROLES = [r.value for r in Role]
NO_USER = N_("No such user")


def _user(u: User) -> dict[str, Any]:
    """A user as the API shows them: never a password or token hash."""
    return {"id": u.id, "email": u.email, "name": u.name, "role": u.role.value, "center": u.center.code,
            "locale": u.locale, "phone": u.phone, "active": u.active, "created_at": present.moment(u.created_at)}


def _managed(user_id: int) -> User:
    """The user with this id as the caller may see them: a partner manager only its own engineers
    (partner.team's rule; checked here, not only by the wall: an object already in the session
    bypasses the wall). Another center's user, another manager and itself are not found."""
    user = record(User, user_id, NO_USER)
    me = actor()
    if me.role != Role.ADMIN and (user.center_id != me.center_id or user.role != Role.PARTNER):
        raise NotFound(NO_USER)
    return user


def _values(*, creating: bool = False) -> dict[str, Any]:
    f = Body()
    f.string("email", 200)
    f.string("name", 200)
    f.string("phone", 32)
    f.one_of("role", ROLES)
    f.one_of("locale", services.USER_LOCALES)
    if not creating:  # a new user is active; `active` is not a field of UserRequest, so it is ignored there
        f.boolean("active")
    if f.sent("center"):
        f.values["center"] = center_by_code(f, "center", f.data["center"])
    _read_password(f)
    f.check()
    return f.values


def _read_password(f: Body) -> None:
    if f.sent("password"):
        value = f.data["password"]
        if not isinstance(value, str) or len(value) > 200:
            f.fail("password", N_("A string"))
        else:
            f.values["password"] = value  # as typed: a password's blanks are its own


@bp.route("/users")
@MANAGERS
def users() -> Response:
    """Users by name; ?center=CODE, ?role=, ?active=true|false narrow it. A partner manager: its engineers."""
    page, per_page = query_page()
    f = Fields({})
    stmt = select(User).options(selectinload(User.center)).order_by(User.name, User.email, User.id)
    me = actor()
    if me.role != Role.ADMIN:
        stmt = stmt.where(User.center_id == me.center_id, User.role == Role.PARTNER)
    if request.args.get("center"):
        center = center_by_code(f, "center", request.args["center"])
        stmt = stmt.where(User.center_id == (center.id if center is not None else None))
    if request.args.get("role"):
        if request.args["role"] not in ROLES:
            f.fail("role", N_("Unknown value"))
        stmt = stmt.where(User.role == request.args["role"])
    if request.args.get("active"):
        if request.args["active"] not in ("true", "false"):
            f.fail("active", N_("true or false"))
        stmt = stmt.where(User.active.is_(request.args["active"] == "true"))
    f.check()
    result = paginate(db(), stmt, page, per_page)
    return jsonify(paged(result, [_user(u) for u in result.items]))


@bp.route("/users/<int:user_id>", methods=["GET", "PATCH"])  # one rule for both: see admin_fields
@MANAGERS
def get_user(user_id: int) -> Response:
    if request.method == "PATCH":
        return update_user(user_id)
    return jsonify(_user(_managed(user_id)))


@bp.route("/users", methods=["POST"])
@MANAGERS
def create_user() -> Response:
    """A new user with a first password; a partner manager's is an engineer (partner role) of its center."""
    values = _values(creating=True)
    me = actor()
    if me.role == Role.PARTNER_MANAGER:
        values = {"role": Role.PARTNER.value, "center": me.center, **values}
    f = Fields(values)
    for name in ("role", "center", "email", "name", "password"):
        if values.get(name) is None:
            f.fail(name, N_("Required"))
    f.check()
    user = services.add_user(db(), me, **values)
    return created(_user(user), url_for("api.get_user", user_id=user.id))


@MANAGERS
def update_user(user_id: int) -> Response:
    """Change the fields sent; deactivating ends the user's sessions, and their API tokens stop working."""
    user = _managed(user_id)
    values = _values()
    if "password" in values:
        f = Fields({})
        f.fail("password", N_("Set it with POST /users/{id}/password"))
        f.check()
    services.update_user(db(), actor(), user, **values)
    return jsonify(_user(user))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@MANAGERS
def set_password(user_id: int) -> Response:
    """A new password; the user's other open sessions end (their API tokens stay)."""
    user = _managed(user_id)
    f = Body()  # the password only: the profile's fields are not read here (PATCH /users/{id} changes them)
    _read_password(f)
    f.check()
    services.set_password(db(), actor(), user, f.values.get("password", ""))
    return jsonify(_user(user))


# --- The OpenAPI description ---------------------------------------------------------------------

_role = {"type": "string", "enum": ROLES}
_locale = {"type": "string", "enum": list(services.USER_LOCALES)}
_password = {**STR, "maxLength": 200, "description": "At least 8 characters"}
_fields = {"email": {**STR, "maxLength": 200}, "name": {**STR, "maxLength": 200},
           "role": {**_role, "description": "A partner manager may give only `partner` (its default there)"},
           "center": {**STR, "description": "The center's code (a partner manager: its own, the default there)"},
           "locale": _locale, "phone": {**STR, "maxLength": 32}}
USER_ID = [{"name": "user_id", "in": "path", "required": True, "schema": INT}]
WRITE = problems("400", "403", "404", "409", "413", "415", "422")
register({
    "/users": {
        **guarded_list("listUsers", "Users (administrators: everyone; a partner manager: its engineers)", "UserPage", [
            {"name": "center", "in": "query", "schema": STR, "description": "A center's code"},
            {"name": "role", "in": "query", "schema": _role},
            {"name": "active", "in": "query", "schema": {"type": "string", "enum": ["true", "false"]}}]),
        "post": {"operationId": "createUser", "summary": "Create a user with a first password",
                 "requestBody": body("UserRequest"),
                 "responses": {"201": {**json_answer("User", "Created"), "headers": {"Location": {"schema": STR}}},
                               **problems("400", "403", "404", "409", "413", "415", "422")}},
    },
    "/users/{user_id}": {
        "get": {"operationId": "getUser", "summary": "One user", "parameters": USER_ID,
                "responses": {"200": json_answer("User", "Found"), **problems("403", "404")}},
        "patch": {"operationId": "updateUser", "summary": "Change the fields sent (role, center, active…)",
                  "parameters": USER_ID, "requestBody": body("UserChange"),
                  "responses": {"200": json_answer("User", "Saved"), **WRITE}},
    },
    "/users/{user_id}/password": {
        "post": {"operationId": "setUserPassword", "summary": "Set a new password (ends their other sessions)",
                 "parameters": USER_ID, "requestBody": body("PasswordRequest"),
                 "responses": {"200": json_answer("User", "Changed"), **WRITE}},
    },
}, {
    "User": obj({"id": INT, "email": STR, "name": STR, "role": _role, "center": STR, "locale": _locale,
                 "phone": STR, "active": {"type": "boolean"}, "created_at": MOMENT},
                description="A user account (never its password or tokens)"),
    "UserPage": page_of("User"),
    "UserRequest": obj({**_fields, "password": _password}, required=["email", "name", "password"], extra=True),
    "UserChange": obj({**_fields, "active": {"type": "boolean", "description": "false ends their sessions and "
                                             "stops their API tokens"}}, required=[], extra=True),
    "PasswordRequest": obj({"password": _password}, extra=True),
})
