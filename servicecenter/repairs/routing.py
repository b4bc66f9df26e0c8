"""Routing an order to a partner center: the order changes hands; the unit must still be shipped.

Only the order's ownership moves here (center_id, a ROUTING history event, the engineer
cleared: one of our engineers cannot work a partner's order). Sending the unit itself is a
shipment (servicecenter/shipments), made separately by logistics.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.centers.models import CenterKind, ServiceCenter
from servicecenter.errors import N_, PermissionDenied, StateConflict, ValidationFailed
from servicecenter.repairs.history import record_event
from servicecenter.repairs.models import EventKind, RepairOrder
from servicecenter.repairs.services import _check_version, _flush, check_center
from servicecenter.repairs.states import RepairState

ROUTE_ROLES = frozenset({Role.TEAM_LEAD, Role.ADMIN})
# The unit is at our center and the repair is not finished: it can still go to a partner.
ROUTABLE_STATES = frozenset({RepairState.RECEIVED, RepairState.DIAGNOSIS, RepairState.AWAITING_APPROVAL,
                             RepairState.AWAITING_PARTS, RepairState.IN_REPAIR})


def route_to_center(session: Session, actor: User, order: RepairOrder, center: ServiceCenter,
                    *, expected_version: int | None = None) -> RepairOrder:
    """Hand the order over to an active partner center authorised for the unit's brand."""
    if actor.role not in ROUTE_ROLES:
        raise PermissionDenied(N_("Only a team lead routes orders to partner centers"))
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
    _flush(session, order)
    return order
