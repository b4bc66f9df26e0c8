"""Warehouse clerk: one scan field for any code; receive, put away, issue the engineers' parts by
scanning, where is it, inventory counts, shelf and part labels."""

from __future__ import annotations

from flask import Blueprint

from servicecenter.accounts.roles import Role
from workstations.web.access import blueprint_policy

bp = Blueprint("warehouse", __name__, url_prefix="/warehouse")
blueprint_policy(bp, [Role.WAREHOUSE, Role.ADMIN])

# The views register themselves on `bp`, so they are imported after it exists.
from workstations.warehouse import catalogue_views, count_views, views  # noqa: E402, F401
