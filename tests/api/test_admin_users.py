"""Users over the API: the administrator's list and forms and a partner manager's own team, on the
accounts services with their ceiling (check_manages); deactivation stops the user's tokens at once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from servicecenter.accounts.models import User, UserSession
from servicecenter.accounts.roles import Role
from servicecenter.accounts.services import start_session
from servicecenter.accounts.tokens import create_token
from tests.api.conftest import ApiClient

NEW = {"email": "New.Clerk@Example.test", "name": "Новый Приёмщик", "role": "intake", "center": "msk",
       "password": "s3cret-pass", "phone": "+7 900 000-00-00", "locale": "en"}


@pytest.fixture
def manager(client, world, factory, session):  # noqa: ANN001, ANN201
    """A partner manager of EKB, calling with its own token."""
    user = factory.user(world.ekb, Role.PARTNER_MANAGER, email="boss@ekb.example")
    session.flush()
    return ApiClient(client, create_token(session, None, user, "team")[1])


def _patch(client: ApiClient, path: str, **body: object):  # noqa: ANN202
    return client.open("PATCH", path, json=body)


def _count(session) -> int:  # noqa: ANN001
    return session.scalar(select(func.count()).select_from(User))


def test_admin_creates_reads_and_lists_a_user_without_secrets(api, world, session) -> None:  # noqa: ANN001
    made = api("admin").post("/api/v1/users", json=NEW)
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert (body["email"], body["role"], body["center"], body["locale"], body["active"]) == \
        ("new.clerk@example.test", "intake", "MSK", "en", True)
    assert not {"password", "password_hash", "token_hash", "tokens"} & set(body)
    assert made.headers["Location"].endswith(f"/api/v1/users/{body['id']}")
    again = api("admin").get(f"/api/v1/users/{body['id']}")
    assert again.status_code == 200 and again.get_json() == body
    stored = session.get(User, body["id"])
    assert check_password_hash(stored.password_hash, "s3cret-pass")
    listed = api("admin").get("/api/v1/users", query_string={"center": "MSK", "role": "intake"}).get_json()
    expected = set(session.scalars(select(User.email).where(User.center_id == world.msk.id, User.role == Role.INTAKE)))
    assert {u["email"] for u in listed["items"]} == expected and "new.clerk@example.test" in expected
    assert all("password_hash" not in u for u in listed["items"])
    inactive = api("admin").get("/api/v1/users", query_string={"active": "false"}).get_json()
    assert inactive["items"] == []


def test_creating_refuses_wrong_input_and_makes_nothing(api, world, session) -> None:  # noqa: ANN001
    before = _count(session)
    cases = [
        ({**NEW, "email": world.users["intake"].email}, "email"),  # taken
        ({**NEW, "password": "short"}, "password"),
        ({**NEW, "role": None}, "role"),
        ({**NEW, "role": "superuser"}, "role"),
        ({**NEW, "center": "ZZZ"}, "center"),
        ({**NEW, "center": "EKB"}, "role"),  # a partner center's people have the partner role
        ({**NEW, "active": "yes", "name": 5}, "name"),
    ]
    for body, field in cases:
        refused = api("admin").post("/api/v1/users", json=body)
        assert refused.status_code == 422 and field in refused.get_json()["errors"], (body, refused.get_json())
    assert api("admin").post("/api/v1/users", data="[]", content_type="application/json").status_code == 400
    assert _count(session) == before


def test_admin_edits_role_center_and_active_and_deactivation_stops_the_token(api, world, session) -> None:  # noqa: ANN001
    engineer = world.users["engineer"]
    login = start_session(session, engineer)
    session.flush()
    assert api("engineer").get("/api/v1/repair-orders").status_code == 200
    moved = _patch(api("admin"), f"/api/v1/users/{engineer.id}", role="team_lead", name="Старший инженер")
    assert moved.status_code == 200 and moved.get_json()["role"] == "team_lead"
    off = _patch(api("admin"), f"/api/v1/users/{engineer.id}", active=False)
    assert off.status_code == 200 and off.get_json()["active"] is False
    session.expire_all()
    assert session.get(User, engineer.id).role == Role.TEAM_LEAD
    stopped = api("engineer").get("/api/v1/repair-orders")
    assert stopped.status_code == 401 and stopped.headers["WWW-Authenticate"].startswith("Bearer")
    assert session.scalar(select(UserSession.revoked_at).where(UserSession.user_id == engineer.id)) is not None
    assert login  # the cookie's session is revoked above
    back = _patch(api("admin"), f"/api/v1/users/{engineer.id}", active=True)
    assert back.status_code == 200 and api("engineer").get("/api/v1/repair-orders").status_code == 200


def test_admin_cannot_change_their_own_role_nor_deactivate_themself(api, world, session) -> None:  # noqa: ANN001
    me = world.users["admin"]
    for change, field in (({"role": "intake"}, "role"), ({"active": False}, "active")):
        refused = _patch(api("admin"), f"/api/v1/users/{me.id}", **change)
        assert refused.status_code == 422 and field in refused.get_json()["errors"]
    session.expire_all()
    assert (session.get(User, me.id).role, session.get(User, me.id).active) == (Role.ADMIN, True)
    misfit = _patch(api("admin"), f"/api/v1/users/{world.users['intake'].id}", center="EKB")
    assert misfit.status_code == 422 and "role" in misfit.get_json()["errors"]
    assert _patch(api("admin"), "/api/v1/users/999999", name="x").status_code == 404
    with_password = _patch(api("admin"), f"/api/v1/users/{world.users['intake'].id}", password="whatever-123")
    assert with_password.status_code == 422 and "password" in with_password.get_json()["errors"]


def test_admin_sets_a_password_and_the_users_other_sessions_end(api, world, session) -> None:  # noqa: ANN001
    clerk = world.users["intake"]
    start_session(session, clerk)
    session.flush()
    short = api("admin").post(f"/api/v1/users/{clerk.id}/password", json={"password": "1234567"})
    assert short.status_code == 422 and "password" in short.get_json()["errors"]
    done = api("admin").post(f"/api/v1/users/{clerk.id}/password", json={"password": "brand-new-pass"})
    assert done.status_code == 200 and done.get_json()["email"] == clerk.email
    session.expire_all()
    assert check_password_hash(session.get(User, clerk.id).password_hash, "brand-new-pass")
    assert session.scalar(select(UserSession.revoked_at).where(UserSession.user_id == clerk.id)) is not None


def test_other_roles_are_refused_and_partners_do_not_see_the_endpoints(api, world, session) -> None:  # noqa: ANN001
    before = _count(session)
    for who in ("intake", "engineer", "team_lead", "call_center", "logistics"):
        assert api(who).get("/api/v1/users").status_code == 403
        assert api(who).post("/api/v1/users", json=NEW).status_code == 403
        assert _patch(api(who), f"/api/v1/users/{world.users['intake'].id}", active=False).status_code == 403
    assert api("partner").get("/api/v1/users").status_code == 404  # a partner (not a manager)
    assert api("partner").post(f"/api/v1/users/{world.users['partner'].id}/password",
                               json={"password": "x" * 10}).status_code == 404
    assert api(None).get("/api/v1/users").status_code == 401
    assert _count(session) == before


def test_a_partner_manager_keeps_its_own_team_only(manager, api, world, session) -> None:  # noqa: ANN001
    listed = manager.get("/api/v1/users").get_json()
    assert {u["center"] for u in listed["items"]} == {"EKB"}
    assert {u["email"] for u in listed["items"]} == set(session.scalars(select(User.email).where(
        User.center_id == world.ekb.id, User.role == Role.PARTNER))) and world.users["partner"].email in \
        {u["email"] for u in listed["items"]} and "boss@ekb.example" not in {u["email"] for u in listed["items"]}
    made = manager.post("/api/v1/users", json={"email": "eng2@ekb.example", "name": "Инженер 2",
                                                "password": "long-enough"})
    assert made.status_code == 201, made.get_json()
    assert (made.get_json()["role"], made.get_json()["center"]) == ("partner", "EKB")
    engineer = world.users["partner"]
    edited = _patch(manager, f"/api/v1/users/{engineer.id}", phone="+7 343 000-00-00", active=False)
    assert edited.status_code == 200 and edited.get_json()["active"] is False
    assert api("partner").get("/api/v1/repair-orders").status_code == 401  # its token stops
    assert manager.post(f"/api/v1/users/{engineer.id}/password", json={"password": "another-pass"}).status_code == 200


def test_a_partner_manager_rises_nobody_above_itself(manager, world, session) -> None:  # noqa: ANN001
    before = _count(session)
    engineer = world.users["partner"]
    for body in ({"role": "partner_manager"}, {"role": "admin", "center": "MSK"}, {"center": "MSK"}):
        refused = manager.post("/api/v1/users", json={"email": "x@ekb.example", "name": "X", "password": "long-pass",
                                                      **body})
        assert refused.status_code == 403, (body, refused.get_json())
    hidden = manager.post("/api/v1/users", json={"email": "x@ekb.example", "name": "X", "password": "long-pass",
                                                 "center": "NSK"})
    assert hidden.status_code == 422 and "center" in hidden.get_json()["errors"]  # another partner: unknown to it
    assert _count(session) == before
    for change in ({"role": "partner_manager"}, {"role": "team_lead"}, {"center": "MSK"}):
        assert _patch(manager, f"/api/v1/users/{engineer.id}", **change).status_code == 403
    boss = session.scalar(select(User).where(User.email == "boss@ekb.example"))
    assert _patch(manager, f"/api/v1/users/{boss.id}", name="Сам себе").status_code == 404  # not one of its team
    assert manager.get(f"/api/v1/users/{boss.id}").status_code == 404
    session.expire_all()
    assert (session.get(User, engineer.id).role, session.get(User, engineer.id).center_id) == \
        (Role.PARTNER, world.ekb.id)


def test_another_centers_user_is_not_found_for_a_partner_manager(manager, world, session) -> None:  # noqa: ANN001
    for other in (world.users["nsk_partner"], world.users["intake"]):
        hash_before = other.password_hash
        assert manager.get(f"/api/v1/users/{other.id}").status_code == 404
        assert _patch(manager, f"/api/v1/users/{other.id}", active=False).status_code == 404
        assert manager.post(f"/api/v1/users/{other.id}/password", json={"password": "hijacked-1"}).status_code == 404
        session.expire_all()
        again = session.get(User, other.id)
        assert again.active and again.password_hash == hash_before
    assert manager.get("/api/v1/users", query_string={"center": "NSK"}).status_code == 422
