"""Reports over the API: the same registered reports as the reports workstation, with the same filter
and the same roles (team leads their own center's, administrators any or the whole network, partners
their own center's), as data; and the orders behind any figure as a CSV/XLSX export or their work
orders, made in the background as file jobs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import jsonify, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from servicecenter.accounts.roles import PARTNER_ROLES, Role
from servicecenter.catalog.models import Manufacturer
from servicecenter.centers.models import ServiceCenter
from servicecenter.errors import N_, NotFound
from servicecenter.filejobs.services import (
    CSV,
    MAX_WORK_ORDERS,
    XLSX,
    request_orders_export,
    request_work_orders,
)
from servicecenter.reports import REPORTS
from servicecenter.reports.base import Cell, Report, ReportFilter
from servicecenter.reports.drill import KEYS as DRILL_KEYS
from servicecenter.reports.drill import orders_behind_query
from workstations.api import bp
from workstations.api.file_jobs import file_job_body
from workstations.api.payload import Fields, json_body
from workstations.api.problems import Problem
from workstations.api.spec import DATE, STR, json_answer, nullable, obj, problems, ref, register
from workstations.reports.filters import FilterRefused, read_filter
from workstations.reports.views import drill_params
from workstations.web.access import allow
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

REPORT_ROLES = (Role.TEAM_LEAD, Role.ADMIN, *PARTNER_ROLES)  # the reports workstation's
FILTER_KEYS = ("from", "to", "center", "brand", "category")
WORK_ORDERS = "work_orders"


def _value(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def _cell(cell: Cell) -> dict[str, Any]:
    return {"value": _value(cell.value), "orders": dict(cell.drill.params) if cell.drill else None}


def _filter(flt: ReportFilter) -> dict[str, Any]:
    center = db().get(ServiceCenter, flt.center_id) if flt.center_id else None
    brand = db().get(Manufacturer, flt.manufacturer_id) if flt.manufacturer_id else None
    return {"from": flt.date_from.isoformat(), "to": flt.date_to.isoformat(),
            "center": center.code if center else None, "brand": brand.name if brand else None,
            "category": flt.category}


def _report(report: Report, flt: ReportFilter) -> dict[str, Any]:
    return {"key": report.key, "title": gettext(report.title), "filter": _filter(flt),
            "tables": [{"title": gettext(t.title),
                        "columns": [{"key": c.key, "label": gettext(c.label), "kind": c.kind} for c in t.columns],
                        "rows": [[_cell(cell) for cell in row] for row in t.rows]} for t in report.tables],
            "notes": [gettext(n) for n in report.notes]}


def _refused(exc: FilterRefused) -> Problem:
    """Another center's figures asked for by one who sees only its own: 403; a filter that cannot be read: 422."""
    return Problem(403, exc.message) if exc.status == 403 else Problem(422, exc.message)


@bp.route("/reports")
@allow(*REPORT_ROLES)
def list_reports() -> Response:
    """The reports there are, in the workstation's order."""
    items = [{"key": key, "title": gettext(title), "url": url_for("api.get_report", key=key)}
             for key, (title, _fn) in REPORTS.items()]
    return jsonify({"items": items, "page": 1, "pages": 1, "total": len(items)})


@bp.route("/reports/<key>")
@allow(*REPORT_ROLES)
def get_report(key: str) -> Response:
    """One report's tables for a period (this month so far by default) and the optional center (its id,
    administrators), brand (its id) and product category — the workstation's filter, refused the same way."""
    entry = REPORTS.get(key)
    if entry is None:
        raise NotFound(N_("No such report"))
    try:
        flt = read_filter(db(), actor(), {k: request.args.get(k, "") for k in FILTER_KEYS})
    except FilterRefused as exc:
        raise _refused(exc) from exc
    return jsonify(_report(entry[1](db(), flt), flt))


@bp.route("/repair-orders/export", methods=["POST"])
@allow(*REPORT_ROLES)
def export_orders() -> Response:
    """The orders behind a figure (its `orders` filter, in the query string) as CSV or XLSX, or their work
    orders as one PDF: a file job, made in the background (GET /file-jobs/{id})."""
    f = Fields(json_body())
    what = f.choice("format", [CSV, XLSX, WORK_ORDERS], CSV)
    f.check()
    try:
        params = drill_params()
    except FilterRefused as exc:
        raise _refused(exc) from exc
    if what == WORK_ORDERS:
        # One more than allowed is read, so that too long a list is refused rather than cut short.
        orders = list(db().scalars(orders_behind_query(params).limit(MAX_WORK_ORDERS + 1)))
        job = request_work_orders(db(), actor(), orders, "work-orders.pdf")
    else:
        job = request_orders_export(db(), actor(), params, what)
    db().flush()
    response = jsonify(file_job_body(job))
    response.status_code = 202
    response.headers["Location"] = url_for("api.file_job", job_id=job.id)
    return response


_VALUE = {"type": ["number", "string", "null"], "description": "Counts and sums are numbers, shares 0..1"}
_DRILL = {"type": ["object", "null"], "additionalProperties": STR,
          "description": "The orders behind this figure: pass these as the query of POST /repair-orders/export"}
_FILTER_PARAMS = [
    {"name": "from", "in": "query", "schema": DATE, "description": "First day (default: the 1st of this month)"},
    {"name": "to", "in": "query", "schema": DATE, "description": "Last day, included (default: today)"},
    {"name": "center", "in": "query", "schema": STR, "description": "A center's id (administrators)"},
    {"name": "brand", "in": "query", "schema": STR, "description": "A manufacturer's id"},
    {"name": "category", "in": "query", "schema": STR, "description": "A product category"},
]

register({
    "/reports": {"get": {
        "operationId": "listReports", "summary": "The reports (team leads, administrators, partners)",
        "responses": {"200": json_answer("ReportList", "Every report"), **problems("403")}}},
    "/reports/{key}": {"get": {
        "operationId": "getReport", "summary": "A report's tables for a period, center, brand and category",
        "parameters": [{"name": "key", "in": "path", "required": True, "schema": STR,
                        "description": "From GET /reports, e.g. load, turnaround, deadlines"}, *_FILTER_PARAMS],
        "responses": {"200": json_answer("Report", "The figures"), **problems("403", "404", "422")}}},
    "/repair-orders/export": {"post": {
        "operationId": "exportRepairOrders",
        "summary": "The orders behind a figure as CSV or XLSX, or their work orders (a file job)",
        "parameters": [{"name": key, "in": "query", "schema": STR} for key in sorted(DRILL_KEYS)],
        "requestBody": {"required": True, "content": {"application/json": {"schema": ref("ExportRequest")}}},
        "responses": {"202": {**json_answer("FileJob", "Queued: follow GET /file-jobs/{id}"),
                              "headers": {"Location": {"schema": STR}}},
                      **problems("400", "403", "413", "415", "422")}}},
}, {
    "ReportList": obj({"items": {"type": "array", "items": obj({"key": STR, "title": STR, "url": STR})},
                       "page": {"type": "integer"}, "pages": {"type": "integer"}, "total": {"type": "integer"}}),
    "Report": obj({
        "key": STR, "title": STR,
        "filter": obj({"from": DATE, "to": DATE, "center": nullable(STR), "brand": nullable(STR),
                       "category": nullable(STR)}),
        "tables": {"type": "array", "items": obj({
            "title": STR,
            "columns": {"type": "array", "items": obj({"key": STR, "label": STR, "kind": {
                "type": "string", "enum": ["text", "int", "money", "share", "hours", "days"]}})},
            "rows": {"type": "array", "items": {"type": "array", "items": obj({"value": _VALUE,
                                                                                "orders": _DRILL})}}})},
        "notes": {"type": "array", "items": STR}}),
    "ExportRequest": obj({"format": {"type": "string", "enum": [CSV, XLSX, WORK_ORDERS], "default": CSV}},
                         required=[], extra=True),
})
