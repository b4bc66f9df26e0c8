"""A page of results: items plus the numbers a pager and the API need."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")
MAX_PER_PAGE = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def paginate(session: Session, stmt: Select[Any], page: int = 1, per_page: int = 50) -> Page[Any]:
    """Run `stmt` for one page (1-based) and count the whole result."""
    per_page = max(1, min(int(per_page), MAX_PER_PAGE))
    page = max(1, int(page))
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = list(session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, page=page, per_page=per_page, total=total)
