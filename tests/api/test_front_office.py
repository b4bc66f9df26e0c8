"""The call center's notes and visits, the counter's completion and hand-back, over the API: the
workstations' services, the same refusals, the partner wall."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from servicecenter.i18n import translator
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.states import RepairState
from tests.workstations.test_printing_routes import pdf_text

RU = translator("ru").gettext


def _order(api, number: str) -> dict:  # noqa: ANN001
    return api("admin").get(f"/api/v1/repair-orders/{number}").get_json()


def _orders(session) -> int:  # noqa: ANN001
    return session.scalar(select(func.count()).select_from(RepairOrder))


# --- call notes -------------------------------------------------------------------------------------

def _note(api, who, **body):  # noqa: ANN001, ANN003, ANN202
    return api(who).post("/api/v1/call-center/notes", json=body)


def test_a_call_note_is_kept_in_the_orders_history(api, world) -> None:  # noqa: ANN001
    number = world.msk_order.number
    r = _note(api, "call_center", number=number.lower(), text="  Клиент спрашивал о сроках ")
    assert r.status_code == 201 and r.headers["Location"].endswith(f"/repair-orders/{number}")
    last = _order(api, number)["history"][-1]
    assert (last["kind"], last["actor"], last["details"]["text"]) == (
        "comment", world.users["call_center"].name, "Клиент спрашивал о сроках")
    assert r.get_json()["history"][-1] == last
    assert _note(api, "admin", number=world.ekb_order.number, text="Звонок").status_code == 201


@pytest.mark.parametrize("who,status", [("intake", 403), ("engineer", 403), ("partner", 404)])
def test_other_roles_may_not_use_the_call_center(api, world, who, status) -> None:  # noqa: ANN001
    # (behind the partner wall a route the role may not use does not exist: 404)
    before = len(_order(api, world.ekb_order.number)["history"])
    assert _note(api, who, number=world.ekb_order.number, text="x").status_code == status
    assert len(_order(api, world.ekb_order.number)["history"]) == before


@pytest.mark.parametrize("body,field", [
    ({"number": "MSK-2026-000001"}, "text"), ({"number": "MSK-2026-000001", "text": " "}, "text"),
    ({"number": "MSK-2026-000001", "text": "я" * 4001}, "text"), ({"text": "x"}, "number"),
])
def test_a_bad_note_is_422_and_nothing_is_added(api, world, body, field) -> None:  # noqa: ANN001
    before = len(_order(api, world.msk_order.number)["history"])
    r = _note(api, "call_center", **body)
    assert r.status_code == 422 and field in r.get_json()["errors"]
    assert len(_order(api, world.msk_order.number)["history"]) == before


def test_a_note_on_an_unknown_order_is_404_and_without_a_token_401(api, world) -> None:  # noqa: ANN001
    assert _note(api, "call_center", number="MSK-2026-999999", text="x").status_code == 404
    assert _note(api, None, number=world.msk_order.number, text="x").status_code == 401
    assert api("call_center").post("/api/v1/call-center/notes", data="x").status_code == 415


# --- pre-registered visits --------------------------------------------------------------------------

def _visit(api, who="call_center", headers=None, **changes):  # noqa: ANN001, ANN003, ANN202
    body = {"customer": {"name": "Белова Ирина", "phone": "8 903 111-22-33"}, "center": "msk",
            "manufacturer": "атлант", "model": "сма 60", "serial": "wm 555", "fault": "Не греет воду", **changes}
    return api(who).post("/api/v1/call-center/visits", json=body, headers=headers)


def test_a_visit_is_pre_registered_with_the_unit(api, world, session) -> None:  # noqa: ANN001
    r = _visit(api, headers={"Idempotency-Key": "call-1"})
    assert r.status_code == 201
    made = r.get_json()
    assert r.headers["Location"].endswith(f"/repair-orders/{made['number']}")
    assert (made["state"], made["center"], made["customer"]["phone"]) == ("registered", "MSK", "+79031112233")
    assert made["unit"]["serial"] == "WM555" and made["unit"]["model"] == "СМА 60"
    assert made["history"][0]["kind"] == "created" and made["history"][0]["actor"] == world.users["call_center"].name
    assert _order(api, made["number"])["state"] == "registered"
    count = _orders(session)
    again = _visit(api, headers={"Idempotency-Key": "call-1"})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["number"] == made["number"] and _orders(session) == count
    assert _visit(api, headers={"Idempotency-Key": "call-1"}, fault="другое").status_code == 422


def test_a_brand_without_a_model_is_noted_in_the_history(api, world) -> None:  # noqa: ANN001
    r = _visit(api, "admin", model=None, serial=None)
    assert r.status_code == 201 and r.get_json()["unit"] is None
    assert r.get_json()["history"][-1]["details"]["text"] == "Атлант"


@pytest.mark.parametrize("changes,field", [
    ({"center": "NSK"}, "center"),  # not authorised for the brand
    ({"center": "XXX"}, "center"),
    ({"customer": {"name": "Белова", "phone": "не помню"}}, "customer.phone"),
    ({"customer": {"phone": "+79031112233"}}, "customer.name"),
    ({"fault": " "}, "fault"),
    ({"model": None}, "model"),  # a serial needs the model
    ({"manufacturer": "Zanussi"}, "manufacturer"),
    ({"model": "СМА 99"}, "model"),
    ({"manufacturer": None}, "manufacturer"),
])
def test_a_bad_visit_is_422_naming_the_field_and_nothing_is_made(api, world, session, changes, field) -> None:  # noqa: ANN001
    before = _orders(session)
    r = _visit(api, **changes)
    assert r.status_code == 422 and field in r.get_json()["errors"], r.get_json()
    assert _orders(session) == before


@pytest.mark.parametrize("who,status", [("intake", 403), ("engineer", 403), ("partner", 404)])
def test_only_the_call_center_pre_registers_visits(api, world, session, who, status) -> None:  # noqa: ANN001
    before = _orders(session)
    assert _visit(api, who).status_code == status and _orders(session) == before


# --- completing a visit at the counter --------------------------------------------------------------

def _complete(api, who, order, **body):  # noqa: ANN001, ANN003, ANN202
    return api(who).post(f"/api/v1/repair-orders/{order.number}/complete", json=body)


def test_the_counter_completes_a_visit_with_the_unit_and_the_warranty(api, world, factory) -> None:  # noqa: ANN001
    order = factory.order(world.msk, state=RepairState.REGISTERED)
    bought = (date.today() - timedelta(days=100)).isoformat()
    r = _complete(api, "intake", order, unit={"manufacturer": "Атлант", "model": "СМА 60", "serial": "sn 42",
                                              "purchase_date": bought},
                  condition="царапины", accessories=["шланг"])
    assert r.status_code == 200, r.get_json()
    got = _order(api, order.number)
    assert (got["state"], got["unit"]["serial"], got["unit"]["purchase_date"]) == ("received", "SN42", bought)
    assert got["warranty"]["covered"] is True and got["accessories"] == ["шланг"] and got["condition"] == "царапины"
    assert got["fault"] == "Не включается"  # what the caller said, kept
    assert {"state", "warranty"} <= {e["kind"] for e in got["history"]}
    assert _complete(api, "intake", order).status_code == 409  # received already


def test_the_unit_the_call_center_recorded_is_used_and_the_warranty_needs_a_decision(api, world) -> None:  # noqa: ANN001
    number = _visit(api).get_json()["number"]
    order = type("O", (), {"number": number})
    r = _complete(api, "intake", order)
    assert r.status_code == 422 and "warranty.covered" in r.get_json()["errors"]  # no purchase date: decide
    assert _order(api, number)["state"] == "registered"
    r = _complete(api, "intake", order, warranty={"covered": False, "reason": "Нет чека"}, fault="Не греет, шумит")
    assert r.status_code == 200 and r.get_json()["unit"]["serial"] == "WM555"
    assert (r.get_json()["warranty"]["covered"], r.get_json()["fault"]) == (False, "Не греет, шумит")


@pytest.mark.parametrize("body,field", [
    ({}, "unit"),  # no unit was recorded and none is sent
    ({"unit": {"manufacturer": "Атлант", "model": "СМА 60", "serial": "S1", "purchase_date": "2999-01-01"}},
     "unit.purchase_date"),
    ({"unit": {"manufacturer": "Атлант", "model": "нет такой", "serial": "S1"}}, "unit.model"),
    ({"unit": {"manufacturer": "Атлант", "model": "СМА 60", "serial": "S1"}, "priority": "asap"}, "priority"),
])
def test_a_bad_completion_is_422_and_the_visit_waits(api, world, factory, body, field) -> None:  # noqa: ANN001
    order = factory.order(world.msk, state=RepairState.REGISTERED)
    r = _complete(api, "intake", order, **body)
    assert r.status_code == 422 and field in r.get_json()["errors"], r.get_json()
    got = _order(api, order.number)
    assert got["state"] == "registered" and got["unit"] is None


def test_completion_roles_and_the_partner_wall(api, world, factory) -> None:  # noqa: ANN001
    unit = {"manufacturer": "Атлант", "model": "СМА 60", "serial": "P1", "purchase_date": "2026-01-10"}
    ours = factory.order(world.ekb, state=RepairState.REGISTERED)
    assert _complete(api, "engineer", ours, unit=unit).status_code == 403
    assert _complete(api, "call_center", ours, unit=unit).status_code == 403
    assert _complete(api, "nsk_partner", ours, unit=unit).status_code == 404
    assert _order(api, ours.number)["state"] == "registered"
    assert _complete(api, "partner", ours, unit=unit).status_code == 200
    assert _order(api, ours.number)["state"] == "received"


# --- the hand-back ------------------------------------------------------------------------------------

def _ready_paid(api, world) -> str:  # noqa: ANN001
    order = world.ekb_order
    for body in ({"to": "diagnosis"}, {"to": "awaiting_approval", "estimate_total": "4500", "diagnosis": "ТЭН"},
                 {"to": "in_repair", "via": "phone"},
                 {"to": "ready_for_pickup", "outcome": "repaired", "outcome_note": "Заменён ТЭН"}):
        r = api("partner").post(f"/api/v1/repair-orders/{order.number}/transitions", json=body)
        assert r.status_code == 200, r.get_json()
    return order.number


def _handover(api, who, number, **body):  # noqa: ANN001, ANN003, ANN202
    return api(who).post(f"/api/v1/repair-orders/{number}/handover", json=body)


def test_the_hand_back_takes_the_payment_and_the_customers_rating(api, world) -> None:  # noqa: ANN001
    number = _ready_paid(api, world)
    due = api("partner").get(f"/api/v1/repair-orders/{number}/handover").get_json()
    assert (due["amount_due"], due["amount_paid"], due["document"], due["state"]) == (
        "4500.00", None, "act", "ready_for_pickup")
    short = _handover(api, "partner", number, amount_paid="100", payment_method="cash")
    assert short.status_code == 422 and set(short.get_json()["errors"]) == {"amount_paid"}
    badly_rated = _handover(api, "partner", number, amount_paid="4500.00", payment_method="card", rating=7)
    assert badly_rated.status_code == 422 and set(badly_rated.get_json()["errors"]) == {"rating"}
    assert _order(api, number)["state"] == "ready_for_pickup"  # the whole hand-back was refused
    done = _handover(api, "partner", number, amount_paid="4 500,00", payment_method="card", rating=5,
                     rating_comment="Быстро", version=due["version"])
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert (body["state"], body["amount_paid"], body["payment_method"], body["rating"], body["rating_comment"]) == (
        "issued", "4500.00", "card", 5, "Быстро")
    assert body["paid_at"] is not None and body["document_url"].endswith(f"/repair-orders/{number}/act.pdf")
    assert api("partner").get(f"/api/v1/repair-orders/{number}/handover").get_json() == body
    history = _order(api, number)["history"]
    assert history[-1]["kind"] == "comment"
    assert history[-1]["details"]["params"] == {"rating": 5, "comment": "Быстро"}
    assert _handover(api, "partner", number, amount_paid="4500.00", payment_method="card").status_code == 409


def test_an_outdated_version_is_409_and_nothing_is_paid(api, world) -> None:  # noqa: ANN001
    number = _ready_paid(api, world)
    version = _order(api, number)["version"]
    r = _handover(api, "partner", number, amount_paid="4500", payment_method="cash", version=version - 1)
    assert r.status_code == 409
    assert api("partner").get(f"/api/v1/repair-orders/{number}/handover").get_json()["amount_paid"] is None


@pytest.mark.parametrize("body,field", [
    ({"payment_method": "barter"}, "payment_method"), ({"amount_paid": ["1"]}, "amount_paid"),
    ({"rating": "5"}, "rating"), ({"version": "3"}, "version"), ({"rating_comment": "я" * 1001}, "rating_comment"),
])
def test_wrong_hand_back_fields_are_422(api, world, body, field) -> None:  # noqa: ANN001
    number = _ready_paid(api, world)
    r = _handover(api, "partner", number, **body)
    assert r.status_code == 422 and field in r.get_json()["errors"]
    assert _order(api, number)["state"] == "ready_for_pickup"


def test_hand_back_roles_and_the_partner_wall(api, world) -> None:  # noqa: ANN001
    number = _ready_paid(api, world)
    assert _handover(api, "engineer", number, amount_paid="4500", payment_method="cash").status_code == 403
    assert _handover(api, "nsk_partner", number, amount_paid="4500", payment_method="cash").status_code == 404
    assert api("nsk_partner").get(f"/api/v1/repair-orders/{number}/handover").status_code == 404
    assert api("nsk_partner").get(f"/api/v1/repair-orders/{number}/act.pdf").status_code == 404
    assert _order(api, number)["state"] == "ready_for_pickup"


def test_the_transition_to_issued_records_the_same_payment(api, world) -> None:  # noqa: ANN001
    """POST /transitions {"to": "issued"} is the same hand-back (issue_to_customer) without the rating."""
    number = _ready_paid(api, world)
    r = api("partner").post(f"/api/v1/repair-orders/{number}/transitions",
                            json={"to": "issued", "amount_paid": "4500.00", "payment_method": "transfer"})
    assert r.status_code == 200
    paid = api("partner").get(f"/api/v1/repair-orders/{number}/handover").get_json()
    assert (paid["state"], paid["amount_due"], paid["amount_paid"], paid["payment_method"]) == (
        "issued", "4500.00", "4500.00", "transfer")
    assert paid["paid_at"] is not None and paid["rating"] is None


def test_the_act_and_the_conclusion(api, world, factory) -> None:  # noqa: ANN001
    number = _ready_paid(api, world)
    assert _handover(api, "partner", number, amount_paid="4500", payment_method="cash").status_code == 200
    act = api("partner").get(f"/api/v1/repair-orders/{number}/act.pdf")
    assert act.status_code == 200 and act.mimetype == "application/pdf"
    assert f"{number}-act.pdf" in act.headers["Content-Disposition"]
    text = pdf_text(act.data)
    assert number in text and "4 500,00" in text
    unrepairable = factory.order(world.msk, state=RepairState.READY_FOR_PICKUP)
    conclusion = api("intake").get(f"/api/v1/repair-orders/{unrepairable.number}/act.pdf")
    assert conclusion.status_code == 200 and "-conclusion.pdf" in conclusion.headers["Content-Disposition"]
    assert api("intake").get(f"/api/v1/repair-orders/{unrepairable.number}/handover").get_json()["document"] == \
        "conclusion"
    assert api("intake").get(f"/api/v1/repair-orders/{world.msk_order.number}/act.pdf").status_code == 409
