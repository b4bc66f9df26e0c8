"""Forms of the warehouse. They check the input's shape; the services check its meaning."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional


class ScanForm(FlaskForm):
    """A scanned code and how many (parts only; a unit is always one)."""

    code = StringField(_l("Scan or type a code"), validators=[DataRequired(), Length(max=200)])
    quantity = StringField(_l("Quantity"), default="1", validators=[Optional(), Length(max=10)])
    place = HiddenField()  # the shelf a put-away or a count scan is for


class CountScanForm(ScanForm):
    at = SelectField(_l("Where"), validate_choice=False, validators=[Optional()])


class ShelfForm(FlaskForm):
    code = StringField(_l("Shelf code"), validators=[DataRequired(), Length(max=40)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    warehouse = SelectField(_l("Warehouse"), validate_choice=False)


class StartCountForm(FlaskForm):
    place = HiddenField(validators=[DataRequired()])


class ConfirmCountForm(FlaskForm):
    reason = StringField(_l("Reason for the adjustments"), validators=[Optional(), Length(max=500)])


class LineForm(FlaskForm):
    quantity = StringField(_l("Counted"), validators=[DataRequired(), Length(max=10)])
