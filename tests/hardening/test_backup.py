"""Backup under write load, restore, and the checks a restored copy must pass (issue 11).

A database built by the migrations (as in production) is served by the real app while API clients
receive units; meanwhile `servicecenter backup` copies it (SQLite's online backup; pg_dump on
PostgreSQL, restored with pg_restore into a fresh database). The copy must pass `check-db` (newest
schema, every foreign key, every order with its creation in the history, stock against its journal),
hold a consistent prefix of the load (every order with all of its events, none half-copied), and
serve: the app opens it and finds an order by scan.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from servicecenter.accounts.roles import Role
from servicecenter.accounts.tokens import create_token
from servicecenter.backup import check_database
from servicecenter.db import Database
from servicecenter.migrate import upgrade
from servicecenter.repairs.models import EventKind, RepairEvent, RepairOrder
from tests.factories import Factory
from tests.hardening.live import call, serve

ROOT = Path(__file__).resolve().parents[2]
LOAD_SECONDS = float(os.environ.get("BACKUP_LOAD_SECONDS", "4"))


@pytest.fixture
def fresh_url(database_url: str, tmp_path: Path) -> Iterator[tuple[str, Callable[[str], str]]]:
    """A URL for a new, empty database beside the test database, and a maker of more (dropped after)."""
    made: list[str] = []
    base = make_url(database_url)

    def new(name: str) -> str:
        if base.get_backend_name() == "sqlite":
            return f"sqlite:///{tmp_path / (name + '.db')}"
        db_name = f"{base.database}_{name}"
        with create_engine(base, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{db_name}"'))
        made.append(db_name)
        return base.set(database=db_name).render_as_string(hide_password=False)

    yield new("live"), new
    if made:
        engine = create_engine(base, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            for db_name in made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        engine.dispose()


def _restore(dump: Path, url: str) -> None:
    """pg_restore into an empty database, stopping at the first error."""
    plain = make_url(url)
    target = plain.set(drivername="postgresql").render_as_string(hide_password=False)
    done = subprocess.run([shutil.which("pg_restore") or "pg_restore", "--no-owner", "--exit-on-error",
                           "--dbname", target, str(dump)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_a_backup_taken_under_write_load_restores_whole(fresh_url, tmp_path: Path) -> None:  # noqa: ANN001
    live_url, new_database = fresh_url
    postgres = live_url.startswith("postgresql")
    if postgres and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump / pg_restore are not installed")
    upgrade(live_url)
    live = Database(live_url)
    with live.unit_of_work() as s:
        f = Factory(s)
        center = f.center("BKP")
        brand = f.manufacturer("Атлант")
        f.model(brand, name="СМА 60")
        center.brands.append(brand)
        token = create_token(s, None, f.user(center, Role.INTAKE), "backup test")[1]

    acknowledged: list[str] = []
    stop = threading.Event()

    def receive(base: str) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            status, body = call(base, token, "POST", "/repair-orders", {
                "center": "BKP", "customer": {"name": f"Клиент {n}", "phone": f"+7916888{n:04d}"},
                "unit": {"manufacturer": "Атлант", "model": "СМА 60", "serial": f"BKP{n:06d}"},
                "fault": "Течёт", "warranty": {"covered": False, "reason": "Нет чека"}})
            assert status == 201, body
            acknowledged.append(body["number"])

    dump = tmp_path / ("live.dump" if postgres else "copy.db")
    with serve(live, live_url, tmp_path) as base:
        writer = threading.Thread(target=receive, args=(base,), daemon=True)
        writer.start()
        time.sleep(LOAD_SECONDS / 2)
        before = len(acknowledged)
        env = {**os.environ, "DATABASE_URL": live_url, "SECRET_KEY": "test-secret-key-0123456789",
               "SERVICECENTER_INSTANCE": str(tmp_path / "instance")}
        taken = subprocess.run([sys.executable, "-m", "servicecenter", "backup", str(dump)], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=300, check=False)
        after = len(acknowledged)
        time.sleep(LOAD_SECONDS / 2)
        stop.set()
        writer.join(timeout=60)
    assert taken.returncode == 0, taken.stderr
    assert before > 0 and len(acknowledged) > after  # the copy was taken while intakes went on

    copy_url = new_database("restored") if postgres else f"sqlite:///{dump}"
    if postgres:
        _restore(dump, copy_url)
    copy = Database(copy_url)
    findings, counts = check_database(copy)
    assert findings == []
    with copy.unit_of_work() as s:
        numbers = list(s.scalars(select(RepairOrder.number).order_by(RepairOrder.id)))
        events = dict(s.execute(select(RepairOrder.number, func.count(RepairEvent.id))
                                .join(RepairEvent, RepairEvent.order_id == RepairOrder.id)
                                .group_by(RepairOrder.number)).all())
    with live.unit_of_work() as s:
        live_events = dict(s.execute(select(RepairOrder.number, func.count(RepairEvent.id))
                                     .join(RepairEvent, RepairEvent.order_id == RepairOrder.id)
                                     .where(RepairOrder.number.in_(numbers))
                                     .group_by(RepairOrder.number)).all())
    # a consistent snapshot: every order acknowledged before the copy began is in it, it is a prefix of
    # what was acknowledged, and each order it holds has all of its events (none half-copied)
    print(f'\nbackup: {before} acknowledged before, {len(numbers)} in the copy, {after} when it ended, {len(acknowledged)} in all')
    assert before <= len(numbers) <= after + 1
    assert numbers == acknowledged[:len(numbers)]
    assert events == live_events and counts["orders"] == len(numbers)
    with copy.unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(RepairEvent)
                        .where(RepairEvent.kind == EventKind.CREATED)) == len(numbers)
    # and the restored copy serves
    with serve(copy, copy_url, tmp_path / "restored") as base:
        status, found = call(base, token, "GET", f"/scan/{numbers[-1]}")
    assert status == 200 and found["ref"] == numbers[-1]
    live.dispose()
    copy.dispose()
