"""Team lead: the center's queue (filters, bulk actions, who works on what), the deadline board,
the week's and month's figures, and planned maintenance."""

from __future__ import annotations

from flask import Blueprint

from servicecenter.accounts.roles import Role
from workstations.web.access import blueprint_policy

bp = Blueprint("team_lead", __name__, url_prefix="/team-lead")
blueprint_policy(bp, [Role.TEAM_LEAD, Role.ADMIN])

from workstations.team_lead import actions, maintenance, views  # noqa: E402, F401  (routes register on bp)
