"""Time the bulk file jobs on the bench network (issue 7): the work orders of 500 orders as one PDF,
and the orders behind a figure (about 100,000 of them) as CSV and as XLSX.

    .venv/bin/python -m bench.bench_bulk_files [--database-url …] [--orders 500] [--days 100] [--reps 3]

Runs on the database `python -m bench.generate` filled. Each job is asked for through the real service
(as an administrator), then run as a worker runs it (`run_outbox_job`: read, render, progress, write
the file); the rows it made are deleted afterwards. Prints medians and p95 over the repetitions and
a Markdown table; no test asserts a time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import timedelta

from bench import pgload


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", pgload.DEFAULT_URL))
    parser.add_argument("--orders", type=int, default=500, help="work orders in the PDF")
    parser.add_argument("--days", type=int, default=90, help="received-in period of the exported list, in days")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    os.environ["SERVICECENTER_INSTANCE"] = tempfile.mkdtemp(prefix="bench-files-")

    import servicecenter.models  # noqa: F401
    from bench.context import Bench
    from servicecenter.accounts.models import User
    from servicecenter.filejobs.models import FileJob, FileJobState
    from servicecenter.filejobs.services import (
        exports_dir,
        file_path,
        request_orders_export,
        request_work_orders,
        settings_of,
    )
    from servicecenter.jobs.dispatch import run_outbox_job
    from servicecenter.jobs.models import OutboxJob
    from servicecenter.repairs.models import RepairOrder

    bench = Bench(args.database_url)
    admin_id, _email = bench.user("admin")
    newest = bench.rows("SELECT max(received_at) FROM repair_orders")[0][0].date()
    period = {"basis": "received", "from": (newest - timedelta(days=args.days)).isoformat(), "to": newest.isoformat()}

    def run(ask) -> tuple[float, int, int]:  # noqa: ANN001
        """(seconds, rows in the file, bytes) of one job asked for by `ask(session, admin)`."""
        with bench.db.unit_of_work() as s:
            job = ask(s, s.get(User, admin_id))
            job_id, outbox_id = job.id, job.outbox_job_id
        start = time.perf_counter()
        run_outbox_job(bench.db, outbox_id)
        took = time.perf_counter() - start
        with bench.db.unit_of_work() as s:
            row = s.get(FileJob, job_id)
            assert row.state == FileJobState.DONE, (row.state, row.error)
            path = file_path(exports_dir(settings_of(s)), row)
            size, total = path.stat().st_size, row.progress_total
            path.unlink()
            s.delete(row)
            s.delete(s.get(OutboxJob, outbox_id))
        return took, total, size

    numbers = bench.big_center_numbers[:args.orders]

    def work_orders(s, admin):  # noqa: ANN001, ANN202
        from sqlalchemy import select

        orders = list(s.scalars(select(RepairOrder).where(RepairOrder.number.in_(numbers))))
        return request_work_orders(s, admin, orders, "bench-work-orders.pdf")

    cases = [
        (f"work orders of {len(numbers)} orders, one PDF", work_orders),
        (f"orders received in {args.days} days, CSV", lambda s, a: request_orders_export(s, a, period, "csv")),
        (f"orders received in {args.days} days, XLSX", lambda s, a: request_orders_export(s, a, period, "xlsx")),
    ]
    print(f"bench network {args.database_url}; period {period['from']} .. {period['to']}; {args.reps} reps")
    print("\n| job | rows | file | median | p95 |\n|---|---|---|---|---|")
    for name, ask in cases:
        times, rows, size = [], 0, 0
        for _ in range(args.reps):
            took, rows, size = run(ask)
            times.append(took)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(f"| {name} | {rows:,} | {size / 1e6:.1f} MB | {statistics.median(times):.1f} s | {p95:.1f} s |",
              flush=True)
    bench.close()


if __name__ == "__main__":
    main()
