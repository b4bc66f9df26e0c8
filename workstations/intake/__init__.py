"""Intake counter: open an order by scanning its number; today's counter queues."""

from __future__ import annotations

from flask import Blueprint, render_template

from servicecenter.accounts.roles import Role
from servicecenter.repairs import queries
from servicecenter.repairs.states import RepairState
from workstations.web.access import blueprint_policy
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

bp = Blueprint("intake", __name__, url_prefix="/intake")
blueprint_policy(bp, [Role.INTAKE, Role.ADMIN])


@bp.route("/")
def index() -> str:
    center_id = actor().center_id
    return render_template(
        "intake/index.html",
        registered=queries.list_orders(db(), center_id=center_id, states=[RepairState.REGISTERED], per_page=20),
        ready=queries.list_orders(db(), center_id=center_id, states=[RepairState.READY_FOR_PICKUP], per_page=20),
        received=queries.list_orders(db(), center_id=center_id, states=[RepairState.RECEIVED], per_page=20),
    )
