"""Work on an order besides its state: comments and the engineer's assignment — the order page's services."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from sqlalchemy import select
from werkzeug.wrappers import Response

from servicecenter.accounts.models import User
from servicecenter.accounts.services import normalise_email
from servicecenter.errors import N_
from servicecenter.repairs import queries, services
from workstations.api import bp
from workstations.api.orders import _order_body
from workstations.api.payload import Fields, json_body
from workstations.web.access import any_staff
from workstations.web.auth_session import actor
from workstations.web.dbsession import db


def _version(f: Fields, body: dict[str, Any]) -> int | None:
    version = body.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        f.fail("version", N_("A whole number"))
        return None
    return version


@bp.route("/repair-orders/<number>/comments", methods=["POST"])
@any_staff()
def add_comment(number: str) -> Response:
    """A note on the order (a call, a remark), kept in its history — the order page's comment form."""
    order = queries.get_order_by_number(db(), number)
    f = Fields(json_body())
    text = f.text("text", required=True, max_len=services.MAX_TEXT)
    f.check()
    services.add_comment(db(), order, actor(), text)
    response = jsonify(_order_body(order))
    response.status_code = 201
    return response


@bp.route("/repair-orders/<number>/assignment", methods=["POST"])
@any_staff()  # who may assign is the domain's rule (services.ASSIGN_ROLES): 403 from there
def assign(number: str) -> Response:
    """Assign the order to an engineer of its center by e-mail, or unassign it (null)."""
    order = queries.get_order_by_number(db(), number)
    body = json_body()
    f = Fields(body)
    if "engineer" not in body:
        f.fail("engineer", N_("Required"))
    email = f.text("engineer", max_len=200)
    if isinstance(body.get("engineer"), str) and not email:
        f.fail("engineer", N_("An e-mail, or null to unassign"))
    version = _version(f, body)
    f.check()
    engineer = None
    if email:
        # Only the order's own center's people are looked up: another center's users stay unnamed.
        engineer = db().scalar(select(User).where(User.email == normalise_email(email),
                                                  User.center_id == order.center_id))
        if engineer is None:
            f.fail("engineer", N_("Not an engineer of this center"))
            f.check()
    services.assign_engineer(db(), order, engineer, actor(), expected_version=version)
    return jsonify(_order_body(order))
