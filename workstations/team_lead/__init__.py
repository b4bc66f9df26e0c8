"""Team lead: the center's queue by state, and who works on what."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from servicecenter.accounts.roles import Role
from servicecenter.repairs import queries
from servicecenter.repairs.states import OPEN_STATES, RepairState
from workstations.web.access import blueprint_policy
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

bp = Blueprint("team_lead", __name__, url_prefix="/team-lead")
blueprint_policy(bp, [Role.TEAM_LEAD, Role.ADMIN])


@bp.route("/")
def index() -> str:
    center_id = actor().center_id
    state = request.args.get("state", "")
    if state and state not in RepairState.__members__.values():
        abort(400)
    states = [RepairState(state)] if state else sorted(OPEN_STATES, key=list(RepairState).index)
    return render_template(
        "team_lead/index.html",
        counts=queries.count_orders_by_state(db(), center_id),
        state=state,
        page=queries.list_orders(db(), center_id=center_id, states=states,
                                 page=request.args.get("page", 1, type=int)),
    )
