"""Time the bulk label job: every unit label of a 500-unit shipment as one PDF (issue 7).

    .venv/bin/python -m bench.bench_bulk_labels                       # SQLite in a temp directory
    .venv/bin/python -m bench.bench_bulk_labels --units 500 --database-url postgresql://postgres@127.0.0.1:5432/bench_bulk

Builds the shipment through the real services (an empty database of its own: the schema is made
here, the database must be new or empty), then times the whole job as a worker runs it — read the
orders in chunks, draw each label, report progress, write the file — and the pure rendering of the
same labels. Prints a Markdown table; no test asserts a time.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from printing import render_labels_pdf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-bulk-"))
    os.environ["SERVICECENTER_INSTANCE"] = str(workdir / "instance")

    import servicecenter.models  # noqa: F401
    from servicecenter.accounts.roles import Role
    from servicecenter.config import normalise_database_url
    from servicecenter.db import Base, Database
    from servicecenter.filejobs.labels import shipment_unit_labels_pdf
    from servicecenter.filejobs.models import FileJob
    from servicecenter.filejobs.services import exports_dir, file_path, request_shipment_labels, settings_of
    from servicecenter.jobs.dispatch import run_outbox_job
    from tests.factories import Factory
    from tests.filejobs.conftest import shipment_of_units

    database = Database(normalise_database_url(args.database_url or f"sqlite:///{workdir / 'bench.db'}"))
    Base.metadata.create_all(database.engine)
    start = time.perf_counter()
    with database.unit_of_work() as s:
        f = Factory(s)
        a, b = f.center("BBA"), f.center("BBB")
        clerk = f.user(a, Role.LOGISTICS, email="bench@bba.test")
        shipment, _orders = shipment_of_units(s, f, a, b, clerk, args.units)
        job = request_shipment_labels(s, clerk, shipment.number)
        job_id, outbox_id, shipment_id = job.id, job.outbox_job_id, shipment.id
    built = time.perf_counter() - start

    start = time.perf_counter()
    run_outbox_job(database, outbox_id)
    whole = time.perf_counter() - start
    with database.unit_of_work() as s:
        job = s.get(FileJob, job_id)
        size = file_path(exports_dir(settings_of(s)), job).stat().st_size
        state, done, total = job.state, job.progress_done, job.progress_total
        start = time.perf_counter()
        shipment_unit_labels_pdf(s, shipment_id, lambda *_: None, 50)
        load_and_render = time.perf_counter() - start
        from servicecenter.filejobs.labels import iter_label_docs
        from servicecenter.filejobs.services import label_items
        from servicecenter.shipments.models import Shipment

        ids = list(s.scalars(label_items(s.get(Shipment, shipment_id))))
        docs = list(iter_label_docs(s, ids, settings_of(s).public_url, lambda *_: None, 50))
    start = time.perf_counter()
    render_labels_pdf(docs)
    render = time.perf_counter() - start

    print(f"| {args.units} unit labels, {database.engine.dialect.name} | seconds |")
    print("|---|---|")
    print(f"| shipment built (setup, not timed work) | {built:.1f} |")
    print(f"| whole job as the worker runs it ({state.value}, {done}/{total}, {size // 1024} KB) | {whole:.2f} |")
    print(f"| orders read + labels drawn (no file write, no progress) | {load_and_render:.2f} |")
    print(f"| labels drawn only (render_labels_pdf) | {render:.2f} |")
    print(f"| per label, whole job | {whole / max(1, total) * 1000:.1f} ms |")
    database.dispose()


if __name__ == "__main__":
    main()
