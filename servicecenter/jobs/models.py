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
    finished_at: Mapped[datetime | None]
