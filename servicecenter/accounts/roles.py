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
    PARTNER = "partner"
    ADMIN = "admin"


# Roles whose work spans the whole network; everyone else works on their own center's orders.
NETWORK_ROLES = frozenset({Role.ADMIN, Role.CALL_CENTER})
# Roles walled off to their own center's data (another center's records do not exist for them).
WALLED_ROLES = frozenset({Role.PARTNER})
STAFF_ROLES = frozenset(Role)
