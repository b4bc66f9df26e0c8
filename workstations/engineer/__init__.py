"""Repair engineer: my queue and the center's unassigned orders waiting for diagnosis."""

from __future__ import annotations

from flask import Blueprint, render_template

from servicecenter.accounts.roles import Role
from servicecenter.repairs import queries
from servicecenter.repairs.states import OPEN_STATES, RepairState
from workstations.web.access import blueprint_policy
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

bp = Blueprint("engineer", __name__, url_prefix="/engineer")
blueprint_policy(bp, [Role.ENGINEER, Role.TEAM_LEAD, Role.ADMIN])


@bp.route("/")
def index() -> str:
    me = actor()
    return render_template(
        "engineer/index.html",
        mine=queries.list_orders(db(), engineer_id=me.id, states=OPEN_STATES, per_page=50),
        waiting=queries.list_orders(db(), center_id=me.center_id, states=[RepairState.RECEIVED], per_page=20),
    )
