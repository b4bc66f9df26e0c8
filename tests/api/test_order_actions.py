"""Comments and assignment over the API: the order page's services, the same refusals."""

from __future__ import annotations

import pytest


def _comment(api, who, order, **kw):  # noqa: ANN001, ANN003, ANN202
    return api(who).post(f"/api/v1/repair-orders/{order.number}/comments", **kw)


def _assign(api, who, order, **kw):  # noqa: ANN001, ANN003, ANN202
    return api(who).post(f"/api/v1/repair-orders/{order.number}/assignment", **kw)


def _history(api, order):  # noqa: ANN001, ANN202
    return api("admin").get(f"/api/v1/repair-orders/{order.number}").get_json()["history"]


# --- comments ---------------------------------------------------------------------------------------

def test_a_comment_is_kept_in_the_orders_history(api, world) -> None:  # noqa: ANN001
    response = _comment(api, "engineer", world.msk_order, json={"text": "  Клиент просит позвонить после 18:00 "})
    assert response.status_code == 201
    last = response.get_json()["history"][-1]
    assert last["kind"] == "comment" and last["actor"] == world.users["engineer"].name
    assert last["details"]["text"] == "Клиент просит позвонить после 18:00"
    assert _history(api, world.msk_order)[-1] == last


@pytest.mark.parametrize("who", ["call_center", "intake", "team_lead", "logistics", "admin"])
def test_every_staff_role_of_the_center_or_the_network_may_comment(api, world, who) -> None:  # noqa: ANN001
    assert _comment(api, who, world.msk_order, json={"text": "Звонил клиент"}).status_code == 201


def test_a_partner_comments_on_its_own_order(api, world) -> None:  # noqa: ANN001
    assert _comment(api, "partner", world.ekb_order, json={"text": "Ждём запчасть"}).status_code == 201


@pytest.mark.parametrize("body,field", [
    ({}, "text"), ({"text": "   "}, "text"), ({"text": ["a"]}, "text"), ({"text": "я" * 4001}, "text"),
])
def test_an_empty_or_wrong_comment_is_422_and_nothing_is_added(api, world, body, field) -> None:  # noqa: ANN001
    before = len(_history(api, world.msk_order))
    response = _comment(api, "engineer", world.msk_order, json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert len(_history(api, world.msk_order)) == before


def test_a_body_that_is_not_a_json_object_is_400_or_415(api, world) -> None:  # noqa: ANN001
    assert _comment(api, "engineer", world.msk_order, json=["text"]).status_code == 400
    assert _comment(api, "engineer", world.msk_order, data="text=x",
                    content_type="application/x-www-form-urlencoded").status_code == 415


def test_without_a_token_it_is_401(api, world) -> None:  # noqa: ANN001
    assert _comment(api, None, world.msk_order, json={"text": "x"}).status_code == 401


def test_staff_of_another_center_are_refused_and_a_partner_sees_no_other_centers_order(api, world) -> None:  # noqa: ANN001
    before = len(_history(api, world.ekb_order))
    assert _comment(api, "engineer", world.ekb_order, json={"text": "x"}).status_code == 403
    assert _comment(api, "nsk_partner", world.ekb_order, json={"text": "x"}).status_code == 404
    assert _comment(api, "partner", world.nsk_order, json={"text": "x"}).status_code == 404
    assert len(_history(api, world.ekb_order)) == before


def test_an_unknown_order_is_404(api, world) -> None:  # noqa: ANN001
    response = api("engineer").post("/api/v1/repair-orders/MSK-1999-999999/comments", json={"text": "x"})
    assert response.status_code == 404


# --- assignment -------------------------------------------------------------------------------------

def test_a_team_lead_assigns_by_e_mail_and_unassigns_with_null(api, world) -> None:  # noqa: ANN001
    engineer = world.users["engineer"]
    response = _assign(api, "team_lead", world.msk_order, json={"engineer": f" {engineer.email.upper()} "})
    body = response.get_json()
    assert response.status_code == 200 and body["engineer"] == engineer.name
    assert (body["history"][-1]["kind"], body["history"][-1]["to"]) == ("assignment", engineer.name)
    again = _assign(api, "team_lead", world.msk_order, json={"engineer": None, "version": body["version"]})
    assert again.status_code == 200 and again.get_json()["engineer"] is None
    assert (again.get_json()["history"][-1]["from"], again.get_json()["history"][-1]["to"]) == (engineer.name, None)


def test_a_partner_assigns_its_own_order_to_itself(api, world) -> None:  # noqa: ANN001
    partner = world.users["partner"]
    response = _assign(api, "partner", world.ekb_order, json={"engineer": partner.email})
    assert response.status_code == 200 and response.get_json()["engineer"] == partner.name


@pytest.mark.parametrize("who", ["engineer", "intake", "call_center", "logistics"])
def test_a_role_that_does_not_assign_is_403_and_nothing_changes(api, world, who) -> None:  # noqa: ANN001
    response = _assign(api, who, world.msk_order, json={"engineer": world.users["engineer"].email})
    assert response.status_code == 403
    assert api("admin").get(f"/api/v1/repair-orders/{world.msk_order.number}").get_json()["engineer"] is None


@pytest.mark.parametrize("body", [
    {}, {"engineer": ""}, {"engineer": 5}, {"engineer": "nobody@example.test"},
    {"engineer": "EMAIL-OF-PARTNER"}, {"engineer": "EMAIL-OF-LOGISTICS"},
    {"engineer": "EMAIL-OF-ENGINEER", "version": "3"},
])
def test_a_missing_unknown_or_unfit_engineer_is_422(api, world, body) -> None:  # noqa: ANN001
    if str(body.get("engineer", "")).startswith("EMAIL-OF-"):
        body = {**body, "engineer": world.users[body["engineer"].removeprefix("EMAIL-OF-").lower()].email}
    response = _assign(api, "team_lead", world.msk_order, json=body)
    errors = response.get_json()["errors"]
    assert response.status_code == 422 and set(errors) <= {"engineer", "version"} and errors
    assert api("admin").get(f"/api/v1/repair-orders/{world.msk_order.number}").get_json()["engineer"] is None


def test_another_centers_user_is_not_named_in_the_refusal(api, world) -> None:  # noqa: ANN001
    other = world.users["nsk_partner"]
    response = _assign(api, "partner", world.ekb_order, json={"engineer": other.email})
    assert response.status_code == 422 and other.name not in response.get_data(as_text=True)


def test_an_outdated_version_is_409(api, world) -> None:  # noqa: ANN001
    response = _assign(api, "team_lead", world.msk_order,
                       json={"engineer": world.users["engineer"].email, "version": world.msk_order.version - 1})
    assert response.status_code == 409 and response.get_json()["type"] == "urn:servicecenter:problem:conflict"


def test_assignment_outside_the_callers_center_is_403_or_404(api, world) -> None:  # noqa: ANN001
    assert _assign(api, "team_lead", world.ekb_order, json={"engineer": None}).status_code == 403
    assert _assign(api, "partner", world.nsk_order, json={"engineer": None}).status_code == 404
    assert _assign(api, None, world.msk_order, json={"engineer": None}).status_code == 401
    assert _assign(api, "team_lead", world.msk_order, json=[]).status_code == 400
