"""The team lead in Chromium: filters the queue, checks rows (one by one and all), assigns them
in bulk with the engineer's load in the picker, and accepts an auto-suggestion."""

from __future__ import annotations

from playwright.sync_api import Page
from sqlalchemy import select

from servicecenter.accounts.roles import Role
from servicecenter.db import Database
from servicecenter.repairs.models import RepairOrder
from tests.browser.conftest import LiveServer
from tests.browser.pages import LoginPage, TeamLeadPage
from tests.factories import PASSWORD, Factory


def test_team_lead_filters_checks_and_assigns(page: Page, live_server: LiveServer,
                                              committed_database: Database) -> None:
    with committed_database.unit_of_work() as s:
        f = Factory(s)
        center = f.center("TLD")
        lead = f.staff(center, Role.TEAM_LEAD)
        washer, fridge = f.model(category="Стиральные машины"), f.model(category="Холодильники")
        engineer = f.user(center, Role.ENGINEER, name="Мастер Стиралок")
        engineer.skills = "Стиральные машины"
        washers = [f.order(center, unit=f.unit(model=washer)).number for _ in range(2)]
        other = f.order(center, unit=f.unit(model=fridge)).number
        suggested = f.order(center, unit=f.unit(model=washer)).number
        email, engineer_id = lead.email, engineer.id

    LoginPage(page, live_server.url).goto().log_in(email, PASSWORD)
    queue = TeamLeadPage(page, live_server.url).goto()
    assert set(queue.rows()) == {*washers, other, suggested}
    assert "0" in queue.engineer_options()[str(engineer_id)]  # the load beside the name
    queue.check_all()
    assert set(queue.checked()) == set(queue.rows())
    queue.filter(category="Холодильники", state="received")
    assert queue.rows() == [other] and "state=received" in page.url
    queue.filter(category="Стиральные машины")
    queue.check(*washers)
    queue.bulk_assign(engineer_id)
    assert queue.flashes.count() == 1
    assert all(queue.engineer_of(n) == "Мастер Стиралок" for n in washers)
    queue.accept_suggestion(suggested)
    assert queue.engineer_of(suggested) == "Мастер Стиралок"

    with committed_database.unit_of_work() as s:
        assigned = s.scalars(select(RepairOrder.number).where(RepairOrder.engineer_id == engineer_id)).all()
        assert set(assigned) == {*washers, suggested}
