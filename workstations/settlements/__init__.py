"""Settlements: partner statements, manufacturer warranty claims, rate cards (head office).

The head office (administrators) works everything here; a partner's users read their own center's
statements (the partner wall keeps the rest out of sight) and cannot change them.
"""

from __future__ import annotations

from flask import Blueprint

from servicecenter.accounts.roles import PARTNER_ROLES, Role
from workstations.web.access import blueprint_policy

bp = Blueprint("settlements", __name__, url_prefix="/settlements")
blueprint_policy(bp, [Role.ADMIN, *PARTNER_ROLES])

from workstations.settlements import cards, views  # noqa: E402, F401  (routes register on bp)
