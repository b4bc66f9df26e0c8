"""Administrator: centers, warehouses and shelves, users and roles, manufacturers and models."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.centers.models import Location, ServiceCenter
from workstations.web.access import blueprint_policy
from workstations.web.dbsession import db

bp = Blueprint("admin", __name__, url_prefix="/admin")
blueprint_policy(bp, [Role.ADMIN], reads="network")


@bp.route("/")
def index() -> str:
    def count(model: type) -> int:
        return db().scalar(select(func.count()).select_from(model)) or 0

    counts = {name: count(model) for name, model in [
        ("centers", ServiceCenter), ("locations", Location), ("users", User),
        ("manufacturers", Manufacturer), ("models", ProductModel)]}
    return render_template("admin/index.html", counts=counts)
