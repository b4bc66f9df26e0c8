"""Migrations are the schema: `upgrade head` on an empty database equals the models; `downgrade base` works."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

import servicecenter.models  # noqa: F401
from servicecenter.config import normalise_database_url
from servicecenter.db import Base, Database, make_engine, schema_objects_for
from servicecenter.deadlines.recompute import backfill
from servicecenter.migrate import downgrade, upgrade
from servicecenter.repairs.models import RepairOrder


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path: Path) -> Iterator[str]:  # noqa: ANN001
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith(("postgresql", "postgres")):
        pytest.skip("TEST_DATABASE_URL does not name a PostgreSQL server")
    base_url = make_url(normalise_database_url(base))
    name = f"{base_url.database}_migrations{os.getpid()}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield base_url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _differences(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False,
                                                           "include_object": schema_objects_for(conn.dialect.name)})
            return compare_metadata(ctx, Base.metadata)
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_head_gives_exactly_the_models_schema_and_downgrade_base_empties_it(empty_database: str) -> None:
    upgrade(empty_database)
    assert _tables(empty_database) == set(Base.metadata.tables) | {"alembic_version"}
    assert _differences(empty_database) == []
    downgrade(empty_database)
    assert _tables(empty_database) <= {"alembic_version"}
    upgrade(empty_database)  # and back up again: the chain is repeatable
    assert _differences(empty_database) == []


def _principal_triggers(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return set(conn.execute(text("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'tr_%_principals'")).scalars())
    finally:
        engine.dispose()


def test_the_principal_change_triggers_come_and_go_with_0018(empty_database: str) -> None:
    """The triggers the principal cache hears changes from (not compared by alembic): made by the
    migration as create_all makes them, gone after a downgrade past it."""
    if not empty_database.startswith("postgresql"):
        pytest.skip("PostgreSQL only, as the cache")
    upgrade(empty_database)
    expected = {"tr_users_principals", "tr_user_sessions_principals", "tr_service_centers_principals"}
    assert _principal_triggers(empty_database) == expected
    downgrade(empty_database, "0017")
    assert _principal_triggers(empty_database) == set()


def test_sqlite_runs_with_foreign_keys_and_wal(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def _fill_row(conn, table_name: str, given: dict) -> None:  # noqa: ANN001
    """Insert one row giving every NOT NULL column a plausible value (as the schema is at this revision)."""
    from datetime import UTC, datetime

    from sqlalchemy import JSON, Boolean, DateTime, Integer, MetaData, Numeric, Table, insert

    table = Table(table_name, MetaData(), autoload_with=conn)
    row = dict(given)
    for col in table.columns:
        if col.name in row or col.nullable or col.primary_key and col.autoincrement:
            continue
        if isinstance(col.type, Boolean):
            row[col.name] = False
        elif isinstance(col.type, Integer):
            row[col.name] = 1
        elif isinstance(col.type, Numeric):
            row[col.name] = 0
        elif isinstance(col.type, DateTime):
            row[col.name] = datetime(2026, 1, 1, tzinfo=UTC).replace(tzinfo=None)
        elif isinstance(col.type, JSON):
            row[col.name] = []
        else:
            row[col.name] = "received" if col.name == "state" else f"{table_name[:3]}-{col.name}"[:8]
    conn.execute(insert(table).values(**row))


def test_every_migration_applies_to_a_database_that_has_data(empty_database: str) -> None:
    """A production database is never empty: each later migration must upgrade existing rows."""
    upgrade(empty_database, "0001")
    engine = make_engine(empty_database)
    with engine.begin() as conn:
        _fill_row(conn, "service_centers", {"id": 1, "code": "MSK", "kind": "own", "timezone": "Europe/Moscow"})
        _fill_row(conn, "customers", {"id": 1, "kind": "person"})
        _fill_row(conn, "repair_orders", {"id": 1, "number": "MSK-2026-000001", "center_id": 1,
                                          "intake_center_id": 1, "customer_id": 1, "order_type": "paid",
                                          "priority": "normal", "received_at": datetime(2026, 1, 1, 9)})
    engine.dispose()
    upgrade(empty_database)
    engine = make_engine(empty_database)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT number, payment_method, rating_comment, deadline_pause_reason, "
                                "deadline_paused_seconds, approval_required, due_at FROM repair_orders")).one()
        center = conn.execute(text("SELECT repair_warranty_days, label_profile, label_qr FROM service_centers")).one()
    engine.dispose()
    assert tuple(row) == ("MSK-2026-000001", "", "", "", 0, False, None)
    assert tuple(center) == (90, "58x40", "none")
    # The order from before the deadlines gets its due dates from `init-db` (the network's defaults
    # for a paid order: diagnosis in 3 days, repair in 20, counted from the day after intake).
    database = Database(empty_database)
    with database.unit_of_work() as session:
        assert backfill(session) == 1
    with database.unit_of_work() as session:
        order = session.get(RepairOrder, 1)
        assert (order.diagnosis_due.date(), order.repair_due.date()) == (date(2026, 1, 4), date(2026, 1, 21))
        assert order.due_at == order.diagnosis_due and order.legal_due is None
        assert backfill(session) == 0  # nothing left to do
    database.dispose()


def test_0011_gives_existing_orders_their_brand_model_and_the_order_they_repeat(empty_database: str) -> None:
    """A unit's orders from before 0011: each gets the unit's brand and model; one received 30 days
    after an earlier one became ready repeats it; one received 120 days after does not."""
    upgrade(empty_database, "0010")
    engine = make_engine(empty_database)
    with engine.begin() as conn:
        _fill_row(conn, "service_centers", {"id": 1, "code": "MSK", "kind": "own", "timezone": "Europe/Moscow"})
        _fill_row(conn, "customers", {"id": 1, "kind": "person"})
        _fill_row(conn, "manufacturers", {"id": 7, "name": "Acme"})
        _fill_row(conn, "product_models", {"id": 70, "manufacturer_id": 7, "name": "W1", "category": "Стиральные"})
        for unit in (1, 2):
            _fill_row(conn, "units", {"id": unit, "manufacturer_id": 7, "model_id": 70, "serial": f"SN{unit}"})
        for oid, unit, received, ready in ((1, 1, datetime(2026, 1, 1, 9), datetime(2026, 1, 5, 9)),
                                           (2, 1, datetime(2026, 2, 4, 9), datetime(2026, 2, 6, 9)),
                                           (3, 1, datetime(2026, 6, 6, 9), None),
                                           (4, 2, datetime(2026, 1, 10, 9), None)):
            _fill_row(conn, "repair_orders", {"id": oid, "number": f"MSK-2026-00000{oid}", "center_id": 1,
                                              "intake_center_id": 1, "customer_id": 1, "unit_id": unit,
                                              "order_type": "paid", "priority": "normal", "received_at": received,
                                              "ready_at": ready})
    engine.dispose()
    upgrade(empty_database)
    engine = make_engine(empty_database)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, manufacturer_id, model_id, repeat_of_id FROM repair_orders ORDER BY id"))
        assert [tuple(r) for r in rows] == [(1, 7, 70, None), (2, 7, 70, 1), (3, 7, 70, None), (4, 7, 70, None)]
    engine.dispose()
