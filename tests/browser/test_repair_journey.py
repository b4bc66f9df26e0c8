"""A paid repair from the queue to the counter, in Chromium, each user in turn on the real screens.

The team lead filters the queue and assigns the order; the engineer scans it, takes it into diagnosis,
records the coded diagnosis, reserves the part from the center's stock and sends an estimate (that part
and a labour line); the intake clerk records the customer's approval by phone; the engineer logs time,
completes the checklist and finishes; the counter shows the order ready for pickup and offers the hand-back.
"""

from __future__ import annotations

from decimal import Decimal

from playwright.sync_api import Page
from sqlalchemy import select

from servicecenter.accounts.roles import Role
from servicecenter.db import Database
from servicecenter.diagnostics.catalogue import create_checklist_item, create_code
from servicecenter.pricing.models import LabourItem
from servicecenter.repairs.models import EventKind, OrderType, Outcome, RepairEvent, RepairOrder, WorkLog
from servicecenter.repairs.states import RepairState
from servicecenter.stock import journal
from servicecenter.stock.models import MoveReason, Part, Reservation, ReservationState
from tests.browser.conftest import LiveServer
from tests.browser.pages import (
    CounterPage,
    EngineerPage,
    JourneyOrderPage,
    LoginPage,
    TeamLeadPage,
    WorkstationPage,
)
from tests.factories import PASSWORD, Factory

WASHERS = "Стиральные машины"


def _as(page: Page, base_url: str, email: str) -> None:
    """Whoever is at the screen logs out, and the next user logs in."""
    if WorkstationPage(page, base_url).is_logged_in():
        WorkstationPage(page, base_url).log_out()
    LoginPage(page, base_url).goto().log_in(email, PASSWORD)


def test_paid_repair_from_the_queue_to_the_counter(page: Page, live_server: LiveServer,
                                                    committed_database: Database) -> None:
    with committed_database.unit_of_work() as s:
        f = Factory(s)
        center = f.center("JRN")
        admin = f.staff(center, Role.ADMIN)
        lead = f.user(center, Role.TEAM_LEAD, email="lead@jrn.test", name="Ольга Руководитель")
        engineer = f.user(center, Role.ENGINEER, email="bench@jrn.test", name="Игорь Паяльников")
        engineer.skills = WASHERS
        clerk = f.staff(center, Role.INTAKE)  # received the unit, and takes the customer's call later
        for kind, code, name in (("symptom", "S01", "Не сливает"), ("cause", "C01", "Засор помпы"),
                                 ("action", "A01", "Замена помпы")):
            create_code(s, admin, category=WASHERS, kind=kind, code=code, name=name)
        item = create_checklist_item(s, admin, category=WASHERS, text="Тест слива 10 минут")
        s.add(LabourItem(code="L-PUMP", name="Замена помпы", category=WASHERS, price=Decimal("1500.00")))
        pump = Part(sku="PUMP-7", name="Помпа сливная", price=Decimal("2000.00"))
        s.add(pump)
        s.flush()
        journal.move_parts(s, None, pump, 2, source=None, target=center.locations[0], reason=MoveReason.RECEIPT)
        washer = f.model(category=WASHERS, name="WW70")
        order = f.order(center, unit=f.unit(model=washer, serial="WM-7001"), order_type=OrderType.PAID,
                        warranty_covered=False, warranty_reason="Гарантия истекла", fault="Не сливает воду")
        fridge = f.order(center, unit=f.unit(model=f.model(category="Холодильники")))
        number, other, engineer_id, item_id = order.number, fridge.number, engineer.id, item.id
        clerk_name = clerk.name
        emails = {"lead": lead.email, "engineer": engineer.email, "clerk": clerk.email}
    url = live_server.url
    screen = JourneyOrderPage(page, url)

    # The team lead: the washers waiting at the center, assigned to the engineer who has the skill.
    _as(page, url, emails["lead"])
    queue = TeamLeadPage(page, url).goto()
    assert set(queue.rows()) == {number, other}
    queue.filter(category=WASHERS, state="received")
    assert queue.rows() == [number]
    assert "Игорь Паяльников" in queue.engineer_options()[str(engineer_id)]
    queue.check(number)
    queue.bulk_assign(engineer_id)
    assert queue.flashes.count() == 1 and queue.engineer_of(number) == "Игорь Паяльников"

    # The engineer: the order is in his queue; the scan of its number opens it; he takes it.
    _as(page, url, emails["engineer"])
    bench = EngineerPage(page, url).goto()
    assert bench.my_queue() == [number] and bench.scan_field_focused()
    bench.scan(number.lower())  # a scanner in the wrong case still finds it
    assert screen.number == number and screen.state() == "received"
    assert screen.transition_buttons() == []  # "Take into diagnosis" in the bench section is the one way
    screen.take()
    assert screen.state() == "diagnosis" and number in screen.said()
    screen.diagnose("S01", "C01", "A01", text="Помпа забита ворсом")
    assert "C01" in screen.diagnosis_codes() and screen.refusals.count() == 0

    # ...reserves the pump from the center's stock, and sends the estimate: the pump and the labour.
    screen.reserve("PUMP-7", "1")
    assert "PUMP-7" in screen.said() and screen.reservations() == {"PUMP-7": "active"}
    screen.add_part("PUMP-7", "1")
    screen.add_labour("L-PUMP", "1")
    assert Decimal(screen.gross()) == Decimal("3500.00")
    screen.send()
    assert screen.state() == "awaiting_approval" and screen.refusals.count() == 0
    assert screen.state_label() == "Ожидает согласования"

    # The intake clerk: the customer approves by phone; the pump is already reserved, so repair can start.
    _as(page, url, emails["clerk"])
    page.goto(f"{url}/orders/{number}")
    screen.answer("approve", via="phone")
    assert screen.state() == "in_repair" and screen.state_label() == "В ремонте" and number in screen.said()
    assert screen.reservations() == {"PUMP-7": "active"}  # not reserved a second time

    # The engineer: logs the time, ticks the checklist, finishes as repaired.
    _as(page, url, emails["engineer"])
    bench.goto()
    assert bench.my_queue() == [number]
    bench.scan(number)
    assert screen.state() == "in_repair"
    assert "finish" not in screen.transition_buttons()  # the bench section's Finish is the one way
    screen.log_work(90, "Замена помпы, тест слива")
    assert screen.work_total() == "1:30"
    assert screen.checklist_items() == {str(item_id): False}
    screen.complete_checklist()
    assert screen.checklist_items() == {str(item_id): True}
    screen.finish("repaired", "Помпа заменена, слив в норме")
    assert screen.state() == "ready_for_pickup" and screen.state_label() == "Готов к выдаче"
    assert screen.refusals.count() == 0 and screen.said()
    history = screen.history()
    states = [(to, text) for kind, to, text in history if kind == EventKind.STATE]
    assert [to for to, _ in states] == ["diagnosis", "awaiting_approval", "in_repair", "ready_for_pickup"]
    assert clerk_name in states[2][1] and "Игорь Паяльников" in states[3][1]  # who approved, who finished
    assert any(kind == EventKind.ASSIGNMENT and "Игорь Паяльников" in text for kind, _, text in history)
    assert any(kind == EventKind.PARTS and "PUMP-7" in text for kind, _, text in history)
    bench.goto()
    assert bench.my_queue() == []

    # The counter: the order is ready for pickup; opening it offers the hand-back, for the estimate's sum.
    _as(page, url, emails["clerk"])
    counter = CounterPage(page, url).goto()
    assert counter.ready() == [number]
    counter.open_ready(number)
    assert screen.state() == "ready_for_pickup"
    with page.expect_navigation():
        screen.hand_back.click()
    assert page.locator("main h1 .number").inner_text().strip() == number
    assert Decimal(page.locator("form.issue input[name=amount_paid]").input_value()) == Decimal("3500.00")

    with committed_database.unit_of_work() as s:
        done = s.scalar(select(RepairOrder).where(RepairOrder.number == number))
        assert done.state == RepairState.READY_FOR_PICKUP and done.outcome == Outcome.REPAIRED
        assert done.engineer_id == engineer_id and done.approved is True
        assert done.estimate_total == Decimal("3500.00")
        reservations = s.scalars(select(Reservation).where(Reservation.order_id == done.id)).all()
        assert [(r.part.sku, r.quantity, r.state) for r in reservations] == [("PUMP-7", 1, ReservationState.ACTIVE)]
        assert [(w.user_id, w.minutes) for w in s.scalars(select(WorkLog).where(WorkLog.order_id == done.id))] == [
            (engineer_id, 90)]
        approvals = [e for e in s.scalars(select(RepairEvent).where(RepairEvent.order_id == done.id))
                     if e.kind == EventKind.STATE and e.details.get("action") == "approve"]
        assert len(approvals) == 1 and approvals[0].details.get("via") == "phone"
