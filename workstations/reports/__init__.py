"""Reports: the registered reports with their filters, charts, tables, exports and drill-down lists.

Team leads see their own center's figures (the view forces the center filter), administrators any
center or the whole network, partner users their own center's (their session is walled as well).
"""

from __future__ import annotations

from flask import Blueprint

from servicecenter.accounts.roles import PARTNER_ROLES, Role
from workstations.web.access import blueprint_policy

bp = Blueprint("reports", __name__, url_prefix="/reports")
blueprint_policy(bp, [Role.TEAM_LEAD, Role.ADMIN, *PARTNER_ROLES])

from workstations.reports import exports, views  # noqa: E402, F401  (routes register on bp)
