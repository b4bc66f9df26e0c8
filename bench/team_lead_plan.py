"""EXPLAIN the team lead's queue on PostgreSQL at 50,000 open orders in one center.

Builds a throwaway database (schema from the models), fills one center with 50,000 open orders
and 262,500 finished ones (plus a second center), ANALYZEs, and prints EXPLAIN (ANALYZE, BUFFERS)
for the default queue, a few filters, the pager's capped count and the deadline board:

    .venv/bin/python -m bench.team_lead_plan [postgresql://postgres@127.0.0.1:5432/team_lead_plan] [--reuse]

(--reuse: explain again on the database built by an earlier run.)

The plans seen when it was written are in docs/team-lead-queue.md.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url

import servicecenter.models  # noqa: F401  (every table)
from servicecenter.db import Base
from servicecenter.paging import COUNT_LIMIT
from servicecenter.repairs.figures import Period, period_start
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.queue import Deadline, Payment, QueueFilter, Sort, board_statement, queue_statement
from servicecenter.repairs.states import OPEN_STATES
from servicecenter.repairs.team import BENCH_STATES

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/team_lead_plan"
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
TZ = "Europe/Moscow"

# Per table: the columns this script sets (SQL over generate_series(1, n) g); every other NOT NULL
# column gets its model's default (see _fill).
TABLES = [
    ("service_centers", 2, {"id": "g", "code": "'C' || g", "name": "'Center ' || g"}),
    ("users", 20, {"id": "g", "email": "'e' || g || '@x'", "name": "'Engineer ' || g", "password_hash": "'-'",
                   "role": "'engineer'", "center_id": "1"}),
    ("manufacturers", 10, {"id": "g", "name": "'Brand ' || g"}),
    ("product_models", 200, {"id": "g", "manufacturer_id": "1 + g % 10", "name": "'Model ' || g",
                             "category": "'Category ' || (g % 8)"}),
    ("customers", 1, {"id": "g", "name": "'Customer'", "phone": "'+70000000000'"}),
    ("units", 100000, {"id": "g", "manufacturer_id": "1 + (g % 200) % 10", "model_id": "1 + g % 200",
                       "serial": "'SN' || g"}),
    # Center 1: 312,500 orders, 1 in 6.25 open (50,000); center 2 the rest.
    ("repair_orders", 375000, {
        "id": "g", "number": "'N-' || g", "center_id": "CASE WHEN g <= 312500 THEN 1 ELSE 2 END",
        "intake_center_id": "1", "unit_id": "1 + g % 100000", "customer_id": "1",
        "state": "CASE WHEN g % 5 = 0 AND g % 25 <> 0 THEN (ARRAY['received','diagnosis','awaiting_approval',"
                 "'awaiting_parts','in_repair','ready_for_pickup'])[1 + (g / 5) % 6] ELSE 'issued' END",
        "priority": "(ARRAY['low','normal','normal','high','urgent'])[1 + g % 5]",
        "warranty_covered": "g % 3 = 0", "engineer_id": "CASE WHEN g % 7 = 0 THEN NULL ELSE 1 + g % 20 END",
        "created_at": "timestamptz '2026-03-10 09:00Z' - (g % 400) * interval '1 day'",
        "received_at": "timestamptz '2026-03-10 09:00Z' - (g % 400) * interval '1 day'",
        "ready_at": "CASE WHEN g % 5 = 0 AND g % 25 <> 0 THEN NULL ELSE "
                    "timestamptz '2026-03-10 09:00Z' - (g % 400) * interval '1 day' + interval '5 days' END"}),
]
# Open orders carry their stage's due date (none while ready or paused), at risk two days before.
DUE = """UPDATE repair_orders SET due_at = timestamptz '2026-03-10 09:00Z' + ((id % 41) - 10) * interval '1 day'
  + (id % 24) * interval '1 hour'
WHERE state NOT IN ('issued', 'cancelled', 'ready_for_pickup') AND id % 11 <> 0;
UPDATE repair_orders SET risk_at = due_at - interval '2 days' WHERE due_at IS NOT NULL"""


def _default_sql(column) -> str | None:  # noqa: ANN001
    default = column.default
    if default is None:
        return None
    if default.is_scalar:
        value = default.arg
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        return "'" + str(getattr(value, "value", value)).replace("'", "''") + "'"
    return "'[]'" if column.name in ("accessories",) else "now()"


def _fill(conn, table_name: str, n: int, exprs: dict[str, str]) -> None:  # noqa: ANN001
    table = Base.metadata.tables[table_name]
    cols = dict(exprs)
    for column in table.columns:
        if column.name not in cols and not column.nullable and column.server_default is None:
            sql = _default_sql(column)
            if sql is not None:
                cols[column.name] = sql
    names = ", ".join(cols)
    _run(conn, f"INSERT INTO {table_name} ({names}) SELECT {', '.join(cols.values())} "
               f"FROM generate_series(1, {n}) g")


def _run(conn, sql: str):  # noqa: ANN001, ANN202
    return conn.exec_driver_sql(sql.replace("%", "%%"))  # the driver reads % as a placeholder


def _sql(stmt) -> str:  # noqa: ANN001
    return str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def main(url: str, reuse: bool = False) -> None:
    base = make_url(url)
    if not reuse:
        _build(base)
    engine = create_engine(base)
    _explain_all(engine)
    engine.dispose()


def _build(base) -> None:  # noqa: ANN001
    """A fresh database with the schema and the rows (about two minutes)."""
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{base.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{base.database}"'))
    admin.dispose()
    engine = create_engine(base)
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        for table_name, n, exprs in TABLES:
            _fill(conn, table_name, n, exprs)
        for part in DUE.split(";\n"):
            _run(conn, part)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()


def _explain_all(engine) -> None:  # noqa: ANN001
    cases = {
        "default queue (open, due date, nulls last), page 1": QueueFilter(),
        "page 200 of the default queue": None,
        "overdue": QueueFilter(deadline=Deadline.OVERDUE),
        "unassigned": QueueFilter(unassigned=True),
        "brand 1 (a brand with open orders)": QueueFilter(manufacturer_id=1),
        "brand 3 (no open orders at all: the worst case)": QueueFilter(manufacturer_id=3),
        "category 'Category 2', warranty": QueueFilter(category="Category 2", payment=Payment.WARRANTY),
        "sort by priority": QueueFilter(sort=Sort.PRIORITY),
    }
    with engine.connect() as conn:
        opened = conn.execute(select(func.count()).select_from(text("repair_orders"))
                              .where(text("center_id = 1 AND state IN ('received','diagnosis','awaiting_approval',"
                                          "'awaiting_parts','in_repair','ready_for_pickup')"))).scalar()
        print(f"center 1: {opened} open orders; {len(OPEN_STATES)} open states\n")
        for title, flt in cases.items():
            stmt = queue_statement(1, flt or QueueFilter(), NOW, TZ)
            stmt = stmt.limit(50).offset(50 * 199 if flt is None else 0)
            _explain(conn, title, _sql(stmt))
        count = select(func.count()).select_from(
            queue_statement(1, QueueFilter(), NOW, TZ).order_by(None).limit(50 + COUNT_LIMIT + 1).subquery())
        _explain(conn, "the pager's capped count", _sql(count))
        _explain(conn, "the deadline board (one pass over the open orders)", _sql(board_statement(1, NOW, TZ)))
        bench = select(RepairOrder.engineer_id, func.count()).where(
            RepairOrder.center_id == 1, RepairOrder.state.in_(sorted(BENCH_STATES)),
            RepairOrder.engineer_id.in_(list(range(1, 21)))).group_by(RepairOrder.engineer_id)
        _explain(conn, "engineers' open orders (the assign picker's load)", _sql(bench))
        start = period_start(Period.MONTH, NOW, TZ)
        month = select(RepairOrder.engineer_id, func.count()).where(
            RepairOrder.center_id == 1, RepairOrder.ready_at.is_not(None), RepairOrder.ready_at >= start,
            RepairOrder.ready_at <= NOW).group_by(RepairOrder.engineer_id)
        _explain(conn, "figures: orders finished this month per engineer", _sql(month))


def _explain(conn, title: str, sql: str) -> None:  # noqa: ANN001
    rows = _run(conn, "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql).scalars().all()
    print(f"=== {title}\n" + "\n".join(rows) + "\n")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--reuse"]
    main(args[0] if args else DEFAULT_URL, reuse="--reuse" in sys.argv)
