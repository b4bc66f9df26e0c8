"""What an RQ worker process runs: outbox jobs, against the database from the environment, and
the periodic jobs' ticker (jobs/ticker.py) beside the work loop."""

from __future__ import annotations

import importlib
import os

from servicecenter.config import Settings
from servicecenter.db import Database
from servicecenter.jobs.dispatch import run_outbox_job

# Extra modules a worker imports so their job handlers are known (comma-separated), e.g. the
# test-only handlers of tests/jobs/worker_handlers.py.
EXTRA_MODULES_ENV = "SERVICECENTER_JOB_MODULES"
_DATABASES: dict[int, Database] = {}


def _database() -> Database:
    """This process's database. RQ forks a work horse per job: the horse opens its own
    connections rather than share the parent's (the parent's ticker thread uses them)."""
    pid = os.getpid()
    if pid not in _DATABASES:
        import servicecenter.models  # noqa: F401  (every model mapped, every handler registered)

        for name in filter(None, (m.strip() for m in os.environ.get(EXTRA_MODULES_ENV, "").split(","))):
            importlib.import_module(name)
        settings = Settings.from_env()
        database = Database(settings.database_url)
        if settings.redis_url:  # jobs a job requests are relayed to the queue after its commit
            from servicecenter.jobs.dispatch import Dispatcher

            Dispatcher(database, settings.redis_url)
        _DATABASES[pid] = database
    return _DATABASES[pid]


def _forget_databases() -> None:
    """Drop the cached databases (tests that change DATABASE_URL)."""
    _DATABASES.clear()


_database.cache_clear = _forget_databases  # type: ignore[attr-defined]  (the old functools.cache API)


def run_job(outbox_id: int) -> None:
    """Entry point enqueued in RQ for one outbox row."""
    run_outbox_job(_database(), outbox_id)


def run_worker(redis_url: str, burst: bool = False) -> None:
    """Work the servicecenter queue with RQ's scheduler, relaying what was left pending or lost
    first; the periodic jobs run in a ticker thread (in burst mode: one tick, then the queue)."""
    from redis import Redis
    from rq import Queue, Worker

    from servicecenter.jobs.dispatch import QUEUE_NAME, Dispatcher
    from servicecenter.jobs.relay import relay_now
    from servicecenter.jobs.ticker import run_due_periodic, start_ticker

    os.environ.setdefault("REDIS_URL", redis_url)
    database = _database()
    Dispatcher(database, redis_url)
    connection = Redis.from_url(redis_url)
    relay_now(database)
    if burst:
        run_due_periodic(database)
    else:
        start_ticker(database)
    class _Worker(Worker):
        def subscribe(self) -> None:
            """RQ's command channel (stop a job, shut down), listened to by a thread that wakes every
            second: RQ's own waits up to 60 s for a message, and its exit waits for that thread — every
            `--burst` run and every shutdown took a minute."""
            self.log.info("Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name)
            self.pubsub = self.connection.pubsub()
            self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
            self.pubsub_thread = self.pubsub.run_in_thread(sleep_time=1, daemon=True,
                                                           exception_handler=self._pubsub_exception_handler)

    worker = _Worker([Queue(QUEUE_NAME, connection=connection)], connection=connection)
    worker.work(with_scheduler=True, burst=burst)
