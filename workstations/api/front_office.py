"""The call center's notes and pre-registered visits, and the counter's completion of a visit and hand-back
(with the payment, the customer's rating and the act) — the call-center and intake workstations' services."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from servicecenter.accounts.roles import Role
from servicecenter.catalog.models import ProductModel
from servicecenter.centers.models import ServiceCenter
from servicecenter.clock import local_date, utcnow
from servicecenter.errors import N_, StateConflict
from servicecenter.repairs import queries, services
from servicecenter.repairs.handover import PAYMENT_METHODS, amount_due, issue_to_customer, prints_conclusion
from servicecenter.repairs.intake import complete_registration
from servicecenter.repairs.lookup import MAX_RATING_COMMENT, rate_repair
from servicecenter.repairs.models import OrderType, Priority, RepairOrder
from servicecenter.repairs.states import COUNTER, RepairState
from servicecenter.repairs.visits import VisitRequest, pre_register_visit
from workstations.api import bp, present
from workstations.api.catalog import manufacturer_named
from workstations.api.documents import _file
from workstations.api.order_actions import _version
from workstations.api.orders import INTAKE_FIELDS, _intake, _order_body, created_order, idempotent_order
from workstations.api.payload import Fields, json_body
from workstations.api.problems import Problem
from workstations.api.spec import (
    INT,
    MOMENT,
    NUMBER,
    ORDER_VERSION,
    STATES,
    STR,
    body,
    document,
    json_answer,
    nullable,
    obj,
    problems,
    register,
)
from workstations.orders import act_document
from workstations.web.access import allow, any_staff
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

CALL_CENTER = (Role.CALL_CENTER, Role.ADMIN)  # the call-center workstation's roles
# The visit service's field names as the API's request spells them.
VISIT_FIELDS = {"customer_name": "customer.name", "customer_phone": "customer.phone", "center_id": "center",
                "manufacturer_id": "manufacturer", "model_id": "model"}


# --- the call center ------------------------------------------------------------------------------

@bp.route("/call-center/notes", methods=["POST"])
@allow(*CALL_CENTER)
def call_note() -> Response:
    """A call note on an order, kept in its history as a comment (call_center.note)."""
    f = Fields(json_body())
    number = f.text("number", required=True, max_len=40)
    text = f.text("text", required=True, max_len=services.MAX_TEXT)
    f.check()
    order = queries.get_order_by_number(db(), number)
    services.add_comment(db(), order, actor(), text)
    return created_order(_order_body(order))


def _visit(data: dict[str, Any]) -> VisitRequest:
    f = Fields(data)
    customer = f.obj("customer", required=True) or Fields(None)
    name = customer.text("name", required=True, max_len=200)
    phone = customer.text("phone", required=True, max_len=40)
    code = f.text("center", required=True, max_len=20)
    brand = f.text("manufacturer", max_len=120)
    model_name = f.text("model", max_len=120)
    serial = f.text("serial", max_len=64)
    fault = f.text("fault", required=True)
    if model_name and not brand:
        f.fail("manufacturer", N_("Required"))
    f.check()
    center = db().scalar(select(ServiceCenter).where(ServiceCenter.code == code.upper(),
                                                     ServiceCenter.active.is_(True)))
    if center is None:
        f.fail("center", N_("Unknown service center"))
    maker = model = None
    if brand:
        try:
            maker = manufacturer_named(brand)
        except Problem as exc:
            f.errors.update(exc.errors)
    if maker is not None and model_name:
        models = db().scalars(select(ProductModel).where(ProductModel.manufacturer_id == maker.id,
                                                         ProductModel.active.is_(True)))
        model = next((m for m in models if m.name.casefold() == model_name.casefold()), None)
        if model is None:
            f.fail("model", N_("Unknown model of this manufacturer"))
    f.check()
    return VisitRequest(center_id=center.id if center else None, customer_name=name, customer_phone=phone,
                        fault=fault, manufacturer_id=maker.id if maker else None,
                        model_id=model.id if model else None, serial=serial)


@bp.route("/call-center/visits", methods=["POST"])
@allow(*CALL_CENTER)
def new_visit() -> Response:
    """Pre-register a caller's visit at a center authorised for the brand (call_center.new_visit)."""
    data = json_body()
    g.api_fields = VISIT_FIELDS
    return idempotent_order("POST /call-center/visits", data,
                            lambda: pre_register_visit(db(), actor(), _visit(data)))


# --- the counter ----------------------------------------------------------------------------------

def _completion(order: RepairOrder, data: dict[str, Any]) -> dict[str, Any]:
    """The intake request's body for a known customer: the order's center and customer; the unit and the
    fault as recorded by the call center unless sent."""
    unit = order.unit
    known = {} if unit is None else {"manufacturer": unit.manufacturer.name, "model": unit.model.name,
                                     "serial": unit.serial}
    sent = data.get("unit")
    merged = {**known, **sent} if isinstance(sent, dict) else (sent if sent is not None else known or None)
    return {**data, "center": order.center.code, "unit": merged, "fault": data.get("fault", order.fault),
            "customer": {"name": order.customer.name, "phone": order.customer.phone}}


@bp.route("/repair-orders/<number>/complete", methods=["POST"])
@allow(*COUNTER)
def complete_visit(number: str) -> Response:
    """The pre-registered customer brought the unit: record it, decide the warranty and receive it
    (intake.complete → complete_registration)."""
    order = queries.get_order_by_number(db(), number)
    data = json_body()
    g.api_fields = INTAKE_FIELDS
    if order.state != RepairState.REGISTERED:  # said before the fields, as the counter says it
        raise StateConflict(N_("Order %(number)s is %(current)s; only a pre-registered visit is completed here"),
                            current=order.state.value, allowed=[], number=order.number)
    _center, req = _intake(_completion(order, data))
    complete_registration(db(), actor(), order, req, local_date(utcnow(), order.center.timezone))
    return jsonify(_order_body(order))


def _handover(order: RepairOrder) -> dict[str, Any]:
    document = None
    if order.state in (RepairState.READY_FOR_PICKUP, RepairState.ISSUED) and order.outcome is not None:
        document = "conclusion" if prints_conclusion(order) else "act"
    money = (lambda v: None if v is None else f"{v:.2f}")  # noqa: E731
    return {"order": order.number, "state": order.state.value, "version": order.version,
            "amount_due": money(order.amount_due if order.state == RepairState.ISSUED else amount_due(order)),
            "amount_paid": money(order.amount_paid), "payment_method": order.payment_method or None,
            "paid_at": present.moment(order.paid_at), "document": document,
            "document_url": url_for("api.act_pdf", number=order.number) if document else None,
            "rating": order.rating, "rating_comment": order.rating_comment or ""}


@bp.route("/repair-orders/<number>/handover")
@any_staff()
def handover(number: str) -> Response:
    """What is due at hand-back, what was paid and how, the document to print, the customer's rating."""
    return jsonify(_handover(queries.get_order_by_number(db(), number)))


@bp.route("/repair-orders/<number>/handover", methods=["POST"])
@allow(*COUNTER)
def issue(number: str) -> Response:
    """Hand the unit back with the payment due and, if given, the customer's rating (intake.issue)."""
    order = queries.get_order_by_number(db(), number)
    data = json_body()
    f = Fields(data)
    paid = data.get("amount_paid")
    if paid is not None and (isinstance(paid, bool) or not isinstance(paid, str | int | float) or len(str(paid)) > 20):
        f.fail("amount_paid", N_("A number"))
    method = f.choice("payment_method", [*PAYMENT_METHODS, ""], "")
    rating = data.get("rating")
    if rating is not None and (isinstance(rating, bool) or not isinstance(rating, int)):
        f.fail("rating", N_("From 1 to 5"))
    comment = f.text("rating_comment", max_len=MAX_RATING_COMMENT)
    version = _version(f, data)
    f.check()
    issue_to_customer(db(), actor(), order, amount_paid=None if paid is None else str(paid), payment_method=method,
                      expected_version=version)
    if rating is not None:
        rate_repair(db(), order, rating, comment)
    return jsonify(_handover(order))


@bp.route("/repair-orders/<number>/act.pdf")
@any_staff()
def act_pdf(number: str) -> Response:
    """Акт выполненных работ (repaired, replaced) — or the technical conclusion for the rest (orders.act_pdf)."""
    pdf, name = act_document(queries.get_order_by_number(db(), number))
    return _file(pdf, "application/pdf", name)


# --- the OpenAPI description --------------------------------------------------------------------

_WRITE = ("400", "403", "404", "409", "413", "415", "422")
_MONEY = {"type": ["string", "null"], "pattern": "^[0-9]+\\.[0-9]{2}$", "description": "Roubles, two decimals"}
_act = document("getActPdf", "The act of completed works, or the technical conclusion (refused, unrepairable)",
                "application/pdf")
_act["get"]["responses"].update(problems("404", "409"))

register({
    "/call-center/notes": {"post": {
        "operationId": "addCallNote", "summary": "A call note on an order (call center, admins)",
        "requestBody": body("CallNoteRequest"),
        "responses": {"201": json_answer("RepairOrder", "Added; the order with the note last in its history"),
                      **problems("400", "403", "404", "413", "415", "422")}}},
    "/call-center/visits": {"post": {
        "operationId": "preRegisterVisit",
        "summary": "Pre-register a caller's visit at a center authorised for the brand (call center, admins)",
        "parameters": [{"name": "Idempotency-Key", "in": "header", "schema": {**STR, "maxLength": 100},
                        "description": "A retry with the same key (and body) returns the first answer"}],
        "requestBody": body("VisitRequest"),
        "responses": {"201": {**json_answer("RepairOrder", "Registered: the order waits for the unit"),
                              "headers": {"Location": {"schema": STR}}},
                      **problems("400", "403", "404", "409", "413", "415", "422")}}},
    "/repair-orders/{number}/complete": {"post": {
        "operationId": "completeVisit",
        "summary": "Receive the unit of a pre-registered visit (counter staff, partners, admins)",
        "parameters": NUMBER, "requestBody": body("CompleteVisitRequest"),
        "responses": {"200": json_answer("RepairOrder", "Received, with its warranty decision"),
                      **problems(*_WRITE)}}},
    "/repair-orders/{number}/handover": {
        "get": {"operationId": "getHandover", "summary": "What is due at hand-back, the payment, the document",
                "parameters": NUMBER, "responses": {"200": json_answer("Handover", "The hand-back"),
                                                    **problems("404")}},
        "post": {"operationId": "issueRepairOrder",
                 "summary": "Hand the unit back: the payment due and the customer's rating (counter staff, "
                            "partners, admins)",
                 "parameters": NUMBER, "requestBody": body("HandoverRequest"),
                 "responses": {"200": json_answer("Handover", "Issued"), **problems(*_WRITE)}}},
    "/repair-orders/{number}/act.pdf": _act,
}, {
    "CallNoteRequest": obj({"number": {**STR, "maxLength": 40, "description": "The order's number"},
                             "text": {**STR, "minLength": 1, "maxLength": 4000}}, extra=True),
    "VisitRequest": obj({
        "customer": obj({"name": {**STR, "maxLength": 200}, "phone": {**STR, "maxLength": 40}}, extra=True),
        "center": {**STR, "maxLength": 20, "description": "The code of a center authorised for the brand"},
        "manufacturer": {**STR, "maxLength": 120, "description": "The brand, if known (by name)"},
        "model": {**STR, "maxLength": 120, "description": "The model, if known (needs the manufacturer)"},
        "serial": {**STR, "maxLength": 64, "description": "With the model: the unit is registered now"},
        "fault": {**STR, "maxLength": 4000, "description": "In the caller's words"},
    }, required=["customer", "center", "fault"], extra=True),
    "CompleteVisitRequest": obj({
        "unit": obj({"manufacturer": STR, "model": STR, "serial": {**STR, "maxLength": 64}, "purchase_date": {
            "type": "string", "format": "date"}, "seller": {**STR, "maxLength": 200}}, required=[],
            description="Defaults to the unit the call center recorded; required when it recorded none"),
        "fault": {**STR, "maxLength": 4000, "description": "Defaults to what the caller said"},
        "condition": {**STR, "maxLength": 4000},
        "accessories": {"type": "array", "items": {**STR, "maxLength": 100}, "maxItems": 50},
        "order_type": {"type": "string", "enum": [t.value for t in OrderType], "default": "paid"},
        "priority": {"type": "string", "enum": [p.value for p in Priority], "default": "normal"},
        "contract_number": {**STR, "maxLength": 40},
        "warranty": obj({"covered": {"type": "boolean"}, "reason": {**STR, "maxLength": 500}},
                         required=["covered", "reason"]),
    }, required=[], extra=True),
    "HandoverRequest": obj({
        "amount_paid": {"type": ["string", "number"], "description": "Paid work: exactly the amount due"},
        "payment_method": {"type": "string", "enum": list(PAYMENT_METHODS)},
        "rating": {**INT, "minimum": 1, "maximum": 5, "description": "The customer's rating, if they give one"},
        "rating_comment": {**STR, "maxLength": MAX_RATING_COMMENT},
        "version": ORDER_VERSION,
    }, required=[], extra=True),
    "Handover": obj({
        "order": STR, "state": {"type": "string", "enum": STATES}, "version": INT,
        "amount_due": {**_MONEY, "description": "What the customer pays at hand-back (0.00: nothing)"},
        "amount_paid": _MONEY, "payment_method": {"type": ["string", "null"], "enum": [*PAYMENT_METHODS, None]},
        "paid_at": nullable(MOMENT),
        "document": {"type": ["string", "null"], "enum": ["act", "conclusion", None],
                     "description": "What is printed for the customer to sign"},
        "document_url": nullable(STR), "rating": {"type": ["integer", "null"]}, "rating_comment": STR}),
})
