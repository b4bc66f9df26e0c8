"""Service centers and their warehouses and shelves."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import aliased, selectinload
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from servicecenter.accounts.models import User
from servicecenter.catalog.models import Manufacturer
from servicecenter.centers import services
from servicecenter.centers.models import Location, LocationKind, ServiceCenter
from servicecenter.errors import N_, NotFound, ValidationFailed
from servicecenter.paging import paginate
from workstations.admin import bp
from workstations.admin.catalog import manufacturer_choices
from workstations.admin.forms import CenterFilter, CenterForm, LocationFilter, LocationForm, filter_args
from workstations.admin.views import (
    PER_PAGE,
    counts_by,
    form_page,
    get_or_404,
    matching,
    page_number,
    refused,
    submitted_status,
    with_status,
)
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

Page = tuple[str, int]


def _brands(ids: list[int] | None) -> list[Manufacturer]:
    if not ids:
        return []
    return list(db().scalars(select(Manufacturer).where(Manufacturer.id.in_(ids)).order_by(Manufacturer.name)))


@bp.route("/centers/")
def centers() -> str:
    filters = CenterFilter(request.args).clean()
    stmt = select(ServiceCenter).options(selectinload(ServiceCenter.brands)).order_by(ServiceCenter.code)
    stmt = matching(stmt, filters.q.data, ServiceCenter.code, ServiceCenter.name, ServiceCenter.city)
    if filters.kind.data:
        stmt = stmt.where(ServiceCenter.kind == filters.kind.data)
    stmt = with_status(stmt, ServiceCenter.active, filters.status.data)
    page = paginate(db(), stmt, page=page_number(), per_page=PER_PAGE)
    ids = [c.id for c in page.items]
    return render_template(
        "admin/centers.html", page=page, filters=filters, args=filter_args(filters),
        users=counts_by(User.center_id, ids, User.active.is_(True)),
        locations=counts_by(Location.center_id, ids, Location.kind.in_(services.STOCK_KINDS)),
    )


@bp.route("/centers/new", methods=["GET", "POST"])
def center_new() -> Response | Page:
    form = CenterForm()
    form.brands.choices = manufacturer_choices()
    page = {"title": _("New service center"), "cancel": url_for("admin.centers")}
    if form.validate_on_submit():
        try:
            center = services.create_center(db(), actor(), **form.service_values(), brands=_brands(form.brands.data))
        except ValidationFailed as exc:
            return refused(form, exc, **page)
        flash(_("Service center %(code)s created. Add its warehouses next.", code=center.code), "success")
        return redirect(url_for("admin.locations", center_id=center.id))
    return form_page(form, status=submitted_status(form), **page)


@bp.route("/centers/<int:center_id>/edit", methods=["GET", "POST"])
def center_edit(center_id: int) -> Response | Page:
    center = get_or_404(ServiceCenter, center_id, N_("No such service center"))
    form = CenterForm(obj=center)
    form.brands.choices = manufacturer_choices()
    if not form.is_submitted():
        form.brands.data = [m.id for m in center.brands]
    page = {"title": _("Service center %(code)s", code=center.code), "cancel": url_for("admin.centers"),
            "links": [(url_for("admin.locations", center_id=center.id), _("Warehouses and shelves")),
                      (url_for("admin.users", center=center.id), _("Users of this center"))]}
    if form.validate_on_submit():
        try:
            services.update_center(db(), actor(), center, **form.service_values(), brands=_brands(form.brands.data))
        except ValidationFailed as exc:
            return refused(form, exc, **page)
        flash(_("Service center %(code)s saved.", code=center.code), "success")
        return redirect(url_for("admin.centers"))
    return form_page(form, status=submitted_status(form), **page)


# --- Warehouses and shelves ---------------------------------------------------------------------

def _parent_choices(center: ServiceCenter) -> list[SelectChoice]:
    warehouses = db().scalars(select(Location).where(Location.center_id == center.id,
                                                     Location.kind == LocationKind.WAREHOUSE)
                              .order_by(Location.code))
    suffix = _("(inactive)")
    return [SelectChoice("", "—"), *(SelectChoice(w.id, f"{w.code} — {w.name}" + ("" if w.active else f" {suffix}"))
                                     for w in warehouses)]


def _parent(form: LocationForm) -> Location | None:
    if form.parent_id.data is None:
        return None
    return get_or_404(Location, form.parent_id.data, N_("No such warehouse"))


def _stock_location(location_id: int) -> Location:
    location = get_or_404(Location, location_id, N_("No such warehouse or shelf"))
    if location.kind not in services.STOCK_KINDS or location.center is None:
        raise NotFound(N_("No such warehouse or shelf"))
    return location


@bp.route("/centers/<int:center_id>/locations")
def locations(center_id: int) -> str:
    center = get_or_404(ServiceCenter, center_id, N_("No such service center"))
    filters = LocationFilter(request.args).clean()
    parent = aliased(Location)
    # Each warehouse followed by its shelves.
    stmt = (select(Location).outerjoin(parent, Location.parent_id == parent.id)
            .options(selectinload(Location.parent))
            .where(Location.center_id == center.id, Location.kind.in_(services.STOCK_KINDS))
            .order_by(func.coalesce(parent.code, Location.code), Location.parent_id.is_not(None), Location.code))
    stmt = matching(stmt, filters.q.data, Location.code, Location.name)
    stmt = with_status(stmt, Location.active, filters.status.data)
    page = paginate(db(), stmt, page=page_number(), per_page=100)
    return render_template("admin/locations.html", center=center, page=page, filters=filters,
                           args=filter_args(filters))


@bp.route("/centers/<int:center_id>/locations/new", methods=["GET", "POST"])
def location_new(center_id: int) -> Response | Page:
    center = get_or_404(ServiceCenter, center_id, N_("No such service center"))
    form = LocationForm()
    if not form.is_submitted() and request.args.get("parent", type=int):
        form.kind.data, form.parent_id.data = LocationKind.SHELF.value, request.args.get("parent", type=int)
    form.parent_id.choices = _parent_choices(center)
    page = {"title": _("New warehouse or shelf of %(code)s", code=center.code),
            "cancel": url_for("admin.locations", center_id=center.id)}
    if form.validate_on_submit():
        try:
            location = services.create_location(db(), actor(), center, **form.service_values(),
                                                parent=_parent(form))
        except ValidationFailed as exc:
            return refused(form, exc, **page)
        flash(_("%(code)s created.", code=location.code), "success")
        return redirect(url_for("admin.locations", center_id=center.id))
    return form_page(form, status=submitted_status(form), **page)


@bp.route("/locations/<int:location_id>/edit", methods=["GET", "POST"])
def location_edit(location_id: int) -> Response | Page:
    location = _stock_location(location_id)
    center = location.center
    form = LocationForm(obj=location)
    form.parent_id.choices = _parent_choices(center)
    page = {"title": _("%(code)s of %(center)s", code=location.code, center=center.code),
            "cancel": url_for("admin.locations", center_id=center.id)}
    if form.validate_on_submit():
        try:
            services.update_location(db(), actor(), location, **form.service_values(), parent=_parent(form))
        except ValidationFailed as exc:
            return refused(form, exc, **page)
        flash(_("%(code)s saved.", code=location.code), "success")
        return redirect(url_for("admin.locations", center_id=center.id))
    return form_page(form, status=submitted_status(form), **page)
