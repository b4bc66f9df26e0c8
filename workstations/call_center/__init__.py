"""Call-center operator: find a caller's orders, send them to an authorised center, pre-register a visit."""

from __future__ import annotations

from flask import Blueprint

from servicecenter.accounts.roles import Role
from workstations.web.access import blueprint_policy

bp = Blueprint("call_center", __name__, url_prefix="/call-center")
blueprint_policy(bp, [Role.CALL_CENTER, Role.ADMIN])

from workstations.call_center import views  # noqa: E402, F401  (routes register on bp)
