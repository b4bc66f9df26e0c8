"""Logistics: shipments (партии) leaving and reaching the center — build by scanning, print, dispatch,
receive by scanning, settle what is missing.

Warehouse staff and partners use it too: the destination's warehouse receives, and a partner center
receives the shipments sent to it (the services check which end the user is at).
"""

from __future__ import annotations

from flask import Blueprint

from servicecenter.accounts.roles import PARTNER_ROLES, Role
from workstations.web.access import blueprint_policy

bp = Blueprint("logistics", __name__, url_prefix="/logistics")
blueprint_policy(bp, [Role.LOGISTICS, Role.WAREHOUSE, *PARTNER_ROLES, Role.ADMIN])

from workstations.logistics import views  # noqa: E402, F401  (routes register on bp)
