"""Logging in at the counter, in a real browser: land on the workstation, ready to scan.

The Russian catalogue is not written yet, so nothing here compares translated words; the
heading is compared with what the app's own catalogue gives for Russian.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask, url_for
from flask_babel import force_locale, gettext
from playwright.sync_api import BrowserContext, Page, Response, expect
from sqlalchemy import select

from servicecenter.accounts.models import UserSession
from servicecenter.accounts.roles import Role
from servicecenter.db import Database
from tests.browser.conftest import LiveServer
from tests.browser.pages import IntakePage, LoginPage
from tests.factories import PASSWORD, Factory
from workstations.nav import MENU
from workstations.web.access import can_access

EMAIL = "priemka@example.test"
NAME = "Анна Приёмкина"


@dataclass(frozen=True)
class Clerk:
    id: int
    email: str
    name: str


@pytest.fixture
def clerk(committed_database: Database) -> Clerk:
    """An intake clerk of the Moscow center, committed so the live server sees it."""
    with committed_database.unit_of_work() as session:
        factory = Factory(session)
        user = factory.user(factory.center("MSK"), Role.INTAKE, email=EMAIL, name=NAME)
        return Clerk(user.id, user.email, user.name)


def russian(app: Flask, message: str) -> str:
    """`message` as the app shows it in Russian (the msgid itself until the catalogue has it)."""
    with app.test_request_context("/"), force_locale("ru"):
        return gettext(message)


def menu_paths_for(app: Flask, role: Role) -> list[str]:
    with app.test_request_context("/"):
        return [url_for(endpoint) for endpoint, _label in MENU if can_access(endpoint, role)]


def login_sessions(database: Database, user_id: int) -> list[UserSession]:
    with database.session() as session:
        return list(session.scalars(select(UserSession).where(UserSession.user_id == user_id)))


def session_cookie(app: Flask, context: BrowserContext) -> dict:
    """The Flask session the browser holds (verified with the app's key); {} when it holds none."""
    name = app.config["SESSION_COOKIE_NAME"]
    value = next((c["value"] for c in context.cookies() if c["name"] == name), None)
    if value is None:
        return {}
    return dict(app.session_interface.get_signing_serializer(app).loads(value))


def log_in(page: Page, live_server: LiveServer, email: str, password: str) -> Response | None:
    login = LoginPage(page, live_server.url).goto()
    expect(login.email).to_be_focused()  # the form is ready to type into
    return login.log_in(email, password)


def test_intake_clerk_lands_on_the_intake_workstation_ready_to_scan(
        page: Page, live_server: LiveServer, clerk: Clerk, committed_database: Database) -> None:
    app = live_server.app
    log_in(page, live_server, clerk.email, PASSWORD)

    intake = IntakePage(page, live_server.url)
    assert intake.current_path == "/intake/"
    assert intake.language == "ru"
    expect(intake.heading).to_have_text(russian(app, "Intake counter"))
    expect(intake.scan_field).to_be_focused()
    assert intake.scan_field_focused()
    expect(intake.whoami).to_contain_text(NAME)
    expect(intake.whoami).to_contain_text("MSK")

    entries = intake.menu_entries()
    assert [e.path for e in entries] == menu_paths_for(app, Role.INTAKE)
    assert [e.path for e in entries if e.current] == ["/intake/"]
    with app.test_request_context("/"):
        administration = url_for("admin.index")
    assert administration not in intake.menu_paths()
    assert page.locator(f"header a[href='{administration}']").count() == 0

    assert "_user_id" in session_cookie(app, page.context)
    assert [s.revoked_at for s in login_sessions(committed_database, clerk.id)] == [None]


def test_wrong_password_keeps_the_user_on_the_login_page(
        page: Page, live_server: LiveServer, clerk: Clerk, committed_database: Database) -> None:
    log_in(page, live_server, clerk.email, PASSWORD + "-wrong")

    login = LoginPage(page, live_server.url)
    assert login.current_path == "/login"
    expect(login.errors).to_have_count(1)
    expect(login.errors).not_to_be_empty()
    expect(login.password).to_have_value("")  # the password is never sent back
    assert not login.is_logged_in()
    assert "_user_id" not in session_cookie(live_server.app, page.context)
    assert login_sessions(committed_database, clerk.id) == []

    # Nor does the workstation open: it sends the browser back to log in.
    IntakePage(page, live_server.url).goto()
    assert login.current_path == "/login"
    assert login.query.get("next") == ["/intake/"]


def test_after_logging_out_the_back_button_does_not_show_the_workstation(
        page: Page, live_server: LiveServer, clerk: Clerk, committed_database: Database) -> None:
    workstation = log_in(page, live_server, clerk.email, PASSWORD)
    intake = IntakePage(page, live_server.url)
    assert intake.current_path == "/intake/"
    # Playwright's Chromium runs without the back/forward cache, so what keeps a real browser
    # from showing the workstation from its caches after logout is this header; check it here.
    assert workstation is not None
    assert "no-store" in workstation.headers.get("cache-control", "")

    intake.log_out()
    login = LoginPage(page, live_server.url)
    assert login.current_path == "/login"
    expect(login.flashes).to_have_count(1)
    assert not login.is_logged_in()
    assert "_user_id" not in session_cookie(live_server.app, page.context)
    assert all(s.revoked_at is not None for s in login_sessions(committed_database, clerk.id))

    page.go_back()  # to /intake/: the page is not cached, so it is asked again, and refused
    assert login.current_path == "/login"
    assert login.query.get("next") == ["/intake/"]
    assert not login.is_logged_in()
    expect(intake.scan_field).to_have_count(0)
    expect(login.email).to_be_visible()
