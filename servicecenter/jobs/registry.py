"""Named job handlers. A handler takes a session and plain ids/values, and is safe to run twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from servicecenter.jobs.models import OutboxJob

Handler = Callable[..., None]
_HANDLERS: dict[str, Handler] = {}


def job(name: str) -> Callable[[Handler], Handler]:
    """Register a handler under a stable name (the name is stored in the outbox)."""

    def register(fn: Handler) -> Handler:
        _HANDLERS[name] = fn
        return fn

    return register


def get_handler(name: str) -> Handler:
    return _HANDLERS[name]


def enqueue_after_commit(session: Session, name: str, **payload: Any) -> OutboxJob:
    """Request a job; it exists only if the surrounding transaction commits."""
    if name not in _HANDLERS:
        raise KeyError(f"unknown job {name!r}")
    row = OutboxJob(name=name, payload=payload)
    session.add(row)
    session.info.setdefault("outbox", []).append(row)
    return row
