"""Workstations: one blueprint per role, plus login and the shared order page."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import format_currency, format_date, format_datetime, get_locale
from flask_login import current_user

from workstations import labels
from workstations.nav import MENU
from workstations.web.access import can_access
from workstations.web.render import fast_select, labels_for, short_datetime


def _template_context() -> dict[str, Any]:
    role = current_user.role if current_user.is_authenticated else None
    menu = [(endpoint, text) for endpoint, text in MENU if role and can_access(endpoint, role)]
    return {"menu": menu}


def register_workstations(app: Flask) -> None:
    from workstations import (
        admin,
        api,
        attachments,
        auth,
        call_center,
        customers,
        engineer,
        files,
        intake,
        logistics,
        orders,
        partner,
        reports,
        settlements,
        status,
        team_lead,
        warehouse,
    )

    for module in (auth, orders, attachments, call_center, customers, intake, team_lead, engineer, warehouse, logistics, partner, settlements, reports, admin, status, files, api):
        app.register_blueprint(module.bp)
    # The knowledge base (issue 12): staff articles and the public help section.
    from workstations import help as help_section
    from workstations import knowledge

    for module in (knowledge, help_section):
        app.register_blueprint(module.bp)
    app.context_processor(_template_context)
    # Globals, so macros imported without context can use them too.
    app.jinja_env.globals.update(
        labels=labels, label=labels.label, can_access=can_access, get_locale=get_locale,
        format_date=format_date, format_datetime=format_datetime, format_currency=format_currency,
        fast_select=fast_select, labels_for=labels_for, short_datetime=short_datetime,
    )
