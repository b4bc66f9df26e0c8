"""Administration: deadline rules per center and the business calendar (deadlines.rules.save_rule,
add_calendar_day, remove_calendar_day). Each change recomputes the open orders' due dates, as on the
admin workstation; the answer says how many changed, or how many a background job is recomputing."""

from __future__ import annotations

from datetime import MAXYEAR, MINYEAR
from typing import Any

from flask import jsonify, request, url_for
from werkzeug.wrappers import Response

from servicecenter.accounts.roles import Role
from servicecenter.deadlines import queries, rules
from servicecenter.deadlines.calendar import DayUnit
from servicecenter.deadlines.models import AppliesTo, CalendarDay, DeadlineRule
from servicecenter.errors import N_
from servicecenter.paging import Page
from workstations.api import bp
from workstations.api.admin_fields import (
    Body,
    center_by_code,
    created,
    guarded_list,
    manufacturer_by_name,
    record,
    rename_fields,
)
from workstations.api.payload import Fields, paged, query_page
from workstations.api.spec import (
    DATE,
    INT,
    STR,
    body,
    json_answer,
    nullable,
    obj,
    page_of,
    problems,
    ref,
    register,
)
from workstations.web.access import Reads, allow
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

ADMIN = allow(Role.ADMIN, reads=Reads.NETWORK)
NO_RULE = N_("No such deadline rule")


def _recompute(result: rules.Recompute) -> dict[str, int]:
    return {"changed": result.changed, "queued": result.queued}


def _rule(r: DeadlineRule) -> dict[str, Any]:
    return {"id": r.id, "center": r.center.code, "manufacturer": r.manufacturer.name if r.manufacturer else None,
            "contract_number": r.contract.number if r.contract else None, "applies_to": r.applies_to.value,
            "diagnosis_days": r.diagnosis_days, "diagnosis_unit": r.diagnosis_unit.value,
            "repair_days": r.repair_days, "repair_unit": r.repair_unit.value, "margin_hours": r.margin_hours,
            "pause_on_approval": r.pause_on_approval, "pause_in_transit": r.pause_in_transit, "active": r.active}


def _day(d: CalendarDay) -> dict[str, Any]:
    return {"id": d.id, "center": d.center.code if d.center is not None else None, "day": d.day.isoformat(),
            "working": d.working, "name": d.name}


def _center_filter() -> int | None:
    """?center=CODE: one center's rules or calendar (absent: all rules / the network's calendar)."""
    code = request.args.get("center", "")
    if not code.strip():
        return None
    f = Fields({})
    center = center_by_code(f, "center", code)
    f.check()
    return center.id if center is not None else None


# --- Rules ----------------------------------------------------------------------------------------

def _rule_values(current: DeadlineRule | None) -> dict[str, Any]:
    """The service's values: the record's (or the workstation form's defaults), with what was sent on top."""
    f = Body()
    if current is None:
        f.require("center", "diagnosis_days", "repair_days")
    for name in ("diagnosis_days", "repair_days", "margin"):
        f.integer(name)
    f.one_of("applies_to", [a.value for a in AppliesTo])
    f.one_of("diagnosis_unit", [u.value for u in DayUnit])
    f.one_of("repair_unit", [u.value for u in DayUnit])
    f.one_of("margin_unit", rules.MARGIN_UNITS)
    for name in ("pause_on_approval", "pause_in_transit", "active"):
        f.boolean(name)
    f.string("contract_number", 40, null=True)
    if f.sent("margin_unit") and not f.sent("margin"):
        f.fail("margin", N_("Required"))
    if f.sent("center") and f.data["center"] is not None:
        center = center_by_code(f, "center", f.data["center"])
        f.values["center_id"] = center.id if center is not None else None
    if f.sent("manufacturer"):
        maker = manufacturer_by_name(f, "manufacturer", f.data["manufacturer"]) \
            if f.data["manufacturer"] is not None else None
        f.values["manufacturer_id"] = maker.id if maker is not None else None
    f.check()
    if current is None:
        base: dict[str, Any] = {"applies_to": "any", "diagnosis_unit": "calendar", "repair_unit": "calendar",
                                "margin": 24, "margin_unit": "hours", "pause_on_approval": True,
                                "pause_in_transit": False, "active": True, "manufacturer_id": None,
                                "contract_number": ""}
    else:
        base = {"center_id": current.center_id, "manufacturer_id": current.manufacturer_id,
                "contract_number": current.contract.number if current.contract else "",
                "applies_to": current.applies_to.value, "diagnosis_days": current.diagnosis_days,
                "diagnosis_unit": current.diagnosis_unit.value, "repair_days": current.repair_days,
                "repair_unit": current.repair_unit.value, "margin": current.margin_hours, "margin_unit": "hours",
                "pause_on_approval": current.pause_on_approval, "pause_in_transit": current.pause_in_transit,
                "active": current.active}
    values = {**base, **f.values}
    values["contract_number"] = values["contract_number"] or ""
    rename_fields(center_id="center", manufacturer_id="manufacturer")
    return values


@bp.route("/deadline-rules")
@ADMIN
def deadline_rules() -> Response:
    """The rules, of one center with ?center=CODE."""
    page, per_page = query_page()
    center_id = _center_filter()
    found = queries.list_rules(db(), center_id)  # a few per center
    result = Page(found[(page - 1) * per_page:page * per_page], page, per_page, len(found))
    return jsonify(paged(result, [_rule(r) for r in result.items]))


@bp.route("/deadline-rules", methods=["POST"])
@ADMIN
def create_deadline_rule() -> Response:
    rule, result = rules.save_rule(db(), actor(), **_rule_values(None))
    return created({**_rule(rule), "recomputed": _recompute(result)},
                   url_for("api.get_deadline_rule", rule_id=rule.id))


@bp.route("/deadline-rules/<int:rule_id>", methods=["GET", "PATCH"])  # one rule for both: see admin_fields
@ADMIN
def get_deadline_rule(rule_id: int) -> Response:
    if request.method == "PATCH":
        return update_deadline_rule(rule_id)
    return jsonify(_rule(record(DeadlineRule, rule_id, NO_RULE)))


@ADMIN
def update_deadline_rule(rule_id: int) -> Response:
    found = record(DeadlineRule, rule_id, NO_RULE)
    rule, result = rules.save_rule(db(), actor(), found, **_rule_values(found))
    return jsonify({**_rule(rule), "recomputed": _recompute(result)})


# --- The calendar ---------------------------------------------------------------------------------

@bp.route("/calendar-days")
@ADMIN
def calendar_days() -> Response:
    """The network's calendar, or one center's (?center=CODE); ?year= narrows it."""
    page, per_page = query_page()
    center_id = _center_filter()
    raw = request.args.get("year", "")
    if raw and not (raw.isascii() and raw.isdigit() and len(raw) <= 4 and MINYEAR <= int(raw) <= MAXYEAR):
        f = Fields({})
        f.fail("year", N_("A whole number"))
        f.check()
    days = queries.list_calendar_days(db(), center_id, int(raw) if raw else None)  # a calendar is short
    result = Page(days[(page - 1) * per_page:page * per_page], page, per_page, len(days))
    return jsonify(paged(result, [_day(d) for d in result.items]))


@bp.route("/calendar-days", methods=["POST"])
@ADMIN
def add_calendar_day() -> Response:
    """A day off (a holiday) or a worked weekend day, for one center or (center null) the whole network."""
    f = Body()
    f.require("day")
    day = f.day("day")
    f.boolean("working")
    f.string("name", 120)
    center = None
    if f.data.get("center") is not None:
        center = center_by_code(f, "center", f.data["center"])
    f.check()
    rename_fields(center_id="center")
    entry, result = rules.add_calendar_day(db(), actor(), center_id=center.id if center else None, day=day,
                                           working=f.values.get("working", False), name=f.values.get("name", ""))
    return created({**_day(entry), "recomputed": _recompute(result)},
                   url_for("api.calendar_days", center=center.code if center else None))


@bp.route("/calendar-days/<int:day_id>", methods=["DELETE"])
@ADMIN
def remove_calendar_day(day_id: int) -> Response:
    entry = record(CalendarDay, day_id, N_("No such calendar day"))
    return jsonify({"recomputed": _recompute(rules.remove_calendar_day(db(), actor(), entry))})


# --- The OpenAPI description ---------------------------------------------------------------------

BOOL = {"type": "boolean"}
_units = {"type": "string", "enum": [u.value for u in DayUnit]}
_applies = {"type": "string", "enum": [a.value for a in AppliesTo]}
_rule_shape = {
    "center": {**STR, "description": "The center's code"},
    "manufacturer": {**nullable(STR), "description": "Only this brand's orders (null: the center's general rule)"},
    "contract_number": {**nullable(STR), "description": "Only units under this service contract"},
    "applies_to": _applies, "diagnosis_days": INT, "diagnosis_unit": _units, "repair_days": INT,
    "repair_unit": _units, "pause_on_approval": BOOL, "pause_in_transit": BOOL, "active": BOOL,
}
_rule_request = {**_rule_shape, "center": {**STR, "description": "The center's code"},
                 "contract_number": {**nullable(STR), "maxLength": 40},
                 "diagnosis_days": {**INT, "description": "1–365"}, "repair_days": {**INT, "description": "1–365"},
                 "margin": {**INT, "description": "At risk this long before the due date (default 24 hours)"},
                 "margin_unit": {"type": "string", "enum": list(rules.MARGIN_UNITS)}}
RECOMPUTED = {**ref("Recompute"), "description": "What became of the open orders' due dates"}
RULE_ID = [{"name": "rule_id", "in": "path", "required": True, "schema": INT}]
CENTER_Q = {"name": "center", "in": "query", "schema": STR, "description": "A center's code"}
register({
    "/deadline-rules": {
        **guarded_list("listDeadlineRules", "Deadline rules (administrators)", "DeadlineRulePage", [CENTER_Q]),
        "post": {"operationId": "createDeadlineRule", "summary": "Add a deadline rule; recomputes open orders",
                 "requestBody": body("DeadlineRuleRequest"),
                 "responses": {"201": {**json_answer("DeadlineRuleSaved", "Created"),
                                       "headers": {"Location": {"schema": STR}}},
                               **problems("400", "403", "404", "409", "413", "415", "422")}},
    },
    "/deadline-rules/{rule_id}": {
        "get": {"operationId": "getDeadlineRule", "summary": "One deadline rule (administrators)",
                "parameters": RULE_ID,
                "responses": {"200": json_answer("DeadlineRule", "Found"), **problems("403", "404")}},
        "patch": {"operationId": "updateDeadlineRule", "summary": "Change the fields sent; recomputes open orders",
                  "parameters": RULE_ID, "requestBody": body("DeadlineRuleChange"),
                  "responses": {"200": json_answer("DeadlineRuleSaved", "Saved"),
                                **problems("400", "403", "404", "409", "413", "415", "422")}},
    },
    "/calendar-days": {
        **guarded_list("listCalendarDays", "The network's calendar, or one center's (administrators)", "CalendarDayPage",
                  [{**CENTER_Q, "description": "A center's code (absent: the network's calendar)"},
                   {"name": "year", "in": "query", "schema": {**INT, "minimum": MINYEAR, "maximum": MAXYEAR}}]),
        "post": {"operationId": "addCalendarDay", "summary": "Add a day off or a worked weekend day",
                 "requestBody": body("CalendarDayRequest"),
                 "responses": {"201": {**json_answer("CalendarDaySaved", "Added"),
                                       "headers": {"Location": {"schema": STR}}},
                               **problems("400", "403", "404", "409", "413", "415", "422")}},
    },
    "/calendar-days/{day_id}": {
        "delete": {"operationId": "removeCalendarDay", "summary": "Take a day out of the calendar",
                   "parameters": [{"name": "day_id", "in": "path", "required": True, "schema": INT}],
                   "responses": {"200": json_answer("CalendarDayRemoved", "Removed"), **problems("403", "404")}},
    },
}, {
    "Recompute": obj({"changed": {**INT, "description": "Orders whose due dates moved (recomputed at once)"},
                      "queued": {**INT, "description": "Open orders a background job is recomputing"}}),
    "DeadlineRule": obj({"id": INT, **_rule_shape, "margin_hours": INT}),
    "DeadlineRuleSaved": obj({"id": INT, **_rule_shape, "margin_hours": INT, "recomputed": RECOMPUTED}),
    "DeadlineRulePage": page_of("DeadlineRule"),
    "DeadlineRuleRequest": obj(_rule_request, required=["center", "diagnosis_days", "repair_days"], extra=True),
    "DeadlineRuleChange": obj(_rule_request, required=[], extra=True),
    "CalendarDay": obj({"id": INT, "center": nullable(STR), "day": DATE, "working": BOOL, "name": STR}),
    "CalendarDaySaved": obj({"id": INT, "center": nullable(STR), "day": DATE, "working": BOOL, "name": STR,
                             "recomputed": RECOMPUTED}),
    "CalendarDayPage": page_of("CalendarDay"),
    "CalendarDayRequest": obj({
        "day": DATE, "working": {**BOOL, "description": "true: a worked Saturday or Sunday; false: a day off"},
        "name": {**STR, "maxLength": 120},
        "center": {**nullable(STR), "description": "A center's code; null or absent: the whole network"}},
        required=["day"], extra=True),
    "CalendarDayRemoved": obj({"recomputed": RECOMPUTED}),
})
