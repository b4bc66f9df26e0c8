"""History: every operation leaves its event; the application can neither change nor delete one."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from servicecenter.accounts.roles import Role
from servicecenter.errors import ValidationFailed
from servicecenter.repairs.history import HistoryIsImmutable
from servicecenter.repairs.models import EventKind, RepairEvent
from servicecenter.repairs.queries import list_order_history, list_unit_history
from servicecenter.repairs.services import add_comment, apply_transition, assign_engineer, decide_warranty
from servicecenter.repairs.states import RepairState


def test_every_operation_writes_its_event(session, factory) -> None:  # noqa: ANN001
    center = factory.center()
    lead, engineer = factory.staff(center, Role.TEAM_LEAD), factory.staff(center, Role.ENGINEER)
    order = factory.order(center)
    assign_engineer(session, order, engineer, lead)
    decide_warranty(session, order, factory.staff(center, Role.INTAKE), covered=False, reason="Следы вскрытия")
    apply_transition(session, order, RepairState.DIAGNOSIS, engineer)
    add_comment(session, order, factory.staff(center, Role.CALL_CENTER), "Клиент звонил, ждёт звонка")
    history = list_order_history(session, order)
    assert [(e.kind, e.from_value, e.to_value) for e in history] == [
        (EventKind.CREATED, None, "received"),
        (EventKind.ASSIGNMENT, None, engineer.name),
        (EventKind.WARRANTY, None, "paid"),
        (EventKind.STATE, "received", "diagnosis"),
        (EventKind.COMMENT, None, None),
    ]
    assert history[2].details["reason"] == "Следы вскрытия"
    assert history[4].details["text"] == "Клиент звонил, ждёт звонка"
    assert all(e.at.tzinfo is not None and e.at.utcoffset().total_seconds() == 0 for e in history)
    assert [e.actor.role for e in history[1:]] == [Role.TEAM_LEAD, Role.INTAKE, Role.ENGINEER, Role.CALL_CENTER]
    # the unit's history carries the order's events too
    assert {e.id for e in history} <= {e.id for e in list_unit_history(session, order.unit_id)}


def test_assigning_the_same_engineer_again_writes_nothing(session, factory) -> None:  # noqa: ANN001
    center = factory.center()
    order = factory.order(center)
    engineer, lead = factory.staff(center, Role.ENGINEER), factory.staff(center, Role.TEAM_LEAD)
    assign_engineer(session, order, engineer, lead)
    assign_engineer(session, order, engineer, lead)
    assert [e.kind for e in list_order_history(session, order)].count(EventKind.ASSIGNMENT) == 1


def test_events_cannot_be_changed_or_deleted(session, factory) -> None:  # noqa: ANN001
    order = factory.order(factory.center())
    event = list_order_history(session, order)[0]

    nested = session.begin_nested()
    event.to_value = "issued"
    with pytest.raises(HistoryIsImmutable):
        session.flush()
    nested.rollback()

    nested = session.begin_nested()
    session.delete(event)
    with pytest.raises(HistoryIsImmutable):
        session.flush()
    nested.rollback()

    with pytest.raises(HistoryIsImmutable):
        session.execute(update(RepairEvent).where(RepairEvent.order_id == order.id).values(to_value="x"))
    with pytest.raises(HistoryIsImmutable):
        session.execute(delete(RepairEvent).where(RepairEvent.order_id == order.id))
    session.expire_all()
    assert session.scalars(select(RepairEvent.to_value).where(RepairEvent.order_id == order.id)).all() == [
        "received"]


def test_a_refused_operation_leaves_no_event(session, factory) -> None:  # noqa: ANN001
    center = factory.center()
    order = factory.order(center)
    before = len(list_order_history(session, order))
    with pytest.raises(ValidationFailed):
        decide_warranty(session, order, factory.staff(center, Role.INTAKE), covered=True, reason=" ")
    with pytest.raises(ValidationFailed):
        add_comment(session, order, factory.staff(center, Role.INTAKE), "")
    assert len(list_order_history(session, order)) == before


def test_staff_of_another_center_cannot_comment(session, factory) -> None:  # noqa: ANN001
    from servicecenter.errors import PermissionDenied

    order = factory.order(factory.center("MSK"))
    with pytest.raises(PermissionDenied):
        add_comment(session, order, factory.staff(factory.center("SPB"), Role.INTAKE), "чужой комментарий")
    add_comment(session, order, factory.staff(factory.center("HQ"), Role.CALL_CENTER), "звонок клиента")
    assert [e.details.get("text") for e in list_order_history(session, order)][-1] == "звонок клиента"
