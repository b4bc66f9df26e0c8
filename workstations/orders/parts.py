"""The parts section of the order page: reserve from the center's stock, request a shortage, release,
and (the warehouse) issue reserved parts to the bench. templates/orders/_parts.html renders
`parts_panel(order)`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import AnyOf, DataRequired, Length

from servicecenter.errors import N_, NotFound, ValidationFailed
from servicecenter.repairs import queries
from servicecenter.repairs.models import RepairOrder
from servicecenter.stock import queries as stock_queries
from servicecenter.stock import services as stock
from servicecenter.stock import warehouse
from servicecenter.stock.models import Part, PartRequest, Reservation, StockMove, part_models
from workstations.order_contents import order_has
from workstations.orders import bp
from workstations.web.access import allow
from workstations.web.auth_session import actor
from workstations.web.dbsession import db
from workstations.web.errors import translate

SUGGESTED_PARTS = 30


class PartsForm(FlaskForm):
    part_code = StringField(validators=[DataRequired(), Length(max=64)])
    quantity = StringField(validators=[DataRequired(), Length(max=10)])
    action = StringField(default="reserve", validators=[AnyOf(("reserve", "request"))])


@dataclass
class Suggestion:
    part: Part
    free: int


@dataclass
class PartsPanel:
    reservations: list[Reservation]
    requests: list[PartRequest]
    can_reserve: bool
    can_release: bool
    can_issue: bool
    suggestions: list[Suggestion] = field(default_factory=list)
    shortage: dict[str, Any] | None = None  # the refused reservation, offered as a request
    defective: list[StockMove] = field(default_factory=list)  # removed parts kept for the manufacturer
    can_keep_defective: bool = False  # a warranty repair: the removed part goes to the maker's place


def parts_panel(order: RepairOrder) -> PartsPanel | None:
    """What the parts section shows to the logged-in user (None: nothing to show)."""
    role = current_user.role
    session = db()
    has = order_has(order)
    reservations = stock_queries.list_order_reservations(session, order) if has.reservations else []
    requests = stock_queries.list_order_part_requests(session, order) if has.part_requests else []
    can_reserve = role in stock.RESERVE_ROLES and order.state in stock.PARTS_STATES
    defective = warehouse.list_defective_parts(session, order) if has.defective else []
    can_keep = (role in warehouse.DEFECTIVE_ROLES and order.state in stock.PARTS_STATES
                and order.warranty_covered is True)
    if not (reservations or requests or can_reserve or defective or can_keep):
        return None
    suggestions = []
    if can_reserve and order.unit is not None:  # the parts listed for the unit's model, with free stock
        parts = session.scalars(select(Part).join(part_models, part_models.c.part_id == Part.id).where(
            part_models.c.model_id == order.unit.model_id, Part.active.is_(True)).order_by(Part.name)
            .limit(SUGGESTED_PARTS))
        parts = list(parts)
        free = stock_queries.free_quantities(session, order.center_id, [p.id for p in parts])
        suggestions = [Suggestion(p, free[p.id]) for p in parts]
    shortage = None
    if can_reserve and request.args.get("short"):
        shortage = {"part_code": request.args.get("short", "")[:64], "quantity": request.args.get("qty", "")[:10]}
    return PartsPanel(reservations, requests, can_reserve, role in stock.RELEASE_ROLES, role in stock.ISSUE_ROLES,
                      suggestions, shortage, defective, can_keep)


@bp.app_context_processor
def _panels() -> dict[str, Any]:
    return {"parts_panel": parts_panel}


def _back(order: RepairOrder, **args: str) -> Response:
    return redirect(url_for("orders.show", number=order.number, _anchor="parts", **args))


@bp.route("/<number>/parts", methods=["POST"])
@allow(*stock.RESERVE_ROLES)
def parts_reserve(number: str) -> Response:
    """Reserve a part (scanned or typed code) from free stock, or request the shortage."""
    order = queries.get_order_by_number(db(), number)
    form = PartsForm()
    if not form.validate():
        raise ValidationFailed(N_("Scan or type the part's code and the quantity"),
                               errors={"part": N_("Required")})
    part = stock_queries.get_part_by_code(db(), form.part_code.data)
    if form.action.data == "request":
        req = stock.request_shortage(db(), actor(), order, part, form.quantity.data)
        flash(_("%(count)s × %(part)s requested from the warehouse; order %(number)s is waiting for parts.",
                count=req.quantity, part=part.sku, number=order.number), "success")
        return _back(order)
    try:
        stock.reserve_part(db(), actor(), order, part, form.quantity.data)
    except ValidationFailed as exc:
        if "free" not in exc.params:
            raise
        db().rollback()  # nothing of the refused reservation stays
        flash(translate(exc), "error")
        return _back(order, short=part.sku, qty=form.quantity.data)
    warning = stock.compatibility_warning(part, order)
    if warning:
        flash(_(warning, part=part.sku), "warning")
    flash(_("%(count)s × %(part)s reserved for order %(number)s.", count=form.quantity.data.strip(), part=part.sku,
            number=order.number), "success")
    return _back(order)


class DefectiveForm(FlaskForm):
    part_code = StringField(validators=[DataRequired(), Length(max=64)])
    quantity = StringField(default="1", validators=[DataRequired(), Length(max=10)])
    note = StringField(validators=[Length(max=500)])


@bp.route("/<number>/parts/defective", methods=["POST"])
@allow(*warehouse.DEFECTIVE_ROLES)
def parts_keep_defective(number: str) -> Response:
    """A part taken out of the unit in a warranty repair goes to the center's place for the manufacturer."""
    order = queries.get_order_by_number(db(), number)
    form = DefectiveForm()
    if not form.validate():
        raise ValidationFailed(N_("Scan or type the removed part's code and the quantity"),
                               errors={"part": N_("Required")})
    part = stock_queries.get_part_by_code(db(), form.part_code.data)
    move = warehouse.keep_defective_part(db(), actor(), order, part, form.quantity.data, note=form.note.data or "")
    flash(_("%(count)s × %(part)s kept for the manufacturer at %(location)s.", count=move.quantity, part=part.sku,
            location=move.to_location.code), "success")
    return _back(order)


def _reservation(order: RepairOrder, reservation_id: int) -> Reservation:
    reservation = db().get(Reservation, reservation_id)
    if reservation is None or reservation.order_id != order.id:
        raise NotFound(N_("No such reservation"))
    return reservation


@bp.route("/<number>/parts/<int:reservation_id>/release", methods=["POST"])
@allow(*stock.RELEASE_ROLES)
def parts_release(number: str, reservation_id: int) -> Response:
    order = queries.get_order_by_number(db(), number)
    stock.release_reservation(db(), actor(), _reservation(order, reservation_id), order)
    flash(_("Reservation released; the parts are free again."), "success")
    return _back(order)


@bp.route("/<number>/parts/<int:reservation_id>/issue", methods=["POST"])
@allow(*stock.ISSUE_ROLES)
def parts_issue(number: str, reservation_id: int) -> Response:
    """The warehouse hands reserved parts to the bench (from the order page or the warehouse's list)."""
    order = queries.get_order_by_number(db(), number)
    reservation = _reservation(order, reservation_id)
    stock.issue_reservation(db(), actor(), reservation, order)
    flash(_("%(count)s × %(part)s issued for order %(number)s.", count=reservation.quantity,
            part=reservation.part.sku, number=order.number), "success")
    if request.form.get("next") == "warehouse":
        return redirect(url_for("warehouse.index"))
    return _back(order)
