"""The warehouse over the API — the warehouse workstation's operations by scanned code: receive parts and
units, put them on shelves, add shelves, pick and issue an order's parts; and the stock of the caller's
center (per part and location: on hand, reserved, free)."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, request
from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from servicecenter.centers import shelves
from servicecenter.centers.models import Location, LocationKind, ServiceCenter
from servicecenter.errors import N_, NotFound, ValidationFailed
from servicecenter.paging import Page, paginate
from servicecenter.repairs import queries
from servicecenter.repairs.models import RepairOrder
from servicecenter.scanning import ScanKind
from servicecenter.stock import warehouse
from servicecenter.stock.identify import Identified, identify
from servicecenter.stock.models import Part, Reservation, ReservationState, StockLevel
from servicecenter.stock.queries import STOCK_KINDS
from workstations.api import bp
from workstations.api.parts import WRONG, move, whole
from workstations.api.payload import Fields, json_body, paged, query_page
from workstations.api.problems import Problem
from workstations.api.spec import (
    INT,
    STATES,
    STR,
    body,
    json_answer,
    list_op,
    nullable,
    obj,
    page_of,
    problems,
    ref,
    register,
)
from workstations.web.access import allow, any_staff
from workstations.web.auth_session import actor
from workstations.web.dbsession import db
from workstations.web.errors import translate

CLERKS = tuple(warehouse.WAREHOUSE_ROLES)  # the warehouse workstation's roles
NO_CENTER = N_("Your account belongs to no service center; the warehouse works for one center")
NOT_RECEIVED = N_("%(code)s is not a part or a unit; only those are received here")
NOT_PUT_AWAY = N_("Scan a unit or a part to put on %(shelf)s")


def center_id() -> int:
    """The caller's center: the warehouse works for one."""
    cid = actor().center_id
    if cid is None:
        raise ValidationFailed(NO_CENTER)
    return cid


def scanned(code: str, field: str) -> Identified:
    """What a scanned code is at the caller's center; a code nothing answers to is a wrong field (422)."""
    try:
        return identify(db(), center_id(), code)
    except NotFound as exc:
        raise Problem(422, gettext(WRONG), {field: translate(exc)}) from exc


def refuse(field: str, message: str, **params: Any) -> Problem:
    text = gettext(message, **params)
    return Problem(422, text, {field: text})


def stock_center() -> ServiceCenter:
    """Whose stock is read: the caller's center; `?center=` another one for the network-wide roles only."""
    me = actor()
    code = (request.args.get("center") or "").strip().upper()
    found = db().scalar(select(ServiceCenter).where(ServiceCenter.code == code)) if code else me.center
    if code and found is not None and not me.works_network_wide and found.id != me.center_id:
        found = None
    if found is None:
        message = gettext("Unknown service center") if code else gettext("Required")
        raise Problem(422, gettext(WRONG), {"center": message})
    return found


def _levels(cid: int, rows: list[StockLevel]) -> list[dict[str, Any]]:
    """Stock lines with what active reservations hold of them and what is free."""
    keys = {(r.location_id, r.part_id) for r in rows}
    held: dict[tuple[int, int], int] = {}
    if keys:
        for loc, part, qty in db().execute(
                select(Reservation.location_id, Reservation.part_id, func.sum(Reservation.quantity))
                .where(Reservation.state == ReservationState.ACTIVE,
                       Reservation.location_id.in_({k[0] for k in keys}),
                       Reservation.part_id.in_({k[1] for k in keys}))
                .group_by(Reservation.location_id, Reservation.part_id)):
            held[(loc, part)] = int(qty or 0)
    lines = []
    for r in rows:
        reserved = held.get((r.location_id, r.part_id), 0)
        free = max(0, r.quantity - reserved) if r.location.kind in STOCK_KINDS else 0
        lines.append({"part": r.part.sku, "name": r.part.name, "location": r.location.code,
                      "kind": r.location.kind.value, "on_hand": r.quantity, "reserved": reserved, "free": free})
    return lines


def levels_stmt(cid: int):  # noqa: ANN201
    return (select(StockLevel).join(Location, Location.id == StockLevel.location_id)
            .join(Part, Part.id == StockLevel.part_id)
            .where(Location.center_id == cid, StockLevel.quantity > 0)
            .options(selectinload(StockLevel.part), selectinload(StockLevel.location))
            .order_by(Part.sku, Location.code))


def part_stock(cid: int, part: Part) -> list[dict[str, Any]]:
    """Where the center has a part, with reservations and free stock."""
    return _levels(cid, list(db().scalars(levels_stmt(cid).where(StockLevel.part_id == part.id))))


@bp.route("/stock")
@any_staff()
def stock_levels() -> Response:
    """The stock of a center (the caller's): per part and location, on hand, reserved and free."""
    page, per_page = query_page()
    center = stock_center()
    stmt = levels_stmt(center.id)
    errors: dict[str, str] = {}
    code = (request.args.get("part") or "").strip()
    if code:
        part = find_part(code)
        if part is None:
            errors["part"] = gettext("Unknown part")
        else:
            stmt = stmt.where(StockLevel.part_id == part.id)
    where = (request.args.get("location") or "").strip().upper()
    if where:
        stmt = stmt.where(Location.code == where)
    if errors:
        raise Problem(422, gettext(WRONG), errors)
    result = paginate(db(), stmt, page, per_page)
    return jsonify(paged(result, _levels(center.id, result.items)))


def find_part(code: str) -> Part | None:
    """A part by SKU or barcode, in the catalogue or no longer (as typed or as the catalogue keeps it)."""
    code = code.strip()
    if not code or len(code) > 64:
        return None
    upper = "".join(code.split()).upper()
    return db().scalar(select(Part).where(Part.sku.in_({code, upper}) | Part.barcode.in_({code, upper}))
                       .order_by(Part.id).limit(1))


# --- Receiving, putting away, shelves -------------------------------------------------------------------

@bp.route("/warehouse/receipts", methods=["POST"])
@allow(*CLERKS)
def warehouse_receive() -> Response:
    """Parts from a supplier (a part's code and a quantity) or a unit (its serial or label) into the main warehouse."""
    body = json_body()
    f = Fields(body)
    code = f.text("code", required=True, max_len=200)
    quantity = whole(f, body, "quantity", 1)
    note = f.text("note", max_len=2000)
    f.check()
    cid = center_id()
    found = scanned(code, "code")
    if found.part is not None:
        made = warehouse.receive_parts(db(), actor(), cid, found.part, quantity, note=note)
    elif found.unit is not None:
        made = warehouse.receive_unit(db(), actor(), cid, found.unit, note=note)
    else:
        raise refuse("code", NOT_RECEIVED, code=found.code)
    response = jsonify(move(made))
    response.status_code = 201
    return response


def _shelf(found: Identified, field: str = "shelf") -> Location:
    """A scanned shelf or warehouse of the caller's center, else a wrong field."""
    if found.kind != ScanKind.SHELF or found.location is None:
        raise refuse(field, N_("%(code)s is not a shelf of this center"), code=found.code)
    return found.location


@bp.route("/warehouse/put-away", methods=["POST"])
@allow(*CLERKS)
def warehouse_put_away() -> Response:
    """A unit, or parts from the shelf's warehouse, onto the scanned shelf (reservations follow the parts)."""
    body = json_body()
    f = Fields(body)
    shelf_code, code = f.text("shelf", required=True, max_len=200), f.text("code", required=True, max_len=200)
    quantity = whole(f, body, "quantity", 1)
    f.check()
    cid = center_id()
    shelf = _shelf(scanned(shelf_code, "shelf"))
    found = scanned(code, "code")
    if found.kind != ScanKind.SHELF and found.part is not None:
        made = warehouse.put_away(db(), actor(), cid, shelf, part=found.part, quantity=quantity)
    elif found.kind != ScanKind.SHELF and found.unit is not None:
        made = warehouse.put_away(db(), actor(), cid, shelf, unit=found.unit)
    else:
        raise refuse("code", NOT_PUT_AWAY, shelf=shelf.code)
    response = jsonify(move(made))
    response.status_code = 201
    return response


def _place(loc: Location) -> dict[str, Any]:
    return {"code": loc.code, "name": loc.name, "kind": loc.kind.value,
            "warehouse": loc.parent.code if loc.parent is not None else None, "main": loc.is_main}


@bp.route("/shelves")
@allow(*CLERKS)
def shelves_list() -> Response:
    """The caller's center's active warehouses and shelves, by code."""
    page, per_page = query_page()
    places = shelves.list_shelves(db(), center_id())
    start = (page - 1) * per_page
    result = Page(places[start:start + per_page], page, per_page, len(places))
    return jsonify(paged(result, [_place(p) for p in result.items]))


@bp.route("/shelves", methods=["POST"])
@allow(*CLERKS)
def shelf_add() -> Response:
    """Add a shelf (a scannable code) to one of the center's warehouses."""
    f = Fields(json_body())
    parent_code = f.text("warehouse", required=True, max_len=40).upper()
    code, name = f.text("code", required=True, max_len=40), f.text("name", max_len=200)
    f.check()
    cid = center_id()
    parent = db().scalar(select(Location).where(Location.code == parent_code, Location.center_id == cid,
                                                Location.kind == LocationKind.WAREHOUSE))
    if parent is None:
        raise refuse("warehouse", N_("Choose the warehouse the shelf is in"))
    g.api_fields = {"parent": "warehouse"}
    made = shelves.create_shelf(db(), actor(), parent.center, parent, code=code, name=name)
    response = jsonify(_place(made))
    response.status_code = 201
    return response


# --- Picking an order's parts -----------------------------------------------------------------------------

def _pick_order(number: str) -> RepairOrder:
    """An order of the caller's center (the warehouse picks for its own; any other is not found)."""
    order = queries.get_order_by_number(db(), number)
    if order.center_id != actor().center_id:
        raise NotFound(N_("No order %(number)s"), number=number[:40])
    return order


def pick_list(order: RepairOrder) -> dict[str, Any]:
    return {"order": order.number, "state": order.state.value, "items": [
        {"part": i.part.sku, "name": i.part.name, "reserved": i.reserved, "requested": i.requested,
         "issued": i.issued, "free": i.free, "short": i.short,
         "places": [{"location": loc, "on_hand": qty} for loc, qty in i.places]}
        for i in warehouse.get_pick_list(db(), order)]}


@bp.route("/warehouse/picks/<number>")
@allow(*CLERKS)
def pick_list_get(number: str) -> Response:
    """An order's parts as the warehouse picks them: reserved, requested, issued, and where they are."""
    return jsonify(pick_list(_pick_order(number)))


@bp.route("/warehouse/picks/<number>/issue", methods=["POST"])
@allow(*CLERKS)
def pick_issue(number: str) -> Response:
    """A part scanned on the pick list is issued to the order's bench (below the reserved quantity: partly)."""
    order = _pick_order(number)
    body = json_body()
    f = Fields(body)
    code = f.text("part", required=True, max_len=200)
    quantity = whole(f, body, "quantity", 1)
    f.check()
    found = scanned(code, "part")
    if found.part is None:
        raise refuse("part", N_("%(code)s is not a part; scan the part to issue"), code=found.code)
    moves = warehouse.issue_scanned(db(), actor(), order, found.part, quantity)
    return jsonify({**pick_list(order), "moves": [move(m) for m in moves]})


# --- The OpenAPI description ---------------------------------------------------------------------------

_WRITE = problems("400", "403", "404", "409", "413", "415", "422")
_SCANNED = {**STR, "maxLength": 200}
_QUANTITY = {**INT, "default": 1, "description": "Whole pieces, from 1 (parts only)"}
SCHEMAS = {
    "StockLine": obj({
        "part": {**STR, "description": "SKU"}, "name": STR, "location": {**STR, "description": "Location code"},
        "kind": {"type": "string", "enum": [k.value for k in LocationKind]},
        "on_hand": INT, "reserved": {**INT, "description": "Held by active reservations for orders"},
        "free": {**INT, "description": "What may still be reserved (0 outside warehouses and shelves)"}}),
    "ReceiptRequest": obj({"code": {**_SCANNED, "description": "A part's SKU or barcode, or a unit's serial "
                                                 "or label (order number)"},
                           "quantity": _QUANTITY, "note": {**STR, "maxLength": 2000}}, required=["code"], extra=True),
    "PutAwayRequest": obj({"shelf": {**_SCANNED, "description": "The shelf's code"},
                           "code": {**_SCANNED, "description": "A part's SKU or barcode, or a unit's serial or label"},
                           "quantity": _QUANTITY}, required=["shelf", "code"], extra=True),
    "Place": obj({"code": STR, "name": STR, "kind": {"type": "string", "enum": ["warehouse", "shelf"]},
                  "warehouse": nullable({**STR, "description": "A shelf's warehouse"}), "main": {"type": "boolean"}}),
    "ShelfRequest": obj({"warehouse": {**STR, "maxLength": 40, "description": "The code of a warehouse of your center"},
                         "code": {**STR, "maxLength": 40, "description": "The shelf's code (its barcode)"},
                         "name": {**STR, "maxLength": 200}}, required=["warehouse", "code"], extra=True),
    "PickList": obj({"order": STR, "state": {"type": "string", "enum": STATES}, "items": {"type": "array", "items": obj({
        "part": STR, "name": STR, "reserved": INT, "requested": INT, "issued": INT, "free": INT,
        "short": {**INT, "description": "Requested and not in free stock: still to be found"},
        "places": {"type": "array", "items": obj({"location": STR, "on_hand": INT})}})}}),
    "PickIssueRequest": obj({"part": {**_SCANNED, "description": "The part's SKU or barcode"}, "quantity": _QUANTITY},
                            required=["part"], extra=True),
}
SCHEMAS["PickIssue"] = obj({**SCHEMAS["PickList"]["properties"],
                            "moves": {"type": "array", "items": ref("StockMove")}})
SCHEMAS["StockLinePage"] = page_of("StockLine")
SCHEMAS["PlacePage"] = page_of("Place")
CENTER_PARAM = {"name": "center", "in": "query", "schema": STR,
                "description": "A center's code: your own (the default); network-wide roles any"}
_LIST_PLACES = list_op("listPlaces", "Your center's warehouses and shelves (warehouse, admins)", "PlacePage")["get"]
PICK = [{"name": "number", "in": "path", "required": True, "schema": STR, "description": "The order number"}]

register({
    "/stock": list_op("listStock", "Stock of your center per part and location: on hand, reserved, free",
                      "StockLinePage", [CENTER_PARAM,
                                        {"name": "part", "in": "query", "schema": STR, "description": "SKU or barcode"},
                                        {"name": "location", "in": "query", "schema": STR,
                                         "description": "A location code"}]),
    "/warehouse/receipts": {
        "post": {"operationId": "receiveIntoWarehouse",
                 "summary": "Receive parts (from a supplier) or a unit into the main warehouse (warehouse, admins)",
                 "requestBody": body("ReceiptRequest"),
                 "responses": {"201": json_answer("StockMove", "Received: the journal's move"), **_WRITE}},
    },
    "/warehouse/put-away": {
        "post": {"operationId": "putAway", "summary": "Put a unit, or parts from the shelf's warehouse, on a shelf",
                 "requestBody": body("PutAwayRequest"),
                 "responses": {"201": json_answer("StockMove", "Put away: the journal's move"), **_WRITE}},
    },
    "/shelves": {
        "get": {**_LIST_PLACES, "responses": {**_LIST_PLACES["responses"], **problems("403", "404")}},
        "post": {"operationId": "addShelf", "summary": "Add a shelf to a warehouse of your center",
                 "requestBody": body("ShelfRequest"),
                 "responses": {"201": json_answer("Place", "Added; print its label"), **_WRITE}},
    },
    "/warehouse/picks/{number}": {
        "get": {"operationId": "getPickList", "summary": "An order's parts to pick, by part", "parameters": PICK,
                "responses": {"200": json_answer("PickList", "The pick list"), **problems("403", "404", "422")}},
    },
    "/warehouse/picks/{number}/issue": {
        "post": {"operationId": "issueScannedPart", "summary": "Issue a scanned part to the order's bench",
                 "parameters": PICK, "requestBody": body("PickIssueRequest"),
                 "responses": {"200": json_answer("PickIssue", "Issued: the pick list and the moves"), **_WRITE}},
    },
}, SCHEMAS)
