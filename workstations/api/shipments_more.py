"""Shipments, the rest of the logistics workstation: the list, cancel, close the receipt, take a line off,
settle a missing line, and the bulk PDFs (unit labels, work orders) made in the background."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import jsonify, request, url_for
from flask_babel import gettext
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.errors import N_
from servicecenter.filejobs.models import FileJob
from servicecenter.filejobs.services import request_shipment_labels, request_shipment_work_orders
from servicecenter.shipments import dispatch as dispatching
from servicecenter.shipments import queries, receiving, services
from servicecenter.shipments.models import ShipmentState
from workstations.api import bp, present
from workstations.api.file_jobs import file_job_body
from workstations.api.payload import Fields, json_body, paged, query_page
from workstations.api.problems import Problem
from workstations.api.shipments import SHIPPERS, _get, _shipment
from workstations.api.spec import (
    MOMENT,
    SHIPMENT,
    body,
    json_answer,
    nullable,
    obj,
    page_of,
    problems,
    register,
)
from workstations.web.access import allow
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

STATES = [s.value for s in ShipmentState]
WRONG = "Some fields are wrong: nothing was changed."


def _row(row: queries.ShipmentRow) -> dict[str, Any]:
    return {"number": row.number, "state": row.state.value, "from": row.origin, "to": row.destination,
            "direction": "out" if row.outgoing else "in", "carrier": row.carrier, "tracking": row.tracking,
            "created_at": present.moment(row.created_at), "dispatched_at": present.moment(row.dispatched_at),
            "received_at": present.moment(row.received_at), "items": row.items, "missing": row.missing}


@bp.route("/shipments")
@allow(*SHIPPERS)
def shipments() -> Response:
    """The center's shipments, newest first, as the logistics workstation lists them."""
    page, per_page = query_page()
    state, direction = request.args.get("state", ""), request.args.get("direction", "")
    search = request.args.get("q", "")
    errors = {}
    if state and state not in STATES:
        errors["state"] = gettext("Unknown value")
    if direction and direction not in queries.DIRECTIONS:
        errors["direction"] = gettext("Unknown value")
    if len(search) > 60:
        errors["q"] = gettext("Too long")
    if errors:
        raise Problem(422, gettext(WRONG), errors)
    me = actor()
    center_id = None if me.role == Role.ADMIN and me.center_id is None else me.center_id
    found = queries.page_shipments(db(), center_id, state=state, direction=direction, search=search, page=page,
                                   per_page=per_page)
    return jsonify(paged(found, [_row(r) for r in found.items]))


@bp.route("/shipments/<number>/cancel", methods=["POST"])
@allow(*SHIPPERS)
def cancel(number: str) -> Response:
    """Drop an open shipment (the sender): nothing has moved, its items are free for another one."""
    found = _get(number, with_items=False)
    dispatching.cancel_shipment(db(), actor(), found)
    return jsonify(_shipment(found))


@bp.route("/shipments/<number>/complete", methods=["POST"])
@allow(*SHIPPERS)
def complete(number: str) -> Response:
    """Close the receipt at the destination: what was sent and not scanned is missing."""
    found = _get(number, with_items=False)
    report = receiving.complete_receipt(db(), actor(), found)
    return jsonify({**_shipment(found),
                    "accepted": [line.code for line in report.accepted],
                    "missing": [line.code for line in report.missing],
                    "unexpected": [line.code for line in report.unexpected]})


@bp.route("/shipments/<number>/items/<int:item_id>", methods=["DELETE"])
@allow(*SHIPPERS)
def remove_item(number: str, item_id: int) -> Response:
    """Take a line off an open shipment (scanned by mistake)."""
    found = _get(number, with_items=False)
    services.remove_item(db(), actor(), found, item_id)
    return jsonify(_shipment(found))


@bp.route("/shipments/<number>/items/<int:item_id>/resolve", methods=["POST"])
@allow(*SHIPPERS)
def resolve_item(number: str, item_id: int) -> Response:
    """Settle a missing line of a received shipment: found (received now) or lost (with a reason)."""
    found = _get(number, with_items=False)
    f = Fields(json_body())
    outcome = f.choice("outcome", ["found", "lost"], "")
    if not outcome:
        f.fail("outcome", N_("Required"))
    reason = f.text("reason", max_len=300)
    f.check()
    if item_id not in {line.item_id for line in queries.get_discrepancy_report(db(), found).lines}:
        raise Problem(404, gettext("Not found (or outside your service center's records)."))
    receiving.resolve_missing(db(), actor(), found, item_id, found=outcome == "found", reason=reason)
    return jsonify(_shipment(found))


def _background(number: str, ask: Callable[[Session, User, str], FileJob]) -> Response:
    found = _get(number, with_items=False)
    job = ask(db(), actor(), found.number)
    response = jsonify(file_job_body(job))
    response.status_code = 202
    response.headers["Location"] = url_for("api.file_job", job_id=job.id)
    return response


@bp.route("/shipments/<number>/unit-labels", methods=["POST"])
@allow(*SHIPPERS)
def unit_labels(number: str) -> Response:
    """Every unit's label of the shipment as one PDF, made in the background: follow the file job."""
    return _background(number, request_shipment_labels)


@bp.route("/shipments/<number>/work-orders", methods=["POST"])
@allow(*SHIPPERS)
def work_orders(number: str) -> Response:
    """The work orders of the shipment's units as one PDF (the paper that travels with them), in the background."""
    return _background(number, request_shipment_work_orders)


_RECEIPT = json_answer("ShipmentReceipt", "Received: what arrived against what was sent")
_ITEM = [*SHIPMENT, {"name": "item_id", "in": "path", "required": True, "schema": {"type": "integer"},
                     "description": "The line's `id` (a shipment's `items`)"}]


def _job_answer(summary: str) -> dict[str, Any]:
    return {"post": {"operationId": summary, "parameters": SHIPMENT,
                     "summary": "Ask for a PDF made in the background (a second ask while it is made: the same job)",
                     "responses": {"202": {**json_answer("FileJob", "Asked for; follow the job (Location)"),
                                           "headers": {"Location": {"schema": {"type": "string"}}}},
                                   **problems("403", "404", "422")}}}


register({
    "/shipments": {"get": {
        "operationId": "listShipments", "summary": "Your center's shipments, newest first",
        "parameters": [{"$ref": "#/components/parameters/page"}, {"$ref": "#/components/parameters/per_page"},
                       {"name": "state", "in": "query", "schema": {"type": "string", "enum": STATES}},
                       {"name": "direction", "in": "query", "schema": {"type": "string", "enum": ["out", "in"]},
                        "description": "out: sent by your center; in: coming to it"},
                       {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 60},
                        "description": "Part of the number, the tracking number or a location's code or name"}],
        "responses": {"200": json_answer("ShipmentRowPage", "A page"), **problems("403", "422")}}},
    "/shipments/{number}/cancel": {"post": {
        "operationId": "cancelShipment", "summary": "Drop an open shipment (the sender)", "parameters": SHIPMENT,
        "responses": {"200": json_answer("Shipment", "Cancelled"), **problems("403", "404", "409")}}},
    "/shipments/{number}/complete": {"post": {
        "operationId": "completeShipmentReceipt", "summary": "Close the receipt: what was not scanned is missing",
        "parameters": SHIPMENT, "responses": {"200": _RECEIPT, **problems("403", "404", "409")}}},
    "/shipments/{number}/items/{item_id}": {"delete": {
        "operationId": "removeShipmentItem", "summary": "Take a line off an open shipment", "parameters": _ITEM,
        "responses": {"200": json_answer("Shipment", "Removed"), **problems("403", "404", "409")}}},
    "/shipments/{number}/items/{item_id}/resolve": {"post": {
        "operationId": "resolveShipmentItem", "summary": "Settle a missing line: found, or lost with a reason",
        "parameters": _ITEM, "requestBody": body("ResolveRequest"),
        "responses": {"200": json_answer("Shipment", "Settled"),
                      **problems("400", "403", "404", "409", "413", "415", "422")}}},
    "/shipments/{number}/unit-labels": _job_answer("requestShipmentUnitLabels"),
    "/shipments/{number}/work-orders": _job_answer("requestShipmentWorkOrders"),
}, {
    "ShipmentRow": obj({
        "number": {"type": "string"}, "state": {"type": "string", "enum": STATES},
        "from": {"type": "string", "description": "The origin as the list names it (code and name)"},
        "to": {"type": "string", "description": "The destination as the list names it"},
        "direction": {"type": "string", "enum": ["out", "in"]}, "carrier": {"type": "string"},
        "tracking": {"type": "string"}, "created_at": MOMENT,
        "dispatched_at": nullable(MOMENT), "received_at": nullable(MOMENT),
        "items": {"type": "integer", "description": "Lines"},
        "missing": {"type": "integer", "description": "Lines missing and not settled"}}),
    "ShipmentRowPage": page_of("ShipmentRow"),
    "ResolveRequest": obj({"outcome": {"type": "string", "enum": ["found", "lost"]},
                           "reason": {"type": "string", "maxLength": 300, "description": "Required when lost"}},
                          required=["outcome"], extra=True),
})
