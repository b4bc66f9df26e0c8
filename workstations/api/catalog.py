"""Reference data: service centers, manufacturers, product models."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.centers.models import ServiceCenter
from servicecenter.paging import paginate
from workstations.api import bp, present
from workstations.api.payload import paged, query_page
from workstations.api.problems import Problem
from workstations.web.access import Reads, any_staff
from workstations.web.dbsession import db


@bp.route("/service-centers")
@any_staff(reads=Reads.CENTER)
def service_centers() -> Response:
    """Active centers (a partner sees its own and the network's own centers), with their brands."""
    page, per_page = query_page()
    stmt = (select(ServiceCenter).where(ServiceCenter.active.is_(True))
            .options(selectinload(ServiceCenter.brands)).order_by(ServiceCenter.code))
    result = paginate(db(), stmt, page, per_page)
    return jsonify(paged(result, [present.center(c) for c in result.items]))


@bp.route("/manufacturers")
@any_staff(reads=Reads.NETWORK)
def manufacturers() -> Response:
    page, per_page = query_page()
    stmt = select(Manufacturer).where(Manufacturer.active.is_(True)).order_by(Manufacturer.name)
    result = paginate(db(), stmt, page, per_page)
    return jsonify(paged(result, [present.manufacturer(m) for m in result.items]))


def manufacturer_named(name: str, field: str = "manufacturer") -> Manufacturer:
    """The active manufacturer with this name (any case), or a 422 naming the field."""
    found = db().scalar(select(Manufacturer).where(Manufacturer.active.is_(True),
                                                   Manufacturer.name == name.strip()))
    if found is None:
        found = next((m for m in db().scalars(select(Manufacturer).where(Manufacturer.active.is_(True)))
                      if m.name.casefold() == name.strip().casefold()), None)
    if found is None:
        raise Problem(422, gettext("Some fields are wrong: nothing was changed."),
                      {field: gettext("Unknown manufacturer")})
    return found


@bp.route("/models")
@any_staff(reads=Reads.NETWORK)
def models() -> Response:
    """Active models, of one manufacturer when `manufacturer` names it."""
    page, per_page = query_page()
    stmt = (select(ProductModel).join(ProductModel.manufacturer).where(
        ProductModel.active.is_(True), Manufacturer.active.is_(True))
        .options(selectinload(ProductModel.manufacturer)).order_by(Manufacturer.name, ProductModel.name))
    name = request.args.get("manufacturer", "")
    if name.strip():
        stmt = stmt.where(ProductModel.manufacturer_id == manufacturer_named(name).id)
    result = paginate(db(), stmt, page, per_page)
    return jsonify(paged(result, [present.product_model(pm) for pm in result.items]))
