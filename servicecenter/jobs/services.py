"""What an admin does to jobs: run a failed one again."""

from __future__ import annotations

from sqlalchemy.orm import Session

from servicecenter.errors import N_, DomainError, NotFound
from servicecenter.jobs.models import OutboxJob, OutboxState


def retry_outbox_job(session: Session, outbox_id: int) -> OutboxJob:
    """Put a failed (or lost) outbox job back to pending; it is handed on after the commit."""
    row = session.get(OutboxJob, outbox_id, with_for_update=True)
    if row is None:
        raise NotFound(N_("No such job"))
    if row.state == OutboxState.DONE:
        raise DomainError(N_("This job has already run; there is nothing to retry."))
    row.state = OutboxState.PENDING
    session.info.setdefault("outbox", []).append(row)
    return row


def requeue_queue_failure(queue, job_id: str) -> bool:  # noqa: ANN001
    """Put a job from RQ's failed registry (not an outbox job) back on the queue; False if unknown."""
    from rq.exceptions import InvalidJobOperation, NoSuchJobError
    from rq.registry import FailedJobRegistry

    try:
        FailedJobRegistry(queue=queue).requeue(job_id)
    except (NoSuchJobError, InvalidJobOperation):
        return False
    return True
