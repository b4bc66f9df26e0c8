"""Call-center views: thin — read the form, call one query or service, render or redirect."""

from __future__ import annotations

import secrets

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.centers.queries import list_active_centers, list_authorised_centers, list_places
from servicecenter.errors import ValidationFailed
from servicecenter.fields import parse_id
from servicecenter.repairs import queries, services
from servicecenter.repairs.lookup import list_order_cards, search_orders
from servicecenter.repairs.states import RepairState
from servicecenter.repairs.visits import VisitRequest, pre_register_visit
from workstations.call_center import bp
from workstations.call_center.forms import CentersForm, NoteForm, VisitForm
from workstations.status.words import day, say
from workstations.web.auth_session import actor
from workstations.web.dbsession import db
from workstations.web.errors import translate


@bp.route("/")
def index() -> tuple[str, int]:
    """One search box: order number, serial, phone or name → the orders, said in plain words."""
    q = request.args.get("q")
    search, cards, message = None, [], None
    if q is not None:
        try:
            search = search_orders(db(), q)
        except ValidationFailed as exc:
            message = translate(exc)
        else:
            cards = list_order_cards(db(), search.orders)
    registered = queries.list_orders(db(), states=[RepairState.REGISTERED], per_page=10)
    body = render_template("call_center/index.html", q=(q or "")[:200], search=search, cards=cards,
                           message=message, registered=registered, note_form=NoteForm(), say=say, day=day)
    return body, 422 if message else 200


@bp.route("/notes", methods=["POST"])
def note() -> Response:
    """A call note on an order, kept in its history; back to the same search."""
    form = NoteForm()
    back = (form.q.data or "").strip()[:200]
    if not form.validate():
        flash(_("The note is empty or too long; nothing was saved."), "error")
        return redirect(url_for("call_center.index", q=back or None))
    order = queries.get_order_by_number(db(), form.number.data or "")
    services.add_comment(db(), order, actor(), form.text.data or "")
    flash(_("Note added to order %(number)s.", number=order.number), "success")
    return redirect(url_for("call_center.index", q=back or order.number, _anchor=order.number))


def _brand_choices() -> list[tuple[int, str]]:
    rows = db().execute(select(Manufacturer.id, Manufacturer.name).where(Manufacturer.active.is_(True))
                        .order_by(Manufacturer.name))
    return [(0, "—"), *((mid, name) for mid, name in rows)]


@bp.route("/centers")
def centers() -> tuple[str, int]:
    """The nearest authorised centers for the caller's brand: same city, same region, then the rest."""
    form = CentersForm(request.args)
    form.manufacturer_id.choices = _brand_choices()
    found, status = None, 200
    if request.args:
        if form.validate():
            found = list_authorised_centers(db(), form.manufacturer_id.data, city=form.city.data or "",
                                            region=form.region.data or "")
        else:
            status = 422
    cities, regions = list_places(db())
    return render_template("call_center/centers.html", form=form, found=found, cities=cities,
                           regions=regions), status


def _model_choices() -> list[tuple[int, str]]:
    rows = db().execute(select(ProductModel.id, Manufacturer.name, ProductModel.name).join(Manufacturer)
                        .where(ProductModel.active.is_(True), Manufacturer.active.is_(True))
                        .order_by(Manufacturer.name, ProductModel.name))
    return [(0, "—"), *((mid, f"{brand} {name}") for mid, brand, name in rows)]


def _center_choices(brand_id: int | None) -> list[tuple[int, str]]:
    """Active centers; only those authorised for the brand once the brand is known."""
    if brand_id:
        centers = [n.center for n in list_authorised_centers(db(), brand_id)]
    else:
        centers = list_active_centers(db())
    return [(0, "—"), *((c.id, f"{c.name} — {c.city}, {c.address}" if c.address else c.name) for c in centers)]


# The domain names its fields after the form's, except these.
_FORM_FIELD = {"phone": "customer_phone", "name": "customer_name", "unit": "serial"}


@bp.route("/visits/new", methods=["GET", "POST"])
def new_visit() -> tuple[str, int] | Response:
    """Pre-register a visit: the order is numbered now and completed at the counter."""
    form = VisitForm()
    if request.method == "GET":
        form.token.data = secrets.token_urlsafe(16)
        form.manufacturer_id.data = request.args.get("manufacturer_id", type=parse_id) or 0
        form.center_id.data = request.args.get("center_id", type=parse_id) or 0
    form.manufacturer_id.choices = _brand_choices()
    form.model_id.choices = _model_choices()
    brand_id = form.manufacturer_id.data if isinstance(form.manufacturer_id.data, int) else 0
    form.center_id.choices = _center_choices(brand_id)
    if request.method == "GET":
        return render_template("call_center/visit.html", form=form, errors={}), 200
    if not form.validate():
        return render_template("call_center/visit.html", form=form, errors={}), 422
    req = VisitRequest(
        center_id=form.center_id.data or None, customer_name=form.customer_name.data or "",
        customer_phone=form.customer_phone.data or "", fault=form.fault.data or "",
        manufacturer_id=form.manufacturer_id.data or None, model_id=form.model_id.data or None,
        serial=form.serial.data or "", idempotency_key=f"visit:{form.token.data}" if form.token.data else None)
    try:
        order = pre_register_visit(db(), actor(), req)
    except ValidationFailed as exc:
        errors = {_FORM_FIELD.get(k, k): v for k, v in exc.errors.items()}
        return render_template("call_center/visit.html", form=form, errors=errors,
                               message=translate(exc)), 422
    flash(_("Visit registered as order %(number)s at %(center)s (%(address)s). Tell the caller the number.",
            number=order.number, center=order.center.name, address=order.center.address or "—"), "success")
    return redirect(url_for("orders.show", number=order.number))
