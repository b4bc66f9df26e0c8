"""The team lead's planned maintenance: what is ahead in the next 30 days, and the center's plans
(add, edit, deactivate). A plan belongs to the team lead's own center; another center's plan
answers 404, like any record outside the caller's center."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.clock import local_date, utcnow
from servicecenter.errors import N_, NotFound, ValidationFailed
from servicecenter.maintenance import queries, services
from servicecenter.maintenance.models import DateKind, MaintenancePlan, PlanAction, PlanScope, Schedule
from workstations.admin.forms import ServiceForm
from workstations.admin.views import form_page, refused, submitted_status
from workstations.team_lead import bp
from workstations.team_lead.views import own_center
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

Page = tuple[str, int]

SCOPE_LABELS = {PlanScope.UNIT: _l("One unit"), PlanScope.MODEL: _l("Every unit of a model"),
                PlanScope.CONTRACT: _l("The units of a service contract")}
SCHEDULE_LABELS = {Schedule.EVERY_MONTHS: _l("Every N months from the start date"),
                   Schedule.BEFORE_DATE: _l("Before a date on the unit's card")}
ACTION_LABELS = {PlanAction.ORDER: _l("Pre-register an order"), PlanAction.REMINDER: _l("Only a reminder")}
DATE_KIND_LABELS = {DateKind.LICENCE: _l("Licence expiry"), DateKind.FISCAL_DRIVE: _l("Fiscal drive (ФН) expiry"),
                    DateKind.CALIBRATION: _l("Calibration expiry"), DateKind.OTHER: _l("Other date")}


def _choices(mapping: dict) -> list[SelectChoice]:
    return [SelectChoice(k.value, v) for k, v in mapping.items()]


class PlanForm(ServiceForm):
    service_fields = services.PLAN_FIELDS

    name = StringField(_l("Name"), [Length(max=200)], description=_l("E.g. “Quarterly service of cash registers”."))
    work = TextAreaField(_l("Work to do"), [Length(max=2000)],
                         description=_l("Becomes the fault text of the pre-registered order."))
    scope = SelectField(_l("Covers"), choices=lambda: _choices(SCOPE_LABELS), default=PlanScope.UNIT.value)
    unit_serial = StringField(_l("Unit serial"), [Length(max=64)], description=_l("For one unit."))
    model_id = SelectField(_l("Model"), choices=[], description=_l("For every unit of a model."))
    owner_phone = StringField(_l("Only units of the customer with the phone"), [Length(max=32)],
                              description=_l("Optional, for a model."))
    contract_number = StringField(_l("Service contract number"), [Length(max=40)],
                                  description=_l("For a contract: its units, while the contract runs."))
    schedule = SelectField(_l("Schedule"), choices=lambda: _choices(SCHEDULE_LABELS),
                           default=Schedule.EVERY_MONTHS.value)
    every_months = StringField(_l("Every, months"), [Length(max=4)], default="12")
    start_on = StringField(_l("Start date"), [Length(max=10)], render_kw={"type": "date"},
                           description=_l("Every N months: the first due date. Before a date: card dates "
                                          "before it are ignored (today when empty)."))
    date_kind = SelectField(_l("Date on the card"), choices=lambda: _choices(DATE_KIND_LABELS),
                            default=DateKind.LICENCE.value)
    lead_days = StringField(_l("Days ahead"), [Length(max=4)], default="14",
                            description=_l("How many days before the due date the order or reminder is made."))
    action = SelectField(_l("What happens"), choices=lambda: _choices(ACTION_LABELS), default=PlanAction.ORDER.value)
    active = BooleanField(_l("Active"), default=True)


class UnitDateForm(ServiceForm):
    service_fields = ("unit_serial", "date_kind", "due_on", "note")

    unit_serial = StringField(_l("Unit serial"), [Length(max=64)])
    date_kind = SelectField(_l("Date on the card"), choices=lambda: _choices(DATE_KIND_LABELS),
                            default=DateKind.LICENCE.value)
    due_on = StringField(_l("Date"), [Length(max=10)], render_kw={"type": "date"})
    note = StringField(_l("Note"), [Length(max=200)], description=_l("E.g. which licence, the fiscal drive's number."))


class ActionForm(FlaskForm):
    """A button: only the CSRF token."""


def _plan_form(**kwargs: object) -> PlanForm:
    form = PlanForm(**kwargs)
    rows = db().execute(select(ProductModel.id, Manufacturer.name, ProductModel.name).join(Manufacturer)
                        .where(ProductModel.active.is_(True)).order_by(Manufacturer.name, ProductModel.name))
    form.model_id.choices = [SelectChoice("", "—")] + [SelectChoice(str(i), f"{b} {m}") for i, b, m in rows]
    return form


def _plan(plan_id: int) -> MaintenancePlan:
    plan = queries.get_plan(db(), own_center().id, plan_id)
    if plan is None:
        raise NotFound(N_("No such maintenance plan"))
    return plan


def _page(title: str) -> dict:
    return {"title": title, "cancel": url_for("team_lead.maintenance"),
            "back": (url_for("team_lead.maintenance"), _("Planned maintenance"))}


@bp.route("/maintenance")
def maintenance() -> str:
    center = own_center()
    today = local_date(utcnow(), center.timezone)
    return render_template("team_lead/maintenance.html", center=center, today=today,
                           ahead=queries.list_ahead(db(), center.id, today), plans=queries.list_plans(db(), center.id),
                           form=ActionForm(), scopes=SCOPE_LABELS, schedules=SCHEDULE_LABELS, actions=ACTION_LABELS,
                           date_kinds=DATE_KIND_LABELS, days=queries.AHEAD_DAYS)


@bp.route("/maintenance/new", methods=["GET", "POST"])
def maintenance_new() -> Response | Page:
    own_center()
    form = _plan_form()
    page = _page(_("New maintenance plan"))
    if form.validate_on_submit():
        try:
            plan = services.create_plan(db(), actor(), **form.service_values())
        except ValidationFailed as exc:
            return refused(form, exc, **page)
        flash(_("Maintenance plan %(name)s added.", name=plan.name), "success")
        return redirect(url_for("team_lead.maintenance"), 303)
    return form_page(form, status=submitted_status(form), **page)


@bp.route("/maintenance/<int:plan_id>/edit", methods=["GET", "POST"])
def maintenance_edit(plan_id: int) -> Response | Page:
    plan = _plan(plan_id)
    data = {"name": plan.name, "work": plan.work, "scope": plan.scope.value, "schedule": plan.schedule.value,
            "action": plan.action.value, "active": plan.active, "unit_serial": plan.unit.serial if plan.unit else "", "owner_phone": plan.owner.phone if plan.owner else "",
            "contract_number": plan.contract.number if plan.contract else "",
            "model_id": str(plan.model_id or ""), "every_months": str(plan.every_months or ""),
            "start_on": plan.start_on.isoformat(), "lead_days": str(plan.lead_days),
            "date_kind": plan.date_kind.value if plan.date_kind else DateKind.LICENCE.value}
    form = _plan_form(data=data)
    page = _page(plan.name)
    if form.validate_on_submit():
        try:
            services.update_plan(db(), actor(), plan, **form.service_values())
        except ValidationFailed as exc:
            return refused(form, exc, **page)
        flash(_("Maintenance plan %(name)s saved.", name=plan.name), "success")
        return redirect(url_for("team_lead.maintenance"), 303)
    return form_page(form, status=submitted_status(form), **page)


@bp.route("/maintenance/<int:plan_id>/deactivate", methods=["POST"])
def maintenance_deactivate(plan_id: int) -> Response:
    plan = _plan(plan_id)
    if ActionForm().validate_on_submit():
        services.deactivate_plan(db(), actor(), plan)
        flash(_("Maintenance plan %(name)s stopped; what it made stays.", name=plan.name), "success")
    else:
        flash(_("The form was incomplete; nothing was changed."), "error")
    return redirect(url_for("team_lead.maintenance"), 303)


@bp.route("/maintenance/unit-date", methods=["GET", "POST"])
def maintenance_unit_date() -> Response | Page:
    own_center()
    form = UnitDateForm()
    page = _page(_("A date on a unit's card"))
    if form.validate_on_submit():
        try:
            row = services.record_unit_date(db(), actor(), **form.service_values())
        except ValidationFailed as exc:
            return refused(form, exc, **page)
        flash(_("Date saved on the card of %(serial)s.", serial=row.unit.serial), "success")
        return redirect(url_for("team_lead.maintenance"), 303)
    return form_page(form, status=submitted_status(form), **page)
