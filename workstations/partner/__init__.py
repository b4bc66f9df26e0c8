"""Partner center: a walled-off workstation for another company that repairs for the network.

A partner user's database session is behind its center's wall (servicecenter/scoping.py), so no query
here filters by center for safety's sake: another center's order, unit, shipment or user simply does
not exist for it. The partner works its orders on the shared order page and the bench (like an
engineer), receives and sends shipments in logistics, and sees its statements in settlements; this
blueprint is its start page, its scan field, the unit card, its stock, and (for a partner manager) its
team's accounts.
"""

from __future__ import annotations

from flask import Blueprint

from servicecenter.accounts.roles import PARTNER_ROLES
from workstations.web.access import blueprint_policy

bp = Blueprint("partner", __name__, url_prefix="/partner")
blueprint_policy(bp, PARTNER_ROLES)

# The views register themselves on `bp`, so they are imported after it exists.
from workstations.partner import team, views  # noqa: E402, F401
