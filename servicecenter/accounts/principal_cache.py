"""Who is logged in, remembered per process between requests, forgotten the moment it changes (issue 10).

Every web request needs its login session's principal (user, role, center, language). Reading it is
one query — a round trip and about a third of a scan lookup's time. A process keeps what it read,
keyed by the token's hash, and empties the whole cache whenever PostgreSQL says a principal may
have changed: triggers on users, user_sessions and service_centers NOTIFY `PRINCIPALS_CHANNEL` at
the commit of a logout, a revocation, a deactivation, a role, center, name or language change
(`servicecenter.db.notify_principals_on_change`). The process LISTENs on a connection of its own
and, before each lookup, takes in what has arrived on it — a non-blocking read of a socket, no round
trip. PostgreSQL sends the notice from the listening backend a moment after the COMMIT returns
(milliseconds, more under load; measured in CI): a request in that moment still gets the old
principal, as one already running when the change committed does; every request after the notice
arrives gets the new one.

When the listening connection is missing or broken the cache is bypassed (every request queries,
as without it) and emptied, so nothing missed while deaf is ever served; it reconnects on a later
request. Entries also expire after `ttl` seconds, a bound if all else failed. PostgreSQL only:
elsewhere (SQLite, the tests' rolled-back transactions, which never commit a NOTIFY) there is none.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg

from servicecenter.db import PRINCIPALS_CHANNEL

RETRY_SECONDS = 5.0


class PrincipalCache:
    """token hash → principal, valid until the next NOTIFY on PRINCIPALS_CHANNEL (or `ttl`)."""

    def __init__(self, conninfo: str, *, ttl: float = 60.0, max_entries: int = 10_000) -> None:
        self._conninfo = conninfo
        self._ttl = ttl
        self._max_entries = max_entries
        self._entries: dict[str, tuple[Any, float]] = {}
        self._generation = 0  # bumped whenever the cache is emptied
        self._listener: psycopg.Connection | None = None
        self._pid = os.getpid()
        self._retry_at = 0.0
        self._lock = threading.Lock()  # threaded workers share one cache per process

    def get(self, key: str, load: Callable[[], Any]) -> Any:
        """The principal for `key`, from memory while nothing changed, else `load()` (not kept when None,
        nor when a change arrived while it was being read)."""
        with self._lock:
            usable = self._listening()
            hit = self._entries.get(key) if usable else None
            if hit is not None and hit[1] > time.monotonic():
                return hit[0]
            generation = self._generation
        value = load()  # outside the lock: other threads' hits do not wait for this read
        if value is not None and usable:
            with self._lock:
                if self._listening() and self._generation == generation:
                    if len(self._entries) >= self._max_entries:
                        self._entries.clear()
                    self._entries[key] = (value, time.monotonic() + self._ttl)
        return value

    def close(self) -> None:
        """Drop the listener and every entry (a later lookup listens afresh)."""
        with self._lock:
            self._forget(retry_after=0.0)

    # -- the listening connection ------------------------------------------------------------------
    def _listening(self) -> bool:
        """Whether the cache may be used: the listener is up and every notification that has arrived
        on it has been applied (the lock is held)."""
        if self._pid != os.getpid():  # a forked worker: the parent's connection and entries are not its own
            self._listener, self._pid = None, os.getpid()
            self._clear()
        if self._listener is None:
            return self._connect()
        pgconn = self._listener.pgconn
        try:
            # Reads what the socket holds, never waits. Twice: a terminated backend's last message
            # and the close behind it arrive together, and libpq reports the close only on the read
            # after the one that returned data; from the termination on, notices may have been lost.
            pgconn.consume_input()
            pgconn.consume_input()
        except psycopg.Error:
            self._forget()
            return False
        changed = False
        while pgconn.notifies() is not None:
            changed = True
        if changed:
            self._clear()
        return True

    def _connect(self) -> bool:
        if time.monotonic() < self._retry_at:
            return False
        try:
            listener = psycopg.connect(self._conninfo, autocommit=True, connect_timeout=3)
            listener.execute(f"LISTEN {PRINCIPALS_CHANNEL}")
        except psycopg.Error:
            self._retry_at = time.monotonic() + RETRY_SECONDS
            return False
        self._listener = listener
        self._clear()  # whatever changed while nobody listened
        return True

    def _forget(self, retry_after: float | None = None) -> None:
        if self._listener is not None:
            with contextlib.suppress(psycopg.Error):
                self._listener.close()
        self._listener = None
        self._retry_at = time.monotonic() + (RETRY_SECONDS if retry_after is None else retry_after)
        self._clear()

    def _clear(self) -> None:
        self._entries.clear()
        self._generation += 1
