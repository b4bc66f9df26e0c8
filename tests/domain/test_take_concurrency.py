"""Two engineers take the same order at the same moment: one gets it, the other is told who has it."""

from __future__ import annotations

import threading

import pytest

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.errors import StateConflict
from servicecenter.repairs.models import EventKind
from servicecenter.repairs.queries import get_order_by_number, list_order_history
from servicecenter.repairs.states import RepairState
from servicecenter.repairs.work import take_order
from tests.factories import Factory


def test_two_engineers_take_one_order_at_the_same_moment(committed_database) -> None:  # noqa: ANN001
    if committed_database.engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers: two open write transactions cannot race")
    with committed_database.unit_of_work() as s:
        f = Factory(s)
        center = f.center("TKC")
        number = f.order(center).number
        engineers = {f.user(center, Role.ENGINEER, name=name).id: name for name in ("Анна", "Борис")}

    # Both sessions read the order as received and unassigned before either writes.
    sessions = {eid: committed_database.session() for eid in engineers}
    orders = {eid: get_order_by_number(sess, number) for eid, sess in sessions.items()}
    assert all(o.state == RepairState.RECEIVED and o.engineer_id is None for o in orders.values())
    barrier, results = threading.Barrier(2), {}

    def take(engineer_id: int) -> None:
        session = sessions[engineer_id]
        try:
            me = session.get(User, engineer_id)
            barrier.wait(timeout=30)
            take_order(session, me, orders[engineer_id])
            session.commit()
            results[engineer_id] = "won"
        except StateConflict as exc:
            session.rollback()
            results[engineer_id] = str(exc)
        finally:
            session.close()

    threads = [threading.Thread(target=take, args=(eid,)) for eid in engineers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    winner = next(eid for eid, result in results.items() if result == "won")
    loser = next(eid for eid in engineers if eid != winner)
    assert results[loser] == f"Order {number} is already taken by {engineers[winner]}"
    with committed_database.unit_of_work() as s:
        order = get_order_by_number(s, number)
        assert order.state == RepairState.DIAGNOSIS and order.engineer_id == winner
        kinds = [e.kind for e in list_order_history(s, order)]
        assert kinds == [EventKind.CREATED, EventKind.ASSIGNMENT, EventKind.STATE]
