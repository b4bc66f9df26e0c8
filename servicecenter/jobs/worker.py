"""What an RQ worker process runs: outbox jobs, against the database from the environment."""

from __future__ import annotations

from functools import cache

from servicecenter.config import Settings
from servicecenter.db import Database
from servicecenter.jobs.dispatch import run_outbox_job


@cache
def _database() -> Database:
    import servicecenter.models  # noqa: F401  (every model mapped, every handler registered)

    return Database(Settings.from_env().database_url)


def run_job(outbox_id: int) -> None:
    """Entry point enqueued in RQ for one outbox row."""
    run_outbox_job(_database(), outbox_id)


def run_worker(redis_url: str, burst: bool = False) -> None:
    """Work the servicecenter queue with RQ's scheduler; relay rows left pending first."""
    from redis import Redis
    from rq import Queue, Worker

    from servicecenter.jobs.dispatch import QUEUE_NAME, Dispatcher

    connection = Redis.from_url(redis_url)
    Dispatcher(_database(), redis_url).relay_pending()
    worker = Worker([Queue(QUEUE_NAME, connection=connection)], connection=connection)
    worker.work(with_scheduler=True, burst=burst)
