"""Users: who works where, in which role and language; activation and passwords."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from servicecenter.accounts import services
from servicecenter.accounts.models import User
from servicecenter.centers.models import ServiceCenter
from servicecenter.errors import N_, ValidationFailed
from servicecenter.paging import paginate
from workstations.admin import bp
from workstations.admin.forms import (
    LOCALE_NAMES,
    NewUserForm,
    PasswordForm,
    UserFilter,
    UserForm,
    filter_args,
)
from workstations.admin.views import (
    PER_PAGE,
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


def _center_choices() -> list[SelectChoice]:
    suffix = _("(inactive)")
    return [SelectChoice(c.id, f"{c.code} — {c.name}" + ("" if c.active else f" {suffix}"))
            for c in db().scalars(select(ServiceCenter).order_by(ServiceCenter.code))]


def _center(form: UserForm) -> ServiceCenter:
    return get_or_404(ServiceCenter, form.center_id.data, N_("No such service center"))


@bp.route("/users/")
def users() -> str:
    filters = UserFilter(request.args)
    filters.center.choices = [SelectChoice("", _("All")), *_center_choices()]
    filters.clean()
    stmt = select(User).options(selectinload(User.center)).order_by(User.name, User.email)
    stmt = matching(stmt, filters.q.data, User.name, User.email)
    if filters.center.data:
        stmt = stmt.where(User.center_id == filters.center.data)
    if filters.role.data:
        stmt = stmt.where(User.role == filters.role.data)
    stmt = with_status(stmt, User.active, filters.status.data)
    page = paginate(db(), stmt, page=page_number(), per_page=PER_PAGE)
    return render_template("admin/users.html", page=page, filters=filters, args=filter_args(filters),
                           locale_names=LOCALE_NAMES)


@bp.route("/users/new", methods=["GET", "POST"])
def user_new() -> Response | Page:
    form = NewUserForm()
    form.center_id.choices = _center_choices()
    if not form.is_submitted():
        form.center_id.data = request.args.get("center", type=int)
    page = {"title": _("New user"), "cancel": url_for("admin.users")}
    if form.validate_on_submit():
        try:
            user = services.add_user(db(), actor(), **form.service_values(), center=_center(form))
        except ValidationFailed as exc:
            return refused(form, exc, **page)
        flash(_("User %(email)s created.", email=user.email), "success")
        return redirect(url_for("admin.users"))
    return form_page(form, status=submitted_status(form), **page)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def user_edit(user_id: int) -> Response | Page:
    user = get_or_404(User, user_id, N_("No such user"))
    form = UserForm(obj=user)
    form.center_id.choices = _center_choices()
    page = {"title": user.name, "cancel": url_for("admin.users"),
            "links": [(url_for("admin.user_password", user_id=user.id), _("Set a new password"))]}
    if user.id == actor().id:
        # Not sent while disabled, so the role keeps its value; the service refuses a forged one.
        form.role.render_kw = {"disabled": True}
        page["hint"] = _("This is you: you cannot change your own role or deactivate yourself.")
    if form.validate_on_submit():
        try:
            services.update_user(db(), actor(), user, **form.service_values(), center=_center(form))
        except ValidationFailed as exc:
            return refused(form, exc, **page)
        if user.active:
            flash(_("User %(email)s saved.", email=user.email), "success")
        else:
            flash(_("User %(email)s saved; they are inactive and cannot log in.", email=user.email), "success")
        return redirect(url_for("admin.users"))
    return form_page(form, status=submitted_status(form), **page)


def password_page(user: User, *, cancel: str, done: str, **page: object) -> Response | Page:
    """Set a user's new password (the administrator's, or a partner manager's for its engineers)."""
    form = PasswordForm()
    page = {"title": _("New password for %(name)s", name=user.name), "cancel": cancel,
            "submit": _("Set password"), "hint": user.email, **page}
    if form.validate_on_submit():
        try:
            services.set_password(db(), actor(), user, form.password.data or "")
        except ValidationFailed as exc:
            return refused(form, exc, **page)
        flash(_("The password of %(email)s is changed.", email=user.email), "success")
        return redirect(done)
    return form_page(form, status=submitted_status(form), **page)


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
def user_password(user_id: int) -> Response | Page:
    user = get_or_404(User, user_id, N_("No such user"))
    return password_page(user, cancel=url_for("admin.user_edit", user_id=user.id), done=url_for("admin.users"))
