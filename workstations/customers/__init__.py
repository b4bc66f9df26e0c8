"""Correcting a customer's contacts and mail preferences (reached from the order page and the call center)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from servicecenter.customers.models import Customer
from servicecenter.customers.services import EDIT_ROLES, get_customer_for, update_customer
from servicecenter.errors import ValidationFailed
from workstations.auth import safe_next
from workstations.web.access import allow
from workstations.web.auth_session import actor
from workstations.web.dbsession import db
from workstations.web.errors import translate

bp = Blueprint("customers", __name__, url_prefix="/customers")

LANGUAGE_CHOICES = [("ru", _l("Russian")), ("en", _l("English"))]


class CustomerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[DataRequired(), Length(max=40)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=200)])
    language = SelectField(_l("Language of e-mails"), choices=LANGUAGE_CHOICES)
    notifications_opt_out = BooleanField(_l("Do not send e-mail notifications"))
    next = HiddenField(validators=[Optional(), Length(max=500)])


def _page(form: CustomerForm, customer: Customer, status: int = 200, error: str | None = None) -> tuple[str, int]:
    return render_template("customers/edit.html", form=form, customer=customer, error=error,
                           back=safe_next(form.next.data)), status


@bp.route("/<int:customer_id>/edit", methods=["GET", "POST"])
@allow(*EDIT_ROLES)
def edit(customer_id: int) -> Any:
    customer = get_customer_for(db(), actor(), customer_id)
    form = CustomerForm()
    if not form.is_submitted():
        form = CustomerForm(data={"name": customer.name, "phone": customer.phone, "email": customer.email,
                                  "language": customer.language, "next": request.args.get("next", ""),
                                  "notifications_opt_out": customer.notifications_opt_out})
        return _page(form, customer)
    if not form.validate():
        return _page(form, customer, 422, _("Check the marked fields; nothing was saved."))
    try:
        update_customer(db(), actor(), customer, name=form.name.data, phone=form.phone.data,
                        email=form.email.data or "", language=form.language.data,
                        notifications_opt_out=form.notifications_opt_out.data)
    except ValidationFailed as exc:  # refused before anything changed (and a 422 rolls the request back)
        for field_name, message in exc.errors.items():
            field = getattr(form, field_name, None)
            if field is not None:
                field.errors = [*(field.errors if isinstance(field.errors, list) else []), _(message)]
        return _page(form, customer, 422, translate(exc))
    flash(_("The customer's details are saved."), "success")
    return redirect(safe_next(form.next.data) or url_for("auth.home"), 303)
