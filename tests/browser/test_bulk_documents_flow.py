"""Bulk documents in Chromium, embedded mode (no Redis: the file is made right after the request's
commit): the team lead checks orders and prints their work orders as one PDF; an administrator
exports the orders behind a report's figure as XLSX. Both land on the file's page and download."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
from playwright.sync_api import Page, expect

from servicecenter.accounts.roles import Role
from servicecenter.db import Database
from tests.browser.conftest import LiveServer
from tests.browser.pages import LoginPage, TeamLeadPage
from tests.factories import PASSWORD, Factory
from tests.printing import readback


def _download(page: Page) -> tuple[str, bytes]:
    section = page.locator("[data-page=file-job]")
    expect(section).to_have_attribute("data-state", "done")
    with page.expect_download() as download:
        page.locator("[data-file-link]").click()
    return download.value.suggested_filename, Path(download.value.path()).read_bytes()


def test_team_lead_prints_the_checked_orders_work_orders(page: Page, live_server: LiveServer,
                                                        committed_database: Database) -> None:
    with committed_database.unit_of_work() as s:
        f = Factory(s)
        center = f.center("BWO")
        lead = f.staff(center, Role.TEAM_LEAD)
        numbers = [f.order(center).number for _ in range(3)]
        email = lead.email
    LoginPage(page, live_server.url).goto().log_in(email, PASSWORD)
    queue = TeamLeadPage(page, live_server.url).goto()
    queue.check(numbers[0], numbers[2])
    page.locator("#bulk button[value=work_orders]").click()
    name, data = _download(page)
    assert name == "work-orders.pdf" and readback.page_count(data) == 2
    text = readback.text(data)
    assert f"Заказ-наряд № {numbers[0]}" in text and f"Заказ-наряд № {numbers[2]}" in text
    assert numbers[1] not in text


def test_admin_exports_the_orders_behind_a_figure_as_xlsx(page: Page, live_server: LiveServer,
                                                        committed_database: Database) -> None:
    with committed_database.unit_of_work() as s:
        f = Factory(s)
        a, b = f.center("BXA"), f.center("BXB")
        f.user(a, Role.ADMIN, email="admin@bxa.test")  # sees the whole network
        numbers = {f.order(a).number, f.order(b).number, f.order(b).number}
    LoginPage(page, live_server.url).goto().log_in("admin@bxa.test", PASSWORD)
    page.goto(f"{live_server.url}/reports/orders?basis=received")
    page.locator("[data-form=export-orders] button[value=xlsx]").click()
    name, data = _download(page)
    assert name.endswith(".xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert {r[0] for r in rows[1:]} == numbers
