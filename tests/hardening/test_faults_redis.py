"""Redis stopped while orders, PDFs and webhook deliveries are processed (issue 11, faults).

A Redis server of the test's own (on a free port, keeping nothing on disk, like production's) is
killed after some jobs were queued in it and while users go on working: intakes and state changes
over the API and a bulk work-order PDF. Every user action must still commit; once Redis is back
(empty: what was queued in it is gone) the relay hands every unfinished job on again and a real
worker runs them: each webhook event reaches the receiver exactly once, the PDF is rendered once,
no job is left behind — and running the relay and the worker again adds nothing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import func, select

from servicecenter.accounts.roles import Role
from servicecenter.app import create_app
from servicecenter.clock import utcnow
from servicecenter.db import Database
from servicecenter.filejobs.models import FileJob, FileJobState
from servicecenter.filejobs.services import request_work_orders
from servicecenter.jobs.models import OutboxJob, OutboxState
from servicecenter.jobs.relay import relay_now
from servicecenter.repairs.models import RepairOrder
from servicecenter.webhooks import services as webhooks
from tests.conftest import make_settings
from tests.factories import Factory, bearer
from tests.webhook_receiver import running_receiver

ROOT = Path(__file__).resolve().parents[2]


class PrivateRedis:
    """redis-server on a port of its own: stopped and started by the test, nothing kept on disk."""

    def __init__(self, binary: str, workdir: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.binary, self.workdir, self.proc = binary, workdir, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen([self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", str(self.workdir)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(RedisError):  # refused while it starts
                if Redis.from_url(self.url, socket_timeout=1).ping():
                    return
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    binary = shutil.which("redis-server") or ("/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server")
                                              else None)
    if binary is None:
        pytest.skip("redis-server is not installed")
    server = PrivateRedis(binary, tmp_path)
    server.start()
    yield server
    if server.proc is not None and server.proc.poll() is None:
        server.kill()


def _worker(db: Database, redis_url: str, instance: Path) -> str:
    env = {**os.environ, "DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
           "REDIS_URL": redis_url, "SERVICECENTER_INSTANCE": str(instance), "SECRET_KEY": "test-secret-key-0123456789",
           "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "servicecenter", "worker", "--burst"], cwd=ROOT, env=env,
                          capture_output=True, timeout=300, check=False)
    output = (done.stdout + done.stderr).decode(errors="replace")
    assert done.returncode == 0, output
    return output


def test_redis_killed_mid_work_loses_and_duplicates_nothing(committed_database: Database, database_url: str,
                                                           private_redis: PrivateRedis, tmp_path: Path) -> None:
    db = committed_database
    settings = make_settings(database_url, tmp_path, redis_url=private_redis.url)
    app = create_app(settings, overrides={"TESTING": True}, database=db)
    with running_receiver() as receiver:
        with db.unit_of_work() as s:
            f = Factory(s)
            center = f.center("RDS")
            brand = f.manufacturer("Атлант")
            f.model(brand, name="СМА 60")
            center.brands.append(brand)
            admin = f.user(center, Role.ADMIN)
            subscription = webhooks.create_subscription(s, admin, name="Vendor", url=receiver.url, on_created=True,
                                                        on_state_changed=True)
            receiver.secret, email, admin_id = subscription.secret, admin.email, admin.id
        client = app.test_client()
        bearer(client, email)

        def intake(n: int) -> str:
            answer = client.post("/api/v1/repair-orders", json={
                "center": "RDS", "customer": {"name": f"Клиент {n}", "phone": f"+7916555{n:04d}"},
                "unit": {"manufacturer": "Атлант", "model": "СМА 60", "serial": f"RDS{n:05d}",
                         "purchase_date": "2026-01-10"}, "fault": "Не греет"})
            assert answer.status_code == 201, answer.get_json()
            return answer.get_json()["number"]

        before = [intake(n) for n in range(3)]  # queued in Redis, which will forget them
        assert receiver.requests == []
        private_redis.kill()

        # Redis is down: every user action still commits, and answers at once
        started = time.monotonic()
        during = [intake(n) for n in range(3, 6)]
        for number in during[:2]:
            moved = client.post(f"/api/v1/repair-orders/{number}/transitions", json={"to": "diagnosis"})
            assert moved.status_code == 200, moved.get_json()
        with db.unit_of_work() as s:
            orders = list(s.scalars(select(RepairOrder).where(RepairOrder.number.in_(before + during))))
            file_job_id = request_work_orders(s, s.get(type(admin), admin_id), orders, "rds.pdf").id
        assert time.monotonic() - started < 30
        with db.unit_of_work() as s:
            assert s.scalar(select(func.count()).select_from(OutboxJob)
                            .where(OutboxJob.state == OutboxState.PENDING)) > 0

        private_redis.start()  # back, and empty
        # the relay hands on what was never queued and what Redis forgot (as it will once those are stale)
        relayed = relay_now(db, now=utcnow() + timedelta(minutes=15))
        _worker(db, private_redis.url, tmp_path / "instance")

        with db.unit_of_work() as s:
            states = Counter(s.scalars(select(OutboxJob.state)))
            job = s.get(FileJob, file_job_id)
            rendered = (job.state, [p for p in (tmp_path / "instance").rglob(job.stored_name) if p.is_file()])
        assert states == {OutboxState.DONE: sum(states.values())}, states
        assert relayed == sum(states.values())  # every one had to be relayed: none ran while Redis was down
        assert rendered[0] == FileJobState.DONE and len(rendered[1]) == 1

        events = Counter((r.headers["X-Servicecenter-Event"], r.payload["order"]["number"])
                         for r in receiver.accepted())
        expected = Counter({("order.created", n): 1 for n in before + during})
        expected.update({("order.state_changed", n): 1 for n in during[:2]})
        assert events == expected  # each event once: 0 lost, 0 duplicated

        # nothing more to do: another relay and worker run change nothing
        assert relay_now(db, now=utcnow() + timedelta(hours=1)) == 0
        _worker(db, private_redis.url, tmp_path / "instance")
        assert len(receiver.accepted()) == sum(expected.values())
