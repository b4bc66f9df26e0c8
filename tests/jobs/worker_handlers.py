"""Test-only job handlers, imported by the test and by worker processes started from it
(`SERVICECENTER_JOB_MODULES=tests.jobs.worker_handlers`)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import select

from servicecenter.jobs.periodic import PERIODIC, register_periodic
from servicecenter.jobs.registry import job
from servicecenter.repairs.history import record_event
from servicecenter.repairs.models import EventKind, RepairOrder

TICK = "tests.tick_note"
TICK_EVERY = 3600


@job("tests.slow_note")
def slow_note(session, order_id: int, text: str, hold: str) -> None:  # noqa: ANN001
    """A comment on the order; while the file `hold` exists the job first says it started (a
    `.started` file beside it) and then hangs, so a test can kill its worker mid-job."""
    order = session.get(RepairOrder, order_id)
    record_event(session, actor=None, kind=EventKind.COMMENT, order=order, text=text)
    session.flush()
    if Path(hold).exists():
        Path(hold + ".started").write_text(str(os.getpid()))  # the work horse: its own process group
        time.sleep(300)


@job(TICK)
def tick_note(session) -> None:  # noqa: ANN001
    """Periodic: a comment "tick" on every order."""
    for order in session.scalars(select(RepairOrder)):
        record_event(session, actor=None, kind=EventKind.COMMENT, order=order, text="tick")


def register_tick() -> None:
    register_periodic(TICK, TICK_EVERY)


def unregister_tick() -> None:
    PERIODIC.pop(TICK, None)


if os.environ.get("SC_TEST_TICK"):  # only in the worker processes of the periodic test
    register_tick()
