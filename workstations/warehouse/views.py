"""Warehouse views: thin — read the scan, call one service, flash and redirect; a refusal re-renders
the page the clerk was on with the reason (4xx) and the scan field ready for the next code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response as FlaskResponse
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from printing.stock_labels import render_stock_label_png, render_stock_labels_pdf, render_stock_labels_zpl
from servicecenter.centers import shelves
from servicecenter.centers.models import Location, LocationKind
from servicecenter.errors import N_, DomainError, NotFound, ValidationFailed
from servicecenter.repairs import queries
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.states import RepairState
from servicecenter.scanning import ScanKind
from servicecenter.stock import counts, warehouse
from servicecenter.stock import labels as stock_labels
from servicecenter.stock import queries as stock_queries
from servicecenter.stock.identify import Identified, identify
from workstations.warehouse import bp
from workstations.warehouse.forms import ScanForm, ShelfForm
from workstations.web.auth_session import actor
from workstations.web.dbsession import db
from workstations.web.errors import translate
from workstations.web.forms import form_id

NO_CENTER = N_("Your account belongs to no service center; the warehouse works for one center")


def center_id() -> int:
    cid = actor().center_id
    if cid is None:
        raise ValidationFailed(NO_CENTER)
    return cid


def scanned(raw: str | None) -> Identified:
    return identify(db(), center_id(), raw or "")


def refused(exc: DomainError, page: Callable[..., str]) -> tuple[str, int]:
    """Roll the request back and show the page again with the reason, as a 4xx."""
    db().rollback()
    details = "; ".join(_(msg) for msg in getattr(exc, "errors", {}).values())
    message = translate(exc)
    return page(error=message + (f" ({details})" if details and details not in message else "")), exc.status


def place_of(found: Identified) -> Location:
    if found.kind != ScanKind.SHELF or found.location is None:
        raise ValidationFailed(N_("%(code)s is not a shelf of this center"), code=found.code)
    return found.location


# --- The start page and the scan field ---------------------------------------------------------------

def _index(error: str | None = None, **forms: Any) -> str:
    cid = center_id()
    locations = shelves.list_shelves(db(), cid)
    shelf_form = forms.get("shelf_form") or ShelfForm(formdata=None)
    shelf_form.warehouse.choices = [(str(loc.id), loc.code) for loc in locations if loc.kind == LocationKind.WAREHOUSE]
    return render_template(
        "warehouse/index.html", error=error,
        receive_form=forms.get("receive_form") or ScanForm(formdata=None), shelf_form=shelf_form,
        locations=locations, counts=counts.list_open_counts(db(), cid),
        pick_orders=warehouse.list_pick_orders(db(), cid),
        requests=stock_queries.list_open_part_requests(db(), cid),
        partner_requests=stock_queries.list_partner_part_requests(db(), limit=100),
        picks=stock_queries.list_active_reservations(db(), cid),
        waiting=queries.list_orders(db(), center_id=cid, states=[RepairState.AWAITING_PARTS], per_page=50),
    )


@bp.route("/")
def index() -> str:
    return _index()


@bp.route("/scan")
def scan() -> Response | tuple[str, int]:
    """Any code: a shelf opens the shelf (to put away), a part its stock, a unit where it is, an order
    its pick list (or where its unit is), a shipment its page."""
    code = request.args.get("code") or ""
    if not code.strip():
        return redirect(url_for("warehouse.index"))
    try:
        found = scanned(code)
    except DomainError as exc:
        return refused(exc, _index)
    if found.kind == ScanKind.SHELF:
        return redirect(url_for("warehouse.shelf", code=found.code))
    if found.kind == ScanKind.PART:
        return redirect(url_for("warehouse.part", code=found.part.sku))
    if found.kind == ScanKind.SHIPMENT:
        return redirect(url_for("logistics.show", ref=found.shipment.number))
    if found.kind == ScanKind.ORDER and warehouse.get_pick_list(db(), found.order):
        return redirect(url_for("warehouse.picks", number=found.order.number))
    return redirect(url_for("warehouse.where", code=found.code))


@bp.route("/receive", methods=["POST"])
def receive() -> Response | tuple[str, int]:
    """Parts from a supplier (a part code and a quantity) or a unit (its serial or label) into the main warehouse."""
    form = ScanForm()
    if not form.validate():
        return _index(error=_("Scan a part or a unit to receive."), receive_form=form), 422
    cid = center_id()
    try:
        found = scanned(form.code.data)
        if found.part is not None:
            move = warehouse.receive_parts(db(), actor(), cid, found.part, form.quantity.data)
            flash(_("Received %(count)s × %(part)s into %(location)s.", count=move.quantity, part=found.part.sku,
                    location=move.to_location.code), "success")
        elif found.unit is not None:
            move = warehouse.receive_unit(db(), actor(), cid, found.unit)
            flash(_("Unit %(serial)s received into %(location)s.", serial=found.unit.serial,
                    location=move.to_location.code), "success")
        else:
            raise ValidationFailed(N_("%(code)s is not a part or a unit; only those are received here"),
                                   code=found.code)
    except DomainError as exc:
        return refused(exc, lambda error: _index(error=error, receive_form=form))
    return redirect(url_for("warehouse.index"), 303)


@bp.route("/shelves", methods=["POST"])
def add_shelf() -> Response | tuple[str, int]:
    """Add a shelf (a scannable code) to one of the center's warehouses."""
    form = ShelfForm()
    cid = center_id()
    try:
        parent = db().get(Location, form_id(form.warehouse.data))
        if parent is None or parent.center_id != cid:
            raise ValidationFailed(N_("Choose the warehouse the shelf is in"))
        shelf = shelves.create_shelf(db(), actor(), parent.center, parent, code=form.code.data or "",
                                     name=form.name.data or "")
    except DomainError as exc:
        return refused(exc, lambda error: _index(error=error, shelf_form=form))
    flash(_("Shelf %(code)s added; print its label.", code=shelf.code), "success")
    return redirect(url_for("warehouse.shelf", code=shelf.code), 303)


# --- Shelves: put away by scanning the shelf, then the items -------------------------------------------

def _shelf_page(location: Location, error: str | None = None, form: ScanForm | None = None) -> str:
    return render_template("warehouse/shelf.html", location=location, error=error,
                           contents=warehouse.get_shelf_contents(db(), location),
                           form=form or ScanForm(formdata=None, place=location.code))


@bp.route("/shelf")
def shelf() -> Response | tuple[str, int] | str:
    if not (request.args.get("code") or "").strip():
        return redirect(url_for("warehouse.index"))
    try:
        location = place_of(scanned(request.args.get("code")))
    except DomainError as exc:
        return refused(exc, _index)
    return _shelf_page(location)


@bp.route("/shelf/put-away", methods=["POST"])
def put_away() -> Response | tuple[str, int]:
    """An item scanned on the shelf page goes onto that shelf; another shelf's code switches shelf."""
    form = ScanForm()
    cid = center_id()
    try:
        location = place_of(scanned(form.place.data))
    except DomainError as exc:
        return refused(exc, _index)
    if not form.validate():
        return _shelf_page(location, _("Scan a unit or a part to put on the shelf."), form), 422
    try:
        found = scanned(form.code.data)
        if found.kind == ScanKind.SHELF:
            return redirect(url_for("warehouse.shelf", code=found.code), 303)
        if found.part is not None:
            move = warehouse.put_away(db(), actor(), cid, location, part=found.part, quantity=form.quantity.data)
            flash(_("%(count)s × %(part)s put on %(shelf)s.", count=move.quantity, part=found.part.sku,
                    shelf=location.code), "success")
        elif found.unit is not None:
            warehouse.put_away(db(), actor(), cid, location, unit=found.unit)
            flash(_("Unit %(serial)s put on %(shelf)s.", serial=found.unit.serial, shelf=location.code), "success")
        else:
            raise ValidationFailed(N_("Scan a unit or a part to put on %(shelf)s"), shelf=location.code)
    except DomainError as exc:
        return refused(exc, lambda error: _shelf_page(location, error, form))
    return redirect(url_for("warehouse.shelf", code=location.code), 303)


# --- Parts and units ------------------------------------------------------------------------------

@bp.route("/part")
def part() -> Response | str | tuple[str, int]:
    if not (request.args.get("code") or "").strip():
        return redirect(url_for("warehouse.index"))
    try:
        found = scanned(request.args.get("code"))
        if found.part is None:
            raise ValidationFailed(N_("%(code)s is not a part"), code=found.code)
    except DomainError as exc:
        return refused(exc, _index)
    return render_template("warehouse/part.html", part=found.part,
                           stock=warehouse.get_part_stock(db(), center_id(), found.part),
                           free=stock_queries.free_quantity(db(), center_id(), found.part.id),
                           form=ScanForm(formdata=None, code=found.part.sku))


@bp.route("/where")
def where() -> Response | str | tuple[str, int]:
    """Where is it: a unit (by serial or its order's label) — its location now and every move."""
    if not (request.args.get("code") or "").strip():
        return redirect(url_for("warehouse.index"))
    try:
        found = scanned(request.args.get("code"))
        if found.unit is None:
            raise ValidationFailed(N_("%(code)s is not a unit or an order with a unit"), code=found.code)
    except DomainError as exc:
        return refused(exc, _index)
    return render_template("warehouse/where.html", found=found,
                           where=warehouse.get_whereabouts(db(), found.unit, actor().center_id))


# --- Picking the engineers' parts ------------------------------------------------------------------

def _order(number: str) -> RepairOrder | None:
    try:
        order = queries.get_order_by_number(db(), number)
    except NotFound:
        return None
    return order if order.center_id == actor().center_id else None


def _picks_page(order: RepairOrder, error: str | None = None, form: ScanForm | None = None) -> str:
    return render_template("warehouse/picks.html", order=order, error=error,
                           items=warehouse.get_pick_list(db(), order), form=form or ScanForm(formdata=None))


@bp.route("/picks/<number>")
def picks(number: str) -> Response | str:
    order = _order(number)
    if order is None:
        flash(_("Order %(number)s is not an order of this center.", number=number), "error")
        return redirect(url_for("warehouse.index"))
    return _picks_page(order)


@bp.route("/picks/<number>/issue", methods=["POST"])
def issue(number: str) -> Response | tuple[str, int]:
    """A part scanned on the pick list is issued to the order's bench (a quantity below the reserved
    one is a partial issue)."""
    order = _order(number)
    if order is None:
        raise NotFound(N_("No order %(number)s"), number=number)
    form = ScanForm()
    if not form.validate():
        return _picks_page(order, _("Scan the part to issue."), form), 422
    try:
        found = scanned(form.code.data)
        if found.part is None:
            raise ValidationFailed(N_("%(code)s is not a part; scan the part to issue"), code=found.code)
        moves = warehouse.issue_scanned(db(), actor(), order, found.part, form.quantity.data)
    except DomainError as exc:
        return refused(exc, lambda error: _picks_page(order, error, form))
    flash(_("%(count)s × %(part)s issued for order %(number)s.", count=sum(m.quantity for m in moves),
            part=found.part.sku, number=order.number), "success")
    return redirect(url_for("warehouse.picks", number=order.number), 303)


# --- Labels ------------------------------------------------------------------------------------------

LABEL_TYPES = {"pdf": "application/pdf", "png": "image/png", "zpl": "application/vnd.zebra-zpl"}


@bp.route("/labels")
def label() -> Response | tuple[str, int]:
    """A shelf's or a part's label (Code 128) as PDF, PNG or ZPL: ?code=…&format=pdf."""
    fmt = request.args.get("format", "pdf")
    if not (request.args.get("code") or "").strip():
        return redirect(url_for("warehouse.index"))
    if fmt not in LABEL_TYPES:
        fmt = "pdf"
    try:
        found = scanned(request.args.get("code"))
        if found.location is not None:
            doc = stock_labels.build_shelf_label(found.location)
        elif found.part is not None:
            doc = stock_labels.build_part_label(found.part, actor().center)
        else:
            raise ValidationFailed(N_("Labels are printed here for shelves and parts; %(code)s is neither"),
                                   code=found.code)
    except DomainError as exc:
        return refused(exc, _index)
    if fmt == "png":
        body = render_stock_label_png(doc)
    elif fmt == "zpl":
        body = render_stock_labels_zpl([doc])
    else:
        body = render_stock_labels_pdf([doc])
    name = f"label-{doc.code}.{fmt}"
    return FlaskResponse(body, mimetype=LABEL_TYPES[fmt], headers={"Content-Disposition": f'inline; filename="{name}"'})


def list_center_places() -> list[Location]:
    """The center's warehouses and shelves (the count form's choices)."""
    return list(db().scalars(select(Location).where(
        Location.center_id == center_id(), Location.kind.in_([LocationKind.WAREHOUSE, LocationKind.SHELF]))
        .order_by(Location.code)))
