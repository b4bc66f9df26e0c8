"""Jobs run only after their transaction commits, at most once, and survive Redis being down."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from servicecenter.db import Database
from servicecenter.jobs.dispatch import QUEUE_NAME, Dispatcher, run_outbox_job
from servicecenter.jobs.models import OutboxJob, OutboxState
from servicecenter.jobs.registry import enqueue_after_commit, job
from servicecenter.repairs.history import record_event
from servicecenter.repairs.models import EventKind, RepairEvent, RepairOrder
from tests.factories import Factory


@job("tests.note_on_order")
def note_on_order(session, order_id: int, text: str) -> None:  # noqa: ANN001
    """A job with a visible effect: a system comment in the order's history."""
    order = session.get(RepairOrder, order_id)
    if order is None:
        raise LookupError(f"no order {order_id}")
    record_event(session, actor=None, kind=EventKind.COMMENT, order=order, text=text)


def _notes(db: Database, order_id: int) -> list[str]:
    with db.unit_of_work() as s:
        events = s.scalars(select(RepairEvent).where(RepairEvent.order_id == order_id,
                                                     RepairEvent.kind == EventKind.COMMENT))
        return [e.details["text"] for e in events]


@pytest.fixture
def order_id(committed_database: Database) -> Iterator[int]:
    with committed_database.unit_of_work() as s:
        oid = Factory(s).order(Factory(s).center("JOB")).id
    yield oid
    committed_database.session_factory.kw.get("info", {}).pop("dispatcher", None)


def test_embedded_mode_runs_the_job_right_after_commit(committed_database: Database, order_id: int) -> None:
    Dispatcher(committed_database, redis_url=None)
    with committed_database.unit_of_work() as s:
        enqueue_after_commit(s, "tests.note_on_order", order_id=order_id, text="после коммита")
        assert _notes(committed_database, order_id) == []  # not before the commit
    assert _notes(committed_database, order_id) == ["после коммита"]
    with committed_database.unit_of_work() as s:
        assert s.scalar(select(OutboxJob.state)) == OutboxState.DONE


def test_a_rolled_back_transaction_enqueues_nothing(committed_database: Database, order_id: int) -> None:
    Dispatcher(committed_database, redis_url=None)
    with pytest.raises(RuntimeError), committed_database.unit_of_work() as s:
        enqueue_after_commit(s, "tests.note_on_order", order_id=order_id, text="не будет")
        raise RuntimeError("the clerk's save failed")
    assert _notes(committed_database, order_id) == []
    with committed_database.unit_of_work() as s:
        assert s.scalars(select(OutboxJob)).all() == []


def test_a_savepoint_neither_runs_nor_loses_the_transactions_jobs(committed_database: Database,
                                                                   order_id: int) -> None:
    """A SAVEPOINT released is not the commit (nothing runs yet); one rolled back drops only its own
    requests; at the real commit the rest run."""
    Dispatcher(committed_database, redis_url=None)
    with committed_database.unit_of_work() as s:
        enqueue_after_commit(s, "tests.note_on_order", order_id=order_id, text="до точки сохранения")
        with s.begin_nested():
            enqueue_after_commit(s, "tests.note_on_order", order_id=order_id, text="в сохранённой точке")
        # Released, not committed: nothing ran (on SQLite a job run now would wait for this very
        # transaction's lock; on PostgreSQL its note would be visible here, read committed).
        assert s.scalars(select(RepairEvent).where(RepairEvent.order_id == order_id,
                                                   RepairEvent.kind == EventKind.COMMENT)).all() == []
        assert all(r.state == OutboxState.PENDING for r in s.scalars(select(OutboxJob)))
        savepoint = s.begin_nested()
        enqueue_after_commit(s, "tests.note_on_order", order_id=order_id, text="откатится")
        s.flush()
        savepoint.rollback()
    assert sorted(_notes(committed_database, order_id)) == ["в сохранённой точке", "до точки сохранения"]
    with committed_database.unit_of_work() as s:
        assert [r.state for r in s.scalars(select(OutboxJob))] == [OutboxState.DONE, OutboxState.DONE]


def test_a_job_run_twice_has_one_effect(committed_database: Database, order_id: int) -> None:
    with committed_database.unit_of_work() as s:  # no dispatcher attached: the row just waits
        row = enqueue_after_commit(s, "tests.note_on_order", order_id=order_id, text="один раз")
    run_outbox_job(committed_database, row.id)
    run_outbox_job(committed_database, row.id)
    assert _notes(committed_database, order_id) == ["один раз"]


def test_a_failing_job_is_marked_failed_with_its_error(committed_database: Database, order_id: int) -> None:
    with committed_database.unit_of_work() as s:
        row = enqueue_after_commit(s, "tests.note_on_order", order_id=order_id + 10_000, text="x")
    run_outbox_job(committed_database, row.id)
    with committed_database.unit_of_work() as s:
        failed = s.get(OutboxJob, row.id)
        assert failed.state == OutboxState.FAILED and failed.attempts == 1 and "LookupError" in failed.last_error


def test_redis_down_at_commit_keeps_the_job_until_it_is_back(committed_database: Database, order_id: int,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("REDIS_URL not set (the embedded mode is covered above)")
    from redis import Redis
    from rq import Queue, SimpleWorker

    Redis.from_url(redis_url).delete(f"rq:queue:{QUEUE_NAME}")
    Dispatcher(committed_database, redis_url="redis://127.0.0.1:1/0")  # nothing listens there
    with committed_database.unit_of_work() as s:
        enqueue_after_commit(s, "tests.note_on_order", order_id=order_id, text="доставлено позже")
    with committed_database.unit_of_work() as s:
        assert s.scalar(select(OutboxJob.state)) == OutboxState.PENDING  # the clerk's save went through

    back = Dispatcher(committed_database, redis_url=redis_url)
    assert back.relay_pending() == 1
    # the worker process reads DATABASE_URL like every other entry point
    import servicecenter.jobs.worker as worker

    monkeypatch.setenv("DATABASE_URL", str(committed_database.engine.url.render_as_string(hide_password=False)))
    worker._database.cache_clear()
    connection = Redis.from_url(redis_url)
    SimpleWorker([Queue(QUEUE_NAME, connection=connection)], connection=connection).work(burst=True)
    worker._database.cache_clear()
    assert _notes(committed_database, order_id) == ["доставлено позже"]
    assert back.relay_pending() == 0
