"""Estimate and parts in Chromium: a part short at the bench is refused with the shortage offered; the
engineer draws up an estimate from the price list and sends it; the intake clerk records the customer's
approval by phone; the part in stock is reserved, the missing one requested, and the warehouse sees it."""

from __future__ import annotations

from decimal import Decimal

from playwright.sync_api import Page
from sqlalchemy import select

from servicecenter.accounts.roles import Role
from servicecenter.db import Database
from servicecenter.pricing.models import LabourItem
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.states import RepairState
from servicecenter.stock import journal
from servicecenter.stock.models import MoveReason, Part
from tests.browser.conftest import LiveServer
from tests.browser.pages import EstimateSection, LoginPage
from tests.factories import PASSWORD, Factory


def test_estimate_is_drawn_up_sent_and_approved(page: Page, live_server: LiveServer,
                                                committed_database: Database) -> None:
    with committed_database.unit_of_work() as s:
        f = Factory(s)
        center = f.center("EBR")
        engineer = f.user(center, Role.ENGINEER, email="bench@ebr.test")
        clerk = f.user(center, Role.INTAKE, email="counter@ebr.test")
        keeper = f.user(center, Role.WAREHOUSE, email="stock@ebr.test")
        s.add(LabourItem(code="L-PUMP", name="Замена помпы", price=Decimal("1500.00")))
        pump = Part(sku="PUMP-1", name="Помпа", price=Decimal("2000.00"))
        belt = Part(sku="BELT-1", name="Ремень", price=Decimal("450.00"))
        s.add_all([pump, belt])
        s.flush()
        journal.move_parts(s, None, pump, 1, source=None, target=center.locations[0], reason=MoveReason.RECEIPT)
        number = f.order(center, state=RepairState.DIAGNOSIS).number

    LoginPage(page, live_server.url).goto().log_in(engineer.email, PASSWORD)
    order = EstimateSection(page, live_server.url)
    page.goto(f"{live_server.url}/orders/{number}")
    order.reserve("BELT-1", "1")  # none in stock: refused, the shortage offered, nothing reserved
    assert order.refusals.count() == 1 and order.reservations() == {}
    assert page.locator("main [data-submit=parts-shortage]").is_visible()

    order.add_labour("L-PUMP", "1")
    order.add_part("pump-1", "1")  # typed in lower case, as a scanner in the wrong layout might
    order.add_part("BELT-1", "1")
    assert Decimal(order.gross()) == Decimal("3950.00")
    order.send()
    assert order.state() == "awaiting_approval"

    page.context.clear_cookies()
    LoginPage(page, live_server.url).goto().log_in(clerk.email, PASSWORD)
    page.goto(f"{live_server.url}/orders/{number}")
    order.answer("approve", via="phone")
    assert order.state() == "awaiting_parts"  # the belt is short
    assert order.reservations() == {"PUMP-1": "active"} and order.part_requests() == {"BELT-1": "open"}

    page.context.clear_cookies()
    LoginPage(page, live_server.url).goto().log_in(keeper.email, PASSWORD)
    page.goto(f"{live_server.url}/warehouse/")
    assert number in page.locator("table.part-requests").inner_text()
    assert number in page.locator("table.picks").inner_text()

    with committed_database.unit_of_work() as s:
        o = s.scalar(select(RepairOrder).where(RepairOrder.number == number))
        assert o.approved is True and o.estimate_total == Decimal("3950.00")
