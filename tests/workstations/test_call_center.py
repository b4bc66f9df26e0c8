"""The call-center workstation over HTTP: search, notes, the nearest center, pre-registration, refusals."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from servicecenter.accounts.roles import PARTNER_ROLES, Role
from servicecenter.centers.models import CenterKind
from servicecenter.customers.models import Customer
from servicecenter.repairs.models import EventKind, RepairEvent, RepairOrder
from servicecenter.repairs.states import RepairState
from tests.factories import csrf_token, login


@pytest.fixture
def msk(factory):  # noqa: ANN001, ANN201
    return factory.center("MSK", name="СЦ Москва-Центр", city="Москва", region="Москва",
                          address="ул. Ленина, 1", phone="+74951112233", hours="Пн–Пт 9–20")


@pytest.fixture
def operator(client, factory, msk, session):  # noqa: ANN001, ANN201
    user = factory.staff(msk, Role.CALL_CENTER)
    user.locale = "en"
    session.flush()
    login(client, user.email)
    return user


def html(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


def test_search_by_number_says_the_state_in_plain_words_with_the_deadline(client, factory, msk, operator,  # noqa: ANN001
                                                                         session) -> None:
    order = factory.order(msk, state=RepairState.DIAGNOSIS, customer=factory.customer("Орлова Мария"))
    order.diagnosis_due = datetime(2026, 3, 11, 22, 30, tzinfo=UTC)  # 12 March in Moscow
    session.flush()
    r = client.get("/call-center/", query_string={"q": order.number.lower()})
    page = html(r)
    assert r.status_code == 200
    assert "in diagnosis, due by 12 March" in page
    assert f'href="/orders/{order.number}"' in page  # the detail stays on the shared order page
    assert "Орлова Мария" in page and msk.name in page and f"at {msk.name}" in page  # where the unit is


def test_search_in_russian_reads_as_an_operator_hears_it(client, factory, msk, operator, session) -> None:  # noqa: ANN001
    operator.locale = "ru"
    order = factory.order(msk, state=RepairState.DIAGNOSIS)
    order.diagnosis_due = datetime(2026, 3, 12, 9, tzinfo=UTC)
    session.flush()
    page = html(client.get("/call-center/", query_string={"q": order.number}))
    assert "12 марта" in page


def test_search_by_phone_lists_the_customers_orders_with_their_last_events(client, factory, msk, operator) -> None:  # noqa: ANN001
    customer = factory.customer("Кузнецов Андрей", phone="+79161234567")
    old = factory.order(msk, state=RepairState.ISSUED, customer=customer)
    new = factory.order(msk, customer=customer)
    factory.order(msk, customer=factory.customer("Чужой Человек"))
    page = html(client.get("/call-center/", query_string={"q": "8 (916) 123-45-67"}))
    assert page.index(new.number) < page.index(old.number)  # newest first
    assert "Чужой Человек" not in page
    assert "handed back to the customer on" in page and "with the customer" in page
    assert page.count('<ol class="events">') == 2


def test_search_by_serial_and_by_name(client, factory, msk, operator) -> None:  # noqa: ANN001
    owner = factory.customer("Smith John")
    order = factory.order(msk, customer=owner, unit=factory.unit(serial="SN-SERIAL-9", owner=owner))
    assert order.number in html(client.get("/call-center/?q=sn-serial-9"))
    assert order.number in html(client.get("/call-center/?q=smith"))


@pytest.mark.parametrize(("query", "said"), [
    ("", "Type an order number, a serial number, a phone or a name"),
    ("x" * 200, "The search is too long"),
    ("%%", "is not an order number, a serial number, a phone or a name"),
    ("+7 (916) 12", "is not a phone number"),
])
def test_bad_queries_get_a_clear_message_not_an_error_page(client, operator, query, said) -> None:  # noqa: ANN001
    r = client.get("/call-center/", query_string={"q": query})
    assert r.status_code == 422 and said in html(r)
    assert 'name="q"' in html(r)  # the search box is still there


def test_unknown_number_and_unknown_name_say_so(client, operator) -> None:  # noqa: ANN001
    r = client.get("/call-center/", query_string={"q": "MSK-2026-999999"})
    assert r.status_code == 200 and "No order MSK-2026-999999" in html(r)
    assert "Nothing found for “Никтоев”" in html(client.get("/call-center/", query_string={"q": "Никтоев"}))


def test_a_call_note_is_kept_in_the_orders_history(client, factory, msk, operator, session) -> None:  # noqa: ANN001
    order = factory.order(msk)
    page = html(client.get("/call-center/", query_string={"q": order.number}))
    r = client.post("/call-center/notes", data={"csrf_token": csrf_token(page), "number": order.number,
                                                "q": order.number, "text": "Клиент просит перезвонить после 18:00"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"#{order.number}")
    note = session.scalar(select(RepairEvent).where(RepairEvent.order_id == order.id,
                                                    RepairEvent.kind == EventKind.COMMENT))
    assert note.details["text"] == "Клиент просит перезвонить после 18:00" and note.actor_id == operator.id
    assert "Клиент просит перезвонить" in html(client.get(r.headers["Location"]))
    empty = client.post("/call-center/notes", data={"csrf_token": csrf_token(page), "number": order.number,
                                                    "text": "  "}, follow_redirects=True)
    assert "The note is empty" in html(empty)
    missing = client.post("/call-center/notes", data={"csrf_token": csrf_token(page), "number": "MSK-2026-999999",
                                                      "text": "x"})
    assert missing.status_code == 404


def test_nearest_authorised_centers_are_listed_city_first(client, factory, msk, operator, session) -> None:  # noqa: ANN001
    brand = factory.manufacturer("Bosch")
    far = factory.center("SPB", name="СЦ Петербург", city="Санкт-Петербург", region="Ленинградская область",
                         address="Невский, 10", hours="ежедневно 10–22", phone="+78121234567")
    partner = factory.center("KHM", name="Партнёр Химки", city="Химки", region="Москва", kind=CenterKind.PARTNER)
    unauthorised = factory.center("MS2", name="СЦ Без бренда", city="Москва", region="Москва")
    for center in (msk, far, partner):
        center.brands.append(brand)
    session.flush()
    r = client.get("/call-center/centers", query_string={"manufacturer_id": brand.id, "city": "москва"})
    page = html(r)
    assert r.status_code == 200
    assert page.index(msk.name) < page.index(partner.name) < page.index(far.name)
    assert unauthorised.name not in page
    assert "Невский, 10" in page and "ежедневно 10–22" in page and "+78121234567" in page
    assert f"/call-center/visits/new?center_id={msk.id}&amp;manufacturer_id={brand.id}" in page


def test_the_nearest_center_needs_a_brand(client, operator) -> None:  # noqa: ANN001
    assert client.get("/call-center/centers").status_code == 200
    r = client.get("/call-center/centers", query_string={"city": "Москва", "manufacturer_id": "0"})
    assert r.status_code == 422 and "Choose the brand" in html(r)
    assert client.get("/call-center/centers?manufacturer_id=abc").status_code == 422


def _visit_form(client, **query) -> dict:  # noqa: ANN001
    page = html(client.get("/call-center/visits/new", query_string=query))
    token = re.search(r'id="token" name="token" type="hidden" value="([^"]+)"', page)
    return {"csrf_token": csrf_token(page), "token": token.group(1)}


def test_pre_registration_creates_a_registered_order_by_the_operator(client, factory, msk, operator, session) -> None:  # noqa: ANN001
    model = factory.model(name="WW90T")
    msk.brands.append(model.manufacturer)
    session.flush()
    data = {**_visit_form(client, center_id=msk.id, manufacturer_id=model.manufacturer_id),
            "customer_name": "Белова Ирина", "customer_phone": "+7 903 111-22-33",
            "manufacturer_id": str(model.manufacturer_id), "model_id": str(model.id), "serial": "wm 555",
            "center_id": str(msk.id), "fault": "Не греет воду"}
    r = client.post("/call-center/visits/new", data=data)
    order = session.scalar(select(RepairOrder))
    assert r.status_code == 302 and r.headers["Location"] == f"/orders/{order.number}"
    assert order.state == RepairState.REGISTERED and order.unit.serial == "WM555"
    created = session.scalar(select(RepairEvent).where(RepairEvent.order_id == order.id))
    assert created.kind == EventKind.CREATED and created.actor_id == operator.id
    shown = html(client.get(r.headers["Location"]))
    assert f"Visit registered as order {order.number}" in shown and "ул. Ленина, 1" in shown
    again = client.post("/call-center/visits/new", data=data)  # the same form sent twice
    assert again.headers["Location"] == r.headers["Location"]
    assert session.scalar(select(func.count()).select_from(RepairOrder)) == 1


def test_the_visit_form_lists_only_centers_authorised_for_the_brand(client, factory, msk, operator,  # noqa: ANN001
                                                                     session) -> None:
    brand = factory.manufacturer("Miele")
    other = factory.center("EKB", name="СЦ Екатеринбург")
    msk.brands.append(brand)
    session.flush()
    page = html(client.get("/call-center/visits/new", query_string={"manufacturer_id": brand.id}))
    assert msk.name in page and other.name not in page
    assert other.name in html(client.get("/call-center/visits/new"))  # no brand yet: every active center


@pytest.mark.parametrize(("changes", "flagged"), [
    ({"customer_phone": "не помню"}, "customer_phone"),
    ({"fault": ""}, "fault"),
    ({"center_id": "0"}, "center_id"),
    ({"serial": "SN-1"}, "model_id"),
    ({"manufacturer_id": "brand"}, "manufacturer_id"),
])
def test_a_bad_visit_is_refused_with_the_field_marked_and_nothing_saved(client, factory, msk, operator, session,  # noqa: ANN001
                                                                        changes, flagged) -> None:
    data = {**_visit_form(client), "customer_name": "Белова Ирина", "customer_phone": "+79031112233",
            "manufacturer_id": "0", "model_id": "0", "serial": "", "center_id": str(msk.id), "fault": "Шумит"}
    data.update(changes)
    r = client.post("/call-center/visits/new", data=data)
    assert r.status_code == 422
    assert re.findall(r'class="[^"]*invalid[^"]*" data-field="(\w+)"', html(r)) == [flagged]
    assert "Белова Ирина" in html(r)  # what the operator typed is kept
    assert session.scalar(select(func.count()).select_from(RepairOrder)) == 0
    assert session.scalar(select(func.count()).select_from(Customer)) == 0


def test_a_center_not_authorised_for_the_brand_is_refused_with_the_reason(client, factory, msk, operator) -> None:  # noqa: ANN001
    brand = factory.manufacturer("LG")
    data = {**_visit_form(client), "customer_name": "Белова Ирина", "customer_phone": "+79031112233",
            "manufacturer_id": str(brand.id), "model_id": "0", "center_id": str(msk.id), "fault": "Шумит"}
    r = client.post("/call-center/visits/new", data=data)
    assert r.status_code == 422 and "This center is not authorised for the brand" in html(r)


def test_admin_may_use_the_call_center(client, factory, msk) -> None:  # noqa: ANN001
    login(client, factory.staff(msk, Role.ADMIN).email)
    for url in ("/call-center/", "/call-center/centers", "/call-center/visits/new"):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", [Role.PARTNER, Role.INTAKE, Role.ENGINEER])
def test_other_roles_are_refused_on_every_call_center_page(client, factory, msk, role) -> None:  # noqa: ANN001
    center = factory.center("KZN", kind=CenterKind.PARTNER) if role in PARTNER_ROLES else msk
    refused = 404 if role in PARTNER_ROLES else 403  # behind the wall the call center does not exist
    order = factory.order(msk, customer=factory.customer("Тайный Клиент"))
    login(client, factory.staff(center, role).email)
    token = csrf_token(html(client.get("/status")))
    for url in ("/call-center/", f"/call-center/?q={order.number}", "/call-center/centers",
                "/call-center/visits/new"):
        assert client.get(url).status_code == refused, url
    for url in ("/call-center/notes", "/call-center/visits/new"):
        r = client.post(url, data={"csrf_token": token, "number": order.number, "text": "x"})
        assert r.status_code == refused, url
    assert "Тайный Клиент" not in html(client.get(f"/call-center/?q={order.number}"))
