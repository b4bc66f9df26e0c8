"""Intake views: thin — parse, call one service, render or redirect."""

from __future__ import annotations

import secrets
from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from servicecenter.catalog.models import ProductModel
from servicecenter.catalog.queries import find_model_by_name, get_active_model, list_models_matching
from servicecenter.clock import local_date, utcnow
from servicecenter.customers.queries import list_customers_matching
from servicecenter.equipment.models import Unit
from servicecenter.errors import NotFound, ValidationFailed
from servicecenter.fields import parse_id
from servicecenter.repairs import queries, routing
from servicecenter.repairs.handover import amount_due, issue_to_customer, prints_conclusion
from servicecenter.repairs.intake import (
    IntakeRequest,
    complete_registration,
    receive_at_counter,
    warranty_verdict,
)
from servicecenter.repairs.lookup import rate_repair
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.states import RepairState
from servicecenter.scanning import ORDER_NUMBER, ScanKind, identify, normalise_scan
from workstations.attachments.views import store_uploaded_photos
from workstations.intake import bp
from workstations.intake.forms import IntakeForm, IssueForm
from workstations.web.auth_session import actor
from workstations.web.dbsession import db, keyed_lookups
from workstations.web.errors import translate


def _today():  # noqa: ANN202
    return local_date(utcnow(), actor().center.timezone)


@bp.route("/")
def index() -> str:
    center_id = actor().center_id
    return render_template(
        "intake/index.html",
        registered=queries.list_orders(db(), center_id=center_id, states=[RepairState.REGISTERED], per_page=20),
        ready=queries.list_orders(db(), center_id=center_id, states=[RepairState.READY_FOR_PICKUP], per_page=20),
        back=routing.back_for_handover(db(), center_id, limit=50),
        received=queries.list_orders(db(), center_id=center_id, states=[RepairState.RECEIVED], per_page=20),
    )


@bp.route("/scan")
@keyed_lookups
def scan() -> Response:
    """One field for everything the scanner reads: an order opens, a serial shows the unit."""
    raw = request.args.get("code", "")
    try:
        found = identify(db(), raw)
    except ValidationFailed as exc:
        flash(translate(exc), "error")
        return redirect(url_for("intake.index"))
    if found is None:
        code = normalise_scan(raw)
        if ORDER_NUMBER.match(code):
            flash(_("No order %(number)s.", number=code), "error")
            return redirect(url_for("intake.index"))
        flash(_("Serial %(serial)s is new: fill in the unit and the customer.", serial=code), "info")
        return redirect(url_for("intake.new", serial=code))
    if found.kind == ScanKind.ORDER:
        order = queries.get_order_by_number(db(), found.ref)
        if order.state == RepairState.READY_FOR_PICKUP:  # at the counter, a ready order is a hand-back
            return redirect(url_for("intake.issue", number=order.number))
        if order.state == RepairState.REGISTERED:  # the pre-registered customer has come with the unit
            return redirect(url_for("intake.complete", number=order.number))
        return redirect(url_for("orders.show", number=found.ref))
    if found.kind == ScanKind.UNIT:
        if len(found.candidates) == 1:
            return redirect(url_for("intake.unit", unit_id=found.candidates[0]))
        return redirect(url_for("intake.units", serial=found.code))
    flash(_("%(code)s is not a unit or an order.", code=found.code), "error")
    return redirect(url_for("intake.index"))


@bp.route("/units")
def units() -> str:
    """Several manufacturers' units share this serial: the clerk picks the right one."""
    serial = (request.args.get("serial") or "").strip().upper()
    found = db().scalars(select(Unit).where(Unit.serial == serial)
                         .options(joinedload(Unit.manufacturer), joinedload(Unit.model))).all()
    return render_template("intake/units.html", serial=serial, units=found)


@bp.route("/units/<int:unit_id>")
def unit(unit_id: int) -> str:
    """The unit's card: model, owner, warranty today, and its whole history."""
    session = db()
    u = session.get(Unit, unit_id)
    if u is None:
        raise NotFound("No such unit")
    verdict = warranty_verdict(session, model=u.model, unit=u, purchase_date=None, center=actor().center,
                               today=_today())
    orders = session.scalars(select(RepairOrder).where(RepairOrder.unit_id == u.id)
                             .order_by(RepairOrder.created_at.desc())).all()
    return render_template("intake/unit.html", unit=u, verdict=verdict, orders=orders,
                           history=queries.list_unit_history(session, u.id))


def _model_label(model: ProductModel) -> str:
    """How the picker names a model: "Brand Model (category)"."""
    return f"{model.manufacturer.name} {model.name} ({model.category})"


def _choose_model(form: IntakeForm) -> None:
    """The model the clerk chose: the id picked from the list, unless the text was changed after the
    pick (typing without JavaScript); then the model named in full there, if there is one. Whether the
    model may be received is the domain's check."""
    typed = " ".join((form.model_label.data or "").split())
    if not typed:
        return
    picked = get_active_model(db(), form.model_id.data)
    if picked is not None and typed.casefold() in (_model_label(picked).casefold(),
                                                   f"{picked.manufacturer.name} {picked.name}".casefold()):
        return
    named = find_model_by_name(db(), typed)
    form.model_id.data = named.id if named is not None else None


def _intake_page(form: IntakeForm, status: int = 200, **page: Any) -> tuple[str, int]:
    """The intake form; the picker shows the chosen model by name (an id naming no model is dropped)."""
    model = get_active_model(db(), form.model_id.data)
    form.model_id.data = model.id if model is not None else None
    if model is not None:
        form.model_label.data = _model_label(model)
    return render_template("intake/new.html", form=form, **{"errors": {}, **page}), status


def _intake_request(form: IntakeForm) -> IntakeRequest:
    """What the clerk entered, as the domain's intake request."""
    override = {"auto": None, "yes": True, "no": False}.get(form.warranty.data)
    return IntakeRequest(
        model_id=form.model_id.data, serial=form.serial.data or "", fault=form.fault.data or "",
        customer_id=form.customer_id.data, customer_name=form.customer_name.data or "",
        customer_phone=form.customer_phone.data or "", customer_email=form.customer_email.data or "",
        customer_kind=form.customer_kind.data or "person", purchase_date=form.purchase_date.data,
        seller=form.seller.data or "", condition=form.condition_text(), accessories=form.accessories(),
        order_type=form.order_type.data, priority=form.priority.data, warranty_override=override,
        override_reason=form.override_reason.data or "", contract_number=form.contract_number.data or "",
        idempotency_key=f"intake:{form.token.data}" if form.token.data else None)


# The domain names some fields after its own parameters; the form's fields are these.
_FORM_FIELD = {"phone": "customer_phone", "name": "customer_name", "warranty_override": "warranty",
               "unit": "serial"}


@bp.route("/new", methods=["GET", "POST"])
@keyed_lookups
def new() -> str | Response | tuple[str, int]:
    form = IntakeForm()
    if request.method == "GET":
        form.token.data = secrets.token_urlsafe(16)
        unit_id = request.args.get("unit_id", type=parse_id)
        known = db().get(Unit, unit_id) if unit_id else None
        if known is not None:
            form.serial.data, form.model_id.data = known.serial, known.model_id
            form.purchase_date.data, form.seller.data = known.purchase_date, known.seller
            if known.owner is not None:
                form.customer_id.data = known.owner.id
                form.customer_name.data, form.customer_phone.data = known.owner.name, known.owner.phone
        else:
            form.serial.data = (request.args.get("serial") or "")[:64]
        return _intake_page(form)
    if not form.validate():
        return _intake_page(form, 422)
    _choose_model(form)
    req = _intake_request(form)
    try:
        order = receive_at_counter(db(), actor(), actor().center, req, _today())
        store_uploaded_photos(order, form.photos.data)  # same transaction: a bad photo, no order
    except ValidationFailed as exc:
        errors = {_FORM_FIELD.get(k, k): v for k, v in exc.errors.items()}
        return _intake_page(form, 422, message=translate(exc), errors=errors)
    flash(_("Order %(number)s received. Print the work order and the label.", number=order.number), "success")
    return redirect(url_for("orders.show", number=order.number, printed="1"))


@bp.route("/customers.json")
def customers_json() -> Response:
    """Customers by phone digits or name, as the clerk types (at most 10)."""
    rows = list_customers_matching(db(), request.args.get("q") or "")
    return jsonify([{"id": c.id, "name": c.name, "phone": c.phone, "email": c.email, "kind": c.kind.value}
                    for c in rows])


@bp.route("/models.json")
def models_json() -> Response:
    """Active models of active brands by brand, name or category, as the clerk types (at most 20)."""
    rows = list_models_matching(db(), (request.args.get("q") or "")[:200])
    return jsonify([{"id": m.id, "label": _model_label(m)} for m in rows])


@bp.route("/issue/<number>", methods=["GET", "POST"])
def issue(number: str) -> str | Response | tuple[str, int]:
    """Hand a ready unit back: what was done, what is due, the payment; then the act prints."""
    order = queries.get_order_by_number(db(), number)
    form = IssueForm()
    due = amount_due(order)
    if request.method == "POST" and form.validate():
        try:
            issue_to_customer(db(), actor(), order, amount_paid=form.amount_paid.data,
                              payment_method=form.payment_method.data or "", expected_version=form.version.data)
            if form.rating.data:
                rate_repair(db(), order, form.rating.data, form.rating_comment.data or "")
        except ValidationFailed as exc:
            return render_template("intake/issue.html", order=order, form=form, due=due, message=translate(exc),
                                   errors=dict(exc.errors)), 422
        document = "conclusion" if prints_conclusion(order) else "act"
        flash(_("Order %(number)s issued. Print the %(document)s for the customer to sign.", number=order.number,
                document=_("technical conclusion") if document == "conclusion" else _("act of completed works")),
              "success")
        return redirect(url_for("orders.show", number=order.number, issued="1"))
    if request.method == "GET":
        form.version.data = order.version
        form.amount_paid.data = f"{due:.2f}" if due else ""
    status = 422 if request.method == "POST" else 200
    return render_template("intake/issue.html", order=order, form=form, due=due, errors={}), status


@bp.route("/complete/<number>", methods=["GET", "POST"])
def complete(number: str) -> str | Response | tuple[str, int]:
    """A pre-registered visit: the customer is known; record the unit and receive it."""
    order = queries.get_order_by_number(db(), number)
    if order.state != RepairState.REGISTERED:
        flash(_("Order %(number)s has already been received.", number=order.number), "info")
        return redirect(url_for("orders.show", number=order.number))
    form = IntakeForm()
    if request.method == "GET":
        form.fault.data = order.fault
        form.customer_name.data, form.customer_phone.data = order.customer.name, order.customer.phone
        return _intake_page(form, order=order)
    if not form.validate():
        return _intake_page(form, 422, order=order)
    _choose_model(form)
    try:
        complete_registration(db(), actor(), order, _intake_request(form), _today())
        store_uploaded_photos(order, form.photos.data)
    except ValidationFailed as exc:
        errors = {_FORM_FIELD.get(k, k): v for k, v in exc.errors.items()}
        return _intake_page(form, 422, order=order, message=translate(exc), errors=errors)
    flash(_("Order %(number)s received. Print the work order and the label.", number=order.number), "success")
    return redirect(url_for("orders.show", number=order.number, printed="1"))
