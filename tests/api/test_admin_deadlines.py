"""Deadline rules and the business calendar over the API: deadlines.rules, which recomputes the open
orders' due dates on every change."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from servicecenter.deadlines.models import CalendarDay, DeadlineRule
from servicecenter.repairs.models import RepairOrder

RULE = {"center": "msk", "diagnosis_days": 2, "repair_days": 10, "applies_to": "any"}


def _patch(api, path: str, **body: object):  # noqa: ANN001, ANN202
    return api("admin").open("PATCH", path, json=body)


def _due(session, order: RepairOrder):  # noqa: ANN001, ANN202
    session.expire_all()
    return session.get(RepairOrder, order.id).due_at


def test_a_rule_is_saved_and_the_open_orders_get_new_dates(api, world, session) -> None:  # noqa: ANN001
    before = _due(session, world.msk_order)
    made = api("admin").post("/api/v1/deadline-rules", json=RULE)
    assert made.status_code == 201, made.get_json()
    rule = made.get_json()
    assert (rule["center"], rule["repair_days"], rule["margin_hours"], rule["pause_on_approval"]) == \
        ("MSK", 10, 24, True)
    assert rule["recomputed"] == {"changed": 1, "queued": 0}
    first = _due(session, world.msk_order)
    assert first != before
    history = api("admin").get(f"/api/v1/repair-orders/{world.msk_order.number}").get_json()["history"]
    assert [e["kind"] for e in history].count("deadline") == 1  # the order says its dates moved
    longer = _patch(api, f"/api/v1/deadline-rules/{rule['id']}", diagnosis_days=4, margin=2, margin_unit="days")
    assert longer.status_code == 200, longer.get_json()
    assert (longer.get_json()["diagnosis_days"], longer.get_json()["margin_hours"]) == (4, 48)
    assert longer.get_json()["repair_days"] == 10  # not sent: kept
    assert _due(session, world.msk_order) == first + timedelta(days=2)  # a received order is due at diagnosis
    read = api("admin").get(f"/api/v1/deadline-rules/{rule['id']}").get_json()
    assert read == {k: v for k, v in longer.get_json().items() if k != "recomputed"}
    listed = api("admin").get("/api/v1/deadline-rules", query_string={"center": "MSK"}).get_json()
    assert [r["id"] for r in listed["items"]] == [rule["id"]]
    assert api("admin").get("/api/v1/deadline-rules", query_string={"center": "EKB"}).get_json()["items"] == []


def test_rule_refusals_change_nothing(api, world, session) -> None:  # noqa: ANN001
    assert api("admin").post("/api/v1/deadline-rules", json=RULE).status_code == 201
    count = session.scalar(select(func.count()).select_from(DeadlineRule))
    cases = [({**RULE}, "applies_to"),  # an active rule for these orders exists
             ({**RULE, "center": "ZZZ"}, "center"),
             ({**RULE, "applies_to": "paid", "repair_days": 0}, "repair_days"),
             ({**RULE, "applies_to": "paid", "margin": 10, "margin_unit": "days"}, "margin"),
             ({**RULE, "applies_to": "paid", "contract_number": "NO-SUCH"}, "contract_number"),
             ({**RULE, "applies_to": "paid", "manufacturer": "Nobody"}, "manufacturer"),
             ({"center": "MSK"}, "diagnosis_days"),
             ({**RULE, "pause_in_transit": "yes"}, "pause_in_transit")]
    for body, field in cases:
        refused = api("admin").post("/api/v1/deadline-rules", json=body)
        assert refused.status_code == 422 and field in refused.get_json()["errors"], (body, refused.get_json())
    assert session.scalar(select(func.count()).select_from(DeadlineRule)) == count
    rule_id = session.scalar(select(DeadlineRule.id))
    for change, field in (({"margin": 5, "margin_unit": "days"}, "margin"), ({"margin_unit": "days"}, "margin"),
                          ({"manufacturer": "Атлант", "contract_number": "X-1"}, "contract_number"),
                          ({"center": "ZZZ"}, "center"), ({"repair_days": "5"}, "repair_days")):
        refused = _patch(api, f"/api/v1/deadline-rules/{rule_id}", **change)
        assert refused.status_code == 422 and field in refused.get_json()["errors"], (change, refused.get_json())
    session.expire_all()
    kept = session.get(DeadlineRule, rule_id)
    assert (kept.margin_hours, kept.manufacturer_id, kept.repair_days) == (24, None, 10)
    assert _patch(api, "/api/v1/deadline-rules/999999", repair_days=3).status_code == 404
    assert api("team_lead").post("/api/v1/deadline-rules", json=RULE).status_code == 403
    assert api("team_lead").get("/api/v1/deadline-rules").status_code == 403
    assert api("partner").get("/api/v1/calendar-days").status_code == 404


def test_calendar_days_are_added_listed_and_removed(api, world, session) -> None:  # noqa: ANN001
    today = date.today()
    monday = today + timedelta(days=7 - today.weekday())
    saturday = monday + timedelta(days=5)
    added = api("admin").post("/api/v1/calendar-days", json={"day": monday.isoformat(), "name": "Праздник"})
    assert added.status_code == 201, added.get_json()
    assert (added.get_json()["center"], added.get_json()["working"]) == (None, False)
    assert set(added.get_json()["recomputed"]) == {"changed", "queued"}
    worked = api("admin").post("/api/v1/calendar-days", json={"day": saturday.isoformat(), "working": True,
                                                              "center": "ekb"})
    assert worked.status_code == 201 and worked.get_json()["center"] == "EKB"
    network = api("admin").get("/api/v1/calendar-days", query_string={"year": monday.year}).get_json()
    assert [d["day"] for d in network["items"]] == [monday.isoformat()]
    ekb = api("admin").get("/api/v1/calendar-days", query_string={"center": "EKB"}).get_json()
    assert [d["day"] for d in ekb["items"]] == [saturday.isoformat()]
    for body, field in (({"day": monday.isoformat()}, "day"),  # already there
                        ({"day": monday.isoformat(), "working": True, "center": "MSK"}, "working"),
                        ({"day": "tomorrow"}, "day"), ({}, "day"),
                        ({"day": monday.isoformat(), "center": "ZZZ"}, "center")):
        refused = api("admin").post("/api/v1/calendar-days", json=body)
        assert refused.status_code == 422 and field in refused.get_json()["errors"], body
    assert api("admin").get("/api/v1/calendar-days", query_string={"year": "20x6"}).status_code == 422
    assert api("engineer").open("DELETE", f"/api/v1/calendar-days/{added.get_json()['id']}").status_code == 403
    gone = api("admin").open("DELETE", f"/api/v1/calendar-days/{added.get_json()['id']}")
    assert gone.status_code == 200 and set(gone.get_json()) == {"recomputed"}
    assert session.scalar(select(func.count()).select_from(CalendarDay)) == 1
    assert api("admin").open("DELETE", f"/api/v1/calendar-days/{added.get_json()['id']}").status_code == 404
