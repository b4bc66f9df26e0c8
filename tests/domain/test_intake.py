"""Receiving a unit at the counter: one order, the right warranty, no duplicates, refusals write nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from servicecenter.accounts.roles import Role
from servicecenter.clock import local_date, utcnow
from servicecenter.customers.models import Customer
from servicecenter.equipment.models import Unit
from servicecenter.errors import ValidationFailed
from servicecenter.repairs.intake import IntakeRequest, receive_at_counter
from servicecenter.repairs.models import EventKind, OrderType, RepairOrder
from servicecenter.repairs.states import RepairState

TODAY = date(2026, 11, 23)


@pytest.fixture
def counter(factory):  # noqa: ANN001, ANN201
    center = factory.center("MSK")
    return center, factory.staff(center, Role.INTAKE), factory.model(months=24)


def _count(session, model) -> int:  # noqa: ANN001
    return session.scalar(select(func.count()).select_from(model))


def _req(model, **kw) -> IntakeRequest:  # noqa: ANN001
    base = {"model_id": model.id, "serial": "sn-100 200", "fault": "Не включается", "customer_name": "Петров Пётр",
            "customer_phone": "8 (916) 123-45-67", "purchase_date": date(2025, 3, 14)}
    return IntakeRequest(**{**base, **kw})


def test_a_unit_under_warranty_is_received_with_the_reason(session, counter) -> None:  # noqa: ANN001
    center, clerk, model = counter
    order = receive_at_counter(session, clerk, center, _req(model), TODAY)
    assert order.state == RepairState.RECEIVED and order.number.startswith("MSK-")
    assert order.warranty_covered is True
    assert order.warranty_reason == "Under warranty until 2027-03-14 (24 months from purchase 2025-03-14)"
    assert order.unit.serial == "SN-100200" and order.customer.phone == "+79161234567"
    kinds = [e.kind for e in order.events]
    assert kinds == [EventKind.CREATED, EventKind.WARRANTY]


def test_the_same_serial_and_phone_are_found_not_duplicated(session, counter) -> None:  # noqa: ANN001
    center, clerk, model = counter
    first = receive_at_counter(session, clerk, center, _req(model), TODAY)
    first.state = RepairState.ISSUED  # (only to allow a second visit in this test)
    second = receive_at_counter(session, clerk, center, _req(model, serial=" SN-100200 ",
                                                              customer_name="петров  пётр"), TODAY)
    assert second.unit_id == first.unit_id and second.customer_id == first.customer_id
    assert _count(session, Unit) == 1 and _count(session, Customer) == 1


def test_a_double_submitted_form_makes_one_order(session, counter) -> None:  # noqa: ANN001
    center, clerk, model = counter
    a = receive_at_counter(session, clerk, center, _req(model, idempotency_key="form-123"), TODAY)
    b = receive_at_counter(session, clerk, center, _req(model, idempotency_key="form-123"), TODAY)
    assert a.id == b.id and _count(session, RepairOrder) == 1


@pytest.mark.parametrize(("changes", "field"), [
    ({"purchase_date": TODAY + timedelta(days=1)}, "purchase_date"),
    ({"customer_phone": "позвоните мне"}, "phone"),
    ({"serial": "!!"}, "serial"),
    ({"fault": "  "}, "fault"),
    ({"model_id": 999_999}, "model_id"),
    ({"warranty_override": False, "override_reason": ""}, "override_reason"),
    ({"purchase_date": None}, "warranty_override"),  # nothing to count from: the clerk must decide
    ({"purchase_date": date(2020, 1, 1), "order_type": "warranty"}, "order_type"),
])
def test_bad_input_is_refused_and_nothing_is_written(session, counter, changes, field) -> None:  # noqa: ANN001
    center, clerk, model = counter
    before = (_count(session, RepairOrder), _count(session, Customer), _count(session, Unit))
    nested = session.begin_nested()
    with pytest.raises(ValidationFailed) as err:
        receive_at_counter(session, clerk, center, _req(model, **changes), TODAY)
    nested.rollback()
    assert field in err.value.errors
    assert (_count(session, RepairOrder), _count(session, Customer), _count(session, Unit)) == before


def test_the_clerks_override_and_its_reason_stay_in_history(session, counter) -> None:  # noqa: ANN001
    center, clerk, model = counter
    order = receive_at_counter(session, clerk, center, _req(
        model, warranty_override=False, override_reason="Следы вскрытия, сорвана пломба"), TODAY)
    assert order.warranty_covered is False and order.warranty_reason == "Следы вскрытия, сорвана пломба"
    event = [e for e in order.events if e.kind == EventKind.WARRANTY][0]
    assert event.details["override"] is True
    assert event.details["proposed"].startswith("Under warranty until 2027-03-14")


def test_a_unit_back_soon_after_our_repair_is_a_repeat_repair(session, counter, factory) -> None:  # noqa: ANN001
    center, clerk, model = counter
    first = receive_at_counter(session, clerk, center, _req(model, purchase_date=date(2020, 1, 1),
                                                             warranty_override=False, override_reason="Истёк"), TODAY)
    from servicecenter.repairs.walk import advance_to, role_picker

    advance_to(session, first, RepairState.IN_REPAIR, role_picker({Role.ENGINEER: factory.staff(center, Role.ENGINEER),
                                                                  Role.INTAKE: clerk}))
    advance_to(session, first, RepairState.ISSUED, role_picker({Role.ENGINEER: factory.staff(center, Role.ENGINEER),
                                                               Role.INTAKE: clerk}))
    # The hand-back happened now, so the next intake is on the center's today (not the fixed TODAY:
    # after 21:00 UTC it is already tomorrow in Moscow).
    today = local_date(utcnow(), center.timezone)
    again = receive_at_counter(session, clerk, center, _req(model, purchase_date=date(2020, 1, 1)), today)
    assert again.warranty_covered is True and again.order_type == OrderType.REPEAT
    assert first.number in again.warranty_reason


def test_each_order_type_has_its_own_rules_and_payer(session, counter) -> None:  # noqa: ANN001
    from servicecenter.repairs.models import Payer, initial_payer

    center, clerk, model = counter
    nested = session.begin_nested()
    with pytest.raises(ValidationFailed) as err:  # a pre-sale check names its dealer
        receive_at_counter(session, clerk, center, _req(model, order_type="presale", purchase_date=None), TODAY)
    assert "seller" in err.value.errors
    nested.rollback()
    presale = receive_at_counter(session, clerk, center, _req(model, order_type="presale", purchase_date=None,
                                                               seller="ООО «Техномаркет»", serial="P-1"), TODAY)
    assert presale.warranty_covered is False
    assert initial_payer(presale.order_type, presale.warranty_covered) == Payer.DEALER
    nested = session.begin_nested()
    with pytest.raises(ValidationFailed) as err:  # nothing of ours to be a repeat of
        receive_at_counter(session, clerk, center, _req(model, order_type="repeat", serial="R-1"), TODAY)
    assert "order_type" in err.value.errors
    nested.rollback()
    warranty = receive_at_counter(session, clerk, center, _req(model, order_type="warranty", serial="W-1"), TODAY)
    assert initial_payer(warranty.order_type, warranty.warranty_covered) == Payer.MANUFACTURER
    paid = receive_at_counter(session, clerk, center, _req(model, order_type="paid", serial="C-1",
                                                            warranty_override=False, override_reason="Истёк"), TODAY)
    assert initial_payer(paid.order_type, paid.warranty_covered) == Payer.CUSTOMER


def test_completing_a_pre_registered_visit_receives_it_once(session, counter, factory) -> None:  # noqa: ANN001
    from servicecenter.errors import StateConflict
    from servicecenter.repairs.intake import complete_registration

    center, clerk, model = counter
    visit = factory.order(center, state=RepairState.REGISTERED)
    complete_registration(session, clerk, visit, _req(model, serial="REG-1"), TODAY)
    assert visit.state == RepairState.RECEIVED and visit.received_at is not None
    assert [e.kind for e in visit.events][-2:] == [EventKind.STATE, EventKind.WARRANTY]
    assert visit.unit.location_id == center.locations[0].id  # in the center's warehouse from the first minute
    with pytest.raises(StateConflict):
        complete_registration(session, clerk, visit, _req(model, serial="REG-1"), TODAY)


def test_an_extended_warranty_contract_named_at_the_counter(session, counter, factory) -> None:  # noqa: ANN001
    from servicecenter.customers.models import ContractKind, ServiceContract

    center, clerk, model = counter
    owner = factory.customer("Козлова Анна", phone="+79990002233")
    other = factory.customer("Чужой Клиент", phone="+79990002244")
    for number, customer in (("ДГ-1", owner), ("ДГ-2", other)):
        session.add(ServiceContract(number=number, customer_id=customer.id, kind=ContractKind.EXTENDED_WARRANTY,
                                    valid_from=date(2026, 1, 1), valid_to=date(2028, 12, 31)))
    session.flush()
    kw = {"customer_id": owner.id, "purchase_date": date(2020, 1, 1), "serial": "EXT-1"}
    nested = session.begin_nested()
    with pytest.raises(ValidationFailed) as err:  # another customer's contract does not exist for this one
        receive_at_counter(session, clerk, center, _req(model, contract_number="ДГ-2", **kw), TODAY)
    assert "contract_number" in err.value.errors
    nested.rollback()
    order = receive_at_counter(session, clerk, center, _req(model, contract_number="ДГ-1", **kw), TODAY)
    assert order.warranty_covered is True and "ДГ-1" in order.warranty_reason
    assert order.unit.contract.number == "ДГ-1"


def test_a_model_of_an_inactive_brand_is_not_received(session, counter) -> None:  # noqa: ANN001
    center, clerk, model = counter
    model.manufacturer.active = False
    nested = session.begin_nested()
    with pytest.raises(ValidationFailed) as err:
        receive_at_counter(session, clerk, center, _req(model), TODAY)
    nested.rollback()
    assert "model_id" in err.value.errors and _count(session, RepairOrder) == 0
