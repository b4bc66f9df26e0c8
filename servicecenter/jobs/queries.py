"""What the admin's jobs screen shows: outbox counts, failed rows, RQ's failed registry, periodic runs.
Nothing of a payload but its ids, and e-mail addresses masked in errors (they may name a customer)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from servicecenter.fields import parse_id
from servicecenter.jobs.models import OutboxJob, OutboxState, PeriodicRun
from servicecenter.jobs.periodic import PERIODIC

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_DIGITS = re.compile(r"\+?\d[\d\s()-]{8,}\d")  # phone numbers


def mask_personal(text: str) -> str:
    """The text with e-mail addresses and phone-like numbers replaced."""
    return _DIGITS.sub("…", _EMAIL.sub("…@…", text or ""))


def error_summary(text: str) -> str:
    """The last line of a traceback (the exception and its message), masked and short."""
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return mask_personal(lines[-1].strip())[:300] if lines else ""


def payload_ids(payload: dict[str, Any] | None) -> dict[str, Any]:
    """Only the ids of a job's payload (`order_id`, `delivery_id`...): the rest may be personal."""
    return {k: v for k, v in (payload or {}).items()
            if (k == "id" or k.endswith("_id") or k.endswith("_ids")) and isinstance(v, int | list)}


def count_outbox(session: Session) -> dict[str, int]:
    """How many outbox rows are in each state."""
    counts = dict(session.execute(select(OutboxJob.state, func.count()).group_by(OutboxJob.state)).all())
    return {state.value: counts.get(state, 0) for state in OutboxState}


def list_failed_outbox(session: Session, limit: int = 100) -> list[OutboxJob]:
    """Failed outbox rows, most recent first."""
    return list(session.scalars(select(OutboxJob).where(OutboxJob.state == OutboxState.FAILED)
                                .order_by(OutboxJob.id.desc()).limit(limit)))


@dataclass(frozen=True)
class PeriodicStatus:
    name: str
    every_seconds: int
    run: PeriodicRun | None


def list_periodic(session: Session) -> list[PeriodicStatus]:
    """Every registered periodic job with its last run and next due time (None: never ran)."""
    runs = {r.name: r for r in session.scalars(select(PeriodicRun))}
    return [PeriodicStatus(name, every, runs.get(name)) for name, every in sorted(PERIODIC.items())]


@dataclass(frozen=True)
class QueueFailure:
    job_id: str
    outbox_id: int | None
    error: str
    ended_at: datetime | None


def list_queue_failures(queue: Any, limit: int = 50) -> list[QueueFailure]:
    """RQ's failed registry of our queue, newest first (raises if Redis is away)."""
    from rq.registry import FailedJobRegistry

    registry = FailedJobRegistry(queue=queue)
    failures = []
    for job_id in registry.get_job_ids(0, limit - 1, desc=True):
        rq_job = queue.fetch_job(job_id)
        outbox_id = parse_id(job_id[7:]) if job_id.startswith("outbox-") else None
        error, ended = "", None
        if rq_job is not None:
            result = rq_job.latest_result()
            error = (result.exc_string if result is not None else "") or ""
            ended = rq_job.ended_at
        failures.append(QueueFailure(job_id, outbox_id, error_summary(error), ended))
    return failures


def count_queue_failures(queue: Any) -> int:
    from rq.registry import FailedJobRegistry

    return FailedJobRegistry(queue=queue).count
