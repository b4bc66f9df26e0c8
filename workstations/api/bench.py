"""The bench over the API: take an order, the coded diagnosis, the checklist, labour, finishing with an
outcome — the engineer's services (workstations/engineer) — and the team lead's priority and routing
to a partner center (workstations/team_lead, workstations/orders)."""

from __future__ import annotations

import re
from typing import Any

from flask import g, jsonify, request
from sqlalchemy import select
from werkzeug.wrappers import Response

from servicecenter.centers.models import ServiceCenter
from servicecenter.diagnostics.catalogue import list_codes
from servicecenter.diagnostics.checklist import list_order_checklist, order_category
from servicecenter.diagnostics.models import CodeKind, DiagnosisCode
from servicecenter.errors import N_
from servicecenter.repairs import outcomes, queries, routing, services, work
from servicecenter.repairs.models import Outcome, Priority, RepairOrder
from servicecenter.repairs.states import BENCH
from workstations.api import bp, present
from workstations.api.order_actions import _version
from workstations.api.orders import _order_body
from workstations.api.payload import Fields, json_body
from workstations.api.spec import (
    DATE,
    INT,
    MOMENT,
    NUMBER,
    ORDER_VERSION,
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

WRITE_PROBLEMS = ("400", "403", "404", "409", "413", "415", "422")


def _order(number: str) -> RepairOrder:
    return queries.get_order_by_number(db(), number)  # another partner's order: 404, like a missing one


def _optional_body() -> dict[str, Any]:
    """A body is not needed (taking an order has no fields); one that is sent must be a JSON object."""
    return json_body() if request.content_length else {}


# --- take -------------------------------------------------------------------------------------------

@bp.route("/repair-orders/<number>/take", methods=["POST"])
@allow(*BENCH)  # who takes is the domain's rule (work.BENCH_WORKERS): an administrator gets 403 there
def take(number: str) -> Response:
    """Take a received order into diagnosis: it becomes the caller's (the bench queue's "take")."""
    order = _order(number)
    _optional_body()
    work.take_order(db(), actor(), order)
    return jsonify(_order_body(order))


# --- diagnosis --------------------------------------------------------------------------------------

def _code_ref(code: DiagnosisCode | None) -> dict[str, str] | None:
    return None if code is None else {"code": code.code, "name": code.name}


def _code_id(category: str, kind: CodeKind, raw: str) -> int | None:
    """The catalogue id of a code of the order's category (as the admin spelt it: no blanks, upper case).
    An unknown code becomes id 0, which no code has: the service refuses it with its own message."""
    if not raw:
        return None
    wanted = re.sub(r"\s+", "", raw).upper()
    found = next((c for c in list_codes(db(), category, kind, active_only=False) if c.code == wanted), None)
    return found.id if found is not None else 0


@bp.route("/repair-orders/<number>/diagnosis")
@any_staff()
def diagnosis(number: str) -> Response:
    """The order's coded diagnosis, and the codes its unit's category offers."""
    order = _order(number)
    row = work.get_order_diagnosis(db(), order)
    category = order_category(db(), order)
    return jsonify({
        "order": order.number, "category": category,
        "symptom": _code_ref(row.symptom if row else None), "cause": _code_ref(row.cause if row else None),
        "action": _code_ref(row.action if row else None), "text": order.diagnosis,
        "recorded_at": present.moment(row.recorded_at) if row else None,
        "codes": {kind.value: [_code_ref(c) for c in list_codes(db(), category, kind)] if category else []
                  for kind in CodeKind},
    })


@bp.route("/repair-orders/<number>/diagnosis", methods=["POST"])
@allow(*BENCH)
def record_diagnosis(number: str) -> Response:
    """Record the coded diagnosis (symptom → cause → optional action of the unit's category) and its text."""
    order = _order(number)
    f = Fields(json_body())
    raw = {kind: f.text(kind.value, max_len=40) for kind in CodeKind}
    text = f.text("diagnosis")
    f.check()
    category = order_category(db(), order)
    ids = {kind: _code_id(category, kind, value) for kind, value in raw.items()}
    work.record_diagnosis(db(), actor(), order, symptom_id=ids[CodeKind.SYMPTOM], cause_id=ids[CodeKind.CAUSE],
                          action_id=ids[CodeKind.ACTION], text=text)
    return jsonify(_order_body(order))


# --- checklist --------------------------------------------------------------------------------------

def _checklist(order: RepairOrder) -> dict[str, Any]:
    lines = list_order_checklist(db(), order)
    return {
        "order": order.number, "category": order_category(db(), order),
        "complete": not any(line.item.required and not line.ticked for line in lines),
        "items": [{"id": line.item.id, "text": line.item.text, "required": line.item.required,
                   "ticked": line.ticked, "ticked_at": present.moment(line.ticked_at), "ticked_by": line.ticked_by}
                  for line in lines],
    }


@bp.route("/repair-orders/<number>/checklist")
@any_staff()
def checklist(number: str) -> Response:
    """The checklist of the order's category: each line, required or not, ticked by whom and when."""
    return jsonify(_checklist(_order(number)))


@bp.route("/repair-orders/<number>/checklist", methods=["POST"])
@allow(*BENCH)
def tick_checklist(number: str) -> Response:
    """Tick (or untick, `ticked: false`) one line of the order's checklist."""
    order = _order(number)
    data = json_body()
    f = Fields(data)
    item = data.get("item")
    if item is None:
        f.fail("item", N_("Required"))
    elif isinstance(item, bool) or not isinstance(item, int):
        f.fail("item", N_("A whole number"))
    ticked = f.flag("ticked")
    f.check()
    work.tick_checklist_item(db(), actor(), order, item, ticked=ticked is not False)
    return jsonify(_checklist(order))


# --- labour -----------------------------------------------------------------------------------------

def _work(order: RepairOrder) -> dict[str, Any]:
    entries = work.list_work(db(), order)
    return {
        "order": order.number, "minutes": sum(e.minutes for e in entries),
        "items": [{"id": e.id, "engineer": e.user.name, "performed_on": present.day(e.performed_on),
                   "minutes": e.minutes, "description": e.description, "created_at": present.moment(e.created_at)}
                  for e in entries],
    }


@bp.route("/repair-orders/<number>/work")
@any_staff()
def work_log(number: str) -> Response:
    """Labour logged on the order, oldest first, and its total in minutes."""
    return jsonify(_work(_order(number)))


@bp.route("/repair-orders/<number>/work", methods=["POST"])
@allow(*BENCH)  # logging one's own labour: the domain's bench workers (an administrator gets 403 there)
def log_work(number: str) -> Response:
    """Log the caller's labour on the order: minutes, what was done, on which day (today by default)."""
    order = _order(number)
    data = json_body()
    f = Fields(data)
    minutes = data.get("minutes")
    if minutes is None:
        f.fail("minutes", N_("Required"))
    elif isinstance(minutes, bool) or not isinstance(minutes, int):
        f.fail("minutes", N_("A whole number"))
    description = f.text("description")
    performed_on = f.day("performed_on")
    f.check()
    work.log_work(db(), actor(), order, minutes, description, performed_on)
    response = jsonify(_work(order))
    response.status_code = 201
    return response


# --- finish -----------------------------------------------------------------------------------------

@bp.route("/repair-orders/<number>/finish", methods=["POST"])
@allow(*BENCH)
def finish(number: str) -> Response:
    """Finish the bench work with an outcome: the order is ready for pickup."""
    order = _order(number)
    data = json_body()
    f = Fields(data)
    outcome = f.choice("outcome", [o.value for o in Outcome], "")
    if "outcome" not in data:
        f.fail("outcome", N_("Required"))
    note = f.text("outcome_note")
    serial = f.text("replacement_serial", max_len=80)
    version = _version(f, data)
    f.check()
    outcomes.finish_order(db(), actor(), order, outcome=outcome, note=note, replacement_serial=serial,
                          expected_version=version)
    return jsonify(_order_body(order))


# --- priority and routing (the team lead) -----------------------------------------------------------

@bp.route("/repair-orders/<number>/priority", methods=["POST"])
@allow(*services.ASSIGN_ROLES)
def priority(number: str) -> Response:
    """Change an open order's priority."""
    order = _order(number)
    data = json_body()
    f = Fields(data)
    value = f.choice("priority", [p.value for p in Priority], "")
    if "priority" not in data:
        f.fail("priority", N_("Required"))
    version = _version(f, data)
    f.check()
    services.set_priority(db(), order, actor(), value, expected_version=version)
    return jsonify(_order_body(order))


@bp.route("/repair-orders/<number>/route", methods=["POST"])
@allow(*routing.ROUTE_ROLES)
def route(number: str) -> Response:
    """Hand the order to a partner center authorised for the unit's brand; logistics ships the unit."""
    order = _order(number)
    data = json_body()
    g.api_fields = {"center_id": "center"}
    f = Fields(data)
    code = f.text("center", required=True, max_len=8)
    version = _version(f, data)
    f.check()
    center = db().scalar(select(ServiceCenter).where(ServiceCenter.code == code.upper()))
    if center is None:
        f.fail("center", N_("Unknown service center"))
        f.check()
    routing.route_to_center(db(), actor(), order, center, expected_version=version)
    return jsonify(_order_body(order))


# --- the OpenAPI description ------------------------------------------------------------------------

def _post(op: str, summary: str, request_schema: str | None, answer: str, said: str,
          status: str = "200") -> dict[str, Any]:
    operation: dict[str, Any] = {"operationId": op, "summary": summary, "parameters": NUMBER,
                                 "responses": {status: json_answer(answer, said), **problems(*WRITE_PROBLEMS)}}
    if request_schema is not None:
        operation["requestBody"] = body(request_schema)
    return {"post": operation}


def _get(op: str, summary: str, answer: str) -> dict[str, Any]:
    return {"get": {"operationId": op, "summary": summary, "parameters": NUMBER,
                    "responses": {"200": json_answer(answer, summary), **problems("404")}}}


CODE = nullable(obj({"code": STR, "name": STR}))
_TAKE = _post("takeRepairOrder", "Take a received order into diagnosis (engineers, team leads, partners)", None,
              "RepairOrder", "Taken: the order is the caller's, in diagnosis")
_TAKE["post"]["requestBody"] = {"required": False, "content": {"application/json": {"schema": ref("TakeRequest")}}}

register({
    "/repair-orders/{number}/take": _TAKE,
    "/repair-orders/{number}/diagnosis": {
        **_get("getRepairOrderDiagnosis", "The order's coded diagnosis and the codes of its category",
               "OrderDiagnosis"),
        **_post("recordDiagnosis", "Record the coded diagnosis (on the bench; the assigned engineer)",
                "DiagnosisRequest", "RepairOrder", "Recorded; the order with its diagnosis and history event")},
    "/repair-orders/{number}/checklist": {
        **_get("getRepairOrderChecklist", "The order's bench checklist and its ticks", "OrderChecklist"),
        **_post("tickChecklistItem", "Tick or untick a line of the checklist (on the bench)",
                "ChecklistTickRequest", "OrderChecklist", "Saved; the checklist")},
    "/repair-orders/{number}/work": {
        **_get("getRepairOrderWork", "Labour logged on the order, oldest first", "OrderWork"),
        **_post("logWork", "Log the caller's labour (engineers, team leads, partners)", "WorkRequest",
                "OrderWork", "Logged; the order's labour", status="201")},
    "/repair-orders/{number}/finish": _post(
        "finishRepairOrder", "Finish the bench work with an outcome: ready for pickup", "FinishRequest",
        "RepairOrder", "Finished; the order ready for pickup"),
    "/repair-orders/{number}/priority": _post(
        "setRepairOrderPriority", "Change an open order's priority (team leads, partners, admins)",
        "PriorityRequest", "RepairOrder", "Saved; the order with its priority"),
    "/repair-orders/{number}/route": _post(
        "routeRepairOrder", "Hand the order to a partner center (counter staff, team leads, admins)",
        "RouteRequest", "RepairOrder", "Routed; the order now belongs to the partner center"),
}, {
    "TakeRequest": obj({}, required=[], extra=True, description="No fields; the body may be left out."),
    "DiagnosisRequest": obj({
        "symptom": {**STR, "maxLength": 40, "description": "A symptom code of the unit's category (e.g. S10)"},
        "cause": {**STR, "maxLength": 40, "description": "A cause code of the unit's category"},
        "action": {**STR, "maxLength": 40, "description": "An action code of the unit's category (optional)"},
        "diagnosis": {**STR, "maxLength": 4000, "description": "Free text; kept as the order's diagnosis"},
    }, required=["symptom", "cause"], extra=True),
    "OrderDiagnosis": obj({
        "order": STR, "category": {**STR, "description": "The unit's product category ('' without a unit)"},
        "symptom": CODE, "cause": CODE, "action": CODE, "text": STR, "recorded_at": nullable(MOMENT),
        "codes": obj({kind.value: {"type": "array", "items": obj({"code": STR, "name": STR})} for kind in CodeKind},
                     description="The active codes of the category, by kind"),
    }),
    "ChecklistLine": obj({"id": INT, "text": STR, "required": {"type": "boolean"}, "ticked": {"type": "boolean"},
                          "ticked_at": nullable(MOMENT), "ticked_by": nullable(STR)}),
    "OrderChecklist": obj({
        "order": STR, "category": STR,
        "complete": {"type": "boolean", "description": "Every required line is ticked (the order may be finished)"},
        "items": {"type": "array", "items": ref("ChecklistLine")}}),
    "ChecklistTickRequest": obj({
        "item": {**INT, "description": "The checklist line's id (`items[].id` of the checklist)"},
        "ticked": {"type": "boolean", "default": True, "description": "false unticks"},
    }, required=["item"], extra=True),
    "WorkEntry": obj({"id": INT, "engineer": STR, "performed_on": DATE, "minutes": INT, "description": STR,
                      "created_at": MOMENT}),
    "OrderWork": obj({"order": STR, "minutes": {**INT, "description": "The total"},
                      "items": {"type": "array", "items": ref("WorkEntry")}}),
    "WorkRequest": obj({
        "minutes": {**INT, "minimum": 1, "maximum": 1440},
        "description": {**STR, "minLength": 1, "maxLength": 4000, "description": "What was done"},
        "performed_on": {**DATE, "description": "The day (the center's); today by default, at most 31 days ago"},
    }, required=["minutes", "description"], extra=True),
    "FinishRequest": obj({
        "outcome": {"type": "string", "enum": [o.value for o in Outcome],
                    "description": "From diagnosis only refused or unrepairable"},
        "outcome_note": {**STR, "maxLength": 4000, "description": "The conclusion"},
        "replacement_serial": {**STR, "maxLength": 80, "description": "replaced: the new unit's serial"},
        "version": ORDER_VERSION,
    }, required=["outcome"], extra=True),
    "PriorityRequest": obj({"priority": {"type": "string", "enum": [p.value for p in Priority]},
                            "version": ORDER_VERSION}, required=["priority"], extra=True),
    "RouteRequest": obj({"center": {**STR, "maxLength": 8, "description": "The partner center's code"},
                         "version": ORDER_VERSION}, required=["center"], extra=True),
})
