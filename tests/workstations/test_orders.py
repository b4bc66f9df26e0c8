"""The shared order page: the buttons the table allows, actions, refusals that change nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from servicecenter.accounts.roles import Role
from servicecenter.centers.models import CenterKind
from servicecenter.repairs.models import EventKind
from servicecenter.repairs.states import RepairState
from tests.factories import csrf_token, login


@pytest.fixture
def center(factory):  # noqa: ANN001, ANN201
    return factory.center("MSK", timezone="Europe/Moscow")


def _page(client, number):  # noqa: ANN001, ANN202
    r = client.get(f"/orders/{number}")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def test_buttons_are_the_edges_the_role_may_take(client, factory, center) -> None:  # noqa: ANN001
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    engineer = factory.staff(center, Role.ENGINEER)
    order.engineer = engineer
    factory.session.flush()
    login(client, engineer.email)
    html = _page(client, order.number)
    for action in ("request_approval", "start_repair", "wait_for_parts"):
        assert f'data-action="{action}"' in html
    assert 'data-action="cancel"' not in html  # engineers do not cancel; team leads do
    # Closing without repair is offered once: in the bench's finish card, with its two outcomes.
    assert 'data-action="close_without_repair"' not in html
    finish = html.split('id="bench-finish"')[1].split("</form>")[0]
    assert 'value="refused"' in finish and 'value="unrepairable"' in finish and 'value="repaired"' not in finish
    client.delete_cookie("sc_session")
    login(client, factory.staff(center, Role.WAREHOUSE).email)
    assert 'class="transition"' not in _page(client, order.number)


def test_engineer_takes_an_order_into_diagnosis(client, factory, center, session) -> None:  # noqa: ANN001
    order = factory.order(center)
    login(client, factory.staff(center, Role.ENGINEER).email)
    html = _page(client, order.number)
    r = client.post(f"/orders/{order.number}/transition", data={
        "csrf_token": csrf_token(html), "to": "diagnosis", "version": order.version})
    assert r.status_code == 302
    session.refresh(order)
    assert order.state == RepairState.DIAGNOSIS
    assert order.events[-1].kind == EventKind.STATE


def test_a_forbidden_transition_is_a_409_with_a_clear_message(client, factory, center, session) -> None:  # noqa: ANN001
    order = factory.order(center)
    login(client, factory.staff(center, Role.INTAKE).email)
    html = _page(client, order.number)
    r = client.post(f"/orders/{order.number}/transition", data={
        "csrf_token": csrf_token(html), "to": "issued", "version": order.version})
    assert r.status_code == 409
    body = r.get_data(as_text=True)
    assert order.number in body and 'role="alert"' in body
    assert "«Принят»" in body or "Принят" in body  # the current state in words, not its code
    assert "received" not in body.split('role="alert"')[1].split("</p>")[0]
    session.refresh(order)
    assert order.state == RepairState.RECEIVED and len(order.events) == 1


def test_a_role_that_may_not_take_the_edge_gets_403(client, factory, center, session) -> None:  # noqa: ANN001
    order = factory.order(center, state=RepairState.READY_FOR_PICKUP)
    login(client, factory.staff(center, Role.ENGINEER).email)
    r = client.post(f"/orders/{order.number}/transition", data={
        "csrf_token": csrf_token(_page(client, order.number)), "to": "issued"})
    assert r.status_code == 403
    session.refresh(order)
    assert order.state == RepairState.READY_FOR_PICKUP


def test_acting_on_an_outdated_page_is_refused(client, factory, center, session) -> None:  # noqa: ANN001
    order = factory.order(center)
    seen = order.version
    login(client, factory.staff(center, Role.TEAM_LEAD).email)
    html = _page(client, order.number)
    r = client.post(f"/orders/{order.number}/assign", data={
        "csrf_token": csrf_token(html), "engineer_id": factory.staff(center, Role.ENGINEER).id, "version": seen})
    assert r.status_code == 302
    r = client.post(f"/orders/{order.number}/transition", data={
        "csrf_token": csrf_token(html), "to": "cancelled", "reason": "дубль", "version": seen})
    assert r.status_code == 409
    session.refresh(order)
    assert order.state == RepairState.RECEIVED and order.engineer_id is not None


def test_missing_operation_fields_are_a_422_and_nothing_changes(client, factory, center, session) -> None:  # noqa: ANN001
    order = factory.order(center, state=RepairState.IN_REPAIR)
    login(client, factory.staff(center, Role.ENGINEER).email)
    r = client.post(f"/orders/{order.number}/transition", data={
        "csrf_token": csrf_token(_page(client, order.number)), "to": "ready_for_pickup", "outcome": "refused"})
    assert r.status_code == 422
    session.refresh(order)
    assert order.state == RepairState.IN_REPAIR


def test_team_lead_assigns_only_engineers_of_the_center(client, factory, center, session) -> None:  # noqa: ANN001
    order = factory.order(center)
    stranger = factory.staff(factory.center("SPB"), Role.ENGINEER)
    login(client, factory.staff(center, Role.TEAM_LEAD).email)
    html = _page(client, order.number)
    assert stranger.name not in html  # not offered
    r = client.post(f"/orders/{order.number}/assign", data={"csrf_token": csrf_token(html),
                                                            "engineer_id": stranger.id})
    assert r.status_code == 422
    session.refresh(order)
    assert order.engineer_id is None


def test_comments_go_into_the_history(client, factory, center, session) -> None:  # noqa: ANN001
    order = factory.order(center)
    login(client, factory.staff(center, Role.CALL_CENTER).email)
    html = _page(client, order.number)
    client.post(f"/orders/{order.number}/comment", data={"csrf_token": csrf_token(html),
                                                         "text": "Клиент просит перезвонить <b>вечером</b>"})
    page = _page(client, order.number)
    assert "Клиент просит перезвонить &lt;b&gt;вечером&lt;/b&gt;" in page  # shown, and escaped
    session.refresh(order)
    assert order.events[-1].kind == EventKind.COMMENT


def test_times_are_shown_in_the_centers_local_time(client, factory, session) -> None:  # noqa: ANN001
    from servicecenter.repairs.history import record_event

    ekb = factory.center("EKT", timezone="Asia/Yekaterinburg")
    order = factory.order(ekb)
    event = record_event(session, actor=None, kind=EventKind.COMMENT, order=order, text="метка")
    event.at = datetime(2026, 3, 1, 20, 15, tzinfo=UTC)  # 01:15 on 2 March in Yekaterinburg (UTC+5)
    session.flush()
    login(client, factory.staff(ekb, Role.INTAKE).email)
    html = _page(client, order.number)
    assert "02.03.2026, 01:15" in html or "3/2/26, 1:15" in html


def test_open_by_number_redirects_and_unknown_is_404(client, factory, center) -> None:  # noqa: ANN001
    order = factory.order(center)
    login(client, factory.staff(center, Role.INTAKE).email)
    r = client.get(f"/orders/?number=%20{order.number.lower()}%20")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/orders/{order.number}")
    assert client.get("/orders/?number=NOPE-1").status_code == 404


def test_history_speaks_in_words_not_codes(client, factory, center) -> None:  # noqa: ANN001
    from servicecenter.repairs.services import decide_warranty

    order = factory.order(center, state=RepairState.READY_FOR_PICKUP)  # closed as unrepairable on the way
    decide_warranty(factory.session, order, factory.staff(center, Role.INTAKE), covered=False, reason="Вскрыт")
    login(client, factory.staff(center, Role.INTAKE).email)
    history = _page(client, order.number).split('class="list history"')[1]
    for code in ("unrepairable", "ready_for_pickup", "warranty", "paid", "diagnosis"):
        assert f">{code}<" not in history and f" {code} " not in history and f"→ {code}" not in history
    assert "Неремонтопригоден" in history or "неремонтопригоден" in history.lower()


def test_every_scan_field_maps_the_russian_layout_back(client, factory, center) -> None:  # noqa: ANN001
    """The bench's and the header's scan fields go through the same parser as the counter's."""
    from tests.domain.test_scanning import typed_on_russian_layout

    order = factory.order(center)
    login(client, factory.staff(center, Role.ENGINEER).email)
    r = client.get("/orders/", query_string={"number": typed_on_russian_layout(order.number) + "\t"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/orders/{order.number}")
    assert client.get("/orders/", query_string={"number": "x" * 200}).status_code == 422  # a clear refusal


def test_a_partner_scanning_another_centers_number_finds_nothing(client, factory, center) -> None:  # noqa: ANN001
    partner_center = factory.center("KZNP", kind=CenterKind.PARTNER)
    theirs, ours = factory.order(partner_center), factory.order(center)
    login(client, factory.staff(partner_center, Role.PARTNER).email)
    r = client.get(f"/orders/?number={theirs.number}")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/orders/{theirs.number}")
    assert client.get(f"/orders/?number={ours.number}").status_code == 404  # as if it did not exist


def test_refusals_and_missing_pages_are_served_as_html(client, factory, center) -> None:  # noqa: ANN001
    """The browser renders our error pages (with X-Content-Type-Options: nosniff, text/plain would show the source)."""
    order = factory.order(center, state=RepairState.READY_FOR_PICKUP)
    clerk = factory.staff(center, Role.INTAKE)
    login(client, clerk.email)
    missing = client.get("/orders/NOPE-2026-000001")
    token = csrf_token(_page(client, order.number))
    stale = client.post(f"/intake/issue/{order.number}", data={"csrf_token": token, "version": order.version - 1})
    forged = client.post(f"/intake/issue/{order.number}", data={"csrf_token": "forged"})
    for response, status in ((missing, 404), (stale, 409), (forged, 400)):
        assert response.status_code == status and response.mimetype == "text/html"
        assert "<h1>" in response.get_data(as_text=True)


def test_the_parts_section_shows_the_orders_reservations_and_shortages(client, factory, center) -> None:  # noqa: ANN001
    """The page reads a section's rows only when the order has some (servicecenter/repairs/contents.py):
    an order with parts held and requested shows both; its neighbour with none shows neither."""
    from servicecenter.stock import services as stock
    from tests.domain.test_estimates import make_part, receive_stock

    session = factory.session
    engineer = factory.staff(center, Role.ENGINEER)
    held, short = make_part(session, sku="PCB-1"), make_part(session, sku="MTR-9")
    receive_stock(session, center, held, 2)
    order, other = factory.order(center, state=RepairState.DIAGNOSIS), factory.order(center, state=RepairState.DIAGNOSIS)
    stock.reserve_part(session, engineer, order, held, 2)
    stock.request_shortage(session, engineer, order, short, 1)
    session.flush()
    login(client, factory.staff(center, Role.TEAM_LEAD).email)
    html = _page(client, order.number)
    assert 'data-reservation="PCB-1" data-state="active"' in html
    assert 'data-part-request="MTR-9" data-state="open"' in html
    quiet = _page(client, other.number)
    assert "data-reservation=" not in quiet and "data-part-request=" not in quiet
