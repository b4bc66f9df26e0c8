"""Diagnosis codes (symptom → cause → action) and bench checklists per product category."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import BooleanField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from servicecenter.catalog.models import ProductModel
from servicecenter.diagnostics import catalogue
from servicecenter.diagnostics.models import ChecklistItem, CodeKind, DiagnosisCode
from servicecenter.errors import N_, ValidationFailed
from servicecenter.paging import paginate
from workstations.admin import bp
from workstations.admin.forms import FilterForm, ServiceForm, filter_args, status_choices
from workstations.admin.views import (
    PER_PAGE,
    contains,
    form_page,
    get_or_404,
    page_number,
    refused,
    submitted_status,
    with_status,
)
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

Page = tuple[str, int]
KIND = {CodeKind.SYMPTOM: _l("Symptom"), CodeKind.CAUSE: _l("Cause"), CodeKind.ACTION: _l("Action")}


def kind_choices() -> list[SelectChoice]:
    return [SelectChoice(k.value, KIND[k]) for k in CodeKind]


class CodeForm(ServiceForm):
    service_fields = ("category", "kind", "code", "name", "active")

    category = StringField(_l("Category"), [DataRequired(), Length(max=80)], datalist="category-list",
                           description=_l("Exactly as the product models' category is spelt."))
    kind = SelectField(_l("Kind"), choices=kind_choices)
    code = StringField(_l("Code"), [DataRequired(), Length(max=20)])
    name = StringField(_l("Name"), [DataRequired(), Length(max=200)])
    active = BooleanField(_l("Active"), default=True)


class ChecklistItemForm(ServiceForm):
    service_fields = ("category", "text", "position", "required", "active")

    category = StringField(_l("Category"), [DataRequired(), Length(max=80)], datalist="category-list")
    text = StringField(_l("What to check"), [DataRequired(), Length(max=200)])
    position = IntegerField(_l("Position"), [Optional()], default=0, render_kw={"min": 0, "max": 999})
    required = BooleanField(_l("Required to finish"), default=True)
    active = BooleanField(_l("Active"), default=True)


class CodeFilter(FilterForm):
    category = StringField(_l("Category"), datalist="category-list")
    kind = SelectField(_l("Kind"), choices=lambda: [SelectChoice("", _l("All")), *kind_choices()], default="")
    status = SelectField(_l("Status"), choices=status_choices, default="all")


class ChecklistFilter(FilterForm):
    category = StringField(_l("Category"), datalist="category-list")
    status = SelectField(_l("Status"), choices=status_choices, default="all")


def _categories() -> list[str]:
    return list(db().scalars(select(ProductModel.category).where(ProductModel.active.is_(True))
                             .distinct().order_by(ProductModel.category)))


def _lists() -> dict[str, list[str]]:
    return {"category-list": _categories()}


# --- Diagnosis codes ----------------------------------------------------------------------------

@bp.route("/codes/")
def codes() -> str:
    filters = CodeFilter(request.args).clean()
    stmt = select(DiagnosisCode).order_by(DiagnosisCode.category, DiagnosisCode.kind, DiagnosisCode.code)
    category = contains(DiagnosisCode.category, filters.category.data)
    if category is not None:
        stmt = stmt.where(category)
    if filters.kind.data:
        stmt = stmt.where(DiagnosisCode.kind == filters.kind.data)
    stmt = with_status(stmt, DiagnosisCode.active, filters.status.data)
    page = paginate(db(), stmt, page=page_number(), per_page=PER_PAGE)
    return render_template("admin/codes.html", page=page, filters=filters, args=filter_args(filters),
                           kinds=KIND, datalists=_lists())


@bp.route("/codes/new", methods=["GET", "POST"])
def code_new() -> Response | Page:
    form = CodeForm()
    if not form.is_submitted():
        form.category.data = request.args.get("category", "")
    page = {"title": _("New diagnosis code"), "cancel": url_for("admin.codes"), "datalists": _lists()}
    if form.validate_on_submit():
        try:
            code = catalogue.create_code(db(), actor(), **form.service_values())
        except ValidationFailed as exc:
            return refused(form, exc, **page)
        flash(_("Code %(code)s created.", code=code.code), "success")
        return redirect(url_for("admin.codes", category=code.category))
    return form_page(form, status=submitted_status(form), **page)


@bp.route("/codes/<int:code_id>/edit", methods=["GET", "POST"])
def code_edit(code_id: int) -> Response | Page:
    code = get_or_404(DiagnosisCode, code_id, N_("No such code"))
    form = CodeForm(obj=code)
    page = {"title": f"{code.category}: {code.code}", "cancel": url_for("admin.codes"), "datalists": _lists(),
            "hint": _("Deactivate a code instead of deleting it: recorded diagnoses keep pointing at it.")}
    if form.validate_on_submit():
        try:
            catalogue.update_code(db(), actor(), code, **form.service_values())
        except ValidationFailed as exc:
            return refused(form, exc, **page)
        flash(_("Code %(code)s saved.", code=code.code), "success")
        return redirect(url_for("admin.codes", category=code.category))
    return form_page(form, status=submitted_status(form), **page)


# --- Checklists ---------------------------------------------------------------------------------

@bp.route("/checklists/")
def checklists() -> str:
    filters = ChecklistFilter(request.args).clean()
    stmt = select(ChecklistItem).order_by(ChecklistItem.category, ChecklistItem.position, ChecklistItem.id)
    category = contains(ChecklistItem.category, filters.category.data)
    if category is not None:
        stmt = stmt.where(category)
    stmt = with_status(stmt, ChecklistItem.active, filters.status.data)
    page = paginate(db(), stmt, page=page_number(), per_page=PER_PAGE)
    return render_template("admin/codes_checklist.html", page=page, filters=filters, args=filter_args(filters),
                           datalists=_lists())


@bp.route("/checklists/new", methods=["GET", "POST"])
def checklist_new() -> Response | Page:
    form = ChecklistItemForm()
    if not form.is_submitted():
        form.category.data = request.args.get("category", "")
    page = {"title": _("New checklist item"), "cancel": url_for("admin.checklists"), "datalists": _lists()}
    if form.validate_on_submit():
        try:
            item = catalogue.create_checklist_item(db(), actor(), **form.service_values())
        except ValidationFailed as exc:
            return refused(form, exc, **page)
        flash(_("Checklist item saved."), "success")
        return redirect(url_for("admin.checklists", category=item.category))
    return form_page(form, status=submitted_status(form), **page)


@bp.route("/checklists/<int:item_id>/edit", methods=["GET", "POST"])
def checklist_edit(item_id: int) -> Response | Page:
    item = get_or_404(ChecklistItem, item_id, N_("No such checklist item"))
    form = ChecklistItemForm(obj=item)
    page = {"title": f"{item.category}: {item.text}", "cancel": url_for("admin.checklists"), "datalists": _lists()}
    if form.validate_on_submit():
        try:
            catalogue.update_checklist_item(db(), actor(), item, **form.service_values())
        except ValidationFailed as exc:
            return refused(form, exc, **page)
        flash(_("Checklist item saved."), "success")
        return redirect(url_for("admin.checklists", category=item.category))
    return form_page(form, status=submitted_status(form), **page)
