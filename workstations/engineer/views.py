"""Bench views: thin — load the order, check the form's shape, call one service, flash, redirect.

A refusal (bad input, wrong state, someone else was first) is flashed on the order page and the
request's transaction is rolled back; another center's order is 404 and a wrong role 403 as everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from servicecenter.errors import ConcurrentUpdate, NotFound, StateConflict, ValidationFailed
from servicecenter.repairs import outcomes, queries, work, workbench
from servicecenter.repairs.models import AttachmentKind, RepairOrder
from workstations import labels
from workstations.attachments.views import store_uploaded_photos
from workstations.engineer import bp
from workstations.engineer.forms import (
    ChecklistForm,
    DiagnosisForm,
    FinishForm,
    PartPhotoForm,
    PartSwapForm,
    TakeForm,
    WorkForm,
)
from workstations.web.auth_session import actor
from workstations.web.dbsession import db
from workstations.web.errors import translate

REFUSALS = (ValidationFailed, StateConflict, ConcurrentUpdate)
# The bench forms' fields as their labels say (a refusal names the field it is about).
FIELD_LABELS = {
    "symptom": _l("Symptom"), "cause": _l("Cause"), "action": _l("Action"), "diagnosis": _l("Diagnosis"),
    "minutes": _l("Minutes"), "description": _l("What was done"), "performed_on": _l("Day"),
    "part_name": _l("Part"), "old_serial": _l("Old part's serial (out)"), "new_serial": _l("New part's serial (in)"),
    "replacement_serial": _l("Serial of the replacement unit"), "outcome": _l("Outcome"),
    "outcome_note": _l("Conclusion"), "checklist": _l("Checklist"), "photos": _l("Photos"),
}


def _field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, labels.label(labels.FIELD, name)))


@bp.route("/")
def index() -> str:
    me = actor()
    return render_template(
        "engineer/index.html",
        mine=workbench.list_my_queue(db(), me.id),
        waiting=workbench.list_unassigned(db(), me.center_id),
        hours=workbench.count_hours(db(), me.id, current_user.principal.timezone),
        take_form=TakeForm(formdata=None),
        may_take=me.role in work.BENCH_WORKERS,
    )


@bp.route("/scan")
def scan() -> Response:
    """A scanned order number or unit serial opens the order (the unit's open one, here first)."""
    code = request.args.get("code") or ""
    if not code.strip():
        return redirect(url_for("engineer.index"))
    try:
        number = workbench.find_scanned_order(db(), code, actor().center_id)
    except (NotFound, ValidationFailed) as exc:
        flash(translate(exc), "error")
        return redirect(url_for("engineer.index"))
    return redirect(url_for("orders.show", number=number))


def _run(order: RepairOrder, anchor: str, call: Callable[[], Any], done: str, back: str | None = None) -> Response:
    """Call the service; on a refusal roll the request back and say why on the page it came from."""
    number = order.number
    target = back or url_for("orders.show", number=number, _anchor=anchor)
    try:
        call()
    except REFUSALS as exc:
        db().rollback()
        details = "; ".join(f"{_field_label(name)}: {_(msg)}" for name, msg in getattr(exc, "errors", {}).items())
        flash(translate(exc) + (f" ({details})" if details else ""), "error")
        return redirect(target, 303)
    flash(done, "success")
    return redirect(target, 303)


def _order(number: str) -> RepairOrder:
    return queries.get_order_by_number(db(), number)  # another center's order: 404, like a missing one


def _incomplete(order: RepairOrder, anchor: str) -> Response:
    flash(_("The form was incomplete; nothing was changed."), "error")
    return redirect(url_for("orders.show", number=order.number, _anchor=anchor), 303)


@bp.route("/orders/<number>/take", methods=["POST"])
def take(number: str) -> Response:
    order = _order(number)
    form = TakeForm()
    if not form.validate():
        return _incomplete(order, "bench")
    back = url_for("engineer.index") if form.back.data == "queue" else None
    if back is None:
        back = url_for("orders.show", number=order.number, _anchor="bench")
    return _run(order, "bench", lambda: work.take_order(db(), actor(), order),
                _("Order %(number)s is yours: diagnosis started.", number=order.number), back)


@bp.route("/orders/<number>/diagnosis", methods=["POST"])
def diagnosis(number: str) -> Response:
    order = _order(number)
    form = DiagnosisForm()
    if not form.validate():
        return _incomplete(order, "bench-diagnosis")
    return _run(order, "bench-diagnosis", lambda: work.record_diagnosis(
        db(), actor(), order, symptom_id=form.symptom.data, cause_id=form.cause.data,
        action_id=form.action.data or None, text=form.diagnosis.data or ""), _("Diagnosis recorded."))


@bp.route("/orders/<number>/work", methods=["POST"])
def log_work(number: str) -> Response:
    order = _order(number)
    form = WorkForm()
    if not form.validate():
        return _incomplete(order, "bench-work")
    return _run(order, "bench-work", lambda: work.log_work(
        db(), actor(), order, form.minutes.data, form.description.data or "", form.performed_on.data),
        _("Work logged."))


@bp.route("/orders/<number>/checklist", methods=["POST"])
def checklist(number: str) -> Response:
    order = _order(number)
    form = ChecklistForm()
    if not form.validate():
        return _incomplete(order, "bench-checklist")
    return _run(order, "bench-checklist", lambda: work.tick_checklist_item(
        db(), actor(), order, form.item_id.data, ticked=form.ticked.data != "0"), _("Checklist saved."))


@bp.route("/orders/<number>/parts", methods=["POST"])
def parts(number: str) -> Response:
    order = _order(number)
    form = PartSwapForm()
    if not form.validate():
        return _incomplete(order, "bench-parts")
    return _run(order, "bench-parts", lambda: outcomes.record_part_swap(
        db(), actor(), order, part_name=form.part_name.data or "", old_serial=form.old_serial.data or "",
        new_serial=form.new_serial.data or "", note=form.note.data or ""), _("Replaced part recorded."))


@bp.route("/orders/<number>/part-photos", methods=["POST"])
def part_photos(number: str) -> Response:
    order = _order(number)
    form = PartPhotoForm()
    if not form.validate() or not form.photos.data or not any(f and f.filename for f in form.photos.data):
        flash(_("Choose one or more photos."), "error")
        return redirect(url_for("orders.show", number=order.number, _anchor="bench-photos"), 303)

    def store() -> None:
        work.check_bench(actor(), order)
        store_uploaded_photos(order, form.photos.data, AttachmentKind.PART_PHOTO)

    return _run(order, "bench-photos", store, _("Photos of the parts added."))


@bp.route("/orders/<number>/finish", methods=["POST"])
def finish(number: str) -> Response:
    order = _order(number)
    form = FinishForm()
    if not form.validate():
        return _incomplete(order, "bench-finish")
    return _run(order, "bench-finish", lambda: outcomes.finish_order(
        db(), actor(), order, outcome=form.outcome.data or "", note=form.outcome_note.data or "",
        replacement_serial=form.replacement_serial.data or "", expected_version=form.version.data),
        _("Order %(number)s is ready for pickup.", number=order.number))
