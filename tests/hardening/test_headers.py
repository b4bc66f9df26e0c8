"""Security headers on every class of response, the session cookie's flags, HSTS behind TLS, and
`next=` redirects that only ever stay on this site."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

import pytest

from servicecenter.accounts.roles import Role
from servicecenter.app import create_app
from servicecenter.config import Settings
from tests.conftest import make_settings
from tests.factories import PASSWORD, csrf_token, login
from tests.filejobs.conftest import exports, shipment_of_units  # noqa: F401  (the fixture)


@pytest.fixture
def world(factory, session):  # noqa: ANN001, ANN201
    a, b = factory.center("HDA"), factory.center("HDB")
    clerk = factory.user(a, Role.LOGISTICS, email="log@hda.test")
    clerk.locale = "en"
    shipment, orders = shipment_of_units(session, factory, a, b, clerk, 2)
    return {"clerk": clerk, "shipment": shipment, "order": orders[0],
            "intake": factory.user(a, Role.INTAKE, email="intake@hda.test"),
            "admin": factory.user(a, Role.ADMIN, email="admin@hda.test")}


def _script_sources(csp: str) -> str:
    """What the policy lets run as a script: script-src, else default-src."""
    directives = {d.split()[0]: d for d in (p.strip() for p in csp.split(";")) if d}
    return directives.get("script-src") or directives.get("default-src") or ""


def assert_secure_headers(response, what: str) -> None:  # noqa: ANN001
    h = response.headers
    csp = h.get("Content-Security-Policy", "")
    assert csp, f"{what}: no CSP"
    scripts = _script_sources(csp)
    assert scripts, f"{what}: the CSP does not restrict scripts: {csp}"
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, f"{what}: {csp}"
    assert h.get("X-Content-Type-Options") == "nosniff", what
    assert "frame-ancestors 'none'" in csp or "sandbox" in csp or h.get("X-Frame-Options") == "DENY", what
    assert h.get("X-Frame-Options") in ("DENY", "SAMEORIGIN"), what
    assert h.get("Referrer-Policy") in ("same-origin", "no-referrer", "strict-origin-when-cross-origin"), what


def _file_job_urls(client, world) -> tuple[str, str]:  # noqa: ANN001
    """A file job asked for and run (embedded mode): its status JSON and its download."""
    number = world["shipment"].number
    page = client.get(f"/logistics/shipments/{number}").get_data(as_text=True)
    asked = client.post(f"/logistics/shipments/{number}/unit-labels", data={"csrf_token": csrf_token(page)})
    assert asked.status_code == 303
    return f"{asked.headers['Location']}.json", f"{asked.headers['Location']}/download"


def test_every_response_class_carries_the_security_headers(app, client, world, exports) -> None:  # noqa: ANN001, F811
    anonymous = app.test_client()
    seen = {
        "login page (HTML)": anonymous.get("/login"),
        "redirect to login": anonymous.get("/orders/"),
        "404 page": anonymous.get("/no-such-page"),
        "static file": anonymous.get("/static/style.css"),
        "CSRF refusal (400)": anonymous.post("/login", data={"email": "x@y.z", "password": "x"}),
        "status page (public HTML)": anonymous.get("/status"),
    }
    login(client, world["clerk"].email)
    json_url, download_url = _file_job_urls(client, world)
    number = world["order"].number
    seen |= {
        "workstation page": client.get(f"/logistics/shipments/{world['shipment'].number}"),
        "403 page": client.get("/admin/"),
        "domain refusal (404 order)": client.get("/orders/HDA-2026-999999"),
        "file job JSON": client.get(json_url),
        "file job download": client.get(download_url),
    }
    intake = app.test_client()
    login(intake, world["intake"].email)
    seen |= {
        "work order PDF": intake.get(f"/orders/{number}/work-order.pdf"),
        "label PNG": intake.get(f"/orders/{number}/label.png"),
    }
    expected = {"login page (HTML)": 200, "redirect to login": 302, "404 page": 404, "static file": 200,
                "CSRF refusal (400)": 400, "status page (public HTML)": 200, "workstation page": 200,
                "403 page": 403, "domain refusal (404 order)": 404, "file job JSON": 200,
                "file job download": 200, "work order PDF": 200, "label PNG": 200}
    for what, response in seen.items():
        assert response.status_code == expected[what], (what, response.status_code)
        assert_secure_headers(response, what)
    assert seen["file job JSON"].mimetype == "application/json"
    assert seen["work order PDF"].mimetype == "application/pdf" and seen["label PNG"].mimetype == "image/png"
    download = seen["file job download"]
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in download.headers["Content-Security-Policy"]
    for response in seen.values():  # no page is kept by a shared cache or the browser's back button
        if response.mimetype == "text/html":
            assert "no-store" in response.headers.get("Cache-Control", ""), response.request.path


def _session_cookie(response) -> str:  # noqa: ANN001
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("sc_session=")]
    assert cookies, "no session cookie set"
    return cookies[-1]


def test_production_settings_make_the_cookie_secure_and_send_hsts(bound_db, database_url, tmp_path, world) -> None:  # noqa: ANN001
    production = Settings.from_env({"DATABASE_URL": database_url, "SECRET_KEY": "x" * 40,
                                    "SERVICECENTER_INSTANCE": str(tmp_path / "instance")})
    assert production.secure_cookies and not production.debug  # secure unless DEBUG is asked for
    production.redis_url = None
    app = create_app(production, overrides={"TESTING": True}, database=bound_db)
    client = app.test_client()
    page = client.get("/login", base_url="https://sc.example")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    assert int(re.search(r"max-age=(\d+)", page.headers["Strict-Transport-Security"]).group(1)) >= 15_552_000
    response = client.post("/login", base_url="https://sc.example", headers={"Referer": "https://sc.example/login"}, data={
        "email": world["admin"].email, "password": PASSWORD, "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == 302
    cookie = _session_cookie(response).lower()
    assert "; httponly" in cookie and "; samesite=lax" in cookie and "; secure" in cookie


def test_development_settings_send_no_hsts_and_the_cookie_stays_httponly(bound_db, database_url, tmp_path,
                                                                         world) -> None:  # noqa: ANN001
    settings = make_settings(database_url, tmp_path, debug=True, secure_cookies=False)  # DEBUG=1, plain http
    client = create_app(settings, overrides={"TESTING": True}, database=bound_db).test_client()
    page = client.get("/login")
    assert "Strict-Transport-Security" not in page.headers  # plain http on a developer's machine
    response = login(client, world["admin"].email)
    cookie = _session_cookie(response).lower()
    assert "; httponly" in cookie and "; samesite=lax" in cookie and "; secure" not in cookie


def test_a_session_cookie_signed_before_a_deploy_still_logs_in_and_a_forged_one_does_not(app, world) -> None:  # noqa: ANN001
    """The app reads its session cookie with less work than Flask's stock interface
    (workstations/web/security.py, SignedCookieSessions), but it is the same cookie: one that Flask's own
    interface signed — a clerk logged in before the deploy — opens the workstation, the app's own cookie
    reads back under Flask's interface, and a cookie whose signature does not match is a stranger's."""
    from flask.sessions import SecureCookieSessionInterface

    clerk = app.test_client()
    assert login(clerk, world["intake"].email).status_code == 302
    ours = clerk.get_cookie("sc_session").value
    stock = SecureCookieSessionInterface().get_signing_serializer(app)
    data = stock.loads(ours)  # the app's cookie, read by Flask's own interface
    assert data["_user_id"]

    before_deploy = app.test_client()
    before_deploy.set_cookie("sc_session", stock.dumps(data))
    assert before_deploy.get("/intake/").status_code == 200

    forged = app.test_client()
    forged.set_cookie("sc_session", ours[:-2] + ("AA" if not ours.endswith("AA") else "BB"))
    answer = forged.get("/intake/")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_behind_a_tls_proxy_the_app_believes_the_proxy_and_nobody_else(bound_db, database_url, tmp_path,
                                                                        world) -> None:  # noqa: ANN001
    """PROXY_COUNT=1: X-Forwarded-Proto from the proxy makes the request HTTPS, so CSRF also insists on a
    same-site Referer (Flask-WTF's SSL-strict check); with PROXY_COUNT=0 a client's own header is not believed."""
    for count, secure in ((1, True), (0, False)):
        settings = make_settings(database_url, tmp_path, proxy_count=count, secure_cookies=True)
        client = create_app(settings, overrides={"TESTING": True}, database=bound_db).test_client()
        forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.1", "X-Forwarded-Host": "sc.example"}
        page = client.get("/login", headers=forwarded)
        assert page.headers["Strict-Transport-Security"]
        data = {"email": world["admin"].email, "password": PASSWORD,
                "csrf_token": csrf_token(page.get_data(as_text=True))}
        no_referer = client.post("/login", data=data, headers=forwarded)
        if secure:
            assert no_referer.status_code == 400  # a forged cross-site POST over TLS carries no same-site Referer
            ok = client.post("/login", data=data, headers={**forwarded, "Referer": "https://sc.example/login"})
            assert ok.status_code == 302 and ok.headers["Location"].startswith(("/", "https://"))
        else:
            assert no_referer.status_code == 302


HOSTILE_NEXT = ["//evil.example", "/\\evil.example", "\\/evil.example", "https://evil.example",
                "javascript:alert(1)", "%2F%2Fevil.example", "/%2F/evil.example", "///evil.example",
                "/\t/evil.example", " //evil.example", "http:/evil.example", "data:text/html,x",
                "/\r\nSet-Cookie: x=1", "/orders/\x00", "\u3002evil.example", "//evil.example@sc.example",
                "/" + "a" * 5000]


def _same_origin(location: str) -> bool:
    parts = urlsplit(location)
    return (not parts.scheme and not parts.netloc and location.startswith("/") and not location.startswith("//")
            and "\\" not in location and not any(ch in location for ch in "\r\n\t\x00"))


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_follows_next_only_to_a_path_on_this_site(client, world, target) -> None:  # noqa: ANN001
    if "\x00" in target:  # a NUL is refused before any view: nothing to follow
        refused = client.get("/login?next=" + quote(target, safe=""))
        assert refused.status_code == 400 and "Location" not in refused.headers
        return
    page = client.get("/login?next=" + quote(target, safe=""))
    assert page.status_code == 200
    response = client.post("/login?next=" + quote(target, safe=""), data={
        "email": world["admin"].email, "password": PASSWORD, "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert _same_origin(location), (target, location)
    assert "evil" not in location.lower() or location.startswith("/%2F"), (target, location)


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_the_language_switch_follows_next_only_to_a_path_on_this_site(client, target) -> None:  # noqa: ANN001
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/language/en", data={"next": target, "csrf_token": token})
    if "\x00" in target:
        assert response.status_code == 400 and "Location" not in response.headers
        return
    assert response.status_code == 302 and _same_origin(response.headers["Location"]), (target, response.headers)


def test_a_same_origin_next_is_followed(client, world) -> None:  # noqa: ANN001
    page = client.get("/login?next=/admin/users/")
    response = client.post("/login?next=/admin/users/", data={
        "email": world["admin"].email, "password": PASSWORD, "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.headers["Location"] == "/admin/users/"
