"""Idempotent requests: a client's retry with the same key gets the first answer, not a second effect.

The key belongs to the user who sent it; the request it came with is kept as a hash, so the same
key with a different request is refused rather than answered with something it did not ask for.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.accounts.token_models import IdempotencyKey
from servicecenter.clock import utcnow
from servicecenter.errors import N_, ValidationFailed
from servicecenter.jobs.periodic import register_periodic
from servicecenter.jobs.registry import job

MAX_KEY = 100
# A client retries within minutes or hours; a week covers a weekend outage of the caller's side.
KEEP_KEYS = timedelta(days=7)
PURGE_EVERY_SECONDS = 6 * 3600


@dataclass(frozen=True)
class Replay:
    status: int
    body: dict[str, Any]


def request_hash(*parts: Any) -> str:
    """A stable fingerprint of what was asked (the operation and its canonical JSON body)."""
    canonical = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key: str) -> str:
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise ValidationFailed(N_("An idempotency key is 1 to 100 printable characters"),
                               errors={"Idempotency-Key": N_("1 to 100 printable characters")})
    return key


def find_replay(session: Session, user: User, key: str, fingerprint: str) -> Replay | None:
    """The first answer to this user's request with this key, or None when the key is new.

    The same key with another request is refused (422): the client reused a key by mistake."""
    row = session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user.id,
                                                      IdempotencyKey.key == check_key(key)))
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise ValidationFailed(N_("This Idempotency-Key was already used for a different request"),
                               errors={"Idempotency-Key": N_("Already used for a different request")})
    return Replay(row.status, row.response)


def remember_answer(session: Session, user: User, key: str, fingerprint: str, status: int,
                    body: dict[str, Any]) -> None:
    """Keep the answer to a request made with a key (a concurrent twin fails on the unique key)."""
    session.add(IdempotencyKey(user_id=user.id, key=check_key(key), request_hash=fingerprint, status=status,
                               response=body))
    session.flush()


def purge_idempotency_keys(session: Session, now: datetime | None = None) -> int:
    """Forget the answers older than KEEP_KEYS (a retry after that makes a new request); returns how many."""
    cutoff = (now or utcnow()) - KEEP_KEYS
    return session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff)).rowcount or 0


@job("api.purge_idempotency_keys")
def purge_job(session: Session) -> None:
    """Periodic: forget old idempotency keys."""
    purge_idempotency_keys(session)


register_periodic("api.purge_idempotency_keys", PURGE_EVERY_SECONDS)
