"""The notification log: one row per notification (who, what, in which language, and what became of it)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicecenter.clock import utcnow
from servicecenter.db import Base, str_enum
from servicecenter.scoping import center_owned


class NotificationKind(StrEnum):
    RECEIVED = "received"  # customer: the unit was received (number and status-page link)
    ESTIMATE = "estimate"  # customer: an estimate waits for approval
    READY = "ready"  # customer: ready for pickup
    ISSUED = "issued"  # customer: handed back
    AT_RISK = "at_risk"  # staff: the order's deadline is near
    OVERDUE = "overdue"  # staff: the order's deadline has passed
    PARTS_ARRIVED = "parts_arrived"  # staff: a part the order waits for arrived


CUSTOMER_KINDS = frozenset({NotificationKind.RECEIVED, NotificationKind.ESTIMATE, NotificationKind.READY,
                            NotificationKind.ISSUED})


class NotificationState(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"  # the mail server refused or could not be reached; retried by notify.retry
    SKIPPED = "skipped"  # opted out, or no address: see `error`


class SkipReason(StrEnum):
    OPTED_OUT = "opted_out"
    NO_ADDRESS = "no_address"


def _orders_of_center(cid: int):  # noqa: ANN202
    from servicecenter.repairs.models import RepairOrder

    return select(RepairOrder.id).where(RepairOrder.center_id == cid).scalar_subquery()


@center_owned(lambda cls, cid: cls.order_id.in_(_orders_of_center(cid)))
class Notification(Base):
    """One e-mail to one recipient about one thing that happened. The unique key (what caused it, kind,
    recipient) makes a retried job, a listener run twice or the deadline watcher's next run write nothing new."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("source_key", "kind", "recipient_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_orders.id"), index=True)
    # What caused it: "event:<history event id>", "deadline:<order id>:<due moment>", "receipt:<stock move id>".
    source_key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind))
    channel: Mapped[str] = mapped_column(String(16), default="email")
    # Who: "customer:<id>" or "user:<id>" (stable when the address changes), and the address used.
    recipient_key: Mapped[str] = mapped_column(String(40))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    address: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(8), default="ru")
    subject: Mapped[str] = mapped_column(String(300), default="")
    state: Mapped[NotificationState] = mapped_column(str_enum(NotificationState), default=NotificationState.QUEUED,
                                                     index=True)
    skip_reason: Mapped[SkipReason | None] = mapped_column(str_enum(SkipReason))
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(default=0)
    # The due moment a deadline notice is about (the watcher's "already told" check).
    deadline_at: Mapped[datetime | None]
    # What the text needs beyond the order (the part and quantity that arrived).
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    message_id: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    user = relationship("User")

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} {self.recipient_key} {self.state}>"
