"""Logistics clerk: shipments leaving and reaching the center."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from servicecenter.accounts.roles import Role
from servicecenter.shipments.models import Shipment
from workstations.web.access import blueprint_policy
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

bp = Blueprint("logistics", __name__, url_prefix="/logistics")
blueprint_policy(bp, [Role.LOGISTICS, Role.ADMIN])


@bp.route("/")
def index() -> str:
    center_id = actor().center_id
    shipments = db().scalars(
        select(Shipment)
        .where(or_(Shipment.from_center_id == center_id, Shipment.to_center_id == center_id))
        .options(joinedload(Shipment.from_location), joinedload(Shipment.to_location))
        .order_by(Shipment.created_at.desc()).limit(100)
    )
    return render_template("logistics/index.html", shipments=list(shipments))
