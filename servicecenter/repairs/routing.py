"""Routing an order to a partner center: the order changes hands; the unit travels in a shipment.

Only the order's ownership moves here (center_id, a ROUTING history event, the engineer cleared: one
of our engineers cannot work a partner's order). The unit itself goes in a shipment made by
logistics (`units_to_route` lists what is waiting for one); the partner's deadlines start when it
receives the unit (`deadlines.start_at_center`, called by receiving), and until then the order's
internal clock stands (the legal limit keeps running).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.centers.models import CenterKind, ServiceCenter
from servicecenter.centers.queries import NearbyCenter, list_authorised_centers
from servicecenter.deadlines import services as deadlines
from servicecenter.errors import N_, PermissionDenied, StateConflict, ValidationFailed
from servicecenter.repairs.history import record_event
from servicecenter.repairs.models import EventKind, RepairOrder
from servicecenter.repairs.services import _check_version, _flush, check_center
from servicecenter.repairs.states import RepairState

# The counter (at intake, knowing the brand and where the customer lives) or the team lead.
ROUTE_ROLES = frozenset({Role.INTAKE, Role.TEAM_LEAD, Role.ADMIN})
# The unit is at our center and the repair is not finished: it can still go to a partner.
ROUTABLE_STATES = frozenset({RepairState.RECEIVED, RepairState.DIAGNOSIS, RepairState.AWAITING_APPROVAL,
                             RepairState.AWAITING_PARTS, RepairState.IN_REPAIR})


def can_route(actor: User, order: RepairOrder) -> bool:
    """Whether the order page offers routing to this user (the service still checks everything)."""
    return (actor.role in ROUTE_ROLES and order.state in ROUTABLE_STATES
            and (actor.works_network_wide or actor.center_id == order.center_id))


def partner_candidates(session: Session, order: RepairOrder) -> list[NearbyCenter]:
    """Active partner centers authorised for the unit's brand, nearest to the order's center first
    (same city, then same region, then the rest)."""
    unit = order.unit
    if unit is None or unit.manufacturer_id is None:
        return []
    here = order.center
    return list_authorised_centers(session, unit.manufacturer_id, city=here.city, region=here.region,
                                   kind=CenterKind.PARTNER, besides=order.center_id)


def route_to_center(session: Session, actor: User, order: RepairOrder, center: ServiceCenter,
                    *, expected_version: int | None = None) -> RepairOrder:
    """Hand the order over to an active partner center authorised for the unit's brand."""
    if actor.role not in ROUTE_ROLES:
        raise PermissionDenied(N_("Only the counter or a team lead routes orders to partner centers"))
    check_center(actor, order.center_id)
    if center.id == order.center_id:
        raise ValidationFailed(N_("Order %(number)s is already at %(center)s"),
                               errors={"center_id": N_("Choose another center")},
                               number=order.number, center=center.code)
    if center.kind != CenterKind.PARTNER or not center.active:
        raise ValidationFailed(N_("%(center)s is not an active partner center"),
                               errors={"center_id": N_("Not an active partner center")}, center=center.code)
    if order.state not in ROUTABLE_STATES:
        raise StateConflict(N_("Order %(number)s is %(current)s; only an order being worked on can be routed"),
                            current=order.state.value, allowed=[], number=order.number)
    brand = order.unit.manufacturer if order.unit is not None else None
    if brand is None or brand.id not in {b.id for b in center.brands}:
        raise ValidationFailed(N_("%(center)s is not authorised for %(brand)s (order %(number)s)"),
                               errors={"center_id": N_("Not authorised for the brand")},
                               center=center.code, brand=brand.name if brand else "—", number=order.number)
    _check_version(order, expected_version)
    source = order.center
    engineer = order.engineer
    order.center = center
    order.engineer = None
    record_event(session, actor=actor, kind=EventKind.ROUTING, order=order, from_value=source.code,
                 to_value=center.code, shipment_needed=True,
                 engineer_cleared=engineer.name if engineer is not None else None)
    deadlines.hand_over(session, order, actor=actor)
    _flush(session, order)
    return order


def _here_not_shipped(center_id: int):  # noqa: ANN202
    """Orders whose unit is at this center and on no open or travelling shipment."""
    from servicecenter.centers.models import Location
    from servicecenter.equipment.models import Unit
    from servicecenter.shipments.models import OPEN_SHIPMENT_STATES, ItemState, Shipment, ShipmentItem

    on_shipment = (select(ShipmentItem.unit_id).join(Shipment, Shipment.id == ShipmentItem.shipment_id)
                   .where(ShipmentItem.state == ItemState.PACKED, Shipment.state.in_(OPEN_SHIPMENT_STATES),
                          ShipmentItem.unit_id.is_not(None)))
    return (select(RepairOrder).join(Unit, Unit.id == RepairOrder.unit_id)
            .join(Location, Location.id == Unit.location_id)
            .where(Location.center_id == center_id, Unit.id.not_in(on_shipment)))


# Every list below reads only routed orders (their center is not the one that took them in): a small
# partial index (ix_repair_orders_routed) finds them first, without touching a center's other orders;
# only then are their units' whereabouts checked.
ROUTED = RepairOrder.center_id != RepairOrder.intake_center_id
MAX_ROUTED = 5000


def _routed_here(session: Session, center_id: int, limit: int, *where: object) -> list[RepairOrder]:
    ids = list(session.scalars(select(RepairOrder.id).where(ROUTED, *where).limit(MAX_ROUTED)))
    if not ids:
        return []
    query = _here_not_shipped(center_id).where(RepairOrder.id.in_(ids))
    return list(session.scalars(query.order_by(RepairOrder.id).limit(limit)))


def units_to_route(session: Session, center_id: int, limit: int = 200) -> list[RepairOrder]:
    """Orders routed away from this center whose unit is still here and on no shipment: logistics'
    to-do list (the unit must travel to the center that now works the order)."""
    return _routed_here(session, center_id, limit, RepairOrder.intake_center_id == center_id,
                        RepairOrder.state.in_(list(ROUTABLE_STATES)))


def units_to_return(session: Session, center_id: int, limit: int = 200) -> list[RepairOrder]:
    """Orders this center repaired for another center's counter (routed here), finished, whose unit is
    still here and on no shipment: the partner's to-do list (ship it back for the hand-back)."""
    return _routed_here(session, center_id, limit, RepairOrder.center_id == center_id,
                        RepairOrder.state == RepairState.READY_FOR_PICKUP)


def back_for_handover(session: Session, center_id: int, limit: int = 200) -> list[RepairOrder]:
    """Orders this center took in and routed to a partner, repaired and back here: the counter hands
    them back (`services.check_counter`)."""
    return _routed_here(session, center_id, limit, RepairOrder.intake_center_id == center_id,
                        RepairOrder.state == RepairState.READY_FOR_PICKUP)
