"""A page of results: items plus the numbers a pager and the API need.

Counting is capped: past COUNT_LIMIT rows (beyond the page asked for) the total is reported
as "more than" rather than counted, so a queue of 50,000 orders pages as fast as one of 50.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")
MAX_PER_PAGE = 200
MAX_PAGE = 100_000  # a page past this is empty anyway; a larger number would overflow the OFFSET
COUNT_LIMIT = 10_000


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int  # exact when `exact`; otherwise a lower bound ("more than total")
    exact: bool = True

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages or (not self.exact and len(self.items) == self.per_page)


def paginate(session: Session, stmt: Select[Any], page: int = 1, per_page: int = 50,
             count_limit: int = COUNT_LIMIT) -> Page[Any]:
    """Run `stmt` for one page (1-based) and count the result, up to `count_limit` rows past the page."""
    per_page = max(1, min(int(per_page), MAX_PER_PAGE))
    page = max(1, min(int(page), MAX_PAGE))
    offset = (page - 1) * per_page
    items = list(session.scalars(stmt.limit(per_page).offset(offset)))
    if page == 1 and len(items) < per_page:
        return Page(items=items, page=page, per_page=per_page, total=len(items))
    ceiling = offset + per_page + count_limit
    counted = session.scalar(select(func.count()).select_from(stmt.order_by(None).limit(ceiling + 1).subquery())) or 0
    if counted > ceiling:
        return Page(items=items, page=page, per_page=per_page, total=ceiling, exact=False)
    return Page(items=items, page=page, per_page=per_page, total=counted)
