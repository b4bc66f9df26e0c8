"""Partner center: the orders routed to it (and nothing of any other center)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from servicecenter.accounts.roles import Role
from servicecenter.repairs import queries
from servicecenter.repairs.states import OPEN_STATES
from workstations.web.access import blueprint_policy
from workstations.web.dbsession import db

bp = Blueprint("partner", __name__, url_prefix="/partner")
blueprint_policy(bp, [Role.PARTNER])


@bp.route("/")
def index() -> str:
    # No center filter here on purpose: the partner's session is walled, so every query
    # already sees only its own center.
    return render_template(
        "partner/index.html",
        counts=queries.count_orders_by_state(db()),
        page=queries.list_orders(db(), states=OPEN_STATES, page=request.args.get("page", 1, type=int)),
    )
