"""Roles: one per workstation; a user has exactly one and belongs to one center."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CALL_CENTER = "call_center"
    INTAKE = "intake"
    TEAM_LEAD = "team_lead"
    ENGINEER = "engineer"
    WAREHOUSE = "warehouse"
    LOGISTICS = "logistics"
    PARTNER = "partner"  # a partner center's engineer or clerk
    PARTNER_MANAGER = "partner_manager"  # the same, and manages the accounts of its own center
    ADMIN = "admin"


# Roles whose work spans the whole network; everyone else works on their own center's orders.
NETWORK_ROLES = frozenset({Role.ADMIN, Role.CALL_CENTER})
# Roles walled off to their own center's data (another center's records do not exist for them).
WALLED_ROLES = frozenset({Role.PARTNER, Role.PARTNER_MANAGER})
# The people of a partner center (and the only roles a partner center may have).
PARTNER_ROLES = WALLED_ROLES
STAFF_ROLES = frozenset(Role)
