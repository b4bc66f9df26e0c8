"""Forms of the settlements pages: their shape only; every rule is the services'."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from servicecenter.settlements.models import LabourBasis, PartsBasis, RateCardKind


class ActionForm(FlaskForm):
    """A button: the CSRF token and the version of the statement or claim the user saw."""

    version = HiddenField()


class ReasonForm(ActionForm):
    reason = TextAreaField(_l("Reason"), [Length(max=2000)], render_kw={"rows": 2})


class DecisionForm(ActionForm):
    decision = RadioField(_l("Decision"), choices=[SelectChoice("accept", _l("Accept")), SelectChoice("reject", _l("Reject"))],
                          default="accept")
    reason = TextAreaField(_l("Reason"), [Length(max=2000)], render_kw={"rows": 2})


class PaymentForm(ActionForm):
    payment_date = StringField(_l("Payment date"), [Length(max=20)], render_kw={"type": "date"})
    reference = StringField(_l("Payment reference"), [Length(max=100)])


class CardLineForm(Form):
    category = StringField(_l("Category"), [Optional(), Length(max=80)], render_kw={"list": "category-list"})
    labour = StringField(_l("Labour per repair, ₽ without VAT"), [Optional(), Length(max=20)],
                         render_kw={"inputmode": "decimal"})


KIND_LABELS = {RateCardKind.PARTNER: _l("Partner center"), RateCardKind.MANUFACTURER: _l("Manufacturer")}
BASIS_LABELS = {LabourBasis.PER_REPAIR: _l("per repair, by category"), LabourBasis.PER_HOUR: _l("per hour logged")}
PARTS_LABELS = {PartsBasis.NONE: _l("not reimbursed"), PartsBasis.COST: _l("at cost"),
                PartsBasis.LIST: _l("at list price (net of VAT)")}


class RateCardForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k.value, v) for k, v in KIND_LABELS.items()])
    center_id = SelectField(_l("Partner center"), choices=[], validate_choice=False)
    manufacturer_id = SelectField(_l("Manufacturer"), choices=[], validate_choice=False)
    valid_from = StringField(_l("Valid from"), [Length(max=20)], render_kw={"type": "date"})
    labour_basis = SelectField(_l("Labour"), choices=[SelectChoice(k.value, v) for k, v in BASIS_LABELS.items()])
    hourly_rate = StringField(_l("Hourly rate, ₽ without VAT"), [Length(max=20)], default="0",
                              render_kw={"inputmode": "decimal"})
    travel_allowance = StringField(_l("Travel allowance per repair, ₽ without VAT"), [Length(max=20)], default="0",
                                   render_kw={"inputmode": "decimal"})
    parts_basis = SelectField(_l("Parts"), choices=[SelectChoice(k.value, v) for k, v in PARTS_LABELS.items()])
    vat_rate = StringField(_l("VAT rate, %"), [Length(max=6)], default="20", render_kw={"inputmode": "decimal"},
                           description=_l("0 for a partner on the simplified tax system."))
    note = TextAreaField(_l("Note"), [Length(max=2000)], render_kw={"rows": 2})
    lines = FieldList(FormField(CardLineForm), min_entries=1, max_entries=200)

    def service_values(self) -> dict[str, object]:
        return {"kind": self.kind.data, "center_id": self.center_id.data, "manufacturer_id": self.manufacturer_id.data,
                "valid_from": self.valid_from.data, "labour_basis": self.labour_basis.data,
                "hourly_rate": self.hourly_rate.data, "travel_allowance": self.travel_allowance.data,
                "parts_basis": self.parts_basis.data, "vat_rate": self.vat_rate.data, "note": self.note.data,
                "lines": [{"category": entry.category.data, "labour": entry.labour.data} for entry in self.lines]}
