"""Time the printing renderers: median and p95 over many runs, after warm-up.

    .venv/bin/python -m bench.bench_printing            # 200 runs a label, 50 an A4 document
    .venv/bin/python -m bench.bench_printing --scale 0.2

Prints a Markdown table. Targets from issue 3: work order under 60 ms, label under 10 ms.
Rendering is pure (data in, bytes out), so nothing here needs a database.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable

from printing import (
    labels_with_accessories,
    register_fonts,
    render_act,
    render_conclusion,
    render_label_pdf,
    render_label_png,
    render_label_zpl,
    render_labels_pdf,
    render_work_order,
    samples,
)

WARMUP = 5


def measure(fn: Callable[[], bytes], runs: int) -> tuple[float, float, float, int]:
    """(median ms, p95 ms, median CPU ms, bytes of the last output) over `runs` calls after WARMUP calls.

    Wall time is what a clerk waits for; CPU time of this process is steadier on a shared machine.
    """
    for _ in range(WARMUP):
        fn()
    wall, cpu = [], []
    size = 0
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        size = len(fn())
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    wall.sort()
    p95 = wall[min(len(wall) - 1, max(0, round(0.95 * len(wall)) - 1))]
    return statistics.median(wall), p95, statistics.median(cpu), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the number of runs")
    args = parser.parse_args()
    label_runs, a4_runs, batch_runs = (max(5, round(n * args.scale)) for n in (200, 50, 5))

    start = time.perf_counter()
    register_fonts()
    fonts_ms = (time.perf_counter() - start) * 1000

    order, order2, label, act, conclusion = (samples.work_order(), samples.work_order(copies=2), samples.label(),
                                             samples.act(), samples.conclusion())
    batch = [samples.label(f"MSK-2026-{i:06d}") for i in range(1, 501)]
    cases: list[tuple[str, Callable[[], bytes], int, float | None]] = [
        ("Work order PDF, A4 (1 copy)", lambda: render_work_order(order), a4_runs, 60),
        ("Work order PDF, A4 (2 copies on a sheet)", lambda: render_work_order(order2), a4_runs, 60),
        ("Act of completed works PDF, A4", lambda: render_act(act), a4_runs, 60),
        ("Technical conclusion PDF, A4", lambda: render_conclusion(conclusion), a4_runs, 60),
        ("Label PDF 58×40 mm", lambda: render_label_pdf(label), label_runs, 10),
        ("Label PDF + 2 accessory labels (3 pages)",
         lambda: render_labels_pdf(labels_with_accessories(label, order.accessories)), label_runs, None),
        ("Label PNG 58×40 mm, 203 dpi", lambda: render_label_png(label, dpi=203), label_runs, 10),
        ("Label PNG 58×40 mm, 300 dpi", lambda: render_label_png(label, dpi=300), label_runs, 10),
        ("Label ZPL 58×40 mm, 203 dpi", lambda: render_label_zpl(label), label_runs, 10),
        ("500 labels as one PDF (shipment)", lambda: render_labels_pdf(batch), batch_runs, None),
    ]
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {load}; "
          f"font registration {fonts_ms:.1f} ms once per process\n")
    print("| Document | n | median ms | p95 ms | median CPU ms | size | target (median) |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for title, fn, runs, target in cases:
        median, p95, cpu, size = measure(fn, runs)
        verdict = "—" if target is None else f"< {target} ms: {'yes' if median < target else 'NO'}"
        print(f"| {title} | {runs} | {median:.2f} | {p95:.2f} | {cpu:.2f} | {size / 1024:.1f} KB | {verdict} |")


if __name__ == "__main__":
    main()
