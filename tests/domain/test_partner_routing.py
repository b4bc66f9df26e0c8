"""Routing an order to a partner center and back: who may route, where the unit is, whose deadlines run,
who hands the unit back — and the partner manager's rights over accounts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.accounts.services import add_user, set_active, set_password, update_user
from servicecenter.centers.models import CenterKind, Location, LocationKind, ServiceCenter
from servicecenter.clock import utcnow
from servicecenter.deadlines.calendar import legal_due
from servicecenter.deadlines.models import DeadlineRule
from servicecenter.deadlines.recompute import recompute_center
from servicecenter.errors import PermissionDenied, StateConflict, ValidationFailed
from servicecenter.repairs import routing
from servicecenter.repairs.handover import issue_to_customer
from servicecenter.repairs.models import EventKind
from servicecenter.repairs.services import apply_transition
from servicecenter.repairs.states import RepairState
from servicecenter.shipments.dispatch import dispatch_shipment
from servicecenter.shipments.receiving import receive_scanned
from servicecenter.shipments.services import add_scanned, create_shipment


def main(center: ServiceCenter) -> Location:
    return next(loc for loc in center.locations if loc.kind == LocationKind.WAREHOUSE and loc.is_main)


@pytest.fixture
def net(factory, session):  # noqa: ANN001, ANN201
    msk = factory.center("MSK", city="Москва", region="Москва")
    kzn = factory.center("KZN", kind=CenterKind.PARTNER, city="Казань", region="Татарстан")
    tula = factory.center("TUL", kind=CenterKind.PARTNER, city="Тула", region="Москва")  # same region as MSK
    far = factory.center("NSK", kind=CenterKind.PARTNER, city="Новосибирск", region="Новосибирская область")
    model = factory.model()
    for partner in (kzn, tula):
        partner.brands.append(model.manufacturer)
    # The partner's own rule: two days for diagnosis, ten for the repair.
    session.add(DeadlineRule(center_id=kzn.id, diagnosis_days=2, repair_days=10))
    session.flush()
    order = factory.order(msk, state=RepairState.DIAGNOSIS, unit=factory.unit(model), order_type="warranty")
    return {"msk": msk, "kzn": kzn, "tula": tula, "far": far, "order": order, "model": model,
            "intake": factory.staff(msk, Role.INTAKE), "logistics": factory.staff(msk, Role.LOGISTICS),
            "partner": factory.staff(kzn, Role.PARTNER)}


def _ship(session, sender, origin, destination, serial: str, receiver):  # noqa: ANN001, ANN202
    shipment = create_shipment(session, sender, origin=main(origin), destination=main(destination))
    add_scanned(session, sender, shipment, serial)
    dispatch_shipment(session, sender, shipment, carrier="СДЭК")
    receive_scanned(session, receiver, shipment, serial)
    return shipment


def test_candidates_are_authorised_partners_nearest_first(session, net) -> None:  # noqa: ANN001
    found = routing.partner_candidates(session, net["order"])
    assert [n.center.code for n in found] == ["TUL", "KZN"]  # the region first; NSK lacks the brand
    assert found[0].nearness.value == "region"


def test_the_counter_routes_and_the_clock_waits_for_the_partner(session, net) -> None:  # noqa: ANN001
    order = net["order"]
    legal = order.legal_due
    assert legal is not None
    routing.route_to_center(session, net["intake"], order, net["kzn"])
    assert order.center_id == net["kzn"].id and order.engineer_id is None
    kinds = [e.kind for e in order.events[-2:]]
    assert kinds == [EventKind.ROUTING, EventKind.DEADLINE]
    assert (order.events[-2].from_value, order.events[-2].to_value) == ("MSK", "KZN")
    # the internal clock stands; only the legal limit binds while the unit travels
    assert order.deadline_pause_reason == "routed" and order.due_at == legal
    # logistics sees the unit waiting to go; the partner has nothing to send back yet
    assert [o.number for o in routing.units_to_route(session, net["msk"].id)] == [order.number]
    assert routing.units_to_return(session, net["kzn"].id) == []


@pytest.mark.parametrize("role", [Role.ENGINEER, Role.WAREHOUSE, Role.CALL_CENTER])
def test_only_the_counter_and_the_team_lead_route(session, factory, net, role) -> None:  # noqa: ANN001
    with pytest.raises(PermissionDenied):
        routing.route_to_center(session, factory.staff(net["msk"], role), net["order"], net["kzn"])
    assert net["order"].center_id == net["msk"].id


def test_a_partner_without_the_brand_or_an_own_center_is_refused(session, factory, net) -> None:  # noqa: ANN001
    for target in (net["far"], factory.center("SPB")):
        with pytest.raises(ValidationFailed):
            routing.route_to_center(session, net["intake"], net["order"], target)
    assert net["order"].center_id == net["msk"].id and net["order"].events[-1].kind != EventKind.ROUTING


def test_partner_deadlines_start_on_receipt_by_its_own_rules(session, net) -> None:  # noqa: ANN001
    order = net["order"]
    legal = order.legal_due
    routing.route_to_center(session, net["intake"], order, net["kzn"])
    _ship(session, net["logistics"], net["msk"], net["kzn"], order.unit.serial, net["partner"])
    assert order.deadline_paused_at is None and order.clock_restarted_at is not None
    started = order.clock_restarted_at
    assert utcnow() - started < timedelta(minutes=1)
    # KZN's rule (2 calendar days for diagnosis) counted from the receipt, in KZN's calendar
    assert order.diagnosis_due is not None and timedelta(days=1) < order.diagnosis_due - started <= timedelta(days=3)
    assert order.legal_due == legal  # the customer's legal limit never moves
    assert order.events[-1].kind == EventKind.DEADLINE and order.events[-1].details["params"]["center"] == "KZN"
    # recomputing KZN's deadlines keeps counting from the receipt, not from intake at MSK
    due = order.diagnosis_due
    recompute_center(session, net["kzn"].id, actor=None)
    session.refresh(order)
    assert order.diagnosis_due == due


def test_the_whole_round_trip_and_the_hand_back_at_the_customers_counter(session, factory, net) -> None:  # noqa: ANN001
    order, partner = net["order"], net["partner"]
    routing.route_to_center(session, net["intake"], order, net["kzn"])
    _ship(session, net["logistics"], net["msk"], net["kzn"], order.unit.serial, partner)
    apply_transition(session, order, RepairState.IN_REPAIR, partner, diagnosis="Замена ТЭНа")
    apply_transition(session, order, RepairState.READY_FOR_PICKUP, partner, outcome="repaired", outcome_note="ok")
    assert [o.number for o in routing.units_to_return(session, net["kzn"].id)] == [order.number]
    # the partner does not hand it over: the customer comes to the counter that took the unit in
    with pytest.raises(PermissionDenied):
        issue_to_customer(session, partner, order)
    # before the unit is back, the customer's counter cannot hand it over either
    with pytest.raises(StateConflict):
        issue_to_customer(session, net["intake"], order)
    _ship(session, partner, net["kzn"], net["msk"], order.unit.serial, net["logistics"])
    assert routing.units_to_return(session, net["kzn"].id) == []
    assert [o.number for o in routing.back_for_handover(session, net["msk"].id)] == [order.number]
    # another center's counter may not; the customer's counter may
    with pytest.raises(PermissionDenied):
        issue_to_customer(session, factory.staff(factory.center("SPB"), Role.INTAKE), order)
    issue_to_customer(session, net["intake"], order)
    assert order.state == RepairState.ISSUED and order.center_id == net["kzn"].id  # the partner did the work
    assert routing.back_for_handover(session, net["msk"].id) == []


# --- the partner manager's accounts ------------------------------------------------------------------

@pytest.fixture
def people(factory):  # noqa: ANN001, ANN201
    kzn = factory.center("KZN2", kind=CenterKind.PARTNER)
    ekb = factory.center("EKB2", kind=CenterKind.PARTNER)
    return {"kzn": kzn, "ekb": ekb, "manager": factory.user(kzn, Role.PARTNER_MANAGER),
            "engineer": factory.user(kzn, Role.PARTNER), "other_manager": factory.user(kzn, Role.PARTNER_MANAGER),
            "foreign": factory.user(ekb, Role.PARTNER)}


def test_a_partner_manager_keeps_its_engineers_accounts(session, people) -> None:  # noqa: ANN001
    manager, engineer = people["manager"], people["engineer"]
    new = add_user(session, manager, email="new@kzn.test", name="Новый Мастер", role=Role.PARTNER,
                   center=people["kzn"], password="long-enough-1")
    assert new.role == Role.PARTNER and new.center_id == people["kzn"].id
    update_user(session, manager, engineer, name="Переименован", active=False)
    assert engineer.name == "Переименован" and not engineer.active
    set_active(session, manager, engineer, True)
    old_hash = engineer.password_hash
    set_password(session, manager, engineer, "another-pass-1")
    assert engineer.password_hash != old_hash


def test_a_partner_manager_cannot_rise_or_reach_beyond_its_engineers(session, people) -> None:  # noqa: ANN001
    manager = people["manager"]
    attempts = [
        lambda: add_user(session, manager, email="a@kzn.test", name="x", role=Role.PARTNER_MANAGER,
                         center=people["kzn"], password="long-enough-1"),
        lambda: add_user(session, manager, email="b@ekb.test", name="x", role=Role.PARTNER, center=people["ekb"],
                         password="long-enough-1"),
        lambda: update_user(session, manager, people["engineer"], role=Role.PARTNER_MANAGER),
        lambda: update_user(session, manager, people["engineer"], center=people["ekb"]),
        lambda: update_user(session, manager, people["other_manager"], name="x"),
        lambda: update_user(session, manager, manager, role=Role.PARTNER),
        lambda: set_password(session, manager, people["foreign"], "long-enough-1"),
        lambda: set_active(session, manager, people["other_manager"], False),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    session.expire_all()
    assert session.scalar(select(User).where(User.email.in_(["a@kzn.test", "b@ekb.test"]))) is None
    assert people["engineer"].role == Role.PARTNER and people["engineer"].center_id == people["kzn"].id
    assert people["other_manager"].active


def test_a_partner_engineer_manages_no_accounts(session, people) -> None:  # noqa: ANN001
    with pytest.raises(PermissionDenied):
        add_user(session, people["engineer"], email="c@kzn.test", name="x", role=Role.PARTNER,
                 center=people["kzn"], password="long-enough-1")


def test_legal_limit_counts_in_the_intake_centers_zone(net) -> None:  # noqa: ANN001
    order = net["order"]
    assert order.legal_due == legal_due(order.received_at, net["msk"].timezone)
