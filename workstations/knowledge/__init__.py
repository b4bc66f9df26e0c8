"""The knowledge base for staff (/knowledge/): search, read, write, versions; and its order-page section."""

from __future__ import annotations

from flask import Blueprint

from servicecenter.accounts.roles import STAFF_ROLES
from workstations.web.access import blueprint_policy

bp = Blueprint("knowledge", __name__, url_prefix="/knowledge")
# Every staff role reads (visible_to decides what); writing routes declare their own roles.
blueprint_policy(bp, STAFF_ROLES)

from workstations.knowledge import order_section, views  # noqa: E402, F401  (routes and globals register on bp)
