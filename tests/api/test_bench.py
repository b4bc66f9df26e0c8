"""The bench over the API: take, diagnosis, checklist, labour, finish (the engineer's services), and the
team lead's priority and routing — the same services, roles, refusals and partner wall as the workstations."""

from __future__ import annotations

from datetime import timedelta

import pytest

from servicecenter.clock import local_date, utcnow
from servicecenter.diagnostics.catalogue import create_checklist_item, create_code
from servicecenter.repairs.services import assign_engineer
from servicecenter.repairs.states import RepairState

WASHERS = "Стиральные машины"  # the category of the world's units (the factory's default)


def _url(order, action: str = "") -> str:  # noqa: ANN001
    return f"/api/v1/repair-orders/{order.number}" + (f"/{action}" if action else "")


def _read(api, order) -> dict:  # noqa: ANN001
    return api("admin").get(_url(order)).get_json()


@pytest.fixture
def bench_order(factory, world):  # noqa: ANN001, ANN201
    """Make an MSK order in a state, assigned to the world's engineer."""

    def make(state: RepairState = RepairState.DIAGNOSIS):  # noqa: ANN202
        order = factory.order(world.msk, state)
        assign_engineer(factory.session, order, world.users["engineer"], world.users["team_lead"])
        factory.session.flush()
        return order

    return make


@pytest.fixture
def codes(factory, world) -> dict:  # noqa: ANN001
    admin = world.users["admin"]
    made = {
        "S10": create_code(factory.session, admin, category=WASHERS, kind="symptom", code="S10", name="Течёт"),
        "C10": create_code(factory.session, admin, category=WASHERS, kind="cause", code="C10", name="Манжета"),
        "A10": create_code(factory.session, admin, category=WASHERS, kind="action", code="A10", name="Замена"),
        "C99": create_code(factory.session, admin, category="Телевизоры", kind="cause", code="C99", name="Матрица"),
    }
    factory.session.flush()
    return made


@pytest.fixture
def checklist_items(factory, world) -> dict:  # noqa: ANN001
    admin = world.users["admin"]
    made = {
        "seal": create_checklist_item(factory.session, admin, category=WASHERS, text="Проверить герметичность",
                                      position=1, required=True),
        "photo": create_checklist_item(factory.session, admin, category=WASHERS, text="Фото шильдика",
                                       position=2, required=False),
        "tv": create_checklist_item(factory.session, admin, category="Телевизоры", text="Проверить матрицу"),
    }
    factory.session.flush()
    return made


# --- take -------------------------------------------------------------------------------------------

def test_an_engineer_takes_a_received_order_into_diagnosis(api, world) -> None:  # noqa: ANN001
    response = api("engineer").post(_url(world.msk_order, "take"))
    body = response.get_json()
    assert response.status_code == 200
    assert (body["state"], body["engineer"]) == ("diagnosis", world.users["engineer"].name)
    kinds = [(e["kind"], e["to"]) for e in _read(api, world.msk_order)["history"]]
    assert ("assignment", world.users["engineer"].name) in kinds and kinds[-1] == ("state", "diagnosis")


@pytest.mark.parametrize("who,order", [("partner", "ekb_order"), ("team_lead", "msk_order")])
def test_a_partner_or_team_lead_takes_an_order_of_its_center(api, world, who, order) -> None:  # noqa: ANN001
    response = api(who).post(_url(getattr(world, order), "take"), json={})
    assert response.status_code == 200 and response.get_json()["engineer"] == world.users[who].name


@pytest.mark.parametrize("who", ["admin", "intake", "call_center", "logistics"])
def test_a_role_that_does_not_work_the_bench_cannot_take(api, world, who) -> None:  # noqa: ANN001
    assert api(who).post(_url(world.msk_order, "take")).status_code == 403
    body = _read(api, world.msk_order)
    assert (body["state"], body["engineer"]) == ("received", None)


def test_an_order_someone_has_taken_is_409_naming_who(api, world, factory) -> None:  # noqa: ANN001
    other = factory.user(world.msk, world.users["engineer"].role, name="Сидоров С.")
    assign_engineer(factory.session, world.msk_order, other, world.users["team_lead"])
    response = api("engineer").post(_url(world.msk_order, "take"))
    assert response.status_code == 409 and "Сидоров С." in response.get_json()["detail"]
    assert _read(api, world.msk_order)["state"] == "received"


def test_an_order_already_in_diagnosis_cannot_be_taken(api, world, bench_order) -> None:  # noqa: ANN001
    order = bench_order(RepairState.DIAGNOSIS)
    response = api("engineer").post(_url(order, "take"))
    assert response.status_code == 409 and response.get_json()["current"] == "diagnosis"


def test_take_outside_the_callers_center_is_403_or_404(api, world) -> None:  # noqa: ANN001
    assert api("engineer").post(_url(world.ekb_order, "take")).status_code == 403
    assert api("nsk_partner").post(_url(world.ekb_order, "take")).status_code == 404
    assert api("engineer").post("/api/v1/repair-orders/MSK-1999-999999/take").status_code == 404
    assert api(None).post(_url(world.msk_order, "take")).status_code == 401
    assert api("engineer").post(_url(world.msk_order, "take"), json=[1]).status_code == 400
    assert _read(api, world.ekb_order)["engineer"] is None and _read(api, world.msk_order)["engineer"] is None


# --- diagnosis --------------------------------------------------------------------------------------

def test_the_coded_diagnosis_is_recorded_by_code_and_read_back(api, world, bench_order, codes) -> None:  # noqa: ANN001
    order = bench_order()
    before = api("engineer").get(_url(order, "diagnosis")).get_json()
    assert before["symptom"] is None and before["category"] == WASHERS
    assert [c["code"] for c in before["codes"]["cause"]] == ["C10"]  # the category's own, not the TVs'
    response = api("engineer").post(_url(order, "diagnosis"),
                                    json={"symptom": " s10 ", "cause": "C10", "action": "a10",
                                          "diagnosis": "Порвана манжета люка"})
    assert response.status_code == 200
    assert response.get_json()["diagnosis"] == "Порвана манжета люка"
    assert response.get_json()["history"][-1]["details"]["field"] == "diagnosis"
    after = api("call_center").get(_url(order, "diagnosis")).get_json()
    assert (after["symptom"]["code"], after["cause"]["name"], after["action"]["code"]) == ("S10", "Манжета", "A10")
    assert after["text"] == "Порвана манжета люка" and after["recorded_at"]


@pytest.mark.parametrize("body,fields", [
    ({"symptom": "S10", "cause": "C99"}, {"cause"}),  # another category's code
    ({"symptom": "S10", "cause": "NOPE"}, {"cause"}),
    ({"symptom": "C10", "cause": "C10"}, {"symptom"}),  # a cause is not a symptom
    ({"cause": "C10"}, {"symptom"}),
    ({"symptom": 10, "cause": "C10"}, {"symptom"}),
    ({"symptom": "S10", "cause": "C10", "diagnosis": "я" * 4001}, {"diagnosis"}),
])
def test_a_wrong_diagnosis_is_422_and_nothing_is_recorded(api, world, bench_order, codes, body, fields) -> None:  # noqa: ANN001
    order = bench_order()
    response = api("engineer").post(_url(order, "diagnosis"), json=body)
    assert response.status_code == 422 and set(response.get_json()["errors"]) == fields
    assert api("engineer").get(_url(order, "diagnosis")).get_json()["symptom"] is None


def test_diagnosis_refusals_state_role_assignment_and_wall(api, world, factory, bench_order, codes) -> None:  # noqa: ANN001
    good = {"symptom": "S10", "cause": "C10"}
    assert api("engineer").post(_url(world.msk_order, "diagnosis"), json=good).status_code == 403  # take it first
    assert api("team_lead").post(_url(world.msk_order, "diagnosis"), json=good).status_code == 409  # received
    order = bench_order()
    assert api("team_lead").post(_url(order, "diagnosis"), json=good).status_code == 200  # a lead may correct
    other = bench_order()
    someone = factory.user(world.msk, world.users["engineer"].role)
    assign_engineer(factory.session, other, someone, world.users["team_lead"])
    assert api("engineer").post(_url(other, "diagnosis"), json=good).status_code == 403  # not assigned to me
    assert api("intake").post(_url(other, "diagnosis"), json=good).status_code == 403
    assert api("engineer").post(_url(world.ekb_order, "diagnosis"), json=good).status_code == 403
    assert api("nsk_partner").post(_url(world.ekb_order, "diagnosis"), json=good).status_code == 404
    assert api("nsk_partner").get(_url(world.ekb_order, "diagnosis")).status_code == 404
    assert api("engineer").post(_url(other, "diagnosis"), data="x", content_type="text/plain").status_code == 415
    assert api(None).get(_url(other, "diagnosis")).status_code == 401
    assert api("engineer").get(_url(other, "diagnosis")).get_json()["symptom"] is None


# --- checklist --------------------------------------------------------------------------------------

def test_the_checklist_is_read_ticked_and_unticked(api, world, bench_order, checklist_items) -> None:  # noqa: ANN001
    order = bench_order()
    seal, photo = checklist_items["seal"], checklist_items["photo"]
    before = api("call_center").get(_url(order, "checklist")).get_json()
    assert [i["id"] for i in before["items"]] == [seal.id, photo.id]  # the category's lines, in order
    assert before["complete"] is False and not any(i["ticked"] for i in before["items"])
    response = api("engineer").post(_url(order, "checklist"), json={"item": seal.id})
    body = response.get_json()
    assert response.status_code == 200 and body["complete"] is True
    line = body["items"][0]
    assert line["ticked"] and line["ticked_by"] == world.users["engineer"].name and line["ticked_at"]
    assert _read(api, order)["history"][-1]["details"]["field"] == "checklist"
    again = api("engineer").post(_url(order, "checklist"), json={"item": seal.id, "ticked": False})
    assert again.status_code == 200 and again.get_json()["complete"] is False
    assert api("engineer").get(_url(order, "checklist")).get_json()["items"][0]["ticked"] is False


@pytest.mark.parametrize("body,field", [
    ({}, "item"), ({"item": "1"}, "item"), ({"item": True}, "item"), ({"item": "TV"}, "item"),
    ({"item": "SEAL", "ticked": "yes"}, "ticked"), ({"item": 2**40}, "item"),
])
def test_a_wrong_checklist_line_is_422_and_nothing_is_ticked(api, world, bench_order, checklist_items,
                                                             body, field) -> None:  # noqa: ANN001
    order = bench_order()
    named = {"TV": checklist_items["tv"].id, "SEAL": checklist_items["seal"].id}
    body = {k: named.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    response = api("engineer").post(_url(order, "checklist"), json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert not any(i["ticked"] for i in api("engineer").get(_url(order, "checklist")).get_json()["items"])


def test_checklist_refusals_state_role_and_wall(api, world, bench_order, checklist_items) -> None:  # noqa: ANN001
    seal = {"item": checklist_items["seal"].id}
    assert api("team_lead").post(_url(world.msk_order, "checklist"), json=seal).status_code == 409  # received
    order = bench_order()
    for who in ("call_center", "intake", "logistics"):
        assert api(who).post(_url(order, "checklist"), json=seal).status_code == 403
    assert api("engineer").post(_url(world.ekb_order, "checklist"), json=seal).status_code == 403
    assert api("nsk_partner").post(_url(world.ekb_order, "checklist"), json=seal).status_code == 404
    assert api("nsk_partner").get(_url(world.ekb_order, "checklist")).status_code == 404
    assert not any(i["ticked"] for i in api("engineer").get(_url(order, "checklist")).get_json()["items"])


# --- labour -----------------------------------------------------------------------------------------

def test_labour_is_logged_and_listed_with_its_total(api, world, bench_order) -> None:  # noqa: ANN001
    order = bench_order(RepairState.IN_REPAIR)
    assert api("engineer").get(_url(order, "work")).get_json() == {"order": order.number, "minutes": 0, "items": []}
    yesterday = (local_date(utcnow(), world.msk.timezone) - timedelta(days=1)).isoformat()
    response = api("engineer").post(_url(order, "work"), json={"minutes": 45, "description": " Замена ТЭН ",
                                                               "performed_on": yesterday})
    assert response.status_code == 201
    api("engineer").post(_url(order, "work"), json={"minutes": 15, "description": "Тест"})
    body = api("call_center").get(_url(order, "work")).get_json()
    assert body["minutes"] == 60 and [i["minutes"] for i in body["items"]] == [45, 15]
    first = body["items"][0]
    assert (first["engineer"], first["description"], first["performed_on"]) == (
        world.users["engineer"].name, "Замена ТЭН", yesterday)
    assert _read(api, order)["history"][-1]["details"]["field"] == "work"


@pytest.mark.parametrize("body,field", [
    ({"description": "x"}, "minutes"), ({"minutes": "45", "description": "x"}, "minutes"),
    ({"minutes": 0, "description": "x"}, "minutes"), ({"minutes": 1441, "description": "x"}, "minutes"),
    ({"minutes": 4.5, "description": "x"}, "minutes"), ({"minutes": 45}, "description"),
    ({"minutes": 45, "description": "  "}, "description"),
    ({"minutes": 45, "description": "x", "performed_on": "2026-13-01"}, "performed_on"),
    ({"minutes": 45, "description": "x", "performed_on": "FUTURE"}, "performed_on"),
    ({"minutes": 45, "description": "x", "performed_on": "LONG_AGO"}, "performed_on"),
])
def test_wrong_labour_is_422_and_nothing_is_logged(api, world, bench_order, body, field) -> None:  # noqa: ANN001
    today = local_date(utcnow(), world.msk.timezone)
    days = {"FUTURE": today + timedelta(days=1), "LONG_AGO": today - timedelta(days=40)}
    if body.get("performed_on") in days:
        body = {**body, "performed_on": days[body["performed_on"]].isoformat()}
    order = bench_order()
    response = api("engineer").post(_url(order, "work"), json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert api("engineer").get(_url(order, "work")).get_json()["items"] == []


def test_labour_refusals_state_role_and_wall(api, world, bench_order) -> None:  # noqa: ANN001
    entry = {"minutes": 30, "description": "Осмотр"}
    order = bench_order()
    assert api("admin").post(_url(order, "work"), json=entry).status_code == 403  # an admin logs no labour
    assert api("intake").post(_url(order, "work"), json=entry).status_code == 403
    assert api("team_lead").post(_url(world.msk_order, "work"), json=entry).status_code == 409  # received
    assert api("engineer").post(_url(world.ekb_order, "work"), json=entry).status_code == 403
    assert api("nsk_partner").post(_url(world.ekb_order, "work"), json=entry).status_code == 404
    assert api("nsk_partner").get(_url(world.ekb_order, "work")).status_code == 404
    assert api("engineer").get(_url(order, "work")).get_json()["minutes"] == 0


# --- finish -----------------------------------------------------------------------------------------

def test_finishing_with_an_outcome_makes_the_order_ready(api, world, bench_order) -> None:  # noqa: ANN001
    order = bench_order(RepairState.IN_REPAIR)
    version = _read(api, order)["version"]
    response = api("engineer").post(_url(order, "finish"), json={"outcome": "repaired", "outcome_note": "Заменён ТЭН",
                                                                 "version": version})
    body = response.get_json()
    assert response.status_code == 200
    assert (body["state"], body["outcome"]) == ("ready_for_pickup", "repaired") and body["ready_at"]
    assert _read(api, order)["history"][-1]["to"] == "ready_for_pickup"


def test_from_diagnosis_only_a_refusal_or_unrepairable_closes_it(api, world, bench_order) -> None:  # noqa: ANN001
    order = bench_order(RepairState.DIAGNOSIS)
    refused = api("engineer").post(_url(order, "finish"), json={"outcome": "replaced", "replacement_serial": "N1"})
    assert refused.status_code == 409 and _read(api, order)["state"] == "diagnosis"
    done = api("engineer").post(_url(order, "finish"), json={"outcome": "unrepairable", "outcome_note": "Плата"})
    assert done.status_code == 200 and done.get_json()["outcome"] == "unrepairable"


def test_an_unticked_required_line_stops_the_finish(api, world, bench_order, checklist_items) -> None:  # noqa: ANN001
    order = bench_order(RepairState.IN_REPAIR)
    response = api("engineer").post(_url(order, "finish"), json={"outcome": "repaired"})
    assert response.status_code == 422 and "checklist" in response.get_json()["errors"]
    assert _read(api, order)["state"] == "in_repair"
    api("engineer").post(_url(order, "checklist"), json={"item": checklist_items["seal"].id})
    assert api("engineer").post(_url(order, "finish"), json={"outcome": "repaired"}).status_code == 200


@pytest.mark.parametrize("body,status,field", [
    ({}, 422, "outcome"), ({"outcome": "fixed"}, 422, "outcome"), ({"outcome": "replaced"}, 422, "replacement_serial"),
    ({"outcome": "repaired", "version": "1"}, 422, "version"), ({"outcome": "repaired", "version": 0}, 409, None),
])
def test_a_wrong_finish_changes_nothing(api, world, bench_order, body, status, field) -> None:  # noqa: ANN001
    order = bench_order(RepairState.IN_REPAIR)
    response = api("engineer").post(_url(order, "finish"), json=body)
    assert response.status_code == status
    if field:
        assert field in response.get_json()["errors"]
    else:
        assert response.get_json()["type"] == "urn:servicecenter:problem:conflict"
    assert (_read(api, order)["state"], _read(api, order)["outcome"]) == ("in_repair", None)


def test_finish_refusals_state_role_and_wall(api, world, bench_order) -> None:  # noqa: ANN001
    done = {"outcome": "repaired"}
    assert api("team_lead").post(_url(world.msk_order, "finish"), json=done).status_code == 409  # received
    order = bench_order(RepairState.IN_REPAIR)
    for who in ("intake", "call_center", "logistics"):
        assert api(who).post(_url(order, "finish"), json=done).status_code == 403
    assert api("engineer").post(_url(world.ekb_order, "finish"), json=done).status_code == 403
    assert api("nsk_partner").post(_url(world.ekb_order, "finish"), json=done).status_code == 404
    assert _read(api, order)["state"] == "in_repair" and _read(api, world.ekb_order)["state"] == "received"


# --- priority ---------------------------------------------------------------------------------------

def test_a_team_lead_changes_the_priority(api, world) -> None:  # noqa: ANN001
    version = _read(api, world.msk_order)["version"]
    response = api("team_lead").post(_url(world.msk_order, "priority"), json={"priority": "urgent", "version": version})
    assert response.status_code == 200 and response.get_json()["priority"] == "urgent"
    last = _read(api, world.msk_order)["history"][-1]
    assert (last["details"]["field"], last["from"], last["to"]) == ("priority", "normal", "urgent")
    assert api("partner").post(_url(world.ekb_order, "priority"), json={"priority": "high"}).get_json()[
        "priority"] == "high"


@pytest.mark.parametrize("body,status", [
    ({}, 422), ({"priority": "asap"}, 422), ({"priority": 1}, 422), ({"priority": "high", "version": 0}, 409),
    ({"priority": "high", "version": True}, 422),
])
def test_a_wrong_priority_changes_nothing(api, world, body, status) -> None:  # noqa: ANN001
    response = api("team_lead").post(_url(world.msk_order, "priority"), json=body)
    assert response.status_code == status
    assert _read(api, world.msk_order)["priority"] == "normal"


def test_priority_refusals_role_state_and_wall(api, world, factory) -> None:  # noqa: ANN001
    for who in ("engineer", "intake", "call_center", "logistics"):
        assert api(who).post(_url(world.msk_order, "priority"), json={"priority": "high"}).status_code == 403
    issued = factory.order(world.msk, RepairState.ISSUED)
    assert api("team_lead").post(_url(issued, "priority"), json={"priority": "high"}).status_code == 409
    assert api("team_lead").post(_url(world.ekb_order, "priority"), json={"priority": "high"}).status_code == 403
    assert api("nsk_partner").post(_url(world.ekb_order, "priority"), json={"priority": "high"}).status_code == 404
    assert _read(api, world.msk_order)["priority"] == _read(api, world.ekb_order)["priority"] == "normal"


# --- routing ----------------------------------------------------------------------------------------

def test_a_team_lead_routes_the_order_to_an_authorised_partner(api, world) -> None:  # noqa: ANN001
    api("engineer").post(_url(world.msk_order, "take"))
    version = _read(api, world.msk_order)["version"]
    response = api("team_lead").post(_url(world.msk_order, "route"), json={"center": "ekb", "version": version})
    body = response.get_json()
    assert response.status_code == 200
    assert (body["center"], body["intake_center"], body["engineer"]) == ("EKB", "MSK", None)
    routed = [(e["from"], e["to"]) for e in _read(api, world.msk_order)["history"] if e["kind"] == "routing"]
    assert routed == [("MSK", "EKB")]
    assert api("partner").get(_url(world.msk_order)).status_code == 200  # the partner sees it now


@pytest.mark.parametrize("body,status,field", [
    ({}, 422, "center"), ({"center": "NOPE"}, 422, "center"), ({"center": "MSK"}, 422, "center"),
    ({"center": "NSK"}, 422, "center"),  # not authorised for the brand
    ({"center": 5}, 422, "center"), ({"center": "EKB", "version": 0}, 409, None),
])
def test_a_wrong_route_changes_nothing(api, world, body, status, field) -> None:  # noqa: ANN001
    response = api("intake").post(_url(world.msk_order, "route"), json=body)
    assert response.status_code == status
    if field:
        assert set(response.get_json()["errors"]) == {field}
    assert _read(api, world.msk_order)["center"] == "MSK"


def test_route_refusals_role_state_and_wall(api, world, factory) -> None:  # noqa: ANN001
    for who in ("engineer", "call_center", "logistics"):
        assert api(who).post(_url(world.msk_order, "route"), json={"center": "EKB"}).status_code == 403
    assert api("partner").post(_url(world.ekb_order, "route"), json={"center": "EKB"}).status_code == 404
    ready = factory.order(world.msk, RepairState.READY_FOR_PICKUP, unit=factory.unit(world.model))
    assert api("team_lead").post(_url(ready, "route"), json={"center": "EKB"}).status_code == 409
    other = factory.center("SPB")
    factory.user(other, world.users["team_lead"].role)
    spb_order = factory.order(other, unit=factory.unit(world.model))
    assert api("team_lead").post(_url(spb_order, "route"), json={"center": "EKB"}).status_code == 403
    assert _read(api, world.msk_order)["center"] == "MSK" and _read(api, spb_order)["center"] == "SPB"
    assert _read(api, ready)["center"] == "MSK"
