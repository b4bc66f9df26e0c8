"""A file made by a background job: what was asked, how far it is, and where the result is kept."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from servicecenter.clock import utcnow
from servicecenter.db import Base, str_enum
from servicecenter.scoping import center_owned


class FileJobKind(StrEnum):
    SHIPMENT_UNIT_LABELS = "shipment_unit_labels"  # every unit label of a shipment, one PDF
    WORK_ORDERS = "work_orders"  # the work orders of chosen orders, one PDF
    ORDERS_EXPORT = "orders_export"  # a list of orders (the orders behind a report's figure), CSV or XLSX


class FileJobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@center_owned(lambda cls, cid: cls.center_id == cid)
class FileJob(Base):
    """One requested file. `stored_name` is random and fixed at the request, so a retried job
    rewrites the same file; the file lives under the instance's exports directory, never the
    static root, and is sent only through an authorised view."""

    __tablename__ = "file_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[FileJobKind] = mapped_column(str_enum(FileJobKind, length=40))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("service_centers.id"), index=True)
    state: Mapped[FileJobState] = mapped_column(str_enum(FileJobState), default=FileJobState.QUEUED)
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    download_name: Mapped[str] = mapped_column(String(200))
    outbox_job_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_jobs.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]  # the file is removed after this; the row stays as a record
