"""Repair orders: read one with its history, list, receive a unit (intake), move along the state table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g, jsonify, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from servicecenter.catalog.models import ProductModel
from servicecenter.centers.models import ServiceCenter
from servicecenter.clock import local_date, utcnow
from servicecenter.equipment.models import Unit
from servicecenter.errors import N_
from servicecenter.idempotency import find_replay, remember_answer, request_hash
from servicecenter.repairs import queries
from servicecenter.repairs.handover import issue_to_customer
from servicecenter.repairs.intake import IntakeRequest, receive_at_counter
from servicecenter.repairs.models import OrderType, Priority, RepairOrder
from servicecenter.repairs.services import COUNTER, apply_transition
from servicecenter.repairs.states import RepairState
from workstations.api import bp, present
from workstations.api.catalog import manufacturer_named
from workstations.api.payload import Fields, json_body, paged, query_page
from workstations.api.problems import Problem
from workstations.web.access import allow, any_staff
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

# The intake service's field names as the API's request spells them (for 422 `errors`).
INTAKE_FIELDS = {
    "model_id": "unit.model", "serial": "unit.serial", "purchase_date": "unit.purchase_date",
    "seller": "unit.seller", "customer_name": "customer.name", "name": "customer.name",
    "customer_phone": "customer.phone", "phone": "customer.phone", "customer_email": "customer.email",
    "email": "customer.email", "warranty_override": "warranty.covered", "override_reason": "warranty.reason",
}
TRANSITION_FIELDS = ("diagnosis", "estimate_total", "outcome", "outcome_note", "reason", "via",
                     "amount_paid", "payment_method")


def _wrong(errors: dict[str, str]) -> Problem:
    return Problem(422, gettext("Some fields are wrong: nothing was changed."), errors)


def _order_body(order: RepairOrder) -> dict[str, Any]:
    return present.order(order, queries.list_order_history(db(), order), current_user.role)


@bp.route("/repair-orders/<number>")
@any_staff()
def order(number: str) -> Response:
    """One order, as the caller's scope sees it, with its whole history."""
    return jsonify(_order_body(queries.get_order_by_number(db(), number)))


@bp.route("/repair-orders")
@any_staff()
def orders() -> Response:
    """Orders newest first: by state (repeatable), center code and number prefix (q)."""
    page, per_page = query_page()
    errors: dict[str, str] = {}
    states = []
    for raw in request.args.getlist("state"):
        for value in filter(None, (s.strip() for s in raw.split(","))):
            try:
                states.append(RepairState(value))
            except ValueError:
                errors["state"] = gettext("Unknown state")
    center_id = None
    code = (request.args.get("center") or "").strip().upper()
    if code:
        center = db().scalar(select(ServiceCenter).where(ServiceCenter.code == code))
        if center is None:
            errors["center"] = gettext("Unknown service center")
        else:
            center_id = center.id
    q = (request.args.get("q") or "").strip()
    if len(q) > 32:
        errors["q"] = gettext("Too long")
    if errors:
        raise _wrong(errors)
    result = queries.list_orders(db(), center_id=center_id, states=states, q=q, page=page, per_page=per_page)
    # The page's centers, units, brands and models in one query, not four per row.
    db().execute(select(RepairOrder).where(RepairOrder.id.in_([o.id for o in result.items]))
                 .options(joinedload(RepairOrder.center),
                          joinedload(RepairOrder.unit).joinedload(Unit.manufacturer),
                          joinedload(RepairOrder.unit).joinedload(Unit.model))).all()
    return jsonify(paged(result, [present.order_summary(o) for o in result.items]))


def _intake(body: dict[str, Any]) -> tuple[ServiceCenter, IntakeRequest]:
    """The intake request in the API's JSON, checked field by field (422 with every error)."""
    f = Fields(body)
    code = f.text("center", required=True, max_len=8)
    customer = f.obj("customer", required=True) or Fields(None)  # missing: one error, not three
    name = customer.text("name", required=True, max_len=200)
    phone = customer.text("phone", required=True, max_len=40)
    email = customer.text("email", max_len=200)
    unit = f.obj("unit", required=True) or Fields(None)
    brand = unit.text("manufacturer", required=True, max_len=120)
    model_name = unit.text("model", required=True, max_len=120)
    serial = unit.text("serial", required=True, max_len=64)
    purchase_date = unit.day("purchase_date")
    seller = unit.text("seller", max_len=200)
    fault = f.text("fault", required=True)
    accessories = f.strings("accessories")
    condition = f.text("condition")
    order_type = f.choice("order_type", [t.value for t in OrderType], OrderType.PAID.value)
    priority = f.choice("priority", [p.value for p in Priority], Priority.NORMAL.value)
    contract = f.text("contract_number", max_len=40)
    warranty = f.obj("warranty")
    covered = warranty.flag("covered") if warranty else None
    reason = warranty.text("reason", max_len=500) if warranty else ""
    f.check()
    center = db().scalar(select(ServiceCenter).where(ServiceCenter.code == code.upper(),
                                                     ServiceCenter.active.is_(True)))
    if center is None:
        f.fail("center", N_("Unknown service center"))
    model = None
    if brand:
        try:
            maker = manufacturer_named(brand, "unit.manufacturer")
        except Problem as exc:
            f.errors.update(exc.errors)
        else:
            model = db().scalar(select(ProductModel).where(ProductModel.manufacturer_id == maker.id,
                                                           ProductModel.name == model_name,
                                                           ProductModel.active.is_(True)))
            if model is None:
                f.fail("unit.model", N_("Unknown model of this manufacturer"))
    f.check()
    assert center is not None and model is not None
    return center, IntakeRequest(
        model_id=model.id, serial=serial, fault=fault, customer_name=name, customer_phone=phone,
        customer_email=email, purchase_date=purchase_date, seller=seller, condition=condition,
        accessories=accessories, order_type=order_type, priority=priority, warranty_override=covered,
        override_reason=reason, contract_number=contract)


def created_order(answer: dict[str, Any]) -> Response:
    """201 with the order and its address."""
    response = jsonify(answer)
    response.status_code = 201
    response.headers["Location"] = url_for("api.order", number=answer["number"])
    return response


def idempotent_order(operation: str, body: Any, make: Callable[[], RepairOrder]) -> Response:
    """Make an order once per Idempotency-Key: a retry with the same key (and body) gets the first answer
    back, marked Idempotent-Replayed; without a key every request makes its own."""
    key = request.headers.get("Idempotency-Key")
    fingerprint = request_hash(operation, body)
    if key is not None:
        replay = find_replay(db(), actor(), key, fingerprint)
        if replay is not None:
            response = created_order(replay.body)
            response.status_code = replay.status
            response.headers["Idempotent-Replayed"] = "true"
            return response
    answer = _order_body(make())
    if key is not None:
        remember_answer(db(), actor(), key, fingerprint, 201, answer)
    return created_order(answer)


@bp.route("/repair-orders", methods=["POST"])
@allow(*COUNTER)
def create_order() -> Response:
    """Receive a unit, exactly as the intake counter does; an Idempotency-Key makes retries safe."""
    body = json_body()
    g.api_fields = INTAKE_FIELDS

    def receive() -> RepairOrder:
        center, req = _intake(body)
        return receive_at_counter(db(), actor(), center, req, local_date(utcnow(), center.timezone))

    return idempotent_order("POST /repair-orders", body, receive)


@bp.route("/repair-orders/<number>/transitions", methods=["POST"])
@any_staff()
def transition(number: str) -> Response:
    """Move the order along one edge of the state table (409 names the current and allowed states)."""
    order = queries.get_order_by_number(db(), number)
    body = json_body()
    f = Fields(body)
    to = f.text("to", required=True, max_len=40)
    version = body.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        f.fail("version", N_("A whole number"))
    fields: dict[str, Any] = {}
    for name in TRANSITION_FIELDS:
        value = body.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            f.fail(name, N_("A string"))
        elif len(str(value)) > 4000:
            f.fail(name, N_("Too long"))
        else:
            fields[name] = str(value)
    f.check()
    if to == RepairState.ISSUED.value and order.state == RepairState.READY_FOR_PICKUP:
        issue_to_customer(db(), actor(), order, amount_paid=fields.get("amount_paid"),
                          payment_method=fields.get("payment_method", ""), expected_version=version)
    else:
        fields.pop("amount_paid", None)
        fields.pop("payment_method", None)
        apply_transition(db(), order, to, actor(), expected_version=version, **fields)
    return jsonify(_order_body(order))
