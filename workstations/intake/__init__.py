"""Intake counter: scan first; receive a unit; see a unit's whole history."""

from __future__ import annotations

from flask import Blueprint

from servicecenter.accounts.roles import Role
from workstations.web.access import blueprint_policy

bp = Blueprint("intake", __name__, url_prefix="/intake")
blueprint_policy(bp, [Role.INTAKE, Role.ADMIN])

from workstations.intake import views  # noqa: E402, F401  (routes register on bp)
