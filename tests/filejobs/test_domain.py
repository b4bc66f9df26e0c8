"""The file job itself: a retried job rewrites its one file, a finished one is not redone, and what
cannot be made is refused with a clear message and leaves nothing behind."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from servicecenter.errors import NotFound
from servicecenter.filejobs.jobs import render_file
from servicecenter.filejobs.models import FileJob, FileJobKind, FileJobState
from servicecenter.filejobs.services import get_file_job, request_shipment_labels
from servicecenter.jobs.dispatch import run_outbox_job
from servicecenter.jobs.models import OutboxJob
from tests.filejobs.conftest import UNITS
from tests.printing import readback


def _files(exports):  # noqa: ANN001, ANN202
    return sorted(p for p in exports.rglob("*") if p.is_file()) if exports.exists() else []


def test_a_retried_job_rewrites_its_one_file_and_a_done_job_is_not_redone(session, bound_db, net, exports) -> None:  # noqa: ANN001
    job = request_shipment_labels(session, net["clerk"], net["shipment"].number)
    session.commit()  # bound_db has no dispatcher here: the job waits for us
    run_outbox_job(bound_db, job.outbox_job_id)
    session.refresh(job)
    assert job.state == FileJobState.DONE and job.progress_done == job.progress_total == UNITS
    [first] = _files(exports)
    # The worker died after writing but before recording it: the rerun makes the same file again.
    job.state = FileJobState.RUNNING
    session.commit()
    render_file(session, job.id)
    session.commit()
    session.refresh(job)
    assert _files(exports) == [first] and job.state == FileJobState.DONE
    assert readback.page_count(first.read_bytes()) == UNITS
    # Done is done: a duplicate delivery of the job leaves the file alone.
    first.write_bytes(b"%PDF-kept")
    render_file(session, job.id)
    assert first.read_bytes() == b"%PDF-kept"


def test_a_job_whose_shipment_is_gone_fails_with_a_reason_and_writes_nothing(session, bound_db, net, exports) -> None:  # noqa: ANN001
    job = FileJob(kind=FileJobKind.SHIPMENT_UNIT_LABELS, parameters={"shipment_id": 987654}, center_id=net["a"].id,
                  requested_by_id=net["clerk"].id, stored_name="ab" * 16 + ".pdf", content_type="application/pdf",
                  download_name="x.pdf")
    session.add(job)
    session.commit()
    render_file(session, job.id)
    session.commit()
    session.refresh(job)
    assert job.state == FileJobState.FAILED and job.error == "The shipment no longer exists"
    assert _files(exports) == []


def test_an_unknown_shipment_is_refused_before_anything_is_written(session, net, exports) -> None:  # noqa: ANN001
    before = session.scalar(select(func.count(OutboxJob.id)))
    with pytest.raises(NotFound, match="No shipment NOPE-7"):
        request_shipment_labels(session, net["clerk"], "NOPE-7")
    assert session.scalar(select(func.count(FileJob.id))) == 0
    assert session.scalar(select(func.count(OutboxJob.id))) == before


def test_only_the_center_that_asked_sees_the_file(session, net, exports) -> None:  # noqa: ANN001
    job = request_shipment_labels(session, net["clerk"], net["shipment"].number)
    assert get_file_job(session, net["colleague"], job.id) is job
    with pytest.raises(NotFound):
        get_file_job(session, net["other"], job.id)


def test_files_past_their_time_are_removed(session, bound_db, net, exports) -> None:  # noqa: ANN001
    from datetime import timedelta

    from servicecenter.clock import utcnow
    from servicecenter.filejobs.jobs import purge_expired_files

    job = request_shipment_labels(session, net["clerk"], net["shipment"].number)
    session.commit()
    run_outbox_job(bound_db, job.outbox_job_id)
    session.refresh(job)
    [path] = _files(exports)
    purge_expired_files(session)
    assert path.exists()  # a week to fetch it
    job.expires_at = utcnow() - timedelta(minutes=1)
    session.flush()
    purge_expired_files(session)
    assert not path.exists()


def test_a_second_click_while_the_first_waits_gives_the_same_file(session, net, exports) -> None:  # noqa: ANN001
    first = request_shipment_labels(session, net["clerk"], net["shipment"].number)
    again = request_shipment_labels(session, net["clerk"], net["shipment"].number)
    assert again is first
    assert session.scalar(select(func.count(FileJob.id))) == 1
