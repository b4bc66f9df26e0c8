"""Who wants to know that an order changed state: called inside the transaction that changed it,
after the history event is written (so it has an id). A listener only records what must follow
(an outbox job through `jobs.registry.enqueue_after_commit`, a row of its own); it never talks to
the outside world here — that happens in the job, after the commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from servicecenter.repairs.models import RepairEvent, RepairOrder
    from servicecenter.repairs.states import RepairState

StateListener = Callable[[Session, "RepairOrder", "RepairState | None", "RepairState", "RepairEvent"], None]
_LISTENERS: list[StateListener] = []


def on_state_changed(fn: StateListener) -> StateListener:
    """Register a listener (at import time of its module; servicecenter.models imports them all)."""
    if fn not in _LISTENERS:
        _LISTENERS.append(fn)
    return fn


def state_changed(session: Session, order: RepairOrder, source: RepairState | None, target: RepairState,
                  event: RepairEvent) -> None:
    """Tell every listener; `source` is None for a new order."""
    for listener in _LISTENERS:
        listener(session, order, source, target, event)
