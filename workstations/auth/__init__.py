"""Login, logout, the landing redirect and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from servicecenter.accounts.services import (
    LoginRefused,
    LoginThrottled,
    authenticate,
    end_session,
    start_session,
)
from workstations.nav import landing_endpoint
from workstations.web.access import Reads, any_staff, public
from workstations.web.auth_session import CurrentUser
from workstations.web.dbsession import db
from workstations.web.i18n import LOCALES

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


def safe_next(target: str | None) -> str | None:
    """Only a same-origin path is followed after login (no open redirect)."""
    if not target:
        return None
    if not target.isprintable():  # a CR/LF would split the Location header; a tab is dropped by browsers
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@public()
def login() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for(landing_endpoint(current_user.role)))
    form = LoginForm()
    if form.validate_on_submit():
        remote = request.remote_addr or ""
        try:
            user = authenticate(db(), form.email.data or "", form.password.data or "", remote)
        except LoginThrottled:
            return render_template("auth/login.html", form=form,
                                   error=_("Too many attempts. Wait a few minutes and try again.")), 429
        except LoginRefused:
            # A failed attempt is recorded (the throttle counts it), so this answer commits.
            return render_template("auth/login.html", form=form, error=_("Wrong e-mail or password.")), 200
        session.clear()  # a fresh session at every login
        token = start_session(db(), user, remote)
        login_user(CurrentUser(user, token))
        return redirect(safe_next(request.args.get("next")) or url_for(landing_endpoint(user.role)))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form, error=None), status


@bp.route("/logout", methods=["POST"])
@any_staff(reads=Reads.SELF)
def logout() -> Response:
    end_session(db(), current_user.token)
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/")
@public()
def home() -> Response:
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for(landing_endpoint(current_user.role)))


@bp.route("/language/<code>", methods=["POST"])
@public()
def language(code: str) -> Response:
    if code in LOCALES:
        session["locale"] = code
        if current_user.is_authenticated:
            current_user.user.locale = code
    return redirect(safe_next(request.form.get("next")) or url_for("auth.home"))


# The profile page registers its routes on `bp` (imported after it exists).
from workstations.auth import profile  # noqa: E402, F401
