"""Repair orders over the API: one with its history, the paged list, receiving a unit (intake)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from servicecenter.repairs.models import RepairOrder


def _intake(**changes) -> dict:  # noqa: ANN003
    body = {"center": "MSK", "customer": {"name": "Петров Пётр", "phone": "8 916 555-12-34", "email": "p@example.test"},
            "unit": {"manufacturer": "Атлант", "model": "СМА 60", "serial": "at-778899",
                     "purchase_date": (date.today() - timedelta(days=100)).isoformat()},
            "fault": "Не сливает воду", "accessories": ["шланг"], "condition": "Царапины на крышке"}
    body.update(changes)
    return body


def _count(session) -> int:  # noqa: ANN001
    return session.scalar(select(func.count()).select_from(RepairOrder))


def test_an_order_with_its_history(api, world) -> None:  # noqa: ANN001
    number = world.msk_order.number
    body = api("engineer").get(f"/api/v1/repair-orders/{number}").get_json()
    assert body["number"] == number and body["state"] == "received" and body["center"] == "MSK"
    assert body["unit"]["manufacturer"] == "Атлант" and body["unit"]["model"] == "СМА 70"
    assert body["history"][0]["kind"] == "created" and body["history"][0]["to"] == "received"
    assert body["history"][0]["actor"] == world.msk_order.events[0].actor.name
    assert {"to": "diagnosis", "action": "start_diagnosis", "fields": []} in body["transitions"]
    # the number is read as a scanner types it
    assert api("engineer").get(f"/api/v1/repair-orders/{number.lower()}").status_code == 200


def test_an_unknown_order_is_404(api) -> None:  # noqa: ANN001
    response = api("admin").get("/api/v1/repair-orders/MSK-2026-999999")
    assert response.status_code == 404 and response.get_json()["type"] == "urn:servicecenter:problem:not-found"


def test_a_partner_gets_404_for_another_centers_order_as_for_a_missing_one(api, world) -> None:  # noqa: ANN001
    partner = api("partner")
    assert partner.get(f"/api/v1/repair-orders/{world.ekb_order.number}").status_code == 200
    for other in (world.msk_order, world.nsk_order):
        foreign = partner.get(f"/api/v1/repair-orders/{other.number}")
        missing = partner.get("/api/v1/repair-orders/EKB-2026-999999")
        assert foreign.status_code == missing.status_code == 404
        assert (foreign.get_data(as_text=True).replace(other.number, "N")
                == missing.get_data(as_text=True).replace("EKB-2026-999999", "N"))
        moved = partner.post(f"/api/v1/repair-orders/{other.number}/transitions", json={"to": "diagnosis"})
        assert moved.status_code == 404


def test_the_list_filters_by_state_center_and_number_prefix(api, world, factory) -> None:  # noqa: ANN001
    from servicecenter.repairs.states import RepairState

    ready = factory.order(world.msk, RepairState.DIAGNOSIS)
    admin = api("admin")
    everything = admin.get("/api/v1/repair-orders").get_json()
    assert everything["total"] == 4 and everything["pages"] == 1
    msk = admin.get("/api/v1/repair-orders?center=msk").get_json()
    assert {o["number"] for o in msk["items"]} == {world.msk_order.number, ready.number}
    diag = admin.get("/api/v1/repair-orders?state=diagnosis").get_json()
    assert [o["number"] for o in diag["items"]] == [ready.number]
    both = admin.get("/api/v1/repair-orders?state=diagnosis,received&center=MSK").get_json()
    assert both["total"] == 2
    by_prefix = admin.get("/api/v1/repair-orders", query_string={"q": world.nsk_order.number[:6]}).get_json()
    assert [o["number"] for o in by_prefix["items"]] == [world.nsk_order.number]
    item = by_prefix["items"][0]
    assert item["center"] == "NSK" and item["manufacturer"] == "Атлант" and item["state"] == "received"


def test_a_partners_list_holds_its_own_orders_only(api, world) -> None:  # noqa: ANN001
    body = api("partner").get("/api/v1/repair-orders").get_json()
    assert [o["number"] for o in body["items"]] == [world.ekb_order.number] and body["total"] == 1
    # another partner's center is unknown to it, like a made-up code
    for code in ("NSK", "XXX"):
        response = api("partner").get(f"/api/v1/repair-orders?center={code}")
        assert response.status_code == 422 and "center" in response.get_json()["errors"]


@pytest.mark.parametrize("query,field", [("state=fixed", "state"), ("center=NOPE", "center"),
                                         ("q=" + "X" * 40, "q"), ("page=x", "page")])
def test_bad_list_filters_are_422(api, query, field) -> None:  # noqa: ANN001
    response = api("admin").get(f"/api/v1/repair-orders?{query}")
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_receiving_a_unit_makes_the_order_with_the_warranty_verdict(api, session, world) -> None:  # noqa: ANN001
    response = api("intake").post("/api/v1/repair-orders", json=_intake())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/repair-orders/{body['number']}")
    assert body["number"].startswith("MSK-") and body["state"] == "received"
    purchase = date.today() - timedelta(days=100)
    assert body["warranty"]["covered"] is True
    assert body["warranty"]["until"] == purchase.replace(year=purchase.year + 2).isoformat()
    assert "24 months" in body["warranty"]["reason"]
    assert body["customer"] == {"name": "Петров Пётр", "phone": "+79165551234", "email": "p@example.test"}
    assert body["unit"]["serial"] == "AT-778899" and body["accessories"] == ["шланг"]
    assert [e["kind"] for e in body["history"]][:1] == ["created"] and "warranty" in [e["kind"] for e in body["history"]]
    order = session.scalar(select(RepairOrder).where(RepairOrder.number == body["number"]))
    assert order.center_id == world.msk.id and order.warranty_covered is True
    assert api("engineer").get(f"/api/v1/repair-orders/{body['number']}").get_json()["warranty"] == body["warranty"]


def test_no_purchase_date_needs_a_decision_and_takes_one(api) -> None:  # noqa: ANN001
    unit = {"manufacturer": "Атлант", "model": "СМА 60", "serial": "NODATE1"}
    undecided = api("intake").post("/api/v1/repair-orders", json=_intake(unit=unit))
    assert undecided.status_code == 422 and "warranty.covered" in undecided.get_json()["errors"]
    decided = api("intake").post("/api/v1/repair-orders", json=_intake(
        unit=unit, warranty={"covered": False, "reason": "Нет чека"}))
    assert decided.status_code == 201
    assert decided.get_json()["warranty"] == {"covered": False, "until": None, "reason": "Нет чека"}


@pytest.mark.parametrize("changes,fields", [
    ({"center": None, "fault": "  "}, {"center", "fault"}),
    ({"customer": {"name": "", "phone": 7}}, {"customer.name", "customer.phone"}),
    ({"customer": "Петров"}, {"customer"}),
    ({"unit": {"manufacturer": "Nobody", "model": "X", "serial": "S1"}}, {"unit.manufacturer"}),
    ({"unit": {"manufacturer": "Атлант", "model": "Нет такой", "serial": "S1"}}, {"unit.model"}),
    ({"unit": {"manufacturer": "Атлант", "model": "СМА 60", "serial": "S1", "purchase_date": "01.02.2024"}},
     {"unit.purchase_date"}),
    ({"unit": {"manufacturer": "Атлант", "model": "СМА 60", "serial": "S1", "purchase_date": "2999-01-01"}},
     {"unit.purchase_date"}),
    ({"customer": {"name": "Петров", "phone": "позвоните"}}, {"customer.phone"}),
    ({"center": "ZZZ"}, {"center"}),
    ({"center": "NSK"}, set()),  # a partner's center: not the intake clerk's (403, below)
    ({"accessories": "шланг", "order_type": "free", "warranty": {"covered": "yes"}},
     {"accessories", "order_type", "warranty.covered"}),
    ({"order_type": "warranty", "unit": {"manufacturer": "Атлант", "model": "СМА 60", "serial": "OLD1",
                                         "purchase_date": "2015-01-01"}}, {"order_type"}),
])
def test_bad_intake_fields_are_422_and_nothing_is_made(api, session, changes, fields) -> None:  # noqa: ANN001
    before = _count(session)
    response = api("intake").post("/api/v1/repair-orders", json=_intake(**changes))
    if not fields:
        assert response.status_code == 403
    else:
        assert response.status_code == 422, response.get_json()
        assert set(response.get_json()["errors"]) == fields
    assert _count(session) == before


@pytest.mark.parametrize("kwargs,status", [
    ({"data": "{not json", "content_type": "application/json"}, 400),
    ({"data": "[1, 2]", "content_type": "application/json"}, 400),
    ({"data": "null", "content_type": "application/json"}, 400),
    ({"data": "center=MSK", "content_type": "application/x-www-form-urlencoded"}, 415),
    ({}, 415),
])
def test_a_malformed_body_is_400_and_another_media_type_415(api, kwargs, status) -> None:  # noqa: ANN001
    assert api("intake").post("/api/v1/repair-orders", **kwargs).status_code == status


def test_roles_that_do_not_receive_units_are_refused(api, session) -> None:  # noqa: ANN001
    before = _count(session)
    for role in ("engineer", "call_center", "team_lead"):
        response = api(role).post("/api/v1/repair-orders", json=_intake())
        assert response.status_code == 403 and response.get_json()["type"] == "urn:servicecenter:problem:forbidden"
    assert _count(session) == before


def test_a_partner_receives_at_its_own_center_only(api, session) -> None:  # noqa: ANN001
    assert api("partner").post("/api/v1/repair-orders", json=_intake(center="EKB")).status_code == 201
    assert api("partner").post("/api/v1/repair-orders", json=_intake(center="MSK")).status_code == 403
    hidden = api("partner").post("/api/v1/repair-orders", json=_intake(center="NSK"))
    assert hidden.status_code == 422 and set(hidden.get_json()["errors"]) == {"center"}
