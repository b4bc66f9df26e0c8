"""The logistics workstation: open, scan in, print, dispatch, receive with a discrepancy; refusals as 4xx."""

from __future__ import annotations

import re

import pytest

from servicecenter.accounts.roles import Role
from servicecenter.centers.models import CenterKind, LocationKind
from servicecenter.repairs.models import EventKind
from servicecenter.stock import journal
from servicecenter.stock.models import MoveReason, Part
from tests.factories import csrf_token, login
from tests.printing import readback


def _en(user):  # noqa: ANN001, ANN202
    user.locale = "en"
    return user


def _wh(center):  # noqa: ANN001, ANN202
    return next(loc for loc in center.locations if loc.kind == LocationKind.WAREHOUSE)


@pytest.fixture
def net(session, factory):  # noqa: ANN001, ANN201
    a, b = factory.center("LGA"), factory.center("LGB")
    orders = []
    for _ in range(3):
        order = factory.order(a)
        if order.unit.location_id != _wh(a).id:
            journal.move_unit(session, None, order.unit, _wh(a), MoveReason.INTAKE)
        orders.append(order)
    part = Part(sku="BELT-7", barcode="4600000000703", name="Ремень привода")
    session.add(part)
    session.flush()
    journal.move_parts(session, None, part, 5, source=None, target=_wh(a), reason=MoveReason.RECEIPT)
    sender = _en(factory.user(a, Role.LOGISTICS, email="log@lga.test", name="Логист Петров"))
    receiver = _en(factory.user(b, Role.WAREHOUSE, email="wh@lgb.test", name="Кладовщик Сидоров"))
    return {"a": a, "b": b, "orders": orders, "sender": sender, "receiver": receiver, "part": part}


def _post(client, url: str, page: str, **data):  # noqa: ANN001, ANN202
    return client.post(url, data={"csrf_token": csrf_token(client.get(page).get_data(as_text=True)), **data})


def _open(client, net) -> str:  # noqa: ANN001
    page = client.get("/logistics/").get_data(as_text=True)
    response = client.post("/logistics/shipments", data={
        "csrf_token": csrf_token(page), "origin": _wh(net["a"]).id, "destination": _wh(net["b"]).id})
    assert response.status_code == 303
    return response.headers["Location"].rsplit("/", 1)[-1]


def test_a_clerk_builds_prints_and_dispatches_a_shipment(client, net) -> None:  # noqa: ANN001
    login(client, net["sender"].email)
    number = _open(client, net)
    page = f"/logistics/shipments/{number}"
    for order in net["orders"]:
        assert _post(client, f"{page}/scan", page, code=order.number).status_code == 303
    again = _post(client, f"{page}/scan", page, code=net["orders"][0].unit.serial)
    assert again.status_code == 303
    assert "already on this shipment" in client.get(page).get_data(as_text=True)
    _post(client, f"{page}/scan", page, code="4600000000703", quantity="2")
    html = client.get(page).get_data(as_text=True)
    assert html.count('data-item-state="packed"') == 4
    waybill = client.get(f"{page}/waybill.pdf")
    assert waybill.status_code == 200 and waybill.mimetype == "application/pdf"
    text = readback.text(waybill.data)
    assert f"Накладная на перемещение № {number}" in text and net["orders"][1].unit.serial in text
    assert readback.code128(readback.raster(waybill.data, 0, dpi=200)) == [number]
    assert readback.code128(readback.raster(client.get(f"{page}/labels.pdf").data, 0, dpi=203)) == [number]
    assert b"^XA" in client.get(f"{page}/labels.zpl").data
    assert "Упаковочный лист" in readback.text(client.get(f"{page}/packing-list.pdf").data)
    done = _post(client, f"{page}/dispatch", page, carrier="СДЭК", tracking="100200300", places="2")
    assert done.status_code == 303
    assert 'data-state="dispatched"' in client.get(page).get_data(as_text=True)
    order = net["orders"][0]
    history = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert f"TR-{number}" in history
    assert [e for e in order.events if e.kind == EventKind.LOCATION][-1].details["shipment"] == number
    # a second click on the old page is refused, nothing moves twice
    again = client.post(f"{page}/dispatch", data={"csrf_token": csrf_token(html), "carrier": "СДЭК"})
    assert again.status_code == 409 and "already dispatched" in again.get_data(as_text=True)


def test_scan_refusals_are_4xx_with_the_reason(client, session, net) -> None:  # noqa: ANN001
    login(client, net["sender"].email)
    number = _open(client, net)
    page = f"/logistics/shipments/{number}"
    nothing = _post(client, f"{page}/scan", page, code="NOTHING-HERE")
    assert nothing.status_code == 404 and "No unit, order or part has the code NOTHING-HERE" in nothing.get_data(
        as_text=True)
    elsewhere = net["orders"][2]
    journal.move_unit(session, None, elsewhere.unit, _wh(net["b"]), MoveReason.TRANSFER)
    refused = _post(client, f"{page}/scan", page, code=elsewhere.number)
    assert refused.status_code == 422 and f"{_wh(net['b']).code}" in refused.get_data(as_text=True)
    too_many = _post(client, f"{page}/scan", page, code="BELT-7", quantity="9")
    assert too_many.status_code == 422 and "Only 5 of BELT-7" in too_many.get_data(as_text=True)
    empty = _post(client, f"{page}/dispatch", page, carrier="ПЭК")
    assert empty.status_code == 422 and "is empty" in empty.get_data(as_text=True)


def test_the_destination_receives_with_one_missing_item_and_sees_it(client, net) -> None:  # noqa: ANN001
    login(client, net["sender"].email)
    number = _open(client, net)
    page = f"/logistics/shipments/{number}"
    for order in net["orders"]:
        _post(client, f"{page}/scan", page, code=order.number)
    _post(client, f"{page}/dispatch", page, carrier="СДЭК")
    # the sender may not receive
    assert _post(client, f"{page}/receive", page, code=net["orders"][0].number).status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client.get(page).get_data(as_text=True))})
    login(client, net["receiver"].email)
    assert number in client.get("/logistics/?direction=in&state=dispatched").get_data(as_text=True)
    found = client.get(f"/logistics/find?code={number.lower()}")
    assert found.headers["Location"].endswith(page)
    for order in net["orders"][:2]:
        assert _post(client, f"{page}/receive", page, code=order.unit.serial).status_code == 303
    assert _post(client, f"{page}/complete", page).status_code == 303
    html = client.get(page).get_data(as_text=True)
    missing = net["orders"][2].unit.serial
    assert f'data-missing="{missing}"' in html and "received with discrepancies: 1 missing" in html
    assert missing in client.get("/logistics/").get_data(as_text=True)  # the unsettled list
    shipment_page = client.get(page).get_data(as_text=True)
    action = re.search(rf'action="({page}/items/\d+/resolve)"', shipment_page).group(1)
    no_reason = _post(client, action, page, outcome="lost", reason="")
    assert no_reason.status_code == 422
    assert _post(client, action, page, outcome="lost", reason="Утеряно перевозчиком").status_code == 303
    assert "Утеряно перевозчиком" in client.get(page).get_data(as_text=True)
    report = client.get(f"{page}/discrepancies.pdf")
    assert report.status_code == 200 and report.mimetype == "application/pdf"
    text = readback.text(report.data)
    assert "Акт о расхождении" in text and missing in text and "утеряно: Утеряно перевозчиком" in text
    assert readback.code128(readback.raster(report.data, 0, dpi=200)) == [number]


def test_another_centers_staff_cannot_open_a_shipment(client, factory, net) -> None:  # noqa: ANN001
    login(client, net["sender"].email)
    number = _open(client, net)
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/logistics/").get_data(as_text=True))})
    stranger = _en(factory.user(factory.center("LGC"), Role.LOGISTICS, email="log@lgc.test"))
    login(client, stranger.email)
    assert client.get(f"/logistics/shipments/{number}").status_code == 404
    assert client.get(f"/logistics/shipments/{number}/waybill.pdf").status_code == 404


def test_a_partner_ships_to_our_center_and_sees_both_ends(client, factory, session, net) -> None:  # noqa: ANN001
    partner = factory.center("LGP", kind=CenterKind.PARTNER, name="Партнёр Тверь")
    user = _en(factory.user(partner, Role.PARTNER, email="p@lgp.test"))
    journal.move_parts(session, None, net["part"], 2, source=None, target=_wh(partner), reason=MoveReason.RECEIPT)
    login(client, user.email)
    page = client.get("/logistics/").get_data(as_text=True)
    assert f"{_wh(net['a']).code} —" in page  # our warehouses are offered as destinations
    response = client.post("/logistics/shipments", data={
        "csrf_token": csrf_token(page), "origin": _wh(partner).id, "destination": _wh(net["a"]).id})
    assert response.status_code == 303
    shipment_page = response.headers["Location"]
    assert _post(client, f"{shipment_page}/scan", shipment_page, code="BELT-7", quantity="2").status_code == 303
    html = client.get(shipment_page).get_data(as_text=True)
    assert _wh(net["a"]).code in html and 'data-item="BELT-7"' in html
    # another partner's warehouse is neither offered nor accepted
    other = factory.center("LGQ", kind=CenterKind.PARTNER)
    assert f"{_wh(other).code} —" not in page
    refused = client.post("/logistics/shipments", data={
        "csrf_token": csrf_token(page), "origin": _wh(partner).id, "destination": _wh(other).id})
    assert refused.status_code == 303 and "No such destination" in client.get("/logistics/").get_data(as_text=True)
