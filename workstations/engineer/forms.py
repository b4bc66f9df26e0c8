"""Forms of the bench. They check the shape of the input only; the services check its meaning
(codes of the unit's category, sane minutes, serials), so a refusal reads the same everywhere."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional


class TakeForm(FlaskForm):
    back = HiddenField()  # "queue": return to the bench page instead of the order


class DiagnosisForm(FlaskForm):
    symptom = SelectField(_l("Symptom"), validate_choice=False)
    cause = SelectField(_l("Cause"), validate_choice=False)
    action = SelectField(_l("Action"), validate_choice=False)
    diagnosis = TextAreaField(_l("Diagnosis"), validators=[Optional(), Length(max=4000)])


class WorkForm(FlaskForm):
    minutes = StringField(_l("Minutes"), validators=[Length(max=10)])
    description = TextAreaField(_l("What was done"), validators=[Length(max=4000)])
    performed_on = DateField(_l("Day"), validators=[Optional()])


class ChecklistForm(FlaskForm):
    item_id = HiddenField()
    ticked = HiddenField()  # "1" to tick, "0" to untick


class PartSwapForm(FlaskForm):
    part_name = StringField(_l("Part"), validators=[Length(max=120)])
    old_serial = StringField(_l("Old part's serial (out)"), validators=[Length(max=80)])
    new_serial = StringField(_l("New part's serial (in)"), validators=[Length(max=80)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class PartPhotoForm(FlaskForm):
    photos = MultipleFileField(_l("Photos of replaced parts"))


class FinishForm(FlaskForm):
    outcome = SelectField(_l("Outcome"), validate_choice=False)
    outcome_note = TextAreaField(_l("Conclusion"), validators=[Optional(), Length(max=4000)])
    replacement_serial = StringField(_l("Serial of the replacement unit"), validators=[Optional(), Length(max=80)])
    version = IntegerField(validators=[Optional()])
