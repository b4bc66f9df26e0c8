"""Handing a unit back: exactly what is due is taken, the order is issued, the unit is with its customer."""

from __future__ import annotations

from decimal import Decimal

import pytest

from servicecenter.accounts.roles import Role
from servicecenter.errors import StateConflict, ValidationFailed
from servicecenter.repairs.handover import amount_due, issue_to_customer, prints_conclusion
from servicecenter.repairs.models import EventKind
from servicecenter.repairs.services import apply_transition
from servicecenter.repairs.states import RepairState


def _paid_and_ready(factory, center):  # noqa: ANN001, ANN202
    order = factory.order(center, state=RepairState.AWAITING_APPROVAL)  # estimate 3500.00
    apply_transition(factory.session, order, RepairState.IN_REPAIR, factory.staff(center, Role.CALL_CENTER))
    apply_transition(factory.session, order, RepairState.READY_FOR_PICKUP, factory.staff(center, Role.ENGINEER),
                     outcome="repaired", outcome_note="Заменён насос")
    return order


def test_paid_work_is_handed_back_against_exact_payment(session, factory) -> None:  # noqa: ANN001
    center = factory.center()
    order = _paid_and_ready(factory, center)
    clerk = factory.staff(center, Role.INTAKE)
    assert amount_due(order) == Decimal("3500.00")
    for paid, method in [("3000", "cash"), ("3500", ""), ("", "card"), ("abc", "cash")]:
        nested = session.begin_nested()
        with pytest.raises(ValidationFailed):
            issue_to_customer(session, clerk, order, amount_paid=paid, payment_method=method)
        nested.rollback()
        assert order.state == RepairState.READY_FOR_PICKUP
    issue_to_customer(session, clerk, order, amount_paid="3 500,00", payment_method="card")
    assert order.state == RepairState.ISSUED and order.amount_paid == Decimal("3500.00")
    assert order.unit.location.code == "CUSTOMER"
    kinds = [e.kind for e in order.events][-3:]
    assert kinds == [EventKind.FIELD, EventKind.STATE, EventKind.LOCATION]


def test_warranty_and_refused_repairs_cost_nothing(session, factory) -> None:  # noqa: ANN001
    center = factory.center()
    refused = factory.order(center, state=RepairState.READY_FOR_PICKUP)  # closed as unrepairable
    assert amount_due(refused) == 0 and prints_conclusion(refused)
    issue_to_customer(session, factory.staff(center, Role.INTAKE), refused)
    assert refused.state == RepairState.ISSUED and refused.amount_paid is None


def test_only_a_ready_unit_is_handed_back(session, factory) -> None:  # noqa: ANN001
    center = factory.center()
    order = factory.order(center, state=RepairState.IN_REPAIR)
    with pytest.raises(StateConflict):
        issue_to_customer(session, factory.staff(center, Role.INTAKE), order)
    assert order.state == RepairState.IN_REPAIR


def test_the_customers_counter_hands_back_a_unit_back_from_a_partner_at_the_version_it_saw(session, factory) -> None:  # noqa: ANN001
    """The form carries the version the clerk saw; the routed order's checks on the way must not count as a change."""
    from servicecenter.centers.models import CenterKind
    from servicecenter.errors import ConcurrentUpdate
    from servicecenter.repairs import routing
    from servicecenter.shipments.dispatch import dispatch_shipment
    from servicecenter.shipments.receiving import receive_scanned
    from servicecenter.shipments.services import add_scanned, create_shipment

    msk, kzn = factory.center(), factory.center(kind=CenterKind.PARTNER)
    model = factory.model()
    kzn.brands.append(model.manufacturer)
    order = factory.order(msk, state=RepairState.DIAGNOSIS, unit=factory.unit(model), order_type="warranty",
                          warranty_covered=True)
    clerk, logistics, partner = (factory.staff(msk, Role.INTAKE), factory.staff(msk, Role.LOGISTICS),
                                 factory.staff(kzn, Role.PARTNER))
    routing.route_to_center(session, clerk, order, kzn)
    for sender, receiver, origin, destination in ((logistics, partner, msk, kzn), (partner, logistics, kzn, msk)):
        if origin is kzn:
            apply_transition(session, order, RepairState.IN_REPAIR, partner, diagnosis="Замена ТЭНа")
            apply_transition(session, order, RepairState.READY_FOR_PICKUP, partner, outcome="repaired")
        shipment = create_shipment(session, sender, origin=origin.locations[0], destination=destination.locations[0])
        add_scanned(session, sender, shipment, order.unit.serial)
        dispatch_shipment(session, sender, shipment, carrier="СДЭК")
        receive_scanned(session, receiver, shipment, order.unit.serial)
    session.expire_all()  # a new request: nothing of the order is loaded yet
    seen = order.version
    nested = session.begin_nested()
    with pytest.raises(ConcurrentUpdate):
        issue_to_customer(session, clerk, order, expected_version=seen - 1)
    nested.rollback()
    session.expire_all()
    issue_to_customer(session, clerk, order, expected_version=seen)
    assert order.state == RepairState.ISSUED and order.unit.location.code == "CUSTOMER"
