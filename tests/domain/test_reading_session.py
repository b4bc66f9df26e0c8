"""Sessions of GET requests (issue 10): on PostgreSQL their reads skip BEGIN/COMMIT, but a write or a
lock still runs in one transaction that the request's single commit ends, and pooled connections
are pinged only after sitting idle. Real PostgreSQL, committed rows in a scratch table of this test."""

from __future__ import annotations

import time
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

import servicecenter.db as dbmodule
from servicecenter.db import Database

IDLE, INTRANS = psycopg.pq.TransactionStatus.IDLE, psycopg.pq.TransactionStatus.INTRANS


@pytest.fixture
def pg(database_url: str) -> Iterator[Database]:
    if not database_url.startswith("postgresql"):
        pytest.skip("reading sessions differ from plain ones on PostgreSQL only")
    database = Database(database_url)
    with database.engine.begin() as conn:
        conn.execute(text("CREATE TABLE reading_probe (id int PRIMARY KEY, n int NOT NULL)"))
        conn.execute(text("INSERT INTO reading_probe VALUES (1, 0)"))
    yield database  # a scratch table, reading_probe, in this run's own database
    with database.engine.begin() as conn:
        conn.execute(text("DROP TABLE reading_probe"))
    database.dispose()


def _n(database: Database) -> int:
    with database.engine.connect() as conn:
        return conn.execute(text("SELECT n FROM reading_probe WHERE id = 1")).scalar_one()


def _terminate(database: Database, pid: int) -> None:
    """Kill a backend from outside the pool (as an administrator or a restart would)."""
    url = database.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (pid,))


def _status(session) -> psycopg.pq.TransactionStatus:  # noqa: ANN001
    return session.connection().connection.dbapi_connection.info.transaction_status


def test_reads_run_without_a_transaction(pg: Database) -> None:
    database = pg
    session = database.reading_session()
    assert session.execute(text("SELECT n FROM reading_probe")).scalar_one() == 0
    assert _status(session) == IDLE  # no BEGIN went out, none will need a COMMIT
    session.commit()
    session.close()
    plain = database.session()
    plain.execute(text("SELECT n FROM reading_probe"))
    assert _status(plain) == INTRANS  # a POST's session is one transaction from its first statement
    plain.close()


def test_a_write_after_reads_is_one_transaction(pg: Database) -> None:
    database = pg
    session = database.reading_session()
    session.execute(text("SELECT n FROM reading_probe"))
    session.execute(text("UPDATE reading_probe SET n = 1 WHERE id = 1"))
    assert _status(session) == INTRANS
    session.execute(text("UPDATE reading_probe SET n = 2 WHERE id = 1"))
    assert _n(database) == 0  # nothing visible before the commit
    session.rollback()  # the request failed after both writes: neither stays
    session.close()
    assert _n(database) == 0

    session = database.reading_session()
    session.execute(text("UPDATE reading_probe SET n = 3 WHERE id = 1"))
    session.commit()
    session.close()
    assert _n(database) == 3


@pytest.mark.parametrize("lock", ["SELECT n FROM reading_probe WHERE id = 1 FOR UPDATE",
                                  "SELECT n FROM reading_probe WHERE id = 1 FOR KEY SHARE",
                                  "SELECT pg_advisory_xact_lock(4242)"])
def test_a_lock_is_held_to_the_commit(pg: Database, lock: str) -> None:
    database = pg
    session = database.reading_session()
    try:
        session.execute(text(lock))
        assert _status(session) == INTRANS  # the lock lives in a transaction, not just for one statement
        with database.engine.connect() as other:
            other.execute(text("SET lock_timeout = '100ms'"))
            with pytest.raises(DBAPIError, match="lock timeout"):
                if "advisory" in lock:
                    other.execute(text("SELECT pg_advisory_xact_lock(4242)"))
                else:  # a delete conflicts with every row lock
                    other.execute(text("DELETE FROM reading_probe WHERE id = 1"))
    finally:
        session.close()
    assert _n(database) == 0


def test_settings_for_the_transaction_take_effect(pg: Database) -> None:
    """Reports say SET LOCAL work_mem in a GET: it must land inside a transaction, not vanish."""
    database = pg
    session = database.reading_session()
    session.execute(text("SET LOCAL work_mem = '77MB'"))
    assert session.execute(text("SHOW work_mem")).scalar_one() == "77MB"
    session.close()


def test_an_idle_dead_connection_is_replaced_unseen(pg: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    database = pg
    monkeypatch.setattr(dbmodule, "IDLE_PING_SECONDS", 0.2)
    with database.engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    _terminate(database, pid)
    time.sleep(0.3)
    for _ in range(3):  # every pooled connection that sat idle is pinged; the dead one is replaced
        session = database.reading_session()
        assert session.execute(text("SELECT n FROM reading_probe")).scalar_one() == 0
        session.close()


def test_a_busy_dead_connection_fails_once_then_the_pool_recovers(pg: Database) -> None:
    """Used a moment ago, a connection is not pinged: the request that finds it dead gets the lost-connection
    error (the web layer's 503), and the pool starts afresh for the next one."""
    database = pg
    with database.engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    _terminate(database, pid)  # back in the pool a moment ago: it will not be pinged
    time.sleep(0.1)
    failures = 0
    for _ in range(3):
        session = database.reading_session()
        try:
            assert session.execute(text("SELECT n FROM reading_probe")).scalar_one() == 0
        except DBAPIError as exc:
            assert exc.connection_invalidated
            failures += 1
        finally:
            session.close()
    assert failures == 1
