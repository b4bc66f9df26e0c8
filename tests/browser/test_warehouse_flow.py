"""The warehouse in Chromium: a clerk receives parts and shelves them by typing scans, then fills an
engineer's parts request from the pick list (a partial issue, a refused over-issue, the rest)."""

from __future__ import annotations

from playwright.sync_api import Page
from sqlalchemy import select

from servicecenter.accounts.roles import Role
from servicecenter.centers.models import Location, LocationKind
from servicecenter.db import Database
from servicecenter.repairs.states import RepairState
from servicecenter.stock import journal, services
from servicecenter.stock.models import Part, PartRequest, PartRequestState
from tests.browser.conftest import LiveServer
from tests.browser.pages import LoginPage, WarehousePage
from tests.factories import PASSWORD, Factory


def test_clerk_receives_shelves_and_fills_a_parts_request(page: Page, live_server: LiveServer,
                                                          committed_database: Database) -> None:
    with committed_database.unit_of_work() as s:
        f = Factory(s)
        center = f.center("SKL")
        clerk = f.user(center, Role.WAREHOUSE, email="sklad@skl.test", name="Кладовщик Петров")
        shelf = Location(code="SKL-A1", name="Стеллаж A, ячейка 1", kind=LocationKind.SHELF, center_id=center.id,
                         parent_id=center.locations[0].id)
        pump = Part(sku="PUMP-7", barcode="4601234567890", name="Помпа сливная")
        s.add_all([shelf, pump])
        s.flush()
        order = f.order(center, state=RepairState.DIAGNOSIS)
        services.request_shortage(s, f.staff(center, Role.ENGINEER), order, pump, 2)  # the engineer asks for two
        number, email, shelf_id, pump_id = order.number, clerk.email, shelf.id, pump.id

    LoginPage(page, live_server.url).goto().log_in(email, PASSWORD)
    desk = WarehousePage(page, live_server.url).goto()
    assert desk.scan_field_focused() and number in desk.pick_orders()

    desk.receive("4601234567890", "5")  # the supplier's box: the part's barcode and the count
    assert desk.flashes.first.get_attribute("class").endswith("success")
    desk.scan("skl-a1")  # the shelf's label (lower case, as a scanner in another mode types it)
    assert desk.current_path == "/warehouse/shelf" and desk.scan_field_focused()
    desk.put_away("4601234567890", "5")
    assert desk.shelf_parts() == {"PUMP-7": 5}

    desk.goto().scan(number)  # the order's label opens its pick list
    assert desk.current_path == f"/warehouse/picks/{number}"
    assert desk.pick_lines() == {"PUMP-7": (0, 0, 2, 0)}  # requested, nothing short now that it is in stock
    desk.issue("4601234567890", "1")  # one now: a partial issue
    assert desk.pick_lines() == {"PUMP-7": (0, 1, 1, 0)}
    desk.issue("PUMP-7", "3")  # more than was asked for: refused, nothing issued
    assert desk.errors.count() == 1 and "3" in desk.errors.first.inner_text()
    assert desk.pick_lines() == {"PUMP-7": (0, 1, 1, 0)}
    desk.issue("PUMP-7", "1")
    assert desk.pick_lines() == {"PUMP-7": (0, 2, 0, 0)}

    with committed_database.unit_of_work() as s:
        assert journal.on_hand(s, shelf_id, pump_id) == 3
        request = s.scalars(select(PartRequest).where(PartRequest.part_id == pump_id)).one()
        assert request.state == PartRequestState.FULFILLED
        assert journal.check_stock(s) == []
