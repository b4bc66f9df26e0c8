"""Inventory counts in the warehouse: start one for a shelf or a warehouse, scan, review expected vs
counted, correct a line, confirm the adjustments with a reason, or cancel."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from servicecenter.errors import N_, DomainError, NotFound
from servicecenter.stock import counts
from servicecenter.stock.count_models import CountLine, CountState, InventoryCount
from workstations.warehouse import bp
from workstations.warehouse.forms import ConfirmCountForm, CountScanForm, LineForm, StartCountForm
from workstations.warehouse.views import _index, center_id, place_of, refused, scanned
from workstations.web.auth_session import actor
from workstations.web.dbsession import db


def _count(count_id: int) -> InventoryCount:
    count = db().get(InventoryCount, count_id)
    if count is None or count.center_id != center_id():
        raise NotFound(N_("No inventory count %(id)s"), id=count_id)
    return count


def _page(count: InventoryCount, error: str | None = None, form: CountScanForm | None = None,
          confirm_form: ConfirmCountForm | None = None, notice: str | None = None) -> str:
    form = form or CountScanForm(formdata=None)
    places = [db().get(type(count.location), pid) for pid in counts.scope_ids(db(), count)]
    form.at.choices = [(p.code, p.code) for p in places]
    return render_template("warehouse/count.html", count=count, error=error, notice=notice, form=form,
                           confirm_form=confirm_form or ConfirmCountForm(formdata=None),
                           line_form=LineForm(formdata=None), title=counts.count_title(count),
                           review=counts.review_count(db(), count), lines=count.lines,
                           open=count.state == CountState.OPEN)


@bp.route("/counts", methods=["POST"])
def start_count() -> Response | tuple[str, int]:
    """Start (or reopen the open) count of the scanned shelf or warehouse."""
    form = StartCountForm()
    try:
        place = place_of(scanned(form.place.data))
        count = counts.start_count(db(), actor(), center_id(), place)
    except DomainError as exc:
        return refused(exc, _index)
    return redirect(url_for("warehouse.count", count_id=count.id), 303)


@bp.route("/counts/<int:count_id>")
def count(count_id: int) -> str:
    return _page(_count(count_id), form=CountScanForm(formdata=None, at=request.args.get("at")))


@bp.route("/counts/<int:count_id>/scan", methods=["POST"])
def count_scan(count_id: int) -> Response | tuple[str, int]:
    """A scanned item is counted where the clerk is (the chosen shelf); a shelf's code moves there."""
    count = _count(count_id)
    form = CountScanForm()
    form.at.choices = []
    if not form.validate():
        return _page(count, _("Scan a unit or a part to count."), form), 422
    try:
        found = scanned(form.code.data)
        if found.location is not None:  # the clerk moved to another shelf of the count
            form.at.data, form.code.data = found.location.code, ""
            return _page(count, form=form, notice=_("Now counting at %(code)s.", code=found.location.code)), 200
        at = place_of(scanned(form.at.data)) if form.at.data else None
        done = counts.count_scanned(db(), actor(), count, found, at, form.quantity.data)
    except DomainError as exc:
        return refused(exc, lambda error: _page(count, error, form))
    what = found.part.sku if found.part is not None else found.unit.serial
    if done.again and done.line.unit_id is not None:
        flash(_("%(item)s was already counted; it stays one line.", item=what), "warning")
    elif done.again:
        flash(_("%(item)s counted again: %(count)s in all on one line.", item=what, count=done.line.quantity),
              "warning")
    else:
        flash(_("%(item)s counted.", item=what), "success")
    return redirect(url_for("warehouse.count", count_id=count.id, at=done.line.location.code), 303)


@bp.route("/counts/<int:count_id>/lines/<int:line_id>", methods=["POST"])
def count_line(count_id: int, line_id: int) -> Response | tuple[str, int]:
    """Correct a part line's counted quantity."""
    count = _count(count_id)
    line = db().get(CountLine, line_id)
    if line is None or line.count_id != count.id:
        raise NotFound(N_("No such line in this count"))
    form = LineForm()
    try:
        counts.set_counted(db(), actor(), count, line, form.quantity.data or "")
    except DomainError as exc:
        return refused(exc, lambda error: _page(count, error))
    flash(_("Counted quantity corrected."), "success")
    return redirect(url_for("warehouse.count", count_id=count.id), 303)


@bp.route("/counts/<int:count_id>/confirm", methods=["POST"])
def confirm_count(count_id: int) -> Response | tuple[str, int]:
    """Adjust the stock to what was counted (differences as of now), once."""
    count = _count(count_id)
    form = ConfirmCountForm()
    try:
        review = counts.confirm_count(db(), actor(), count, form.reason.data or "")
    except DomainError as exc:
        return refused(exc, lambda error: _page(count, error, confirm_form=form))
    flash(_("Count confirmed: %(parts)s stock adjustments, %(units)s units moved, %(missing)s units not found.",
            parts=len(review.differences), units=len(review.moved_units), missing=len(review.missing_units)),
          "success")
    return redirect(url_for("warehouse.count", count_id=count.id), 303)


@bp.route("/counts/<int:count_id>/cancel", methods=["POST"])
def cancel_count(count_id: int) -> Response | tuple[str, int]:
    count = _count(count_id)
    try:
        counts.cancel_count(db(), actor(), count)
    except DomainError as exc:
        return refused(exc, lambda error: _page(count, error))
    flash(_("Count cancelled; the stock is as it was."), "success")
    return redirect(url_for("warehouse.index"), 303)
