"""Customers over the API: found by phone, read with their orders, corrected — the call center's and the
customer edit page's services, with that page's reach (network roles anyone, the others their center's)."""

from __future__ import annotations

import pytest

from servicecenter.customers.models import Customer


def _find(api, who, phone):  # noqa: ANN001, ANN202
    return api(who).get("/api/v1/customers", query_string={"phone": phone})


def _edit(api, who, customer, method="PATCH", **body):  # noqa: ANN001, ANN003, ANN202
    return api(who).open(method, f"/api/v1/customers/{customer.id}", json=body)


def _local(phone: str) -> str:
    """+79161234567 as people say it: 8 (916) 123-45-67."""
    return f"8 ({phone[2:5]}) {phone[5:8]}-{phone[8:10]}-{phone[10:]}"


def test_the_call_center_finds_a_customer_by_any_spelling_of_the_phone(api, world, factory) -> None:  # noqa: ANN001
    customer = world.msk_order.customer
    namesake = factory.customer("Иванова Мария", phone=customer.phone)  # one phone, two people
    r = _find(api, "call_center", _local(customer.phone))
    assert r.status_code == 200
    body = r.get_json()
    assert [c["id"] for c in body["items"]] == [customer.id, namesake.id] and body["total"] == 2
    assert body["items"][0] == {"id": customer.id, "kind": "person", "name": customer.name, "phone": customer.phone,
                                "email": "", "language": "ru", "notifications_opt_out": False,
                                "created_at": body["items"][0]["created_at"]}
    assert _find(api, "call_center", "+79990000000").get_json()["items"] == []


def test_the_reach_of_the_customer_page(api, world) -> None:  # noqa: ANN001
    ekb_customer, msk_customer = world.ekb_order.customer, world.msk_order.customer
    # our own counter reaches the customers of its center's orders; the partner only its own center's
    assert _find(api, "intake", ekb_customer.phone).get_json()["items"] == []
    assert [c["id"] for c in _find(api, "partner", ekb_customer.phone).get_json()["items"]] == [ekb_customer.id]
    assert _find(api, "partner", msk_customer.phone).get_json()["items"] == []
    assert _find(api, "nsk_partner", ekb_customer.phone).get_json()["items"] == []
    assert api("intake").get(f"/api/v1/customers/{ekb_customer.id}").status_code == 404
    assert api("partner").get(f"/api/v1/customers/{msk_customer.id}").status_code == 404
    assert api("call_center").get(f"/api/v1/customers/{ekb_customer.id}").status_code == 200


def test_nothing_typed_finds_nothing(api, world) -> None:  # noqa: ANN001
    for query in ({}, {"phone": " "}):
        r = api("call_center").get("/api/v1/customers", query_string=query)
        assert r.status_code == 200 and r.get_json() == {"items": [], "page": 1, "pages": 1, "total": 0}


@pytest.mark.parametrize("query,field", [({"phone": "не помню"}, "phone"),
                                         ({"phone": "123"}, "phone"), ({"page": "0", "phone": "+79161234567"}, "page")])
def test_a_bad_search_is_422(api, world, query, field) -> None:  # noqa: ANN001
    r = api("call_center").get("/api/v1/customers", query_string=query)
    assert r.status_code == 422 and field in r.get_json()["errors"]


@pytest.mark.parametrize("who", ["engineer", "logistics"])
def test_roles_that_do_not_talk_to_customers_are_refused(api, world, who) -> None:  # noqa: ANN001
    customer = world.msk_order.customer
    assert _find(api, who, customer.phone).status_code == 403
    assert api(who).get(f"/api/v1/customers/{customer.id}").status_code == 403
    assert _edit(api, who, customer, name="Другой").status_code == 403
    assert api(None).get(f"/api/v1/customers/{customer.id}").status_code == 401


def test_one_customer_with_their_orders_newest_first(api, world, factory) -> None:  # noqa: ANN001
    customer = world.msk_order.customer
    later = factory.order(world.msk, customer=customer)
    r = api("intake").get(f"/api/v1/customers/{customer.id}")
    assert r.status_code == 200
    assert [o["number"] for o in r.get_json()["orders"]] == [later.number, world.msk_order.number]
    assert api("intake").get("/api/v1/customers/999999").status_code == 404


def test_the_partner_sees_only_its_centers_orders_of_a_shared_customer(api, world, factory) -> None:  # noqa: ANN001
    customer = world.ekb_order.customer
    ours = factory.order(world.msk, customer=customer)
    numbers = [o["number"] for o in api("partner").get(f"/api/v1/customers/{customer.id}").get_json()["orders"]]
    assert numbers == [world.ekb_order.number]
    everything = api("admin").get(f"/api/v1/customers/{customer.id}").get_json()["orders"]
    assert [o["number"] for o in everything] == [ours.number, world.ekb_order.number]


@pytest.mark.parametrize("method", ["PATCH", "POST"])
def test_the_details_are_corrected_and_the_rest_kept(api, world, session, method) -> None:  # noqa: ANN001
    customer = world.msk_order.customer
    name = customer.name
    r = _edit(api, "intake", customer, method, phone="8 916 000-11-22", email=" p@example.ru ", language="en",
              notifications_opt_out=True)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["name"], body["phone"], body["email"], body["language"], body["notifications_opt_out"]) == (
        name, "+79160001122", "p@example.ru", "en", True)
    assert [o["number"] for o in body["orders"]] == [world.msk_order.number]
    session.expire_all()
    stored = session.get(Customer, customer.id)
    assert (stored.phone, stored.email, stored.language, stored.notifications_opt_out) == (
        "+79160001122", "p@example.ru", "en", True)
    assert api("call_center").get(f"/api/v1/customers/{customer.id}").get_json() == body


@pytest.mark.parametrize("body,field", [
    ({"name": " "}, "name"), ({"phone": "нет"}, "phone"), ({"email": "not-an-address"}, "email"),
    ({"language": "de"}, "language"), ({"notifications_opt_out": "yes"}, "notifications_opt_out"),
    ({"notifications_opt_out": None}, "notifications_opt_out"), ({"name": ["a"]}, "name"),
])
def test_bad_details_are_422_and_nothing_changes(api, world, session, body, field) -> None:  # noqa: ANN001
    customer = world.msk_order.customer
    before = (customer.name, customer.phone, customer.email, customer.language)
    r = _edit(api, "call_center", customer, email="new@example.ru", **body) if field != "email" else \
        _edit(api, "call_center", customer, name="Новое имя", **body)
    assert r.status_code == 422 and field in r.get_json()["errors"], r.get_json()
    session.expire_all()
    stored = session.get(Customer, customer.id)
    assert (stored.name, stored.phone, stored.email, stored.language) == before


def test_the_partner_wall_on_edits(api, world, session) -> None:  # noqa: ANN001
    msk_customer, ekb_customer = world.msk_order.customer, world.ekb_order.customer
    assert _edit(api, "partner", msk_customer, name="Чужой").status_code == 404
    assert _edit(api, "nsk_partner", ekb_customer, name="Чужой").status_code == 404
    assert _edit(api, "intake", ekb_customer, name="Чужой").status_code == 404  # not our center's customer
    assert _edit(api, "partner", ekb_customer, name="Свой Клиент").get_json()["name"] == "Свой Клиент"
    session.expire_all()
    assert session.get(Customer, msk_customer.id).name != "Чужой"
    assert api("intake").open("PATCH", f"/api/v1/customers/{msk_customer.id}", data="x").status_code == 415
    assert api("intake").open("PATCH", f"/api/v1/customers/{msk_customer.id}", json=[1]).status_code == 400
