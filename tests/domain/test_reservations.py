"""Parts against stock: free quantity from the journal, reservations, shortages the warehouse sees,
issuing to the bench, releasing, and two reservations racing for the last unit."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.centers.models import Location, LocationKind
from servicecenter.errors import ConcurrentUpdate, PermissionDenied, StateConflict, ValidationFailed
from servicecenter.repairs import estimates
from servicecenter.repairs.models import EventKind, RepairEvent, RepairOrder
from servicecenter.repairs.services import apply_transition, decide_warranty
from servicecenter.repairs.states import RepairState
from servicecenter.stock import journal, queries, services
from servicecenter.stock.models import (
    MoveReason,
    Part,
    PartRequest,
    PartRequestState,
    Reservation,
    ReservationState,
)
from tests.domain.test_estimates import make_part, receive_stock
from tests.factories import Factory


@pytest.fixture
def center(factory):  # noqa: ANN001, ANN201
    return factory.center("RSV")


@pytest.fixture
def engineer(factory, center):  # noqa: ANN001, ANN201
    return factory.staff(center, Role.ENGINEER)


def _count(session, model) -> int:  # noqa: ANN001
    return len(list(session.scalars(select(model))))


def test_free_stock_is_the_journal_minus_active_reservations(session, factory, center, engineer) -> None:  # noqa: ANN001
    part = make_part(session)
    main = center.locations[0]
    shelf = Location(code="RSV-A1", name="Полка A1", kind=LocationKind.SHELF, center_id=center.id, parent_id=main.id)
    scrap = Location(code="RSV-DEF", name="Брак", kind=LocationKind.DEFECTIVE, center_id=center.id)
    session.add_all([shelf, scrap])
    session.flush()
    receive_stock(session, center, part, 10)
    journal.move_parts(session, None, part, 4, source=main, target=shelf, reason=MoveReason.PUT_AWAY)
    # defective parts are not stock to reserve
    journal.move_parts(session, None, part, 1, source=shelf, target=scrap, reason=MoveReason.DEFECTIVE)
    other = factory.center("RSO")
    receive_stock(session, other, part, 50)  # another center's stock does not count
    session.flush()
    assert queries.on_hand_by_location(session, center.id, part.id) == {main.id: 6, shelf.id: 3}
    assert queries.free_quantity(session, center.id, part.id) == 9
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    services.reserve_part(session, engineer, order, part, 7)
    assert queries.free_quantity(session, center.id, part.id) == 2
    held = {(r.location_id, r.quantity) for r in queries.list_order_reservations(session, order)}
    assert held == {(main.id, 6), (shelf.id, 1)}  # the fullest location first, the rest from the next
    assert queries.free_quantity(session, other.id, part.id) == 50


def test_reserving_more_than_is_free_is_refused_with_the_free_quantity(session, factory, center, engineer) -> None:  # noqa: ANN001
    part = make_part(session, sku="PCB-77")
    receive_stock(session, center, part, 2)
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    events_before = _count(session, RepairEvent)
    with pytest.raises(ValidationFailed) as err:
        services.reserve_part(session, engineer, order, part, 3)
    assert err.value.params["free"] == 2 and "Only 2 of PCB-77 free" in str(err.value)
    assert _count(session, Reservation) == 0 and _count(session, RepairEvent) == events_before
    assert order.state == RepairState.DIAGNOSIS


@pytest.mark.parametrize("qty", [0, -1, "abc", "", 1001, "2.5"])
def test_absurd_quantities_are_refused(session, factory, center, engineer, qty) -> None:  # noqa: ANN001
    part = make_part(session)
    receive_stock(session, center, part, 5)
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    with pytest.raises(ValidationFailed):
        services.reserve_part(session, engineer, order, part, qty)
    assert _count(session, Reservation) == 0


def test_who_and_when_may_reserve(session, factory, center, engineer) -> None:  # noqa: ANN001
    part = make_part(session)
    receive_stock(session, center, part, 5)
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    with pytest.raises(PermissionDenied):
        services.reserve_part(session, factory.staff(center, Role.INTAKE), order, part, 1)
    with pytest.raises(PermissionDenied):
        services.reserve_part(session, factory.staff(factory.center("RSX"), Role.ENGINEER), order, part, 1)
    received = factory.order(center)
    with pytest.raises(StateConflict):
        services.reserve_part(session, engineer, received, part, 1)
    assert _count(session, Reservation) == 0


def test_a_shortage_request_waits_for_parts_and_the_warehouse_sees_it(session, factory, center, engineer) -> None:  # noqa: ANN001
    part = make_part(session, sku="MTR-1")
    receive_stock(session, center, part, 1)
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    request = services.request_shortage(session, engineer, order, part, 3)
    assert order.state == RepairState.AWAITING_PARTS
    assert (request.quantity, request.state, request.requested_by_id) == (2, PartRequestState.OPEN, engineer.id)
    assert [r.quantity for r in queries.list_order_reservations(session, order)] == [1]  # the free one is held
    open_requests = queries.list_open_part_requests(session, center.id)
    assert [(p.order_number, p.sku, p.quantity) for p in open_requests] == [(order.number, "MTR-1", 2)]
    assert [(p.order_number, p.quantity) for p in queries.list_active_reservations(session, center.id)] == [
        (order.number, 1)]
    assert queries.list_open_part_requests(session, factory.center("RSY").id) == []
    kinds = [e.kind for e in session.scalars(select(RepairEvent).where(RepairEvent.order_id == order.id))]
    assert EventKind.PARTS in kinds


def test_a_shortage_from_repair_goes_back_to_waiting_and_one_in_stock_is_reserved_instead(
        session, factory, center, engineer) -> None:  # noqa: ANN001
    part = make_part(session)
    receive_stock(session, center, part, 1)
    order = factory.order(center, state=RepairState.IN_REPAIR)
    with pytest.raises(ValidationFailed):
        services.request_shortage(session, engineer, order, part, 1)
    services.request_shortage(session, engineer, order, part, 2)
    assert order.state == RepairState.AWAITING_PARTS


def test_a_revised_paid_order_cannot_wait_for_parts_before_approval(session, factory, center, engineer) -> None:  # noqa: ANN001
    part = make_part(session)
    order = factory.order(center, state=RepairState.DIAGNOSIS, warranty_covered=True, order_type="warranty")
    decide_warranty(session, order, engineer, covered=False, reason="Механическое повреждение")
    with pytest.raises(ValidationFailed):
        services.request_shortage(session, engineer, order, part, 1)
    assert _count(session, PartRequest) == 0 and order.state == RepairState.DIAGNOSIS


def test_issuing_consumes_the_reservation_and_leaves_the_journal(session, factory, center, engineer) -> None:  # noqa: ANN001
    part = make_part(session)
    receive_stock(session, center, part, 3)
    order = factory.order(center, state=RepairState.IN_REPAIR)
    [reservation] = services.reserve_part(session, engineer, order, part, 2)
    with pytest.raises(PermissionDenied):
        services.issue_reservation(session, engineer, reservation, order)
    move = services.issue_reservation(session, factory.staff(center, Role.WAREHOUSE), reservation, order)
    assert reservation.state == ReservationState.ISSUED
    assert (move.reason, move.quantity, move.order_id, move.to_location_id) == (MoveReason.ISSUE, 2, order.id, None)
    assert queries.on_hand_by_location(session, center.id, part.id) == {center.locations[0].id: 1}
    assert queries.free_quantity(session, center.id, part.id) == 1
    with pytest.raises(StateConflict):
        services.issue_reservation(session, factory.staff(center, Role.WAREHOUSE), reservation, order)


def test_releasing_by_hand_and_by_cancelling_gives_stock_back(session, factory, center, engineer) -> None:  # noqa: ANN001
    part = make_part(session)
    receive_stock(session, center, part, 2)
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    [reservation] = services.reserve_part(session, engineer, order, part, 1)
    services.release_reservation(session, engineer, reservation, order)
    assert reservation.state == ReservationState.RELEASED and queries.free_quantity(session, center.id, part.id) == 2
    services.request_shortage(session, engineer, order, part, 3)
    assert queries.free_quantity(session, center.id, part.id) == 0
    apply_transition(session, order, RepairState.CANCELLED, factory.staff(center, Role.TEAM_LEAD), reason="Передумал")
    assert queries.free_quantity(session, center.id, part.id) == 2
    assert queries.list_open_part_requests(session, center.id) == []


def test_a_refused_estimate_releases_the_orders_parts(session, factory, center, engineer) -> None:  # noqa: ANN001
    part = make_part(session)
    receive_stock(session, center, part, 1)
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    services.reserve_part(session, engineer, order, part, 1)
    estimates.add_line(session, engineer, order, kind="part", part=part, quantity="1")
    estimates.send_estimate(session, engineer, order)
    estimates.record_answer(session, engineer, order, approved=False, via="phone")
    assert queries.free_quantity(session, center.id, part.id) == 1


def test_two_reservations_racing_for_the_last_unit(committed_database) -> None:  # noqa: ANN001
    """PostgreSQL: both transactions are open at once; the part's row lock makes the second wait and
    then see the first one's reservation."""
    if committed_database.engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): two open write transactions cannot exist")
    with committed_database.unit_of_work() as s:
        f = Factory(s)
        center = f.center("RAC")
        part = Part(sku="RACE-1", name="Последняя плата", price=100)
        s.add(part)
        s.flush()
        journal.move_parts(s, None, part, 1, source=None, target=center.locations[0], reason=MoveReason.RECEIPT)
        numbers = [f.order(center, state=RepairState.DIAGNOSIS).number for _ in range(2)]
        engineer_id, part_id = f.staff(center, Role.ENGINEER).id, part.id

    barrier, results = threading.Barrier(2), {}

    def reserve(number: str) -> None:
        session = committed_database.session()
        try:
            order = session.scalars(select(RepairOrder).where(RepairOrder.number == number)).one()
            actor, part = session.get(User, engineer_id), session.get(Part, part_id)
            barrier.wait(timeout=30)
            services.reserve_part(session, actor, order, part, 1)
            session.commit()
            results[number] = "won"
        except (ValidationFailed, ConcurrentUpdate) as exc:
            session.rollback()
            results[number] = f"refused {exc.params.get('free')}"
        finally:
            session.close()

    threads = [threading.Thread(target=reserve, args=(n,)) for n in numbers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values()) == ["refused 0", "won"]
    with committed_database.unit_of_work() as s:
        assert len(list(s.scalars(select(Reservation).where(Reservation.part_id == part_id)))) == 1
        assert queries.free_quantity(s, s.scalars(select(RepairOrder)).first().center_id, part_id) == 0


def test_free_quantities_of_many_parts_match_one_by_one(session, factory, center, engineer) -> None:  # noqa: ANN001
    parts = [make_part(session) for _ in range(3)]
    receive_stock(session, center, parts[0], 4)
    receive_stock(session, center, parts[1], 1)
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    services.reserve_part(session, engineer, order, parts[0], 3)
    ids = [p.id for p in parts]
    assert queries.free_quantities(session, center.id, ids) == {
        p.id: queries.free_quantity(session, center.id, p.id) for p in parts} == {ids[0]: 1, ids[1]: 1, ids[2]: 0}
