"""The bench in Chromium: the engineer scans a unit, takes the order, diagnoses by codes, logs time,
replaces a part, completes the checklist and finishes; the order is ready for pickup."""

from __future__ import annotations

from playwright.sync_api import Page
from sqlalchemy import select

from servicecenter.accounts.roles import Role
from servicecenter.db import Database
from servicecenter.diagnostics.catalogue import create_checklist_item, create_code
from servicecenter.repairs.models import Outcome, RepairOrder, WorkLog
from servicecenter.repairs.states import RepairState
from tests.browser.conftest import LiveServer
from tests.browser.pages import BenchSection, EngineerPage, LoginPage
from tests.factories import PASSWORD, Factory


def test_engineer_takes_diagnoses_logs_and_finishes(page: Page, live_server: LiveServer,
                                                    committed_database: Database) -> None:
    with committed_database.unit_of_work() as s:
        f = Factory(s)
        center = f.center("BNC")
        admin = f.staff(center, Role.ADMIN)
        engineer = f.user(center, Role.ENGINEER, email="bench@bnc.test", name="Игорь Паяльников")
        model = f.model(category="Стиральные машины", name="WW70")
        for kind, code, name in (("symptom", "S01", "Не сливает"), ("cause", "C01", "Засор помпы"),
                                 ("action", "A01", "Замена помпы")):
            create_code(s, admin, category="Стиральные машины", kind=kind, code=code, name=name)
        item = create_checklist_item(s, admin, category="Стиральные машины", text="Тест слива 10 минут")
        order = f.order(center, unit=f.unit(model=model, serial="WM-555"))
        number, item_id, email = order.number, item.id, engineer.email

    page.set_viewport_size({"width": 800, "height": 1280})  # a bench tablet, upright
    LoginPage(page, live_server.url).goto().log_in(email, PASSWORD)
    bench = EngineerPage(page, live_server.url).goto()
    assert bench.scan_field_focused() and number in bench.waiting()
    bench.scan("wm-555")  # the unit's label opens its open order

    order_page = BenchSection(page, live_server.url)
    assert order_page.number == number and order_page.state() == "received"
    order_page.take()
    assert order_page.state() == "diagnosis"
    assert page.evaluate("() => { const b = document.getElementById('bench'); return b.scrollWidth <= b.clientWidth; }")
    order_page.diagnose("S01", "C01", "A01", text="Помпа забита ворсом")
    assert "C01" in order_page.diagnosis_codes()
    with page.expect_navigation():  # the table's own edge: diagnosis → in repair
        page.locator("form.transition[data-action=start_repair] button[type=submit]").click()
    assert order_page.state() == "in_repair"
    order_page.log_work(45, "Замена помпы")
    assert order_page.work_total() == "0:45"
    order_page.replace_part("Помпа", "P-OLD-1", "P-NEW-2")
    assert order_page.checklist_items() == {str(item_id): False}
    order_page.finish("repaired", "Отремонтировано")  # refused: the checklist is not complete
    assert order_page.state() == "in_repair" and order_page.refusals.count() == 1
    order_page.complete_checklist()
    order_page.finish("repaired", "Отремонтировано")
    assert order_page.state() == "ready_for_pickup"

    with committed_database.unit_of_work() as s:
        done = s.scalar(select(RepairOrder).where(RepairOrder.number == number))
        assert done.state == RepairState.READY_FOR_PICKUP and done.outcome == Outcome.REPAIRED
        assert [w.minutes for w in s.scalars(select(WorkLog).where(WorkLog.order_id == done.id))] == [45]

    bench.goto()  # the queue is empty again, and the bench page fits the tablet
    assert bench.my_queue() == []
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
