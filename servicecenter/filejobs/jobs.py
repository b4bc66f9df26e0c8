"""The file job: render in chunks, report progress in short transactions of its own, write the file
under its fixed random name. Run twice, it rewrites the same file; a finished job is not redone."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.orm import Session

from servicecenter.clock import utcnow
from servicecenter.errors import DomainError
from servicecenter.filejobs.exports import orders_export
from servicecenter.filejobs.labels import shipment_unit_labels_pdf
from servicecenter.filejobs.models import FileJob, FileJobKind, FileJobState
from servicecenter.filejobs.services import GAVE_UP, RENDER_JOB, exports_dir, file_path, settings_of
from servicecenter.filejobs.work_orders import work_orders_pdf
from servicecenter.jobs.periodic import register_periodic
from servicecenter.jobs.registry import job

PURGE_JOB = "files.purge"
KEEP_FOR = timedelta(days=7)
CHUNK = 50  # labels loaded and drawn between two progress reports

Progress = Callable[[int, int], None]  # (done, total)
RENDERERS: dict[FileJobKind, Callable[[Session, FileJob, Progress], bytes]] = {
    FileJobKind.SHIPMENT_UNIT_LABELS:
        lambda s, job, report: shipment_unit_labels_pdf(s, job.parameters["shipment_id"], report, CHUNK),
    FileJobKind.WORK_ORDERS: work_orders_pdf,
    FileJobKind.ORDERS_EXPORT: orders_export,
}


class _Reporter:
    """Writes the job row's state and progress so the page sees them while the job still runs.

    On PostgreSQL each write is its own short transaction on another connection (the job's own
    transaction never touches the row, so nothing waits on it). SQLite has a single writer and the
    job's transaction holds it: there the writes ride in the job's transaction and show at its end.
    A session bound to one connection (the tests' rolled-back transaction) writes in a savepoint."""

    def __init__(self, session: Session, job_id: int) -> None:
        self.session, self.job_id, self.total = session, job_id, 0
        self.bind = session.get_bind()

    def write(self, **values: Any) -> None:
        statement = update(FileJob).where(FileJob.id == self.job_id).values(**values)
        if isinstance(self.bind, Connection):
            with self.bind.begin_nested():
                self.bind.execute(statement)
        elif self.bind.dialect.name == "sqlite":
            self.session.execute(statement, execution_options={"synchronize_session": False})
        else:
            with self.bind.begin() as connection:  # committed when the block ends
                connection.execute(statement)

    def progress(self, done: int, total: int) -> None:
        self.total = total
        self.write(progress_done=done, progress_total=total)


@job(RENDER_JOB)
def render_file(session: Session, file_job_id: int) -> None:
    """Make the file of one file job."""
    row = session.get(FileJob, file_job_id)
    if row is None or row.state == FileJobState.DONE:
        return
    reporter = _Reporter(session, row.id)
    reporter.write(state=FileJobState.RUNNING, started_at=utcnow(), progress_done=0, error="")
    path = file_path(exports_dir(settings_of(session)), row)  # before a renderer lets go of loaded rows
    try:
        data = RENDERERS[row.kind](session, row, reporter.progress)
        _write_file(path, data)
    except DomainError as exc:  # what was asked cannot be made (the shipment is gone, nothing to print);
        # the job's messages take no parameters: the English msgid is kept and translated when shown
        reporter.write(state=FileJobState.FAILED, error=exc.message, finished_at=utcnow())
        return
    except Exception:
        reporter.write(state=FileJobState.FAILED, error=GAVE_UP, finished_at=utcnow())
        raise  # the outbox and RQ keep the traceback for the admin, who may retry
    now = utcnow()
    reporter.write(state=FileJobState.DONE, progress_done=reporter.total, progress_total=reporter.total, finished_at=now,
                   expires_at=now + KEEP_FOR)


def _write_file(path: Path, data: bytes) -> None:
    """Write beside, then rename over: a reader never sees half a file, a rerun replaces the old one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)


@job(PURGE_JOB)
def purge_expired_files(session: Session) -> None:
    """Remove the files whose time is up (the rows stay, marked expired by their date)."""
    directory = exports_dir(settings_of(session))
    now = utcnow()
    for row in session.scalars(select(FileJob).where(FileJob.expires_at < now, FileJob.stored_name != "")):
        file_path(directory, row).unlink(missing_ok=True)
    # Rows of files nobody fetched in a quarter are not worth keeping either.
    session.execute(delete(FileJob).where(FileJob.expires_at < now - timedelta(days=90)))


register_periodic(PURGE_JOB, 3600)
