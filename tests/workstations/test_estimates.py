"""The estimate, answer and parts sections of the order page, the warehouse's list and the price list
admin over HTTP: each form, each refusal (role, another center, bad numbers) changing nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from servicecenter.accounts.roles import Role
from servicecenter.centers.models import CenterKind
from servicecenter.pricing.models import LabourItem
from servicecenter.repairs import estimates
from servicecenter.repairs.estimate_models import Estimate, EstimateLine, EstimateState
from servicecenter.repairs.models import EventKind, Outcome, RepairEvent
from servicecenter.repairs.states import RepairState
from servicecenter.stock.models import PartRequest, Reservation, ReservationState
from tests.domain.test_estimates import make_part, receive_stock
from tests.factories import csrf_token, login


@pytest.fixture
def center(factory):  # noqa: ANN001, ANN201
    return factory.center("MSE")


@pytest.fixture
def labour(session) -> LabourItem:  # noqa: ANN001
    item = LabourItem(code="L-PCB", name="Замена платы управления", price=Decimal("1800.00"))
    session.add(item)
    session.flush()
    return item


def _as(client, factory, center, role):  # noqa: ANN001, ANN202
    client.delete_cookie("sc_session")
    login(client, factory.staff(center, role).email)


def _token(client, number: str) -> str:  # noqa: ANN001
    r = client.get(f"/orders/{number}")
    assert r.status_code == 200
    return csrf_token(r.get_data(as_text=True))


def _count(session, model) -> int:  # noqa: ANN001
    return session.scalar(select(func.count()).select_from(model))


def _post(client, number: str, path: str, **data):  # noqa: ANN001, ANN202
    return client.post(f"/orders/{number}/{path}", data={"csrf_token": _token(client, number), **data})


def test_engineer_draws_up_and_sends_an_estimate(client, factory, center, labour, session) -> None:  # noqa: ANN001
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    part = make_part(session, "2500.00", sku="PCB-A1")
    part.compatible_models.append(order.unit.model)
    receive_stock(session, center, part, 4)
    session.flush()
    _as(client, factory, center, Role.ENGINEER)
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "L-PCB" in page and 'data-action="request_approval"' in page
    suggestions = page.split('<datalist id="part-suggestions">')[1].split("</datalist>")[0]
    assert 'value="PCB-A1"' in suggestions and "4" in suggestions  # the model's parts, with free stock
    assert _post(client, order.number, "estimate/lines", kind="labour", labour_item_id=labour.id,
                 quantity="1").status_code == 302
    assert _post(client, order.number, "estimate/lines", kind="part", part_code="pcb-a1", quantity="2").status_code == 302
    assert _post(client, order.number, "estimate/lines", kind="free", description="Чистка", quantity="1",
                 unit_price="300,50").status_code == 302
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "7\xa0100,50" in page or "7,100.50" in page  # 1800 + 2×2500 + 300.50, VAT included
    r = _post(client, order.number, "estimate/send", diagnosis="Пробит ключ БП", version=order.version)
    assert r.status_code == 302
    session.refresh(order)
    assert order.state == RepairState.AWAITING_APPROVAL and order.estimate_total == Decimal("7100.50")
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "estimate_add_line" not in page and "/estimate/lines" not in page  # frozen: no more lines


@pytest.mark.parametrize("data", [
    {"kind": "free", "description": "x", "quantity": "abc", "unit_price": "10"},
    {"kind": "free", "description": "x", "quantity": "1", "unit_price": "-10"},
    {"kind": "free", "description": "x", "quantity": "-1", "unit_price": "10"},
    {"kind": "free", "description": "", "quantity": "1", "unit_price": "10"},
    {"kind": "part", "part_code": "NO-SUCH", "quantity": "1"},
    {"kind": "part", "part_code": "", "quantity": "1"},
    {"kind": "labour", "labour_item_id": "999999", "quantity": "1"},
    {"kind": "free", "description": "x", "quantity": "", "unit_price": "10"},
])
def test_bad_lines_are_a_message_and_nothing_is_written(client, factory, center, session, data) -> None:  # noqa: ANN001
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    _as(client, factory, center, Role.ENGINEER)
    r = _post(client, order.number, "estimate/lines", **data)
    assert r.status_code in (404, 422) and 'role="alert"' in r.get_data(as_text=True)
    assert _count(session, EstimateLine) == 0 and _count(session, Estimate) == 0


@pytest.mark.parametrize("role", [Role.WAREHOUSE, Role.CALL_CENTER, Role.INTAKE, Role.LOGISTICS])
def test_only_the_bench_draws_up_estimates(client, factory, center, labour, session, role) -> None:  # noqa: ANN001
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    _as(client, factory, center, role)
    r = _post(client, order.number, "estimate/lines", kind="labour", labour_item_id=labour.id, quantity="1")
    assert r.status_code == 403
    assert _count(session, EstimateLine) == 0


def test_another_center_cannot_touch_the_estimate(client, factory, center, labour, session) -> None:  # noqa: ANN001
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    other = factory.center("OTE")
    _as(client, factory, other, Role.ENGINEER)
    r = client.post(f"/orders/{order.number}/estimate/lines", data={
        "csrf_token": _token(client, order.number), "kind": "labour", "labour_item_id": labour.id, "quantity": "1"})
    assert r.status_code == 403
    partner = factory.center("PTE", kind=CenterKind.PARTNER)
    _as(client, factory, partner, Role.PARTNER)
    assert client.get(f"/orders/{order.number}").status_code == 404  # behind the wall it does not exist
    assert _count(session, EstimateLine) == 0


def _sent(session, factory, center, labour):  # noqa: ANN001, ANN202
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    engineer = factory.staff(center, Role.ENGINEER)
    estimates.add_line(session, engineer, order, kind="labour", labour_item=labour, quantity="1")
    estimates.send_estimate(session, engineer, order)
    return order


@pytest.mark.parametrize("role", [Role.CALL_CENTER, Role.INTAKE])
def test_call_center_and_intake_record_the_approval_once(client, factory, center, labour, session, role) -> None:  # noqa: ANN001
    order = _sent(session, factory, center, labour)
    _as(client, factory, center, role)
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert 'data-action="approve"' in page
    token = csrf_token(page)
    data = {"csrf_token": token, "answer": "approve", "via": "phone", "version": order.version}
    assert client.post(f"/orders/{order.number}/estimate/answer", data=data).status_code == 302
    states_after_first = _count(session, RepairEvent)
    r = client.post(f"/orders/{order.number}/estimate/answer", data=data, follow_redirects=True)
    assert r.status_code == 200 and 'class="flash info"' in r.get_data(as_text=True)  # "already", not an error
    assert _count(session, RepairEvent) == states_after_first
    session.refresh(order)
    assert order.state == RepairState.IN_REPAIR
    events = [e for e in order.events if e.kind == EventKind.STATE and e.to_value == "in_repair"]
    assert len(events) == 1 and events[0].details["via"] == "phone"
    history = client.get(f"/orders/{order.number}").get_data(as_text=True).split('class="list history"')[1]
    assert "по телефону" in history or "by phone" in history  # in words, not the code


def test_the_customer_declines_in_person(client, factory, center, labour, session) -> None:  # noqa: ANN001
    order = _sent(session, factory, center, labour)
    _as(client, factory, center, Role.INTAKE)
    r = _post(client, order.number, "estimate/answer", answer="decline", via="in_person", note="Дорого")
    assert r.status_code == 302
    session.refresh(order)
    assert order.state == RepairState.READY_FOR_PICKUP and order.outcome == Outcome.REFUSED
    assert estimates.current_estimate(session, order).state == EstimateState.DECLINED


def test_the_customer_asks_for_another_estimate(client, factory, center, labour, session) -> None:  # noqa: ANN001
    order = _sent(session, factory, center, labour)
    _as(client, factory, center, Role.CALL_CENTER)
    assert _post(client, order.number, "estimate/answer", answer="revise", via="email").status_code == 302
    session.refresh(order)
    assert order.state == RepairState.DIAGNOSIS
    _as(client, factory, center, Role.ENGINEER)
    _post(client, order.number, "estimate/lines", kind="free", description="Скидка", quantity="1", unit_price="0")
    assert estimates.current_estimate(session, order).version == 2


@pytest.mark.parametrize(("role", "data", "status"), [
    (Role.WAREHOUSE, {"answer": "approve", "via": "phone"}, 403),
    (Role.INTAKE, {"answer": "approve", "via": "fax"}, 422),
    (Role.INTAKE, {"answer": "maybe", "via": "phone"}, 422),
])
def test_bad_answers_change_nothing(client, factory, center, labour, session, role, data, status) -> None:  # noqa: ANN001
    order = _sent(session, factory, center, labour)
    _as(client, factory, center, role)
    assert _post(client, order.number, "estimate/answer", **data).status_code == status
    session.refresh(order)
    assert order.state == RepairState.AWAITING_APPROVAL


def test_reserve_too_many_offers_the_shortage_then_the_warehouse_sees_and_issues(client, factory, center,
                                                                                 session) -> None:  # noqa: ANN001
    part = make_part(session, sku="DRM-9")
    receive_stock(session, center, part, 2)
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    _as(client, factory, center, Role.ENGINEER)
    r = _post(client, order.number, "parts", part_code="DRM-9", quantity="5", action="reserve")
    assert r.status_code == 302 and "short=DRM-9" in r.headers["Location"]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "DRM-9" in page and 'class="flash error"' in page and 'value="request"' in page  # the offer
    assert " 2 " in page.split('class="flash error"')[1].split("</p>")[0]  # the free quantity, in the message
    assert _count(session, Reservation) == 0
    r = _post(client, order.number, "parts", part_code="DRM-9", quantity="5", action="request")
    assert r.status_code == 302
    session.refresh(order)
    assert order.state == RepairState.AWAITING_PARTS
    request = session.scalars(select(PartRequest)).one()
    assert request.quantity == 3
    _as(client, factory, center, Role.WAREHOUSE)
    page = client.get("/warehouse/").get_data(as_text=True)
    assert order.number in page.split('id="part-requests"')[1].split('id="picks"')[0]
    reservation = session.scalars(select(Reservation)).one()
    r = client.post(f"/orders/{order.number}/parts/{reservation.id}/issue",
                    data={"csrf_token": csrf_token(page), "next": "warehouse"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/warehouse/")
    session.refresh(reservation)
    assert reservation.state == ReservationState.ISSUED


def test_parts_refusals(client, factory, center, session) -> None:  # noqa: ANN001
    part = make_part(session, sku="BLT-1")
    receive_stock(session, center, part, 3)
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    _as(client, factory, center, Role.ENGINEER)
    for qty in ("0", "-1", "abc", "99999"):
        assert _post(client, order.number, "parts", part_code="BLT-1", quantity=qty).status_code == 422
    assert _post(client, order.number, "parts", part_code="NOPE", quantity="1").status_code == 404
    _as(client, factory, center, Role.CALL_CENTER)
    assert _post(client, order.number, "parts", part_code="BLT-1", quantity="1").status_code == 403
    _as(client, factory, factory.center("OTP"), Role.ENGINEER)
    assert _post(client, order.number, "parts", part_code="BLT-1", quantity="1").status_code == 403
    assert _count(session, Reservation) == 0


def test_engineer_reserves_and_releases(client, factory, center, session) -> None:  # noqa: ANN001
    part = make_part(session, sku="FLT-2")
    receive_stock(session, center, part, 3)
    order = factory.order(center, state=RepairState.IN_REPAIR)
    _as(client, factory, center, Role.ENGINEER)
    assert _post(client, order.number, "parts", part_code="FLT-2", quantity="2").status_code == 302
    reservation = session.scalars(select(Reservation)).one()
    assert reservation.quantity == 2
    assert _post(client, order.number, f"parts/{reservation.id}/issue").status_code == 403  # the warehouse issues
    assert _post(client, order.number, f"parts/{reservation.id}/release").status_code == 302
    session.refresh(reservation)
    assert reservation.state == ReservationState.RELEASED


def test_admin_keeps_the_labour_price_list(client, factory, center, session) -> None:  # noqa: ANN001
    _as(client, factory, center, Role.ADMIN)
    token = csrf_token(client.get("/admin/prices/new").get_data(as_text=True))
    r = client.post("/admin/prices/new", data={"csrf_token": token, "code": "l-diag", "name": "Диагностика",
                                               "category": "", "price": "1 200,00", "vat_rate": "20", "active": "y"})
    assert r.status_code == 302
    item = session.scalars(select(LabourItem)).one()
    assert (item.code, item.price, item.vat_rate) == ("L-DIAG", Decimal("1200.00"), Decimal("20.00"))
    assert "L-DIAG" in client.get("/admin/prices/").get_data(as_text=True)
    r = client.post(f"/admin/prices/{item.id}/edit", data={"csrf_token": token, "code": "L-DIAG", "name": "Диагностика",
                                                          "price": "-5", "vat_rate": "20"})
    assert r.status_code == 422
    session.refresh(item)
    assert item.price == Decimal("1200.00")
    r = client.post("/admin/prices/new", data={"csrf_token": token, "code": "L-DIAG", "name": "Ещё", "price": "1"})
    assert r.status_code == 422 and _count(session, LabourItem) == 1
    _as(client, factory, center, Role.TEAM_LEAD)
    assert client.get("/admin/prices/").status_code == 403


def test_engineer_revises_warranty_to_paid_and_repair_waits_for_approval(client, factory, center, labour,
                                                                        session) -> None:  # noqa: ANN001
    order = factory.order(center, state=RepairState.DIAGNOSIS, warranty_covered=True, order_type="warranty")
    _as(client, factory, center, Role.ENGINEER)
    assert _post(client, order.number, "warranty", decision="paid", reason="").status_code == 422  # no reason
    session.refresh(order)
    assert order.warranty_covered is True
    r = _post(client, order.number, "warranty", decision="paid", reason="Следы вскрытия", version=order.version)
    assert r.status_code == 302
    session.refresh(order)
    assert order.warranty_covered is False and order.approval_required is True
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "data-approval-missing" in page
    r = client.post(f"/orders/{order.number}/transition", data={
        "csrf_token": csrf_token(page), "to": "in_repair", "version": order.version})
    assert r.status_code == 422  # refused with the way forward: an estimate and the customer's approval
    session.refresh(order)
    assert order.state == RepairState.DIAGNOSIS
    _as(client, factory, center, Role.WAREHOUSE)
    assert _post(client, order.number, "warranty", decision="warranty", reason="x").status_code == 403


def test_revised_to_paid_during_repair_the_page_stops_the_work(client, factory, center, session) -> None:  # noqa: ANN001
    order = factory.order(center, state=RepairState.IN_REPAIR, warranty_covered=True, order_type="warranty")
    _as(client, factory, center, Role.TEAM_LEAD)
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert 'data-submit="warranty"' in page  # the decision can still be revised while in repair
    assert 'data-action="stop_for_estimate"' not in page  # taken by the decision, never a bare button
    r = _post(client, order.number, "warranty", decision="paid", reason="Залит жидкостью", version=order.version)
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "back in diagnosis" in page or "возвращён на диагностику" in page
    session.refresh(order)
    assert order.state == RepairState.DIAGNOSIS and order.approval_required is True
    assert "data-approval-missing" in page


def test_a_removed_part_of_a_warranty_repair_is_kept_for_the_manufacturer(client, factory, center, session) -> None:  # noqa: ANN001
    from servicecenter.stock.models import MoveReason, StockMove

    make_part(session, "900.00", sku="PUMP-OLD")
    warranty = factory.order(center, state=RepairState.IN_REPAIR, warranty_covered=True, order_type="warranty")
    paid = factory.order(center, state=RepairState.IN_REPAIR, warranty_covered=False, order_type="paid")
    _as(client, factory, center, Role.ENGINEER)
    assert 'data-submit="parts-defective"' not in client.get(f"/orders/{paid.number}").get_data(as_text=True)
    r = _post(client, warranty.number, "parts/defective", part_code="pump-old", quantity="1", note="течь сальника")
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert 'data-defective="PUMP-OLD"' in page and "течь сальника" in page
    kept = session.scalars(select(StockMove).where(StockMove.order_id == warranty.id,
                                                   StockMove.reason == MoveReason.DEFECTIVE)).one()
    assert kept.to_location.kind.value == "defective" and kept.quantity == 1
    # a paid repair's old part is the customer's: refused, nothing written
    assert _post(client, paid.number, "parts/defective", part_code="PUMP-OLD", quantity="1").status_code == 422
    assert session.scalar(select(func.count()).select_from(StockMove).where(
        StockMove.order_id == paid.id, StockMove.reason == MoveReason.DEFECTIVE)) == 0
