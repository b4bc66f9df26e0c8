"""Nothing lost, nothing twice: periodic jobs, the outbox relay, a worker killed mid-job, the
admin's failed jobs screen. Real Redis (REDIS_URL, a database of its own) and real worker processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from servicecenter.accounts.roles import Role
from servicecenter.clock import utcnow
from servicecenter.db import Database
from servicecenter.jobs.dispatch import QUEUE_NAME, Dispatcher
from servicecenter.jobs.models import OutboxJob, OutboxState, PeriodicRun
from servicecenter.jobs.registry import enqueue_after_commit
from servicecenter.jobs.relay import relay_now
from servicecenter.jobs.ticker import run_due_periodic
from servicecenter.repairs.models import EventKind, RepairEvent
from tests.factories import Factory, csrf_token, login
from tests.jobs import worker_handlers

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL not set")


def _notes(db: Database, order_id: int) -> list[str]:
    with db.unit_of_work() as s:
        return [e.details["text"] for e in s.scalars(
            select(RepairEvent).where(RepairEvent.order_id == order_id, RepairEvent.kind == EventKind.COMMENT)
            .order_by(RepairEvent.id))]


def _url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


def _worker(db: Database, *extra: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`servicecenter worker` as a process of its own (and its own process group)."""
    environment = {**os.environ, "DATABASE_URL": _url(db), "REDIS_URL": REDIS_URL or "",
                   "SERVICECENTER_JOB_MODULES": "tests.jobs.worker_handlers",
                   "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "servicecenter", "worker", *extra], cwd=ROOT, env=environment,
                            start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _finish(proc: subprocess.Popen) -> str:
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out.decode(errors="replace")
    return out.decode(errors="replace")


def _clear_queue() -> None:
    from redis import Redis
    from rq import Queue
    from rq.registry import FailedJobRegistry, StartedJobRegistry

    connection = Redis.from_url(REDIS_URL)
    queue = Queue(QUEUE_NAME, connection=connection)
    for registry in (FailedJobRegistry(queue=queue), StartedJobRegistry(queue=queue)):
        connection.delete(registry.key)
    connection.delete(queue.key)


@pytest.fixture
def order_id(committed_database: Database) -> Iterator[int]:
    with committed_database.unit_of_work() as s:
        oid = Factory(s).order(Factory(s).center("JOB")).id
    yield oid
    committed_database.session_factory.kw.get("info", {}).pop("dispatcher", None)


@pytest.fixture
def tick_registered() -> Iterator[None]:
    worker_handlers.register_tick()
    yield
    worker_handlers.unregister_tick()


# --- periodic jobs ----------------------------------------------------------------------------------

def test_embedded_mode_runs_a_periodic_job_once_per_interval(committed_database: Database, order_id: int,
                                                             tick_registered: None) -> None:
    Dispatcher(committed_database, redis_url=None)
    now = utcnow()
    assert run_due_periodic(committed_database, now=now, names=[worker_handlers.TICK]) == [worker_handlers.TICK]
    # a second process ticking at the same moment, and a restart a minute later: not due
    assert run_due_periodic(committed_database, now=now, names=[worker_handlers.TICK]) == []
    assert run_due_periodic(committed_database, now=now + timedelta(minutes=1), names=[worker_handlers.TICK]) == []
    assert _notes(committed_database, order_id) == ["tick"]
    # after the interval (even long after: one run, not one per missed interval)
    later = now + timedelta(seconds=worker_handlers.TICK_EVERY * 5)
    assert run_due_periodic(committed_database, now=later, names=[worker_handlers.TICK]) == [worker_handlers.TICK]
    assert run_due_periodic(committed_database, now=later, names=[worker_handlers.TICK]) == []
    assert _notes(committed_database, order_id) == ["tick", "tick"]
    with committed_database.unit_of_work() as s:
        run = s.get(PeriodicRun, worker_handlers.TICK)
        assert run.run_count == 2 and run.last_error == ""


def test_embedded_relay_runs_jobs_left_pending(committed_database: Database, order_id: int) -> None:
    with committed_database.unit_of_work() as s:  # committed by a process without a dispatcher (the CLI)
        enqueue_after_commit(s, "tests.slow_note", order_id=order_id, text="позже", hold="/nonexistent")
    Dispatcher(committed_database, redis_url=None)
    assert run_due_periodic(committed_database, names=["jobs.relay"]) == ["jobs.relay"]
    assert _notes(committed_database, order_id) == ["позже"]


def test_the_web_process_ticker_thread_runs_due_jobs(committed_database: Database, order_id: int) -> None:
    """`servicecenter serve` without Redis starts this thread: a job left pending gets run."""
    from servicecenter.jobs.ticker import start_ticker

    with committed_database.unit_of_work() as s:
        enqueue_after_commit(s, "tests.slow_note", order_id=order_id, text="из потока", hold="/nonexistent")
    Dispatcher(committed_database, redis_url=None)
    ticker = start_ticker(committed_database, interval=0.2)
    try:
        deadline = time.monotonic() + 60
        while _notes(committed_database, order_id) != ["из потока"]:
            assert time.monotonic() < deadline, "the ticker never relayed the pending job"
            time.sleep(0.1)
    finally:
        ticker.stop()
        ticker.join(timeout=30)
    with committed_database.unit_of_work() as s:
        assert s.get(PeriodicRun, "jobs.relay").run_count <= 2  # due once a minute, not every 0.2 s tick


@needs_redis
def test_two_workers_run_a_periodic_tick_once(committed_database: Database, order_id: int) -> None:
    _clear_queue()
    env = {"SC_TEST_TICK": "1"}
    first, second = _worker(committed_database, "--burst", env=env), _worker(committed_database, "--burst", env=env)
    _finish(first), _finish(second)
    assert _notes(committed_database, order_id) == ["tick"]
    _finish(_worker(committed_database, "--burst", env=env))  # a restart within the interval
    assert _notes(committed_database, order_id) == ["tick"]


# --- the relay and a killed worker ------------------------------------------------------------------

@needs_redis
def test_redis_down_at_commit_then_the_periodic_relay_delivers(committed_database: Database, order_id: int) -> None:
    _clear_queue()
    Dispatcher(committed_database, redis_url="redis://127.0.0.1:1/0")  # nothing listens there
    with committed_database.unit_of_work() as s:
        enqueue_after_commit(s, "tests.slow_note", order_id=order_id, text="доставлено", hold="/nonexistent")
    with committed_database.unit_of_work() as s:
        assert s.scalar(select(OutboxJob.state)) == OutboxState.PENDING
    Dispatcher(committed_database, redis_url=REDIS_URL)  # Redis is back: the next relay run hands it on
    assert run_due_periodic(committed_database, names=["jobs.relay"]) == ["jobs.relay"]
    with committed_database.unit_of_work() as s:
        assert s.scalar(select(OutboxJob.state)) == OutboxState.QUEUED
    _finish(_worker(committed_database, "--burst"))
    assert _notes(committed_database, order_id) == ["доставлено"]
    with committed_database.unit_of_work() as s:
        assert s.scalar(select(OutboxJob.state)) == OutboxState.DONE


def _wait_for(path: Path, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while not path.exists():
        assert proc.poll() is None, proc.communicate()[0].decode(errors="replace")
        assert time.monotonic() < deadline, "the worker never started the job"
        time.sleep(0.1)


@needs_redis
def test_worker_killed_mid_job_the_job_is_retried_and_its_effect_happens_once(
        committed_database: Database, order_id: int, tmp_path: Path) -> None:
    _clear_queue()
    hold = tmp_path / "hold"
    hold.touch()
    Dispatcher(committed_database, redis_url=REDIS_URL)
    with committed_database.unit_of_work() as s:
        row = enqueue_after_commit(s, "tests.slow_note", order_id=order_id, text="один раз", hold=str(hold))
    first = _worker(committed_database)
    _wait_for(Path(str(hold) + ".started"), first)
    horse = int(Path(str(hold) + ".started").read_text())
    os.killpg(first.pid, signal.SIGKILL)  # the worker and, in its own group, the job's work horse
    os.kill(horse, signal.SIGKILL)
    first.communicate(timeout=30)
    hold.unlink()
    assert _notes(committed_database, order_id) == []  # the killed job's transaction never committed
    with committed_database.unit_of_work() as s:
        assert s.get(OutboxJob, row.id).state == OutboxState.QUEUED

    # a relay right now leaves it alone (it may just be slow); once it is stale and RQ has given
    # up on the dead worker's job, the relay hands it on again
    assert relay_now(committed_database) == 0
    assert relay_now(committed_database, now=utcnow() + timedelta(minutes=15)) == 1
    _finish(_worker(committed_database, "--burst"))
    assert _notes(committed_database, order_id) == ["один раз"]
    with committed_database.unit_of_work() as s:
        assert s.get(OutboxJob, row.id).state == OutboxState.DONE
    assert relay_now(committed_database, now=utcnow() + timedelta(minutes=30)) == 0


# --- the admin's screen -----------------------------------------------------------------------------

def test_admin_sees_a_failed_job_and_retries_it(client, session, factory) -> None:  # noqa: ANN001
    center = factory.center("MSK")
    admin = factory.user(center, Role.ADMIN, email="admin@example.test")
    admin.locale = "en"
    order = factory.order(center)
    failed = OutboxJob(name="tests.slow_note", payload={"order_id": order.id, "text": "Ivan, +7 912 345-67-89",
                                                         "hold": "/nonexistent"},
                       state=OutboxState.FAILED, attempts=1,
                       last_error="Traceback ...\nSMTPRecipientsRefused: ivan@example.ru refused")
    session.add(failed)
    session.flush()
    login(client, admin.email)
    page = client.get("/admin/jobs/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'data-job="{failed.id}"' in html and "tests.slow_note" in html and f"order_id={order.id}" in html
    assert "SMTPRecipientsRefused" in html
    assert "ivan@example.ru" not in html and "Ivan" not in html and "912" not in html  # no personal data
    assert 'data-count="failed">1<' in html

    assert client.post(f"/admin/jobs/{failed.id}/retry").status_code in (302, 400)  # no CSRF token: refused
    session.refresh(failed)
    assert failed.state == OutboxState.FAILED
    response = client.post(f"/admin/jobs/{failed.id}/retry", data={"csrf_token": csrf_token(html)})
    assert response.status_code == 302
    listing = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is queued again" in listing
    session.expire_all()
    assert session.get(OutboxJob, failed.id).state == OutboxState.DONE  # embedded mode: it ran
    assert [e.details["text"] for e in order.events if e.kind == EventKind.COMMENT] == ["Ivan, +7 912 345-67-89"]
    assert 'data-count="failed">0<' in listing


def test_only_an_admin_opens_the_jobs_screen(client, session, factory) -> None:  # noqa: ANN001
    center = factory.center("MSK")
    clerk = factory.user(center, Role.INTAKE, email="clerk@example.test")
    session.flush()
    login(client, clerk.email)
    assert client.get("/admin/jobs/").status_code in (403, 404)
    token = csrf_token(client.get("/intake/", follow_redirects=True).get_data(as_text=True))
    assert client.post("/admin/jobs/1/retry", data={"csrf_token": token}).status_code in (403, 404)


@needs_redis
def test_admin_sees_a_failure_in_the_queue_and_requeues_it(bound_db, database_url, tmp_path, session,  # noqa: ANN001
                                                          factory) -> None:
    from redis import Redis
    from rq import Queue, SimpleWorker

    from servicecenter.app import create_app
    from tests.conftest import make_settings

    _clear_queue()
    connection = Redis.from_url(REDIS_URL)
    queue = Queue(QUEUE_NAME, connection=connection)
    queue.enqueue("math.sqrt", -1, job_id="tests-broken")
    SimpleWorker([queue], connection=connection).work(burst=True)
    app = create_app(make_settings(database_url, tmp_path, redis_url=REDIS_URL), overrides={"TESTING": True},
                     database=bound_db)
    client = app.test_client()
    center = factory.center("MSK")
    admin = factory.user(center, Role.ADMIN, email="admin@example.test")
    admin.locale = "en"
    session.flush()
    login(client, admin.email)
    html = client.get("/admin/jobs/").get_data(as_text=True)
    assert 'data-queue-job="tests-broken"' in html and "ValueError" in html
    assert 'data-count="queue-failed">1<' in html
    response = client.post("/admin/jobs/queue/tests-broken/retry", data={"csrf_token": csrf_token(html)})
    assert response.status_code == 302
    assert queue.fetch_job("tests-broken").get_status() == "queued"
    assert 'data-count="queue-failed">0<' in client.get("/admin/jobs/").get_data(as_text=True)
    bound_db.session_factory.kw.get("info", {}).pop("dispatcher", None)
    _clear_queue()
