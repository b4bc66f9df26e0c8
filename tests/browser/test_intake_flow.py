"""A whole intake at the counter in Chromium, by keyboard as a scanner types, then the printouts."""

from __future__ import annotations

import io

from PIL import Image
from playwright.sync_api import Page
from sqlalchemy import select

from servicecenter.accounts.roles import Role
from servicecenter.db import Database
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.states import RepairState
from tests.browser.conftest import LiveServer
from tests.browser.pages import IntakeFormPage, IntakePage, LoginPage, OrderPage
from tests.domain.test_scanning import typed_on_russian_layout
from tests.factories import PASSWORD, Factory
from tests.workstations.test_printing_routes import decoded, pdf_pages, pdf_text


def test_keyboard_intake_then_work_order_and_label(page: Page, live_server: LiveServer,
                                                   committed_database: Database) -> None:
    with committed_database.unit_of_work() as s:
        f = Factory(s)
        center = f.center("MSK", name="СЦ Москва — Савёловская")
        clerk = f.user(center, Role.INTAKE, email="counter@msk.test", name="Анна Приёмкина")
        f.user(f.center("HQ", name="Головной офис"), Role.CALL_CENTER, email="calls@hq.test", name="Ольга Звонкова")
        model = f.model(months=24, name="WW90T", category="Стиральные машины")
        model_id, brand, email = model.id, model.manufacturer.name, clerk.email

    LoginPage(page, live_server.url).goto().log_in(email, PASSWORD)
    intake = IntakePage(page, live_server.url)
    assert intake.current_path == "/intake/" and intake.scan_field_focused()

    # The scanner types the serial on a Russian keyboard layout, then Enter.
    with page.expect_navigation():
        page.keyboard.type(typed_on_russian_layout("WM-2026-777") + "\n")
    form = IntakeFormPage(page, live_server.url)
    assert form.current_path == "/intake/new"
    assert form.field("serial").input_value() == "WM-2026-777"
    assert form.model_picker.evaluate("el => el === document.activeElement")  # the clerk continues there

    assert form.choose_model("ww90") == f"{brand} WW90T (Стиральные машины)"
    assert form.chosen_model_id() == str(model_id)
    form.field("purchase_date").fill("2025-03-14")
    form.field("customer_name").press_sequentially("Смирнова Ольга Петровна")
    form.field("customer_phone").press_sequentially("8 916 555-44-33")
    form.field("fault").press_sequentially("Не сливает воду, ошибка E21")
    page.locator("form.intake input[name=accessories_checks][value=cable]").check()
    form.field("order_type").select_option("warranty")
    with page.expect_navigation():
        form.field("customer_phone").press("Enter")  # Enter submits, as at any counter

    order_page = OrderPage(page, live_server.url)
    number = order_page.number
    assert order_page.current_path == f"/orders/{number}"
    with committed_database.unit_of_work() as s:
        order = s.scalar(select(RepairOrder).where(RepairOrder.number == number))
        assert order.state == RepairState.RECEIVED and order.warranty_covered is True
        assert order.customer.phone == "+79165554433"

    work_order = page.request.get(order_page.print_link("/work-order.pdf"))
    assert work_order.ok and work_order.headers["content-type"] == "application/pdf"
    text = pdf_text(work_order.body())
    assert number in text and "Смирнова Ольга Петровна" in text
    assert number in decoded(pdf_pages(work_order.body(), 200)[0])

    labels = page.request.get(order_page.print_link("/label.pdf"))
    pages = pdf_pages(labels.body(), 300)
    assert len(pages) == 2 and all(decoded(p) == [number] for p in pages)  # the unit and its cable
    png = page.request.get(order_page.print_link("/label.png"))
    assert decoded(Image.open(io.BytesIO(png.body()))) == [number]

    # The customer phones the call center: the operator finds the order by the phone number.
    IntakePage(page, live_server.url).log_out()
    LoginPage(page, live_server.url).goto().log_in("calls@hq.test", PASSWORD)
    with page.expect_navigation():
        page.keyboard.type("+7 (916) 555-44-33\n")  # the search field has the focus
    card = page.locator(f"article.order-card[id='{number}']")
    assert card.count() == 1
    assert "Смирнова Ольга Петровна" in card.inner_text()
    assert card.locator(".state").get_attribute("class").endswith("state-received")

    # At home, the customer looks the repair up with the number and the phone's last four digits.
    IntakePage(page, live_server.url).log_out()
    page.goto(f"{live_server.url}/status")
    page.locator("form.status-form [name=number]").press_sequentially(number.lower())
    page.locator("form.status-form [name=last_four]").press_sequentially("4433")
    with page.expect_navigation():
        page.locator("form.status-form [name=last_four]").press("Enter")
    answer = page.locator(".status-answer")
    assert number in answer.inner_text()
    assert answer.locator(".state-received").count() == 1
    assert "Смирнова" not in page.content() and "WM-2026-777" not in page.content()  # nothing private
