"""Logistics forms: shape only; the shipment services check the meaning (where items are, states, roles)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from workstations.web.forms import form_id


class NewShipmentForm(FlaskForm):
    origin = SelectField(_l("From"), coerce=form_id, validate_choice=False)
    destination = SelectField(_l("To"), coerce=form_id, validate_choice=False)
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class ScanForm(FlaskForm):
    code = StringField(_l("Scan a unit label, a serial or a part"), validators=[DataRequired(), Length(max=200)])
    quantity = StringField(_l("Qty"), validators=[Optional(), Length(max=10)], default="1")


class DispatchForm(FlaskForm):
    carrier = StringField(_l("Carrier"), validators=[Length(max=100)])
    tracking = StringField(_l("Tracking number"), validators=[Optional(), Length(max=100)])
    places = StringField(_l("Places"), validators=[Optional(), Length(max=5)])
    weight_kg = StringField(_l("Weight, kg"), validators=[Optional(), Length(max=20)])


class ResolveForm(FlaskForm):
    outcome = HiddenField()  # "found" or "lost"
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=300)])


class EmptyForm(FlaskForm):
    """A button that only needs the CSRF token (complete the receipt, cancel, remove a line)."""
