"""Rate limiting that holds across processes: one `ThrottleHit` row per counted request.

Used where a client must not be able to try many guesses (the public status page). The count is
read and the hit written in the caller's transaction; two requests racing at the very edge of the
limit may both pass, which is acceptable for throttling (it is not a quota).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import ThrottleHit
from servicecenter.clock import utcnow

# About one call in this many also clears the scope's expired rows of every client, so rows of
# clients who never come back do not pile up; a client's own expired rows go at each of its hits.
PRUNE_ONE_IN = 50


def hit(session: Session, scope: str, key: str, limit: int, window: timedelta) -> bool:
    """Count one request of `scope` from `key`; True when that makes more than `limit` in `window`."""
    if limit < 1 or window <= timedelta(0):
        raise ValueError("a throttle needs a positive limit and window")
    scope, key = scope[:40], (key or "-")[:200]
    now = utcnow()
    since = now - window
    expired = [ThrottleHit.scope == scope, ThrottleHit.at < since]
    if secrets.randbelow(PRUNE_ONE_IN) != 0:
        expired.append(ThrottleHit.key == key)
    session.execute(delete(ThrottleHit).where(*expired))
    earlier = session.scalar(select(func.count()).select_from(ThrottleHit).where(
        ThrottleHit.scope == scope, ThrottleHit.key == key, ThrottleHit.at >= since)) or 0
    session.add(ThrottleHit(scope=scope, key=key, at=now))
    session.flush()
    return earlier + 1 > limit
