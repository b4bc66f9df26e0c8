"""Administrator: centers, warehouses and shelves, users and roles, manufacturers and models."""

from __future__ import annotations

from flask import Blueprint

from servicecenter.accounts.roles import Role
from workstations.web.access import blueprint_policy

bp = Blueprint("admin", __name__, url_prefix="/admin")
blueprint_policy(bp, [Role.ADMIN], reads="network")

# The views register themselves on `bp`, so they are imported after it exists.
from workstations.admin import catalog, centers, codes, deadlines, jobs, prices, users, views, webhooks  # noqa: E402, F401
