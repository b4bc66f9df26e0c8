"""Team lead: the center's queue (filters, bulk actions, who works on what), the deadline board
and the week's and month's figures."""

from __future__ import annotations

from flask import Blueprint

from servicecenter.accounts.roles import Role
from workstations.web.access import blueprint_policy

bp = Blueprint("team_lead", __name__, url_prefix="/team-lead")
blueprint_policy(bp, [Role.TEAM_LEAD, Role.ADMIN])

from workstations.team_lead import actions, views  # noqa: E402, F401  (routes register on bp)
