"""A warranty repair done by a partner center, in Chromium, each user in turn on the real screens.

The head office's counter (MSK) routes the order to the partner KZN; MSK's logistics ships the unit by
scanning its label; the partner sees the shipment coming, opens it from its scan field and scans the unit
in (KZN's own deadlines start); the partner diagnoses, repairs and finishes on the bench, then ships the
unit back; MSK receives it by scanning and the counter hands it back. The head office's administrator
finds the repair on KZN's monthly statement, at KZN's rate, and on the manufacturer's warranty claim.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from playwright.sync_api import Page
from sqlalchemy import select

from servicecenter.accounts.roles import Role
from servicecenter.centers.models import CenterKind, LocationKind
from servicecenter.clock import local_date, utcnow
from servicecenter.db import Database
from servicecenter.deadlines.models import DeadlineRule
from servicecenter.diagnostics.catalogue import create_code
from servicecenter.repairs.models import EventKind, OrderType, Outcome, RepairOrder
from servicecenter.repairs.states import RepairState
from servicecenter.settlements.models import ClaimLine, StatementLine
from servicecenter.settlements.periods import period_of
from servicecenter.settlements.rates import create_rate_card
from servicecenter.stock import journal
from servicecenter.stock.models import MoveReason
from tests.browser.conftest import LiveServer
from tests.browser.pages import (
    BasePage,
    JourneyOrderPage,
    LoginPage,
    LogisticsPage,
    ShipmentPage,
    WorkstationPage,
)
from tests.factories import PASSWORD, Factory
from tests.workstations.test_printing_routes import pdf_text

WASHERS = "Стиральные машины"


def _as(page: Page, base_url: str, email: str) -> None:
    """Whoever is at the screen logs out, and the next user logs in."""
    if WorkstationPage(page, base_url).is_logged_in():
        WorkstationPage(page, base_url).log_out()
    LoginPage(page, base_url).goto().log_in(email, PASSWORD)


def _scan(page: Page, code: str) -> None:
    """Type a code into the page's scan field as a scanner does (the code, then Enter)."""
    field = page.locator("main .scan-input").first
    field.press_sequentially(code)
    with page.expect_navigation():
        field.press("Enter")


def _text(page: Page, selector: str) -> str:
    return " ".join(page.locator(selector).first.inner_text().split())


def _rows(page: Page, selector: str, attribute: str) -> list[str]:
    return [tr.get_attribute(attribute) or "" for tr in page.locator(selector).all()]


def _click(page: Page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()


def _money(amount: str) -> str:
    """A sum as the Russian pages and PDFs write it, spaces made plain (see `_plain`): 1 500,00."""
    whole, kopecks = f"{Decimal(amount):.2f}".split(".")
    return f"{int(whole):,}".replace(",", " ") + "," + kopecks


def _plain(text: str) -> str:
    """Text with every kind of space made one ordinary space (pages and PDFs differ in their spaces)."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def test_partner_repairs_a_routed_unit_and_the_head_office_settles_it(page: Page, live_server: LiveServer,
                                                                      committed_database: Database) -> None:
    with committed_database.unit_of_work() as s:
        f = Factory(s)
        msk = f.center("MSK", name="СЦ Москва", city="Москва", region="Москва", is_head_office=True)
        kzn = f.center("KZN", kind=CenterKind.PARTNER, name="Партнёр Казань", city="Казань", region="Татарстан")
        admin = f.user(msk, Role.ADMIN, email="admin@msk.test", name="Анна Админова")
        clerk = f.user(msk, Role.INTAKE, email="intake@msk.test", name="Инна Приёмова")
        logistics = f.user(msk, Role.LOGISTICS, email="log@msk.test", name="Ольга Логистова")
        partner = f.user(kzn, Role.PARTNER, email="master@kzn.test", name="Марат Мастеров")
        washer = f.model(category=WASHERS, name="WW70", months=24)
        brand = washer.manufacturer
        brand.name = "Вихрь"
        kzn.brands.append(brand)
        # KZN's own deadline rule: one day to diagnose (the network's default is three).
        s.add(DeadlineRule(center_id=kzn.id, diagnosis_days=1, repair_days=7))
        for kind, code, name in (("symptom", "S01", "Не сливает"), ("cause", "C01", "Засор помпы"),
                                 ("action", "A01", "Чистка помпы")):
            create_code(s, admin, category=WASHERS, kind=kind, code=code, name=name)
        valid_from = local_date(utcnow(), kzn.timezone) - timedelta(days=40)
        create_rate_card(s, admin, kind="partner", center_id=kzn.id, valid_from=valid_from,
                         lines=[(WASHERS, "1500"), ("", "900")], vat_rate="20", travel_allowance="0")
        create_rate_card(s, admin, kind="manufacturer", manufacturer_id=brand.id, valid_from=valid_from,
                         lines=[(WASHERS, "2100")], vat_rate="20")
        order = f.order(msk, unit=f.unit(model=washer, serial="WM-KZN-77"), order_type=OrderType.WARRANTY,
                        warranty_covered=True, fault="Не сливает воду")
        warehouse = next(loc for loc in msk.locations if loc.kind == LocationKind.WAREHOUSE and loc.is_main)
        if order.unit.location_id != warehouse.id:
            journal.move_unit(s, None, order.unit, warehouse, MoveReason.INTAKE)
        number, serial = order.number, order.unit.serial
        emails = {"clerk": clerk.email, "logistics": logistics.email, "partner": partner.email, "admin": admin.email}
        kzn_id, msk_id, kzn_zone = kzn.id, msk.id, kzn.timezone
    url = live_server.url
    screen = JourneyOrderPage(page, url)

    # 1. MSK's counter routes the order to KZN from the order page; the page says so, the clock waits.
    _as(page, url, emails["clerk"])
    page.goto(f"{url}/orders/{number}")
    msk_diagnosis_due = _text(page, "#deadlines [data-due=diagnosis]")
    routing = page.locator("#routing form")
    routing.locator("select[name=center_id]").select_option(str(kzn_id))
    with page.expect_navigation():
        routing.locator("button[type=submit]").click()
    assert number in screen.said() and "Партнёр Казань" in screen.said()
    assert "(KZN)" in _text(page, "dl.facts")
    assert page.locator("#deadlines .badge.paused").count() == 1
    assert page.locator("#routing").count() == 0  # routed: nothing more to route
    assert any(kind == EventKind.ROUTING and to == "KZN" for kind, to, _ in screen.history())

    # 2. MSK's logistics: the unit waits to go to KZN; a shipment MSK → KZN, the label scanned, dispatched.
    _as(page, url, emails["logistics"])
    board = LogisticsPage(page, url).goto()
    assert number in _rows(page, "[data-queue=to-send] tr[data-order]", "data-order")
    assert "KZN" in _text(page, f"[data-queue=to-send] tr[data-order='{number}']")
    board.open_shipment("MSK-WH", "KZN-WH")  # the form offers the partner's warehouse
    shipment = ShipmentPage(page, url)
    outbound = shipment.number
    assert outbound.startswith("SHP-MSK-") and shipment.state == "open" and shipment.scan_field_focused()
    shipment.scan(number)  # the unit's label carries the order number
    assert shipment.lines() == {serial: "packed"}
    shipment.dispatch("СДЭК", "KZN-1001", "1")
    assert shipment.state == "dispatched" and page.locator("main .flash.success").count() == 1
    board.goto()
    assert number not in _rows(page, "[data-queue=to-send] tr[data-order]", "data-order")

    # 3. KZN: the shipment is on its way; its label opens it; the unit is scanned in.
    _as(page, url, emails["partner"])
    start = BasePage(page, url)
    assert start.current_path == "/partner/"
    assert _rows(page, "[data-queue=incoming] tr[data-shipment]", "data-shipment") == [outbound]
    assert "СДЭК" in _text(page, f"[data-queue=incoming] tr[data-shipment='{outbound}']")
    _scan(page, outbound.lower())  # the label on the box, the scanner in the wrong case
    assert shipment.number == outbound and shipment.state == "dispatched" and shipment.scan_field_focused()
    shipment.scan(serial)
    assert shipment.lines() == {serial: "received"} and shipment.state == "dispatched"
    shipment.finish_receiving()
    assert shipment.state == "received" and shipment.missing() == []
    page.goto(f"{url}/partner/")
    assert page.locator("[data-queue=incoming] tr[data-shipment]").count() == 0
    _scan(page, number)  # the unit's label opens the order
    assert screen.number == number and screen.state() == "received"
    assert page.locator("#deadlines").count() == 1 and page.locator("#deadlines .badge.paused").count() == 0
    kzn_diagnosis_due = _text(page, "#deadlines [data-due=diagnosis]")
    assert kzn_diagnosis_due and kzn_diagnosis_due != msk_diagnosis_due  # KZN's one day, from its receipt
    started = [text for kind, _, text in screen.history() if kind == EventKind.DEADLINE and "KZN" in text]
    assert started, "the history says KZN's deadlines started on receipt"
    with committed_database.unit_of_work() as s:
        received = s.scalar(select(RepairOrder).where(RepairOrder.number == number))
        restarted, due = received.clock_restarted_at, received.diagnosis_due
        assert restarted is not None and utcnow() - restarted < timedelta(minutes=5)
        assert due is not None and timedelta(0) < due - restarted <= timedelta(days=2)  # KZN's rule: 1 day

    # 4. The partner works it on the bench: takes it, diagnoses by codes, repairs, logs time, finishes.
    screen.take()
    assert screen.state() == "diagnosis" and screen.refusals.count() == 0
    screen.diagnose("S01", "C01", "A01", text="Помпа забита ворсом")
    assert "C01" in screen.diagnosis_codes()
    with page.expect_navigation():  # a warranty repair needs no estimate: diagnosis → in repair
        page.locator("form.transition[data-action=start_repair] button[type=submit]").click()
    assert screen.state() == "in_repair"
    screen.log_work(40, "Чистка помпы, тест слива")
    assert screen.work_total() == "0:40"
    screen.finish("repaired", "Помпа очищена, слив в норме")
    assert screen.state() == "ready_for_pickup" and screen.refusals.count() == 0
    assert "Марат Мастеров" in _text(page, "dl.facts")

    # 5. ...sees it among the repaired units to ship back, and ships it to MSK.
    page.goto(f"{url}/partner/")
    assert _rows(page, "[data-queue=to-return] tr[data-order]", "data-order") == [number]
    assert "MSK" in _text(page, f"[data-queue=to-return] tr[data-order='{number}']")
    _click(page, "[data-queue=to-return] a.button")
    board = LogisticsPage(page, url)
    assert board.current_path == "/logistics/"
    board.open_shipment("KZN-WH", "MSK-WH")
    inbound = shipment.number
    assert inbound.startswith("SHP-KZN-") and shipment.state == "open"
    shipment.scan(serial)
    assert shipment.lines() == {serial: "packed"}
    shipment.dispatch("Деловые линии", "DL-2002", "1")
    assert shipment.state == "dispatched"
    page.goto(f"{url}/partner/")
    assert page.locator("[data-queue=to-return]").count() == 0
    # The partner's own statement already has the repair, at its rate.
    page.goto(f"{url}/settlements/statements/")
    assert page.locator("table.statements tr[data-statement]").count() == 1
    with page.expect_navigation():
        page.locator("table.statements tr[data-statement] a").click()
    assert _money("1800") in _plain(_text(page, f"table.statement-lines tr[data-line='{number}']"))

    # MSK's logistics receives it by scanning.
    _as(page, url, emails["logistics"])
    board = LogisticsPage(page, url).goto()
    assert inbound in board.listed()
    board.scan(inbound)
    assert shipment.number == inbound and shipment.scan_field_focused()
    shipment.scan(number)
    assert shipment.lines() == {serial: "received"} and shipment.state == "dispatched"
    shipment.finish_receiving()
    assert shipment.state == "received" and shipment.missing() == []

    # 6. MSK's counter: back from the partner, ready for pickup; handed back.
    _as(page, url, emails["clerk"])
    page.goto(f"{url}/intake/")
    back = page.locator("[data-queue=back] table a", has_text=number)
    assert back.count() == 1
    with page.expect_navigation():
        back.click()
    assert screen.state() == "ready_for_pickup"
    with page.expect_navigation():
        screen.hand_back.click()
    assert page.locator("main h1 .number").inner_text().strip() == number
    assert page.locator("form.issue input[name=amount_paid]").count() == 0  # warranty: nothing to pay
    with page.expect_navigation():
        page.locator("form.issue button[type=submit]").click()
    assert screen.state() == "issued" and number in screen.said()
    page.goto(f"{url}/intake/")
    assert page.locator("[data-queue=back] table a", has_text=number).count() == 0

    # 7. The head office: KZN's statement for this month has the line at KZN's rate...
    with committed_database.unit_of_work() as s:  # the month of the repair's completion, in KZN's zone
        completed = s.scalar(select(StatementLine.completed_at))
    assert completed is not None and utcnow() - completed < timedelta(minutes=5)
    period = period_of(completed, kzn_zone)
    month = f"{period[5:7]}.{period[:4]}"
    _as(page, url, emails["admin"])
    page.goto(f"{url}/settlements/statements/")
    rows = page.locator("table.statements tr[data-statement]", has_text="KZN")
    assert rows.count() == 1 and month in _plain(rows.inner_text())
    assert _money("1800") in _plain(rows.inner_text())  # 1 500 + 20 % VAT
    with page.expect_navigation():
        rows.locator("a").click()
    line = page.locator(f"table.statement-lines tr[data-line='{number}']")
    assert page.locator("table.statement-lines tr[data-line]").count() == 1 and line.count() == 1
    cells = [_plain(c) for c in line.locator("td").all_inner_texts()]
    assert "Вихрь WW70" in cells[2]
    assert WASHERS in cells[2] and page.locator("main .flash.warning").count() == 0  # priced: a rate was found
    assert _money("1500") in cells[3] and _money("1800") in cells[8]
    assert _money("1800") in _plain(_text(page, "[data-total=total]"))
    pdf = page.request.get(url + (page.locator("a.button[href$='statement.pdf']").get_attribute("href") or ""))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    printed = _plain(pdf_text(pdf.body()))
    assert number in printed and "Партнёр Казань" in printed
    assert _money("1500") in printed and _money("1800") in printed

    # ...and the manufacturer's warranty claim has the line at the manufacturer's rate.
    page.goto(f"{url}/settlements/claims/")
    claim = page.locator("table.claims tr[data-claim]", has_text="Вихрь")
    assert claim.count() == 1 and month in _plain(claim.inner_text())
    with page.expect_navigation():
        claim.locator("a").click()
    claim_line = page.locator(f"table.claim-lines tr[data-line='{number}']")
    assert page.locator("table.claim-lines tr[data-line]").count() == 1 and claim_line.count() == 1
    cells = [_plain(c) for c in claim_line.locator("td").all_inner_texts()]
    assert cells[1] == "KZN" and serial in cells[3]
    assert _money("2100") in cells[4] and _money("2520") in cells[6]  # 2 100 + 20 % VAT

    with committed_database.unit_of_work() as s:
        done = s.scalar(select(RepairOrder).where(RepairOrder.number == number))
        assert done.state == RepairState.ISSUED and done.outcome == Outcome.REPAIRED
        assert done.center_id == kzn_id and done.intake_center_id == msk_id
        assert done.unit.location.code == "CUSTOMER"
        statement_lines = s.scalars(select(StatementLine)).all()
        assert [(sl.order_id, sl.center_id, sl.labour, sl.total) for sl in statement_lines] == [
            (done.id, kzn_id, Decimal("1500.00"), Decimal("1800.00"))]
        assert statement_lines[0].statement.period == period
        claim_lines = s.scalars(select(ClaimLine)).all()
        assert [(cl.order_id, cl.center_id, cl.labour, cl.total) for cl in claim_lines] == [
            (done.id, kzn_id, Decimal("2100.00"), Decimal("2520.00"))]
        assert claim_lines[0].claim.manufacturer_id == done.unit.manufacturer_id
