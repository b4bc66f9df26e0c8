"""After commit, hand outbox rows to RQ (or run them in-process when there is no Redis)."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from servicecenter.clock import utcnow
from servicecenter.db import Database
from servicecenter.jobs.models import OutboxJob, OutboxState
from servicecenter.jobs.registry import get_handler

log = logging.getLogger(__name__)
QUEUE_NAME = "servicecenter"


class Dispatcher:
    """Relays committed job requests: to RQ when `redis_url` is set, else in-process."""

    def __init__(self, database: Database, redis_url: str | None) -> None:
        self.database = database
        self.redis_url = redis_url
        database.session_factory.kw.setdefault("info", {})["dispatcher"] = self

    @property
    def embedded(self) -> bool:
        return not self.redis_url

    def queue(self) -> Any:
        from redis import Redis
        from rq import Queue

        return Queue(QUEUE_NAME, connection=Redis.from_url(self.redis_url, socket_timeout=5))

    def relay(self, ids: list[int]) -> None:
        """Hand these committed outbox rows on; a row that cannot be handed on stays pending."""
        if not ids:
            return
        queue = None if self.embedded else self.queue()
        for outbox_id in ids:
            if queue is None:
                run_outbox_job(self.database, outbox_id)
                continue
            try:
                enqueue_outbox_job(queue, outbox_id)
            except Exception:  # Redis down: the row stays pending and is relayed later
                log.warning("could not enqueue outbox job %s; kept for relay", outbox_id, exc_info=True)
                continue
            with self.database.unit_of_work() as session:
                row = session.get(OutboxJob, outbox_id)
                if row is not None and row.state == OutboxState.PENDING:
                    row.state = OutboxState.QUEUED
                    row.queued_at = utcnow()

    def relay_pending(self) -> int:
        """Relay every row still pending (after Redis was down); returns how many."""
        with self.database.unit_of_work() as session:
            ids = list(session.scalars(select(OutboxJob.id).where(OutboxJob.state == OutboxState.PENDING)))
        self.relay(ids)
        return len(ids)


ALIVE = ("queued", "started", "scheduled", "deferred")  # RQ job statuses that will still run


def enqueue_outbox_job(queue: Any, outbox_id: int) -> None:
    """Put the row's job on the RQ queue as `outbox-<id>`, unless that job is still waiting or
    running there; a failed or finished leftover of the same id is cleared first."""
    from rq.registry import FailedJobRegistry

    job_id = f"outbox-{outbox_id}"
    existing = queue.fetch_job(job_id)
    if existing is not None:
        if existing.get_status() in ALIVE:
            return
        FailedJobRegistry(queue=queue).remove(existing, delete_job=True)
    queue.enqueue("servicecenter.jobs.worker.run_job", outbox_id, job_id=job_id)


def run_outbox_job(database: Database, outbox_id: int) -> None:
    """Run one job in its own transaction; a job already done is not run again."""
    with database.unit_of_work() as session:
        row = session.get(OutboxJob, outbox_id, with_for_update=True)
        if row is None or row.state == OutboxState.DONE:
            return
        row.attempts += 1
        try:
            with session.begin_nested():
                get_handler(row.name)(session, **row.payload)
        except Exception:
            row.state = OutboxState.FAILED
            row.last_error = traceback.format_exc(limit=5)[-4000:]
            log.exception("job %s (%s) failed", outbox_id, row.name)
            return
        row.state = OutboxState.DONE
        row.finished_at = utcnow()


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    # SQLAlchemy fires after_commit when a SAVEPOINT is released too: only the real commit counts.
    if session.in_nested_transaction():
        return
    rows: list[OutboxJob] = session.info.pop("outbox", [])
    dispatcher: Dispatcher | None = session.info.get("dispatcher")
    # A row added inside a savepoint that was rolled back never reached the database (no identity).
    ids = [state.identity[0] for state in map(inspect, rows) if state.has_identity]
    if ids and dispatcher is not None:
        dispatcher.relay(ids)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    # A savepoint's rollback keeps the outer transaction's requests (its own rows are dropped at
    # commit, above); the whole transaction's rollback drops them all.
    if not session.in_nested_transaction():
        session.info.pop("outbox", None)
