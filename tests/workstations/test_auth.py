"""Login, logout, wrong passwords, CSRF, throttling, sessions, landing pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from servicecenter.accounts.models import UserSession
from servicecenter.accounts.roles import PARTNER_ROLES, Role
from servicecenter.accounts.services import set_active
from servicecenter.centers.models import CenterKind
from tests.factories import PASSWORD, csrf_token, login
from workstations.nav import LANDING


@pytest.fixture
def center(factory):  # noqa: ANN001, ANN201
    return factory.center("MSK")


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lands_on_its_workstation(client, factory, center, role) -> None:  # noqa: ANN001
    if role in PARTNER_ROLES:
        center = factory.center("KZN", kind=CenterKind.PARTNER)
    user = factory.user(center, role, email=f"{role.value}@msk.test", name=f"Пользователь {role.value}")
    response = login(client, user.email)
    assert response.status_code == 302
    landing = response.headers["Location"]
    page = client.get(landing)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"Пользователь {role.value}" in html
    from flask import url_for

    with client.application.test_request_context():
        urls = {role_: url_for(target) for role_, target in LANDING.items()}
    assert landing == urls[role]
    # the menu links exactly to the workstations the role may open
    for other, url in urls.items():
        allowed = client.get(url).status_code == 200
        assert (f'href="{url}"' in html) == allowed, (role, other)


def test_wrong_password_and_unknown_user_get_the_same_answer(client, factory, center) -> None:  # noqa: ANN001
    factory.user(center, Role.INTAKE, email="clerk@msk.test")
    wrong = login(client, "clerk@msk.test", "not-the-password")
    unknown = login(client, "nobody@msk.test", "not-the-password")
    assert wrong.status_code == unknown.status_code == 200
    for r in (wrong, unknown):
        assert 'role="alert"' in r.get_data(as_text=True)
    assert client.get("/intake/").status_code == 302  # still not logged in


def test_login_without_csrf_token_is_refused(client, factory, center) -> None:  # noqa: ANN001
    factory.user(center, Role.INTAKE, email="clerk@msk.test")
    response = client.post("/login", data={"email": "clerk@msk.test", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/intake/").status_code == 302


def test_post_without_csrf_token_changes_nothing(client, factory, center, session) -> None:  # noqa: ANN001
    user = factory.user(center, Role.INTAKE, email="clerk@msk.test")
    order = factory.order(center)
    login(client, user.email)
    response = client.post(f"/orders/{order.number}/comment", data={"text": "без токена"})
    assert response.status_code == 400
    assert len(order.events) == 1


def test_logout_ends_the_session_and_an_old_cookie_stops_working(client, factory, center, session) -> None:  # noqa: ANN001
    user = factory.user(center, Role.INTAKE, email="clerk@msk.test")
    login(client, user.email)
    stolen = client.get_cookie("sc_session").value
    page = client.get("/intake/")
    assert page.status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert client.get("/intake/").status_code == 302
    # replaying the cookie captured before logout does not bring the session back
    client.set_cookie("sc_session", stolen)
    assert client.get("/intake/").status_code == 302
    assert session.scalar(select(UserSession).where(UserSession.user_id == user.id)).revoked_at is not None


def test_session_rotates_at_login(client, factory, center) -> None:  # noqa: ANN001
    user = factory.user(center, Role.INTAKE, email="clerk@msk.test")
    client.get("/login")
    before = client.get_cookie("sc_session").value
    login(client, user.email)
    assert client.get_cookie("sc_session").value != before


def test_deactivated_user_is_out_at_the_next_request(client, factory, center, session) -> None:  # noqa: ANN001
    user = factory.user(center, Role.INTAKE, email="clerk@msk.test")
    admin = factory.user(center, Role.ADMIN)
    login(client, user.email)
    assert client.get("/intake/").status_code == 200
    set_active(session, admin, user, False)
    session.commit()
    assert client.get("/intake/").status_code == 302
    assert login(client, user.email).status_code == 200  # the form again, not a redirect


def test_login_is_throttled_without_revealing_the_account(client, factory, center) -> None:  # noqa: ANN001
    factory.user(center, Role.INTAKE, email="clerk@msk.test")
    for email in ("clerk@msk.test", "ghost@msk.test"):
        answers = [login(client, email, "guess").status_code for _ in range(6)]
        assert answers == [200] * 5 + [429]
    # even the right password is refused while throttled
    assert login(client, "clerk@msk.test").status_code == 429


def test_next_redirects_only_to_our_own_paths(client, factory, center) -> None:  # noqa: ANN001
    factory.user(center, Role.INTAKE, email="clerk@msk.test")
    token = csrf_token(client.get("/login").get_data(as_text=True))
    for target, expected in [("/orders/", "/orders/"), ("https://evil.example/", "/intake/"),
                             ("//evil.example/x", "/intake/"), ("/\\evil.example", "/intake/")]:
        client.post("/logout", data={"csrf_token": token})
        token = csrf_token(client.get("/login").get_data(as_text=True))
        r = client.post(f"/login?next={target}", data={"email": "clerk@msk.test", "password": PASSWORD,
                                                       "csrf_token": token})
        assert r.headers["Location"] == expected, target
        token = csrf_token(client.get("/intake/").get_data(as_text=True))


def test_anonymous_visitor_is_sent_to_login_with_next(client) -> None:  # noqa: ANN001
    r = client.get("/team-lead/?state=received")
    assert r.status_code == 302 and "/login?next=" in r.headers["Location"]


def test_session_cookie_is_httponly_and_samesite(client, factory, center) -> None:  # noqa: ANN001
    factory.user(center, Role.INTAKE, email="clerk@msk.test")
    token = csrf_token(client.get("/login").get_data(as_text=True))
    r = client.post("/login", data={"email": "clerk@msk.test", "password": PASSWORD, "csrf_token": token})
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_security_headers_on_pages(client) -> None:  # noqa: ANN001
    r = client.get("/login")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in r.headers["Content-Security-Policy"]


def test_behind_a_trusted_proxy_throttling_counts_the_real_client(bound_db, database_url, tmp_path, factory) -> None:  # noqa: ANN001
    from servicecenter.app import create_app
    from tests.conftest import make_settings

    app = create_app(make_settings(database_url, tmp_path, proxy_count=1), overrides={"TESTING": True},
                     database=bound_db)
    center = factory.center("PRX")
    factory.user(center, Role.INTAKE, email="clerk@prx.test")
    for i in range(31):  # 31 failures, each from a different real client behind the same proxy
        client = app.test_client()
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"203.0.113.{i}"
        assert login(client, f"guess{i}@prx.test", "wrong").status_code == 200
    client = app.test_client()
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.7"
    assert login(client, "clerk@prx.test").status_code == 302  # the proxy's address is not blamed


def test_a_crash_shows_our_page_and_no_details(bound_db, database_url, tmp_path) -> None:  # noqa: ANN001
    from servicecenter.app import create_app
    from tests.conftest import make_settings
    from workstations.web.access import public

    app = create_app(make_settings(database_url, tmp_path), database=bound_db)  # not TESTING: errors handled

    @app.route("/test-crash")
    @public()
    def crash():  # noqa: ANN202
        raise ZeroDivisionError("secret detail")

    r = app.test_client().get("/test-crash")
    assert r.status_code == 500
    body = r.get_data(as_text=True)
    assert 'role="alert"' in body and "secret detail" not in body and "Traceback" not in body
