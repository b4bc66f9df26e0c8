"""Percentiles, the machine a run was on, and the Markdown/JSON the runs write."""

from __future__ import annotations

import json
import math
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from bench import pgload

RESULTS = Path(__file__).resolve().parent / "results"


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (p in 0..100)."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def summarize(samples_ms: list[float]) -> dict[str, float]:
    values = sorted(samples_ms)
    return {"n": len(values), "p50": percentile(values, 50), "p95": percentile(values, 95),
            "p99": percentile(values, 99), "mean": sum(values) / len(values) if values else math.nan,
            "max": values[-1] if values else math.nan}


def _proc(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def machine(url: str | None = None) -> dict[str, Any]:
    """CPU, cores, RAM, OS, Python and PostgreSQL versions, and the load when the run started."""
    mem_kb = _proc("/proc/meminfo", "MemTotal").split()[0]
    info: dict[str, Any] = {
        "cpu": _proc("/proc/cpuinfo", "model name"),
        "cores": os.cpu_count(),
        "ram_gb": round(int(mem_kb) / 1024 / 1024, 1) if mem_kb.isdigit() else None,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "load_avg": [round(x, 2) for x in os.getloadavg()],
    }
    if url:
        with psycopg.connect(pgload.libpq_url(url)) as conn:
            info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
            info["shared_buffers"] = conn.execute("SHOW shared_buffers").fetchone()[0]
    return info


def data_info(url: str) -> dict[str, Any]:
    """What the generator recorded on the database, and the current size of the big tables."""
    with psycopg.connect(pgload.libpq_url(url)) as conn:
        meta = pgload.get_metadata(conn)
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("repair_orders", "repair_events", "units", "customers")}
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
    return {"scale": meta.get("scale"), "seed": meta.get("seed"), "generated_now": meta.get("now"),
            "generate_seconds": meta.get("total_seconds"), "rows": counts, "database_size": size}


def header(kind: str, mach: dict[str, Any], data: dict[str, Any] | None) -> list[str]:
    lines = [f"### {kind} — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", "",
             f"Machine: {mach['cpu']}, {mach['cores']} cores, {mach['ram_gb']} GB RAM, {mach['os']}, "
             f"Python {mach['python']}, PostgreSQL {mach.get('postgresql', '?')} "
             f"(shared_buffers {mach.get('shared_buffers', '?')}); load average at start "
             f"{' / '.join(str(x) for x in mach['load_avg'])}."]
    if data:
        rows = data["rows"]
        lines.append(f"Data: scale {data['scale']} (seed {data['seed']}), {rows['repair_orders']:,} orders, "
                     f"{rows['repair_events']:,} history events, {rows['units']:,} units, "
                     f"{rows['customers']:,} customers; database {data['database_size']}.")
    lines.append("")
    return lines


def fmt(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def write(stem: str, payload: dict[str, Any], markdown: list[str], directory: Path | None = None) -> Path:
    """bench/results/[<stem>-]<timestamp>.json and [<stem>-]latest.md (the directory is gitignored)."""
    directory = directory or RESULTS
    directory.mkdir(parents=True, exist_ok=True)
    prefix = f"{stem}-" if stem else ""
    path = directory / f"{prefix}{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    (directory / f"{prefix}latest.md").write_text("\n".join(markdown) + "\n", encoding="utf-8")
    return path
