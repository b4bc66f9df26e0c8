"""The user's own profile page: who they are, and their API tokens (create, shown once; revoke)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import Length, Optional

from servicecenter.accounts.tokens import create_token, list_tokens, revoke_token
from workstations.auth import bp
from workstations.web.access import Reads, any_staff
from workstations.web.auth_session import actor
from workstations.web.dbsession import db


class TokenForm(FlaskForm):
    name = StringField(_l("What the token is for"), validators=[Optional(), Length(max=100)])


class RevokeForm(FlaskForm):
    pass


def _page(form: TokenForm, secret: str | None = None, status: int = 200) -> tuple[str, int]:
    user = actor()
    return render_template("auth/profile.html", user=user, tokens=list_tokens(db(), user), form=form,
                           revoke_form=RevokeForm(), secret=secret), status


@bp.route("/profile")
@any_staff(reads=Reads.SELF)
def profile() -> tuple[str, int]:
    return _page(TokenForm())


@bp.route("/profile/tokens", methods=["POST"])
@any_staff(reads=Reads.SELF)
def token_new() -> tuple[str, int]:
    """Issue a token and show it this once (the page is not cached; only its hash is kept)."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    _token, secret = create_token(db(), actor(), actor(), form.name.data or "")
    return _page(TokenForm(formdata=None), secret=secret)


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@any_staff(reads=Reads.SELF)
def token_revoke(token_id: int) -> Response:
    if RevokeForm().validate_on_submit():
        token = revoke_token(db(), actor(), token_id, user=actor())
        flash(_("Token %(prefix)s… revoked: it no longer works.", prefix=token.prefix), "success")
    return redirect(url_for("auth.profile"))
