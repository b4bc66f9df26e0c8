"""Shelves (стеллажи/ячейки) the warehouse adds itself: a scannable code inside one of its warehouses."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.centers.models import Location, LocationKind, ServiceCenter
from servicecenter.centers.services import _clean_location
from servicecenter.errors import N_, PermissionDenied

SHELF_ROLES = frozenset({Role.WAREHOUSE, Role.ADMIN})


def create_shelf(session: Session, actor: User, center: ServiceCenter, warehouse: Location | None, *, code: str,
                 name: str) -> Location:
    """Add a shelf to one of the center's warehouses (the warehouse's clerks may, not only admins)."""
    if actor.role not in SHELF_ROLES or (actor.role != Role.ADMIN and actor.center_id != center.id):
        raise PermissionDenied(N_("Only this center's warehouse adds shelves"))
    clean = _clean_location(session, center, None, {"code": code, "name": name or code, "kind": LocationKind.SHELF,
                                                    "parent": warehouse})
    shelf = Location(center_id=center.id, **clean)
    session.add(shelf)
    session.flush()
    return shelf


def list_shelves(session: Session, center_id: int) -> list[Location]:
    """The center's active warehouses and shelves, by code."""
    return list(session.scalars(select(Location).where(
        Location.center_id == center_id, Location.active.is_(True),
        Location.kind.in_([LocationKind.WAREHOUSE, LocationKind.SHELF])).order_by(Location.code)))
