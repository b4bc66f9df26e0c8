"""Logistics views: thin — load the shipment, check the form's shape, call one service, flash, redirect.

A refusal (not at the origin, on another shipment, already dispatched…) re-renders the shipment page
with the reason and a 4xx status, the request's transaction rolled back; a shipment of other centers
answers 404 like a missing one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from printing.shipment_docs import (
    render_discrepancy_report,
    render_packing_list,
    render_shipment_labels_pdf,
    render_shipment_labels_zpl,
    render_waybill,
)
from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.centers.models import Location
from servicecenter.errors import N_, DomainError, NotFound
from servicecenter.filejobs.models import FileJob
from servicecenter.filejobs.services import request_shipment_labels, request_shipment_work_orders
from servicecenter.repairs import routing
from servicecenter.shipments import dispatch as dispatching
from servicecenter.shipments import queries, receiving, services
from servicecenter.shipments.documents import build_discrepancy_doc, build_shipment_doc, build_shipment_labels
from servicecenter.shipments.models import ItemState, Shipment, ShipmentState
from servicecenter.shipments.services import ScanOutcome
from workstations.logistics import bp
from workstations.logistics.forms import DispatchForm, EmptyForm, NewShipmentForm, ResolveForm, ScanForm
from workstations.web.auth_session import actor
from workstations.web.dbsession import db
from workstations.web.errors import field_errors, translate

STATES = [s.value for s in ShipmentState]
# A shipment's own words (партия is feminine in Russian: the orders' "Received"/"Cancelled" do not fit).
SHIPMENT_STATE = {
    ShipmentState.OPEN: _l("Being packed"),
    ShipmentState.DISPATCHED: _l("In transit"),
    ShipmentState.RECEIVED: _l("Arrived"),
    ShipmentState.CANCELLED: _l("Not sent (cancelled)"),
}
ITEM_STATE = {
    ItemState.PACKED: _l("Packed"),
    ItemState.RECEIVED: _l("Accepted"),
    ItemState.MISSING: _l("Missing"),
    ItemState.UNEXPECTED: _l("Unexpected"),
    ItemState.FOUND: _l("Found"),
    ItemState.LOST: _l("Lost"),
}


def _refusal(exc: DomainError) -> str:
    """The refusal in the user's language, shipment and line states named as the pages name them."""
    words = {**{k.value: v for k, v in SHIPMENT_STATE.items()}, **{k.value: v for k, v in ITEM_STATE.items()}}
    for key in ("current", "allowed"):
        value = exc.params.get(key)
        if isinstance(value, str) and value and all(p.strip() in words for p in value.split(",")):
            exc.params[key] = ", ".join(str(words[p.strip()]) for p in value.split(","))
    return translate(exc)


def _may_see(shipment: Shipment) -> bool:
    me = actor()
    return me.role == Role.ADMIN or me.center_id in (shipment.from_center_id, shipment.to_center_id)


def _shipment(number: str, *, with_items: bool = True) -> Shipment:
    shipment = queries.get_shipment(db(), number, with_items=with_items)
    if not _may_see(shipment):
        raise NotFound(N_("No shipment %(number)s"), number=shipment.number)
    return shipment


def _origins() -> list[Location]:
    me = actor()
    return queries.list_origins(db(), None if me.role == Role.ADMIN else me.center_id)


def _destinations() -> list[Location]:
    return queries.list_destinations(db(), actor().center_id)


def _new_form() -> NewShipmentForm:
    form = NewShipmentForm()
    form.origin.choices = [(loc.id, f"{loc.code} — {loc.name}") for loc in _origins()]
    # Another warehouse of the same center is a destination too; the origin itself is refused by the service.
    form.destination.choices = [(loc.id, f"{loc.code} — {loc.name}") for loc in _destinations()]
    return form


@bp.context_processor
def _words() -> dict[str, Any]:
    return {"SHIPMENT_STATE": SHIPMENT_STATE, "ITEM_STATE": ITEM_STATE}


def _to_send(center_id: int | None) -> list[tuple[Any, Any]]:
    """(order, where its unit must go): units routed to a partner still here, and units a partner
    repaired for another center's counter and must send back."""
    if center_id is None:
        return []
    away = [(o, o.center) for o in routing.units_to_route(db(), center_id)]
    back = [(o, o.intake_center) for o in routing.units_to_return(db(), center_id)]
    return away + back


@bp.route("/")
def index() -> str:
    me = actor()
    center_id = None if me.role == Role.ADMIN and me.center_id is None else me.center_id
    state = request.args.get("state", "")
    direction = request.args.get("direction", "")
    search = request.args.get("q", "")
    return render_template(
        "logistics/index.html",
        shipments=queries.list_shipments(db(), center_id, state=state, direction=direction, search=search),
        missing=queries.list_unresolved_missing(db(), center_id),
        to_send=_to_send(center_id),
        state=state, direction=direction, q=search, states=STATES, form=_new_form(),
    )


@bp.route("/find")
def find() -> Response:
    """A scanned shipment label opens the shipment."""
    code = request.args.get("code", "")
    if not code.strip():
        return redirect(url_for("logistics.index"))
    try:
        shipment = _shipment(code, with_items=False)
    except DomainError as exc:
        flash(_refusal(exc), "error")
        return redirect(url_for("logistics.index"))
    return redirect(url_for("logistics.show", ref=shipment.number))


@bp.route("/shipments", methods=["POST"])
def create() -> Response:
    form = _new_form()
    if not form.validate():
        flash(_("The form was incomplete; nothing was changed."), "error")
        return redirect(url_for("logistics.index"), 303)
    origin = db().get(Location, form.origin.data)
    try:
        if origin is None:
            raise NotFound(N_("No such origin"))
        destination = queries.get_destination(db(), form.destination.data, actor().center_id)
        shipment = services.create_shipment(db(), actor(), origin=origin, destination=destination,
                                            note=form.note.data or "")
    except DomainError as exc:
        db().rollback()
        flash(_refusal(exc), "error")
        return redirect(url_for("logistics.index"), 303)
    flash(_("Shipment %(number)s opened: scan what goes in it.", number=shipment.number), "success")
    return redirect(url_for("logistics.show", ref=shipment.number), 303)


def _page(shipment: Shipment, status: int = 200, error: str = "", errors: dict | None = None,
          scan_form: ScanForm | None = None, dispatch_form: DispatchForm | None = None) -> tuple[str, int]:
    me = actor()
    sender = me.role == Role.ADMIN or me.center_id == shipment.from_center_id
    receiving_center = shipment.to_center_id if shipment.to_center_id is not None else shipment.from_center_id
    receiver = me.role == Role.ADMIN or me.center_id == receiving_center
    report = queries.get_discrepancy_report(db(), shipment)
    body = render_template(
        "logistics/show.html", shipment=shipment, report=report, error=error, errors=errors or {},
        can_build=sender and shipment.state == ShipmentState.OPEN,
        can_receive=receiver and shipment.state == ShipmentState.DISPATCHED,
        can_resolve=receiver and shipment.state == ShipmentState.RECEIVED,
        scan_form=scan_form or ScanForm(formdata=None),
        dispatch_form=dispatch_form or DispatchForm(formdata=None, obj=shipment),
        resolve_form=ResolveForm(formdata=None), empty_form=EmptyForm(formdata=None), ItemState=ItemState,
        item_words={state.value: str(word) for state, word in ITEM_STATE.items()},
    )
    return body, status


@bp.route("/shipments/<ref>")
def show(ref: str) -> tuple[str, int]:
    return _page(_shipment(ref, with_items=False))


def _run(shipment: Shipment, call: Callable[[], Any], done: Callable[[Any], tuple[str, str]],
         **forms: Any) -> Response | tuple[str, int]:
    """Call the service; on a refusal roll back and show the shipment page with the reason (4xx)."""
    number = shipment.number
    try:
        result = call()
    except DomainError as exc:
        db().rollback()
        fresh = _shipment(number, with_items=False)
        return _page(fresh, exc.status, _refusal(exc), field_errors(exc), **forms)
    message, category = done(result)
    flash(message, category)
    return redirect(url_for("logistics.show", ref=number), 303)


def _said(outcome: ScanOutcome) -> tuple[str, str]:
    return _(outcome.message, **outcome.params), "success" if outcome.added else "info"


def _scan(ref: str, service: Callable[..., ScanOutcome]) -> Response | tuple[str, int]:
    shipment = _shipment(ref, with_items=False)
    form = ScanForm()
    if not form.validate():
        return _page(shipment, 422, _("Nothing was scanned"), scan_form=form)
    return _run(shipment, lambda: service(db(), actor(), shipment, form.code.data, form.quantity.data or 1), _said)


@bp.route("/shipments/<ref>/scan", methods=["POST"])
def scan(ref: str) -> Response | tuple[str, int]:
    return _scan(ref, services.add_scanned)


@bp.route("/shipments/<ref>/receive", methods=["POST"])
def receive(ref: str) -> Response | tuple[str, int]:
    return _scan(ref, receiving.receive_scanned)


@bp.route("/shipments/<ref>/items/<int:item_id>/remove", methods=["POST"])
def remove(ref: str, item_id: int) -> Response | tuple[str, int]:
    shipment = _shipment(ref)
    if not EmptyForm().validate():
        return _page(shipment, 400, _("The form was incomplete; nothing was changed."))
    return _run(shipment, lambda: services.remove_item(db(), actor(), shipment, item_id),
                lambda _r: (_("Line removed."), "success"))


@bp.route("/shipments/<ref>/dispatch", methods=["POST"])
def dispatch(ref: str) -> Response | tuple[str, int]:
    shipment = _shipment(ref)
    form = DispatchForm()
    if not form.validate():
        return _page(shipment, 422, _("The form was incomplete; nothing was changed."), dispatch_form=form)
    return _run(shipment, lambda: dispatching.dispatch_shipment(
        db(), actor(), shipment, carrier=form.carrier.data or "", tracking=form.tracking.data or "",
        places=form.places.data, weight_kg=form.weight_kg.data),
        lambda s: (_("Shipment %(number)s dispatched: %(count)s lines in transit.", number=s.number,
                     count=len(s.items)), "success"), dispatch_form=form)


@bp.route("/shipments/<ref>/complete", methods=["POST"])
def complete(ref: str) -> Response | tuple[str, int]:
    shipment = _shipment(ref)
    if not EmptyForm().validate():
        return _page(shipment, 400, _("The form was incomplete; nothing was changed."))

    def said(report: queries.DiscrepancyReport) -> tuple[str, str]:
        if report.clean:
            return _("Shipment %(number)s received in full.", number=report.number), "success"
        return _("Shipment %(number)s received with discrepancies: %(missing)s missing, %(unexpected)s unexpected.",
                 number=report.number, missing=len(report.missing), unexpected=len(report.unexpected)), "error"

    return _run(shipment, lambda: receiving.complete_receipt(db(), actor(), shipment), said)


@bp.route("/shipments/<ref>/items/<int:item_id>/resolve", methods=["POST"])
def resolve(ref: str, item_id: int) -> Response | tuple[str, int]:
    shipment = _shipment(ref)
    form = ResolveForm()
    if not form.validate() or form.outcome.data not in ("found", "lost"):
        return _page(shipment, 422, _("The form was incomplete; nothing was changed."))
    return _run(shipment, lambda: receiving.resolve_missing(db(), actor(), shipment, item_id,
                                                            found=form.outcome.data == "found",
                                                            reason=form.reason.data or ""),
                lambda item: (_("Found and received.") if item.state == ItemState.FOUND
                              else _("Written off as lost."), "success"))


@bp.route("/shipments/<ref>/cancel", methods=["POST"])
def cancel(ref: str) -> Response | tuple[str, int]:
    shipment = _shipment(ref)
    if not EmptyForm().validate():
        return _page(shipment, 400, _("The form was incomplete; nothing was changed."))
    return _run(shipment, lambda: dispatching.cancel_shipment(db(), actor(), shipment),
                lambda s: (_("Shipment %(number)s cancelled.", number=s.number), "success"))


def _file(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/shipments/<ref>/packing-list.pdf")
def packing_list_pdf(ref: str) -> Response:
    shipment = _shipment(ref)
    return _file(render_packing_list(build_shipment_doc(db(), shipment)), "application/pdf",
                 f"{shipment.number}-packing-list.pdf")


@bp.route("/shipments/<ref>/waybill.pdf")
def waybill_pdf(ref: str) -> Response:
    shipment = _shipment(ref)
    return _file(render_waybill(build_shipment_doc(db(), shipment)), "application/pdf",
                 f"{shipment.number}-waybill.pdf")


@bp.route("/shipments/<ref>/discrepancies.pdf")
def discrepancies_pdf(ref: str) -> Response:
    shipment = _shipment(ref)
    return _file(render_discrepancy_report(build_discrepancy_doc(db(), shipment)), "application/pdf",
                 f"{shipment.number}-discrepancies.pdf")


@bp.route("/shipments/<ref>/labels.pdf")
def labels_pdf(ref: str) -> Response:
    shipment = _shipment(ref)
    return _file(render_shipment_labels_pdf(build_shipment_labels(db(), shipment)), "application/pdf",
                 f"{shipment.number}-labels.pdf")


@bp.route("/shipments/<ref>/unit-labels", methods=["POST"])
def unit_labels(ref: str) -> Response | tuple[str, int]:
    """Every unit's label as one PDF, made in the background: on to the file's page with its progress."""
    return _background_file(ref, request_shipment_labels)


@bp.route("/shipments/<ref>/work-orders", methods=["POST"])
def work_orders(ref: str) -> Response | tuple[str, int]:
    """The work orders of every unit in the shipment as one PDF (the paper that travels with the units),
    made in the background."""
    return _background_file(ref, request_shipment_work_orders)


def _background_file(ref: str, ask: Callable[[Session, User, str], FileJob]) -> Response | tuple[str, int]:
    shipment = _shipment(ref, with_items=False)
    try:
        job = ask(db(), actor(), shipment.number)
    except DomainError as exc:
        db().rollback()
        return _page(_shipment(ref, with_items=False), exc.status, _refusal(exc), field_errors(exc))
    return redirect(url_for("files.show", job_id=job.id), 303)


@bp.route("/shipments/<ref>/labels.zpl")
def labels_zpl(ref: str) -> Response:
    shipment = _shipment(ref)
    return _file(render_shipment_labels_zpl(build_shipment_labels(db(), shipment)), "application/zpl",
                 f"{shipment.number}-labels.zpl")
