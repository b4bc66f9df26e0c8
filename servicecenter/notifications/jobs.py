"""The notification jobs: send one (after the commit that wrote it), retry the failed ones, and the deadline
watcher. All take ids or nothing, and are safe to run twice."""

from __future__ import annotations

import smtplib
from datetime import timedelta

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from servicecenter.clock import utcnow
from servicecenter.jobs.periodic import register_periodic
from servicecenter.jobs.registry import enqueue_after_commit, job
from servicecenter.notifications.content import mail_context
from servicecenter.notifications.mailer import build_message, message_id, send_message
from servicecenter.notifications.models import Notification, NotificationKind, NotificationState
from servicecenter.notifications.render import render_mail
from servicecenter.notifications.services import SEND_JOB, current_settings, deadline_recipients, notify_user
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.states import OPEN_STATES

RETRY_JOB = "notify.retry"
WATCH_JOB = "deadlines.watch"
MAX_ATTEMPTS = 5
WATCH_BATCH = 500


@job(SEND_JOB)
def send_notification(session: Session, notification_id: int) -> None:
    """Send one queued notification and mark it sent. The row is locked for the send, and one already sent
    (or skipped) is left alone, so a retried or duplicated job sends no second mail."""
    row = session.get(Notification, notification_id, with_for_update=True)
    if row is None or row.state in (NotificationState.SENT, NotificationState.SKIPPED):
        return
    settings = current_settings(session)
    mail = render_mail(row.kind, row.language, mail_context(session, row, settings))
    row.subject = mail.subject
    row.message_id = row.message_id or message_id(settings, row.id, f"{row.source_key}|{row.kind}|{row.recipient_key}")
    row.attempts += 1
    try:
        send_message(settings, build_message(settings, row.address, mail, row.message_id))
    except (smtplib.SMTPException, OSError) as exc:  # recorded on the row; notify.retry tries again later
        row.state, row.error = NotificationState.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        return
    row.state, row.error, row.sent_at = NotificationState.SENT, "", utcnow()


@job(RETRY_JOB)
def retry_failed_notifications(session: Session) -> None:
    """Queue again the notifications the mail server refused or could not take (up to MAX_ATTEMPTS)."""
    since = utcnow() - timedelta(days=2)  # older ones are stale news; they stay failed, with their error
    for row in session.scalars(select(Notification).where(
            Notification.state == NotificationState.FAILED, Notification.attempts < MAX_ATTEMPTS,
            Notification.created_at >= since).order_by(Notification.id).limit(WATCH_BATCH).with_for_update()):
        row.state = NotificationState.QUEUED
        enqueue_after_commit(session, SEND_JOB, notification_id=row.id)


def _not_told(level: NotificationKind):  # noqa: ANN202
    return ~exists().where(Notification.order_id == RepairOrder.id, Notification.kind == level,
                           Notification.deadline_at == RepairOrder.due_at)


@job(WATCH_JOB)
def watch_deadlines(session: Session) -> None:
    """Tell the team leads and the engineer about open orders that became at risk or overdue, once per
    order, level and due moment (a new stage's deadline is news again; the next run of the same is not)."""
    now = utcnow()
    timed = and_(RepairOrder.state.in_(OPEN_STATES), RepairOrder.due_at.is_not(None))
    levels = (
        (NotificationKind.OVERDUE, RepairOrder.due_at < now),
        (NotificationKind.AT_RISK, and_(RepairOrder.risk_at <= now, RepairOrder.due_at >= now)),
    )
    for level, condition in levels:
        orders = session.scalars(select(RepairOrder).where(timed, condition, _not_told(level))
                                 .order_by(RepairOrder.due_at).limit(WATCH_BATCH)).all()
        for order in orders:
            key = f"deadline:{order.id}:{order.due_at:%Y%m%dT%H%M%S}"
            for user in deadline_recipients(session, order):
                notify_user(session, order, level, key, user, deadline_at=order.due_at)


register_periodic(WATCH_JOB, 300)
register_periodic(RETRY_JOB, 600)
