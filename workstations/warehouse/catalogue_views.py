"""The parts catalogue in the warehouse: list and search, add a part, change one."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from servicecenter.errors import N_, ValidationFailed
from servicecenter.paging import paginate
from servicecenter.stock import catalogue
from servicecenter.stock.models import Part
from workstations.admin.forms import ServiceForm, apply_refusal
from workstations.admin.views import PER_PAGE, form_page, get_or_404, matching, page_number, submitted_status
from workstations.warehouse import bp
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

Page = tuple[str, int]


class PartForm(ServiceForm):
    service_fields = ("sku", "barcode", "name", "unit_cost", "price", "serialised", "active", "models")

    sku = StringField(_l("SKU"), [DataRequired(), Length(max=64)])
    barcode = StringField(_l("Barcode"), [Optional(), Length(max=64)])
    name = StringField(_l("Name"), [DataRequired(), Length(max=200)])
    unit_cost = StringField(_l("Unit cost, ₽"), [Optional(), Length(max=20)], render_kw={"inputmode": "decimal"})
    price = StringField(_l("Price with VAT, ₽"), [Optional(), Length(max=20)], render_kw={"inputmode": "decimal"})
    serialised = BooleanField(_l("Serialised (each piece has its own serial)"))
    active = BooleanField(_l("Active"), default=True)
    models = TextAreaField(_l("Fits the models"), [Optional(), Length(max=20000)],
                           description=_l("One a line: the brand and the model, e.g. Bosch WAN28281OE."))


def _form_page(form: PartForm, title: str, status: int = 200, error: str | None = None,
               general: list[str] | None = None) -> Page:
    back = url_for("warehouse.catalogue_list")
    return form_page(form, title=title, cancel=back, status=status, error=error, general=general or [],
                     back=(back, _("Parts catalogue")))


def _save(form: PartForm, part: Part | None, title: str) -> Response | Page:
    if form.validate_on_submit():
        try:
            saved = catalogue.save_part(db(), actor(), part, **form.service_values())
        except ValidationFailed as exc:
            error, general = apply_refusal(form, exc)
            return _form_page(form, title, 422, error, general)
        flash(_("Part %(sku)s saved.", sku=saved.sku), "success")
        return redirect(url_for("warehouse.catalogue_list", q=saved.sku))
    return _form_page(form, title, submitted_status(form))


@bp.route("/catalogue/")
def catalogue_list() -> str:
    q = (request.args.get("q") or "").strip()[:100]
    stmt = matching(select(Part).options(selectinload(Part.compatible_models)).order_by(Part.sku), q,
                    Part.sku, Part.barcode, Part.name)
    page = paginate(db(), stmt, page=page_number(), per_page=PER_PAGE)
    return render_template("warehouse/catalogue.html", page=page, q=q)


@bp.route("/catalogue/new", methods=["GET", "POST"])
def part_new() -> Response | Page:
    form = PartForm()
    if not form.is_submitted() and request.args.get("sku"):  # "add it": the code the clerk just scanned
        form.sku.data = request.args.get("sku", "")[:64]
    return _save(form, None, _("New part"))


@bp.route("/catalogue/<int:part_id>/edit", methods=["GET", "POST"])
def part_edit(part_id: int) -> Response | Page:
    part = get_or_404(Part, part_id, N_("No such part"))
    form = PartForm(obj=part)
    if not form.is_submitted():
        form.models.data = catalogue.models_text(part)
    return _save(form, part, f"{part.sku} {part.name}")

