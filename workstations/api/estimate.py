"""The order's estimate: read it, draw up the draft's lines and send it — the engineer's estimate section."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import jsonify
from werkzeug.wrappers import Response

from servicecenter.errors import N_, NotFound
from servicecenter.pricing.models import LabourItem
from servicecenter.repairs import estimates, queries
from servicecenter.repairs.estimate_models import AnswerChannel, Estimate, EstimateLine, LineKind
from servicecenter.repairs.services import decide_warranty
from servicecenter.repairs.states import BENCH, CUSTOMER_VOICE, WARRANTY_DECIDERS
from servicecenter.stock.queries import get_part_by_code
from workstations.api import bp, present
from workstations.api.order_actions import _version
from workstations.api.orders import _order_body
from workstations.api.payload import Fields, json_body
from workstations.web.access import allow, any_staff
from workstations.web.auth_session import actor
from workstations.web.dbsession import db


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _line(line: EstimateLine) -> dict[str, Any]:
    return {"id": line.id, "kind": line.kind.value, "part": line.part.sku if line.part is not None else None,
            "labour_item": line.labour_item_id, "description": line.description,
            "quantity": _money(line.quantity), "unit_price": _money(line.unit_price),
            "vat_rate": _money(Decimal(line.vat_rate)), "net": _money(line.net), "vat": _money(line.vat),
            "gross": _money(line.gross)}


def _estimate(e: Estimate) -> dict[str, Any]:
    return {"version": e.version, "state": e.state.value, "net": _money(e.net), "vat": _money(e.vat),
            "gross": _money(e.gross), "created_at": present.moment(e.created_at),
            "sent_at": present.moment(e.sent_at), "decided_at": present.moment(e.decided_at),
            "answered_via": e.answered_via or None, "decision_note": e.decision_note,
            "lines": [_line(line) for line in e.lines]}


def _body(number: str) -> dict[str, Any]:
    order = queries.get_order_by_number(db(), number)
    versions = estimates.list_estimates(db(), order)
    return {"order": order.number, "current": _estimate(versions[0]) if versions else None,
            "earlier": [_estimate(e) for e in versions[1:]]}


@bp.route("/repair-orders/<number>/estimate")
@any_staff()
def estimate(number: str) -> Response:
    """The order's estimate: the newest version (a draft, or what the customer saw) and the earlier ones."""
    return jsonify(_body(number))


@bp.route("/repair-orders/<number>/estimate/lines", methods=["POST"])
@allow(*BENCH)
def estimate_add_line(number: str) -> Response:
    """Add a part (by SKU or barcode), a price-list labour item (by id) or a free line to the draft."""
    order = queries.get_order_by_number(db(), number)
    body = json_body()
    f = Fields(body)
    kind = f.choice("kind", [k.value for k in LineKind], "")
    if "kind" not in body:
        f.fail("kind", N_("Required"))
    part_code = f.text("part", max_len=64)
    description = f.text("description", max_len=300)
    numbers: dict[str, str | None] = {}
    for name in ("quantity", "unit_price", "vat_rate"):
        value = body.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, str | int | float)):
            f.fail(name, N_("A number"))
        numbers[name] = None if value is None else str(value)[:40]
    if numbers["quantity"] is None:
        f.fail("quantity", N_("Required"))
    labour_id = body.get("labour_item")
    if labour_id is not None and (isinstance(labour_id, bool) or not isinstance(labour_id, int)):
        f.fail("labour_item", N_("A whole number"))
    f.check()
    part = labour = None
    if kind == LineKind.PART.value and part_code:
        try:
            part = get_part_by_code(db(), part_code)
        except NotFound:
            f.fail("part", N_("Unknown part"))
    elif kind == LineKind.LABOUR.value and labour_id is not None:
        labour = db().get(LabourItem, labour_id) if abs(labour_id) < 2**31 else None
        if labour is None:
            f.fail("labour_item", N_("Unknown labour item"))
    f.check()
    estimates.add_line(db(), actor(), order, kind=kind, quantity=numbers["quantity"], part=part,
                       labour_item=labour, description=description, unit_price=numbers["unit_price"],
                       vat_rate=numbers["vat_rate"])
    response = jsonify(_body(order.number))
    response.status_code = 201
    return response


@bp.route("/repair-orders/<number>/estimate/send", methods=["POST"])
@allow(*BENCH)
def estimate_send(number: str) -> Response:
    """Freeze the draft and ask the customer: the order waits for approval with the estimate's total."""
    order = queries.get_order_by_number(db(), number)
    body = json_body()
    f = Fields(body)
    diagnosis = f.text("diagnosis")
    version = _version(f, body)
    f.check()
    estimates.send_estimate(db(), actor(), order, diagnosis=diagnosis, expected_version=version)
    return jsonify(_order_body(order))


@bp.route("/repair-orders/<number>/estimate/lines/<int:line_id>", methods=["DELETE"])
@allow(*BENCH)
def estimate_remove_line(number: str, line_id: int) -> Response:
    """Take a line off the draft (a sent estimate is frozen: 409)."""
    order = queries.get_order_by_number(db(), number)
    estimates.remove_line(db(), actor(), order, line_id)
    return jsonify(_body(order.number))


ANSWERS = ("approve", "decline", "revise")


@bp.route("/repair-orders/<number>/estimate/answer", methods=["POST"])
@allow(*CUSTOMER_VOICE)
def estimate_answer(number: str) -> Response:
    """The customer's answer, taken by whoever spoke to them: approve, decline or ask for another estimate."""
    order = queries.get_order_by_number(db(), number)
    body = json_body()
    f = Fields(body)
    answer = f.choice("answer", list(ANSWERS), "")
    if "answer" not in body:
        f.fail("answer", N_("Required"))
    via = f.choice("via", [c.value for c in AnswerChannel], "")
    if "via" not in body:
        f.fail("via", N_("Required"))
    note = f.text("note", max_len=500)
    version = _version(f, body)
    f.check()
    if answer == "revise":
        estimates.ask_new_estimate(db(), actor(), order, via=via, note=note, expected_version=version)
    else:
        estimates.record_answer(db(), actor(), order, approved=answer == "approve", via=via, note=note,
                                expected_version=version)
    return jsonify(_order_body(order))


@bp.route("/repair-orders/<number>/warranty", methods=["POST"])
@allow(*WARRANTY_DECIDERS)
def revise_warranty(number: str) -> Response:
    """Revise the warranty decision with a reason; revised to paid, the customer approves an estimate before
    work goes on (in repair or waiting for parts, the order goes back to diagnosis)."""
    order = queries.get_order_by_number(db(), number)
    body = json_body()
    f = Fields(body)
    covered = f.flag("covered")
    if covered is None and "covered" not in f.errors:
        f.fail("covered", N_("Required"))
    reason = f.text("reason", required=True, max_len=500)
    version = _version(f, body)
    f.check()
    assert covered is not None
    decide_warranty(db(), order, actor(), covered=covered, reason=reason, expected_version=version)
    return jsonify(_order_body(order))
