"""Mass assignment and re-parenting (issue 11): fields a caller may not set are ignored or refused,
and one's own record is never pointed at another center's.

Extra fields — state, center, id, number, author, role, warranty, engineer — sent along with real
requests change nothing they name; another center's customer, unit, order or warehouse named in a
request of one's own is refused like an unknown one. And no view hands the request's fields wholesale
to a service (checked in the source): each reads the fields it names.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from servicecenter.repairs.models import EventKind, RepairEvent

ROOT = Path(__file__).resolve().parents[2]
EXTRAS = {"state": "issued", "center": "NSK", "center_id": 1, "intake_center": "NSK", "id": 1, "number": "X-1",
          "author": "admin@example.test", "actor": "admin@example.test", "actor_id": 1, "role": "admin",
          "warranty_covered": True, "engineer": "admin@example.test", "engineer_id": 1, "version": None,
          "created_at": "2000-01-01T00:00:00Z", "order_id": 1, "user_id": 1}


def _intake(center: str = "MSK", **changes) -> dict:  # noqa: ANN003
    return {"center": center, "customer": {"name": "Петров Пётр", "phone": "8 916 555-12-34"},
            "unit": {"manufacturer": "Атлант", "model": "СМА 60", "serial": "MA-0001",
                     "purchase_date": (date.today() - timedelta(days=100)).isoformat()},
            "fault": "Не сливает воду", **changes}


def test_an_intake_ignores_the_fields_the_counter_does_not_set(api, world, session) -> None:  # noqa: ANN001
    extras = {k: v for k, v in EXTRAS.items() if k != "center"}
    made = api("intake").post("/api/v1/repair-orders", json=_intake(**extras))
    assert made.status_code == 201, made.get_json()
    order = made.get_json()
    assert order["state"] == "received" and order["center"] == "MSK" and order["intake_center"] == "MSK"
    assert order["number"].startswith("MSK-") and order["engineer"] is None
    assert order["created_at"] > "2026" and order["history"][0]["actor"] == world.users["intake"].name


def test_a_partner_cannot_receive_a_unit_for_another_center(api, world, session) -> None:  # noqa: ANN001
    for center in ("MSK", "NSK"):
        refused = api("partner").post("/api/v1/repair-orders", json=_intake(center=center))
        assert refused.status_code in (403, 404, 422) and refused.status_code != 201


def test_a_comment_is_the_callers_own_and_stays_on_its_order(api, world, session) -> None:  # noqa: ANN001
    body = {"text": "Звонил клиент", **EXTRAS, "order_id": world.nsk_order.id, "user_id": world.users["admin"].id}
    made = api("engineer").post(f"/api/v1/repair-orders/{world.msk_order.number}/comments", json=body)
    assert made.status_code == 201
    event = session.scalar(select(RepairEvent).where(RepairEvent.kind == EventKind.COMMENT)
                           .order_by(RepairEvent.id.desc()))
    assert (event.order_id, event.actor_id) == (world.msk_order.id, world.users["engineer"].id)
    assert session.scalar(select(RepairEvent).where(RepairEvent.order_id == world.nsk_order.id,
                                                    RepairEvent.kind == EventKind.COMMENT)) is None


def test_assignment_names_only_the_orders_own_centers_people(api, world) -> None:  # noqa: ANN001
    # the partner's engineer is a real user, but of another center: refused like an unknown one
    other = world.users["partner"].email
    refused = api("team_lead").post(f"/api/v1/repair-orders/{world.msk_order.number}/assignment",
                                    json={"engineer": other, "center": "EKB"})
    unknown = api("team_lead").post(f"/api/v1/repair-orders/{world.msk_order.number}/assignment",
                                    json={"engineer": "nobody@example.test"})
    assert refused.status_code == unknown.status_code == 422
    assert refused.get_json()["errors"] == unknown.get_json()["errors"]
    assert api("admin").get(f"/api/v1/repair-orders/{world.msk_order.number}").get_json()["engineer"] is None


def test_a_shipment_leaves_only_from_the_callers_own_warehouse(api, world, session) -> None:  # noqa: ANN001
    # a partner naming our warehouse (or another partner's) as the origin is refused; the center field ignored
    for origin in ("MSK", "NSK", "MSK-WH"):
        refused = api("partner").post("/api/v1/shipments", json={"from": origin, "to": "MSK", "center": "EKB"})
        assert refused.status_code == 422 and "from" in refused.get_json()["errors"], origin
    made = api("partner").post("/api/v1/shipments", json={"from": "EKB", "to": "MSK", "state": "received",
                                                          "number": "SHP-X", "id": 1})
    assert made.status_code == 201
    shipment = made.get_json()
    assert (shipment["state"], shipment["from"]) == ("open", "EKB-WH") and shipment["number"].startswith("SHP-EKB")


def test_a_user_edit_cannot_raise_a_role_or_move_a_center(api, world) -> None:  # noqa: ANN001
    me = world.users["partner"]
    # one's own record: neither its role nor its center, whatever else the request says
    for body in ({"role": "admin"}, {"center": "MSK"}, {"role": "partner_manager"}):
        answer = api("partner").open("PATCH", f"/api/v1/users/{me.id}", json=body)
        assert answer.status_code in (403, 404, 422), body
    assert api("admin").get(f"/api/v1/users/{me.id}").get_json()["role"] == "partner"


def test_a_new_user_is_active_whatever_the_body_says_and_a_password_is_only_a_password(api, world, session) -> None:  # noqa: ANN001
    # `active` is a field of a change, not of a creation: it was handed to the service and answered 500
    body = {"email": "fresh@example.test", "name": "Новый", "role": "intake", "center": "MSK",
            "password": "s3cret-pass", **{k: v for k, v in EXTRAS.items() if k not in ("center", "role")},
            "active": False}
    made = api("admin").post("/api/v1/users", json=body)
    assert made.status_code == 201, made.get_json()
    assert (made.get_json()["active"], made.get_json()["role"], made.get_json()["center"]) == (True, "intake", "MSK")
    # setting a password reads the password alone: a profile field sent along neither changes the user
    # nor (another center's code, for a partner manager) gets the request refused
    me = world.users["partner"]
    manager = factory_user(session, world)
    for who, extra in (("admin", {"name": "Переименован", "role": "admin", "center": "MSK"}),
                       (manager, {"center": "NSK", "role": "partner_manager"})):
        answer = api(who).post(f"/api/v1/users/{me.id}/password", json={"password": "an0ther-pass", **extra})
        assert answer.status_code == 200, answer.get_json()
        assert (answer.get_json()["name"], answer.get_json()["role"], answer.get_json()["center"]) == (
            me.name, "partner", "EKB")


def factory_user(session, world) -> str:  # noqa: ANN001
    """EKB's partner manager, callable as api("manager")."""
    from servicecenter.accounts.roles import Role
    from servicecenter.accounts.tokens import create_token
    from tests.factories import Factory

    user = Factory(session).user(world.ekb, Role.PARTNER_MANAGER)
    world.tokens["manager"] = create_token(session, None, user, "manager")[1]
    return "manager"


def test_no_view_hands_the_request_to_a_service_wholesale() -> None:
    """Each view reads the fields it names: never **request.form, **request.json or **json_body() into
    a service or a model (redirect URLs built from the query are not a write)."""
    pattern = re.compile(r"\*\*\s*(request\.(form|json|values|get_json\(\))|json_body\(\)|form\.data)\b")
    found = []
    for path in (ROOT / "workstations").rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []
