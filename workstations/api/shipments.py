"""Shipments (партии): open, fill by scanning codes, dispatch, receive by the codes that arrived."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_babel import gettext
from werkzeug.wrappers import Response

from servicecenter.accounts.roles import Role
from servicecenter.centers.models import Location
from servicecenter.errors import N_, NotFound, ValidationFailed
from servicecenter.shipments import dispatch as dispatching
from servicecenter.shipments import queries, receiving, services
from servicecenter.shipments.models import Shipment
from workstations.api import bp, present
from workstations.api.payload import Fields, json_body
from workstations.api.problems import Problem
from workstations.web.access import allow
from workstations.web.auth_session import actor
from workstations.web.dbsession import db
from workstations.web.errors import translate

SHIPPERS = tuple(services.SHIPPING_ROLES)
MAX_CODES = 2000


def _get(number: str, with_items: bool = True) -> Shipment:
    """The shipment a path names: a number that is not a shipment number at all names none (404, as an
    unknown or another center's one), not a wrong field value. As on the logistics workstation, a shipment
    neither of whose ends is the caller's center does not exist for them (an administrator sees all)."""
    try:
        found = queries.get_shipment(db(), number, with_items=with_items)
    except ValidationFailed as exc:
        raise Problem(404, gettext("Not found (or outside your service center's records).")) from exc
    me = actor()
    if me.role != Role.ADMIN and me.center_id not in (found.from_center_id, found.to_center_id):
        raise Problem(404, gettext("Not found (or outside your service center's records)."))
    return found


def _shipment(s: Shipment) -> dict[str, Any]:
    lines = queries.load_lines(db(), s)
    return {
        "number": s.number, "state": s.state.value, "from": s.from_location.code, "to": s.to_location.code,
        "carrier": s.carrier, "tracking": s.tracking, "places": s.places, "weight_kg": s.weight_kg or None,
        "created_at": present.moment(s.created_at), "dispatched_at": present.moment(s.dispatched_at),
        "received_at": present.moment(s.received_at),
        "items": [{"id": line.id, "kind": "unit" if line.unit_id is not None else "part",
                   "code": line.unit.serial if line.unit is not None else (line.part.sku if line.part else ""),
                   "order": line.order.number if line.order is not None else None,
                   "quantity": line.quantity, "received": line.received_quantity, "state": line.state.value,
                   "note": line.note or ""}
                  for line in lines],
    }


def _location(code: str, candidates: list[Location], field: str) -> Location:
    """A location code, or a center's code standing for its main warehouse, among the allowed ones."""
    code = code.strip().upper()
    for loc in candidates:
        if loc.code.upper() == code or (loc.is_main and loc.center is not None and loc.center.code == code):
            return loc
    raise Problem(422, gettext("Some fields are wrong: nothing was changed."),
                  {field: gettext("Not a place you can ship from or to")})


@bp.route("/shipments/<number>")
@allow(*SHIPPERS)
def shipment(number: str) -> Response:
    """A shipment and its lines (a partner at either end sees the whole packing list)."""
    return jsonify(_shipment(_get(number)))


@bp.route("/shipments", methods=["POST"])
@allow(*SHIPPERS)
def create_shipment() -> Response:
    """Open a shipment from a warehouse of your center to another center's warehouse or a manufacturer."""
    f = Fields(json_body())
    origin_code, destination_code = f.text("from", required=True, max_len=40), f.text("to", required=True, max_len=40)
    note = f.text("note", max_len=2000)
    f.check()
    user = actor()
    origin = _location(origin_code, queries.list_origins(db(), None if user.role == Role.ADMIN else user.center_id),
                       "from")
    destination = _location(destination_code, queries.list_destinations(db(), user.center_id), "to")
    made = services.create_shipment(db(), user, origin=origin, destination=destination, note=note)
    response = jsonify(_shipment(made))
    response.status_code = 201
    return response


def _code_refused(exc: NotFound, field: str) -> Problem:
    """A scanned code nothing answers to is a wrong field value (422), not a missing shipment."""
    return Problem(422, gettext("Some fields are wrong: nothing was changed."), {field: translate(exc)})


@bp.route("/shipments/<number>/items", methods=["POST"])
@allow(*SHIPPERS)
def add_item(number: str) -> Response:
    """Put a unit (its serial or label) or a part (SKU or barcode, with `quantity`) into an open shipment."""
    found = _get(number, with_items=False)
    body = json_body()
    f = Fields(body)
    code = f.text("code", required=True, max_len=80)
    quantity = body.get("quantity", 1)
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        f.fail("quantity", N_("A whole number"))
    f.check()
    try:
        outcome = services.add_scanned(db(), actor(), found, code, quantity)
    except NotFound as exc:
        raise _code_refused(exc, "code") from exc
    response = jsonify({**_shipment(found), "added": outcome.added})
    response.status_code = 201 if outcome.added else 200
    return response


@bp.route("/shipments/<number>/dispatch", methods=["POST"])
@allow(*SHIPPERS)
def dispatch(number: str) -> Response:
    """Hand the shipment to the carrier: everything in it moves to transit."""
    found = _get(number, with_items=False)
    body = json_body()
    f = Fields(body)
    carrier, tracking = f.text("carrier", max_len=100), f.text("tracking", max_len=100)
    places = body.get("places")
    if places is not None and (isinstance(places, bool) or not isinstance(places, int)):
        f.fail("places", N_("A whole number"))
    weight = body.get("weight_kg")
    if weight is not None and (isinstance(weight, bool) or not isinstance(weight, int | float | str)):
        f.fail("weight_kg", N_("A number"))
    f.check()
    dispatching.dispatch_shipment(db(), actor(), found, carrier=carrier, tracking=tracking, places=places,
                                  weight_kg=weight)  # the dispatch rule wants the carrier named (422 if not)
    return jsonify(_shipment(found))


@bp.route("/shipments/<number>/receive", methods=["POST"])
@allow(*SHIPPERS)
def receive(number: str) -> Response:
    """Receive a dispatched shipment by the codes that arrived, and close the receipt: what was sent and not
    scanned is missing, what was scanned and not sent is unexpected (taken in)."""
    found = _get(number, with_items=False)
    body = json_body()
    codes = body.get("codes")
    if (not isinstance(codes, list) or len(codes) > MAX_CODES
            or not all(isinstance(c, str) and 0 < len(c.strip()) <= 80 for c in codes)):
        raise Problem(422, gettext("Some fields are wrong: nothing was changed."),
                      {"codes": gettext("A list of short strings")})
    errors: dict[str, str] = {}
    for i, code in enumerate(codes):
        try:
            receiving.receive_scanned(db(), actor(), found, code)
        except NotFound as exc:
            errors[f"codes.{i}"] = translate(exc)
    if errors:
        raise Problem(422, gettext("Some fields are wrong: nothing was changed."), errors)
    report = receiving.complete_receipt(db(), actor(), found)
    return jsonify({**_shipment(found),
                    "accepted": [line.code for line in report.accepted],
                    "missing": [line.code for line in report.missing],
                    "unexpected": [line.code for line in report.unexpected]})

