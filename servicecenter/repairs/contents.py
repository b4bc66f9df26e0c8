"""Which of an order's records exist, in one statement: the order page reads a section's rows only
when it has some (issue 10).

Most orders have no part swaps, reservations, shortages, kept defective parts, estimates or earlier
orders of their unit; each of those sections was a query of its own on every order page (about
0.3 ms each, most of it the ORM's work on an empty answer). One statement of EXISTS probes, each on
an `order_id` (or `unit_id`) index, tells which sections to read.

The probes are not walled by a partner's scope: a "no" here is a "no" for every scope, and a "yes"
only lets the section run its own query, which the session walls as always. Nothing here is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session

from servicecenter.diagnostics.models import OrderDiagnosis, PartSwap
from servicecenter.notifications.models import Notification
from servicecenter.repairs.estimate_models import Estimate
from servicecenter.repairs.models import Attachment, RepairOrder, WorkLog
from servicecenter.stock.models import MoveReason, PartRequest, Reservation, StockMove


@dataclass(frozen=True)
class OrderContents:
    diagnosis: bool  # a coded diagnosis
    work: bool  # work logged
    swaps: bool  # serialised parts swapped
    unit_orders: bool  # the unit has other orders (repeat repairs, the unit's earlier repairs)
    reservations: bool
    part_requests: bool
    defective: bool  # removed parts kept for the manufacturer
    estimates: bool
    files: bool  # photos and documents
    notifications: bool


_ORDER, _UNIT = bindparam("order_id"), bindparam("unit_id")
_PROBES = {
    "diagnosis": exists().where(OrderDiagnosis.order_id == _ORDER),
    "work": exists().where(WorkLog.order_id == _ORDER),
    "swaps": exists().where(PartSwap.order_id == _ORDER),
    # unit_id NULL (an order without a unit) matches nothing
    "unit_orders": exists().where(RepairOrder.unit_id == _UNIT, RepairOrder.id != _ORDER),
    "reservations": exists().where(Reservation.order_id == _ORDER),
    "part_requests": exists().where(PartRequest.order_id == _ORDER),
    "defective": exists().where(StockMove.order_id == _ORDER, StockMove.reason == MoveReason.DEFECTIVE,
                                StockMove.part_id.is_not(None)),
    "estimates": exists().where(Estimate.order_id == _ORDER),
    "files": exists().where(Attachment.order_id == _ORDER),
    "notifications": exists().where(Notification.order_id == _ORDER),
}
_CONTENTS = select(*(probe.label(name) for name, probe in _PROBES.items()))


def order_contents(session: Session, order: RepairOrder) -> OrderContents:
    """Which of the order's sections have records (on the session's connection, in its transaction)."""
    row = session.connection().execute(_CONTENTS, {"order_id": order.id, "unit_id": order.unit_id}).one()
    return OrderContents(**{name: bool(value) for name, value in row._mapping.items()})
