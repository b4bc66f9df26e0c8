"""Bearer tokens: hashed, revocable, dead with their user; the session cookie never opens the API."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from servicecenter.accounts.services import set_active
from servicecenter.accounts.token_models import ApiToken
from servicecenter.accounts.tokens import create_token, revoke_token, token_principal
from servicecenter.errors import NotFound, PermissionDenied
from tests.api.conftest import ApiClient
from tests.factories import login


def test_a_token_is_kept_only_as_its_hash_with_a_visible_prefix(session, world) -> None:  # noqa: ANN001
    token, secret = create_token(session, None, world.users["intake"], "Line 3 scanner")
    stored = session.scalar(select(ApiToken).where(ApiToken.id == token.id))
    assert secret.startswith("sc_") and len(secret) > 40
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in (stored.token_hash, stored.prefix, stored.name)
    assert secret.startswith(stored.prefix) and len(stored.prefix) == 10
    principal = token_principal(session, secret)
    assert principal.user_id == world.users["intake"].id and principal.center_code == "MSK"
    session.refresh(stored)
    assert stored.last_used_at is not None


def test_no_token_bad_token_and_wrong_scheme_are_401_problems(api, world) -> None:  # noqa: ANN001
    for headers in ({}, {"Authorization": "Bearer sc_not-a-real-token"}, {"Authorization": "Bearer "},
                    {"Authorization": f"Basic {world.tokens['intake']}"}, {"Authorization": "Bearer " + "x" * 5000}):
        response = api(None).get("/api/v1/service-centers", headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        body = response.get_json()
        assert body["status"] == 401 and body["type"] == "urn:servicecenter:problem:unauthorized"


def test_a_revoked_token_stops_working_at_once(api, session, world) -> None:  # noqa: ANN001
    assert api("intake").get("/api/v1/service-centers").status_code == 200
    token = session.scalar(select(ApiToken).where(ApiToken.user_id == world.users["intake"].id))
    revoke_token(session, world.users["intake"], token.id)
    session.flush()
    assert api("intake").get("/api/v1/service-centers").status_code == 401


def test_a_deactivated_users_token_stops_working(api, session, world) -> None:  # noqa: ANN001
    assert api("engineer").get("/api/v1/manufacturers").status_code == 200
    set_active(session, world.users["admin"], world.users["engineer"], False)
    session.flush()
    assert api("engineer").get("/api/v1/manufacturers").status_code == 401


def test_only_the_owner_or_an_admin_revokes_a_token(session, world) -> None:  # noqa: ANN001
    token, _ = create_token(session, None, world.users["intake"])
    with pytest.raises(PermissionDenied):
        revoke_token(session, world.users["engineer"], token.id)
    with pytest.raises(NotFound):  # through someone else's profile page: no such token of theirs
        revoke_token(session, world.users["engineer"], token.id, user=world.users["engineer"])
    assert revoke_token(session, world.users["admin"], token.id).revoked_at is not None


def test_a_logged_in_browser_session_does_not_open_the_api(client, api, world) -> None:  # noqa: ANN001
    login(client, world.users["admin"].email)
    assert client.get("/intake/").status_code in (200, 302)  # the cookie works on the workstations
    cookie_only = ApiClient(client, None)
    assert cookie_only.get("/api/v1/service-centers").status_code == 401
    assert cookie_only.post("/api/v1/repair-orders", json={}).status_code == 401
    # a token next to the cookie is the token's user, not the cookie's
    as_partner = ApiClient(client, world.tokens["partner"])
    codes = {c["code"] for c in as_partner.get("/api/v1/service-centers").get_json()["items"]}
    assert codes == {"MSK", "EKB"}


def test_the_api_needs_no_csrf_token(api, world) -> None:  # noqa: ANN001
    response = api("intake").post(f"/api/v1/repair-orders/{world.msk_order.number}/transitions",
                                  json={"to": "cancelled", "reason": "Клиент передумал"})
    assert response.status_code == 200 and response.get_json()["state"] == "cancelled"


def test_unknown_paths_and_methods_answer_problems(api) -> None:  # noqa: ANN001
    missing = api("admin").get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and missing.get_json()["status"] == 404
    wrong = api("admin").open("DELETE", "/api/v1/service-centers")
    assert wrong.status_code == 405 and "GET" in wrong.headers["Allow"]
