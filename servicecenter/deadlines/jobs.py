"""The background recompute of due dates after a rule or calendar change touching many open orders."""

from __future__ import annotations

from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.deadlines.recompute import recompute_centers
from servicecenter.jobs.registry import job

RECOMPUTE_JOB = "deadlines.recompute"


@job(RECOMPUTE_JOB)
def recompute_job(session: Session, center_ids: list[int], actor_id: int | None = None) -> None:
    """Recompute the centers' open orders with the rules as they are now. Safe to run twice: a second
    run finds every date right and writes nothing (no second history event)."""
    recompute_centers(session, center_ids, actor=session.get(User, actor_id) if actor_id else None)
