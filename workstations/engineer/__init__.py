"""Repair engineer: my queue, the center's unassigned orders, and the bench section of the order page."""

from __future__ import annotations

from flask import Blueprint

from servicecenter.accounts.roles import PARTNER_ROLES, Role
from workstations.web.access import blueprint_policy

bp = Blueprint("engineer", __name__, url_prefix="/engineer")
blueprint_policy(bp, [Role.ENGINEER, Role.TEAM_LEAD, *PARTNER_ROLES, Role.ADMIN])

# The views register themselves on `bp`, so they are imported after it exists.
from workstations.engineer import panel, views  # noqa: E402, F401
