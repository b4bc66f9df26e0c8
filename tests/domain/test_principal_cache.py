"""The per-process principal cache (PostgreSQL): a logged-in user is read once, and every change to
who they are — logout, revocation, deactivation, role, center, language, the center's time zone —
is seen as soon as PostgreSQL delivers the commit's NOTIFY (milliseconds), committed by another
process or not. No cache on SQLite."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import event, text

from servicecenter.accounts import principal_cache
from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.accounts.services import end_session, session_principal, start_session
from servicecenter.db import Database
from tests.factories import Factory


@pytest.fixture
def pg(committed_database: Database) -> Iterator[Database]:
    if committed_database.engine.dialect.name != "postgresql":
        pytest.skip("the cache listens for PostgreSQL's NOTIFY; SQLite reads the principal every time")
    assert committed_database.principals is not None
    committed_database.principals.close()  # a listener of this test's own, nothing cached from before
    yield committed_database
    committed_database.principals.close()


class Reads:
    """How many times the principal was read from the database."""

    def __init__(self, database: Database) -> None:
        self.count = 0
        event.listen(database.engine, "before_cursor_execute", self._seen)
        self._engine = database.engine

    def _seen(self, _conn, _cursor, statement: str, *_rest) -> None:  # noqa: ANN001
        if "FROM user_sessions JOIN users" in statement:
            self.count += 1

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._seen)


@pytest.fixture
def reads(pg: Database) -> Iterator[Reads]:
    counter = Reads(pg)
    yield counter
    counter.close()


def _login(database: Database, role: Role = Role.INTAKE) -> tuple[str, int, int]:
    with database.unit_of_work() as s:
        center = Factory(s).center("PCC")
        user = Factory(s).user(center, role)
        return start_session(s, user, "127.0.0.1"), user.id, center.id


def _principal(database: Database, token: str):  # noqa: ANN202
    """One request's lookup: its own session, as the web layer does it."""
    with database.reading_session() as s:
        return session_principal(s, token, database.principals)


def _after_the_notice(database: Database, token: str, seen: Callable, seconds: float = 5.0):  # noqa: ANN202
    """Requests after a commit until one shows the change. PostgreSQL sends a NOTIFY from the listening
    backend a moment after the COMMIT has returned (under load, milliseconds): until it is on the
    listener's socket, the cache still answers; the test fails if the change never shows (the
    cache's own expiry is 60 s)."""
    deadline = time.monotonic() + seconds
    while True:
        principal = _principal(database, token)
        if seen(principal) or time.monotonic() > deadline:
            return principal
        time.sleep(0.005)


def test_a_logged_in_user_is_read_once_and_their_logout_ends_it_once_its_notice_arrives(pg: Database,
                                                                                     reads: Reads) -> None:
    token, user_id, _center = _login(pg)
    first = _principal(pg, token)
    assert first is not None and first.user_id == user_id
    assert [_principal(pg, token) for _ in range(5)] == [first] * 5
    assert reads.count == 1  # four requests later, still the one read

    with pg.unit_of_work() as s:  # the logout, on another session as another worker would
        end_session(s, token)
    assert _after_the_notice(pg, token, lambda p: p is None) is None  # logged out, read afresh once
    assert reads.count == 2


@pytest.mark.parametrize(("change", "seen"), [
    ("UPDATE users SET active = false WHERE id = :user", lambda p: p is None),
    ("UPDATE users SET role = 'engineer' WHERE id = :user", lambda p: p.role == Role.ENGINEER),
    ("UPDATE users SET locale = 'en' WHERE id = :user", lambda p: p.locale == "en"),
    ("UPDATE users SET name = 'Новое Имя' WHERE id = :user", lambda p: p.name == "Новое Имя"),
    ("UPDATE service_centers SET timezone = 'Asia/Yekaterinburg' WHERE id = :center",
     lambda p: p.timezone == "Asia/Yekaterinburg"),
    ("UPDATE user_sessions SET revoked_at = now() WHERE user_id = :user", lambda p: p is None),
    ("DELETE FROM user_sessions WHERE user_id = :user", lambda p: p is None),
], ids=["deactivated", "role", "language", "name", "center-time-zone", "revoked", "session-deleted"])
def test_a_change_to_who_the_user_is_shows_once_its_notice_arrives(pg: Database, change: str, seen) -> None:  # noqa: ANN001
    token, user_id, center_id = _login(pg)
    assert _principal(pg, token) is not None and _principal(pg, token) is not None  # cached
    with pg.engine.begin() as conn:  # any writer: a service, an admin's SQL, another process
        conn.execute(text(change), {"user": user_id, "center": center_id})
    assert seen(_after_the_notice(pg, token, seen))


def test_a_change_rolled_back_or_elsewhere_keeps_the_cache(pg: Database, reads: Reads) -> None:
    token, user_id, _center = _login(pg)
    _principal(pg, token)
    with pg.engine.connect() as conn:
        conn.execute(text("UPDATE users SET active = false WHERE id = :user"), {"user": user_id})
        conn.rollback()
    with pg.unit_of_work() as s:  # a login session's last-seen time and an unrelated column of the user
        s.execute(text("UPDATE user_sessions SET last_seen_at = now()"))
        s.execute(text("UPDATE users SET phone = '+79990000000' WHERE id = :user"), {"user": user_id})
    assert _principal(pg, token).user_id == user_id
    assert reads.count == 1


def test_with_its_listener_gone_the_cache_is_bypassed_and_what_changed_meanwhile_is_not_served(
        pg: Database, reads: Reads, monkeypatch: pytest.MonkeyPatch) -> None:
    token, user_id, _center = _login(pg)
    _principal(pg, token)
    with pg.engine.begin() as conn:  # the listener's backend dies (a restart, an admin's kill)...
        killed = conn.execute(text("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                                   "WHERE query LIKE 'LISTEN sc_principals%'")).scalars().all()
    assert killed == [True]
    monkeypatch.setattr(principal_cache, "RETRY_SECONDS", 3600.0)
    with pg.engine.begin() as conn:  # ...and meanwhile the user is deactivated: no notice reaches anyone
        conn.execute(text("UPDATE users SET active = false WHERE id = :user"), {"user": user_id})
    assert _principal(pg, token) is None
    with pg.engine.begin() as conn:
        conn.execute(text("UPDATE users SET active = true WHERE id = :user"), {"user": user_id})
    before = reads.count
    assert [_principal(pg, token).user_id for _ in range(3)] == [user_id] * 3
    assert reads.count == before + 3  # deaf: every request reads

    monkeypatch.setattr(principal_cache, "RETRY_SECONDS", 0.0)
    pg.principals._retry_at = 0.0  # the retry is due: it listens again and caches again
    _principal(pg, token)
    _principal(pg, token)
    assert reads.count == before + 4
    with pg.unit_of_work() as s:
        s.get(User, user_id).role = Role.WAREHOUSE
    assert _after_the_notice(pg, token, lambda p: p.role == Role.WAREHOUSE).role == Role.WAREHOUSE


def test_an_unknown_token_is_never_remembered(pg: Database, reads: Reads) -> None:
    assert _principal(pg, "no-such-token") is None
    assert _principal(pg, "no-such-token") is None
    assert reads.count == 2


def test_the_triggers_exist_as_create_all_makes_them(pg: Database) -> None:
    with pg.engine.connect() as conn:
        triggers = set(conn.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars())
    assert {"tr_users_principals", "tr_user_sessions_principals", "tr_service_centers_principals"} <= triggers
