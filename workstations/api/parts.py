"""Parts on a repair order — the order page's parts section and the bench's replaced parts: read what is
reserved, requested, kept and swapped; reserve or request a shortage, issue or release a reservation, keep
a removed part for the manufacturer, record a serialised part replaced."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_babel import gettext
from werkzeug.wrappers import Response

from servicecenter.equipment.models import Unit
from servicecenter.errors import N_, NotFound
from servicecenter.repairs import outcomes, queries
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.states import BENCH
from servicecenter.stock import queries as stock_queries
from servicecenter.stock import services as stock
from servicecenter.stock import warehouse
from servicecenter.stock.models import (
    MoveReason,
    Part,
    PartRequestState,
    Reservation,
    ReservationState,
    StockMove,
)
from workstations.api import bp, present
from workstations.api.payload import Fields, json_body
from workstations.api.problems import Problem
from workstations.api.spec import (
    INT,
    MOMENT,
    NUMBER,
    STATES,
    STR,
    body,
    json_answer,
    nullable,
    obj,
    problems,
    ref,
    register,
)
from workstations.web.access import allow, any_staff
from workstations.web.auth_session import actor
from workstations.web.dbsession import db
from workstations.web.errors import translate

WRONG = "Some fields are wrong: nothing was changed."


def whole(f: Fields, body: dict[str, Any], name: str, default: int | None = None) -> int | None:
    """A whole-number member (its range is the domain's rule); a missing one is `default`, or Required."""
    value = body.get(name)
    value = default if value is None else value
    if value is None:
        f.fail(name, N_("Required"))
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        f.fail(name, N_("A whole number"))
        return None
    return value


def part_named(code: str, field: str = "part") -> Part:
    """An active part by SKU or barcode (as scanned); a code nothing answers to is a wrong field (422)."""
    try:
        return stock_queries.get_part_by_code(db(), code)
    except NotFound as exc:
        raise Problem(422, gettext(WRONG), {field: translate(exc)}) from exc


def move(m: StockMove) -> dict[str, Any]:
    """One line of the stock journal as the API shows it."""
    unit = db().get(Unit, m.unit_id) if m.unit_id is not None else None
    order = db().get(RepairOrder, m.order_id) if m.order_id is not None else None
    return {"id": m.id, "at": present.moment(m.at), "kind": "unit" if unit is not None else "part",
            "code": unit.serial if unit is not None else (m.part.sku if m.part is not None else ""),
            "quantity": m.quantity, "from": m.from_location.code if m.from_location else None,
            "to": m.to_location.code if m.to_location else None, "reason": m.reason.value,
            "order": order.number if order is not None else None, "note": m.note}


def order_parts(order: RepairOrder) -> dict[str, Any]:
    session = db()
    return {
        "order": order.number, "state": order.state.value,
        "reservations": [{"id": r.id, "part": r.part.sku, "name": r.part.name, "quantity": r.quantity,
                          "location": r.location.code, "state": r.state.value,
                          "created_at": present.moment(r.created_at)}
                         for r in stock_queries.list_order_reservations(session, order)],
        "requests": [{"id": r.id, "part": r.part.sku, "name": r.part.name, "quantity": r.quantity,
                      "state": r.state.value, "created_at": present.moment(r.created_at),
                      "closed_at": present.moment(r.closed_at)}
                     for r in stock_queries.list_order_part_requests(session, order)],
        "defective": [move(m) for m in warehouse.list_defective_parts(session, order)],
        "swaps": [{"part_name": s.part_name, "old_serial": s.old_unit.serial, "new_serial": s.new_unit.serial,
                   "note": s.note, "at": present.moment(s.at)} for s in outcomes.list_part_swaps(session, order)],
    }


def _answer(order: RepairOrder, status: int = 200, **extra: Any) -> Response:
    response = jsonify({**order_parts(order), **extra})
    response.status_code = status
    return response


@bp.route("/repair-orders/<number>/parts")
@any_staff()
def order_parts_get(number: str) -> Response:
    """The order's reservations, shortage requests, parts kept for the manufacturer and replaced parts."""
    return _answer(queries.get_order_by_number(db(), number))


@bp.route("/repair-orders/<number>/parts", methods=["POST"])
@allow(*stock.RESERVE_ROLES)
def order_parts_reserve(number: str) -> Response:
    """Reserve a part (SKU or barcode) from the center's free stock, or request the shortage from the
    warehouse (`action: request`: what is free is reserved, the order waits for parts)."""
    order = queries.get_order_by_number(db(), number)
    body = json_body()
    f = Fields(body)
    code = f.text("part", required=True, max_len=64)
    quantity = whole(f, body, "quantity")
    action = f.choice("action", ["reserve", "request"], "reserve")
    f.check()
    part = part_named(code)
    warning = None
    if action == "request":
        stock.request_shortage(db(), actor(), order, part, quantity)
    else:
        stock.reserve_part(db(), actor(), order, part, quantity)
        text = stock.compatibility_warning(part, order)
        warning = gettext(text, part=part.sku) if text else None
    return _answer(order, 201, warning=warning)


def _reservation(order: RepairOrder, reservation_id: int) -> Reservation:
    reservation = db().get(Reservation, reservation_id)
    if reservation is None or reservation.order_id != order.id:
        raise NotFound(N_("No such reservation"))
    return reservation


@bp.route("/repair-orders/<number>/parts/<int:reservation_id>/issue", methods=["POST"])
@allow(*stock.ISSUE_ROLES)
def order_parts_issue(number: str, reservation_id: int) -> Response:
    """The warehouse hands a reservation's parts to the bench: they leave the stock."""
    order = queries.get_order_by_number(db(), number)
    stock.issue_reservation(db(), actor(), _reservation(order, reservation_id), order)
    return _answer(order)


@bp.route("/repair-orders/<number>/parts/<int:reservation_id>/release", methods=["POST"])
@allow(*stock.RELEASE_ROLES)
def order_parts_release(number: str, reservation_id: int) -> Response:
    """Give a reservation's parts back to free stock."""
    order = queries.get_order_by_number(db(), number)
    stock.release_reservation(db(), actor(), _reservation(order, reservation_id), order)
    return _answer(order)


@bp.route("/repair-orders/<number>/parts/defective", methods=["POST"])
@allow(*warehouse.DEFECTIVE_ROLES)
def order_parts_defective(number: str) -> Response:
    """A part taken out of the unit in a warranty repair goes to the center's place for the manufacturer."""
    order = queries.get_order_by_number(db(), number)
    body = json_body()
    f = Fields(body)
    code = f.text("part", required=True, max_len=64)
    quantity = whole(f, body, "quantity", 1)
    note = f.text("note", max_len=500)
    f.check()
    warehouse.keep_defective_part(db(), actor(), order, part_named(code), quantity, note=note)
    return _answer(order, 201)


@bp.route("/repair-orders/<number>/part-swaps", methods=["POST"])
@allow(*BENCH)
def order_part_swap(number: str) -> Response:
    """A serialised part replaced at the bench: the old serial out, the new one in (the bench's form)."""
    order = queries.get_order_by_number(db(), number)
    f = Fields(json_body())
    values = {"part_name": f.text("part_name", max_len=120), "old_serial": f.text("old_serial", max_len=80),
              "new_serial": f.text("new_serial", max_len=80), "note": f.text("note", max_len=500)}
    f.check()
    outcomes.record_part_swap(db(), actor(), order, **values)
    return _answer(order, 201)


# --- The OpenAPI description ---------------------------------------------------------------------------

RESERVATION_ID = [*NUMBER, {"name": "reservation_id", "in": "path", "required": True, "schema": INT}]
QUANTITY = {**INT, "description": "Whole pieces, from 1 (the upper limit is the operation's)"}
SCHEMAS = {
    "StockMove": obj({
        "id": INT, "at": MOMENT, "kind": {"type": "string", "enum": ["part", "unit"]},
        "code": {**STR, "description": "The part's SKU or the unit's serial"}, "quantity": INT,
        "from": nullable({**STR, "description": "Location code; null: from outside the network"}),
        "to": nullable({**STR, "description": "Location code; null: out of stock (issued, scrapped)"}),
        "reason": {"type": "string", "enum": [r.value for r in MoveReason]},
        "order": nullable(STR), "note": STR}, description="One line of the stock journal"),
    "OrderParts": obj({
        "order": STR, "state": {"type": "string", "enum": STATES},
        "reservations": {"type": "array", "items": obj({
            "id": INT, "part": {**STR, "description": "SKU"}, "name": STR, "quantity": INT,
            "location": {**STR, "description": "Where the parts are held"},
            "state": {"type": "string", "enum": [s.value for s in ReservationState]}, "created_at": MOMENT})},
        "requests": {"type": "array", "items": obj({
            "id": INT, "part": STR, "name": STR, "quantity": INT,
            "state": {"type": "string", "enum": [s.value for s in PartRequestState]},
            "created_at": MOMENT, "closed_at": nullable(MOMENT)}),
            "description": "Shortages requested from the warehouse"},
        "defective": {"type": "array", "items": ref("StockMove"),
                      "description": "Removed parts kept for the manufacturer"},
        "swaps": {"type": "array", "items": obj({"part_name": STR, "old_serial": STR, "new_serial": STR,
                                                 "note": STR, "at": MOMENT}),
                  "description": "Serialised parts replaced at the bench"},
    }),
    "PartsReserveRequest": obj({
        "part": {**STR, "maxLength": 64, "description": "SKU or barcode"}, "quantity": QUANTITY,
        "action": {"type": "string", "enum": ["reserve", "request"], "default": "reserve",
                   "description": "request: reserve what is free and ask the warehouse for the rest"}},
        required=["part", "quantity"], extra=True),
    "DefectivePartRequest": obj({
        "part": {**STR, "maxLength": 64, "description": "SKU or barcode of the removed part"},
        "quantity": {**QUANTITY, "default": 1}, "note": {**STR, "maxLength": 500}}, required=["part"], extra=True),
    "PartSwapRequest": obj({
        "part_name": {**STR, "maxLength": 120}, "old_serial": {**STR, "maxLength": 80},
        "new_serial": {**STR, "maxLength": 80}, "note": {**STR, "maxLength": 500}},
        required=["part_name", "old_serial", "new_serial"], extra=True),
}
SCHEMAS["OrderPartsChange"] = obj({**SCHEMAS["OrderParts"]["properties"], "warning": nullable(
    {**STR, "description": "The part is not listed as compatible with the order's model (reserved anyway)"})})
_WRITE = problems("400", "403", "404", "409", "413", "415", "422")

register({
    "/repair-orders/{number}/parts": {
        "get": {"operationId": "getOrderParts", "summary": "The order's parts: reservations, requests, kept, swapped",
                "parameters": NUMBER, "responses": {"200": json_answer("OrderParts", "The parts"), **problems("404")}},
        "post": {"operationId": "reserveOrderParts",
                 "summary": "Reserve a part from free stock, or request the shortage (bench roles)",
                 "parameters": NUMBER, "requestBody": body("PartsReserveRequest"),
                 "responses": {"201": json_answer("OrderPartsChange", "Reserved (or requested); the order's parts"),
                               **_WRITE}},
    },
    "/repair-orders/{number}/parts/{reservation_id}/issue": {
        "post": {"operationId": "issueReservation", "summary": "Hand a reservation's parts to the bench (warehouse)",
                 "parameters": RESERVATION_ID,
                 "responses": {"200": json_answer("OrderParts", "Issued; the order's parts"),
                               **problems("403", "404", "409", "422")}},
    },
    "/repair-orders/{number}/parts/{reservation_id}/release": {
        "post": {"operationId": "releaseReservation", "summary": "Give a reservation's parts back to free stock",
                 "parameters": RESERVATION_ID,
                 "responses": {"200": json_answer("OrderParts", "Released; the order's parts"),
                               **problems("403", "404", "409")}},
    },
    "/repair-orders/{number}/parts/defective": {
        "post": {"operationId": "keepDefectivePart",
                 "summary": "Keep a part removed in a warranty repair for the manufacturer",
                 "parameters": NUMBER, "requestBody": body("DefectivePartRequest"),
                 "responses": {"201": json_answer("OrderParts", "Kept; the order's parts"), **_WRITE}},
    },
    "/repair-orders/{number}/part-swaps": {
        "post": {"operationId": "recordPartSwap", "summary": "Record a serialised part replaced at the bench",
                 "parameters": NUMBER, "requestBody": body("PartSwapRequest"),
                 "responses": {"201": json_answer("OrderParts", "Recorded; the order's parts"), **_WRITE}},
    },
}, SCHEMAS)
