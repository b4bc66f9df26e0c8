"""With Redis: the mail goes out from a real RQ worker process, and a worker killed in the middle of the
send leaves the job to be retried — the customer gets exactly one e-mail."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from servicecenter.clock import utcnow
from servicecenter.db import Database
from servicecenter.jobs.dispatch import Dispatcher
from servicecenter.notifications.models import Notification, NotificationState
from tests.factories import Factory
from tests.notifications.conftest import Inbox

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL not set (the embedded mode is covered in test_customer_mail.py)")
    from redis import Redis

    Redis.from_url(url).flushdb()  # our own database number: a clean queue
    return url


@pytest.fixture
def queued(committed_database: Database, redis_url: str) -> Iterator[Database]:
    """The committed database with a dispatcher that hands jobs to the real Redis."""
    Dispatcher(committed_database, redis_url=redis_url)
    yield committed_database
    committed_database.session_factory.kw.get("info", {}).pop("dispatcher", None)


def _worker(db: Database, redis_url: str, *args: str, stderr: int = subprocess.PIPE) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=db.engine.url.render_as_string(hide_password=False), REDIS_URL=redis_url)
    return subprocess.Popen([sys.executable, "-m", "servicecenter", "worker", *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=stderr)


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _receive(db: Database) -> str:
    with db.unit_of_work() as s:
        f = Factory(s)
        customer = f.customer()
        customer.email = "sidorov@example.test"
        return f.order(f.center(), customer=customer).number


def _notification(db: Database) -> Notification:
    with db.unit_of_work() as s:
        row = s.scalars(select(Notification)).one()
        s.expunge(row)
        return row


def test_a_worker_process_sends_the_mail(queued: Database, redis_url: str, inbox: Inbox) -> None:
    number = _receive(queued)
    assert inbox.messages == []  # on the queue, not sent by the web process
    worker = _worker(queued, redis_url, "--burst")
    _out, err = worker.communicate(timeout=180)
    assert worker.returncode == 0, err.decode()[-3000:]
    [mail] = inbox.wait_for(1)
    assert number in mail["Subject"]
    row = _notification(queued)
    assert (row.state, row.attempts) == (NotificationState.SENT, 1)


def test_a_worker_killed_mid_send_is_retried_and_one_mail_arrives(queued: Database, redis_url: str,
                                                                 inbox: Inbox) -> None:
    inbox.hold()  # the first attempt hangs inside the SMTP conversation
    number = _receive(queued)
    first = _worker(queued, redis_url, "--burst", stderr=subprocess.DEVNULL)  # not read: never let it block
    try:
        assert inbox.wait_held(timeout=180), "the worker never reached the mail server"
    finally:  # the worker and its work horse (RQ puts the horse in a session of its own)
        for pid in [*_children(first.pid), first.pid]:
            os.kill(pid, signal.SIGKILL)
        first.wait(timeout=30)
    inbox.release()  # the server refuses what the dead sender left half-said
    assert inbox.messages == []
    row = _notification(queued)
    assert (row.state, row.attempts) == (NotificationState.QUEUED, 0)  # the killed transaction left nothing

    # Later, the outbox relay finds the job RQ gave up on (its worker's heartbeat lapsed) and queues it again.
    from servicecenter.jobs.relay import relay_now

    assert relay_now(queued, now=utcnow() + timedelta(hours=1), stale_after=timedelta(0)) >= 1
    second = _worker(queued, redis_url, "--burst")
    _out, err = second.communicate(timeout=180)
    assert second.returncode == 0, err.decode()[-3000:]
    mails = inbox.wait_for(1)
    assert len(mails) == 1 and number in mails[0]["Subject"]
    row = _notification(queued)
    assert (row.state, row.attempts) == (NotificationState.SENT, 1)
