"""Warehouse clerk: part requests to fill, reservations to pick, the orders waiting for parts, locations."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from servicecenter.accounts.roles import Role
from servicecenter.centers.models import Location
from servicecenter.repairs import queries
from servicecenter.repairs.states import RepairState
from servicecenter.stock import queries as stock_queries
from workstations.web.access import blueprint_policy
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

bp = Blueprint("warehouse", __name__, url_prefix="/warehouse")
blueprint_policy(bp, [Role.WAREHOUSE, Role.ADMIN])


@bp.route("/")
def index() -> str:
    center_id = actor().center_id
    locations = db().scalars(select(Location).where(Location.center_id == center_id).order_by(Location.code))
    return render_template(
        "warehouse/index.html",
        locations=list(locations),
        waiting=queries.list_orders(db(), center_id=center_id, states=[RepairState.AWAITING_PARTS], per_page=50),
        requests=stock_queries.list_open_part_requests(db(), center_id) if center_id else [],
        picks=stock_queries.list_active_reservations(db(), center_id) if center_id else [],
    )
