"""What a request did to the database, and whether two requests did the same (issue 11, mass assignment).

A request runs inside a SAVEPOINT that is rolled back after it, so the same request can be sent to the
same world again: plainly twice, and once with fields a caller may not set. The database is read
before and after each (every row of every table) and the change kept as: rows inserted, columns
updated, rows deleted. Two plain runs show what varies by itself (a timestamp, an id a PostgreSQL
sequence does not give back, a random token); the third run must equal the first on everything else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from servicecenter.db import Base

Rows = dict[str, dict[tuple, tuple]]


def snapshot(connection: Any) -> Rows:
    """Every row of every table, by primary key."""
    found: Rows = {}
    for table in Base.metadata.sorted_tables:
        keys = [c.name for c in table.primary_key.columns]
        index = [list(table.c.keys()).index(k) for k in keys]
        found[table.name] = {tuple(row[i] for i in index): tuple(row)
                             for row in connection.execute(select(table)).all()}
    return found


@dataclass
class Change:
    """One table's change: inserted rows (in key order), updated columns by key, deleted keys."""
    inserted: list[dict[str, Any]] = field(default_factory=list)
    updated: dict[tuple, dict[str, Any]] = field(default_factory=dict)
    deleted: list[tuple] = field(default_factory=list)


def changes(before: Rows, after: Rows) -> dict[str, Change]:
    out: dict[str, Change] = {}
    for table in Base.metadata.sorted_tables:
        names = list(table.c.keys())
        old, new = before[table.name], after[table.name]
        if old == new:
            continue
        change = Change()
        for key in sorted(new.keys() - old.keys(), key=repr):
            change.inserted.append(dict(zip(names, new[key], strict=True)))
        for key in old.keys() & new.keys():
            if old[key] != new[key]:
                change.updated[key] = {n: b for n, a, b in zip(names, old[key], new[key], strict=True) if a != b}
        change.deleted = sorted(old.keys() - new.keys(), key=repr)
        out[table.name] = change
    return out


def flatten(value: Any, path: str = "") -> dict[str, Any]:
    """A JSON answer as path → leaf value."""
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(flatten(item, f"{path}.{key}" if path else str(key)))
        return flat or {path: {}}
    if isinstance(value, list):
        flat = {}
        for n, item in enumerate(value):
            flat.update(flatten(item, f"{path}[{n}]"))
        return flat or {path: []}
    return {path: value}


@dataclass
class Run:
    status: int
    answer: dict[str, Any]
    rows: dict[str, Change]


def _cells(run: Run) -> dict[tuple, Any]:
    """Every changed value and every answer leaf, addressed so that two runs line up."""
    cells: dict[tuple, Any] = {("status",): run.status}
    cells.update({("answer", path): value for path, value in run.answer.items()})
    for table, change in run.rows.items():
        for n, row in enumerate(change.inserted):
            cells.update({("insert", table, n, col): value for col, value in row.items()})
        for key, cols in change.updated.items():
            cells.update({("update", table, key, col): value for col, value in cols.items()})
        for key in change.deleted:
            cells[("delete", table, key)] = True
    return cells


def _vary(cell: tuple) -> tuple:
    """What a cell varies as: an inserted row's column whatever its position; an updated column of its table."""
    if cell[0] == "insert":
        return ("insert", cell[1], cell[3])
    if cell[0] == "update":
        return ("update", cell[1], cell[3])
    return cell


_MOMENT = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?")


def _now_ish(value: Any) -> bool:
    """A moment of today (as stored, or as an answer spells it): two runs a second apart differ in it by
    themselves, even when the two plain runs happened to fall within the same second."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return abs((moment - datetime.now(UTC)).total_seconds()) < 86400
    return isinstance(value, str) and _MOMENT.match(value) is not None and value[:4] != "2000"


def _time_passing(key: tuple, a: Any, c: Any) -> bool:
    """Two runs a moment apart: a moment computed from now (a due date days ahead) a few seconds apart,
    or a count of seconds (a deadline's paused time) that grew by a few."""
    if isinstance(a, datetime) and isinstance(c, datetime):
        return abs((a - c).total_seconds()) <= 5
    column = key[-1] if key and isinstance(key[-1], str) else ""
    return column.endswith("_seconds") and isinstance(a, int) and isinstance(c, int) and abs(a - c) <= 5


def differences(plain: Run, again: Run, other: Run, planted: Callable[[Any], bool]) -> list[str]:
    """Where `other` differs from `plain`, beyond what differs between `plain` and `again` by itself (and
    the moments of now, and what the seconds between the runs move); a varying cell still must not hold a
    planted value."""
    a, b, c = _cells(plain), _cells(again), _cells(other)
    varying = {_vary(k) for k in a.keys() | b.keys() if a.get(k, ...) != b.get(k, ...)}
    found = []
    for key in sorted(a.keys() | c.keys(), key=repr):
        if a.get(key, ...) == c.get(key, ...):
            continue
        if key in a and key in c and (_vary(key) in varying or (_now_ish(a[key]) and _now_ish(c[key]))
                                      or _time_passing(key, a[key], c[key])):
            if planted(c[key]) and not planted(a[key]):
                found.append(f"{key}: {a[key]!r} → planted {c[key]!r}")
            continue
        found.append(f"{key}: {a.get(key, '(none)')!r} → {c.get(key, '(none)')!r}")
    return found


def is_planted_value(values: set[str]) -> Callable[[Any], bool]:
    """A predicate: the value is one of these (as text), or a moment of the year 2000."""
    def planted(value: Any) -> bool:
        if isinstance(value, datetime | date):
            return value.year == 2000
        return value is not None and not isinstance(value, bool) and str(value) in values
    return planted


@contextmanager
def rolled_back(connection: Any) -> Iterator[None]:
    """A SAVEPOINT undone at the end, whatever happened inside."""
    savepoint = connection.begin_nested()
    try:
        yield
    finally:
        if savepoint.is_active:
            savepoint.rollback()
