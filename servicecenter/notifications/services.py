"""Writing notifications: a log row (queued, or skipped with the reason) and, when there is someone to
write to, a `notify.send` job that exists only if the surrounding transaction commits. Only flushes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.config import Settings
from servicecenter.jobs.registry import enqueue_after_commit
from servicecenter.notifications.models import (
    Notification,
    NotificationKind,
    NotificationState,
    SkipReason,
)
from servicecenter.notifications.render import language_for
from servicecenter.repairs.models import RepairOrder

SEND_JOB = "notify.send"
# Who hears about a center's deadlines: its team leads (a partner center has its managers instead).
LEAD_ROLES = (Role.TEAM_LEAD, Role.PARTNER_MANAGER)


QUIET = "notifications_quiet"


def keep_quiet(session: Session) -> None:
    """Tell nobody about what this session writes (demo data, imports of past orders): no rows, no mail."""
    session.info[QUIET] = True


def _quiet(session: Session) -> bool:
    return bool(session.info.get(QUIET))


def current_settings(session: Session) -> Settings:
    """Mail and public-URL settings: the ones a caller put in the session's info, else the environment
    (the worker and the web process both read it)."""
    settings = session.info.get("settings")
    return settings if isinstance(settings, Settings) else Settings.from_env()


def _write(session: Session, row: Notification) -> Notification | None:
    """Insert the row unless one with the same key exists (then None: it was written before)."""
    if _quiet(session):
        return None
    exists = session.scalar(select(Notification.id).where(
        Notification.source_key == row.source_key, Notification.kind == row.kind,
        Notification.recipient_key == row.recipient_key))
    if exists is not None:
        return None
    # A concurrent writer of the same key (two watchers at once) makes the database refuse this flush:
    # that transaction fails and its job is retried, finding the row then. No SAVEPOINT here: releasing
    # one fires the session's after_commit, which would relay the outbox before the real commit.
    session.add(row)
    session.flush()
    if row.state == NotificationState.QUEUED:
        enqueue_after_commit(session, SEND_JOB, notification_id=row.id)
    return row


def notify_customer(session: Session, order: RepairOrder, kind: NotificationKind, source_key: str) -> Notification | None:
    """Queue a notice to the order's customer, or log why it is not sent (opted out, no e-mail)."""
    customer = order.customer
    address = (customer.email or "").strip()
    skip = (SkipReason.OPTED_OUT if customer.notifications_opt_out
            else SkipReason.NO_ADDRESS if "@" not in address else None)
    return _write(session, Notification(
        order_id=order.id, source_key=source_key, kind=kind, recipient_key=f"customer:{customer.id}",
        customer_id=customer.id, address=address, language=language_for(customer.language),
        state=NotificationState.SKIPPED if skip else NotificationState.QUEUED, skip_reason=skip))


def notify_user(session: Session, order: RepairOrder, kind: NotificationKind, source_key: str, user: User, *,
                deadline_at: datetime | None = None, params: dict[str, Any] | None = None) -> Notification | None:
    """Queue a notice to a member of staff."""
    address = (user.email or "").strip()
    return _write(session, Notification(
        order_id=order.id, source_key=source_key, kind=kind, recipient_key=f"user:{user.id}", user_id=user.id,
        address=address, language=language_for(user.locale), deadline_at=deadline_at, params=params or {},
        state=NotificationState.QUEUED if "@" in address else NotificationState.SKIPPED,
        skip_reason=None if "@" in address else SkipReason.NO_ADDRESS))


def list_leads(session: Session, center_id: int) -> list[User]:
    """The active team leads of a center (a partner center's managers)."""
    return list(session.scalars(select(User).where(User.center_id == center_id, User.active.is_(True),
                                                   User.role.in_(LEAD_ROLES)).order_by(User.id)))


def deadline_recipients(session: Session, order: RepairOrder) -> list[User]:
    """The center's team leads and the order's engineer, each once."""
    people = {u.id: u for u in list_leads(session, order.center_id)}
    if order.engineer is not None and order.engineer.active:
        people.setdefault(order.engineer.id, order.engineer)
    return list(people.values())
