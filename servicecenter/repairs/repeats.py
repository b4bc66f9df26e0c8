"""Repeat repairs: a unit back within 90 days after one of its orders became ready for pickup.

Decided once, when the unit is received (`mark_repeat`), and kept on the order (`repeat_of_id`):
the failures report counts a year of repeats without searching every unit's past, and the answer
does not change if the earlier order is reopened later. The earlier order may be another center's:
the lookup runs over the whole network (only its id is kept; nobody is shown more than before)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicecenter import scoping
from servicecenter.repairs.models import RepairOrder

REPEAT_DAYS = 90


def find_repeat_of(session: Session, order: RepairOrder, received: datetime) -> int | None:
    """The unit's other order that became ready most recently within REPEAT_DAYS before `received`."""
    if order.unit_id is None:
        return None
    earlier = (select(RepairOrder.id)
               .where(RepairOrder.unit_id == order.unit_id, RepairOrder.ready_at.is_not(None),
                      RepairOrder.ready_at >= received - timedelta(days=REPEAT_DAYS),
                      RepairOrder.ready_at < received)
               .order_by(RepairOrder.ready_at.desc(), RepairOrder.id.desc()).limit(1))
    if order.id is not None:
        earlier = earlier.where(RepairOrder.id != order.id)
    with session.no_autoflush, scoping.lifted(session):
        return session.scalar(earlier)


def mark_repeat(session: Session, order: RepairOrder, received: datetime) -> None:
    """On receipt: remember the order this one repeats, if any."""
    order.repeat_of_id = find_repeat_of(session, order, received)
