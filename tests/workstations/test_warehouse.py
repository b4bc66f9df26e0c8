"""The warehouse workstation: one scan field, receiving, put-away, picking, where is it, counts, labels,
and every refusal as a 4xx page that says why."""

from __future__ import annotations

import html as html_lib

import pytest
from sqlalchemy import select

from servicecenter.accounts.roles import Role
from servicecenter.centers.models import Location, LocationKind
from servicecenter.repairs.states import RepairState
from servicecenter.stock import journal, services
from servicecenter.stock.models import MoveReason, StockMove
from tests.domain.test_estimates import make_part
from tests.domain.test_scanning import typed_on_russian_layout
from tests.factories import csrf_token, login
from tests.printing import readback


@pytest.fixture
def center(factory):  # noqa: ANN001, ANN201
    return factory.center("WHW")


@pytest.fixture
def clerk(factory, center):  # noqa: ANN001, ANN201
    user = factory.user(center, Role.WAREHOUSE, email="clerk@whw.test")
    user.locale = "en"
    return user


@pytest.fixture
def shelf(session, center) -> Location:  # noqa: ANN001
    loc = Location(code="WHW-A1", name="Стеллаж A1", kind=LocationKind.SHELF, center_id=center.id,
                   parent_id=center.locations[0].id)
    session.add(loc)
    session.flush()
    return loc


@pytest.fixture
def web(client, clerk):  # noqa: ANN001, ANN201
    login(client, clerk.email)
    return client


def text(response) -> str:  # noqa: ANN001
    return html_lib.unescape(response.get_data(as_text=True))


def post(client, page: str, url: str, data: dict, follow: bool = True):  # noqa: ANN001, ANN201
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=follow)


def test_the_scan_field_opens_what_was_scanned(web, factory, session, center, shelf) -> None:  # noqa: ANN001
    order = factory.order(center)
    part = make_part(session, sku="SCAN-P1")
    assert web.get("/warehouse/scan", query_string={"code": "whw-a1"}).headers["Location"].endswith(
        "/warehouse/shelf?code=WHW-A1")
    assert "/warehouse/part?code=SCAN-P1" in web.get("/warehouse/scan?code=scan-p1").headers["Location"]
    where = web.get("/warehouse/scan", query_string={"code": typed_on_russian_layout(order.number)},
                    follow_redirects=True)
    assert where.status_code == 200 and order.unit.serial in text(where) and "WHW-WH" in text(where)
    missing = web.get("/warehouse/scan?code=NOPE-123")
    assert missing.status_code == 404 and "Nothing matches the code NOPE-123" in text(missing)
    assert part.sku


def test_receive_then_put_away_by_scanning_shelf_then_items(web, session, center, shelf) -> None:  # noqa: ANN001
    part = make_part(session, sku="RCV-P1")
    page = post(web, "/warehouse/", "/warehouse/receive", {"code": "rcv-p1", "quantity": "6"})
    assert "Received 6 × RCV-P1 into WHW-WH" in text(page)
    page = post(web, "/warehouse/shelf?code=WHW-A1", "/warehouse/shelf/put-away",
                {"place": "WHW-A1", "code": "RCV-P1", "quantity": "4"})
    assert "4 × RCV-P1 put on WHW-A1" in text(page)
    assert journal.on_hand(session, shelf.id, part.id) == 4
    stock = text(web.get("/warehouse/part?code=RCV-P1"))
    assert "WHW-A1" in stock and "WHW-WH" in stock  # where the part is, per place
    refused = post(web, "/warehouse/shelf?code=WHW-A1", "/warehouse/shelf/put-away",
                   {"place": "WHW-A1", "code": "RCV-P1", "quantity": "3"})
    assert refused.status_code == 422 and "Only 2 of RCV-P1 at WHW-WH" in text(refused)
    assert journal.on_hand(session, shelf.id, part.id) == 4


def test_issuing_from_the_pick_list_partially_and_refusing_more(web, factory, session, center) -> None:  # noqa: ANN001
    part = make_part(session, sku="PICK-P1")
    journal.move_parts(session, None, part, 3, source=None, target=center.locations[0], reason=MoveReason.RECEIPT)
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    services.reserve_part(session, factory.staff(center, Role.ENGINEER), order, part, 2)
    page = web.get(f"/warehouse/picks/{order.number}")
    assert page.status_code == 200 and "PICK-P1" in text(page)
    url = f"/warehouse/picks/{order.number}"
    done = post(web, url, f"{url}/issue", {"code": "pick-p1", "quantity": "1"})
    assert f"1 × PICK-P1 issued for order {order.number}" in text(done)
    too_many = post(web, url, f"{url}/issue", {"code": "PICK-P1", "quantity": "2"})
    assert too_many.status_code == 422 and "1 × PICK-P1 reserved and 0 requested; 2 cannot be issued" in text(too_many)
    assert len(session.scalars(select(StockMove).where(StockMove.order_id == order.id,
                                                       StockMove.reason == MoveReason.ISSUE)).all()) == 1


def test_another_centers_pick_list_is_not_opened(web, factory) -> None:  # noqa: ANN001
    other = factory.order(factory.center("WHZ"), state=RepairState.DIAGNOSIS)
    page = web.get(f"/warehouse/picks/{other.number}", follow_redirects=True)
    assert "is not an order of this center" in text(page)


def test_a_count_scanned_twice_is_one_line_and_confirmed_as_adjustments(web, factory, session, center,
                                                                         shelf) -> None:  # noqa: ANN001
    part = make_part(session, sku="CNT-P1")
    journal.move_parts(session, None, part, 3, source=None, target=shelf, reason=MoveReason.RECEIPT)
    order = factory.order(center)
    started = post(web, "/warehouse/", "/warehouse/counts", {"place": "WHW-A1"}, follow=False)
    url = started.headers["Location"]
    assert "/warehouse/counts/" in url
    post(web, url, f"{url}/scan", {"code": "CNT-P1", "quantity": "2", "at": "WHW-A1"})
    post(web, url, f"{url}/scan", {"code": order.unit.serial, "at": "WHW-A1"})
    again = post(web, url, f"{url}/scan", {"code": order.number, "at": "WHW-A1"})
    assert "was already counted; it stays one line" in text(again)
    no_reason = post(web, url, f"{url}/confirm", {"reason": ""})
    assert no_reason.status_code == 422 and "Say why the stock is adjusted" in text(no_reason)
    done = post(web, url, f"{url}/confirm", {"reason": "annual count"})
    assert "Count confirmed: 1 stock adjustments, 1 units moved" in text(done)
    assert journal.on_hand(session, shelf.id, part.id) == 2
    session.expire_all()
    assert order.unit.location_id == shelf.id


def test_shelf_and_part_labels_decode(web, session, shelf) -> None:  # noqa: ANN001
    part = make_part(session, sku="LBL-P1")
    part.barcode = "4600000000017"
    session.flush()
    pdf = web.get("/warehouse/labels?code=WHW-A1&format=pdf")
    assert pdf.mimetype == "application/pdf"
    assert readback.code128(readback.raster(pdf.data)) == ["WHW-A1"]
    png = web.get("/warehouse/labels?code=lbl-p1&format=png")
    assert readback.code128(readback.png(png.data)) == ["4600000000017"]
    zpl = web.get("/warehouse/labels?code=WHW-A1&format=zpl")
    assert b"^FDWHW-A1^FS" in zpl.data
    assert web.get("/warehouse/labels?code=NOPE-1").status_code == 404


def test_a_shelf_added_by_the_clerk_is_scannable(web, center) -> None:  # noqa: ANN001
    page = post(web, "/warehouse/", "/warehouse/shelves",
                {"code": "whw-b2", "name": "Стеллаж B2", "warehouse": str(center.locations[0].id)})
    assert "Shelf WHW-B2 added" in text(page)
    assert web.get("/warehouse/scan?code=WHW-B2").headers["Location"].endswith("/warehouse/shelf?code=WHW-B2")


def test_other_roles_do_not_get_the_warehouse(client, factory, center) -> None:  # noqa: ANN001
    login(client, factory.user(center, Role.ENGINEER, email="eng@whw.test").email)
    assert client.get("/warehouse/").status_code == 403
    assert client.get("/warehouse/scan?code=X").status_code == 403
