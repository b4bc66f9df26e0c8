"""The benchmark harness at --scale 0.001, so it never rots (issue 10). No timing is asserted.

Runs the generator into a fresh PostgreSQL database beside TEST_DATABASE_URL's, checks the
data is consistent with the app's rules, then runs every domain, HTTP and reference
operation a few times and checks each produced figures (or says it is not implemented yet).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

TEST_URL = os.environ.get("TEST_DATABASE_URL", "")
if not TEST_URL.startswith(("postgresql", "postgres:")):
    pytest.skip("the benchmark harness needs PostgreSQL: set TEST_DATABASE_URL=postgresql://...",
                allow_module_level=True)

import psycopg  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from bench import pgload  # noqa: E402
from bench.bare_app import app as bare_app  # noqa: E402
from bench.generate import generate  # noqa: E402
from bench.operations import REGISTRY  # noqa: E402
from bench.plan import plan_counts  # noqa: E402
from bench.run import run  # noqa: E402

SCALE = 0.001


@pytest.fixture(scope="module")
def bench_url() -> Iterator[str]:
    """A database of its own (<test db>_bench<pid>), generated once, dropped after."""
    from sqlalchemy.engine import make_url

    base = make_url(pgload.libpq_url(TEST_URL))
    url = pgload.libpq_url(TEST_URL, f"{base.database}_bench{os.getpid()}")
    generate(url, scale=SCALE, seed=11, reset=True, log=lambda _line: None)
    yield url
    pgload.drop_database(url)


def _rows(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def test_counts_match_the_scale(bench_url: str) -> None:
    plan = plan_counts(SCALE)
    got = pgload.table_counts(bench_url, ("service_centers", "users", "manufacturers", "product_models", "customers",
                                          "units", "repair_orders", "parts", "shipments", "repair_events",
                                          "stock_moves", "shipment_items"))
    assert got["service_centers"] == plan.centers
    assert got["users"] == plan.users
    assert got["manufacturers"] == plan.manufacturers
    assert got["product_models"] == plan.models
    assert got["customers"] == plan.customers
    assert got["units"] == plan.units
    assert got["repair_orders"] == plan.orders
    assert got["parts"] == plan.parts
    assert got["shipments"] == plan.shipments
    part_moves = _rows(bench_url, "SELECT count(*) FROM stock_moves WHERE unit_id IS NULL "
                                  "AND note <> 'Остаток на начало учёта'")[0][0]
    assert part_moves == plan.stock_moves
    # every unit received at a counter went into its warehouse; none is older than its first order
    assert got["stock_moves"] - part_moves >= _rows(bench_url, "SELECT count(*) FROM repair_orders "
                                                                "WHERE received_at IS NOT NULL")[0][0]
    assert abs(got["repair_events"] - plan.events) <= plan.events * 0.1
    assert got["shipment_items"] > 0
    partners = _rows(bench_url, "SELECT count(*) FROM service_centers WHERE kind = 'partner'")[0][0]
    assert partners == plan.partners


def test_stock_levels_and_unit_locations_agree_with_the_journal(bench_url: str) -> None:
    import servicecenter.models  # noqa: F401  (every model mapped)
    from servicecenter.db import Database
    from servicecenter.stock.journal import check_stock

    database = Database(pgload.sqlalchemy_url(bench_url))
    try:
        with database.session() as session:
            assert check_stock(session) == []  # what `servicecenter stock-check` checks
            assert session.scalar(text("SELECT count(*) FROM stock_levels")) > 0
    finally:
        database.engine.dispose()


def test_every_order_is_in_the_state_of_its_last_state_event(bench_url: str) -> None:
    mismatched = _rows(bench_url, """
        WITH last AS (SELECT DISTINCT ON (order_id) order_id, to_value FROM repair_events
                      WHERE kind IN ('created', 'state') ORDER BY order_id, id DESC)
        SELECT count(*) FROM repair_orders o LEFT JOIN last l ON l.order_id = o.id
        WHERE l.to_value IS DISTINCT FROM o.state""")[0][0]
    assert mismatched == 0
    bad_times = _rows(bench_url, """
        SELECT count(*) FROM repair_orders WHERE (state = 'issued') <> (issued_at IS NOT NULL)
            OR received_at < created_at OR ready_at < received_at OR issued_at < ready_at
            OR updated_at > now() OR (state IN ('in_repair', 'diagnosis') AND engineer_id IS NULL)""")[0][0]
    assert bad_times == 0
    longest = _rows(bench_url, "SELECT max(n) FROM (SELECT count(*) AS n FROM repair_events "
                               "WHERE unit_id IS NOT NULL GROUP BY unit_id) x")[0][0]
    assert longest >= 50


def test_orders_carry_their_units_model_their_repeats_diagnoses_and_labour(bench_url: str) -> None:
    """What the reports read: the unit's brand and model on the order, the order it repeats by the
    rule of repairs/repeats.py, a coded diagnosis of the model's category, labour by its engineer."""
    wrong_model = _rows(bench_url, """
        SELECT count(*) FROM repair_orders o LEFT JOIN units u ON u.id = o.unit_id
        WHERE o.model_id IS DISTINCT FROM u.model_id OR o.manufacturer_id IS DISTINCT FROM u.manufacturer_id""")[0][0]
    assert wrong_model == 0
    wrong_repeat = _rows(bench_url, """
        SELECT count(*) FROM repair_orders o WHERE o.received_at IS NOT NULL AND o.repeat_of_id IS DISTINCT FROM (
            SELECT e.id FROM repair_orders e WHERE e.unit_id = o.unit_id AND e.id <> o.id
              AND e.ready_at >= o.received_at - interval '90 days' AND e.ready_at < o.received_at
            ORDER BY e.ready_at DESC, e.id DESC LIMIT 1)""")[0][0]
    assert wrong_repeat == 0
    diagnosed, foreign_codes = _rows(bench_url, """
        SELECT count(*), count(*) FILTER (WHERE s.category <> m.category OR c.category <> m.category)
        FROM order_diagnoses d JOIN repair_orders o ON o.id = d.order_id JOIN product_models m ON m.id = o.model_id
        JOIN diagnosis_codes s ON s.id = d.symptom_id JOIN diagnosis_codes c ON c.id = d.cause_id""")[0]
    assert diagnosed > 0 and foreign_codes == 0
    logs, not_engineer = _rows(bench_url, """
        SELECT count(*), count(*) FILTER (WHERE w.user_id IS DISTINCT FROM o.engineer_id)
        FROM work_logs w JOIN repair_orders o ON o.id = w.order_id""")[0]
    assert logs > 0 and not_engineer == 0


def test_numbers_are_unique_and_the_counters_continue_them(bench_url: str) -> None:
    numbers = [n for (n,) in _rows(bench_url, "SELECT number FROM repair_orders")]
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"[A-Z]{3}\d+-\d{4}-\d{6}", n) for n in numbers)
    stale = _rows(bench_url, """
        SELECT count(*) FROM order_counters c WHERE c.last <> (
            SELECT max(split_part(o.number, '-', 3)::int) FROM repair_orders o
            WHERE o.center_id = c.center_id AND split_part(o.number, '-', 2)::int = c.year)""")[0][0]
    assert stale == 0

    from servicecenter.accounts.models import User
    from servicecenter.centers.models import ServiceCenter
    from servicecenter.customers.models import Customer
    from servicecenter.db import Database
    from servicecenter.equipment.models import Unit
    from servicecenter.repairs.services import create_order

    db = Database(pgload.sqlalchemy_url(bench_url))
    try:
        with db.unit_of_work() as s:
            clerk = s.scalar(select(User).where(User.role == "intake").order_by(User.id))
            center = s.get(ServiceCenter, clerk.center_id)
            unit = s.scalar(select(Unit).order_by(Unit.id))
            order = create_order(s, clerk, center=center, customer=s.get(Customer, unit.owner_id), unit=unit,
                                 fault="Не включается")
            code, year, seq = order.number.split("-")
        assert code == center.code
        used = [int(n.split("-")[2]) for n in numbers if n.startswith(f"{code}-{year}-")]
        assert int(seq) == max(used, default=0) + 1
    finally:
        db.dispose()


def test_the_runner_produces_every_row_with_figures(bench_url: str, tmp_path: Path) -> None:
    payload = run(bench_url, reps=3, warmup=1, max_seconds=5, results_dir=tmp_path, log=lambda _text: None)
    rows = {r["key"]: r for r in payload["operations"]}
    assert set(rows) == {op.key for op in REGISTRY}
    for op in REGISTRY:
        row = rows[op.key]
        if op.prepare is None:
            assert row["status"] == "not yet implemented" and row["note"]
            continue
        assert row["status"] in ("ok", "over target"), (op.key, row.get("note"))
        assert row["n"] == 3 and row["errors"] == 0
        assert all(isinstance(row[p], float) and math.isfinite(row[p]) for p in ("p50", "p95", "p99"))
    markdown = (tmp_path / "latest.md").read_text(encoding="utf-8")
    assert all(op.title in markdown for op in REGISTRY)
    assert list(tmp_path.glob("*.json"))


def test_the_bare_reference_app_answers_like_the_app(bench_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import bench.bare_app as bare

    monkeypatch.setenv("BENCH_DATABASE_URL", bench_url)
    monkeypatch.setattr(bare, "_conn", None)
    number = _rows(bench_url, "SELECT number FROM repair_orders ORDER BY id DESC LIMIT 1")[0][0]
    client = bare_app.test_client()
    answer = client.get(f"/orders/?number={number.lower()}")
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/orders/{number}")
    assert client.get("/orders/?number=NOPE-2020-000001").status_code == 404
    bare.connection().close()


def test_the_throughput_run_loads_both_servers_and_says_who_used_the_cpu(bench_url: str, tmp_path: Path) -> None:
    """bench.throughput at a second a run: gunicorn serves the app and the bare reference to wrk without an
    error, the mix's intakes through the counter form land as orders, and each run splits the CPU."""
    import shutil

    from bench import throughput

    if shutil.which("wrk") is None or not throughput.GUNICORN.exists():
        pytest.skip("the throughput run needs wrk (apt-get install wrk) and gunicorn (the test extra)")
    count = "SELECT count(*) FROM repair_orders"
    before = _rows(bench_url, count)[0][0]
    payload = throughput.run(bench_url, duration=1, warmup=0, connections=2, workers=1, results_dir=tmp_path)
    runs = payload["runs"]
    assert len(runs) == 5 and {r["connections"] for r in runs} == {1, 2}
    for r in runs:
        assert r["requests"] > 0 and r["errors"] == 0, r
        assert r["cpu_seconds"]["server"] > 0 and math.isfinite(r["server_cpu_ms"]), r
    assert _rows(bench_url, count)[0][0] > before  # the mix's intakes were taken, not answered with the form again
    assert payload["verdict"]["errors"] == 0 and payload["verdict"]["cpu_ratio"] > 0  # measured (a NaN fails)
    markdown = (tmp_path / "throughput-latest.md").read_text(encoding="utf-8")
    assert "Server CPU ms/request" in markdown and "bare scan lookup (reference b)" in markdown
