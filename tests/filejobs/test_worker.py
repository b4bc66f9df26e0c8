"""A real RQ worker process makes the file: committed rows, Redis, progress written in the job's own
short transactions (PostgreSQL) or with the job (SQLite), and the PDF under the instance directory."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from servicecenter.accounts.roles import Role
from servicecenter.db import Database
from servicecenter.filejobs.models import FileJob, FileJobState
from servicecenter.filejobs.services import exports_dir, file_path, request_shipment_labels
from servicecenter.jobs.dispatch import Dispatcher
from servicecenter.jobs.models import OutboxJob, OutboxState
from tests.factories import Factory
from tests.filejobs.conftest import shipment_of_units
from tests.printing import readback

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL not set")
UNITS = 12


@pytest.fixture
def relayed(committed_database: Database) -> Iterator[Database]:
    """Commits relay their jobs to the real Redis queue (emptied first)."""
    from redis import Redis

    Redis.from_url(REDIS_URL).flushdb()
    Dispatcher(committed_database, REDIS_URL)
    yield committed_database
    committed_database.session_factory.kw.get("info", {}).pop("dispatcher", None)


def test_a_worker_process_makes_the_labels_and_reports_progress_to_the_end(relayed, tmp_path) -> None:  # noqa: ANN001
    instance = tmp_path / "instance"
    with relayed.unit_of_work() as s:
        f = Factory(s)
        a, b = f.center("WKA"), f.center("WKB")
        clerk = f.user(a, Role.LOGISTICS, email="log@wka.test")
        shipment, orders = shipment_of_units(s, f, a, b, clerk, UNITS)
        numbers = [o.number for o in orders]
        job_id = request_shipment_labels(s, clerk, shipment.number).id
    with relayed.unit_of_work() as s:  # handed to Redis after the commit, not run here
        job = s.get(FileJob, job_id)
        assert job.state == FileJobState.QUEUED and s.get(OutboxJob, job.outbox_job_id).state == OutboxState.QUEUED
    env = {**os.environ, "DATABASE_URL": relayed.engine.url.render_as_string(hide_password=False),
           "REDIS_URL": REDIS_URL, "SERVICECENTER_INSTANCE": str(instance), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "servicecenter", "worker", "--burst"], cwd=ROOT, env=env,
                          capture_output=True, timeout=300)
    assert done.returncode == 0, done.stdout.decode(errors="replace") + done.stderr.decode(errors="replace")
    with relayed.unit_of_work() as s:
        job = s.get(FileJob, job_id)
        assert job.state == FileJobState.DONE, job.error
        assert job.progress_done == job.progress_total == UNITS and job.expires_at is not None
        settings = type("S", (), {"instance_path": instance})()
        data = file_path(exports_dir(settings), job).read_bytes()  # type: ignore[arg-type]
    assert readback.page_count(data) == UNITS
    assert readback.code128(readback.raster(data, UNITS - 1, dpi=203)) == [numbers[-1]]
    assert [p.name for p in instance.rglob("*") if p.is_file()] == [job.stored_name]


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
                    reason="SQLite has one writer: progress shows when the job commits")
def test_progress_is_visible_to_the_page_while_the_job_is_still_running(committed_database) -> None:  # noqa: ANN001
    from servicecenter.filejobs.jobs import _Reporter

    with committed_database.unit_of_work() as s:
        f = Factory(s)
        center = f.center("PRG")
        clerk = f.user(center, Role.LOGISTICS, email="log@prg.test")
        job = FileJob(kind="shipment_unit_labels", parameters={"shipment_id": 1}, center_id=center.id,
                      requested_by_id=clerk.id, stored_name="cd" * 16 + ".pdf", content_type="application/pdf",
                      download_name="x.pdf")
        s.add(job)
    with committed_database.unit_of_work() as job_session:  # the job's transaction, still open below
        job_session.get(FileJob, job.id)
        _Reporter(job_session, job.id).progress(150, 500)
        with committed_database.unit_of_work() as page:
            seen = page.get(FileJob, job.id)
            assert (seen.progress_done, seen.progress_total) == (150, 500)
