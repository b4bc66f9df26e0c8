"""The outbox: a job request written in the same transaction as the change that causes it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from servicecenter.clock import utcnow
from servicecenter.db import Base, str_enum
from servicecenter.scoping import network_wide


class OutboxState(StrEnum):
    PENDING = "pending"  # committed, not yet handed to a queue
    QUEUED = "queued"  # handed to RQ
    DONE = "done"
    FAILED = "failed"


@network_wide("internal job bookkeeping; shown only to admins")
class OutboxJob(Base):
    __tablename__ = "outbox_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[OutboxState] = mapped_column(str_enum(OutboxState), default=OutboxState.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    queued_at: Mapped[datetime | None]  # last handed to RQ; a row queued long ago and not done is relayed again
    finished_at: Mapped[datetime | None]


@network_wide("internal job bookkeeping; shown only to admins")
class PeriodicRun(Base):
    """When a periodic job last ran and is next due; claiming a run moves `next_run_at` on in one
    UPDATE, so two workers (or a worker and a web process) never run the same tick twice."""

    __tablename__ = "periodic_runs"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    next_run_at: Mapped[datetime]
    last_started_at: Mapped[datetime | None]
    last_finished_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    run_count: Mapped[int] = mapped_column(default=0)
    failure_count: Mapped[int] = mapped_column(default=0)
