"""PostgreSQL failing under a load of scans and intakes (issue 11, faults).

The real app serves on loopback in threads; clients receive units over the JSON API (each with an
Idempotency-Key, retried with the same key until acknowledged) and look orders up by scan, while the
database fails under them: every app backend terminated several times a second, or the whole server
stopped and started again (once cleanly, once as a crash). What must hold: no answer is a 500, every
failure is a clean 503 that asks for a retry, every acknowledged intake is in the database once with
its history, nothing is half-written, and the app serves again without a restart.

`FAULT_SECONDS` sets how long each load runs (CI: the default 6 s; a longer soak: 60).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, func, select, text

from servicecenter.accounts.roles import Role
from servicecenter.accounts.tokens import create_token
from servicecenter.db import Database
from servicecenter.migrate import upgrade
from servicecenter.repairs.models import EventKind, RepairEvent, RepairOrder
from tests.factories import Factory
from tests.hardening.live import call, serve

SECONDS = float(os.environ.get("FAULT_SECONDS", "6"))
CLIENTS = 4
KILL_EVERY = 0.25


def _seed(database: Database) -> str:
    """A center taking one brand, and a counter clerk's API token."""
    with database.unit_of_work() as s:
        factory = Factory(s)
        center = factory.center("FLT")
        brand = factory.manufacturer("Атлант")
        factory.model(brand, name="СМА 60")
        center.brands.append(brand)
        return create_token(s, None, factory.user(center, Role.INTAKE), "fault test")[1]


@dataclass
class Load:
    """What the clients saw: every answer's status, and the order each acknowledged key got."""
    statuses: Counter[int] = field(default_factory=Counter)
    acknowledged: dict[str, str] = field(default_factory=dict)
    failures: list[BaseException] = field(default_factory=list)


def _load(base: str, token: str, seconds: float, disrupt: Callable[[threading.Event], None], *,
          outlast: bool = False) -> Load:
    """CLIENTS intake clients for `seconds` while `disrupt` runs in a thread of its own; with `outlast`,
    the clients also go on until `disrupt` has returned (its outages all happened under load, however long a
    busy machine takes to stop and start a server), and one more second after it."""
    load, lock = Load(), threading.Lock()
    deadline = time.monotonic() + seconds
    disrupted_at: list[float] = []

    def loading() -> bool:
        now = time.monotonic()
        if not outlast:
            return now < deadline
        return now < deadline or not disrupted_at or now < disrupted_at[0] + 1.0

    def client(index: int) -> None:
        n = 0
        while loading():
            n += 1
            key = f"fault-{index}-{n}"
            body = {"center": "FLT", "customer": {"name": f"Клиент {index}-{n}", "phone": f"+7916{index:03d}{n:04d}"},
                    "unit": {"manufacturer": "Атлант", "model": "СМА 60", "serial": f"FLT{index}N{n:05d}",
                             "purchase_date": "2026-01-10"},
                    "fault": "Не включается"}
            for _attempt in range(200):  # a client that retries until the server acknowledges
                status, answer = call(base, token, "POST", "/repair-orders", body, {"Idempotency-Key": key})
                with lock:
                    load.statuses[status] += 1
                if status == 201:
                    with lock:
                        load.acknowledged[key] = answer["number"]
                    scan, found = call(base, token, "GET", f"/scan/{answer['number']}")
                    with lock:
                        load.statuses[scan] += 1
                    assert scan in (200, 503), found
                    break
                assert status == 503 and answer["type"] == "urn:servicecenter:problem:unavailable", (status, answer)
                time.sleep(0.05)
            else:
                pytest.fail(f"intake {key} never acknowledged")

    def catching(index: int) -> None:
        try:
            client(index)
        except BaseException as exc:  # noqa: BLE001 - reported by the test thread
            load.failures.append(exc)

    stop = threading.Event()

    def disrupting(stop: threading.Event) -> None:
        try:
            disrupt(stop)
        finally:
            disrupted_at.append(time.monotonic())

    disruptor = threading.Thread(target=disrupting, args=(stop,), daemon=True)
    disruptor.start()
    clients = [threading.Thread(target=catching, args=(i,)) for i in range(CLIENTS)]
    for t in clients:
        t.start()
    for t in clients:
        t.join(timeout=seconds + 180)
    stop.set()
    disruptor.join(timeout=60)
    return load


def _check(load: Load, base: str, token: str, database: Database) -> None:
    assert not load.failures, load.failures[0]
    assert load.statuses[201] > 0
    assert set(load.statuses) <= {200, 201, 503}, load.statuses  # never a 500, never a half answer
    # the app serves again without a restart: a pooled connection killed in the last round, idle for less
    # than 5 s, may give the request that draws it the 503 of a lost connection (docs/architecture.md,
    # `_ping_when_idle`) — not necessarily the first request, which may draw a connection opened after the
    # last kill; that one failure replaces the whole pool, so every request after it is served
    scan = f"/scan/{next(iter(load.acknowledged.values()))}"
    answers = [call(base, token, "GET", scan)[0] for _ in range(10)]
    failed = [i for i, status in enumerate(answers) if status != 200]
    assert len(failed) <= 1 and all(answers[i] == 503 for i in failed), answers
    assert answers[-5:] == [200] * 5, answers
    with database.unit_of_work() as s:
        numbers = set(s.scalars(select(RepairOrder.number)))
        created = Counter(s.scalars(select(RepairOrder.number).join(RepairEvent, RepairEvent.order_id == RepairOrder.id)
                                    .where(RepairEvent.kind == EventKind.CREATED)))
        units = s.scalar(select(func.count(func.distinct(RepairOrder.unit_id))))
    # every acknowledged intake is there once; there is no order nobody was told about
    assert numbers == set(load.acknowledged.values())
    assert len(load.acknowledged) == len(numbers)
    # and each whole: its creation in the history, once, and a unit of its own
    assert all(created[n] == 1 for n in numbers), created
    assert units == len(numbers)


# --- connections killed ------------------------------------------------------------------------------

@pytest.fixture
def served(committed_database: Database, database_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    if committed_database.engine.dialect.name != "postgresql":
        pytest.skip("killing server connections is PostgreSQL's (SQLite has no server)")
    token = _seed(committed_database)
    with serve(committed_database, database_url, tmp_path) as base:
        yield base, token


def test_killed_connections_lose_nothing_and_duplicate_nothing(served: tuple[str, str],
                                                               committed_database: Database) -> None:
    base, token = served
    dsn = committed_database.engine.url.render_as_string(hide_password=False).replace("+psycopg", "")
    killed: list[int] = []

    def kill_backends(stop: threading.Event) -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            while not stop.is_set():
                rows = conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND backend_type = 'client backend'").fetchall()
                killed.append(sum(1 for (done,) in rows if done))
                time.sleep(KILL_EVERY)

    load = _load(base, token, SECONDS, kill_backends)
    print(f"\nkilled {sum(killed)} backends in {len(killed)} rounds; answers {dict(load.statuses)}; "
          f"{len(load.acknowledged)} intakes acknowledged")
    assert sum(killed) > 0
    _check(load, base, token, committed_database)


# --- the whole server restarted --------------------------------------------------------------------

class PrivatePostgres:
    """A PostgreSQL server of the test's own (initdb in a temporary folder, a free port): stopped and
    started by the test without touching the machine's server. Run as the `postgres` user when the
    test runs as root (PostgreSQL refuses root)."""

    def __init__(self, bindir: Path, root: Path) -> None:
        self.bindir, self.root = bindir, root
        self.data = root / "data"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/app"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_owner, *args], check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        if self.as_owner:
            shutil.chown(self.root, "postgres")
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()
        engine = create_engine(self.url.replace("/app", "/postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("CREATE DATABASE app"))
        engine.dispose()

    def start(self) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-w", "-l", str(self.root / "log"), "-o",
                  f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def stop(self, mode: str) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-w", "-m", mode, "stop")


@pytest.fixture
def private_postgres(database_url: str) -> Iterator[PrivatePostgres]:
    if not database_url.startswith("postgresql"):
        pytest.skip("the PostgreSQL stage restarts a server of its own (the SQLite stage has none to restart)")
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found or (os.geteuid() == 0 and shutil.which("runuser") is None):
        pytest.skip("PostgreSQL's server binaries (pg_ctl, initdb) are not installed")
    # a folder of its own under /tmp: pytest's are the test user's alone, and the server's user must enter
    root = Path(tempfile.mkdtemp(prefix="sc-pg-"))
    server = PrivatePostgres(Path(found[-1]).parent, root)
    try:
        server.init()
        yield server
    finally:
        subprocess.run([*server.as_owner, str(server.bindir / "pg_ctl"), "-D", str(server.data), "-m", "immediate",
                        "stop"], capture_output=True, check=False, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def test_a_restarted_server_loses_nothing_and_duplicates_nothing(private_postgres: PrivatePostgres,
                                                                tmp_path: Path) -> None:
    upgrade(private_postgres.url)  # built by the migrations, as in production
    database = Database(private_postgres.url)
    token = _seed(database)
    outages: list[str] = []

    def restart(stop: threading.Event) -> None:
        # a clean shutdown a third of the way in, a crash (no checkpoint: WAL recovery) a third after the
        # server is back; each time the server stays down a second, refusing every connection. The clients
        # outlast both (`outlast`), so a slow restart on a busy machine cannot squeeze the second one out
        for mode in ("fast", "immediate"):
            if stop.wait(SECONDS / 3):
                return
            private_postgres.stop(mode)
            time.sleep(1.0)
            private_postgres.start()
            outages.append(mode)

    with serve(database, private_postgres.url, tmp_path) as base:
        load = _load(base, token, SECONDS, restart, outlast=True)
        print(f"\nrestarted the server {len(outages)} times ({', '.join(outages)}); answers {dict(load.statuses)}; "
              f"{len(load.acknowledged)} intakes acknowledged")
        assert outages == ["fast", "immediate"]
        assert load.statuses[503] > 0  # the outages were felt, and answered cleanly
        _check(load, base, token, database)
    database.dispose()


# --- what is not an outage -------------------------------------------------------------------------

def test_a_broken_statement_is_our_500_not_an_outage(tmp_path: Path) -> None:
    """A statement the database refuses (here: a table that is not there) is a bug to see in the logs —
    our 500 page — never disguised as "the database did not answer, try again"; the answer names nothing
    of the statement."""
    from servicecenter.app import create_app
    from servicecenter.db import Base
    from tests.conftest import make_settings

    url = f"sqlite:///{tmp_path / 'broken.db'}"
    database = Database(url)
    Base.metadata.create_all(database.engine)
    with database.engine.begin() as conn:
        conn.execute(text("DROP TABLE knowledge_article_categories"))
        conn.execute(text("DROP TABLE knowledge_articles"))
    app = create_app(make_settings(url, tmp_path), database=database)  # not TESTING: errors are handled
    answer = app.test_client().get("/help/")
    assert answer.status_code == 500
    body = answer.get_data(as_text=True)
    assert "knowledge_articles" not in body and "sqlite" not in body.lower()
    database.dispose()
