"""Estimates: VAT-inclusive lines rounded to the kopeck, sending for approval, the customer's answer,
and warranty revised to paid holding the work until the customer approves."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from servicecenter.accounts.roles import Role
from servicecenter.errors import PermissionDenied, StateConflict, ValidationFailed
from servicecenter.pricing.models import LabourItem
from servicecenter.repairs import estimates
from servicecenter.repairs.estimate_models import EstimateState, LineKind
from servicecenter.repairs.handover import amount_due
from servicecenter.repairs.models import EventKind, Outcome, Payer, RepairEvent, initial_payer
from servicecenter.repairs.services import apply_transition, decide_warranty
from servicecenter.repairs.states import RepairState
from servicecenter.stock import journal
from servicecenter.stock.models import MoveReason, Part, PartRequest, Reservation


def _events(session, order) -> list[RepairEvent]:  # noqa: ANN001
    return list(session.scalars(select(RepairEvent).where(RepairEvent.order_id == order.id).order_by(RepairEvent.id)))


def make_part(session, price: str = "1500.00", sku: str | None = None) -> Part:  # noqa: ANN001
    n = session.scalar(select(func.count()).select_from(Part)) + 1
    part = Part(sku=sku or f"P-{n:05d}", name=f"Плата управления {n}", price=Decimal(price))
    session.add(part)
    session.flush()
    return part


def receive_stock(session, center, part: Part, qty: int) -> None:  # noqa: ANN001
    journal.move_parts(session, None, part, qty, source=None, target=center.locations[0],
                       reason=MoveReason.RECEIPT)


@pytest.fixture
def center(factory):  # noqa: ANN001, ANN201
    return factory.center("EST")


@pytest.fixture
def engineer(factory, center):  # noqa: ANN001, ANN201
    return factory.staff(center, Role.ENGINEER)


@pytest.fixture
def labour(session) -> LabourItem:  # noqa: ANN001
    item = LabourItem(code="L-DIAG", name="Замена платы", price=Decimal("999.99"), vat_rate=Decimal("20"))
    session.add(item)
    session.flush()
    return item


@pytest.mark.parametrize(("qty", "price", "rate", "net", "vat", "gross"), [
    ("1", "1200.00", "20", "1000.00", "200.00", "1200.00"),
    ("1", "999.99", "20", "833.32", "166.67", "999.99"),  # 166.665 → 166.67 (half up)
    ("3", "0.35", "20", "0.87", "0.18", "1.05"),  # 0.175 → 0.18
    ("1.5", "1000.00", "20", "1250.00", "250.00", "1500.00"),  # hours of labour
    ("2", "500.00", "0", "1000.00", "0.00", "1000.00"),  # a partner center without VAT
    ("1", "110.00", "10", "100.00", "10.00", "110.00"),
])
def test_line_amounts_extract_vat_from_the_price_and_round_to_the_kopeck(qty, price, rate, net, vat, gross) -> None:  # noqa: ANN001
    amounts = estimates.line_amounts(Decimal(qty), Decimal(price), Decimal(rate))
    assert (amounts.net, amounts.vat, amounts.gross) == (Decimal(net), Decimal(vat), Decimal(gross))
    assert amounts.net + amounts.vat == amounts.gross


def test_totals_are_the_sum_of_rounded_lines(session, factory, center, engineer, labour) -> None:  # noqa: ANN001
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    part = make_part(session, "0.35")
    estimates.add_line(session, engineer, order, kind=LineKind.PART, part=part, quantity=3)
    estimates.add_line(session, engineer, order, kind=LineKind.LABOUR, labour_item=labour, quantity="1")
    estimates.add_line(session, engineer, order, kind="free", description="Чистка", quantity="1",
                       unit_price="100,005")  # typed with a comma; the price is rounded to the kopeck first
    estimate = estimates.current_estimate(session, order)
    assert [ln.gross for ln in estimate.lines] == [Decimal("1.05"), Decimal("999.99"), Decimal("100.01")]
    assert estimate.gross == Decimal("1101.05")
    assert estimate.vat == Decimal("0.18") + Decimal("166.67") + Decimal("16.67")
    assert estimate.net + estimate.vat == estimate.gross
    assert estimate.state == EstimateState.DRAFT and estimate.version == 1


@pytest.mark.parametrize(("kw", "field"), [
    ({"kind": "part", "quantity": "1"}, "part"),
    ({"kind": "labour", "quantity": "1"}, "labour_item"),
    ({"kind": "free", "quantity": "1", "unit_price": "10"}, "description"),
    ({"kind": "free", "quantity": "0", "unit_price": "10", "description": "x"}, "quantity"),
    ({"kind": "free", "quantity": "-2", "unit_price": "10", "description": "x"}, "quantity"),
    ({"kind": "free", "quantity": "abc", "unit_price": "10", "description": "x"}, "quantity"),
    ({"kind": "free", "quantity": "1", "unit_price": "-5", "description": "x"}, "unit_price"),
    ({"kind": "free", "quantity": "1", "unit_price": "NaN", "description": "x"}, "unit_price"),
    ({"kind": "free", "quantity": "1", "unit_price": "1e30", "description": "x"}, "unit_price"),
    ({"kind": "free", "quantity": "1", "unit_price": "1", "description": "x", "vat_rate": "120"}, "vat_rate"),
    ({"kind": "bogus", "quantity": "1"}, "kind"),
])
def test_bad_lines_are_refused_and_nothing_is_written(session, factory, center, engineer, kw, field) -> None:  # noqa: ANN001
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    with pytest.raises(ValidationFailed) as err:
        estimates.add_line(session, engineer, order, **kw)
    assert field in err.value.errors
    assert estimates.current_estimate(session, order) is None


def test_a_part_line_is_priced_from_the_catalogue_in_whole_pieces(session, factory, center, engineer) -> None:  # noqa: ANN001
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    part = make_part(session, "2400.00")
    line = estimates.add_line(session, engineer, order, kind="part", part=part, quantity="2", unit_price="1")
    assert line.unit_price == Decimal("2400.00") and line.gross == Decimal("4800.00")  # the typed price is ignored
    with pytest.raises(ValidationFailed):
        estimates.add_line(session, engineer, order, kind="part", part=part, quantity="1.5")


def test_sending_moves_the_order_to_awaiting_approval_with_one_event(session, factory, center, engineer, labour) -> None:  # noqa: ANN001
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    estimates.add_line(session, engineer, order, kind="labour", labour_item=labour, quantity="2")
    before = len(_events(session, order))
    estimate = estimates.send_estimate(session, engineer, order, diagnosis="Пробит конденсатор")
    assert order.state == RepairState.AWAITING_APPROVAL
    assert order.estimate_total == Decimal("1999.98") and order.diagnosis == "Пробит конденсатор"
    assert estimate.state == EstimateState.SENT and estimate.sent_at is not None
    new = [e for e in _events(session, order)[before:] if e.kind != EventKind.DEADLINE]  # deadlines may pause
    assert [(e.kind, e.to_value) for e in new] == [(EventKind.STATE, "awaiting_approval")]
    assert new[0].details["estimate_total"] == "1999.98"


def test_an_empty_estimate_is_not_sent(session, factory, center, engineer) -> None:  # noqa: ANN001
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    with pytest.raises(ValidationFailed):
        estimates.send_estimate(session, engineer, order)
    assert order.state == RepairState.DIAGNOSIS


def test_a_sent_estimate_is_frozen(session, factory, center, engineer, labour) -> None:  # noqa: ANN001
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    line = estimates.add_line(session, engineer, order, kind="labour", labour_item=labour, quantity="1")
    estimates.send_estimate(session, engineer, order)
    with pytest.raises(StateConflict):
        estimates.add_line(session, engineer, order, kind="labour", labour_item=labour, quantity="1")
    with pytest.raises(StateConflict):
        estimates.remove_line(session, engineer, order, line.id)
    assert len(estimates.current_estimate(session, order).lines) == 1


def test_another_estimate_is_a_new_version_and_the_sent_one_stays(session, factory, center, engineer, labour) -> None:  # noqa: ANN001
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    estimates.add_line(session, engineer, order, kind="labour", labour_item=labour, quantity="3")
    first = estimates.send_estimate(session, engineer, order)
    operator = factory.staff(center, Role.CALL_CENTER)
    estimates.ask_new_estimate(session, operator, order, via="phone", note="Дорого")
    assert order.state == RepairState.DIAGNOSIS and first.state == EstimateState.SUPERSEDED
    cheaper = estimates.current_estimate(session, order)
    line = cheaper.lines[0] if cheaper.version > 1 else None
    assert line is None  # no new version until a line changes
    estimates.add_line(session, engineer, order, kind="free", description="Скидка не предусмотрена", quantity="1",
                       unit_price="0")
    second = estimates.current_estimate(session, order)
    assert second.version == 2 and len(second.lines) == 2  # a copy of version 1's lines plus the new one
    estimates.remove_line(session, engineer, order, second.lines[0].id)
    assert second.gross == Decimal("0.00") and first.gross == Decimal("2999.97")
    # no approval yet: the work may not start behind the customer's back
    with pytest.raises(ValidationFailed):
        apply_transition(session, order, RepairState.IN_REPAIR, engineer)


def _sent(session, factory, center, engineer, labour):  # noqa: ANN001, ANN202
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    estimates.add_line(session, engineer, order, kind="labour", labour_item=labour, quantity="1")
    estimates.send_estimate(session, engineer, order)
    return order


@pytest.mark.parametrize("role", [Role.CALL_CENTER, Role.INTAKE, Role.ENGINEER, Role.TEAM_LEAD])
def test_approval_twice_is_one_event(session, factory, center, engineer, labour, role) -> None:  # noqa: ANN001
    order = _sent(session, factory, center, engineer, labour)
    voice = factory.staff(center, role)
    before = len(_events(session, order))
    first = estimates.record_answer(session, voice, order, approved=True, via="phone")
    assert first.recorded and order.state == RepairState.IN_REPAIR and order.approved is True
    after_first, version = len(_events(session, order)), order.version
    again = estimates.record_answer(session, voice, order, approved=True, via="phone")
    assert not again.recorded and "already" in again.message
    assert len(_events(session, order)) == after_first and order.version == version  # nothing written
    new = [e for e in _events(session, order)[before:] if e.kind == EventKind.STATE]
    assert len(new) == 1 and new[0].details == {"action": "approve", "via": "phone"}
    estimate = estimates.current_estimate(session, order)
    assert estimate.state == EstimateState.APPROVED and estimate.answered_via == "phone"


def test_the_answer_needs_the_channel_and_a_role_that_speaks_for_the_customer(session, factory, center, engineer,
                                                                             labour) -> None:  # noqa: ANN001
    order = _sent(session, factory, center, engineer, labour)
    with pytest.raises(ValidationFailed):
        estimates.record_answer(session, engineer, order, approved=True, via="pigeon")
    with pytest.raises(PermissionDenied):
        estimates.record_answer(session, factory.staff(center, Role.WAREHOUSE), order, approved=True, via="phone")
    other = factory.center("OTH")
    with pytest.raises(PermissionDenied):
        estimates.record_answer(session, factory.staff(other, Role.INTAKE), order, approved=True, via="phone")
    assert order.state == RepairState.AWAITING_APPROVAL


def test_refusal_makes_the_order_ready_with_outcome_refused_and_nothing_to_pay(session, factory, center, engineer,
                                                                              labour) -> None:  # noqa: ANN001
    order = _sent(session, factory, center, engineer, labour)
    answer = estimates.record_answer(session, factory.staff(center, Role.INTAKE), order, approved=False,
                                     via="in_person", note="Купит новый")
    assert answer.recorded and order.state == RepairState.READY_FOR_PICKUP
    assert order.outcome == Outcome.REFUSED and order.approved is False and order.outcome_note == "Купит новый"
    assert amount_due(order) == Decimal("0.00")
    assert estimates.current_estimate(session, order).state == EstimateState.DECLINED
    assert _events(session, order)[-1].details["via"] == "in_person"
    assert not estimates.record_answer(session, engineer, order, approved=False, via="phone").recorded
    with pytest.raises(StateConflict):  # approving after a refusal is a conflict, not a silent no-op
        estimates.record_answer(session, engineer, order, approved=True, via="phone")


def test_an_approved_estimate_is_what_the_counter_takes_at_hand_back(session, factory, center, engineer,
                                                                    labour) -> None:  # noqa: ANN001
    order = _sent(session, factory, center, engineer, labour)
    estimates.record_answer(session, engineer, order, approved=True, via="email")
    apply_transition(session, order, RepairState.READY_FOR_PICKUP, engineer, outcome="repaired")
    assert amount_due(order) == Decimal("999.99")


def test_approval_reserves_the_estimates_parts_or_waits_for_them(session, factory, center, engineer) -> None:  # noqa: ANN001
    in_stock, missing = make_part(session), make_part(session)
    receive_stock(session, center, in_stock, 5)
    receive_stock(session, center, missing, 1)
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    estimates.add_line(session, engineer, order, kind="part", part=in_stock, quantity="2")
    estimates.add_line(session, engineer, order, kind="part", part=missing, quantity="3")
    estimates.send_estimate(session, engineer, order)
    answer = estimates.record_answer(session, factory.staff(center, Role.CALL_CENTER), order, approved=True,
                                     via="phone")
    assert answer.target == RepairState.AWAITING_PARTS and order.state == RepairState.AWAITING_PARTS
    held = {(r.part_id, r.quantity) for r in session.scalars(select(Reservation).where(Reservation.order_id == order.id))}
    assert held == {(in_stock.id, 2), (missing.id, 1)}
    request = session.scalars(select(PartRequest).where(PartRequest.order_id == order.id)).one()
    assert (request.part_id, request.quantity) == (missing.id, 2)


def test_warranty_revised_to_paid_blocks_repair_until_the_customer_approves(session, factory, center, engineer,
                                                                           labour) -> None:  # noqa: ANN001
    order = factory.order(center, state=RepairState.DIAGNOSIS, warranty_covered=True, order_type="warranty")
    assert initial_payer(order.order_type, order.warranty_covered) == Payer.MANUFACTURER
    decide_warranty(session, order, engineer, covered=False, reason="Следы вскрытия, залит жидкостью")
    assert initial_payer(order.order_type, order.warranty_covered) == Payer.CUSTOMER
    for target in (RepairState.IN_REPAIR, RepairState.AWAITING_PARTS):
        with pytest.raises(ValidationFailed) as err:
            apply_transition(session, order, target, engineer)
        assert "approval" in str(err.value)
    assert order.state == RepairState.DIAGNOSIS
    estimates.add_line(session, engineer, order, kind="labour", labour_item=labour, quantity="1")
    estimates.send_estimate(session, engineer, order)
    estimates.record_answer(session, factory.staff(center, Role.INTAKE), order, approved=True, via="phone")
    assert order.state == RepairState.IN_REPAIR


@pytest.mark.parametrize("state", [RepairState.IN_REPAIR, RepairState.AWAITING_PARTS])
def test_warranty_revised_to_paid_during_repair_stops_the_work(session, factory, center, engineer, labour,
                                                             state) -> None:  # noqa: ANN001
    order = factory.order(center, state=state, warranty_covered=True, order_type="warranty")
    version = order.version
    decide_warranty(session, order, engineer, covered=False, reason="Залит жидкостью, гарантия снята")
    # The decision stops the repair itself: back to diagnosis, one warranty event and one state event.
    assert order.state == RepairState.DIAGNOSIS and order.version == version + 1
    kinds = [(e.kind, e.to_value, e.details.get("action")) for e in order.events[-2:]]
    assert kinds == [(EventKind.WARRANTY, "paid", None), (EventKind.STATE, "diagnosis", "stop_for_estimate")]
    assert order.events[-1].details.get("reason") == "Залит жидкостью, гарантия снята"
    for target in (RepairState.IN_REPAIR, RepairState.AWAITING_PARTS):
        with pytest.raises(ValidationFailed):
            apply_transition(session, order, target, engineer)
    estimates.add_line(session, engineer, order, kind="labour", labour_item=labour, quantity="1")
    estimates.send_estimate(session, engineer, order)
    estimates.record_answer(session, factory.staff(center, Role.CALL_CENTER), order, approved=True, via="phone")
    assert order.state == RepairState.IN_REPAIR and order.approved is True


def test_finish_and_parts_arrival_wait_for_the_approval(session, factory, center, engineer) -> None:  # noqa: ANN001
    # However the order got there (an older revision, data from before this rule), no work is finished
    # on a paid order the customer has not approved.
    repairing = factory.order(center, state=RepairState.IN_REPAIR)
    waiting = factory.order(center, state=RepairState.AWAITING_PARTS)
    for order in (repairing, waiting):
        order.approval_required, order.approved = True, None
    with pytest.raises(ValidationFailed) as err:
        apply_transition(session, repairing, RepairState.READY_FOR_PICKUP, engineer, outcome="repaired",
                         outcome_note="Заменён блок питания")
    assert "approval" in str(err.value)
    with pytest.raises(ValidationFailed):
        apply_transition(session, waiting, RepairState.IN_REPAIR, factory.staff(center, Role.WAREHOUSE))
    assert (repairing.state, waiting.state) == (RepairState.IN_REPAIR, RepairState.AWAITING_PARTS)
    # Stopping for an estimate is only for that case.
    plain = factory.order(center, state=RepairState.IN_REPAIR)
    with pytest.raises(ValidationFailed):
        apply_transition(session, plain, RepairState.DIAGNOSIS, engineer, reason="просто так")
    assert plain.state == RepairState.IN_REPAIR


def test_warranty_restored_lifts_the_hold_and_a_counter_decision_sets_none(session, factory, center,
                                                                         engineer) -> None:  # noqa: ANN001
    order = factory.order(center, state=RepairState.DIAGNOSIS, warranty_covered=True, order_type="warranty")
    decide_warranty(session, order, engineer, covered=False, reason="Вскрыт")
    decide_warranty(session, order, factory.staff(center, Role.TEAM_LEAD), covered=True, reason="Пломбы целы")
    apply_transition(session, order, RepairState.IN_REPAIR, engineer)
    received = factory.order(center)
    decide_warranty(session, received, factory.staff(center, Role.INTAKE), covered=False, reason="Истёк срок")
    assert received.approval_required is False


def test_approval_waits_for_parts_already_requested(session, factory, center, engineer, labour) -> None:  # noqa: ANN001
    from servicecenter.stock.services import request_shortage

    order = _sent(session, factory, center, engineer, labour)
    request_shortage(session, engineer, order, make_part(session), 1)  # asked for while the customer decides
    assert order.state == RepairState.AWAITING_APPROVAL
    answer = estimates.record_answer(session, engineer, order, approved=True, via="phone")
    assert answer.target == RepairState.AWAITING_PARTS == order.state


def test_two_people_recording_the_approval_at_once_write_one_event(committed_database) -> None:  # noqa: ANN001
    """PostgreSQL: the call center and the counter press "approved" at the same moment."""
    import threading

    from servicecenter.accounts.models import User
    from servicecenter.repairs.queries import get_order_by_number
    from tests.factories import Factory

    if committed_database.engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): two open write transactions cannot exist")
    with committed_database.unit_of_work() as s:
        f = Factory(s)
        center = f.center("APR")
        item = LabourItem(code="L-APR", name="Работа", price=Decimal("100"))
        s.add(item)
        s.flush()
        order = f.order(center, state=RepairState.DIAGNOSIS)
        engineer = f.staff(center, Role.ENGINEER)
        estimates.add_line(s, engineer, order, kind="labour", labour_item=item, quantity="1")
        estimates.send_estimate(s, engineer, order)
        number, version = order.number, order.version
        voices = [f.staff(center, Role.CALL_CENTER).id, f.staff(center, Role.INTAKE).id]

    barrier, results = threading.Barrier(2), []

    def approve(user_id: int) -> None:
        session = committed_database.session()
        try:
            o, user = get_order_by_number(session, number), session.get(User, user_id)
            barrier.wait(timeout=30)
            results.append(estimates.record_answer(session, user, o, approved=True, via="phone",
                                                   expected_version=version).recorded)
            session.commit()
        except Exception as exc:  # noqa: BLE001 -- shown in the assertion below
            results.append(repr(exc))
        finally:
            session.close()

    threads = [threading.Thread(target=approve, args=(v,)) for v in voices]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results, key=str) == [False, True]
    with committed_database.unit_of_work() as s:
        o = get_order_by_number(s, number)
        approvals = [e for e in _events(s, o) if e.kind == EventKind.STATE and e.details.get("action") == "approve"]
        assert o.state == RepairState.IN_REPAIR and len(approvals) == 1
