"""Deadline rules per center (with manufacturer or contract overrides) and the business calendar."""

from __future__ import annotations

from datetime import MAXYEAR, MINYEAR

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import BooleanField, DateField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from servicecenter.centers.models import ServiceCenter
from servicecenter.deadlines import queries, rules
from servicecenter.deadlines.models import CalendarDay, DeadlineRule
from servicecenter.deadlines.services import deadline_status as _deadline_status
from servicecenter.deadlines.terms import (
    DEFAULT_DIAGNOSIS_DAYS,
    DEFAULT_REPAIR_DAYS_PAID,
    DEFAULT_REPAIR_DAYS_WARRANTY,
)
from servicecenter.errors import N_, ValidationFailed
from servicecenter.fields import parse_id
from servicecenter.repairs.models import RepairOrder
from workstations.admin import bp
from workstations.admin.catalog import manufacturer_choices
from workstations.admin.forms import ServiceForm, apply_refusal, optional_int, safe_int
from workstations.admin.views import form_page, get_or_404, refused, submitted_status
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

Page = tuple[str, int]

APPLIES_TO = {"any": _l("all orders"), "warranty": _l("warranty orders"), "paid": _l("paid orders")}
DAY_UNITS = {"calendar": _l("calendar days"), "business": _l("business days")}
MARGIN_UNITS = {"hours": _l("hours"), "days": _l("days")}


def _choices(mapping: dict) -> list[SelectChoice]:
    return [SelectChoice(key, text) for key, text in mapping.items()]


def center_choices(blank: str | None = None) -> list[SelectChoice]:
    choices = [SelectChoice(c.id, f"{c.code} — {c.name}")
               for c in db().scalars(select(ServiceCenter).order_by(ServiceCenter.code))]
    return [SelectChoice("", blank), *choices] if blank is not None else choices


class RuleForm(ServiceForm):
    service_fields = ("center_id", "manufacturer_id", "contract_number", "applies_to", "diagnosis_days",
                      "diagnosis_unit", "repair_days", "repair_unit", "margin", "margin_unit",
                      "pause_on_approval", "pause_in_transit", "active")

    center_id = SelectField(_l("Service center"), coerce=optional_int, choices=[], validate_choice=False)
    manufacturer_id = SelectField(_l("Only for the manufacturer"), coerce=safe_int, choices=[],
                                  validate_choice=False,
                                  description=_l("Blank: the center's general rule. Not together with a contract."))
    contract_number = StringField(_l("Only for the service contract No."), [Length(max=40)],
                                  description=_l("Overrides a manufacturer's rule for units under this contract."))
    applies_to = SelectField(_l("Applies to"), choices=lambda: _choices(APPLIES_TO), default="any")
    diagnosis_days = IntegerField(_l("Time to diagnosis, days"), [InputRequired()], default=3,
                                  render_kw={"min": 1, "max": 365})
    diagnosis_unit = SelectField(_l("Diagnosis counted in"), choices=lambda: _choices(DAY_UNITS), default="calendar")
    repair_days = IntegerField(_l("Time to repair, days"), [InputRequired()], default=20,
                               render_kw={"min": 1, "max": 365},
                               description=_l("From intake. Warranty orders are also held to the 45-day legal "
                                              "limit, whatever the rule says."))
    repair_unit = SelectField(_l("Repair counted in"), choices=lambda: _choices(DAY_UNITS), default="calendar")
    margin = IntegerField(_l("At risk before the due date"), [InputRequired()], default=24, render_kw={"min": 0})
    margin_unit = SelectField(_l("Margin in"), choices=lambda: _choices(MARGIN_UNITS), default="hours")
    pause_on_approval = BooleanField(_l("Pause while the customer decides on the estimate"), default=True)
    pause_in_transit = BooleanField(_l("Pause while the unit is in transit"), default=False)
    active = BooleanField(_l("Active"), default=True)


class CalendarDayForm(FlaskForm):
    day = DateField(_l("Date"), [InputRequired()])
    working = BooleanField(_l("A worked Saturday or Sunday (not a day off)"))
    name = StringField(_l("Name"), [Optional(), Length(max=120)], description=_l("E.g. New Year holidays."))


@bp.app_template_global()
def deadline_status(order: RepairOrder) -> str | None:
    """overdue / at_risk / on_time / None for the order page's deadline badge."""
    return _deadline_status(order)


def _defaults_text() -> str:
    return _("Without a rule: diagnosis in %(diagnosis)s calendar days; repair in %(warranty)s calendar days "
             "for warranty orders (the legal limit) and %(paid)s for paid ones; at risk one day before; "
             "paused while the customer decides on an estimate.",
             diagnosis=DEFAULT_DIAGNOSIS_DAYS, warranty=DEFAULT_REPAIR_DAYS_WARRANTY, paid=DEFAULT_REPAIR_DAYS_PAID)


@bp.route("/deadlines/")
def deadlines() -> str:
    center_id = request.args.get("center", type=parse_id)
    return render_template("admin/deadlines.html", rules=queries.list_rules(db(), center_id),
                           centers=center_choices(blank=_("All")), center_id=center_id,
                           applies_to=APPLIES_TO, day_units=DAY_UNITS, defaults=_defaults_text())


def _rule_form(rule: DeadlineRule | None = None) -> RuleForm:
    form = RuleForm(obj=rule)
    form.center_id.choices = center_choices()
    form.manufacturer_id.choices = manufacturer_choices(blank="—")
    if rule is not None and not form.is_submitted():
        form.contract_number.data = rule.contract.number if rule.contract else ""
        form.margin.data, form.margin_unit.data = ((rule.margin_hours // 24, "days") if rule.margin_hours % 24 == 0
                                                   and rule.margin_hours else (rule.margin_hours, "hours"))
    elif rule is None and not form.is_submitted():
        form.center_id.data = request.args.get("center", type=parse_id)
    return form


def _recomputed(done: str, result: rules.Recompute) -> None:
    """Say what became of the open orders: how many got new dates, or that a job is on it."""
    if result.queued:
        flash(_("%(done)s The due dates of %(n)s open orders are being recomputed in the background; each "
                "order that gets new dates shows it in its history.", done=done, n=result.queued), "success")
    else:
        flash(_("%(done)s Open orders with new due dates: %(n)s.", done=done, n=result.changed), "success")


def _saved(rule: DeadlineRule, result: rules.Recompute) -> Response:
    _recomputed(_("Deadline rule saved."), result)
    return redirect(url_for("admin.deadlines", center=rule.center_id))


@bp.route("/deadlines/new", methods=["GET", "POST"])
def deadline_new() -> Response | Page:
    form = _rule_form()
    page = {"title": _("New deadline rule"), "cancel": url_for("admin.deadlines"), "hint": _defaults_text()}
    if form.validate_on_submit():
        try:
            rule, result = rules.save_rule(db(), actor(), **form.service_values())
        except ValidationFailed as exc:
            return refused(form, exc, **page)
        return _saved(rule, result)
    return form_page(form, status=submitted_status(form), **page)


@bp.route("/deadlines/<int:rule_id>/edit", methods=["GET", "POST"])
def deadline_edit(rule_id: int) -> Response | Page:
    rule = get_or_404(DeadlineRule, rule_id, N_("No such deadline rule"))
    form = _rule_form(rule)
    page = {"title": _("Deadline rule of %(center)s", center=rule.center.code),
            "cancel": url_for("admin.deadlines", center=rule.center_id),
            "hint": _("Saving recomputes the due dates of the center's open orders; the legal limit stays.")}
    if form.validate_on_submit():
        try:
            rule, result = rules.save_rule(db(), actor(), rule, **form.service_values())
        except ValidationFailed as exc:
            return refused(form, exc, **page)
        return _saved(rule, result)
    return form_page(form, status=submitted_status(form), **page)


# --- The calendar ------------------------------------------------------------------------------------

@bp.route("/deadlines/calendar", methods=["GET", "POST"])
def deadline_calendar() -> Response | Page:
    center_id = request.args.get("center", type=parse_id)
    center = get_or_404(ServiceCenter, center_id, N_("No such service center")) if center_id else None
    year = request.args.get("year", type=int)
    year = year if year is not None and MINYEAR <= year <= MAXYEAR else None  # a year no calendar has: all years
    form = CalendarDayForm()
    error, general, status = None, [], 200
    if form.validate_on_submit():
        try:
            _day, result = rules.add_calendar_day(db(), actor(), center_id=center_id, day=form.day.data,
                                                 working=form.working.data, name=form.name.data or "")
        except ValidationFailed as exc:
            error, general = apply_refusal(form, exc)
            status = 422
        else:
            _recomputed(_("Day added."), result)
            return redirect(url_for("admin.deadline_calendar", center=center_id))
    elif form.is_submitted():
        status = 422
    days = queries.list_calendar_days(db(), center_id, year)
    return render_template("admin/deadlines_calendar.html", form=form, days=days, center=center,
                           centers=center_choices(blank=_("The whole network")), error=error,
                           general=general), status


@bp.route("/deadlines/calendar/<int:day_id>/delete", methods=["POST"])
def deadline_day_delete(day_id: int) -> Response:
    entry = get_or_404(CalendarDay, day_id, N_("No such calendar day"))
    center_id = entry.center_id
    form = FlaskForm()
    if form.validate_on_submit():
        _recomputed(_("Day removed."), rules.remove_calendar_day(db(), actor(), entry))
    return redirect(url_for("admin.deadline_calendar", center=center_id))
