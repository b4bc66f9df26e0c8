"""Planned maintenance, the team lead's: the center's plans (list, read, add, change, stop) and a date on a
unit's card. The same services as /team-lead/maintenance; a plan of another center answers 404."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, request, url_for
from flask_babel import gettext
from sqlalchemy import select
from werkzeug.wrappers import Response

from servicecenter.accounts.roles import Role
from servicecenter.catalog.models import ProductModel
from servicecenter.centers.models import ServiceCenter
from servicecenter.errors import N_
from servicecenter.maintenance import queries, services
from servicecenter.maintenance.models import DateKind, MaintenancePlan, PlanAction, PlanScope, Schedule
from servicecenter.paging import Page
from workstations.api import bp, present
from workstations.api.catalog import manufacturer_named
from workstations.api.payload import Fields, json_body, paged, query_page
from workstations.api.problems import Problem
from workstations.api.spec import (
    DATE,
    MOMENT,
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

PLANNERS = (Role.TEAM_LEAD, Role.ADMIN)  # the team lead workstation's roles; the service checks the same
NOT_FOUND = "Not found (or outside your service center's records)."
TEXTS = {"name": 200, "work": 2000, "unit_serial": 64, "owner_phone": 32, "contract_number": 40, "start_on": 10}
# The service's field names as the request spells them.
API_FIELDS = {"model_id": "model"}


def _center() -> ServiceCenter:
    """The caller's own center, whose plans these are (an administrator without one has none)."""
    center = db().get(ServiceCenter, actor().center_id) if actor().center_id is not None else None
    if center is None:
        raise Problem(404, gettext(NOT_FOUND))
    return center


def _plan(plan_id: int) -> MaintenancePlan:
    plan = queries.get_plan(db(), _center().id, plan_id)
    if plan is None:
        raise Problem(404, gettext(NOT_FOUND))
    return plan


def _plan_body(p: MaintenancePlan) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "work": p.work, "scope": p.scope.value,
            "unit_serial": p.unit.serial if p.unit else None,
            "manufacturer": p.model.manufacturer.name if p.model else None,
            "model": p.model.name if p.model else None,
            "owner_phone": p.owner.phone if p.owner else None,
            "contract_number": p.contract.number if p.contract else None,
            "schedule": p.schedule.value, "every_months": p.every_months, "start_on": present.day(p.start_on),
            "date_kind": p.date_kind.value if p.date_kind else None, "lead_days": p.lead_days,
            "action": p.action.value, "active": p.active, "next_due_on": present.day(p.next_due_on),
            "created_at": present.moment(p.created_at), "updated_at": present.moment(p.updated_at)}


def _current(p: MaintenancePlan) -> dict[str, Any]:
    """The plan's values as the service takes them (what the edit form shows filled in)."""
    return {"name": p.name, "work": p.work, "scope": p.scope.value, "unit_serial": p.unit.serial if p.unit else "",
            "model_id": p.model_id, "owner_phone": p.owner.phone if p.owner else "",
            "contract_number": p.contract.number if p.contract else "", "schedule": p.schedule.value,
            "every_months": p.every_months, "start_on": p.start_on.isoformat(),
            "date_kind": p.date_kind.value if p.date_kind else None, "lead_days": p.lead_days,
            "action": p.action.value, "active": p.active}


def _values(data: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """The request's fields over `base` (the defaults, or the plan as it is), typed; the service checks
    their meaning and names every wrong one."""
    f = Fields(data)
    values = dict(base)
    for name, limit in TEXTS.items():
        if name in data:
            values[name] = f.text(name, max_len=limit)
    for name in ("scope", "schedule", "date_kind", "action"):
        if name in data:
            values[name] = f.text(name, max_len=40)
    for name in ("every_months", "lead_days"):
        if name in data:
            value = data[name]
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                f.fail(name, N_("A whole number"))
            values[name] = value
    if "active" in data:
        active = f.flag("active")
        values["active"] = bool(active) if active is not None else values.get("active", True)
    if "manufacturer" in data or "model" in data:
        brand, name = f.text("manufacturer", max_len=120), f.text("model", max_len=120)
        values["model_id"] = None
        if brand and name:
            try:
                maker = manufacturer_named(brand)
            except Problem as exc:
                f.errors.update(exc.errors)
            else:
                model = db().scalar(select(ProductModel).where(ProductModel.manufacturer_id == maker.id,
                                                               ProductModel.name == name))
                if model is None:
                    f.fail("model", N_("Unknown model of this manufacturer"))
                values["model_id"] = model.id if model else None
    f.check()
    g.api_fields = API_FIELDS
    return values


DEFAULTS = {"name": "", "work": "", "scope": PlanScope.UNIT.value, "unit_serial": "", "model_id": None,
            "owner_phone": "", "contract_number": "", "schedule": Schedule.EVERY_MONTHS.value, "every_months": 12,
            "start_on": "", "date_kind": None, "lead_days": 14, "action": PlanAction.ORDER.value, "active": True}


@bp.route("/maintenance-plans")
@allow(*PLANNERS)
def maintenance_plans() -> Response:
    """The center's plans, active first."""
    page, per_page = query_page()
    plans = queries.list_plans(db(), _center().id)
    start = (page - 1) * per_page
    found = Page(plans[start:start + per_page], page, per_page, len(plans))
    return jsonify(paged(found, [_plan_body(p) for p in found.items]))


# One rule for both methods: with two, werkzeug answers a too-large id with 405 instead of 404.
@bp.route("/maintenance-plans/<int:plan_id>", methods=["GET", "PATCH"])
@allow(*PLANNERS)
def maintenance_plan(plan_id: int) -> Response:
    """One plan of the center (GET), or change it (PATCH)."""
    if request.method == "PATCH":
        return update_maintenance_plan(plan_id)
    return jsonify(_plan_body(_plan(plan_id)))


@bp.route("/maintenance-plans", methods=["POST"])
@allow(*PLANNERS)
def create_maintenance_plan() -> Response:
    """Add a plan to your center; its first occurrence is the first due date from today on."""
    _center()
    plan = services.create_plan(db(), actor(), **_values(json_body(), DEFAULTS))
    response = jsonify(_plan_body(plan))
    response.status_code = 201
    response.headers["Location"] = url_for("api.maintenance_plan", plan_id=plan.id)
    return response


def update_maintenance_plan(plan_id: int) -> Response:
    """Change the fields given (the others stay); a changed schedule restarts from its first date from today."""
    plan = _plan(plan_id)
    services.update_plan(db(), actor(), plan, **_values(json_body(), _current(plan)))
    return jsonify(_plan_body(plan))


@bp.route("/maintenance-plans/<int:plan_id>/deactivate", methods=["POST"])
@allow(*PLANNERS)
def deactivate_maintenance_plan(plan_id: int) -> Response:
    """Stop a plan: nothing more is made from it (what it made stays)."""
    plan = _plan(plan_id)
    services.deactivate_plan(db(), actor(), plan)
    return jsonify(_plan_body(plan))


@bp.route("/unit-dates", methods=["POST"])
@allow(*PLANNERS)
def record_unit_date() -> Response:
    """Keep a date on the card of the unit with this serial (one per kind); noted in the unit's history."""
    _center()
    f = Fields(json_body())
    serial, kind = f.text("unit_serial", max_len=64), f.text("date_kind", max_len=40)
    due_on, note = f.text("due_on", max_len=10), f.text("note", max_len=200)
    f.check()
    row = services.record_unit_date(db(), actor(), unit_serial=serial, date_kind=kind, due_on=due_on, note=note)
    response = jsonify({"unit_serial": row.unit.serial, "unit_id": row.unit_id, "date_kind": row.kind.value,
                        "due_on": present.day(row.due_on), "note": row.note})
    response.status_code = 201
    return response


_ENUM = {"scope": [s.value for s in PlanScope], "schedule": [s.value for s in Schedule],
         "date_kind": [k.value for k in DateKind], "action": [a.value for a in PlanAction]}
_ID = [{"name": "plan_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
_PLAN_REQUEST = {
    "name": {"type": "string", "maxLength": 200}, "work": {"type": "string", "maxLength": 2000,
                                                           "description": "Becomes the order's fault text"},
    "scope": {"type": "string", "enum": _ENUM["scope"]},
    "unit_serial": {"type": "string", "maxLength": 64, "description": "scope unit: the unit's serial"},
    "manufacturer": {"type": "string", "description": "scope model: the model's brand (by name)"},
    "model": {"type": "string", "description": "scope model: the model's name"},
    "owner_phone": {"type": "string", "maxLength": 32, "description": "scope model, optional: only this owner's units"},
    "contract_number": {"type": "string", "maxLength": 40, "description": "scope contract: the service contract"},
    "schedule": {"type": "string", "enum": _ENUM["schedule"]},
    "every_months": {"type": "integer", "minimum": 1, "maximum": 120, "description": "schedule every_months"},
    "start_on": {**DATE, "description": "every_months: the first due date; before_date: card dates before it are "
                                        "ignored (today when not given)"},
    "date_kind": {"type": "string", "enum": _ENUM["date_kind"], "description": "schedule before_date"},
    "lead_days": {"type": "integer", "minimum": 0, "maximum": 365, "default": 14},
    "action": {"type": "string", "enum": _ENUM["action"], "default": "order"},
    "active": {"type": "boolean", "default": True},
}
register({
    "/maintenance-plans": {
        "get": {"operationId": "listMaintenancePlans", "summary": "Your center's maintenance plans, active first",
                "parameters": [{"$ref": "#/components/parameters/page"}, {"$ref": "#/components/parameters/per_page"}],
                "responses": {"200": json_answer("MaintenancePlanPage", "A page"), **problems("403", "404", "422")}},
        "post": {"operationId": "createMaintenancePlan", "summary": "Add a maintenance plan to your center",
                 "requestBody": body("MaintenancePlanRequest"),
                 "responses": {"201": {**json_answer("MaintenancePlan", "Added"),
                                       "headers": {"Location": {"schema": {"type": "string"}}}},
                               **problems("400", "403", "404", "413", "415", "422")}},
    },
    "/maintenance-plans/{plan_id}": {
        "get": {"operationId": "getMaintenancePlan", "summary": "One plan of your center", "parameters": _ID,
                "responses": {"200": json_answer("MaintenancePlan", "The plan"), **problems("403", "404")}},
        "patch": {"operationId": "updateMaintenancePlan", "summary": "Change a plan (the fields given)",
                  "parameters": _ID, "requestBody": body("MaintenancePlanPatch"),
                  "responses": {"200": json_answer("MaintenancePlan", "Saved"),
                                **problems("400", "403", "404", "413", "415", "422")}},
    },
    "/maintenance-plans/{plan_id}/deactivate": {"post": {
        "operationId": "deactivateMaintenancePlan", "summary": "Stop a plan (what it made stays)", "parameters": _ID,
        "responses": {"200": json_answer("MaintenancePlan", "Stopped"), **problems("403", "404")}}},
    "/unit-dates": {"post": {
        "operationId": "recordUnitDate", "summary": "Keep a date on a unit's card (a licence's or fiscal drive's end)",
        "requestBody": body("UnitDateRequest"),
        "responses": {"201": json_answer("UnitDate", "Saved; noted in the unit's history"),
                      **problems("400", "403", "404", "413", "415", "422")}}},
}, {
    "MaintenancePlan": obj({
        "id": {"type": "integer"}, "name": {"type": "string"}, "work": {"type": "string"},
        "scope": {"type": "string", "enum": _ENUM["scope"]}, "unit_serial": nullable({"type": "string"}),
        "manufacturer": nullable({"type": "string"}), "model": nullable({"type": "string"}),
        "owner_phone": nullable({"type": "string"}), "contract_number": nullable({"type": "string"}),
        "schedule": {"type": "string", "enum": _ENUM["schedule"]}, "every_months": nullable({"type": "integer"}),
        "start_on": DATE, "date_kind": {"type": ["string", "null"], "enum": [*_ENUM["date_kind"], None]},
        "lead_days": {"type": "integer"}, "action": {"type": "string", "enum": _ENUM["action"]},
        "active": {"type": "boolean"},
        "next_due_on": {**nullable(DATE), "description": "The next occurrence not yet made"},
        "created_at": MOMENT, "updated_at": MOMENT}),
    "MaintenancePlanPage": page_of("MaintenancePlan"),
    "MaintenancePlanRequest": obj(_PLAN_REQUEST, required=["name", "scope", "schedule"], extra=True),
    "MaintenancePlanPatch": obj(_PLAN_REQUEST, required=[], extra=True,
                                description="Only the fields to change; a changed scope needs its own fields"),
    "UnitDateRequest": obj({"unit_serial": {"type": "string", "maxLength": 64},
                            "date_kind": {"type": "string", "enum": _ENUM["date_kind"]},
                            "due_on": DATE, "note": {"type": "string", "maxLength": 200}},
                           required=["unit_serial", "date_kind", "due_on"], extra=True),
    "UnitDate": obj({"unit_serial": {"type": "string"}, "unit_id": {"type": "integer"},
                     "date_kind": {"type": "string", "enum": _ENUM["date_kind"]}, "due_on": DATE,
                     "note": {"type": "string"}}),
})
