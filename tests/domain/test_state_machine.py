"""Every (source, target) pair of states × every role: the table's answer, and nothing else."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select

from servicecenter.accounts.roles import PARTNER_ROLES, Role
from servicecenter.centers.models import CenterKind
from servicecenter.errors import ConcurrentUpdate, PermissionDenied, StateConflict, ValidationFailed
from servicecenter.repairs.models import EventKind, RepairEvent
from servicecenter.repairs.services import apply_transition, create_order
from servicecenter.repairs.states import TRANSITIONS, RepairState, get_transition, path_to, transitions_from
from servicecenter.repairs.walk import SAMPLE_FIELDS

PAIRS = list(itertools.product(RepairState, RepairState))


def _events(session, order) -> int:  # noqa: ANN001
    return session.scalar(select(func.count()).select_from(RepairEvent).where(RepairEvent.order_id == order.id))


def _fields_for(source: RepairState, target: RepairState) -> dict:
    t = get_transition(source, target)
    fields = dict(SAMPLE_FIELDS.get(t.action, {})) if t else {"reason": "x", "outcome": "repaired",
                                                                 "estimate_total": "10", "outcome_note": "x"}
    if t and t.action == "close_without_repair":
        fields["outcome"] = "refused"
    return fields


@pytest.mark.parametrize(("source", "target"), PAIRS, ids=[f"{s.value}->{t.value}" for s, t in PAIRS])
def test_every_pair_for_every_role(session, factory, source, target) -> None:  # noqa: ANN001
    own = factory.center("OWN")
    partner = factory.center("PRT", kind=CenterKind.PARTNER)
    orders = {False: factory.order(own, state=source), True: factory.order(partner, state=source)}
    for order in orders.values():
        if order.unit_id is None:  # a pre-registered visit whose unit the counter has recorded
            order.unit_id = factory.unit(owner=order.customer).id
        order.approval_required = source in (RepairState.IN_REPAIR, RepairState.AWAITING_PARTS) \
            and target == RepairState.DIAGNOSIS  # stop_for_estimate: a warranty order revised to paid
    edge = get_transition(source, target)
    for role in Role:
        order = orders[role in PARTNER_ROLES]
        user = factory.staff(partner if role in PARTNER_ROLES else own, role)
        before_events, before_version = _events(session, order), order.version
        nested = session.begin_nested()
        if edge is None:
            with pytest.raises(StateConflict) as err:
                apply_transition(session, order, target, user, **_fields_for(source, target))
            assert err.value.current == source.value
            assert set(err.value.allowed) == {t.target.value for t in transitions_from(source, role)}
        elif role not in edge.roles:
            with pytest.raises(PermissionDenied):
                apply_transition(session, order, target, user, **_fields_for(source, target))
        else:
            apply_transition(session, order, target, user, **_fields_for(source, target))
            assert order.state == target
            assert order.version == before_version + 1
            last = session.scalars(select(RepairEvent).where(RepairEvent.order_id == order.id)
                                   .order_by(RepairEvent.id.desc())).first()
            assert (last.kind, last.from_value, last.to_value, last.actor_id) == (
                EventKind.STATE, source.value, target.value, user.id)
            nested.rollback()
            session.expire_all()
            continue
        # refused: nothing changed, no event written
        assert order.state == source
        assert _events(session, order) == before_events
        nested.rollback()
        session.expire_all()


def test_table_has_no_dead_states_and_final_states_are_final() -> None:
    for state in RepairState:
        if state in (RepairState.ISSUED, RepairState.CANCELLED):
            assert transitions_from(state) == []
        else:
            assert transitions_from(state), f"{state} has no way out"
    for state in set(RepairState) - {RepairState.REGISTERED}:
        assert path_to(state, RepairState.REGISTERED)  # every state is reachable from a phone call
    assert all(t.roles for t in TRANSITIONS.values())


def test_unknown_target_is_a_validation_error(session, factory) -> None:  # noqa: ANN001
    center = factory.center()
    order = factory.order(center)
    with pytest.raises(ValidationFailed):
        apply_transition(session, order, "repaired-by-magic", factory.staff(center, Role.ENGINEER))
    assert order.state == RepairState.RECEIVED


@pytest.mark.parametrize(("source", "target", "fields", "field"), [
    (RepairState.IN_REPAIR, RepairState.READY_FOR_PICKUP, {}, "outcome"),
    (RepairState.IN_REPAIR, RepairState.READY_FOR_PICKUP, {"outcome": "refused"}, "outcome"),
    (RepairState.DIAGNOSIS, RepairState.READY_FOR_PICKUP, {"outcome": "repaired", "outcome_note": "x"}, "outcome"),
    (RepairState.DIAGNOSIS, RepairState.READY_FOR_PICKUP, {"outcome": "unrepairable"}, "outcome_note"),
    (RepairState.DIAGNOSIS, RepairState.AWAITING_APPROVAL, {}, "estimate_total"),
    (RepairState.DIAGNOSIS, RepairState.AWAITING_APPROVAL, {"estimate_total": "-5"}, "estimate_total"),
    (RepairState.DIAGNOSIS, RepairState.AWAITING_APPROVAL, {"estimate_total": "abc"}, "estimate_total"),
    (RepairState.DIAGNOSIS, RepairState.AWAITING_APPROVAL, {"estimate_total": "NaN"}, "estimate_total"),
    (RepairState.DIAGNOSIS, RepairState.AWAITING_APPROVAL, {"estimate_total": "1e30"}, "estimate_total"),
    (RepairState.RECEIVED, RepairState.CANCELLED, {"reason": "   "}, "reason"),
    (RepairState.AWAITING_APPROVAL, RepairState.READY_FOR_PICKUP, {"outcome": "repaired"}, "outcome"),
])
def test_guards_refuse_missing_or_wrong_fields(session, factory, source, target, fields, field) -> None:  # noqa: ANN001
    center = factory.center()
    order = factory.order(center, state=source)
    events = _events(session, order)
    with pytest.raises(ValidationFailed) as err:
        apply_transition(session, order, target, factory.staff(center, Role.TEAM_LEAD), **fields)
    assert field in err.value.errors
    assert order.state == source and _events(session, order) == events


def test_registered_order_needs_its_unit_before_it_is_received(session, factory) -> None:  # noqa: ANN001
    center = factory.center()
    order = factory.order(center, state=RepairState.REGISTERED)
    with pytest.raises(ValidationFailed) as err:
        apply_transition(session, order, RepairState.RECEIVED, factory.staff(center, Role.INTAKE))
    assert "unit" in err.value.errors
    order.unit_id = factory.unit(owner=order.customer).id
    apply_transition(session, order, RepairState.RECEIVED, factory.staff(center, Role.INTAKE))
    assert order.state == RepairState.RECEIVED and order.received_at is not None


def test_fields_not_belonging_to_the_edge_are_ignored(session, factory) -> None:  # noqa: ANN001
    center = factory.center()
    order = factory.order(center, state=RepairState.IN_REPAIR)
    apply_transition(session, order, RepairState.READY_FOR_PICKUP, factory.staff(center, Role.ENGINEER),
                     outcome="repaired", outcome_note="ok", estimate_total="999", state="issued", center_id=999)
    assert order.state == RepairState.READY_FOR_PICKUP
    assert order.estimate_total is None and order.center_id == center.id


def test_staff_of_another_center_may_not_touch_the_order(session, factory) -> None:  # noqa: ANN001
    msk, spb = factory.center("MSK1"), factory.center("SPB1")
    order = factory.order(msk)
    with pytest.raises(PermissionDenied):
        apply_transition(session, order, RepairState.DIAGNOSIS, factory.staff(spb, Role.ENGINEER))
    assert order.state == RepairState.RECEIVED
    # the head office's admin and the call center work network-wide
    apply_transition(session, order, RepairState.DIAGNOSIS, factory.staff(spb, Role.ADMIN))
    assert order.state == RepairState.DIAGNOSIS


def test_stale_version_is_refused(session, factory) -> None:  # noqa: ANN001
    center = factory.center()
    order = factory.order(center)
    with pytest.raises(ConcurrentUpdate):
        apply_transition(session, order, RepairState.DIAGNOSIS, factory.staff(center, Role.ENGINEER),
                         expected_version=order.version - 1)
    assert order.state == RepairState.RECEIVED


def test_order_side_effects(session, factory) -> None:  # noqa: ANN001
    center = factory.center()
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    engineer, clerk = factory.staff(center, Role.ENGINEER), factory.staff(center, Role.CALL_CENTER)
    apply_transition(session, order, RepairState.AWAITING_APPROVAL, engineer, estimate_total="4 500,50",
                     diagnosis="Заменить насос")
    assert str(order.estimate_total) == "4500.50" and order.diagnosis == "Заменить насос" and order.approved is None
    apply_transition(session, order, RepairState.READY_FOR_PICKUP, clerk, outcome="refused",
                     outcome_note="Дорого")
    assert order.approved is False and order.ready_at is not None and order.outcome == "refused"
    apply_transition(session, order, RepairState.ISSUED, factory.staff(center, Role.INTAKE))
    assert order.issued_at is not None


def test_only_counter_roles_create_orders_and_call_center_only_pre_registers(session, factory) -> None:  # noqa: ANN001
    center = factory.center()
    customer = factory.customer()
    with pytest.raises(PermissionDenied):
        create_order(session, factory.staff(center, Role.CALL_CENTER), center=center, customer=customer,
                     unit=factory.unit(), fault="Шумит")
    order = create_order(session, factory.staff(center, Role.CALL_CENTER), center=center, customer=customer,
                         unit=None, fault="Шумит", pre_register=True)
    assert order.state == RepairState.REGISTERED and order.received_at is None
    for role in (Role.ENGINEER, Role.WAREHOUSE, Role.LOGISTICS, Role.TEAM_LEAD):
        with pytest.raises(PermissionDenied):
            create_order(session, factory.staff(center, role), center=center, customer=customer,
                         unit=factory.unit(), fault="Шумит")
