"""A unit back soon after a repair is a repeat repair: decided when it is received, kept on the order
(the failures report and its drill count these), whichever center took the earlier order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from servicecenter import scoping
from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.centers.models import CenterKind, ServiceCenter
from servicecenter.customers.models import Customer
from servicecenter.equipment.models import Unit
from servicecenter.repairs import services as repair_services
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.services import apply_transition, create_order
from servicecenter.repairs.states import RepairState as S
from servicecenter.scoping import Scope, set_scope

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def clock(monkeypatch):  # noqa: ANN001, ANN201
    moment = {"now": T0}
    monkeypatch.setattr(repair_services, "utcnow", lambda: moment["now"])
    return moment


def repaired(factory, center, unit, clock, ready: datetime) -> RepairOrder:  # noqa: ANN001
    order = factory.order(center, S.RECEIVED, unit=unit)
    clock["now"] = ready
    bench = factory.staff(center, Role.ENGINEER)
    apply_transition(factory.session, order, S.DIAGNOSIS, bench)
    apply_transition(factory.session, order, S.IN_REPAIR, bench, diagnosis="Замена платы")
    apply_transition(factory.session, order, S.READY_FOR_PICKUP, bench, outcome="repaired", outcome_note="Готово")
    return order


@pytest.mark.parametrize("days_later, repeat", [(30, True), (89, True), (91, False)])
def test_a_unit_received_within_90_days_of_a_finished_repair_repeats_it(factory, session, clock, days_later,
                                                                         repeat) -> None:  # noqa: ANN001
    msk = factory.center("MSK")
    unit = factory.unit()
    first = repaired(factory, msk, unit, clock, T0 + 2 * DAY)
    clock["now"] = T0 + 2 * DAY + days_later * DAY
    again = factory.order(msk, S.RECEIVED, unit=unit)
    assert again.repeat_of_id == (first.id if repeat else None)
    assert first.repeat_of_id is None
    # The order carries the unit's brand and model as received.
    assert (again.manufacturer_id, again.model_id) == (unit.manufacturer_id, unit.model_id)


def test_an_unfinished_earlier_order_or_another_unit_is_no_repeat(factory, session, clock) -> None:  # noqa: ANN001
    msk = factory.center("MSK")
    unit = factory.unit()
    factory.order(msk, S.RECEIVED, unit=unit)  # still in work: never became ready
    repaired(factory, msk, factory.unit(), clock, T0 + DAY)  # another unit
    clock["now"] = T0 + 10 * DAY
    assert factory.order(msk, S.RECEIVED, unit=unit).repeat_of_id is None


def test_a_pre_registered_visit_is_checked_when_the_unit_arrives(factory, session, clock) -> None:  # noqa: ANN001
    msk = factory.center("MSK")
    unit = factory.unit()
    first = repaired(factory, msk, unit, clock, T0 + DAY)
    clock["now"] = T0 + 5 * DAY
    visit = factory.order(msk, S.REGISTERED)
    assert visit.repeat_of_id is None and visit.model_id is None  # no unit yet
    clock["now"] = T0 + 8 * DAY
    visit.put_unit(unit)
    apply_transition(session, visit, S.RECEIVED, factory.staff(msk, Role.INTAKE))
    assert visit.repeat_of_id == first.id and visit.model_id == unit.model_id


def test_a_partner_receiving_a_unit_repaired_elsewhere_in_the_network_sees_the_repeat(
        bound_db, factory, session, clock) -> None:  # noqa: ANN001
    """The earlier order is behind the partner's wall; the repeat is still found (only its id is kept)."""
    msk, kzn = factory.center("MSK"), factory.center("KZN", kind=CenterKind.PARTNER)
    unit = factory.unit()
    first = repaired(factory, msk, unit, clock, T0 + DAY)
    customer = factory.customer()
    partner = factory.staff(kzn, Role.PARTNER)
    session.commit()
    clock["now"] = T0 + 20 * DAY
    with bound_db.session() as walled:
        set_scope(walled, Scope(kzn.id))
        with scoping.lifted(walled):
            args = dict(center=walled.get(ServiceCenter, kzn.id), customer=walled.get(Customer, customer.id),
                        unit=walled.get(Unit, unit.id))
        order = create_order(walled, walled.get(User, partner.id), fault="Снова не греет", **args)
        assert walled.get(RepairOrder, first.id) is None  # the earlier order itself stays hidden
        assert order.repeat_of_id == first.id
