"""Planned maintenance over the API: the team lead's plans (list, read, add, change, stop) and a date on a
unit's card — the same services and rules as /team-lead/maintenance."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from servicecenter.accounts.roles import Role
from servicecenter.accounts.tokens import create_token
from servicecenter.clock import local_date, utcnow
from servicecenter.maintenance import services
from servicecenter.maintenance.models import MaintenancePlan, UnitDate
from servicecenter.repairs.models import EventKind, RepairEvent
from tests.api.conftest import ApiClient


@pytest.fixture
def plans(world, factory, session):  # noqa: ANN001, ANN201
    """A unit plan of MSK, and a plan of another own center (SPB) with its team lead's token."""
    today = local_date(utcnow(), world.msk.timezone)
    unit = world.msk_order.unit
    mine = services.create_plan(session, world.users["team_lead"], name="Квартальное ТО", work="Чистка",
                                scope="unit", unit_serial=unit.serial, schedule="every_months", every_months="3",
                                start_on=(today + timedelta(days=5)).isoformat(), lead_days="10", action="order",
                                active=True)
    spb = factory.center("SPB")
    spb_lead = factory.user(spb, Role.TEAM_LEAD)
    theirs = services.create_plan(session, spb_lead, name="Чужой план", scope="unit", unit_serial=unit.serial,
                                  schedule="every_months", every_months="6", start_on=today.isoformat(),
                                  lead_days="7", action="reminder", active=True)
    session.flush()
    return {"mine": mine, "theirs": theirs, "today": today, "unit": unit,
            "spb_token": create_token(session, None, spb_lead, "spb")[1]}


def _count(session) -> int:  # noqa: ANN001
    return session.scalar(select(func.count()).select_from(MaintenancePlan))


def test_list_and_read_the_centers_plans_only(api, world, plans) -> None:  # noqa: ANN001
    listed = api("team_lead").get("/api/v1/maintenance-plans")
    assert listed.status_code == 200
    body = listed.get_json()
    assert [p["name"] for p in body["items"]] == ["Квартальное ТО"] and body["total"] == 1
    plan = body["items"][0]
    assert (plan["scope"], plan["unit_serial"], plan["every_months"], plan["lead_days"], plan["action"]) == \
        ("unit", plans["unit"].serial, 3, 10, "order")
    assert plan["next_due_on"] == (plans["today"] + timedelta(days=5)).isoformat()
    assert api("team_lead").get(f"/api/v1/maintenance-plans/{plans['mine'].id}").get_json() == plan
    assert api("team_lead").get(f"/api/v1/maintenance-plans/{plans['theirs'].id}").status_code == 404
    assert api("team_lead").get("/api/v1/maintenance-plans/999999").status_code == 404
    assert api("team_lead").get("/api/v1/maintenance-plans?per_page=0").status_code == 422
    for who in ("engineer", "intake", "logistics"):
        assert api(who).get("/api/v1/maintenance-plans").status_code == 403, who
    assert api("partner").get("/api/v1/maintenance-plans").status_code == 404  # behind the wall: no such thing
    assert api(None).get("/api/v1/maintenance-plans").status_code == 401


def test_add_a_plan_by_model_and_by_unit(api, world, plans, session) -> None:  # noqa: ANN001
    before = _count(session)
    made = api("team_lead").post("/api/v1/maintenance-plans", json={
        "name": "Поверка", "scope": "model", "manufacturer": "атлант", "model": "СМА 60",
        "schedule": "before_date", "date_kind": "calibration", "lead_days": 30, "action": "reminder"})
    assert made.status_code == 201, made.get_json()
    plan = made.get_json()
    assert (plan["manufacturer"], plan["model"], plan["date_kind"], plan["active"]) == \
        ("Атлант", "СМА 60", "calibration", True)
    assert made.headers["Location"] == f"/api/v1/maintenance-plans/{plan['id']}"
    row = session.get(MaintenancePlan, plan["id"])
    assert (row.center_id, row.model_id, row.lead_days) == (world.msk.id, world.model.id, 30)
    second = api("admin").post("/api/v1/maintenance-plans", json={
        "name": "ТО", "scope": "unit", "unit_serial": plans["unit"].serial.lower(), "schedule": "every_months",
        "every_months": 12, "start_on": plans["today"].isoformat()})
    assert second.status_code == 201 and second.get_json()["next_due_on"] == plans["today"].isoformat()
    assert _count(session) == before + 2


@pytest.mark.parametrize(("body", "fields"), [
    ({}, {"name"}),
    ({"name": "X", "scope": "unit", "unit_serial": "NO-SUCH", "schedule": "every_months", "every_months": 3,
      "start_on": "2030-01-01"}, {"unit_serial"}),
    ({"name": "X", "scope": "model", "manufacturer": "Атлант", "model": "Нет такой", "schedule": "before_date",
      "date_kind": "licence"}, {"model"}),
    ({"name": "X", "scope": "model", "manufacturer": "Никто", "model": "Y", "schedule": "before_date",
      "date_kind": "licence"}, {"manufacturer"}),
    ({"name": "X", "scope": "contract", "contract_number": "NOPE", "schedule": "every_months", "every_months": 0,
      "start_on": "2030-02-30"}, {"contract_number", "every_months", "start_on"}),
    ({"name": "X", "scope": "galaxy", "schedule": "daily", "lead_days": 1000}, {"scope", "schedule", "lead_days"}),
    ({"name": 5, "every_months": "3", "active": "yes"}, {"name", "every_months", "active"}),
])
def test_a_wrong_plan_is_422_and_nothing_is_added(api, world, plans, session, body, fields) -> None:  # noqa: ANN001
    before = _count(session)
    r = api("team_lead").post("/api/v1/maintenance-plans", json=body)
    assert r.status_code == 422, r.get_json()
    assert fields <= set(r.get_json()["errors"]), r.get_json()["errors"]
    assert _count(session) == before


def test_add_is_refused_to_other_roles_and_bad_bodies(api, world, plans, session) -> None:  # noqa: ANN001
    before = _count(session)
    good = {"name": "X", "scope": "unit", "unit_serial": plans["unit"].serial, "schedule": "every_months",
            "every_months": 3, "start_on": "2030-01-01"}
    assert api("engineer").post("/api/v1/maintenance-plans", json=good).status_code == 403
    assert api("partner").post("/api/v1/maintenance-plans", json=good).status_code == 404
    assert api("team_lead").post("/api/v1/maintenance-plans", data="x").status_code == 415
    assert api("team_lead").post("/api/v1/maintenance-plans", data="[1]",
                                 content_type="application/json").status_code == 400
    assert _count(session) == before


def test_change_a_plan_keeps_what_is_not_given_and_restarts_a_moved_schedule(api, world, plans, session) -> None:  # noqa: ANN001
    url = f"/api/v1/maintenance-plans/{plans['mine'].id}"
    r = api("team_lead").open("PATCH", url, json={"name": "Полугодовое ТО", "every_months": 6,
                                                  "start_on": plans["today"].isoformat()})
    assert r.status_code == 200, r.get_json()
    plan = r.get_json()
    assert (plan["name"], plan["every_months"], plan["work"], plan["lead_days"], plan["scope"]) == \
        ("Полугодовое ТО", 6, "Чистка", 10, "unit")
    assert plan["next_due_on"] == plans["today"].isoformat()
    session.expire_all()
    assert session.get(MaintenancePlan, plans["mine"].id).name == "Полугодовое ТО"
    wrong = api("team_lead").open("PATCH", url, json={"every_months": 500, "name": "Другое"})
    assert wrong.status_code == 422 and set(wrong.get_json()["errors"]) == {"every_months"}
    session.expire_all()
    assert session.get(MaintenancePlan, plans["mine"].id).name == "Полугодовое ТО"
    assert api("team_lead").open("PATCH", f"/api/v1/maintenance-plans/{plans['theirs'].id}",
                                 json={"name": "Моё"}).status_code == 404
    assert api("engineer").open("PATCH", url, json={"name": "Моё"}).status_code == 403
    assert api("team_lead").open("PATCH", "/api/v1/maintenance-plans/99999999999", json={}).status_code == 404
    session.expire_all()
    assert session.get(MaintenancePlan, plans["theirs"].id).name == "Чужой план"


def test_stop_a_plan(api, world, plans, session) -> None:  # noqa: ANN001
    spb = ApiClient(api("team_lead").client, plans["spb_token"])
    assert spb.post(f"/api/v1/maintenance-plans/{plans['mine'].id}/deactivate").status_code == 404
    assert api("engineer").post(f"/api/v1/maintenance-plans/{plans['mine'].id}/deactivate").status_code == 403
    session.expire_all()
    assert session.get(MaintenancePlan, plans["mine"].id).active is True
    r = api("team_lead").post(f"/api/v1/maintenance-plans/{plans['mine'].id}/deactivate")
    assert r.status_code == 200 and r.get_json()["active"] is False
    session.expire_all()
    assert session.get(MaintenancePlan, plans["mine"].id).active is False
    listed = api("team_lead").get("/api/v1/maintenance-plans").get_json()["items"]
    assert [p["active"] for p in listed] == [False]


def test_a_date_on_a_units_card_is_kept_and_noted_in_its_history(api, world, plans, session) -> None:  # noqa: ANN001
    unit = plans["unit"]
    due = (plans["today"] + timedelta(days=40)).isoformat()
    r = api("team_lead").post("/api/v1/unit-dates", json={"unit_serial": unit.serial, "date_kind": "fiscal_drive",
                                                          "due_on": due, "note": "ФН-15"})
    assert r.status_code == 201, r.get_json()
    assert r.get_json() == {"unit_serial": unit.serial, "unit_id": unit.id, "date_kind": "fiscal_drive",
                            "due_on": due, "note": "ФН-15"}
    row = session.scalar(select(UnitDate).where(UnitDate.unit_id == unit.id))
    assert (row.due_on.isoformat(), row.note) == (due, "ФН-15")
    event = session.scalar(select(RepairEvent).where(RepairEvent.unit_id == unit.id, RepairEvent.kind == EventKind.FIELD)
                           .order_by(RepairEvent.id.desc()).limit(1))
    assert event is not None and event.to_value == due
    for bad, fields in (({"unit_serial": "NOPE", "date_kind": "licence", "due_on": due}, {"unit_serial"}),
                        ({"unit_serial": unit.serial, "date_kind": "moon", "due_on": "31.12.2030"},
                         {"date_kind", "due_on"}),
                        ({"unit_serial": 1}, {"unit_serial"})):
        refused = api("team_lead").post("/api/v1/unit-dates", json=bad)
        assert refused.status_code == 422 and fields <= set(refused.get_json()["errors"]), refused.get_json()
    assert api("engineer").post("/api/v1/unit-dates", json={"unit_serial": unit.serial, "date_kind": "licence",
                                                            "due_on": due}).status_code == 403
    assert session.scalar(select(func.count()).select_from(UnitDate).where(UnitDate.unit_id == unit.id)) == 1
