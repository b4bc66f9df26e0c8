"""The call center's forms: a note on an order, the nearest-center finder, a pre-registered visit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from workstations.web.forms import form_id


class NoteForm(FlaskForm):
    number = HiddenField(validators=[DataRequired(), Length(max=40)])
    q = HiddenField(validators=[Optional(), Length(max=200)])  # the search to return to
    text = TextAreaField(_l("Call note"), validators=[DataRequired(), Length(max=4000)])


class CentersForm(FlaskForm):
    """Read from the query string (a search changes nothing, so it carries no CSRF token)."""

    class Meta:
        csrf = False

    manufacturer_id = SelectField(_l("Brand"), coerce=form_id, validators=[DataRequired(_l("Choose the brand"))])
    city = StringField(_l("Caller's city"), validators=[Optional(), Length(max=100)])
    region = StringField(_l("Region"), validators=[Optional(), Length(max=100)])


class VisitForm(FlaskForm):
    token = HiddenField()  # one per opened form: a double submit registers one visit
    customer_name = StringField(_l("Customer"), validators=[DataRequired(), Length(max=200)])
    customer_phone = StringField(_l("Phone"), validators=[DataRequired(), Length(max=40)])
    manufacturer_id = SelectField(_l("Brand"), coerce=form_id, default=0)
    model_id = SelectField(_l("Model (if known)"), coerce=form_id, default=0)
    serial = StringField(_l("Serial number (if known)"), validators=[Optional(), Length(max=64)])
    # Checked by the domain (authorised for the brand, active), which says why it refuses.
    center_id = SelectField(_l("Service center"), coerce=form_id, default=0, validate_choice=False)
    fault = TextAreaField(_l("Fault, in the caller's words"), validators=[DataRequired(), Length(max=4000)])
