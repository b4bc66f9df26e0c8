"""The partner's start page, scan field, unit card and stock."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from servicecenter.centers.models import Location
from servicecenter.equipment.models import Unit
from servicecenter.errors import N_, NotFound, ValidationFailed
from servicecenter.repairs import queries, routing
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.states import OPEN_STATES
from servicecenter.scanning import ScanKind, identify
from servicecenter.shipments import queries as shipment_queries
from servicecenter.shipments.models import ShipmentState
from servicecenter.stock import queries as stock_queries
from servicecenter.stock.models import StockLevel
from workstations.partner import bp
from workstations.web.auth_session import actor
from workstations.web.dbsession import db
from workstations.web.errors import translate


@bp.route("/")
def index() -> str:
    # No center filter for safety: the partner's session is walled, every query sees only its center.
    # The filters below say what the page lists (incoming, not outgoing), not what may be seen.
    center_id = actor().center_id
    return render_template(
        "partner/index.html",
        counts=queries.count_orders_by_state(db()),
        page=queries.list_orders(db(), states=OPEN_STATES, page=request.args.get("page", 1, type=int)),
        incoming=shipment_queries.list_shipments(db(), center_id, state=ShipmentState.DISPATCHED.value,
                                                 direction="in", limit=50),
        to_return=routing.units_to_return(db(), center_id, limit=50),
        requests=stock_queries.list_open_part_requests(db(), center_id, limit=50),
    )


@bp.route("/scan")
def scan() -> Response:
    """One field for what a partner scans: an order, a unit's serial, a shipment label."""
    raw = request.args.get("code", "")
    if not raw.strip():
        return redirect(url_for("partner.index"))
    try:
        found = identify(db(), raw)
    except ValidationFailed as exc:
        flash(translate(exc), "error")
        return redirect(url_for("partner.index"))
    if found is not None and found.kind == ScanKind.ORDER:
        return redirect(url_for("orders.show", number=found.ref))
    if found is not None and found.kind == ScanKind.SHIPMENT:
        return redirect(url_for("logistics.show", ref=found.ref))
    if found is not None and found.kind == ScanKind.UNIT:
        if len(found.candidates) == 1:
            return redirect(url_for("partner.unit", unit_id=found.candidates[0]))
        return redirect(url_for("partner.units", serial=found.code))
    flash(_("Nothing of your center has the code %(code)s.", code=(found.code if found else raw.strip())[:64]),
          "error")
    return redirect(url_for("partner.index"))


@bp.route("/units")
def units() -> str:
    """The units with this serial that the partner has or had in repair (several manufacturers may share it)."""
    serial = (request.args.get("serial") or "").strip().upper()[:64]
    found = db().scalars(select(Unit).where(Unit.serial == serial)
                         .options(joinedload(Unit.manufacturer), joinedload(Unit.model))).all() if serial else []
    return render_template("partner/units.html", serial=serial, units=found)


@bp.route("/units/<int:unit_id>")
def unit(unit_id: int) -> str:
    """A unit the partner has or had: its orders here and its history across the network."""
    session = db()
    u = session.get(Unit, unit_id)
    if u is None:
        raise NotFound(N_("No such unit"))
    orders = session.scalars(select(RepairOrder).where(RepairOrder.unit_id == u.id)
                             .order_by(RepairOrder.created_at.desc())).all()
    return render_template("partner/unit.html", unit=u, orders=orders,
                           history=queries.list_unit_history(session, u.id))


@bp.route("/stock")
def stock() -> str:
    """The parts on hand at the partner's own places, and what it asked the network for."""
    center_id = actor().center_id
    rows = db().execute(
        select(StockLevel).join(Location, Location.id == StockLevel.location_id)
        .where(Location.center_id == center_id, StockLevel.quantity > 0)
        .options(joinedload(StockLevel.part), joinedload(StockLevel.location))
        .order_by(Location.code, StockLevel.part_id)).scalars().all()
    return render_template("partner/stock.html", levels=rows,
                           requests=stock_queries.list_open_part_requests(db(), center_id))
