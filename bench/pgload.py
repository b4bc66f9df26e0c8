"""PostgreSQL plumbing for the generator: the database, COPY streams, constraints off and on.

Bulk-loading practice (PostgreSQL manual, "Populating a Database"): load into tables without
indexes and foreign keys, then build them once. The migration's exact constraint and index
definitions are read from the catalog before they are dropped and put back verbatim after
the load, so the schema the benchmark runs on is the production one (checked at the end).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/servicecenter_bench"
KEEP_TABLES = ("alembic_version",)
NULL = "\\N"  # COPY's text format for NULL


def sqlalchemy_url(url: str) -> str:
    """The URL SQLAlchemy and Alembic use (psycopg 3 driver)."""
    return make_url(url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def libpq_url(url: str, database: str | None = None) -> str:
    """The URL psycopg.connect() takes, optionally naming another database on the same server."""
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def database_name(url: str) -> str:
    return make_url(url).database or ""


def ensure_database(url: str, reset: bool = False) -> bool:
    """Create the database when missing; with `reset`, drop it first. Returns True if created."""
    name = database_name(url)
    with psycopg.connect(libpq_url(url, "postgres"), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and reset:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
            return True
    return False


def drop_database(url: str) -> None:
    name = database_name(url)
    with psycopg.connect(libpq_url(url, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def schema_revision(url: str) -> str | None:
    with psycopg.connect(libpq_url(url)) as conn:
        if not conn.execute("SELECT to_regclass('alembic_version')").fetchone()[0]:
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None


def upgrade_to_head(url: str) -> tuple[str | None, str | None]:
    """Apply migrations added since the data was generated (as a deploy would); (before, after).

    A migration that cannot run on a database full of rows stops the run with the reason.
    """
    from sqlalchemy.exc import DBAPIError

    from servicecenter.migrate import upgrade

    before = schema_revision(url)
    try:
        upgrade(sqlalchemy_url(url))
    except DBAPIError as exc:
        raise SystemExit(f"The bench database ({before}) cannot be upgraded to the code's migration head: "
                         f"{str(exc.orig).strip()}\n[{exc.statement}]\nA migration that fails on existing rows "
                         "would fail in production too; or regenerate: python -m bench.generate --reset") from exc
    return before, schema_revision(url)


def has_rows(conn: psycopg.Connection, table: str) -> bool:
    exists = conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0]
    return bool(exists) and conn.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0]


def set_metadata(conn: psycopg.Connection, name: str, data: dict[str, Any]) -> None:
    """Keep what generated the data on the database itself (a comment: no schema change)."""
    text = json.dumps({"servicecenter_bench": data}, ensure_ascii=False).replace("'", "''")
    conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{text}'")


def get_metadata(conn: psycopg.Connection) -> dict[str, Any]:
    row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                       "WHERE datname = current_database()").fetchone()
    try:
        return json.loads(row[0])["servicecenter_bench"] if row and row[0] else {}
    except (ValueError, KeyError, TypeError):
        return {}


def escape(value: str) -> str:
    """A value for COPY's text format (backslash, tab and newlines escaped)."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class Timestamps:
    """Epoch seconds to COPY text ('2025-03-01 09:15:00+00'), fast: days and times of day cached."""

    def __init__(self) -> None:
        self._tod = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+00" for s in range(86400)]
        self._days: dict[int, str] = {}

    def __call__(self, t: int) -> str:
        day, second = divmod(t, 86400)
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = time.strftime("%Y-%m-%d ", time.gmtime(day * 86400))
        return text + self._tod[second]

    def date(self, day: int) -> str:
        return time.strftime("%Y-%m-%d", time.gmtime(day * 86400))


class CopyStream:
    """One table loaded through COPY ... FROM STDIN on its own connection (rows as text lines).

    The table is truncated in the same transaction, so COPY can write the rows already
    frozen (FREEZE): the first reads after the load then set no hint bits.
    """

    BATCH = 4000

    def __init__(self, url: str, table: str, columns: Iterable[str]) -> None:
        self.table = table
        self.rows = 0
        self.started = time.perf_counter()
        self.conn = psycopg.connect(libpq_url(url))
        self.conn.execute("SET synchronous_commit = off")
        self.conn.execute(f"TRUNCATE {table}")
        extra = _model_defaults(self.conn, table, columns)
        self._suffix = "".join(f"\t{value}" for _, value in extra)
        columns = [*columns, *(name for name, _ in extra)]
        self._cursor = self.conn.cursor()
        self._cm = self._cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FREEZE)")
        self._copy = self._cm.__enter__()
        self._buf: list[str] = []

    def add(self, line: str) -> None:
        """One row: tab-separated values ending in a newline, NULL written as \\N."""
        self._buf.append(line[:-1] + self._suffix + "\n" if self._suffix else line)
        if len(self._buf) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if self._buf:
            self.rows += len(self._buf)
            self._copy.write("".join(self._buf))
            self._buf.clear()

    def close(self) -> float:
        """Finish the COPY and commit; returns the seconds since the stream was opened."""
        self.flush()
        self._cm.__exit__(None, None, None)
        self.conn.commit()
        self.conn.close()
        return time.perf_counter() - self.started


def _model_defaults(conn: psycopg.Connection, table: str, columns: Iterable[str]) -> list[tuple[str, str]]:
    """NOT NULL columns the generator does not write and the database has no default for.

    Columns added by later migrations get the model's own default (what the app would
    write), so the generator keeps working as the schema grows; anything else stops it.
    """
    import servicecenter.models  # noqa: F401
    from servicecenter.db import Base

    given = set(columns)
    rows = conn.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
                        "AND table_name = %s AND is_nullable = 'NO' AND column_default IS NULL", (table,))
    out = []
    for (name,) in rows:
        if name in given:
            continue
        model = Base.metadata.tables.get(table)
        default = model.c[name].default if model is not None and name in model.c else None
        if default is None or not default.is_scalar:
            raise RuntimeError(f"{table}.{name} is NOT NULL without a default; teach bench/ to fill it")
        value = default.arg
        out.append((name, ("t" if value else "f") if isinstance(value, bool) else escape(str(value))))
    return out


@dataclass
class SavedSchema:
    """Keys, unique constraints, indexes and foreign keys of the loaded tables, as the catalog has them."""

    keys: list[tuple[str, str, str]] = field(default_factory=list)  # table, name, definition
    indexes: list[tuple[str, str, str]] = field(default_factory=list)  # table, name, CREATE INDEX ...
    foreign_keys: list[tuple[str, str, str]] = field(default_factory=list)

    def signature(self) -> set[tuple[str, str, str]]:
        return set(self.keys) | set(self.indexes) | set(self.foreign_keys)


_KEEP = ", ".join(f"'{t}'" for t in KEEP_TABLES)
_CONSTRAINTS = f"""
SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
WHERE t.relnamespace = 'public'::regnamespace AND c.contype IN ('p', 'u', 'f')
  AND t.relname NOT IN ({_KEEP})
ORDER BY 1, 2"""
_INDEXES = f"""
SELECT t.relname, i.relname, pg_get_indexdef(x.indexrelid)
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
WHERE t.relnamespace = 'public'::regnamespace AND t.relname NOT IN ({_KEEP})
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
ORDER BY 1, 2"""


def read_schema(conn: psycopg.Connection) -> SavedSchema:
    saved = SavedSchema()
    for table, name, definition, kind in conn.execute(_CONSTRAINTS):
        (saved.foreign_keys if kind == "f" else saved.keys).append((table, name, definition))
    saved.indexes = [tuple(row) for row in conn.execute(_INDEXES)]
    return saved


def drop_constraints(url: str) -> SavedSchema:
    """Drop every foreign key, index, unique constraint and primary key (kept: CHECKs, NOT NULLs)."""
    with psycopg.connect(libpq_url(url)) as conn:
        saved = read_schema(conn)
        for table, name, _ in saved.foreign_keys:
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for _table, name, _ in saved.indexes:
            conn.execute(f'DROP INDEX "{name}"')
        for table, name, _ in saved.keys:
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    return saved


def restore_constraints(url: str, saved: SavedSchema, report: Callable[[str, float], None]) -> None:
    """Build keys, indexes and foreign keys again; report(table, seconds) per table; verify."""
    spent: dict[str, float] = {}
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        steps = ([(t, f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}') for t, n, d in saved.keys]
                 + [(t, d) for t, _n, d in saved.indexes]
                 + [(t, f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}') for t, n, d in saved.foreign_keys])
        for table, statement in steps:
            started = time.perf_counter()
            conn.execute(statement)
            spent[table] = spent.get(table, 0.0) + time.perf_counter() - started
        again = read_schema(conn)
    for table in sorted(spent, key=spent.get, reverse=True)[:8]:
        report(table, spent[table])
    if again.signature() != saved.signature():
        missing = saved.signature() - again.signature()
        raise RuntimeError(f"the schema was not restored exactly; missing: {sorted(missing)[:5]}")


def finish(url: str) -> None:
    """Sequences past the highest id (so the app's inserts work), then fresh statistics."""
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        serials = conn.execute("""
            SELECT c.relname, a.attname, pg_get_serial_sequence(c.relname, a.attname)
            FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0
              AND pg_get_serial_sequence(c.relname, a.attname) IS NOT NULL""").fetchall()
        for table, column, sequence in serials:
            conn.execute(f"SELECT setval('{sequence}', COALESCE((SELECT max({column}) FROM {table}), 0) + 1, false)")
        conn.execute("VACUUM (ANALYZE)")


def table_counts(url: str, tables: Iterable[str]) -> dict[str, int]:
    with psycopg.connect(libpq_url(url)) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
