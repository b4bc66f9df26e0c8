"""A partner manager keeps its own center's engineer accounts: add, edit, deactivate, new password.

The rules are the domain's (accounts.services.check_manages): only the partner role, only at the
manager's own center, never another manager or itself. The manager's walled session cannot even
load a user of another center, so a forged id answers 404.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from servicecenter.accounts import services
from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.accounts.services import USER_LOCALES
from servicecenter.errors import N_, NotFound, ValidationFailed
from workstations.admin.forms import LOCALE_NAMES, ServiceForm
from workstations.admin.users import password_page
from workstations.admin.views import form_page, refused, submitted_status
from workstations.partner import bp
from workstations.web.access import allow
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

Page = tuple[str, int]


class EngineerForm(ServiceForm):
    service_fields = ("email", "name", "locale", "phone", "active")

    email = EmailField(_l("E-mail"), [DataRequired(), Length(max=200)])
    name = StringField(_l("Name"), [DataRequired(), Length(max=200)])
    locale = SelectField(_l("Language"), choices=[SelectChoice(code, LOCALE_NAMES[code]) for code in USER_LOCALES], default="ru")
    phone = StringField(_l("Phone"), [Length(max=32)])
    active = BooleanField(_l("Active"), default=True,
                          description=_l("A deactivated user cannot log in; their open sessions end at once."))


class NewEngineerForm(EngineerForm):
    service_fields = ("email", "name", "locale", "phone", "password")

    active = None  # a new account is active
    password = PasswordField(_l("Password"), [DataRequired(), Length(max=200)], render_kw={"minlength": 8},
                             description=_l("At least 8 characters."))
    confirm = PasswordField(_l("Password again"), [EqualTo("password", message=_l("The passwords differ"))])


def _engineer(user_id: int) -> User:
    """One of the manager's engineers; anyone else (another center's, another manager) is not found."""
    user = db().get(User, user_id)
    me = actor()
    if user is None or user.center_id != me.center_id or user.role != Role.PARTNER:
        raise NotFound(N_("No such user"))
    return user


def _page(title: str) -> dict:
    return {"title": title, "cancel": url_for("partner.team"), "back": (url_for("partner.team"), _("Team"))}


@bp.route("/team")
@allow(Role.PARTNER_MANAGER)
def team() -> str:
    users = db().scalars(select(User).where(User.center_id == actor().center_id)
                         .order_by(User.active.desc(), User.name)).all()
    return render_template("partner/team.html", users=users, locale_names=LOCALE_NAMES)


@bp.route("/team/new", methods=["GET", "POST"])
@allow(Role.PARTNER_MANAGER)
def team_new() -> Response | Page:
    form = NewEngineerForm()
    page = _page(_("New engineer"))
    if form.validate_on_submit():
        try:
            user = services.add_user(db(), actor(), **form.service_values(), role=Role.PARTNER,
                                     center=actor().center)
        except ValidationFailed as exc:
            return refused(form, exc, **page)
        flash(_("User %(email)s created.", email=user.email), "success")
        return redirect(url_for("partner.team"))
    return form_page(form, status=submitted_status(form), **page)


@bp.route("/team/<int:user_id>/edit", methods=["GET", "POST"])
@allow(Role.PARTNER_MANAGER)
def team_edit(user_id: int) -> Response | Page:
    user = _engineer(user_id)
    form = EngineerForm(obj=user)
    page = {**_page(user.name), "links": [(url_for("partner.team_password", user_id=user.id),
                                           _("Set a new password"))]}
    if form.validate_on_submit():
        try:
            services.update_user(db(), actor(), user, **form.service_values())
        except ValidationFailed as exc:
            return refused(form, exc, **page)
        flash(_("User %(email)s saved.", email=user.email), "success")
        return redirect(url_for("partner.team"))
    return form_page(form, status=submitted_status(form), **page)


@bp.route("/team/<int:user_id>/password", methods=["GET", "POST"])
@allow(Role.PARTNER_MANAGER)
def team_password(user_id: int) -> Response | Page:
    user = _engineer(user_id)
    return password_page(user, cancel=url_for("partner.team"), done=url_for("partner.team"),
                         back=(url_for("partner.team"), _("Team")))
