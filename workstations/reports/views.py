"""The reports section: the list, a report's page (filters, charts, tables), its CSV and XLSX, and the
orders behind any figure.

A report runs through the request's session, so a partner's walled session yields only its own
figures; a team lead's and a partner's center filter is forced to their own center on top of that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

import servicecenter.reports  # noqa: F401  (every report registers itself on import)
from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.centers.models import ServiceCenter
from servicecenter.equipment.models import Unit
from servicecenter.errors import DomainError
from servicecenter.fields import parse_id
from servicecenter.repairs.models import RepairOrder
from servicecenter.reports.base import REPORTS, Report, ReportFilter
from servicecenter.reports.drill import KEYS as DRILL_KEYS
from servicecenter.reports.drill import orders_behind
from workstations.reports import bp
from workstations.reports.filters import (
    FilterRefused,
    brands,
    categories,
    centers,
    filter_args,
    forced_center,
    own_center_only,
    parse_date,
    quick_periods,
    read_filter,
    today,
)
from workstations.reports.present import chart_svg, report_csv, report_xlsx, shown_table, tr
from workstations.web.auth_session import actor
from workstations.web.dbsession import db
from workstations.web.errors import translate

# What each report answers, in a line (shown on the list); a report not named here shows its docstring.
QUESTIONS = {
    "repairs": _l("How many repairs each center received and issued, what is in work by state, the outcomes, "
                  "warranty against paid."),
    "turnaround": _l("How long a repair takes from intake to ready and to issued (median and 90th percentile), "
                     "by center, engineer, brand and category, week by week."),
    "deadlines": _l("Which share of repairs was finished in time, and what is overdue now, by center and engineer."),
    "failures": _l("Which models and manufacturers break most: repairs per unit registered, repeat repairs "
                   "within 90 days, top symptoms, causes and replaced parts."),
    "load": _l("How loaded the engineers are: open orders and logged hours each, and throughput per week."),
    "money": _l("Paid repairs billed and collected, parts consumed at cost, partner statements and "
                "manufacturer claims."),
}

# The drill-down's filter in words (its keys: servicecenter.reports.drill.KEYS; nothing else is passed on).
DRILL_LABELS = {
    "from": _l("From"), "to": _l("To"), "basis": _l("Period applies to"), "center": _l("Center"),
    "brand": _l("Brand"), "category": _l("Category"), "model": _l("Model"), "engineer": _l("Engineer"),
    "state": _l("State"), "outcome": _l("Outcome"), "warranty": _l("Warranty"), "overdue": _l("Overdue"),
    "in_time": _l("Finished in time"), "repeat": _l("Repeat repair"), "symptom": _l("Symptom code"),
    "cause": _l("Cause code"), "part": _l("Part"), "open": _l("Open"), "payer": _l("Payer"),
    "billed": _l("Billed"),
}
BASIS_LABELS = {"received": _l("received"), "ready": _l("ready for pickup"), "issued": _l("issued"),
                "created": _l("created"), "paid": _l("paid")}
def _entry(key: str) -> tuple[str, Any]:
    entry = REPORTS.get(key)
    if entry is None:
        abort(404)
    return entry


def _filter_names(flt: ReportFilter) -> dict[str, str]:
    """The filter in words, for the exports' first row."""
    center = db().get(ServiceCenter, flt.center_id) if flt.center_id else None
    brand = db().get(Manufacturer, flt.manufacturer_id) if flt.manufacturer_id else None
    return {_("Center"): f"{center.code} — {center.name}" if center else _("All centers"),
            _("Brand"): brand.name if brand else "", _("Category"): flt.category or ""}


def _args() -> dict[str, str]:
    return {k: request.args.get(k, "") for k in ("from", "to", "center", "brand", "category")}


@dataclass
class Run:
    """One request's run of a report: its key and title, and the figures or the refusal."""

    key: str
    title: str
    report: Report | None = None
    flt: ReportFilter | None = None
    error: str | None = None
    status: int = 200


def _run(key: str) -> Run:
    title, fn = _entry(key)
    run = Run(key, title)
    try:
        run.flt = read_filter(db(), actor(), _args())
        run.report = fn(db(), run.flt)
    except FilterRefused as exc:
        run.error, run.status = exc.message, exc.status
    except DomainError as exc:
        db().rollback()
        run.error, run.status = translate(exc), 400 if exc.status == 422 else exc.status
    return run


def _page(run: Run) -> tuple[str, int]:
    me, day = actor(), today()
    normal = filter_args(run.flt, me) if run.flt else {}
    values = {**_args(), **normal}  # a refused filter shows what was typed, so it can be corrected
    if not values["from"] and not values["to"]:
        values["from"], values["to"] = day.replace(day=1).isoformat(), day.isoformat()
    keep = {k: v for k, v in normal.items() if k not in ("from", "to")}
    quick = [(text, url_for("reports.show", key=run.key, **{**keep, "from": a.isoformat(), "to": b.isoformat()}))
             for text, a, b in quick_periods(day)]
    admin, report = not own_center_only(me), run.report if run.error is None else None
    return render_template(
        "reports/report.html", key=run.key, title=tr(run.title), report=report, error=run.error, values=values,
        quick=quick, is_admin=admin, own_center=None if admin else db().get(ServiceCenter, me.center_id),
        centers=centers(db()) if admin else [], brands=brands(db()), categories=categories(db()),
        tables=[shown_table(t) for t in report.tables] if report else [],
        charts=[(tr(c.title), chart_svg(c)) for c in report.charts] if report else [],
        notes=[tr(n) for n in report.notes] if report else [], export_args=normal,
    ), run.status


@bp.context_processor
def _tabs() -> dict[str, Any]:
    return {"report_tabs": [(key, tr(title)) for key, (title, _fn) in REPORTS.items()]}


@bp.route("/")
def index() -> str:
    entries = [(key, tr(title), str(QUESTIONS.get(key) or (fn.__doc__ or "").strip().split("\n")[0]))
               for key, (title, fn) in REPORTS.items()]
    return render_template("reports/index.html", entries=entries)


@bp.route("/<key>")
def show(key: str) -> tuple[str, int]:
    return _page(_run(key))


def _download(data: bytes, mimetype: str, key: str, flt: ReportFilter, ext: str) -> Response:
    response = Response(data, mimetype=mimetype)
    name = f"{key}-{flt.date_from.isoformat()}-{flt.date_to.isoformat()}.{ext}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<key>.csv")
def export_csv(key: str) -> Response | tuple[str, int]:
    run = _run(key)
    if run.report is None or run.flt is None:
        return _page(run)
    return _download(report_csv(run.report, run.flt, _filter_names(run.flt)), "text/csv; charset=utf-8",
                     key, run.flt, "csv")


@bp.route("/<key>.xlsx")
def export_xlsx(key: str) -> Response | tuple[str, int]:
    run = _run(key)
    if run.report is None or run.flt is None:
        return _page(run)
    return _download(report_xlsx(run.report), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     key, run.flt, "xlsx")


# ---------------------------------------------------------------- the orders behind a figure
def drill_params() -> dict[str, str]:
    """The drill filter from the address: its known keys only, dates checked, the center forced."""
    keys = [k for k in DRILL_LABELS if k in DRILL_KEYS] + sorted(set(DRILL_KEYS) - set(DRILL_LABELS))
    params = {k: request.args.get(k, "").strip()[:200] for k in keys if request.args.get(k, "").strip()}
    for key, label in (("from", _("From")), ("to", _("To"))):
        if key in params:
            parse_date(params[key], label)
    me, asked = actor(), params.get("center", "")
    if asked and not own_center_only(me) and parse_id(asked) is None:
        raise FilterRefused(_("There is no service center “%(value)s”.", value=asked[:40]))
    center = forced_center(me, asked)
    if center is not None:
        params["center"] = str(center)
    return params


def _described(params: dict[str, str]) -> list[tuple[str, str]]:
    """The drill filter in words: centers, brands and models by name, states by label."""
    from workstations import labels

    out = []
    for key, value in params.items():
        text = value
        if key in ("center", "brand", "model") and parse_id(value) is not None:
            model = {"center": ServiceCenter, "brand": Manufacturer, "model": ProductModel}[key]
            row = db().get(model, parse_id(value))
            if row is not None:
                text = f"{row.code} — {row.name}" if key == "center" else row.name
        elif key == "state":
            text = ", ".join(labels.label(labels.STATE, s) if s in labels.STATE else s for s in value.split(","))
        elif key == "outcome" and value in labels.OUTCOME:
            text = labels.label(labels.OUTCOME, value)
        elif key == "basis" and value in BASIS_LABELS:
            text = str(BASIS_LABELS[value])
        elif value in ("yes", "no"):
            text = _("yes") if value == "yes" else _("no")
        out.append((str(DRILL_LABELS.get(key, key)), text))
    return out


@bp.route("/orders")
def orders() -> tuple[str, int]:
    page_no = max(1, request.args.get("page", 1, type=int) or 1)
    try:
        params = drill_params()
        page = orders_behind(db(), params, page_no)
    except FilterRefused as exc:
        return render_template("reports/orders.html", error=exc.message, page=None, params={},
                               described=[]), exc.status
    except DomainError as exc:
        db().rollback()
        return render_template("reports/orders.html", error=translate(exc), page=None, params={},
                               described=[]), 400 if exc.status == 422 else exc.status
    _prefetch(page.items)
    return render_template("reports/orders.html", error=None, page=page, params=params,
                           described=_described(params)), 200


def _prefetch(orders: list[RepairOrder]) -> None:
    """Load the rows' centers, units, models and brands in two queries, not three per row (the
    template's lookups then come from the session's identity map)."""
    unit_ids = {o.unit_id for o in orders if o.unit_id}
    center_ids = {o.center_id for o in orders}
    if unit_ids:
        list(db().scalars(select(Unit).options(joinedload(Unit.model).joinedload(ProductModel.manufacturer))
                          .where(Unit.id.in_(unit_ids))))
    if center_ids:
        list(db().scalars(select(ServiceCenter).where(ServiceCenter.id.in_(center_ids))))
