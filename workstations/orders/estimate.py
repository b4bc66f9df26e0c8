"""The estimate section of the order page: lines from the price list, sending it, the customer's answer.

Registered on the orders blueprint; templates/orders/_estimate.html renders `estimate_panel(order)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import flash, redirect, url_for
from flask_babel import format_currency
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import or_, select
from werkzeug.wrappers import Response
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from servicecenter.errors import N_, NotFound, ValidationFailed
from servicecenter.pricing.models import LabourItem
from servicecenter.repairs import estimates, queries, services
from servicecenter.repairs.estimate_models import Estimate, EstimateState, LineKind
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.states import BENCH, CUSTOMER_VOICE, WARRANTY_DECIDERS, RepairState
from servicecenter.stock.queries import get_part_by_code
from workstations import labels
from workstations.order_contents import order_has
from workstations.orders import bp
from workstations.web.access import allow
from workstations.web.auth_session import actor
from workstations.web.dbsession import db
from workstations.web.forms import IdField

ESTIMATE_STATE = {
    EstimateState.DRAFT: _l("Draft"),
    EstimateState.SENT: _l("Sent to the customer"),
    EstimateState.APPROVED: _l("Approved"),
    EstimateState.DECLINED: _l("Declined"),
    EstimateState.SUPERSEDED: _l("Replaced by a new version"),
}
LINE_KIND = {LineKind.PART: _l("Part"), LineKind.LABOUR: _l("Labour"), LineKind.FREE: _l("Other")}
ANSWERS = ("approve", "decline", "revise")
WARRANTY_ROLES = WARRANTY_DECIDERS  # who may decide on warranty (services)
REVISABLE = frozenset({RepairState.DIAGNOSIS, RepairState.IN_REPAIR, RepairState.AWAITING_PARTS})


class LineForm(FlaskForm):
    kind = HiddenField(validators=[DataRequired()])
    part_code = StringField(validators=[Optional(), Length(max=64)])
    labour_item_id = IdField(validators=[Optional()])
    description = StringField(validators=[Optional(), Length(max=300)])
    quantity = StringField(validators=[DataRequired(), Length(max=20)])
    unit_price = StringField(validators=[Optional(), Length(max=20)])
    vat_rate = StringField(validators=[Optional(), Length(max=10)])


class WarrantyForm(FlaskForm):
    decision = StringField(validators=[AnyOf(("warranty", "paid"))])
    reason = TextAreaField(validators=[Optional(), Length(max=500)])  # required by the service, with its message
    version = IntegerField(validators=[Optional()])


class SendForm(FlaskForm):
    version = IntegerField(validators=[Optional()])
    diagnosis = TextAreaField(validators=[Optional(), Length(max=4000)])


class AnswerForm(FlaskForm):
    answer = StringField(validators=[AnyOf(ANSWERS)])
    via = StringField(validators=[Optional(), Length(max=20)])  # the service names the channels
    note = TextAreaField(validators=[Optional(), Length(max=500)])
    version = IntegerField(validators=[Optional()])


@dataclass
class EstimatePanel:
    order: RepairOrder
    estimate: Estimate | None
    earlier: list[Estimate] = field(default_factory=list)
    labour_items: list[LabourItem] = field(default_factory=list)
    can_edit: bool = False
    can_answer: bool = False
    labels: dict[str, Any] = field(default_factory=dict)
    can_revise_warranty: bool = False
    approval_missing: bool = False  # revised to paid: no work until the customer approves


def _category(order: RepairOrder) -> str:
    return order.unit.model.category if order.unit is not None else ""


def estimate_panel(order: RepairOrder) -> EstimatePanel | None:
    """What the estimate section shows to the logged-in user (None: nothing to show)."""
    role = current_user.role
    all_versions = estimates.list_estimates(db(), order) if order_has(order).estimates else []
    can_edit = role in BENCH and order.state == RepairState.DIAGNOSIS
    can_answer = role in CUSTOMER_VOICE and order.state == RepairState.AWAITING_APPROVAL
    # The warranty decision may be revised until the repair is done; revised to paid during repair,
    # the order goes back to diagnosis for an estimate (services.decide_warranty).
    can_revise = role in WARRANTY_ROLES and order.state in REVISABLE
    if not all_versions and not can_edit and not can_revise:
        return None
    items: list[LabourItem] = []
    if can_edit:
        category = _category(order)
        items = list(db().scalars(select(LabourItem).where(
            LabourItem.active.is_(True), or_(LabourItem.category == "", LabourItem.category == category))
            .order_by(LabourItem.category.desc(), LabourItem.name)))
    return EstimatePanel(order, all_versions[0] if all_versions else None, all_versions[1:], items, can_edit,
                         can_answer, {"state": ESTIMATE_STATE, "kind": LINE_KIND, "channel": labels.CHANNEL},
                         can_revise, order.approval_required and order.approved is not True)


@bp.app_context_processor
def _panels() -> dict[str, Any]:
    return {"estimate_panel": estimate_panel}


def _back(order: RepairOrder, anchor: str = "estimate") -> Response:
    return redirect(url_for("orders.show", number=order.number, _anchor=anchor))


@bp.route("/<number>/estimate/lines", methods=["POST"])
@allow(*BENCH)
def estimate_add_line(number: str) -> Response:
    """Add a part (scanned or typed code), a price-list labour item or a free line to the draft."""
    order = queries.get_order_by_number(db(), number)
    form = LineForm()
    if not form.validate():
        raise ValidationFailed(N_("The line is incomplete; nothing was added"), errors={"quantity": N_("Required")})
    part = labour = None
    if form.kind.data == LineKind.PART:
        if not (form.part_code.data or "").strip():
            raise ValidationFailed(N_("Choose a part"), errors={"part": N_("Required")})
        part = get_part_by_code(db(), form.part_code.data)
    elif form.kind.data == LineKind.LABOUR and form.labour_item_id.data:
        labour = db().get(LabourItem, form.labour_item_id.data)
        if labour is None:
            raise NotFound(N_("No such labour item"))
    estimates.add_line(db(), actor(), order, kind=form.kind.data, quantity=form.quantity.data, part=part,
                       labour_item=labour, description=form.description.data or "",
                       unit_price=form.unit_price.data, vat_rate=form.vat_rate.data)
    flash(_("Line added to the estimate."), "success")
    return _back(order)


@bp.route("/<number>/estimate/lines/<int:line_id>/delete", methods=["POST"])
@allow(*BENCH)
def estimate_remove_line(number: str, line_id: int) -> Response:
    order = queries.get_order_by_number(db(), number)
    estimates.remove_line(db(), actor(), order, line_id)
    flash(_("Line removed."), "success")
    return _back(order)


@bp.route("/<number>/estimate/send", methods=["POST"])
@allow(*BENCH)
def estimate_send(number: str) -> Response:
    """Freeze the draft and ask the customer: the order waits for approval."""
    order = queries.get_order_by_number(db(), number)
    form = SendForm()
    form.validate()
    estimate = estimates.send_estimate(db(), actor(), order, diagnosis=form.diagnosis.data or "",
                                       expected_version=form.version.data)
    flash(_("Estimate version %(version)s sent: %(total)s. Order %(number)s is waiting for the customer's answer.",
            version=estimate.version, total=format_currency(estimate.gross, "RUB"), number=order.number), "success")
    return _back(order)


@bp.route("/<number>/estimate/answer", methods=["POST"])
@allow(*CUSTOMER_VOICE)
def estimate_answer(number: str) -> Response:
    """The customer's answer, taken by whoever spoke to them: approve, decline or ask for another estimate."""
    order = queries.get_order_by_number(db(), number)
    form = AnswerForm()
    if not form.validate():
        raise ValidationFailed(N_("Choose the customer's answer"), errors={"answer": N_("Required")})
    if form.answer.data == "revise":
        estimates.ask_new_estimate(db(), actor(), order, via=form.via.data, note=form.note.data or "",
                                   expected_version=form.version.data)
        flash(_("Order %(number)s is back in diagnosis for a new estimate.", number=order.number), "success")
        return _back(order)
    answer = estimates.record_answer(db(), actor(), order, approved=form.answer.data == "approve", via=form.via.data,
                                     note=form.note.data or "", expected_version=form.version.data)
    flash(_(answer.message, number=answer.number), "success" if answer.recorded else "info")
    return _back(order)


@bp.route("/<number>/warranty", methods=["POST"])
@allow(*WARRANTY_ROLES)
def estimate_warranty(number: str) -> Response:
    """Revise the warranty decision with a reason; revised to paid, the customer approves an estimate
    before work goes on (in repair or waiting for parts, the order goes back to diagnosis)."""
    order = queries.get_order_by_number(db(), number)
    form = WarrantyForm()
    if not form.validate():
        raise ValidationFailed(N_("Choose warranty or paid"), errors={"decision": N_("Required")})
    before = order.state
    services.decide_warranty(db(), order, actor(), covered=form.decision.data == "warranty",
                             reason=form.reason.data or "", expected_version=form.version.data)
    if order.approval_required and order.state != before:
        flash(_("Order %(number)s is paid work now: the repair is stopped and the order is back in diagnosis; "
                "draw up an estimate for the customer's approval.", number=order.number), "warning")
    elif order.approval_required:
        flash(_("Order %(number)s is paid work now: draw up an estimate for the customer's approval.",
                number=order.number), "warning")
    else:
        flash(_("Warranty decision saved."), "success")
    return _back(order)
