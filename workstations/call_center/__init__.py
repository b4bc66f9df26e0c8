"""Call-center operator: find an order for a caller, see where it stands."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from servicecenter.accounts.roles import Role
from servicecenter.repairs import queries
from servicecenter.repairs.states import RepairState
from workstations.web.access import blueprint_policy
from workstations.web.dbsession import db

bp = Blueprint("call_center", __name__, url_prefix="/call-center")
blueprint_policy(bp, [Role.CALL_CENTER, Role.ADMIN])


@bp.route("/")
def index() -> str:
    q = request.args.get("q", "")
    page = queries.list_orders(db(), q=q, page=request.args.get("page", 1, type=int))
    registered = queries.list_orders(db(), states=[RepairState.REGISTERED], per_page=10)
    return render_template("call_center/index.html", q=q, page=page, registered=registered)
