"""Inventory counts: scan a shelf or a warehouse, expected vs counted, adjustments as journal moves,
while the warehouse keeps working."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from servicecenter.accounts.roles import Role
from servicecenter.centers.models import Location, LocationKind
from servicecenter.errors import StateConflict, ValidationFailed
from servicecenter.repairs.states import RepairState
from servicecenter.stock import counts, journal, services, warehouse
from servicecenter.stock.count_models import CountState
from servicecenter.stock.identify import identify
from servicecenter.stock.models import MoveReason, StockMove
from tests.domain.test_estimates import make_part


@pytest.fixture
def center(factory):  # noqa: ANN001, ANN201
    return factory.center("INV")


@pytest.fixture
def clerk(factory, center):  # noqa: ANN001, ANN201
    return factory.staff(center, Role.WAREHOUSE)


def _shelf(session, center, code: str) -> Location:  # noqa: ANN001
    loc = Location(code=code, name=code, kind=LocationKind.SHELF, center_id=center.id, parent_id=center.locations[0].id)
    session.add(loc)
    session.flush()
    return loc


@pytest.fixture
def stocked(session, center, clerk):  # noqa: ANN001, ANN201
    """Shelf A1 with 5 pumps and 2 belts (as the journal says)."""
    a1 = _shelf(session, center, "INV-A1")
    pump, belt = make_part(session, sku="PUMP-C"), make_part(session, sku="BELT-C")
    for part, qty in ((pump, 5), (belt, 2)):
        warehouse.receive_parts(session, clerk, center.id, part, qty, target=a1)
    return a1, pump, belt


def _scan(session, clerk, count, code: str, at=None, qty=1):  # noqa: ANN001, ANN202
    return counts.count_scanned(session, clerk, count, identify(session, count.center_id, code), at, qty)


def test_expected_vs_counted_and_adjustments_are_journal_moves(session, center, clerk, stocked) -> None:  # noqa: ANN001
    a1, pump, belt = stocked
    count = counts.start_count(session, clerk, center.id, a1)
    for _ in range(4):
        _scan(session, clerk, count, "pump-c")
    _scan(session, clerk, count, "BELT-C", qty=3)
    review = counts.review_count(session, count)
    assert {(r.part.sku, r.expected, r.counted) for r in review.parts} == {("PUMP-C", 5, 4), ("BELT-C", 2, 3)}
    with pytest.raises(ValidationFailed, match="Say why"):
        counts.confirm_count(session, clerk, count, "")
    counts.confirm_count(session, clerk, count, "Годовая инвентаризация")
    assert count.state == CountState.CONFIRMED
    assert (journal.on_hand(session, a1.id, pump.id), journal.on_hand(session, a1.id, belt.id)) == (4, 3)
    adjustments = session.scalars(select(StockMove).where(StockMove.reason == MoveReason.ADJUSTMENT)).all()
    assert {(m.part_id, m.from_location_id, m.to_location_id, m.quantity) for m in adjustments} == {
        (pump.id, a1.id, None, 1), (belt.id, None, a1.id, 1)}
    assert all("Годовая инвентаризация" in m.note for m in adjustments)
    assert journal.check_stock(session) == []


def test_a_part_not_scanned_at_all_is_missing(session, center, clerk, stocked) -> None:  # noqa: ANN001
    a1, pump, belt = stocked
    count = counts.start_count(session, clerk, center.id, a1)
    _scan(session, clerk, count, "PUMP-C", qty=5)
    [belt_row] = counts.review_count(session, count).differences
    assert (belt_row.part, belt_row.expected, belt_row.counted) == (belt, 2, 0)


def test_the_same_unit_scanned_twice_is_one_line_and_told_so(session, factory, center, clerk) -> None:  # noqa: ANN001
    order = factory.order(center)
    count = counts.start_count(session, clerk, center.id, center.locations[0])
    assert _scan(session, clerk, count, order.unit.serial).again is False
    again = _scan(session, clerk, count, order.number)  # the unit label is the order number
    assert again.again is True
    assert len(count.lines) == 1


def test_a_part_scanned_again_adds_to_its_one_line(session, center, clerk, stocked) -> None:  # noqa: ANN001
    a1, _pump, _belt = stocked
    count = counts.start_count(session, clerk, center.id, a1)
    assert _scan(session, clerk, count, "PUMP-C").again is False
    second = _scan(session, clerk, count, "PUMP-C", qty=2)
    assert second.again is True and second.line.quantity == 3 and len(count.lines) == 1
    counts.set_counted(session, clerk, count, second.line, "0")
    assert second.line.quantity == 0


def test_work_going_on_during_the_count_is_not_a_discrepancy(session, factory, center, clerk, stocked) -> None:  # noqa: ANN001
    """A pump issued from the shelf after it was counted, and belts shelved after the count saw the
    shelf, change the stock; they are not shortages or surpluses of the count."""
    a1, pump, belt = stocked
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    count = counts.start_count(session, clerk, center.id, a1)
    _scan(session, clerk, count, "PUMP-C", qty=5)
    services.reserve_part(session, factory.staff(center, Role.ENGINEER), order, pump, 1)
    warehouse.issue_scanned(session, clerk, order, pump, 1)  # the engineer takes one after the count
    _scan(session, clerk, count, "BELT-C", qty=2)
    warehouse.receive_parts(session, clerk, center.id, belt, 4)
    warehouse.put_away(session, clerk, center.id, a1, part=belt, quantity=4)  # shelved after the belts were counted
    review = counts.review_count(session, count)
    assert review.differences == []
    counts.confirm_count(session, clerk, count, "")  # nothing to adjust: no reason needed
    assert (journal.on_hand(session, a1.id, pump.id), journal.on_hand(session, a1.id, belt.id)) == (4, 6)


def test_confirming_twice_adjusts_once(session, center, clerk, stocked) -> None:  # noqa: ANN001
    a1, pump, _belt = stocked
    count = counts.start_count(session, clerk, center.id, a1)
    _scan(session, clerk, count, "PUMP-C", qty=3)
    counts.confirm_count(session, clerk, count, "пересчёт")
    with pytest.raises(StateConflict):
        counts.confirm_count(session, clerk, count, "пересчёт")
    assert journal.on_hand(session, a1.id, pump.id) == 3


def test_a_warehouse_count_covers_its_shelves_and_finds_units_elsewhere(session, factory, center, clerk) -> None:  # noqa: ANN001
    main = center.locations[0]
    a1, b2 = _shelf(session, center, "INV-A1"), _shelf(session, center, "INV-B2")
    found_here, lost = factory.order(center), factory.order(center)
    warehouse.put_away(session, clerk, center.id, a1, unit=found_here.unit)
    count = counts.start_count(session, clerk, center.id, main)
    assert counts.start_count(session, clerk, center.id, main) == count  # one open count per place
    _scan(session, clerk, count, found_here.number, at=b2)  # it was on B2, not A1
    review = counts.review_count(session, count)
    assert [r.unit for r in review.moved_units] == [found_here.unit]
    assert [r.unit for r in review.missing_units] == [lost.unit]
    with pytest.raises(ValidationFailed, match="not part of this count"):
        _scan(session, clerk, count, lost.number, at=factory.center("INW").locations[0])
    counts.confirm_count(session, clerk, count, "годовая")
    assert found_here.unit.location == b2
    assert lost.unit.location == main  # reported, left where the journal says
    assert journal.check_stock(session) == []
