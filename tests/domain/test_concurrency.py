"""Optimistic concurrency: of two conflicting updates one wins, the other is told clearly."""

from __future__ import annotations

import threading

import pytest

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.errors import ConcurrentUpdate, StateConflict
from servicecenter.repairs.models import EventKind, RepairOrder
from servicecenter.repairs.queries import get_order_by_number, list_order_history
from servicecenter.repairs.services import apply_transition, assign_engineer
from servicecenter.repairs.states import RepairState
from tests.factories import Factory


def test_an_action_on_what_a_user_saw_is_refused_after_someone_else_changed_it(committed_database) -> None:  # noqa: ANN001
    """The web pattern: two people load the order page; each posts with the version they saw."""
    with committed_database.unit_of_work() as s:
        f = Factory(s)
        center = f.center("OCV")
        number = f.order(center).number
        engineer_id, lead_id = f.staff(center, Role.ENGINEER).id, f.staff(center, Role.TEAM_LEAD).id
    with committed_database.unit_of_work() as s:
        seen_by_both = get_order_by_number(s, number).version

    with committed_database.unit_of_work() as s:  # the engineer's POST
        apply_transition(s, get_order_by_number(s, number), RepairState.DIAGNOSIS, s.get(User, engineer_id),
                         expected_version=seen_by_both)
    with pytest.raises(ConcurrentUpdate) as err, committed_database.unit_of_work() as s:  # the lead's POST
        assign_engineer(s, get_order_by_number(s, number), s.get(User, engineer_id), s.get(User, lead_id),
                        expected_version=seen_by_both)
    assert number in str(err.value)
    with committed_database.unit_of_work() as s:
        order = get_order_by_number(s, number)
        assert order.state == RepairState.DIAGNOSIS and order.engineer_id is None
        assert [e.kind for e in list_order_history(s, order)] == [EventKind.CREATED, EventKind.STATE]


def test_second_of_two_open_sessions_gets_a_conflict(committed_database) -> None:  # noqa: ANN001
    """Two transactions hold the same row at once (PostgreSQL; SQLite lets one writer in at a time)."""
    if committed_database.engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): two open write transactions cannot exist")
    with committed_database.unit_of_work() as s:
        f = Factory(s)
        center = f.center("OCC")
        number = f.order(center).number
        engineer_id, lead_id = f.staff(center, Role.ENGINEER).id, f.staff(center, Role.TEAM_LEAD).id

    first, second = committed_database.session(), committed_database.session()
    try:
        a, b = get_order_by_number(first, number), get_order_by_number(second, number)
        apply_transition(first, a, RepairState.DIAGNOSIS, first.get(User, engineer_id))
        first.commit()
        with pytest.raises(ConcurrentUpdate) as err:
            assign_engineer(second, b, second.get(User, engineer_id), second.get(User, lead_id))
        assert number in str(err.value)
        second.rollback()
    finally:
        first.close()
        second.close()
    with committed_database.unit_of_work() as s:
        order = get_order_by_number(s, number)
        assert order.state == RepairState.DIAGNOSIS and order.engineer_id is None


def test_two_engineers_taking_one_order_at_once(committed_database) -> None:  # noqa: ANN001
    with committed_database.unit_of_work() as s:
        f = Factory(s)
        center = f.center("TKE")
        number = f.order(center).number
        engineers = [f.user(center, Role.ENGINEER).id for _ in range(2)]

    barrier, results = threading.Barrier(2), {}

    def take(engineer_id: int) -> None:
        session = committed_database.session()
        barrier.wait(timeout=30)
        try:
            order = get_order_by_number(session, number)
            apply_transition(session, order, RepairState.DIAGNOSIS, session.get(User, engineer_id))
            session.commit()
            results[engineer_id] = "won"
        except (ConcurrentUpdate, StateConflict):
            # PostgreSQL: both read "received", the second UPDATE matches no row (ConcurrentUpdate).
            # SQLite: the second waits for the first and then sees "diagnosis" (StateConflict).
            session.rollback()
            results[engineer_id] = "conflict"
        finally:
            session.close()

    threads = [threading.Thread(target=take, args=(e,)) for e in engineers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values()) == ["conflict", "won"]
    with committed_database.unit_of_work() as s:
        order = s.query(RepairOrder).filter_by(number=number).one()
        assert order.state == RepairState.DIAGNOSIS
        assert [e.kind for e in list_order_history(s, order)].count(EventKind.STATE) == 1
