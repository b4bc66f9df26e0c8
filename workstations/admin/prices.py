"""The price list: labour items (parts are priced in the parts catalogue). Prices include VAT."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, Optional

from servicecenter.catalog.models import ProductModel
from servicecenter.errors import N_, ValidationFailed
from servicecenter.paging import paginate
from servicecenter.pricing import services
from servicecenter.pricing.models import LabourItem
from workstations.admin import bp
from workstations.admin.forms import ServiceForm
from workstations.admin.views import (
    PER_PAGE,
    form_page,
    get_or_404,
    matching,
    page_number,
    refused,
    submitted_status,
)
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

Page = tuple[str, int]


class LabourItemForm(ServiceForm):
    service_fields = ("code", "name", "category", "price", "vat_rate", "active")

    code = StringField(_l("Code"), [DataRequired(), Length(max=32)])
    name = StringField(_l("Name"), [DataRequired(), Length(max=200)])
    category = StringField(_l("Category"), [Optional(), Length(max=80)], datalist="category-list",
                           description=_l("Blank: any category."))
    price = StringField(_l("Price with VAT, ₽"), [DataRequired(), Length(max=20)], render_kw={"inputmode": "decimal"})
    vat_rate = StringField(_l("VAT rate, %"), [Optional(), Length(max=6)], default="20",
                           render_kw={"inputmode": "decimal"})
    active = BooleanField(_l("Active"), default=True)


def _categories() -> dict[str, list[str]]:
    return {"category-list": list(db().scalars(select(ProductModel.category).distinct()
                                               .order_by(ProductModel.category)))}


@bp.route("/prices/")
def prices() -> str:
    q = (request.args.get("q") or "").strip()[:100]
    stmt = matching(select(LabourItem).order_by(LabourItem.category, LabourItem.code), q, LabourItem.code,
                    LabourItem.name, LabourItem.category)
    page = paginate(db(), stmt, page=page_number(), per_page=PER_PAGE)
    return render_template("admin/prices.html", page=page, q=q)


@bp.route("/prices/new", methods=["GET", "POST"])
def price_new() -> Response | Page:
    form = LabourItemForm()
    page = {"title": _("New labour item"), "cancel": url_for("admin.prices"), "datalists": _categories()}
    if form.validate_on_submit():
        try:
            item = services.create_labour_item(db(), actor(), **form.service_values())
        except ValidationFailed as exc:
            return refused(form, exc, **page)
        flash(_("Labour item %(code)s created.", code=item.code), "success")
        return redirect(url_for("admin.prices"))
    return form_page(form, status=submitted_status(form), **page)


@bp.route("/prices/<int:item_id>/edit", methods=["GET", "POST"])
def price_edit(item_id: int) -> Response | Page:
    item = get_or_404(LabourItem, item_id, N_("No such labour item"))
    form = LabourItemForm(obj=item)
    page = {"title": f"{item.code} {item.name}", "cancel": url_for("admin.prices"), "datalists": _categories()}
    if form.validate_on_submit():
        try:
            services.update_labour_item(db(), actor(), item, **form.service_values())
        except ValidationFailed as exc:
            return refused(form, exc, **page)
        flash(_("Labour item %(code)s saved.", code=item.code), "success")
        return redirect(url_for("admin.prices"))
    return form_page(form, status=submitted_status(form), **page)
