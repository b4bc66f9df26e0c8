"""Runs the periodic jobs (`jobs.periodic.register_periodic`) when they are due.

Where: a daemon thread in `servicecenter worker` (with Redis) and in the web process of
`servicecenter serve` (embedded mode); `servicecenter jobs run-periodic` runs one tick by hand.
Every process with a ticker may try; the database decides. Claiming a run is one UPDATE of the
job's `periodic_runs` row, guarded by `next_run_at <= now`, committed before the job runs: of two
workers ticking at the same moment exactly one gets the row, and a restarted process finds the
next due times where they were, so nothing runs twice and a restart does not run everything at
once (an overdue job runs once, not once per missed interval).

We do not chain the ticks through RQ's scheduler (`enqueue_in`): our Redis keeps nothing on
disk, so a restarted Redis would silently end the chain; a thread per process and a row per job
survive that, and cost one small query per job per tick.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from servicecenter.clock import utcnow
from servicecenter.db import Database
from servicecenter.jobs.models import PeriodicRun
from servicecenter.jobs.periodic import PERIODIC
from servicecenter.jobs.registry import get_handler

log = logging.getLogger(__name__)
TICK_SECONDS = 15  # how often a ticker looks for due jobs: the finest interval a periodic job gets


def claim_run(database: Database, name: str, every_seconds: int, now: datetime) -> bool:
    """Take this tick of the job for this process (committed), or learn someone else has it."""
    with database.unit_of_work() as session:
        if session.get(PeriodicRun, name) is None:
            try:
                with session.begin_nested():
                    session.add(PeriodicRun(name=name, next_run_at=now))
            except IntegrityError:  # another process created it a moment ago
                pass
        claimed = session.execute(
            update(PeriodicRun)
            .where(PeriodicRun.name == name, PeriodicRun.next_run_at <= now)
            .values(next_run_at=now + timedelta(seconds=every_seconds), last_started_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    return claimed == 1


def _record(database: Database, name: str, error: str) -> None:
    with database.unit_of_work() as session:
        row = session.get(PeriodicRun, name)
        if row is None:
            return
        row.last_finished_at = utcnow()
        row.run_count += 1
        row.last_error = error
        if error:
            row.failure_count += 1


def run_periodic_job(database: Database, name: str) -> bool:
    """Run one periodic job in its own transaction; True if it succeeded (its error is kept)."""
    error = ""
    try:
        with database.unit_of_work() as session:
            get_handler(name)(session)
    except Exception:
        error = traceback.format_exc(limit=5)[-4000:]
        log.exception("periodic job %s failed", name)
    _record(database, name, error)
    return not error


def run_due_periodic(database: Database, now: datetime | None = None,
                     names: Iterable[str] | None = None) -> list[str]:
    """Run every registered periodic job (or those in `names`) that is due; returns what ran."""
    now = now or utcnow()
    wanted = set(names) if names is not None else None
    ran = []
    for name, every in sorted(PERIODIC.items()):
        if wanted is not None and name not in wanted:
            continue
        if claim_run(database, name, every, now):
            run_periodic_job(database, name)
            ran.append(name)
    return ran


class Ticker(threading.Thread):
    """A daemon thread that runs due periodic jobs every `interval` seconds until stopped."""

    def __init__(self, database: Database, interval: float = TICK_SECONDS) -> None:
        super().__init__(name="servicecenter-ticker", daemon=True)
        self.database = database
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                run_due_periodic(self.database)
            except Exception:  # the database is away: try again on the next tick
                log.exception("periodic tick failed")
            self.stopped.wait(self.interval)

    def stop(self) -> None:
        self.stopped.set()


def start_ticker(database: Database, interval: float = TICK_SECONDS) -> Ticker:
    """Start the periodic jobs' thread for this process."""
    ticker = Ticker(database, interval)
    ticker.start()
    return ticker
