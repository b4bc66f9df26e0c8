"""Two clerks at the same moment (PostgreSQL): one dispatch, one set of moves; one unit, one shipment."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.centers.models import Location, LocationKind, ServiceCenter
from servicecenter.errors import DomainError, StateConflict
from servicecenter.repairs.models import EventKind, RepairEvent, RepairOrder
from servicecenter.shipments.dispatch import dispatch_shipment
from servicecenter.shipments.models import ItemState, ShipmentState
from servicecenter.shipments.queries import get_shipment
from servicecenter.shipments.receiving import complete_receipt, receive_scanned
from servicecenter.shipments.services import add_scanned, create_shipment
from servicecenter.stock import journal
from servicecenter.stock.models import MoveReason, StockMove
from tests.factories import Factory


def _race(database, clerk_ids: list[int], work: Callable) -> dict[int, str]:  # noqa: ANN001
    """Run `work(session, clerk)` in one thread per clerk, started together; each commits or rolls back."""
    barrier, results = threading.Barrier(len(clerk_ids)), {}

    def run(index: int, clerk_id: int) -> None:
        session = database.session()
        try:
            clerk = session.get(User, clerk_id)
            prepared = work(session, clerk, index)
            barrier.wait(timeout=30)
            prepared()
            session.commit()
            results[index] = "won"
        except DomainError as exc:
            session.rollback()
            results[index] = str(exc)
        finally:
            session.close()

    threads = [threading.Thread(target=run, args=(i, cid)) for i, cid in enumerate(clerk_ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def _setup(database, units: int):  # noqa: ANN001, ANN202
    with database.unit_of_work() as s:
        f = Factory(s)
        a, b = f.center("SHA"), f.center("SHB")
        wh_a = next(loc for loc in a.locations if loc.kind == LocationKind.WAREHOUSE)
        wh_b = next(loc for loc in b.locations if loc.kind == LocationKind.WAREHOUSE)
        numbers = []
        for _ in range(units):
            order = f.order(a)
            if order.unit.location_id != wh_a.id:
                journal.move_unit(s, None, order.unit, wh_a, MoveReason.INTAKE)
            numbers.append(order.number)
        clerks = [f.user(a, Role.LOGISTICS).id, f.user(a, Role.LOGISTICS).id]
        return wh_a.id, wh_b.id, numbers, clerks


def test_two_clerks_dispatch_one_shipment_at_the_same_moment(committed_database) -> None:  # noqa: ANN001
    if committed_database.engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers: two open write transactions cannot race")
    wh_a, wh_b, numbers, clerks = _setup(committed_database, 3)
    with committed_database.unit_of_work() as s:
        clerk = s.get(User, clerks[0])
        shipment = create_shipment(s, clerk, origin=s.get(Location, wh_a), destination=s.get(Location, wh_b))
        for number in numbers:
            add_scanned(s, clerk, shipment, number)
        shipment_number = shipment.number

    def work(session, clerk, index):  # noqa: ANN001, ANN202
        shipment = get_shipment(session, shipment_number)
        assert shipment.state == ShipmentState.OPEN  # both saw it open
        return lambda: dispatch_shipment(session, clerk, shipment, carrier=f"Перевозчик {index}")

    results = _race(committed_database, clerks, work)
    assert sorted(results.values())[-1] == "won" and list(results.values()).count("won") == 1
    loser = next(r for r in results.values() if r != "won")
    assert "already dispatched" in loser
    with committed_database.unit_of_work() as s:
        shipment = get_shipment(s, shipment_number)
        assert shipment.state == ShipmentState.DISPATCHED
        moves = s.scalar(select(func.count()).select_from(StockMove).where(StockMove.shipment_id == shipment.id))
        assert moves == 3
        transit = s.scalar(select(func.count()).select_from(Location).where(Location.kind == LocationKind.TRANSIT))
        assert transit == 1
        events = s.scalar(select(func.count()).select_from(RepairEvent).join(RepairOrder)
                          .where(RepairOrder.number.in_(numbers), RepairEvent.kind == EventKind.LOCATION,
                                 RepairEvent.to_value == shipment.transit_location.code))
        assert events == 3
        assert journal.check_stock(s) == []


def test_two_clerks_put_one_unit_on_two_shipments_at_the_same_moment(committed_database) -> None:  # noqa: ANN001
    if committed_database.engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers: two open write transactions cannot race")
    wh_a, wh_b, numbers, clerks = _setup(committed_database, 1)
    with committed_database.unit_of_work() as s:
        clerk = s.get(User, clerks[0])
        shipments = [create_shipment(s, clerk, origin=s.get(Location, wh_a), destination=s.get(Location, wh_b)).number
                     for _ in clerks]

    def work(session, clerk, index):  # noqa: ANN001, ANN202
        shipment = get_shipment(session, shipments[index])
        return lambda: add_scanned(session, clerk, shipment, numbers[0])

    results = _race(committed_database, clerks, work)
    assert list(results.values()).count("won") == 1
    loser = next(r for r in results.values() if r != "won")
    assert "already on shipment" in loser


def test_two_clerks_finish_one_receipt_at_the_same_moment(committed_database) -> None:  # noqa: ANN001
    if committed_database.engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers: two open write transactions cannot race")
    wh_a, wh_b, numbers, clerks = _setup(committed_database, 2)
    with committed_database.unit_of_work() as s:
        clerk = s.get(User, clerks[0])
        shipment = create_shipment(s, clerk, origin=s.get(Location, wh_a), destination=s.get(Location, wh_b))
        for number in numbers:
            add_scanned(s, clerk, shipment, number)
        dispatch_shipment(s, clerk, shipment, carrier="ПЭК")
        shipment_number, center_b = shipment.number, shipment.to_center_id
        receivers = [Factory(s).user(s.get(ServiceCenter, center_b), Role.WAREHOUSE).id for _ in range(2)]

    def work(session, clerk, index):  # noqa: ANN001, ANN202
        shipment = get_shipment(session, shipment_number, with_items=False)
        return lambda: complete_receipt(session, clerk, shipment)

    results = _race(committed_database, receivers, work)
    assert list(results.values()).count("won") == 1
    assert "already received" in next(r for r in results.values() if r != "won")
    with committed_database.unit_of_work() as s:
        shipment = get_shipment(s, shipment_number)
        assert shipment.state == ShipmentState.RECEIVED
        assert [i.state for i in shipment.items] == [ItemState.MISSING, ItemState.MISSING]


def test_two_clerks_scan_the_same_arrived_unit_at_the_same_moment(committed_database) -> None:  # noqa: ANN001
    if committed_database.engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers: two open write transactions cannot race")
    wh_a, wh_b, numbers, clerks = _setup(committed_database, 1)
    with committed_database.unit_of_work() as s:
        clerk = s.get(User, clerks[0])
        shipment = create_shipment(s, clerk, origin=s.get(Location, wh_a), destination=s.get(Location, wh_b))
        add_scanned(s, clerk, shipment, numbers[0])
        dispatch_shipment(s, clerk, shipment, carrier="ПЭК")
        shipment_number = shipment.number
        receivers = [Factory(s).user(s.get(ServiceCenter, shipment.to_center_id), Role.WAREHOUSE).id
                     for _ in range(2)]

    added = []

    def work(session, clerk, index):  # noqa: ANN001, ANN202
        shipment = get_shipment(session, shipment_number)
        return lambda: added.append(receive_scanned(session, clerk, shipment, numbers[0]).added)

    results = _race(committed_database, receivers, work)
    # They take turns on the shipment: the first accepts the unit, the second is told it already was.
    assert list(results.values()) == ["won", "won"] and sorted(added) == [False, True]
    with committed_database.unit_of_work() as s:
        shipment = get_shipment(s, shipment_number)
        moves = s.scalar(select(func.count()).select_from(StockMove).where(
            StockMove.shipment_id == shipment.id, StockMove.to_location_id == wh_b))
        assert moves == 1 and shipment.items[0].state == ItemState.RECEIVED
        assert journal.check_stock(s) == []


def _open_with(database, clerk_id: int, wh_a: int, wh_b: int, numbers: list[str]) -> str:  # noqa: ANN001
    with database.unit_of_work() as s:
        clerk = s.get(User, clerk_id)
        shipment = create_shipment(s, clerk, origin=s.get(Location, wh_a), destination=s.get(Location, wh_b))
        for number in numbers:
            add_scanned(s, clerk, shipment, number)
        return shipment.number


def test_a_clerk_dispatching_from_a_page_loaded_before_anothers_dispatch_is_told_it_is_dispatched(
        committed_database) -> None:  # noqa: ANN001
    """The second clerk's request read the shipment (open, its units on the shelf) just before the first
    one's dispatch committed: it is told the shipment is already dispatched (409), not that its units
    have left the warehouse, and nothing moves twice."""
    if committed_database.engine.dialect.name == "sqlite":
        pytest.skip("SQLite's first read takes the one write lock: no request reads before another's commit")
    wh_a, wh_b, numbers, clerks = _setup(committed_database, 2)
    shipment_number = _open_with(committed_database, clerks[0], wh_a, wh_b, numbers)
    late = committed_database.session()
    try:
        stale = get_shipment(late, shipment_number)
        assert stale.state == ShipmentState.OPEN and all(i.unit.location_id == wh_a for i in stale.items)
        with committed_database.unit_of_work() as s:
            dispatch_shipment(s, s.get(User, clerks[0]), get_shipment(s, shipment_number), carrier="ПЭК")
        with pytest.raises(StateConflict, match="already dispatched"):
            dispatch_shipment(late, late.get(User, clerks[1]), stale, carrier="СДЭК")
    finally:
        late.rollback()
        late.close()
    with committed_database.unit_of_work() as s:
        shipment = get_shipment(s, shipment_number)
        assert shipment.carrier == "ПЭК"
        assert s.scalar(select(func.count()).select_from(StockMove).where(StockMove.shipment_id == shipment.id)) == 2


def test_a_scan_into_a_shipment_dispatched_meanwhile_is_refused_and_adds_no_line(committed_database) -> None:  # noqa: ANN001
    """A clerk's scan page still shows the shipment open, but a colleague dispatched it a moment ago: the
    next unit scanned is refused (the shipment is not open any more) instead of joining a shipment that
    has left without it."""
    if committed_database.engine.dialect.name == "sqlite":
        pytest.skip("SQLite's first read takes the one write lock: no request reads before another's commit")
    wh_a, wh_b, numbers, clerks = _setup(committed_database, 2)
    shipment_number = _open_with(committed_database, clerks[0], wh_a, wh_b, numbers[:1])
    late = committed_database.session()
    try:
        stale = get_shipment(late, shipment_number)
        assert stale.state == ShipmentState.OPEN
        with committed_database.unit_of_work() as s:
            dispatch_shipment(s, s.get(User, clerks[0]), get_shipment(s, shipment_number), carrier="ПЭК")
        with pytest.raises(StateConflict):
            add_scanned(late, late.get(User, clerks[1]), stale, numbers[1])
    finally:
        late.rollback()
        late.close()
    with committed_database.unit_of_work() as s:
        shipment = get_shipment(s, shipment_number)
        assert [i.order.number for i in shipment.items] == numbers[:1]
        order = s.scalar(select(RepairOrder).where(RepairOrder.number == numbers[1]))
        assert order.unit.location_id == wh_a  # still on the shelf, free for the next shipment
