"""The places stock goes: a center's main warehouse, its shelves, the network-wide "with the customer"
and "at the manufacturer" locations; a unit received at the counter moves into the warehouse."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.centers.models import Location, LocationKind, ServiceCenter
from servicecenter.equipment.models import Unit
from servicecenter.equipment.services import registered_in_this_transaction
from servicecenter.repairs.models import RepairEvent, RepairOrder
from servicecenter.repairs.signals import on_state_changed
from servicecenter.repairs.states import RepairState
from servicecenter.stock import journal
from servicecenter.stock.models import MoveReason, StockMove

CUSTOMER_LOCATION = "CUSTOMER"
MANUFACTURER_LOCATION = "MANUFACTURER"


def main_warehouse(session: Session, center_id: int) -> Location | None:
    """The center's main warehouse (or its first active warehouse when none is marked main)."""
    return session.scalar(select(Location).where(
        Location.center_id == center_id, Location.kind == LocationKind.WAREHOUSE, Location.active.is_(True))
        .order_by(Location.is_main.desc(), Location.id).limit(1))


def _network_location(session: Session, code: str, name: str, kind: LocationKind) -> Location:
    location = session.scalar(select(Location).where(Location.code == code))
    if location is None:
        location = Location(code=code, name=name, kind=kind)
        session.add(location)
        session.flush()
    return location


def customer_location(session: Session) -> Location:
    """The network-wide location of units handed back to their customers (made on first use)."""
    return _network_location(session, CUSTOMER_LOCATION, "У клиента", LocationKind.CUSTOMER)


def manufacturer_location(session: Session) -> Location:
    """The network-wide location of what was sent to the manufacturer (made on first use)."""
    return _network_location(session, MANUFACTURER_LOCATION, "У производителя", LocationKind.MANUFACTURER)


def defective_location(session: Session, center_id: int) -> Location:
    """The center's place for defective parts kept for the manufacturer (made on first use)."""
    location = session.scalar(select(Location).where(Location.center_id == center_id,
                                                     Location.kind == LocationKind.DEFECTIVE)
                              .order_by(Location.id).limit(1))
    if location is None:
        center = session.get(ServiceCenter, center_id)
        assert center is not None
        location = Location(code=f"{center.code}-DEF", name="Брак для производителя", kind=LocationKind.DEFECTIVE,
                            center_id=center_id)
        session.add(location)
        session.flush()
    return location


def receive_unit_at_counter(session: Session, actor: User | None, order: RepairOrder) -> StockMove | None:
    """A unit received at the counter moves into the center's main warehouse (reason INTAKE), so
    "where is it" knows it from the first minute. Nothing when there is no unit or no warehouse."""
    if order.unit_id is None:
        return None
    # Two counters receiving the same unit at once (a duplicate intake) must not fail on the unit's
    # version: lock its row and read where it is now; the second finds it in the warehouse already.
    # A unit registered in this transaction is nobody else's yet: as it is.
    unit = order.unit
    if unit is None or not registered_in_this_transaction(session, unit):
        session.flush()
        unit = session.scalars(select(Unit).where(Unit.id == order.unit_id).with_for_update()
                               .execution_options(populate_existing=True)).one()
    warehouse = main_warehouse(session, order.center_id)
    if warehouse is None or unit.location_id == warehouse.id:
        return None
    # The order's "created"/"received" event already says where the unit is: no second event.
    return journal.move_unit(session, actor, unit, warehouse, MoveReason.INTAKE, order=order, history=False)


@on_state_changed
def _placed_when_received(session: Session, order: RepairOrder, source: RepairState | None, target: RepairState,
                          event: RepairEvent) -> None:
    """A pre-registered visit received by any path — the intake form, or the order page's "Receive the
    unit" — puts its unit in the center's warehouse (the button once left it nowhere)."""
    if source == RepairState.REGISTERED and target == RepairState.RECEIVED:
        receive_unit_at_counter(session, event.actor, order)
