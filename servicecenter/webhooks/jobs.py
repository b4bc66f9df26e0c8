"""The webhook jobs: one attempt of a delivery, and the sweep that queues the due retries."""

from __future__ import annotations

from sqlalchemy.orm import Session

from servicecenter.jobs.periodic import register_periodic
from servicecenter.jobs.registry import job
from servicecenter.webhooks.delivery import DELIVER_JOB, attempt_delivery, queue_due_deliveries

RETRY_JOB = "webhooks.retry_due"


@job(DELIVER_JOB)
def deliver(session: Session, delivery_id: int, attempt: int) -> None:
    """POST a delivery (attempt number `attempt`); run twice, it sends once."""
    attempt_delivery(session, delivery_id, attempt)


@job(RETRY_JOB)
def retry_due(session: Session) -> None:
    """Queue the deliveries whose next attempt is due (every minute)."""
    queue_due_deliveries(session)


register_periodic(RETRY_JOB, 60)
