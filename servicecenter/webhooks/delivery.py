"""Queueing and sending deliveries: the state listener (in the clerk's transaction), one attempt
(in a job, after the commit), and the sweep that re-queues what is due (a periodic job).

Retries: after a failed attempt n the next is due 30 s × 4^(n-1) later (30 s, 2 min, 8 min, 32 min,
~2 h, ~8.5 h, ~34 h); after the 8th the delivery is `failed` (about 45 hours of trying). The sweep
runs every minute in both modes (RQ worker or embedded), so no RQ-specific scheduling is needed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from servicecenter.clock import utcnow
from servicecenter.jobs.registry import enqueue_after_commit
from servicecenter.repairs.signals import on_state_changed
from servicecenter.webhooks.models import (
    DeliveryState,
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from servicecenter.webhooks.payload import body_of, order_payload
from servicecenter.webhooks.sender import post, signature

if TYPE_CHECKING:
    from servicecenter.repairs.models import RepairEvent, RepairOrder
    from servicecenter.repairs.states import RepairState

MAX_ATTEMPTS = 8
FIRST_DELAY = timedelta(seconds=30)
BACKOFF_FACTOR = 4
# A queued attempt that has not happened this long after being queued (worker down, Redis lost
# the job) is queued again by the sweep; the attempt number keeps the two from both sending.
REQUEUE_AFTER = timedelta(minutes=10)
SWEEP_BATCH = 500
DELIVER_JOB = "webhooks.deliver"


def backoff(attempt: int) -> timedelta:
    """How long after failed attempt number `attempt` the next one is due."""
    return FIRST_DELAY * BACKOFF_FACTOR ** (attempt - 1)


def wants(subscription: WebhookSubscription, order: RepairOrder, source: RepairState | None,
          target: RepairState) -> bool:
    """Does this subscription ask for this change of this order?"""
    if subscription.only_manufacturer_id is not None and order.manufacturer_id != subscription.only_manufacturer_id:
        return False
    if subscription.only_center_id is not None and order.center_id != subscription.only_center_id:
        return False
    if source is None:
        return subscription.on_created
    return subscription.on_state_changed and (not subscription.states or target.value in subscription.states)


def queue_delivery(session: Session, delivery: WebhookDelivery, now: datetime | None = None) -> None:
    """Ask for the delivery's next attempt after the commit."""
    delivery.next_attempt_at = (now or utcnow()) + REQUEUE_AFTER
    session.flush()
    enqueue_after_commit(session, DELIVER_JOB, delivery_id=delivery.id, attempt=delivery.attempts + 1)


@on_state_changed
def queue_order_webhooks(session: Session, order: RepairOrder, source: RepairState | None,
                         target: RepairState, event: RepairEvent) -> None:
    """A delivery per active subscription that wants this change (in the change's transaction)."""
    subscriptions = session.scalars(select(WebhookSubscription).where(WebhookSubscription.active.is_(True))
                                    .order_by(WebhookSubscription.id)).all()
    payload = None
    for subscription in subscriptions:
        if not wants(subscription, order, source, target):
            continue
        already = session.scalar(select(exists().where(WebhookDelivery.subscription_id == subscription.id,
                                                       WebhookDelivery.event_id == event.id)))
        if already:
            continue
        payload = payload or order_payload(order, source, target, event)
        delivery = WebhookDelivery(subscription_id=subscription.id, event_id=event.id,
                                   event_type=EventType(payload["type"]), payload=payload,
                                   state=DeliveryState.PENDING)
        session.add(delivery)
        queue_delivery(session, delivery)


def attempt_delivery(session: Session, delivery_id: int, attempt: int) -> WebhookAttempt | None:
    """Make attempt number `attempt` of a delivery, unless it was already made (a job run twice)
    or the delivery is settled. Returns the attempt logged, if one was."""
    delivery = session.get(WebhookDelivery, delivery_id, with_for_update=True)
    if delivery is None or delivery.attempts != attempt - 1:
        return None
    if delivery.state in (DeliveryState.DELIVERED, DeliveryState.FAILED):
        return None
    subscription = delivery.subscription
    if not subscription.active:  # deactivated since: nothing more is sent (a replay may revive it)
        delivery.state = DeliveryState.FAILED
        delivery.next_attempt_at = None
        session.flush()
        return None
    body = body_of(delivery.payload)
    started = utcnow()
    timestamp = int(started.timestamp())
    answer = post(subscription.url, body, {
        "Content-Type": "application/json",
        "X-Servicecenter-Event": delivery.event_type.value,
        "X-Servicecenter-Delivery": str(delivery.id),
        "X-Servicecenter-Timestamp": str(timestamp),
        "X-Servicecenter-Signature": signature(subscription.secret, timestamp, body),
    })
    logged = WebhookAttempt(delivery_id=delivery.id, number=attempt, started_at=started,
                            duration_ms=answer.duration_ms, status=answer.status,
                            response_excerpt=answer.excerpt, error=answer.error)
    session.add(logged)
    delivery.attempts = attempt
    delivery.last_status = answer.status
    if answer.ok:
        delivery.state = DeliveryState.DELIVERED
        delivery.delivered_at = utcnow()
        delivery.next_attempt_at = None
    elif attempt >= MAX_ATTEMPTS:
        delivery.state = DeliveryState.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.state = DeliveryState.RETRYING
        delivery.next_attempt_at = started + backoff(attempt)
    session.flush()
    return logged


def queue_due_deliveries(session: Session, now: datetime | None = None) -> int:
    """Queue the next attempt of every delivery whose time has come; returns how many."""
    now = now or utcnow()
    due = session.scalars(
        select(WebhookDelivery)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(WebhookDelivery.state.in_([DeliveryState.PENDING, DeliveryState.RETRYING]),
               WebhookDelivery.next_attempt_at <= now, WebhookSubscription.active.is_(True))
        .order_by(WebhookDelivery.next_attempt_at).limit(SWEEP_BATCH)).all()
    for delivery in due:
        queue_delivery(session, delivery, now)
    return len(due)
