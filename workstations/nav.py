"""Where each role lands after login, and the navigation it may see."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from servicecenter.accounts.roles import Role

LANDING = {
    Role.CALL_CENTER: "call_center.index",
    Role.INTAKE: "intake.index",
    Role.TEAM_LEAD: "team_lead.index",
    Role.ENGINEER: "engineer.index",
    Role.WAREHOUSE: "warehouse.index",
    Role.LOGISTICS: "logistics.index",
    Role.PARTNER: "partner.index",
    Role.PARTNER_MANAGER: "partner.index",
    Role.ADMIN: "admin.index",
}

# (endpoint, label) in menu order; each user sees the entries their role may open.
MENU = [
    ("call_center.index", _l("Call center")),
    ("intake.index", _l("Intake")),
    ("team_lead.index", _l("Team lead")),
    ("engineer.index", _l("Bench")),
    ("warehouse.index", _l("Warehouse")),
    ("logistics.index", _l("Logistics")),
    ("partner.index", _l("Partner center")),
    ("settlements.index", _l("Settlements")),
    ("reports.index", _l("Reports")),
    ("knowledge.index", _l("Knowledge base")),
    ("admin.index", _l("Administration")),
]


def landing_endpoint(role: Role | str | None) -> str:
    return LANDING.get(Role(role), "auth.login") if role else "auth.login"
