"""Manufacturers (brands) and product models with their warranty terms."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from servicecenter.catalog import services
from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.errors import N_, ValidationFailed
from servicecenter.fields import parse_id
from servicecenter.paging import paginate
from workstations.admin import bp
from workstations.admin.forms import ManufacturerFilter, ManufacturerForm, ModelFilter, ModelForm, filter_args
from workstations.admin.views import (
    PER_PAGE,
    contains,
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


def manufacturer_choices(blank: str | None = None) -> list[SelectChoice]:
    suffix = _("(inactive)")
    choices = [SelectChoice(m.id, m.name if m.active else f"{m.name} {suffix}")
               for m in db().scalars(select(Manufacturer).order_by(Manufacturer.name))]
    return [SelectChoice("", blank), *choices] if blank is not None else choices


def _categories() -> list[str]:
    return list(db().scalars(select(ProductModel.category).distinct().order_by(ProductModel.category)))


# --- Manufacturers ------------------------------------------------------------------------------

@bp.route("/manufacturers/")
def manufacturers() -> str:
    filters = ManufacturerFilter(request.args).clean()
    stmt = select(Manufacturer).order_by(Manufacturer.name)
    stmt = matching(stmt, filters.q.data, Manufacturer.name, Manufacturer.country)
    stmt = with_status(stmt, Manufacturer.active, filters.status.data)
    page = paginate(db(), stmt, page=page_number(), per_page=PER_PAGE)
    return render_template("admin/manufacturers.html", page=page, filters=filters, args=filter_args(filters),
                           models=counts_by(ProductModel.manufacturer_id, [m.id for m in page.items]))


@bp.route("/manufacturers/new", methods=["GET", "POST"])
def manufacturer_new() -> Response | Page:
    form = ManufacturerForm()
    page = {"title": _("New manufacturer"), "cancel": url_for("admin.manufacturers")}
    if form.validate_on_submit():
        try:
            manufacturer = services.create_manufacturer(db(), actor(), **form.service_values())
        except ValidationFailed as exc:
            return refused(form, exc, **page)
        flash(_("Manufacturer %(name)s created.", name=manufacturer.name), "success")
        return redirect(url_for("admin.manufacturers"))
    return form_page(form, status=submitted_status(form), **page)


@bp.route("/manufacturers/<int:manufacturer_id>/edit", methods=["GET", "POST"])
def manufacturer_edit(manufacturer_id: int) -> Response | Page:
    manufacturer = get_or_404(Manufacturer, manufacturer_id, N_("No such manufacturer"))
    form = ManufacturerForm(obj=manufacturer)
    page = {"title": manufacturer.name, "cancel": url_for("admin.manufacturers"),
            "links": [(url_for("admin.models", manufacturer=manufacturer.id), _("Models of this manufacturer")),
                      (url_for("admin.model_new", manufacturer=manufacturer.id), _("New model"))]}
    if form.validate_on_submit():
        try:
            services.update_manufacturer(db(), actor(), manufacturer, **form.service_values())
        except ValidationFailed as exc:
            return refused(form, exc, **page)
        flash(_("Manufacturer %(name)s saved.", name=manufacturer.name), "success")
        return redirect(url_for("admin.manufacturers"))
    return form_page(form, status=submitted_status(form), **page)


# --- Product models -----------------------------------------------------------------------------

def _manufacturer(form: ModelForm) -> Manufacturer:
    return get_or_404(Manufacturer, form.manufacturer_id.data, N_("No such manufacturer"))


@bp.route("/models/")
def models() -> str:
    filters = ModelFilter(request.args)
    filters.manufacturer.choices = manufacturer_choices(blank=_("All"))
    filters.clean()
    stmt = (select(ProductModel).join(ProductModel.manufacturer).options(selectinload(ProductModel.manufacturer))
            .order_by(Manufacturer.name, ProductModel.name))
    stmt = matching(stmt, filters.q.data, ProductModel.name)
    if filters.manufacturer.data:
        stmt = stmt.where(ProductModel.manufacturer_id == filters.manufacturer.data)
    category = contains(ProductModel.category, filters.category.data)
    if category is not None:
        stmt = stmt.where(category)
    stmt = with_status(stmt, ProductModel.active, filters.status.data)
    page = paginate(db(), stmt, page=page_number(), per_page=PER_PAGE)
    return render_template("admin/models.html", page=page, filters=filters, args=filter_args(filters),
                           datalists={"category-list": _categories()})


@bp.route("/models/new", methods=["GET", "POST"])
def model_new() -> Response | Page:
    form = ModelForm()
    form.manufacturer_id.choices = manufacturer_choices()
    if not form.is_submitted():
        form.manufacturer_id.data = request.args.get("manufacturer", type=parse_id)
    page = {"title": _("New model"), "cancel": url_for("admin.models"),
            "datalists": {"category-list": _categories()}}
    if form.validate_on_submit():
        try:
            model = services.create_model(db(), actor(), **form.service_values(), manufacturer=_manufacturer(form))
        except ValidationFailed as exc:
            return refused(form, exc, **page)
        flash(_("Model %(name)s created.", name=model.name), "success")
        return redirect(url_for("admin.models", manufacturer=model.manufacturer_id))
    return form_page(form, status=submitted_status(form), **page)


@bp.route("/models/<int:model_id>/edit", methods=["GET", "POST"])
def model_edit(model_id: int) -> Response | Page:
    model = get_or_404(ProductModel, model_id, N_("No such model"))
    form = ModelForm(obj=model)
    form.manufacturer_id.choices = manufacturer_choices()
    page = {"title": f"{model.manufacturer.name} {model.name}", "cancel": url_for("admin.models"),
            "datalists": {"category-list": _categories()}}
    if form.validate_on_submit():
        try:
            services.update_model(db(), actor(), model, **form.service_values(), manufacturer=_manufacturer(form))
        except ValidationFailed as exc:
            return refused(form, exc, **page)
        flash(_("Model %(name)s saved.", name=model.name), "success")
        return redirect(url_for("admin.models", manufacturer=model.manufacturer_id))
    return form_page(form, status=submitted_status(form), **page)
