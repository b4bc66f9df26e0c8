"""Forms of the administrator workstation.

The forms check only the shape of the input (present, a number, not too long); every rule of
the domain (unique codes, time zones, warranty terms, who may be whose) is the services' to
check, so it holds for every caller and its message is the same everywhere.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DataList,
    EmailField,
    Form,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from printing.labels import PRESETS
from servicecenter.accounts.roles import Role
from servicecenter.accounts.services import USER_LOCALES
from servicecenter.centers.models import CenterKind, LocationKind
from servicecenter.centers.services import STOCK_KINDS
from servicecenter.errors import ValidationFailed
from workstations import labels
from workstations.web.errors import field_errors, translate
from workstations.web.forms import form_id

# Suggestions for the time-zone field (Russia's zones first); any IANA name is accepted.
TIMEZONE_SUGGESTIONS = [
    "Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk",
    "Asia/Novosibirsk", "Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Vladivostok",
    "Asia/Magadan", "Asia/Kamchatka", "Europe/Minsk", "Asia/Almaty", "Asia/Tashkent", "UTC",
]
# Language names are written in their own language, never translated.
LOCALE_NAMES = {"ru": "Русский", "en": "English"}
# Service field names that a form carries under another name.
FORM_FIELD = {"center": "center_id", "parent": "parent_id", "manufacturer": "manufacturer_id"}


def optional_int(value: Any) -> int | None:
    """Coerce a select's value to an id; blank (or nonsense) means none."""
    if value is None or value == "":
        return None
    return int(value)


def safe_int(value: Any) -> int | None:
    try:
        return optional_int(value)
    except (TypeError, ValueError):
        return None


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, labels.ROLE[role]) for role in Role]


def center_kind_choices() -> list[SelectChoice]:
    return [SelectChoice(kind.value, labels.CENTER_KIND[kind]) for kind in CenterKind]


def status_choices() -> list[SelectChoice]:
    return [SelectChoice("active", _l("Active")), SelectChoice("inactive", _l("Inactive")),
            SelectChoice("all", _l("All"))]


class MultiCheckboxField(SelectMultipleField):
    """A list of check boxes (easier than a multiple select on a counter screen)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ServiceForm(FlaskForm):
    """A form whose fields go to one service as keyword arguments."""

    service_fields: tuple[str, ...] = ()

    def service_values(self) -> dict[str, Any]:
        return {name: getattr(self, name).data for name in self.service_fields}


def apply_refusal(form: FlaskForm, exc: ValidationFailed) -> tuple[str, list[str]]:
    """Put a service's field errors next to the form's fields (translated).

    Returns the refusal's message and the errors that match no field of the form.
    """
    general = []
    for name, message in field_errors(exc).items():
        field = getattr(form, FORM_FIELD.get(name, name), None)
        if field is None or not hasattr(field, "errors"):
            general.append(message)
        else:
            field.errors = [*field.errors, message]
    return translate(exc), general


# --- Service centers and locations --------------------------------------------------------------

class CenterForm(ServiceForm):
    service_fields = ("code", "name", "kind", "city", "region", "address", "phone", "email", "timezone",
                      "hours", "active", "repair_warranty_days", "label_profile", "label_qr")

    code = StringField(_l("Code"), [DataRequired(), Length(max=8)],
                       description=_l("Up to 8 Latin letters or digits; starts every order number of the center."))
    name = StringField(_l("Name"), [DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=center_kind_choices, default=CenterKind.OWN.value)
    city = StringField(_l("City"), [Length(max=100)])
    region = StringField(_l("Region"), [Length(max=100)])
    address = StringField(_l("Address"), [Length(max=300)])
    phone = StringField(_l("Phone"), [Length(max=32)])
    email = EmailField(_l("E-mail"), [Length(max=200)])
    timezone = StringField(_l("Time zone"), [DataRequired(), Length(max=64)], default="Europe/Moscow",
                           datalist=DataList(TIMEZONE_SUGGESTIONS),
                           description=_l("An IANA name, e.g. Europe/Moscow or Asia/Yekaterinburg."))
    hours = StringField(_l("Opening hours"), [Length(max=200)])
    brands = MultiCheckboxField(_l("Authorised brands"), coerce=form_id, choices=[])
    repair_warranty_days = IntegerField(_l("Our warranty on a repair, days"), [InputRequired()], default=90,
                                        description=_l("A unit back within this time is a repeat repair under "
                                                       "our warranty."))
    label_profile = SelectField(_l("Label stock"), default="58x40", choices=lambda: [
        SelectChoice(name, f"{p.width_mm:g}×{p.height_mm:g} mm") for name, p in PRESETS.items()])
    label_qr = SelectField(_l("QR code on labels"), default="none", choices=lambda: [
        SelectChoice("none", _("none")), SelectChoice("staff", _("opens the order for staff")),
        SelectChoice("status", _("opens the customer's status page"))])
    active = BooleanField(_l("Active"), default=True)


class LocationForm(ServiceForm):
    service_fields = ("code", "name", "kind", "is_main", "active", "notes")

    kind = SelectField(_l("Kind"), choices=lambda: [SelectChoice(k.value, labels.LOCATION_KIND[k])
                                                    for k in STOCK_KINDS],
                       default=LocationKind.WAREHOUSE.value)
    # Not limited to the listed choices: whether a parent is right is the service's rule.
    parent_id = SelectField(_l("In warehouse"), coerce=optional_int, choices=[], validate_choice=False,
                            description=_l("Shelves only: the warehouse the shelf is in."))
    code = StringField(_l("Code"), [DataRequired(), Length(max=40)],
                       description=_l("Printed on the shelf label, e.g. MSK-WH1-A01."))
    name = StringField(_l("Name"), [DataRequired(), Length(max=200)])
    is_main = BooleanField(_l("Main warehouse of the center"))
    active = BooleanField(_l("Active"), default=True)
    notes = TextAreaField(_l("Notes"), [Length(max=2000)], render_kw={"rows": 2})


# --- Users ---------------------------------------------------------------------------------------

class UserForm(ServiceForm):
    service_fields = ("email", "name", "role", "locale", "phone", "active")

    email = EmailField(_l("E-mail"), [DataRequired(), Length(max=200)])
    name = StringField(_l("Name"), [DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=role_choices)
    center_id = SelectField(_l("Service center"), coerce=optional_int, choices=[])
    locale = SelectField(_l("Language"), choices=[SelectChoice(code, LOCALE_NAMES[code]) for code in USER_LOCALES],
                         default="ru")
    phone = StringField(_l("Phone"), [Length(max=32)])
    active = BooleanField(_l("Active"), default=True,
                          description=_l("A deactivated user cannot log in; their open sessions end at once."))


class NewUserForm(UserForm):
    service_fields = ("email", "name", "role", "locale", "phone", "password")

    active = None  # a new user is active
    password = PasswordField(_l("Password"), [DataRequired(), Length(max=200)], render_kw={"minlength": 8},
                             description=_l("At least 8 characters."))
    confirm = PasswordField(_l("Password again"), [EqualTo("password", message=_l("The passwords differ"))])


class PasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), [DataRequired(), Length(max=200)], render_kw={"minlength": 8},
                             description=_l("At least 8 characters. The user's open sessions end."))
    confirm = PasswordField(_l("New password again"), [EqualTo("password", message=_l("The passwords differ"))])


# --- Catalogue -----------------------------------------------------------------------------------

class ManufacturerForm(ServiceForm):
    service_fields = ("name", "country", "default_warranty_months", "active")

    name = StringField(_l("Name"), [DataRequired(), Length(max=120)])
    country = StringField(_l("Country"), [Length(max=80)])
    default_warranty_months = IntegerField(_l("Default warranty, months"), [InputRequired()], default=12,
                                           render_kw={"min": 0, "max": 120},
                                           description=_l("For models that name no term of their own."))
    active = BooleanField(_l("Active"), default=True)


class ModelForm(ServiceForm):
    service_fields = ("name", "category", "warranty_months", "active")

    manufacturer_id = SelectField(_l("Manufacturer"), coerce=optional_int, choices=[])
    name = StringField(_l("Name"), [DataRequired(), Length(max=120)])
    category = StringField(_l("Category"), [DataRequired(), Length(max=80)], datalist="category-list")
    warranty_months = IntegerField(_l("Warranty, months"), [Optional()], render_kw={"min": 0, "max": 120},
                                   description=_l("0 to 120; blank takes the manufacturer's default."))
    active = BooleanField(_l("Active"), default=True)


# --- Filters of the lists (GET, no CSRF: they change nothing) -------------------------------------

class FilterForm(Form):
    def clean(self) -> FilterForm:
        """Forget any value that is not one of the choices (a hand-edited address shows everything)."""
        self.validate()
        for field in self:
            if field.errors:
                field.data = field.default
        return self


class CenterFilter(FilterForm):
    q = StringField(_l("Code, name or city"))
    kind = SelectField(_l("Kind"), choices=lambda: [SelectChoice("", _l("All")), *center_kind_choices()])
    status = SelectField(_l("Status"), choices=status_choices, default="all")


class UserFilter(FilterForm):
    q = StringField(_l("Name or e-mail"))
    center = SelectField(_l("Service center"), coerce=safe_int, choices=[])
    role = SelectField(_l("Role"), choices=lambda: [SelectChoice("", _l("All")), *role_choices()])
    status = SelectField(_l("Status"), choices=status_choices, default="all")


class ManufacturerFilter(FilterForm):
    q = StringField(_l("Name or country"))
    status = SelectField(_l("Status"), choices=status_choices, default="all")


class ModelFilter(FilterForm):
    q = StringField(_l("Name"))
    manufacturer = SelectField(_l("Manufacturer"), coerce=safe_int, choices=[])
    category = StringField(_l("Category"), datalist="category-list")
    status = SelectField(_l("Status"), choices=status_choices, default="all")


class LocationFilter(FilterForm):
    q = StringField(_l("Code or name"))
    status = SelectField(_l("Status"), choices=status_choices, default="all")


def filter_args(form: Form) -> dict[str, Any]:
    """The filter's non-empty values, to carry into the pager's links."""
    return {field.name: field.data for field in form if field.data not in (None, "")}
