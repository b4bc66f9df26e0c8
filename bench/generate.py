"""Fill a PostgreSQL database with a service-center network at scale, fast (COPY, no ORM).

    .venv/bin/python -m bench.generate --scale 0.01 --reset
    .venv/bin/python -m bench.generate                 # the full network: 1,000,000 orders

The schema comes from the Alembic migration (`servicecenter.migrate.upgrade`); keys, indexes
and foreign keys are dropped for the load and rebuilt from their catalog definitions after
it. The same --seed, --scale and --now give the same rows. Every user's password is
`bench12345` (bench/README.md).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from typing import Any

import psycopg

from bench import gen_logistics, gen_network, gen_orders, gen_people, gen_work, pgload
from bench.plan import assign_units, order_times, parse_now, plan_counts
from servicecenter.migrate import upgrade

TABLES = ("service_centers", "locations", "users", "manufacturers", "product_models", "center_brands", "parts",
          "part_models", "customers", "units", "repair_orders", "repair_events", "stock_moves", "shipments",
          "shipment_items", "order_counters", "stock_levels", "diagnosis_codes", "order_diagnoses", "work_logs")


class Steps:
    """Times each step and prints a line per step."""

    def __init__(self, log: Callable[[str], None]) -> None:
        self.log = log
        self.seconds: dict[str, float] = {}
        self.started = time.perf_counter()

    def run(self, name: str, fn: Callable[[], Any], rows: Callable[[Any], str] | None = None) -> Any:
        t = time.perf_counter()
        result = fn()
        spent = self.seconds[name] = time.perf_counter() - t
        self.log(f"  {name:<44} {spent:8.1f} s  {rows(result) if rows else ''}")
        return result

    @property
    def total(self) -> float:
        return time.perf_counter() - self.started


def generate(url: str, scale: float = 1.0, seed: int = 2026, now: str | None = None, reset: bool = False,
             log: Callable[[str], None] = print) -> dict[str, Any]:
    """Build the network into the database at `url`; returns counts and timings."""
    counts = plan_counts(scale)
    moment = parse_now(now)
    now_ts = int(moment.timestamp())
    log(f"servicecenter bench data: scale {scale}, seed {seed}, now {moment.isoformat()}, "
        f"{counts.orders:,} orders into {pgload.database_name(url)}")
    pgload.ensure_database(url, reset)
    with psycopg.connect(pgload.libpq_url(url)) as conn:
        if pgload.has_rows(conn, "service_centers"):
            raise SystemExit(f"{pgload.database_name(url)} already has data; run with --reset to rebuild it")
    steps = Steps(log)
    steps.run("schema (alembic upgrade head)", lambda: upgrade(pgload.sqlalchemy_url(url)))
    saved = steps.run("drop keys, indexes, foreign keys", lambda: pgload.drop_constraints(url))
    ts = pgload.Timestamps()

    def rng(part: str) -> random.Random:
        return random.Random(f"{seed}:{part}")

    net = steps.run("centers, locations, users, catalogue, parts",
                    lambda: gen_network.load_network(url, rng("network"), counts, moment),
                    lambda n: f"{len(n.code) - 1:,} centers, {len(n.user_name) - 1:,} users")
    times = steps.run("plan: order moments, units per order", lambda: order_times(rng("times"), counts.orders, moment))
    span = (times[0], times[-1])
    slots = assign_units(rng("slots"), counts)
    people = steps.run("plan: customers' centers, owners, models",
                       lambda: gen_people.plan_people(rng("people"), counts, net, slots, times))
    steps.run("customers", lambda: gen_people.load_customers(url, rng("customers"), counts, net, people, slots,
                                                             times, seed, ts), lambda n: f"{n:,} rows")
    journal = gen_orders.Journal(url, ts)
    done = steps.run("repair_orders + repair_events + order moves",
                     lambda: gen_orders.load_orders(url, rng("orders"), counts, net, people, slots, times, now_ts,
                                                    ts, journal),
                     lambda d: f"{d.orders:,} orders, {d.events:,} events ({d.events / max(1, d.orders):.1f}/order)")
    steps.run("units", lambda: gen_people.load_units(url, rng("units"), counts, net, people, slots, times,
                                                     done.location, seed, ts), lambda n: f"{n:,} rows")
    steps.run("shipments + shipment_items",
              lambda: gen_logistics.load_shipments(url, rng("shipments"), counts, net, done, span, now_ts, ts,
                                                   journal), lambda r: f"{r[0]:,} shipments, {r[1]:,} items")
    steps.run("stock_moves (restocking, then commit)",
              lambda: (gen_logistics.load_restocking(rng("restock"), counts, net, span, journal),
                       journal.stream.close(), journal.last)[-1], lambda n: f"{n:,} moves in all")
    steps.run("order_counters", lambda: gen_logistics.load_counters(url, done), lambda n: f"{n:,} rows")
    steps.run("stock_levels (opening stock where the journal dips, then the derived levels)",
              lambda: gen_logistics.load_stock_levels(url),
              lambda r: f"{r[0]:,} opening receipts, {r[1]:,} levels")
    steps.run("diagnosis_codes, order_diagnoses, work_logs", lambda: gen_work.load_work(url, rng("work"), net, now_ts, ts),
              lambda r: f"{r[0]:,} codes, {r[1]:,} diagnoses, {r[2]:,} work logs")
    log("  rebuilding keys, indexes and foreign keys (per table):")
    steps.run("keys, indexes, foreign keys (verified)",
              lambda: pgload.restore_constraints(url, saved, lambda t, s: log(f"    {t:<40} {s:8.1f} s")))
    steps.run("sequences (setval), VACUUM ANALYZE", lambda: pgload.finish(url))
    rows = pgload.table_counts(url, TABLES)
    summary = {"scale": scale, "seed": seed, "now": moment.isoformat(), "planned": counts.as_dict(), "rows": rows,
               "seconds": {k: round(v, 2) for k, v in steps.seconds.items()}, "total_seconds": round(steps.total, 1)}
    with psycopg.connect(pgload.libpq_url(url), autocommit=True) as conn:
        pgload.set_metadata(conn, pgload.database_name(url), {k: v for k, v in summary.items() if k != "planned"})
    log(f"  {'total':<44} {steps.total:8.1f} s")
    log("  rows: " + ", ".join(f"{t} {n:,}" for t, n in rows.items()))
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", pgload.DEFAULT_URL),
                        help="PostgreSQL URL (default: $BENCH_DATABASE_URL or %(default)s); created if missing")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every count (1.0: 1,000,000 orders; "
                        "0.01 quick; 0.001 smoke)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--now", help="the moment the data ends at, ISO 8601 (default: now); fix it to reproduce")
    parser.add_argument("--reset", action="store_true", help="drop and recreate the database first")
    args = parser.parse_args(argv)
    generate(args.database_url, args.scale, args.seed, args.now, args.reset)
    return 0


if __name__ == "__main__":
    sys.exit(main())
