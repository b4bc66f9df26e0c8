"""The status page's forms: every input length-capped and checked before any lookup."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from servicecenter.repairs.lookup import MAX_RATING_COMMENT, parse_order_number


def _order_number(_form: FlaskForm, field: StringField) -> None:
    if parse_order_number(field.data) is None:
        raise ValidationError(_l("Type the number as it is printed on your work order, e.g. MSK-2026-000123"))


_DIGITS = Regexp(r"^\s*\d{4}\s*$", message=_l("Four digits"))


class LookupForm(FlaskForm):
    number = StringField(_l("Order number"), validators=[
        DataRequired(_l("Type the order number")), Length(max=40), _order_number])
    last_four = StringField(_l("Last four digits of your phone"), validators=[
        DataRequired(_l("Type the last four digits of the phone you gave us")), Length(max=8), _DIGITS])


class RateForm(FlaskForm):
    # The lookup is proved again with every rating: the page keeps no session for the customer.
    number = HiddenField(validators=[DataRequired(), Length(max=40)])
    last_four = HiddenField(validators=[DataRequired(), Length(max=8)])
    rating = StringField(_l("Your rating"), validators=[Optional(), Length(max=2)])
    comment = TextAreaField(_l("Comment (optional)"), validators=[
        Optional(), Length(max=MAX_RATING_COMMENT, message=_l("The comment is too long: at most %(max)d characters"))])
