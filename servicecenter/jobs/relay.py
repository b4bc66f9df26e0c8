"""The outbox relay, a periodic job: rows left pending (Redis was down at the commit) and rows
queued long ago but never done (Redis restarted and forgot them — ours keeps nothing on disk —
or the worker died mid-job) are handed to the queue again. Safe: handlers run once per row
(`run_outbox_job` locks the row and skips it when done) and a job still waiting or running in
RQ under its `outbox-<id>` is left alone."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from servicecenter.clock import utcnow
from servicecenter.db import Database
from servicecenter.jobs.models import OutboxJob, OutboxState
from servicecenter.jobs.periodic import register_periodic
from servicecenter.jobs.registry import job

log = logging.getLogger(__name__)
RELAY_EVERY_SECONDS = 60
# A row queued this long ago and not done is looked at again. Well above a job's run time (RQ's
# default timeout is 180 s), so a job that is merely slow or waiting in a long queue is left alone.
STALE_AFTER = timedelta(minutes=10)


def stale_queued_ids(session: Session, now: datetime, stale_after: timedelta = STALE_AFTER) -> list[int]:
    """Rows handed to RQ more than `stale_after` ago that have not finished."""
    cutoff = now - stale_after
    return list(session.scalars(
        select(OutboxJob.id).where(OutboxJob.state == OutboxState.QUEUED,
                                   or_(OutboxJob.queued_at < cutoff,
                                       OutboxJob.queued_at.is_(None) & (OutboxJob.created_at < cutoff)))
        .order_by(OutboxJob.id)))


def _lost_in_rq(queue, ids: list[int], now: datetime) -> list[int]:  # noqa: ANN001
    """Of these rows, those whose RQ job will not run: gone (Redis restarted), failed, or
    abandoned by a dead worker (RQ's started registry gives up on it once its heartbeat lapsed)."""
    from rq.registry import StartedJobRegistry

    from servicecenter.jobs.dispatch import ALIVE

    StartedJobRegistry(queue=queue).cleanup(timestamp=now.timestamp())  # abandoned -> failed
    lost = []
    for outbox_id in ids:
        rq_job = queue.fetch_job(f"outbox-{outbox_id}")
        if rq_job is None or rq_job.get_status() not in ALIVE:
            lost.append(outbox_id)
    return lost


def relay_outbox(session: Session, now: datetime | None = None, stale_after: timedelta = STALE_AFTER) -> int:
    """Mark rows to relay and attach them to this transaction's outbox, so the dispatcher hands
    them on right after the commit; returns how many."""
    dispatcher = session.info.get("dispatcher")
    if dispatcher is None:
        return 0
    now = now or utcnow()
    ids = list(session.scalars(select(OutboxJob.id).where(OutboxJob.state == OutboxState.PENDING)
                               .order_by(OutboxJob.id)))
    stale = [] if dispatcher.embedded else stale_queued_ids(session, now, stale_after)
    if stale:
        try:
            stale = _lost_in_rq(dispatcher.queue(), stale, now)
        except Exception:  # Redis away: nothing can be handed on now; the next run looks again
            log.warning("could not check the queue for lost jobs", exc_info=True)
            stale = []
    rows = [session.get(OutboxJob, i) for i in ids + stale]
    for row in rows:
        row.state = OutboxState.PENDING
    session.info.setdefault("outbox", []).extend(rows)
    return len(rows)


def relay_now(database: Database, now: datetime | None = None, stale_after: timedelta = STALE_AFTER) -> int:
    """Relay in a transaction of its own (CLI, worker start, tests); returns how many rows."""
    with database.unit_of_work() as session:
        return relay_outbox(session, now, stale_after)


@job("jobs.relay")
def relay_job(session: Session) -> None:
    """Periodic: relay pending rows and rows RQ lost."""
    relay_outbox(session)


register_periodic("jobs.relay", RELAY_EVERY_SECONDS)

