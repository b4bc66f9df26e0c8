"""The intake form: everything the counter records when a unit is handed in."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from servicecenter.repairs.models import OrderType, Priority
from workstations import labels
from workstations.web.forms import IdField

# Typical defects seen at the counter (ticked, then free text for the rest).
CONDITION_CHECKLIST = [
    ("scratches", _l("Scratches")),
    ("chips", _l("Chips")),
    ("dents", _l("Dents")),
    ("cracks", _l("Cracked case")),
    ("opened", _l("Signs of opening")),
    ("seal", _l("Warranty seal broken")),
    ("liquid", _l("Traces of liquid")),
    ("dirty", _l("Heavily soiled")),
]
TYPICAL_ACCESSORIES = [
    ("charger", _l("Charger")),
    ("cable", _l("Cable")),
    ("box", _l("Box")),
    ("manual", _l("Manual")),
    ("remote", _l("Remote control")),
    ("battery", _l("Battery")),
    ("bag", _l("Bag / case")),
]


class MultiCheckbox(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class IntakeForm(FlaskForm):
    token = HiddenField()  # one per opened form: a double submit makes one order
    serial = StringField(_l("Serial number"), validators=[DataRequired(), Length(max=64)])
    # The model picker: the clerk types into model_label, picks a suggestion, and its id goes into the
    # hidden model_id. Without a pick, a model named in full in model_label is looked up; the domain
    # checks the model is active (servicecenter.repairs.intake).
    model_id = IdField(validators=[Optional()])
    model_label = StringField(_l("Model"), validators=[Optional(), Length(max=300)])
    purchase_date = DateField(_l("Purchase date"), validators=[Optional()])
    seller = StringField(_l("Seller"), validators=[Optional(), Length(max=200)])
    contract_number = StringField(_l("Extended-warranty contract No."), validators=[Optional(), Length(max=40)])
    # Checked by content in the domain (servicecenter.attachments) when the order is received.
    photos = MultipleFileField(_l("Photos: nameplate, seals, damage"), validators=[Optional()])
    customer_id = IdField(validators=[Optional()])
    customer_name = StringField(_l("Customer"), validators=[Optional(), Length(max=200)])
    customer_phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    customer_email = StringField(_l("E-mail"), validators=[Optional(), Length(max=200)])
    customer_kind = RadioField(_l("Customer is"), choices=[("person", _l("a person")), ("company", _l("a company"))],
                               default="person")
    fault = TextAreaField(_l("Reported fault"), validators=[DataRequired(), Length(max=4000)])
    condition_checks = MultiCheckbox(_l("Condition"), choices=CONDITION_CHECKLIST)
    condition_note = TextAreaField(_l("Condition, in words"), validators=[Optional(), Length(max=2000)])
    accessories_checks = MultiCheckbox(_l("Accessories received"), choices=TYPICAL_ACCESSORIES)
    accessories_other = StringField(_l("Other accessories (comma separated)"),
                                    validators=[Optional(), Length(max=500)])
    order_type = SelectField(_l("Order type"), choices=[(t.value, labels.ORDER_TYPE[t]) for t in OrderType],
                             default=OrderType.PAID.value)
    priority = SelectField(_l("Priority"), choices=[(p.value, labels.PRIORITY[p]) for p in Priority],
                           default=Priority.NORMAL.value)
    warranty = RadioField(_l("Warranty decision"), default="auto", choices=[
        ("auto", _l("As the system decides")), ("yes", _l("Warranty")), ("no", _l("Paid"))])
    override_reason = StringField(_l("Reason for your decision"), validators=[Optional(), Length(max=500)])

    def condition_text(self) -> str:
        ticked = [str(text) for key, text in CONDITION_CHECKLIST if key in (self.condition_checks.data or [])]
        note = (self.condition_note.data or "").strip()
        return "; ".join([*ticked, note] if note else ticked)

    def accessories(self) -> list[str]:
        ticked = [str(text) for key, text in TYPICAL_ACCESSORIES if key in (self.accessories_checks.data or [])]
        other = [a.strip() for a in (self.accessories_other.data or "").split(",") if a.strip()]
        return ticked + other


class IssueForm(FlaskForm):
    """Hand-back at the counter: the payment for paid work (nothing for warranty repairs)."""

    version = IntegerField(validators=[Optional()])
    amount_paid = StringField(_l("Amount paid, ₽"), validators=[Optional(), Length(max=20)])
    payment_method = RadioField(_l("Paid by"), validators=[Optional()], choices=[
        ("cash", _l("cash")), ("card", _l("card")), ("transfer", _l("bank transfer"))])
    # The customer may rate the repair right at the counter (or later on the status page).
    rating = RadioField(_l("The customer's rating (optional)"), validators=[Optional()],
                        choices=[(str(n), str(n)) for n in range(1, 6)])
    rating_comment = StringField(_l("Their comment"), validators=[Optional(), Length(max=1000)])
