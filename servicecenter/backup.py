"""Backups taken while the app runs, and the checks a restored copy must pass before it is trusted.

SQLite: the online backup API copies the file page by page into a consistent snapshot while the
app goes on writing. PostgreSQL: `pg_dump` in its custom format reads everything inside one
snapshot (repeatable read), so a dump under write load is consistent; `pg_restore` brings it back.

`check_database` is what an operator runs on the restored copy: the schema is at the newest
migration, every foreign key points at a row, every order has its creation in the history and its
unit, and the stock journal agrees with the cached levels.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import and_, exists, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from servicecenter.db import Database


class BackupError(Exception):
    """The backup could not be taken (no pg_dump, a path that cannot be written…)."""


def _libpq_url(url: str) -> str:
    """The SQLAlchemy URL as libpq understands it (no +driver)."""
    parsed = make_url(url)
    return parsed.set(drivername=parsed.get_backend_name()).render_as_string(hide_password=False)


def backup(database_url: str, target: Path) -> str:
    """Write a consistent copy of the database to `target`; returns how it was taken."""
    url = make_url(database_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        source_path = url.database
        if not source_path or source_path == ":memory:":
            raise BackupError("An in-memory SQLite database has nothing to back up")
        if target.exists():
            raise BackupError(f"{target} exists already; choose a new file")
        source = sqlite3.connect(source_path, timeout=30)
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy, pages=1024)  # page by page: writers wait milliseconds, not the whole copy
        finally:
            copy.close()
            source.close()
        return "sqlite online backup"
    if url.get_backend_name() == "postgresql":
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise BackupError("pg_dump is not installed (Debian: postgresql-client)")
        done = subprocess.run([pg_dump, "--format=custom", "--no-owner", "--file", str(target),  # noqa: S603
                               "--dbname", _libpq_url(database_url)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
        return "pg_dump --format=custom"
    raise BackupError(f"No backup method for {url.get_backend_name()}")


@dataclass(frozen=True)
class Finding:
    check: str
    detail: str

    def describe(self) -> str:
        return f"{self.check}: {self.detail}"


def _foreign_keys(session: Session) -> list[Finding]:
    """Every foreign key value points at an existing row (a restore without constraint checks, or a
    copy of a damaged file, would show here). The keys are the models' own, queried through Core."""
    from servicecenter.db import Base

    found = []
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_key_constraints:
            parent = fk.referred_table.alias("parent")
            columns = list(fk.columns)
            joined = and_(*(parent.c[el.column.name] == el.parent for el in fk.elements))
            orphans = session.scalar(select(func.count()).select_from(table).where(
                *(c.is_not(None) for c in columns), ~exists().where(joined)))
            if orphans:
                names = ", ".join(c.name for c in columns)
                found.append(Finding("foreign key", f"{orphans} row(s) of {table.name}({names}) point at no "
                                                    f"{fk.referred_table.name} row"))
    return found


def _orders(session: Session) -> list[Finding]:
    from servicecenter.repairs.models import EventKind, RepairEvent, RepairOrder

    found = []
    created = select(RepairEvent.order_id).where(RepairEvent.kind == EventKind.CREATED).scalar_subquery()
    missing = session.scalar(select(func.count()).select_from(RepairOrder).where(RepairOrder.id.not_in(created)))
    if missing:
        found.append(Finding("history", f"{missing} order(s) without their creation in the history"))
    return found


def check_database(database: Database) -> tuple[list[Finding], dict[str, int]]:
    """What is wrong with this database (nothing, for a good backup) and what it holds."""
    from servicecenter.migrate import current_revision, head_revision
    from servicecenter.repairs.models import RepairEvent, RepairOrder
    from servicecenter.stock.journal import check_stock

    findings: list[Finding] = []
    current, head = current_revision(database.engine), head_revision()
    if current != head:
        findings.append(Finding("schema", f"at migration {current}, the code expects {head}"))
    with database.unit_of_work() as session:
        if database.engine.dialect.name == "sqlite":
            verdict = session.scalar(text("PRAGMA integrity_check"))
            if verdict != "ok":
                findings.append(Finding("integrity", str(verdict)))
        findings += _foreign_keys(session)
        findings += _orders(session)
        findings += [Finding("stock", d.describe()) for d in check_stock(session)]
        counts = {"orders": session.scalar(select(func.count()).select_from(RepairOrder)) or 0,
                  "history events": session.scalar(select(func.count()).select_from(RepairEvent)) or 0}
    return findings, counts
