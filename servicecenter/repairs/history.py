"""History events: written through `record_event`, never updated or deleted by the application."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from servicecenter.accounts.models import User
from servicecenter.clock import utcnow
from servicecenter.equipment.models import Unit
from servicecenter.repairs.models import EventKind, RepairEvent, RepairOrder


class HistoryIsImmutable(RuntimeError):
    """Raised when code tries to change or delete a history event."""


def record_event(
    session: Session,
    *,
    actor: User | None,
    kind: EventKind,
    order: RepairOrder | None = None,
    unit: Unit | None = None,
    from_value: Any = None,
    to_value: Any = None,
    **details: Any,
) -> RepairEvent:
    """Append one event to the history of an order and/or a unit."""
    unit_id = unit.id if unit is not None else (order.unit_id if order is not None else None)
    ev = RepairEvent(
        order_id=order.id if order is not None else None,
        unit_id=unit_id,
        at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        kind=kind,
        from_value=None if from_value is None else str(from_value)[:200],
        to_value=None if to_value is None else str(to_value)[:200],
        details={k: v for k, v in details.items() if v not in (None, "")},
    )
    session.add(ev)
    return ev


@event.listens_for(Session, "before_flush")
def _refuse_history_changes(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in session.dirty:
        if isinstance(obj, RepairEvent) and session.is_modified(obj):
            raise HistoryIsImmutable("history events are never changed")
    for obj in session.deleted:
        if isinstance(obj, RepairEvent):
            raise HistoryIsImmutable("history events are never deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_history_changes(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and any(m.class_ is RepairEvent for m in state.all_mappers):
        raise HistoryIsImmutable("history events are never changed or deleted")
