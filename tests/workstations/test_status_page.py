"""The customer's status page: public, the right digits or nothing, one answer for both wrongs, throttled."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from servicecenter.accounts.roles import Role
from servicecenter.centers.models import CenterKind
from servicecenter.repairs.models import EventKind, RepairEvent
from servicecenter.repairs.states import RepairState
from tests.factories import csrf_token, login
from workstations.status.views import LOOKUP_LIMIT

NAME, PHONE, FAULT, SERIAL = "Тихонова Вера Павловна", "+79167778899", "Течёт вода из-под двери", "WM-SECRET-42"
NOT_FOUND = "We found no order with this number and these phone digits"


@pytest.fixture
def center(factory):  # noqa: ANN001, ANN201
    return factory.center("MSK", name="СЦ Москва-Центр", city="Москва", address="ул. Ленина, 1",
                          phone="+74951112233", hours="Пн–Пт 9–20")


@pytest.fixture
def order(factory, center, session):  # noqa: ANN001, ANN201
    customer = factory.customer(NAME, phone=PHONE)
    o = factory.order(center, state=RepairState.IN_REPAIR, customer=customer, fault=FAULT,
                      unit=factory.unit(serial=SERIAL, owner=customer))
    o.repair_due = datetime(2026, 3, 20, 12, tzinfo=UTC)
    session.flush()
    return o


@pytest.fixture
def en(client):  # noqa: ANN001, ANN201
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def html(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


def lookup(client, number: str, digits: str, addr: str = "192.0.2.10"):  # noqa: ANN001, ANN201
    token = csrf_token(html(client.get("/status", environ_base={"REMOTE_ADDR": addr})))
    return client.post("/status", data={"csrf_token": token, "number": number, "last_four": digits},
                       environ_base={"REMOTE_ADDR": addr})


def without_token(page: str) -> str:
    """The page without its CSRF tokens (signed with a timestamp, they differ from second to second)."""
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+"', r"\1", page)


def test_the_page_needs_no_login(en) -> None:  # noqa: ANN001
    r = en.get("/status")
    assert r.status_code == 200 and 'name="number"' in html(r) and 'name="last_four"' in html(r)


def test_a_labels_qr_link_fills_in_the_number_but_shows_nothing_yet(en, order) -> None:  # noqa: ANN001
    page = html(en.get("/status", query_string={"number": order.number.lower()}))
    assert f'value="{order.number}"' in page and "in repair" not in page
    junk = html(en.get("/status", query_string={"number": "<script>alert(1)</script>"}))
    assert "<script>" not in junk and re.search(r'name="number"[^>]*value=""', junk)


def test_the_right_digits_show_the_status_and_the_center(en, order, center) -> None:  # noqa: ANN001
    r = lookup(en, order.number.lower(), "8899")
    page = html(r)
    assert r.status_code == 200
    assert order.number in page and "in repair, due by 20 March" in page
    assert "Expected to be ready by 20 March" in page
    for shown in (center.name, center.address, center.phone, center.hours):
        assert shown in page


def test_nothing_private_is_shown(en, order) -> None:  # noqa: ANN001
    page = html(lookup(en, order.number, "8899"))
    for private in (NAME, "Тихонова", PHONE, "916777", FAULT, SERIAL):
        assert private not in page, private


def test_a_wrong_number_and_a_wrong_phone_get_the_same_answer(en, order) -> None:  # noqa: ANN001
    wrong_number = lookup(en, "MSK-2026-999999", "8899")
    wrong_phone = lookup(en, order.number, "1234")
    assert wrong_number.status_code == wrong_phone.status_code == 200
    assert NOT_FOUND in html(wrong_number)
    assert without_token(html(wrong_number)) == without_token(html(wrong_phone))
    assert NAME not in html(wrong_phone) and "in repair" not in html(wrong_phone)


@pytest.mark.parametrize(("number", "digits", "field"), [
    ("", "8899", "number"),
    ("просто текст", "8899", "number"),
    ("MSK-2026-000001" * 20, "8899", "number"),
    ("MSK-2026-000001", "88", "last_four"),
    ("MSK-2026-000001", "88a9", "last_four"),
    ("MSK-2026-000001", "8" * 500, "last_four"),
])
def test_malformed_input_is_refused_with_the_field_marked(en, number, digits, field) -> None:  # noqa: ANN001
    r = lookup(en, number, digits)
    assert r.status_code == 422
    assert re.findall(r'class="invalid" data-field="(\w+)"', html(r)) == [field]


def test_too_many_lookups_from_one_address_get_429_others_are_served(en, order) -> None:  # noqa: ANN001
    for _ in range(LOOKUP_LIMIT):
        assert lookup(en, order.number, "0000", addr="198.51.100.7").status_code == 200  # every lookup counts
    r = lookup(en, order.number, "8899", addr="198.51.100.7")  # even the right digits now
    assert r.status_code == 429 and "Too many lookups" in html(r) and "in repair" not in html(r)
    assert r.headers["Retry-After"] == "600"
    served = lookup(en, order.number, "8899", addr="198.51.100.8")
    assert served.status_code == 200 and "in repair" in html(served)


def test_the_form_needs_its_csrf_token(en, order) -> None:  # noqa: ANN001
    r = en.post("/status", data={"number": order.number, "last_four": "8899"})
    assert r.status_code == 400 and "in repair" not in html(r)


def test_a_partners_login_does_not_hide_another_centers_order(client, factory, order) -> None:  # noqa: ANN001
    kzn = factory.center("KZN", kind=CenterKind.PARTNER)
    login(client, factory.staff(kzn, Role.PARTNER).email)
    page = html(lookup(client, order.number, "8899"))
    assert order.number in page and "СЦ Москва-Центр" in page


# --- Rating ------------------------------------------------------------------------------------

@pytest.fixture
def issued(factory, center):  # noqa: ANN001, ANN201
    return factory.order(center, state=RepairState.ISSUED, customer=factory.customer(NAME, phone=PHONE))


def rate(client, number: str, digits: str, rating: str, comment: str = "", addr: str = "192.0.2.10"):  # noqa: ANN001, ANN201
    page = lookup(client, number, digits, addr=addr)
    return client.post("/status/rate", data={"csrf_token": csrf_token(html(page)), "number": number,
                                             "last_four": digits, "rating": rating, "comment": comment},
                       environ_base={"REMOTE_ADDR": addr})


def test_a_handed_back_repair_offers_a_rating_and_takes_it_once(en, issued, session) -> None:  # noqa: ANN001
    page = html(lookup(en, issued.number, "8899"))
    assert 'action="/status/rate"' in page and 'name="rating"' in page
    r = rate(en, issued.number, "8899", "5", "Спасибо, всё работает")
    assert r.status_code == 200 and "Thank you for your rating" in html(r)
    assert 'action="/status/rate"' not in html(r)
    session.refresh(issued)
    assert (issued.rating, issued.rating_comment) == (5, "Спасибо, всё работает")
    note = session.scalars(select(RepairEvent).where(RepairEvent.order_id == issued.id,
                                                     RepairEvent.kind == EventKind.COMMENT)).one()
    assert note.actor_id is None and note.details["params"]["rating"] == 5
    assert 'action="/status/rate"' not in html(lookup(en, issued.number, "8899"))  # not offered again
    second = rate(en, issued.number, "8899", "1", "передумал")
    assert second.status_code == 422 and "already been rated" in html(second)
    session.refresh(issued)
    assert issued.rating == 5


@pytest.mark.parametrize("rating", ["0", "6", "", "x"])
def test_a_rating_outside_one_to_five_is_refused(en, issued, session, rating) -> None:  # noqa: ANN001
    r = rate(en, issued.number, "8899", rating)
    assert r.status_code == 422 and "Rate the repair from 1 to 5" in html(r)
    session.refresh(issued)
    assert issued.rating is None


def test_a_rating_with_the_wrong_digits_is_the_not_found_answer(en, issued, session) -> None:  # noqa: ANN001
    token = csrf_token(html(en.get("/status")))
    r = en.post("/status/rate", data={"csrf_token": token, "number": issued.number, "last_four": "0000",
                                      "rating": "1"})
    assert r.status_code == 200 and NOT_FOUND in html(r)
    session.refresh(issued)
    assert issued.rating is None


def test_an_open_repair_offers_no_rating_and_refuses_one(en, order, session) -> None:  # noqa: ANN001
    assert 'action="/status/rate"' not in html(lookup(en, order.number, "8899"))
    r = rate(en, order.number, "8899", "5")
    assert r.status_code == 422 and "once the unit has been handed back" in html(r)


def test_ratings_count_towards_the_limit(en, issued) -> None:  # noqa: ANN001
    for _ in range(LOOKUP_LIMIT // 2):
        rate(en, issued.number, "0000", "5", addr="203.0.113.5")  # a lookup and a rating each time
    r = rate(en, issued.number, "8899", "5", addr="203.0.113.5")
    assert r.status_code == 429
