"""After commit, hand outbox rows to RQ (or run them in-process when there is no Redis)."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from sqlalchemy import event, select
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
        for outbox_id in ids:
            if self.embedded:
                run_outbox_job(self.database, outbox_id)
                continue
            try:
                self.queue().enqueue("servicecenter.jobs.worker.run_job", outbox_id,
                                     job_id=f"outbox-{outbox_id}")
            except Exception:  # Redis down: the row stays pending and is relayed later
                log.warning("could not enqueue outbox job %s; kept for relay", outbox_id, exc_info=True)
                continue
            with self.database.unit_of_work() as session:
                row = session.get(OutboxJob, outbox_id)
                if row is not None and row.state == OutboxState.PENDING:
                    row.state = OutboxState.QUEUED

    def relay_pending(self) -> int:
        """Relay every row still pending (after Redis was down); returns how many."""
        with self.database.unit_of_work() as session:
            ids = list(session.scalars(select(OutboxJob.id).where(OutboxJob.state == OutboxState.PENDING)))
        self.relay(ids)
        return len(ids)


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
    rows: list[OutboxJob] = session.info.pop("outbox", [])
    dispatcher: Dispatcher | None = session.info.get("dispatcher")
    if rows and dispatcher is not None:
        dispatcher.relay([r.id for r in rows])


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop("outbox", None)
