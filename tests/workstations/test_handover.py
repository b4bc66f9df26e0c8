"""The counter hands a unit back: scan → what is due → payment → issued, and the act prints."""

from __future__ import annotations

from servicecenter.accounts.roles import Role
from servicecenter.repairs.services import apply_transition
from servicecenter.repairs.states import RepairState
from tests.factories import csrf_token, login
from tests.workstations.test_printing_routes import decoded, pdf_pages, pdf_text


def _ready_paid(factory, center):  # noqa: ANN001, ANN202
    order = factory.order(center, state=RepairState.AWAITING_APPROVAL,
                          customer=factory.customer("Белова Ирина Сергеевна"))
    apply_transition(factory.session, order, RepairState.IN_REPAIR, factory.staff(center, Role.CALL_CENTER))
    apply_transition(factory.session, order, RepairState.READY_FOR_PICKUP, factory.staff(center, Role.ENGINEER),
                     outcome="repaired", outcome_note="Заменён насос слива")
    return order


def test_scan_ready_order_pay_issue_and_print_the_act(client, factory, session) -> None:  # noqa: ANN001
    center = factory.center("MSK")
    order = _ready_paid(factory, center)
    login(client, factory.staff(center, Role.INTAKE).email)
    r = client.get("/intake/scan", query_string={"code": order.number.lower()})
    assert r.headers["Location"] == f"/intake/issue/{order.number}"
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "3" in page and "Заменён насос слива" in page
    short = client.post(f"/intake/issue/{order.number}", data={"csrf_token": csrf_token(page), "amount_paid": "100",
                                                              "payment_method": "cash", "version": order.version})
    assert short.status_code == 422 and 'data-field="amount_paid"' in short.get_data(as_text=True)
    session.refresh(order)
    assert order.state == RepairState.READY_FOR_PICKUP
    done = client.post(f"/intake/issue/{order.number}", data={"csrf_token": csrf_token(page),
                                                             "amount_paid": "3500.00", "payment_method": "cash",
                                                             "version": order.version})
    assert done.status_code == 302
    session.refresh(order)
    assert order.state == RepairState.ISSUED and order.unit.location.code == "CUSTOMER"
    act = client.get(f"/orders/{order.number}/act.pdf")
    text = pdf_text(act.data)
    assert "Белова Ирина Сергеевна" in text and order.number in text and "3 500,00" in text
    assert order.number in decoded(pdf_pages(act.data, 200)[0])


def test_an_unrepairable_unit_gets_the_technical_conclusion(client, factory) -> None:  # noqa: ANN001
    center = factory.center("MSK")
    order = factory.order(center, state=RepairState.READY_FOR_PICKUP)  # closed as unrepairable
    login(client, factory.staff(center, Role.INTAKE).email)
    r = client.get(f"/orders/{order.number}/act.pdf")
    text = pdf_text(r.data)
    assert r.status_code == 200 and order.number in text and "Ремонт нецелесообразен" in text


def test_no_act_before_there_is_an_outcome(client, factory) -> None:  # noqa: ANN001
    center = factory.center("MSK")
    order = factory.order(center, state=RepairState.IN_REPAIR)
    login(client, factory.staff(center, Role.INTAKE).email)
    assert client.get(f"/orders/{order.number}/act.pdf").status_code == 409


def test_the_customer_rates_the_repair_at_the_counter(client, factory, session) -> None:  # noqa: ANN001
    center = factory.center("MSK")
    order = factory.order(center, state=RepairState.READY_FOR_PICKUP)  # nothing to pay
    login(client, factory.staff(center, Role.INTAKE).email)
    page = client.get(f"/intake/issue/{order.number}").get_data(as_text=True)
    r = client.post(f"/intake/issue/{order.number}", data={"csrf_token": csrf_token(page), "version": order.version,
                                                          "rating": "5", "rating_comment": "Быстро и вежливо"})
    assert r.status_code == 302
    session.refresh(order)
    assert order.state == RepairState.ISSUED and order.rating == 5 and order.rating_comment == "Быстро и вежливо"
    history = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Клиент оценил ремонт на 5 из 5" in history
