"""A shipment in Chromium: built by scanning, its waybill printed and read back, dispatched; the other
center scans it in with one unit missing and sees the discrepancy."""

from __future__ import annotations

from playwright.sync_api import Page
from sqlalchemy import select

from servicecenter.accounts.roles import Role
from servicecenter.centers.models import LocationKind
from servicecenter.db import Database
from servicecenter.repairs.models import RepairOrder
from servicecenter.stock import journal
from servicecenter.stock.models import MoveReason
from tests.browser.conftest import LiveServer
from tests.browser.pages import LoginPage, LogisticsPage, ShipmentPage
from tests.domain.test_scanning import typed_on_russian_layout
from tests.factories import PASSWORD, Factory
from tests.workstations.test_printing_routes import decoded, pdf_pages, pdf_text


def test_build_print_dispatch_then_receive_with_one_missing(page: Page, live_server: LiveServer,
                                                             committed_database: Database) -> None:
    with committed_database.unit_of_work() as s:
        f = Factory(s)
        msk = f.center("MSK", name="СЦ Москва")
        kzn = f.center("KZN", name="СЦ Казань")
        wh = next(loc for loc in msk.locations if loc.kind == LocationKind.WAREHOUSE)
        orders = []
        for _ in range(3):
            order = f.order(msk)
            if order.unit.location_id != wh.id:
                journal.move_unit(s, None, order.unit, wh, MoveReason.INTAKE)
            orders.append((order.number, order.unit.serial))
        sender = f.user(msk, Role.LOGISTICS, email="log@msk.test", name="Ольга Логистова").email
        receiver = f.user(kzn, Role.WAREHOUSE, email="wh@kzn.test", name="Пётр Складов").email

    LoginPage(page, live_server.url).goto().log_in(sender, PASSWORD)
    logistics = LogisticsPage(page, live_server.url)
    assert logistics.current_path == "/logistics/"
    logistics.open_shipment("MSK-WH", "KZN-WH")
    shipment = ShipmentPage(page, live_server.url)
    number = shipment.number
    assert number.startswith("SHP-MSK-") and shipment.state == "open" and shipment.scan_field_focused()

    # Unit labels (order numbers) scanned, one of them on a Russian keyboard layout; one serial twice.
    shipment.scan(orders[0][0])
    shipment.scan(typed_on_russian_layout(orders[1][0]))
    shipment.scan(orders[2][1])
    shipment.scan(orders[2][1])
    assert shipment.page.locator("main .flash.info").count() == 1  # told: already on it, one line
    assert shipment.lines() == {serial: "packed" for _, serial in orders}
    assert shipment.scan_field_focused()

    waybill = page.request.get(shipment.print_link("waybill"))
    assert waybill.ok and waybill.headers["content-type"] == "application/pdf"
    text = pdf_text(waybill.body())
    assert f"Накладная на перемещение № {number}" in text and "СЦ Казань" in text
    assert all(serial in text for _, serial in orders)
    assert number in decoded(pdf_pages(waybill.body(), 200)[0])

    shipment.dispatch("СДЭК", "1002003004", "1")
    assert shipment.state == "dispatched"
    assert page.locator("main .flash.success").count() == 1
    shipment.log_out()

    LoginPage(page, live_server.url).goto().log_in(receiver, PASSWORD)
    logistics = LogisticsPage(page, live_server.url).goto()
    assert number in logistics.listed()
    logistics.scan(number.lower())  # the label on the box
    shipment = ShipmentPage(page, live_server.url)
    assert shipment.number == number and shipment.scan_field_focused()
    shipment.scan(orders[0][1])
    shipment.scan(orders[1][0])
    shipment.finish_receiving()
    assert shipment.state == "received"
    assert shipment.missing() == [orders[2][1]]
    assert shipment.lines()[orders[2][1]] == "missing"
    assert page.locator("main .flash.error").count() == 1  # received with discrepancies
    with committed_database.unit_of_work() as s:
        arrived = s.scalar(select(RepairOrder).where(RepairOrder.number == orders[0][0]))
        assert arrived.unit.location.code == "KZN-WH"
        lost = s.scalar(select(RepairOrder).where(RepairOrder.number == orders[2][0]))
        assert lost.unit.location.code == f"TR-{number}"
