"""Inventory counts (инвентаризация) over the API — the warehouse's count pages: start one for a shelf or a
warehouse, scan what is there, correct a line, read expected against counted, confirm with a reason, cancel."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from sqlalchemy import select
from werkzeug.wrappers import Response

from servicecenter.centers.models import Location
from servicecenter.equipment.models import Unit
from servicecenter.errors import N_, NotFound
from servicecenter.stock import counts
from servicecenter.stock.count_models import CountLine, CountState, InventoryCount
from servicecenter.stock.counts import CountReview
from workstations.api import bp, present
from workstations.api.parts import whole
from workstations.api.payload import Fields, json_body
from workstations.api.spec import INT, MOMENT, STR, body, json_answer, nullable, obj, problems, ref, register
from workstations.api.warehouse import CLERKS, _shelf, center_id, scanned
from workstations.web.access import allow
from workstations.web.auth_session import actor
from workstations.web.dbsession import db


def _count(count_id: int) -> InventoryCount:
    """A count of the caller's center (another center's is not found, as on the workstation)."""
    count = db().get(InventoryCount, count_id)
    if count is None or count.center_id != center_id():
        raise NotFound(N_("No inventory count %(id)s"), id=count_id)
    return count


def _review(review: CountReview) -> dict[str, Any]:
    return {
        "parts": [{"location": r.location.code, "part": r.part.sku, "expected": r.expected, "counted": r.counted,
                   "on_hand": r.on_hand, "adjustment": r.adjustment} for r in review.parts],
        "moved_units": [{"serial": r.unit.serial, "expected_at": r.expected_at.code if r.expected_at else None,
                         "counted_at": r.counted_at.code if r.counted_at else None} for r in review.moved_units],
        "missing_units": [{"serial": r.unit.serial, "expected_at": r.expected_at.code if r.expected_at else None,
                           "counted_at": None} for r in review.missing_units],
    }


def _body(count: InventoryCount) -> dict[str, Any]:
    lines = db().scalars(select(CountLine).where(CountLine.count_id == count.id).order_by(CountLine.id))
    return {
        "id": count.id, "title": counts.count_title(count), "state": count.state.value,
        "location": count.location.code, "started_at": present.moment(count.started_at),
        "closed_at": present.moment(count.closed_at), "reason": count.reason,
        "places": _places(count),
        "lines": [_line(ln) for ln in lines],
        "review": _review(counts.review_count(db(), count)) if count.state == CountState.OPEN else None,
    }


def _places(count: InventoryCount) -> list[str]:
    ids = counts.scope_ids(db(), count)
    return list(db().scalars(select(Location.code).where(Location.id.in_(ids)).order_by(Location.code)))


def _line(ln: CountLine) -> dict[str, Any]:
    unit = ln.unit_id is not None
    code = ln.part.sku if ln.part is not None else ""
    if unit:
        found = db().get(Unit, ln.unit_id)
        code = found.serial if found is not None else ""
    return {"id": ln.id, "location": ln.location.code, "kind": "unit" if unit else "part", "code": code,
            "quantity": ln.quantity, "scanned_at": present.moment(ln.scanned_at)}


def _answer(payload: dict[str, Any], status: int = 200) -> Response:
    response = jsonify(payload)
    response.status_code = status
    return response


@bp.route("/stock-counts", methods=["POST"])
@allow(*CLERKS)
def stock_count_start() -> Response:
    """Start counting a shelf or a warehouse (with its shelves); the open count of that place if there is one."""
    f = Fields(json_body())
    code = f.text("location", required=True, max_len=200)
    f.check()
    place = _shelf(scanned(code, "location"), "location")
    existing = db().scalar(select(InventoryCount.id).where(InventoryCount.location_id == place.id,
                                                           InventoryCount.state == CountState.OPEN))
    count = counts.start_count(db(), actor(), center_id(), place)
    response = _answer(_body(count), 200 if existing == count.id else 201)
    response.headers["Location"] = f"/api/v1/stock-counts/{count.id}"
    return response


@bp.route("/stock-counts/<int:count_id>")
@allow(*CLERKS)
def stock_count(count_id: int) -> Response:
    """A count: its lines and, while it is open, expected against counted as of now."""
    return _answer(_body(_count(count_id)))


@bp.route("/stock-counts/<int:count_id>/scan", methods=["POST"])
@allow(*CLERKS)
def stock_count_scan(count_id: int) -> Response:
    """Count a scanned unit or part at `at` (a shelf of the count; the counted place by default)."""
    count = _count(count_id)
    body = json_body()
    f = Fields(body)
    code = f.text("code", required=True, max_len=200)
    at_code = f.text("at", max_len=200)
    quantity = whole(f, body, "quantity", 1)
    f.check()
    found = scanned(code, "code")
    at = _shelf(scanned(at_code, "at"), "at") if at_code else None
    done = counts.count_scanned(db(), actor(), count, found, at, quantity)
    return _answer({**_body(count), "line": _line(done.line), "again": done.again}, 200 if done.again else 201)


@bp.route("/stock-counts/<int:count_id>/lines/<int:line_id>", methods=["PATCH"])
@allow(*CLERKS)
def stock_count_line(count_id: int, line_id: int) -> Response:
    """Correct a part line's counted quantity (0: none there after all)."""
    count = _count(count_id)
    line = db().get(CountLine, line_id)
    if line is None or line.count_id != count.id:
        raise NotFound(N_("No such line in this count"))
    body = json_body()
    f = Fields(body)
    quantity = whole(f, body, "quantity")
    f.check()
    counts.set_counted(db(), actor(), count, line, quantity)
    return _answer(_body(count))


@bp.route("/stock-counts/<int:count_id>/confirm", methods=["POST"])
@allow(*CLERKS)
def stock_count_confirm(count_id: int) -> Response:
    """Adjust the stock to what was counted (the differences as of now), once; a reason when anything changes."""
    count = _count(count_id)
    f = Fields(json_body())
    reason = f.text("reason", max_len=counts.MAX_REASON)
    f.check()
    review = counts.confirm_count(db(), actor(), count, reason)
    return _answer({**_body(count), "adjustments": [
        {"location": r.location.code, "part": r.part.sku, "quantity": r.adjustment} for r in review.differences],
        "moved_units": _review(review)["moved_units"], "missing_units": _review(review)["missing_units"]})


@bp.route("/stock-counts/<int:count_id>/cancel", methods=["POST"])
@allow(*CLERKS)
def stock_count_cancel(count_id: int) -> Response:
    """Drop an open count; the stock stays as the journal says."""
    count = _count(count_id)
    counts.cancel_count(db(), actor(), count)
    return _answer(_body(count))


# --- The OpenAPI description ---------------------------------------------------------------------------

_ROW = obj({"serial": STR, "expected_at": nullable(STR), "counted_at": nullable(STR)})
_COUNT = {
    "id": INT, "title": {**STR, "description": "INV-<id> <location>"},
    "state": {"type": "string", "enum": [s.value for s in CountState]},
    "location": {**STR, "description": "The counted shelf or warehouse"}, "started_at": MOMENT,
    "closed_at": nullable(MOMENT), "reason": STR,
    "places": {"type": "array", "items": STR, "description": "Where items may be counted (`at`)"},
    "lines": {"type": "array", "items": ref("StockCountLine")},
    "review": {"oneOf": [obj({
        "parts": {"type": "array", "items": obj({
            "location": STR, "part": STR,
            "expected": {**INT, "description": "Stock when the count saw the place"}, "counted": INT,
            "on_hand": {**INT, "description": "Now"},
            "adjustment": {**INT, "description": "What confirming moves (never below what is there now)"}})},
        "moved_units": {"type": "array", "items": _ROW}, "missing_units": {"type": "array", "items": _ROW}}),
        {"type": "null"}], "description": "Expected against counted as of now (open counts only)"},
}
SCHEMAS = {
    "StockCountLine": obj({"id": INT, "location": STR, "kind": {"type": "string", "enum": ["part", "unit"]},
                           "code": {**STR, "description": "SKU or serial"}, "quantity": INT, "scanned_at": MOMENT}),
    "StockCount": obj(_COUNT),
    "StockCountScan": obj({**_COUNT, "line": ref("StockCountLine"),
                           "again": {"type": "boolean", "description": "Already on a line (a part: added to it)"}}),
    "StockCountConfirmed": obj({
        **_COUNT, "adjustments": {"type": "array", "items": obj({"location": STR, "part": STR, "quantity": {
            **INT, "description": "Signed: + found, - missing"}})},
        "moved_units": {"type": "array", "items": _ROW}, "missing_units": {"type": "array", "items": _ROW}}),
    "StockCountRequest": obj({"location": {**STR, "maxLength": 200, "description": "A shelf's or warehouse's code"}},
                             extra=True),
    "StockCountScanRequest": obj({
        "code": {**STR, "maxLength": 200, "description": "A part's SKU or barcode, or a unit's serial or label"},
        "at": {**STR, "maxLength": 200, "description": "A shelf of the count (default: the counted place)"},
        "quantity": {**INT, "default": 1}}, required=["code"], extra=True),
    "StockCountLineRequest": obj({"quantity": {**INT, "minimum": 0}}, extra=True),
    "StockCountConfirmRequest": obj({"reason": {**STR, "maxLength": 500, "description": "Required when anything "
                                                                                          "is adjusted"}},
                                    required=[], extra=True),
}
_ID = [{"name": "count_id", "in": "path", "required": True, "schema": INT}]
_WRITE = problems("400", "403", "404", "409", "413", "415", "422")

register({
    "/stock-counts": {
        "post": {"operationId": "startStockCount", "summary": "Start counting a shelf or a warehouse (or get its open count)",
                 "requestBody": body("StockCountRequest"),
                 "responses": {"201": {**json_answer("StockCount", "Started"), "headers": {"Location": {"schema": STR}}},
                               "200": {**json_answer("StockCount", "The place's open count"),
                                       "headers": {"Location": {"schema": STR}}}, **_WRITE}},
    },
    "/stock-counts/{count_id}": {
        "get": {"operationId": "getStockCount", "summary": "A count, its lines and (open) its review",
                "parameters": _ID, "responses": {"200": json_answer("StockCount", "The count"),
                                                 **problems("403", "404", "422")}},
    },
    "/stock-counts/{count_id}/scan": {
        "post": {"operationId": "scanStockCount", "summary": "Count a scanned unit or part",
                 "parameters": _ID, "requestBody": body("StockCountScanRequest"),
                 "responses": {"201": json_answer("StockCountScan", "Counted on a new line"),
                               "200": json_answer("StockCountScan", "Already on a line (a part: added to it)"),
                               **_WRITE}},
    },
    "/stock-counts/{count_id}/lines/{line_id}": {
        "patch": {"operationId": "correctStockCountLine", "summary": "Correct a part line's counted quantity",
                  "parameters": [*_ID, {"name": "line_id", "in": "path", "required": True, "schema": INT}],
                  "requestBody": body("StockCountLineRequest"),
                  "responses": {"200": json_answer("StockCount", "Corrected"), **_WRITE}},
    },
    "/stock-counts/{count_id}/confirm": {
        "post": {"operationId": "confirmStockCount", "summary": "Adjust the stock to the count, once",
                 "parameters": _ID, "requestBody": body("StockCountConfirmRequest"),
                 "responses": {"200": json_answer("StockCountConfirmed", "Confirmed: the adjustments made"), **_WRITE}},
    },
    "/stock-counts/{count_id}/cancel": {
        "post": {"operationId": "cancelStockCount", "summary": "Drop an open count; the stock stays as it is",
                 "parameters": _ID, "responses": {"200": json_answer("StockCount", "Cancelled"),
                                                  **problems("403", "404", "409", "422")}},
    },
}, SCHEMAS)
