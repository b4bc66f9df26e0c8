"""Time the key operations on the generated data: p50/p95/p99 over many repetitions.

    .venv/bin/python -m bench.run                       # every operation, 200 repetitions each
    .venv/bin/python -m bench.run --only domain,raw --reps 500

Writes bench/results/<timestamp>.json and bench/results/latest.md and prints the table.
Operations live in bench/operations.py (one registry); what the application cannot do yet
is listed as "not yet implemented".
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from bench import pgload, report
from bench.context import Bench
from bench.operations import REGISTRY, Operation


def measure(op: Operation, bench: Bench, reps: int, warmup: int, max_seconds: float) -> dict[str, Any]:
    """Warm up, then time up to `reps` calls (fewer when `max_seconds` runs out, never under 10)."""
    row: dict[str, Any] = {"key": op.key, "title": op.title, "layer": op.layer, "target_ms": op.target_ms}
    if op.prepare is None:
        return {**row, "status": "not yet implemented", "note": op.pending}
    try:
        fn = op.prepare(bench)
    except Exception as exc:  # noqa: BLE001  (reported in the table; the other operations still run)
        return {**row, "status": "error", "note": f"setup failed: {type(exc).__name__}: {exc}"}
    before = getattr(fn, "before", None)
    samples: list[float] = []
    errors, first_error = 0, ""
    deadline = time.perf_counter() + max_seconds
    for i in range(warmup + reps):
        try:
            if before is not None:
                before()
            started = time.perf_counter_ns()
            fn()
        except Exception as exc:  # noqa: BLE001
            errors += 1
            first_error = first_error or f"{type(exc).__name__}: {exc}"[:300]
            if errors >= 20 and not samples:
                break
            continue
        spent = (time.perf_counter_ns() - started) / 1e6
        if i >= warmup:
            samples.append(spent)
            if time.perf_counter() > deadline and len(samples) >= 10:
                break
    if not samples:
        return {**row, "status": "error", "errors": errors, "note": first_error}
    stats = report.summarize(samples)
    target = op.target_ms
    status = "ok" if target is None or stats["p95"] <= target else "over target"
    return {**row, **stats, "errors": errors, "status": status if not errors else "errors", "note": first_error}


def ratios(rows: list[dict[str, Any]]) -> list[str]:
    by = {r["key"]: r for r in rows if "p50" in r}
    raw = by.get("raw.scan_order")
    lines = []
    for key in ("domain.scan_order", "http.scan_redirect"):
        if raw and key in by:
            lines.append(f"- {by[key]['title']} vs reference (a) raw SQL: p50 {by[key]['p50'] / raw['p50']:.1f}×, "
                         f"p95 {by[key]['p95'] / raw['p95']:.1f}×")
    return lines


def table(rows: list[dict[str, Any]]) -> list[str]:
    out = ["| Operation | Layer | n | p50 ms | p95 ms | p99 ms | Target p95 | Result |",
           "|---|---|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        target = f"{r['target_ms']:.0f} ms" if r.get("target_ms") else "—"
        if "p50" in r:
            verdict = {"ok": "✓ met" if r.get("target_ms") else "measured", "over target": "✗ over target"}.get(
                r["status"], f"{r.get('errors', 0)} errors: {r.get('note', '')}")
            out.append(f"| {r['title']} | {r['layer']} | {r['n']} | {report.fmt(r['p50'])} | {report.fmt(r['p95'])} "
                       f"| {report.fmt(r['p99'])} | {target} | {verdict} |")
        else:
            out.append(f"| {r['title']} | {r['layer']} | — | — | — | — | {target} | {r['status']}: {r.get('note', '')} |")
    return out


def run(url: str, reps: int = 200, warmup: int = 10, max_seconds: float = 20.0, only: list[str] | None = None,
        results_dir: Path | None = None, log: Any = print) -> dict[str, Any]:
    """Time every registered operation (or those whose key starts with one of `only`)."""
    before, after = pgload.upgrade_to_head(url)
    if before != after:
        log(f"(schema upgraded from {before} to {after}: migrations added since the data was generated)")
    machine = report.machine(url)
    data = report.data_info(url)
    data["schema_revision"] = after
    bench = Bench(url)
    rows = []
    try:
        for op in REGISTRY:
            if only and not any(op.key.startswith(prefix) for prefix in only):
                continue
            started = time.perf_counter()
            row = measure(op, bench, reps, warmup, max_seconds)
            rows.append(row)
            print(f"  {op.key:<28} {row['status']:<20} p95 {report.fmt(row.get('p95'))} ms "
                  f"(n={row.get('n', 0)}, {time.perf_counter() - started:.1f} s)", file=sys.stderr)
    finally:
        bench.close()
    machine["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    markdown = [*report.header("Operations (bench/run.py)", machine, data), *table(rows), ""]
    extra = ratios(rows)
    if extra:
        markdown += ["Reference ratios (same run):", *extra, ""]
    markdown.append(f"Repetitions: up to {reps} after {warmup} warm-up calls, at most {max_seconds:.0f} s per "
                    "operation; percentiles are nearest-rank; times are wall-clock per call in this process.")
    payload = {"machine": machine, "data": data, "settings": {"reps": reps, "warmup": warmup,
                                                              "max_seconds": max_seconds}, "operations": rows}
    path = report.write("", payload, markdown, results_dir)
    log("\n".join(markdown))
    log(f"\n(written: {path} and {path.parent / 'latest.md'})")
    return payload


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", pgload.DEFAULT_URL))
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--max-seconds", type=float, default=20.0, help="time budget per operation")
    parser.add_argument("--only", help="comma-separated key prefixes, e.g. domain,raw,http.order_page")
    parser.add_argument("--results-dir", type=Path)
    args = parser.parse_args(argv)
    only = [p.strip() for p in args.only.split(",")] if args.only else None
    run(args.database_url, args.reps, args.warmup, args.max_seconds, only, args.results_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
