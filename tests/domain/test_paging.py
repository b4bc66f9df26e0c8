"""Paging a long list: the page's rows, and a total that is exact up to a cap, then "more than"."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from servicecenter.paging import paginate
from servicecenter.repairs.models import RepairOrder


@pytest.fixture
def orders(factory):  # noqa: ANN001, ANN201
    center = factory.center("PGN")
    return [factory.order(center) for _ in range(7)]


def _all(orders):  # noqa: ANN001, ANN202
    ids = [o.id for o in orders]
    return select(RepairOrder).where(RepairOrder.id.in_(ids)).order_by(RepairOrder.id)


def test_pages_split_the_rows_and_count_them_exactly(session, orders) -> None:  # noqa: ANN001
    first = paginate(session, _all(orders), page=1, per_page=3)
    last = paginate(session, _all(orders), page=3, per_page=3)
    assert [o.id for o in first.items] == [o.id for o in orders[:3]]
    assert [o.id for o in last.items] == [orders[6].id]
    assert (first.total, first.pages, first.exact, first.has_next) == (7, 3, True, True)
    assert (last.total, last.has_next) == (7, False)


def test_a_short_first_page_is_its_own_count(session, orders) -> None:  # noqa: ANN001
    page = paginate(session, _all(orders), page=1, per_page=50)
    assert (len(page.items), page.total, page.pages, page.has_next) == (7, 7, 1, False)


def test_past_the_cap_the_total_is_a_lower_bound_and_paging_goes_on(session, orders) -> None:  # noqa: ANN001
    first = paginate(session, _all(orders), page=1, per_page=2, count_limit=1)
    assert (first.total, first.exact, first.has_next) == (3, False, True)
    third = paginate(session, _all(orders), page=3, per_page=2, count_limit=1)
    assert [o.id for o in third.items] == [orders[4].id, orders[5].id]
    assert (third.total, third.exact, third.has_next) == (7, True, True)  # near the end, counted exactly
    fourth = paginate(session, _all(orders), page=4, per_page=2, count_limit=1)
    assert ([o.id for o in fourth.items], fourth.has_next) == ([orders[6].id], False)


def test_a_page_past_the_end_is_empty_but_knows_the_total(session, orders) -> None:  # noqa: ANN001
    page = paginate(session, _all(orders), page=9, per_page=3)
    assert (page.items, page.total, page.pages) == ([], 7, 3)
