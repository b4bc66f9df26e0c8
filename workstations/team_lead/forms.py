"""The team lead's forms: the queue's filters (a GET form, no CSRF) and the bulk actions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import NumberRange, Optional

from servicecenter.fields import parse_id
from servicecenter.repairs.models import Priority
from servicecenter.repairs.queue import UNASSIGNED, Deadline, Payment, QueueFilter, Sort
from servicecenter.repairs.states import RepairState
from workstations import labels
from workstations.web.forms import IdField

PAYMENT_LABELS = {Payment.WARRANTY: _l("Warranty"), Payment.PAID: _l("Paid")}
DEADLINE_LABELS = {Deadline.OVERDUE: _l("Overdue"), Deadline.DUE_TODAY: _l("Due today"),
                   Deadline.AT_RISK: _l("At risk")}
NONE = SelectChoice("", "—")
SORT_LABELS = {Sort.DUE: _l("Due date"), Sort.AGE: _l("Age"), Sort.PRIORITY: _l("Priority")}


class QueueFilterForm(FlaskForm):
    """Read from the query string: ?state=…&engineer=…&brand=…&category=…&payment=…&deadline=…
    &age_min=…&age_max=…&sort=…; choices for engineer, brand and category are set by the view."""

    class Meta:
        csrf = False

    state = SelectMultipleField(_l("State"), choices=[SelectChoice(s.value, labels.STATE[s]) for s in RepairState],
                                validators=[Optional()])
    engineer = SelectField(_l("Engineer"), validators=[Optional()])
    brand = SelectField(_l("Brand"), validators=[Optional()])
    category = SelectField(_l("Category"), validators=[Optional()])
    payment = SelectField(_l("Warranty or paid"), validators=[Optional()],
                          choices=[NONE, *(SelectChoice(p.value, t) for p, t in PAYMENT_LABELS.items())])
    deadline = SelectField(_l("Deadline"), validators=[Optional()],
                           choices=[NONE, *(SelectChoice(d.value, t) for d, t in DEADLINE_LABELS.items())])
    age_min = IntegerField(_l("Days since received, from"), validators=[Optional(), NumberRange(0, 3650)])
    age_max = IntegerField(_l("to"), validators=[Optional(), NumberRange(0, 3650)])
    sort = SelectField(_l("Sort by"), validators=[Optional()],
                       choices=[SelectChoice(s.value, t) for s, t in SORT_LABELS.items()])

    def set_choices(self, engineers: list[tuple[int, str]], brands: list[tuple[int, str]],
                    categories: list[str]) -> None:
        self.engineer.choices = [NONE, SelectChoice(UNASSIGNED, _l("Not assigned")),
                                 *(SelectChoice(str(i), name) for i, name in engineers)]
        self.brand.choices = [NONE, *(SelectChoice(str(i), name) for i, name in brands)]
        self.category.choices = [NONE, *(SelectChoice(c, c) for c in categories)]

    def to_filter(self) -> QueueFilter:
        engineer = self.engineer.data or ""
        return QueueFilter(
            states=tuple(RepairState(s) for s in self.state.data or ()),
            engineer_id=parse_id(engineer),
            unassigned=engineer == UNASSIGNED,
            manufacturer_id=int(self.brand.data) if self.brand.data else None,
            category=self.category.data or "",
            payment=Payment(self.payment.data) if self.payment.data else None,
            deadline=Deadline(self.deadline.data) if self.deadline.data else None,
            age_min=self.age_min.data, age_max=self.age_max.data,
            sort=Sort(self.sort.data) if self.sort.data else Sort.DUE,
        )


class BulkForm(FlaskForm):
    """The checked rows (`order`, repeated ids) and one of the actions (the pressed button's
    `action`: assign, priority, labels, route; or accept:<order id>:<engineer id> for one row's
    suggestion) with its own field."""

    order = SelectMultipleField(validate_choice=False)
    action = StringField()
    engineer_id = StringField()  # an id, or "none" to unassign
    priority = SelectField(_l("Priority"), validators=[Optional()],
                           choices=[NONE, *(SelectChoice(p.value, labels.PRIORITY[p]) for p in Priority)])
    center_id = IdField(validators=[Optional()])
    next = HiddenField()

