"""The order page every staff role shares: details, history, and the actions the role may take."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, format_currency
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from printing import (
    labels_with_accessories,
    render_act,
    render_conclusion,
    render_label_png,
    render_label_zpl,
    render_labels_pdf,
    render_work_order,
)
from servicecenter.accounts.models import User
from servicecenter.accounts.roles import PARTNER_ROLES, STAFF_ROLES, Role
from servicecenter.centers.models import ServiceCenter
from servicecenter.errors import N_, StateConflict
from servicecenter.i18n import translator
from servicecenter.repairs import queries, routing, services
from servicecenter.repairs.documents import (
    HandoverWords,
    Words,
    build_act,
    build_conclusion,
    build_label,
    build_work_order,
    label_profile,
)
from servicecenter.repairs.handover import prints_conclusion
from servicecenter.repairs.models import Outcome, RepairOrder, initial_payer
from servicecenter.repairs.states import STATE_HELP, RepairState, transitions_from
from servicecenter.repairs.words import warranty_text, work_order_words
from servicecenter.scanning import normalise_scan
from workstations import labels
from workstations.labels import label
from workstations.web.access import allow, any_staff, blueprint_policy
from workstations.web.auth_session import actor, reader
from workstations.web.dbsession import db, keyed_lookups
from workstations.web.forms import IdField

bp = Blueprint("orders", __name__, url_prefix="/orders")
blueprint_policy(bp, STAFF_ROLES)


class TransitionForm(FlaskForm):
    to = HiddenField(validators=[DataRequired()])
    version = IntegerField(validators=[Optional()])
    diagnosis = TextAreaField(validators=[Optional(), Length(max=4000)])
    estimate_total = StringField(validators=[Optional(), Length(max=20)])
    outcome = StringField(validators=[Optional(), Length(max=20)])
    outcome_note = TextAreaField(validators=[Optional(), Length(max=4000)])
    reason = TextAreaField(validators=[Optional(), Length(max=4000)])


class AssignForm(FlaskForm):
    engineer_id = IdField(validators=[Optional()])
    version = IntegerField(validators=[Optional()])


class RouteForm(FlaskForm):
    center_id = IdField(validators=[DataRequired()])
    version = IntegerField(validators=[Optional()])


class CommentForm(FlaskForm):
    text = TextAreaField(validators=[DataRequired(), Length(max=4000)])


def _engineers(center_id: int) -> list[User]:
    return list(db().scalars(
        select(User).where(User.center_id == center_id, User.active.is_(True),
                           User.role.in_([Role.ENGINEER, Role.TEAM_LEAD, *PARTNER_ROLES])).order_by(User.name)
    ))


def _warranty_text(order, history) -> str:  # noqa: ANN001
    """The warranty reason in the reader's language when the system gave it, else as typed."""
    return warranty_text(order, history, _)


def _handed_back_elsewhere(order) -> bool:  # noqa: ANN001
    """A routed order goes back to the counter that took it in: nobody else is offered the hand-back."""
    me = reader()
    return (order.center_id != order.intake_center_id and not me.works_network_wide
            and me.center_id != order.intake_center_id)


@bp.route("/")
@keyed_lookups
@any_staff()
def find() -> Response | str:
    """Open an order by number (typed or scanned)."""
    number = (request.args.get("number") or "").strip()
    if number:  # a scan: the shared parser maps Russian-layout keys back and drops blanks
        found = queries.find_order_number(db(), normalise_scan(number))
        return redirect(url_for("orders.show", number=found))
    return redirect(url_for("auth.home"))


@bp.route("/<number>")
@keyed_lookups
def show(number: str) -> str:
    session = db()
    order = queries.get_order_by_number(session, number)
    role = current_user.role
    history = queries.list_order_history(session, order)
    return render_template(
        "orders/show.html",
        order=order,
        history=history,
        warranty_text=_warranty_text(order, history),
        payer=initial_payer(order.order_type, order.warranty_covered),
        transitions=[t for t in transitions_from(order.state, role)
                     if not (t.target == RepairState.ISSUED and _handed_back_elsewhere(order))],
        state_help=STATE_HELP[order.state],
        engineers=_engineers(order.center_id) if role in services.ASSIGN_ROLES else [],
        outcomes=list(Outcome),
        partners=routing.partner_candidates(session, order) if routing.can_route(reader(), order) else None,
    )


def _words(order) -> Words:  # noqa: ANN001
    """The order's texts for paper: printed documents are Russian, whatever the screen's language."""
    return work_order_words(order, queries.list_order_history(db(), order), translator("ru").gettext)


def _file(data: bytes, mimetype: str, filename: str, inline: bool = True) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<number>/work-order.pdf")
def work_order_pdf(number: str) -> Response:
    order = queries.get_order_by_number(db(), number)
    copies = 2 if request.args.get("copies") == "2" else 1
    doc = build_work_order(order, _words(order), clerk=actor().name, copies=copies)
    return _file(render_work_order(doc), "application/pdf", f"{order.number}.pdf")


def _handover_words(order) -> HandoverWords:  # noqa: ANN001
    with force_locale("ru"):
        outcome = label(labels.OUTCOME, order.outcome)
        payment = (_("Warranty repair: nothing to pay") if order.warranty_covered else
                   _("Paid: %(amount)s", amount=format_currency(order.amount_paid, "RUB"))
                   if order.amount_paid else _("Nothing to pay"))
        return HandoverWords(work=order.outcome_note or order.diagnosis or outcome, outcome=outcome,
                             payment=payment, repair_warranty=_(
                                 "%(days)s days of our warranty on the work done", days=order.center.repair_warranty_days))


def act_document(order: RepairOrder) -> tuple[bytes, str]:
    """Акт выполненных работ (repaired/replaced) — or the technical conclusion for the rest: the PDF and
    its file name (the order page and the API print the same); a state conflict before the outcome."""
    if order.state not in (RepairState.READY_FOR_PICKUP, RepairState.ISSUED) or order.outcome is None:
        raise StateConflict(N_("Order %(number)s has no outcome yet: nothing to hand back"),
                            current=order.state.value, allowed=[], number=order.number)
    words = _handover_words(order)
    if prints_conclusion(order):
        engineer = order.engineer.name if order.engineer else ""
        return render_conclusion(build_conclusion(order, words, engineer)), f"{order.number}-conclusion.pdf"
    return render_act(build_act(order, words, executor=actor().name)), f"{order.number}-act.pdf"


@bp.route("/<number>/act.pdf")
def act_pdf(number: str) -> Response:
    """Акт выполненных работ (repaired/replaced) — or the technical conclusion for the rest."""
    pdf, name = act_document(queries.get_order_by_number(db(), number))
    return _file(pdf, "application/pdf", name)


def _label(order):  # noqa: ANN001, ANN202
    return build_label(order, label_profile(order.center, current_app.config["SETTINGS"].public_url))


@bp.route("/<number>/label.pdf")
def label_pdf(number: str) -> Response:
    """The unit's label, then one per accessory received (the same number), one label a page."""
    order = queries.get_order_by_number(db(), number)
    docs = labels_with_accessories(_label(order), order.accessories or [])
    return _file(render_labels_pdf(docs), "application/pdf", f"{order.number}-label.pdf")


@bp.route("/<number>/label.png")
def label_png(number: str) -> Response:
    order = queries.get_order_by_number(db(), number)
    return _file(render_label_png(_label(order)), "image/png", f"{order.number}-label.png")


@bp.route("/<number>/label.zpl")
def label_zpl(number: str) -> Response:
    order = queries.get_order_by_number(db(), number)
    return _file(render_label_zpl(_label(order)), "text/plain; charset=utf-8",
                 f"{order.number}-label.zpl", inline=False)


@bp.route("/<number>/transition", methods=["POST"])
def transition(number: str) -> Response:
    order = queries.get_order_by_number(db(), number)
    form = TransitionForm()
    if not form.validate():
        flash(_("The form was incomplete; nothing was changed."), "error")
        return redirect(url_for("orders.show", number=order.number))
    fields = {name: getattr(form, name).data for name in
              ("diagnosis", "estimate_total", "outcome", "outcome_note", "reason") if getattr(form, name).data}
    services.apply_transition(db(), order, form.to.data, actor(), expected_version=form.version.data, **fields)
    flash(_("Order %(number)s: done.", number=order.number), "success")
    return redirect(url_for("orders.show", number=order.number))


@bp.route("/<number>/assign", methods=["POST"])
def assign(number: str) -> Response:
    order = queries.get_order_by_number(db(), number)
    form = AssignForm()
    form.validate()
    engineer = db().get(User, form.engineer_id.data) if form.engineer_id.data else None
    if form.engineer_id.data and engineer is None:
        flash(_("No such engineer."), "error")
        return redirect(url_for("orders.show", number=order.number))
    services.assign_engineer(db(), order, engineer, actor(), expected_version=form.version.data)
    flash(_("Order %(number)s: assignment saved.", number=order.number), "success")
    return redirect(url_for("orders.show", number=order.number))


@bp.route("/<number>/comment", methods=["POST"])
def comment(number: str) -> Response:
    order = queries.get_order_by_number(db(), number)
    form = CommentForm()
    if form.validate():
        services.add_comment(db(), order, actor(), form.text.data or "")
        flash(_("Comment added."), "success")
    else:
        flash(_("The comment is empty."), "error")
    return redirect(url_for("orders.show", number=order.number))


@bp.route("/<number>/route", methods=["POST"])
@allow(*routing.ROUTE_ROLES)
def route(number: str) -> Response:
    """Hand the order to a partner center; the unit then waits for logistics to ship it."""
    order = queries.get_order_by_number(db(), number)
    form = RouteForm()
    center = db().get(ServiceCenter, form.center_id.data) if form.validate() and form.center_id.data else None
    if center is None:
        flash(_("Choose a partner center; nothing was changed."), "error")
        return redirect(url_for("orders.show", number=order.number))
    routing.route_to_center(db(), actor(), order, center, expected_version=form.version.data)
    flash(_("Order %(number)s routed to %(center)s. Logistics ships the unit; the partner's deadlines start "
            "when it receives it.", number=order.number, center=center.name), "success")
    return redirect(url_for("orders.show", number=order.number))


# The estimate and parts sections register their routes on `bp` (imported after it exists).
from workstations.orders import estimate, notifications, parts  # noqa: E402, F401
