"""The warehouse over the API: receive, put away, shelves, picking, the parts catalogue, stock levels and
inventory counts — the warehouse workstation's services, every effect read back from the journal."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from servicecenter.accounts.roles import Role
from servicecenter.accounts.tokens import create_token
from servicecenter.centers.models import Location, LocationKind
from servicecenter.repairs.states import RepairState
from servicecenter.stock import counts, journal
from servicecenter.stock import services as stock_services
from servicecenter.stock.count_models import InventoryCount
from servicecenter.stock.identify import identify
from servicecenter.stock.models import Part, Reservation, ReservationState, StockMove
from tests.domain.test_estimates import make_part, receive_stock
from tests.factories import csrf_token, login


@pytest.fixture
def clerk(factory, session, world):  # noqa: ANN001, ANN201
    """A warehouse clerk of MSK, callable as api("warehouse")."""
    user = factory.user(world.msk, Role.WAREHOUSE)
    world.users["warehouse"] = user
    world.tokens["warehouse"] = create_token(session, None, user, "scanner")[1]
    return user


@pytest.fixture
def shelf(session, world) -> Location:  # noqa: ANN001
    loc = Location(code="MSK-A1", name="Стеллаж A1", kind=LocationKind.SHELF, center_id=world.msk.id,
                   parent_id=_wh(world.msk).id)
    session.add(loc)
    session.flush()
    return loc


@pytest.fixture
def part(session):  # noqa: ANN001, ANN201
    return make_part(session, sku="PCB-A1")


def _wh(center) -> Location:  # noqa: ANN001
    return next(loc for loc in center.locations if loc.is_main)


def _stock(api, who="warehouse", **query):  # noqa: ANN001, ANN003, ANN202
    answer = api(who).get("/api/v1/stock", query_string=query)
    assert answer.status_code == 200, answer.get_json()
    return {(x["part"], x["location"]): (x["on_hand"], x["reserved"], x["free"]) for x in answer.get_json()["items"]}


def _moves(session) -> int:  # noqa: ANN001
    """Moves of parts in the journal (the world's units came in at the counter)."""
    return session.scalar(select(func.count()).select_from(StockMove).where(StockMove.part_id.is_not(None)))


def _patch(api, who: str, path: str, body: dict):  # noqa: ANN001, ANN202
    return api(who).open("PATCH", path, json=body)


# --- Receiving and putting away ------------------------------------------------------------------------

def test_receive_then_put_away_moves_the_stock_as_the_workstation_does(api, world, session, clerk, part,
                                                                       shelf) -> None:  # noqa: ANN001
    received = api("warehouse").post("/api/v1/warehouse/receipts", json={"code": "pcb-a1", "quantity": 6})
    assert received.status_code == 201, received.get_json()
    move = received.get_json()
    assert (move["kind"], move["code"], move["quantity"], move["from"], move["to"], move["reason"]) == (
        "part", "PCB-A1", 6, None, "MSK-WH", "receipt")
    assert _stock(api) == {("PCB-A1", "MSK-WH"): (6, 0, 6)}
    put = api("warehouse").post("/api/v1/warehouse/put-away", json={"shelf": "msk-a1", "code": "PCB-A1", "quantity": 4})
    assert put.status_code == 201, put.get_json()
    assert (put.get_json()["from"], put.get_json()["to"], put.get_json()["reason"]) == ("MSK-WH", "MSK-A1", "put_away")
    assert _stock(api) == {("PCB-A1", "MSK-A1"): (4, 0, 4), ("PCB-A1", "MSK-WH"): (2, 0, 2)}
    assert (journal.on_hand(session, shelf.id, part.id), journal.on_hand(session, _wh(world.msk).id, part.id)) == (4, 2)
    # more than the warehouse has: refused by the journal, nothing moved and nothing negative
    before = _moves(session)
    over = api("warehouse").post("/api/v1/warehouse/put-away", json={"shelf": "MSK-A1", "code": "PCB-A1", "quantity": 3})
    assert over.status_code == 422 and set(over.get_json()["errors"]) == {"quantity"}
    assert _stock(api) == {("PCB-A1", "MSK-A1"): (4, 0, 4), ("PCB-A1", "MSK-WH"): (2, 0, 2)} and _moves(session) == before
    not_a_shelf = api("warehouse").post("/api/v1/warehouse/put-away", json={"shelf": "PCB-A1", "code": "PCB-A1"})
    assert not_a_shelf.status_code == 422 and set(not_a_shelf.get_json()["errors"]) == {"shelf"}
    shelf_as_item = api("warehouse").post("/api/v1/warehouse/put-away", json={"shelf": "MSK-A1", "code": "MSK-WH"})
    assert shelf_as_item.status_code == 422 and set(shelf_as_item.get_json()["errors"]) == {"code"}
    assert _moves(session) == before


def test_reserved_parts_follow_them_onto_the_shelf(api, world, factory, session, clerk, part, shelf) -> None:  # noqa: ANN001
    receive_stock(session, world.msk, part, 3)
    order = factory.order(world.msk, state=RepairState.DIAGNOSIS)
    stock_services.reserve_part(session, world.users["engineer"], order, part, 3)
    session.flush()
    assert api("warehouse").post("/api/v1/warehouse/put-away",
                                 json={"shelf": "MSK-A1", "code": "PCB-A1", "quantity": 2}).status_code == 201
    assert _stock(api) == {("PCB-A1", "MSK-A1"): (2, 2, 0), ("PCB-A1", "MSK-WH"): (1, 1, 0)}


def test_a_unit_is_received_into_the_main_warehouse(api, world, factory, session, clerk) -> None:  # noqa: ANN001
    unit = factory.unit(world.model)
    received = api("warehouse").post("/api/v1/warehouse/receipts", json={"code": unit.serial.lower()})
    assert received.status_code == 201, received.get_json()
    assert (received.get_json()["kind"], received.get_json()["to"]) == ("unit", "MSK-WH")
    session.refresh(unit)
    assert unit.location_id == _wh(world.msk).id
    twice = api("warehouse").post("/api/v1/warehouse/receipts", json={"code": unit.serial})
    assert twice.status_code == 422


@pytest.mark.parametrize("quantity", [0, -5, 10_001, "6", 2.5, False, 10**40])
def test_bad_quantities_receive_nothing(api, session, clerk, part, quantity) -> None:  # noqa: ANN001
    answer = api("warehouse").post("/api/v1/warehouse/receipts", json={"code": "PCB-A1", "quantity": quantity})
    assert answer.status_code == 422 and set(answer.get_json()["errors"]) == {"quantity"}
    assert _stock(api) == {} and _moves(session) == 0


def test_receipt_refusals_and_roles(api, world, session, clerk, part, shelf) -> None:  # noqa: ANN001
    unknown = api("warehouse").post("/api/v1/warehouse/receipts", json={"code": "NOTHING-999"})
    assert unknown.status_code == 422 and set(unknown.get_json()["errors"]) == {"code"}
    a_shelf = api("warehouse").post("/api/v1/warehouse/receipts", json={"code": "MSK-A1"})
    assert a_shelf.status_code == 422 and set(a_shelf.get_json()["errors"]) == {"code"}
    assert api("warehouse").post("/api/v1/warehouse/receipts", json={}).status_code == 422
    for who in ("engineer", "intake", "logistics"):
        assert api(who).post("/api/v1/warehouse/receipts", json={"code": "PCB-A1"}).status_code == 403, who
    assert api("partner").post("/api/v1/warehouse/receipts", json={"code": "PCB-A1"}).status_code == 404
    assert api(None).post("/api/v1/warehouse/receipts", json={"code": "PCB-A1"}).status_code == 401
    assert _moves(session) == 0
    assert api("admin").post("/api/v1/warehouse/receipts", json={"code": "PCB-A1", "quantity": 2}).status_code == 201
    assert _stock(api) == {("PCB-A1", "MSK-WH"): (2, 0, 2)}


def test_shelves_are_added_to_a_warehouse_of_the_callers_center(api, world, session, clerk) -> None:  # noqa: ANN001
    added = api("warehouse").post("/api/v1/shelves", json={"warehouse": "msk-wh", "code": "MSK-B2", "name": "Б2"})
    assert added.status_code == 201, added.get_json()
    assert added.get_json() == {"code": "MSK-B2", "name": "Б2", "kind": "shelf", "warehouse": "MSK-WH", "main": False}
    listed = api("warehouse").get("/api/v1/shelves").get_json()
    assert [(p["code"], p["kind"]) for p in listed["items"]] == [("MSK-B2", "shelf"), ("MSK-WH", "warehouse")]
    assert identify(session, world.msk.id, "MSK-B2").location is not None  # scannable at once
    count = session.scalar(select(func.count()).select_from(Location))
    twice = api("warehouse").post("/api/v1/shelves", json={"warehouse": "MSK-WH", "code": "MSK-B2"})
    assert twice.status_code == 422 and set(twice.get_json()["errors"]) == {"code"}
    theirs = api("warehouse").post("/api/v1/shelves", json={"warehouse": "EKB-WH", "code": "MSK-B3"})
    assert theirs.status_code == 422 and set(theirs.get_json()["errors"]) == {"warehouse"}
    assert api("warehouse").post("/api/v1/shelves", json={"warehouse": "MSK-WH", "code": "Б 3"}).status_code == 422
    assert api("engineer").post("/api/v1/shelves", json={"warehouse": "MSK-WH", "code": "MSK-B4"}).status_code == 403
    assert api("partner").post("/api/v1/shelves", json={"warehouse": "EKB-WH", "code": "EKB-B4"}).status_code == 404
    assert session.scalar(select(func.count()).select_from(Location)) == count


# --- Picking ------------------------------------------------------------------------------------------------

def test_a_scanned_part_is_issued_from_the_orders_reservations(api, world, factory, session, clerk, part) -> None:  # noqa: ANN001
    receive_stock(session, world.msk, part, 5)
    order = factory.order(world.msk, state=RepairState.DIAGNOSIS)
    stock_services.reserve_part(session, world.users["engineer"], order, part, 3)
    session.flush()
    picks = api("warehouse").get(f"/api/v1/warehouse/picks/{order.number}")
    assert picks.status_code == 200
    assert picks.get_json()["items"] == [{"part": "PCB-A1", "name": part.name, "reserved": 3, "requested": 0,
                                          "issued": 0, "free": 2, "short": 0,
                                          "places": [{"location": "MSK-WH", "on_hand": 5}]}]
    path = f"/api/v1/warehouse/picks/{order.number}/issue"
    too_many = api("warehouse").post(path, json={"part": "PCB-A1", "quantity": 4})
    assert too_many.status_code == 422 and set(too_many.get_json()["errors"]) == {"quantity"}
    assert _stock(api) == {("PCB-A1", "MSK-WH"): (5, 3, 5 - 3)}
    issued = api("warehouse").post(path, json={"part": "pcb-a1", "quantity": 2})
    assert issued.status_code == 200, issued.get_json()
    body = issued.get_json()
    assert [(m["quantity"], m["from"], m["to"], m["reason"], m["order"]) for m in body["moves"]] == [
        (2, "MSK-WH", None, "issue", order.number)]
    assert (body["items"][0]["reserved"], body["items"][0]["issued"]) == (1, 2)
    assert _stock(api) == {("PCB-A1", "MSK-WH"): (3, 1, 2)}
    states = sorted((r.quantity, r.state) for r in session.scalars(select(Reservation).where(
        Reservation.order_id == order.id)))
    assert states == [(1, ReservationState.ACTIVE), (2, ReservationState.ISSUED)]
    assert api("warehouse").post(path, json={"part": order.number}).status_code == 422
    # another center's order is not this warehouse's pick list; other roles may not pick
    theirs = factory.order(world.ekb, state=RepairState.DIAGNOSIS)
    assert api("warehouse").get(f"/api/v1/warehouse/picks/{theirs.number}").status_code == 404
    assert api("warehouse").post(f"/api/v1/warehouse/picks/{theirs.number}/issue", json={"part": "PCB-A1"}).status_code == 404
    assert api("engineer").post(path, json={"part": "PCB-A1"}).status_code == 403
    assert api("partner").get(f"/api/v1/warehouse/picks/{theirs.number}").status_code == 404
    assert _stock(api) == {("PCB-A1", "MSK-WH"): (3, 1, 2)}


# --- The parts catalogue ----------------------------------------------------------------------------------

def test_parts_are_added_and_changed_as_in_the_catalogue(api, world, session, clerk) -> None:  # noqa: ANN001
    body = {"sku": " ten-60 ", "barcode": "4600000000017", "name": "ТЭН 2000 Вт", "unit_cost": "800.00",
            "price": 1500, "models": ["Атлант СМА 60"]}
    made = api("warehouse").post("/api/v1/parts", json=body)
    assert made.status_code == 201, made.get_json()
    assert made.headers["Location"] == "/api/v1/parts/TEN-60"
    assert made.get_json() == {"sku": "TEN-60", "barcode": "4600000000017", "name": "ТЭН 2000 Вт",
                               "unit_cost": "800.00", "price": "1500.00", "serialised": False, "active": True,
                               "models": ["Атлант СМА 60"]}
    assert api("engineer").get("/api/v1/parts/4600000000017").get_json()["sku"] == "TEN-60"
    count = session.scalar(select(func.count()).select_from(Part))
    again = api("warehouse").post("/api/v1/parts", json={**body, "barcode": None})
    assert again.status_code == 422 and set(again.get_json()["errors"]) == {"sku"}
    for wrong, field in (({"price": "дорого"}, "price"), ({"price": -1}, "price"), ({"models": ["Nobody X1"]}, "models"),
                         ({"serialised": "yes"}, "serialised"), ({"sku": "A B!"}, "sku"), ({"name": ""}, "name")):
        answer = api("warehouse").post("/api/v1/parts", json={**body, "sku": "OTHER-1", "barcode": None, **wrong})
        assert answer.status_code == 422 and field in answer.get_json()["errors"], (wrong, answer.get_json())
    assert session.scalar(select(func.count()).select_from(Part)) == count
    changed = _patch(api, "warehouse", "/api/v1/parts/ten-60", {"name": "ТЭН 2 кВт", "price": "1600"})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json() == {**made.get_json(), "name": "ТЭН 2 кВт", "price": "1600.00"}  # the rest kept
    gone = _patch(api, "admin", "/api/v1/parts/TEN-60", {"active": False, "barcode": None})
    assert (gone.get_json()["active"], gone.get_json()["barcode"]) == (False, None)
    assert api("warehouse").get("/api/v1/parts", query_string={"active": "false"}).get_json()["total"] == 1
    listed = api("warehouse").get("/api/v1/parts", query_string={"q": "тэн"}).get_json()
    assert [p["sku"] for p in listed["items"]] == ["TEN-60"]
    refused = api("warehouse").post("/api/v1/warehouse/receipts", json={"code": "TEN-60"})
    assert refused.status_code == 422  # no longer in the catalogue: not received
    for who in ("engineer", "intake"):
        assert api(who).post("/api/v1/parts", json={**body, "sku": "X-1", "barcode": None}).status_code == 403
        assert _patch(api, who, "/api/v1/parts/TEN-60", {"name": "X"}).status_code == 403
    assert api("partner").post("/api/v1/parts", json={**body, "sku": "X-1", "barcode": None}).status_code == 404
    assert _patch(api, "warehouse", "/api/v1/parts/NO-SUCH", {"name": "X"}).status_code == 404
    assert api("warehouse").get("/api/v1/parts/TEN-60").get_json()["name"] == "ТЭН 2 кВт"


def test_a_part_with_its_stock_per_location(api, world, session, clerk, part, shelf) -> None:  # noqa: ANN001
    receive_stock(session, world.msk, part, 5)
    journal.move_parts(session, None, part, 2, source=_wh(world.msk), target=shelf, reason="put_away")
    receive_stock(session, world.ekb, part, 7)
    session.flush()
    ours = api("engineer").get("/api/v1/parts/PCB-A1").get_json()["stock"]
    assert (ours["center"], ours["on_hand"], ours["free"]) == ("MSK", 5, 5)
    assert [(x["location"], x["on_hand"]) for x in ours["locations"]] == [("MSK-A1", 2), ("MSK-WH", 3)]
    theirs = api("partner").get("/api/v1/parts/PCB-A1").get_json()["stock"]
    assert (theirs["center"], theirs["on_hand"], [x["location"] for x in theirs["locations"]]) == ("EKB", 7, ["EKB-WH"])
    # the partner sees the price, never what the network pays for the part
    assert api("engineer").get("/api/v1/parts/PCB-A1").get_json()["unit_cost"] is not None
    assert api("partner").get("/api/v1/parts/PCB-A1").get_json()["unit_cost"] is None
    assert {p["unit_cost"] for p in api("partner").get("/api/v1/parts").get_json()["items"]} == {None}
    assert api("partner").get("/api/v1/parts/PCB-A1", query_string={"center": "MSK"}).status_code == 422
    assert api("admin").get("/api/v1/parts/PCB-A1", query_string={"center": "EKB"}).get_json()["stock"]["on_hand"] == 7
    assert api("engineer").get("/api/v1/parts/NOPE").status_code == 404


def test_stock_levels_are_the_callers_centers_only(api, world, session, clerk, part, shelf) -> None:  # noqa: ANN001
    receive_stock(session, world.msk, part, 5)
    receive_stock(session, world.ekb, part, 7)
    receive_stock(session, world.nsk, part, 9)
    other = make_part(session, sku="BELT-1")
    receive_stock(session, world.msk, other, 1)
    session.flush()
    assert _stock(api) == {("BELT-1", "MSK-WH"): (1, 0, 1), ("PCB-A1", "MSK-WH"): (5, 0, 5)}
    assert _stock(api, part="belt-1") == {("BELT-1", "MSK-WH"): (1, 0, 1)}
    assert _stock(api, location="MSK-A1") == {}
    assert _stock(api, "partner") == {("PCB-A1", "EKB-WH"): (7, 0, 7)}
    assert _stock(api, "nsk_partner") == {("PCB-A1", "NSK-WH"): (9, 0, 9)}
    assert _stock(api, "admin", center="EKB") == {("PCB-A1", "EKB-WH"): (7, 0, 7)}
    for who, query in (("partner", {"center": "MSK"}), ("partner", {"center": "NSK"}), ("warehouse", {"center": "EKB"}),
                       ("warehouse", {"part": "NO-SUCH"}), ("warehouse", {"per_page": "0"})):
        answer = api(who).get("/api/v1/stock", query_string=query)
        assert answer.status_code == 422, (who, query)


# --- Inventory counts --------------------------------------------------------------------------------------

def test_a_count_from_start_to_confirmed_adjusts_the_stock(api, world, session, clerk, part, shelf) -> None:  # noqa: ANN001
    receive_stock(session, world.msk, part, 6)
    journal.move_parts(session, None, part, 4, source=_wh(world.msk), target=shelf, reason="put_away")
    session.flush()
    started = api("warehouse").post("/api/v1/stock-counts", json={"location": "msk-a1"})
    assert started.status_code == 201, started.get_json()
    count = started.get_json()
    assert (count["state"], count["location"], count["places"], count["lines"]) == ("open", "MSK-A1", ["MSK-A1"], [])
    assert started.headers["Location"] == f"/api/v1/stock-counts/{count['id']}"
    same = api("warehouse").post("/api/v1/stock-counts", json={"location": "MSK-A1"})
    assert same.status_code == 200 and same.get_json()["id"] == count["id"]
    path = f"/api/v1/stock-counts/{count['id']}"
    scanned = api("warehouse").post(f"{path}/scan", json={"code": "PCB-A1", "quantity": 3})
    assert scanned.status_code == 201 and scanned.get_json()["again"] is False
    line = scanned.get_json()["line"]
    assert (line["kind"], line["code"], line["quantity"], line["location"]) == ("part", "PCB-A1", 3, "MSK-A1")
    again = api("warehouse").post(f"{path}/scan", json={"code": "PCB-A1"})
    assert again.status_code == 200 and again.get_json()["line"]["quantity"] == 4
    for bad in (0, -1, 10_001, "2", 1.5):
        refused = api("warehouse").post(f"{path}/scan", json={"code": "PCB-A1", "quantity": bad})
        assert refused.status_code == 422 and set(refused.get_json()["errors"]) == {"quantity"}, bad
        assert api("warehouse").get(path).get_json()["lines"][0]["quantity"] == 4
    for bad in (-1, 10_001, "2", 1.5, None, True):
        refused = _patch(api, "warehouse", f"{path}/lines/{line['id']}", {"quantity": bad})
        assert refused.status_code == 422 and set(refused.get_json()["errors"]) == {"quantity"}, bad
        assert api("warehouse").get(path).get_json()["lines"][0]["quantity"] == 4
    corrected = _patch(api, "warehouse", f"{path}/lines/{line['id']}", {"quantity": 1})
    assert corrected.status_code == 200 and corrected.get_json()["lines"][0]["quantity"] == 1
    assert _patch(api, "warehouse", f"{path}/lines/{line['id']}", {"quantity": -1}).status_code == 422
    assert _patch(api, "warehouse", f"{path}/lines/999999", {"quantity": 1}).status_code == 404
    review = api("warehouse").get(path).get_json()["review"]
    assert [(r["part"], r["expected"], r["counted"], r["adjustment"]) for r in review["parts"]] == [("PCB-A1", 4, 1, -3)]
    assert _stock(api)[("PCB-A1", "MSK-A1")] == (4, 0, 4)  # nothing adjusted before the confirmation
    reasonless = api("warehouse").post(f"{path}/confirm", json={})
    assert reasonless.status_code == 422 and set(reasonless.get_json()["errors"]) == {"reason"}
    assert _stock(api)[("PCB-A1", "MSK-A1")] == (4, 0, 4)
    confirmed = api("warehouse").post(f"{path}/confirm", json={"reason": "годовая инвентаризация"})
    assert confirmed.status_code == 200, confirmed.get_json()
    body = confirmed.get_json()
    assert (body["state"], body["adjustments"], body["review"]) == (
        "confirmed", [{"location": "MSK-A1", "part": "PCB-A1", "quantity": -3}], None)
    assert _stock(api) == {("PCB-A1", "MSK-A1"): (1, 0, 1), ("PCB-A1", "MSK-WH"): (2, 0, 2)}
    adjustment = session.scalars(select(StockMove).where(StockMove.reason == "adjustment")).one()
    assert (adjustment.quantity, adjustment.from_location_id, adjustment.to_location_id) == (3, shelf.id, None)
    assert "годовая инвентаризация" in adjustment.note
    assert api("warehouse").post(f"{path}/confirm", json={"reason": "ещё раз"}).status_code == 409
    assert api("warehouse").post(f"{path}/cancel").status_code == 409
    assert api("warehouse").post(f"{path}/scan", json={"code": "PCB-A1"}).status_code == 409
    assert _stock(api) == {("PCB-A1", "MSK-A1"): (1, 0, 1), ("PCB-A1", "MSK-WH"): (2, 0, 2)}


def test_a_count_of_a_warehouse_with_a_missing_unit_and_a_cancelled_count(api, world, factory, session, clerk,
                                                                          part, shelf) -> None:  # noqa: ANN001
    unit = factory.unit(world.model)
    journal.move_unit(session, None, unit, shelf, "receipt")
    session.flush()
    started = api("warehouse").post("/api/v1/stock-counts", json={"location": "MSK-WH"}).get_json()
    assert started["places"] == ["MSK-A1", "MSK-WH"]
    path = f"/api/v1/stock-counts/{started['id']}"
    outside = api("warehouse").post(f"{path}/scan", json={"code": "PCB-A1", "at": "EKB-WH"})
    assert outside.status_code == 422 and set(outside.get_json()["errors"]) == {"at"}
    nothing = api("warehouse").post(f"{path}/scan", json={"code": "MSK-A1"})
    assert nothing.status_code == 422
    review = api("warehouse").get(path).get_json()["review"]
    assert sorted(u["serial"] for u in review["missing_units"]) == sorted([unit.serial, world.msk_order.unit.serial])
    cancelled = api("warehouse").post(f"{path}/cancel")
    assert cancelled.status_code == 200 and cancelled.get_json()["state"] == "cancelled"
    assert _moves(session) == 0 and session.get(InventoryCount, started["id"]).state == "cancelled"


def test_counts_are_the_warehouses_and_their_centers_own(api, world, factory, session, clerk, shelf) -> None:  # noqa: ANN001
    spb = factory.center("SPB")
    spb_clerk = factory.user(spb, Role.WAREHOUSE)
    theirs = counts.start_count(session, spb_clerk, spb.id, _wh(spb))
    session.flush()
    path = f"/api/v1/stock-counts/{theirs.id}"
    assert api("warehouse").get(path).status_code == 404
    assert api("warehouse").post(f"{path}/scan", json={"code": "X"}).status_code == 404
    assert api("warehouse").post(f"{path}/confirm", json={"reason": "x"}).status_code == 404
    assert api("warehouse").post(f"{path}/cancel").status_code == 404
    assert api("warehouse").get("/api/v1/stock-counts/999999").status_code == 404
    theirs_place = api("warehouse").post("/api/v1/stock-counts", json={"location": "SPB-WH"})
    assert theirs_place.status_code == 422 and set(theirs_place.get_json()["errors"]) == {"location"}
    assert api("engineer").post("/api/v1/stock-counts", json={"location": "MSK-A1"}).status_code == 403
    assert api("partner").post("/api/v1/stock-counts", json={"location": "EKB-WH"}).status_code == 404
    assert api("partner").get(path).status_code == 404
    assert session.scalar(select(func.count()).select_from(InventoryCount)) == 1
    assert theirs.state == "open"


def test_the_api_and_the_workstation_leave_the_same_stock(api, client, world, session, clerk, shelf) -> None:  # noqa: ANN001
    """The same receipt, put-away and over-draw, once on the warehouse pages and once over the API."""
    web_part, api_part = make_part(session, sku="WEB-1"), make_part(session, sku="API-1")
    session.flush()
    login(client, clerk.email)

    def page_post(page: str, url: str, data: dict) -> None:
        token = csrf_token(client.get(page).get_data(as_text=True))
        client.post(url, data={"csrf_token": token, **data})

    page_post("/warehouse/", "/warehouse/receive", {"code": "WEB-1", "quantity": "7"})
    page_post("/warehouse/shelf?code=MSK-A1", "/warehouse/shelf/put-away",
              {"place": "MSK-A1", "code": "WEB-1", "quantity": "5"})
    page_post("/warehouse/shelf?code=MSK-A1", "/warehouse/shelf/put-away",
              {"place": "MSK-A1", "code": "WEB-1", "quantity": "3"})  # refused: 2 left in the warehouse
    api("warehouse").post("/api/v1/warehouse/receipts", json={"code": "API-1", "quantity": 7})
    api("warehouse").post("/api/v1/warehouse/put-away", json={"shelf": "MSK-A1", "code": "API-1", "quantity": 5})
    api("warehouse").post("/api/v1/warehouse/put-away", json={"shelf": "MSK-A1", "code": "API-1", "quantity": 3})
    levels = _stock(api)
    web = {loc: levels[(sku, loc)] for sku, loc in levels if sku == "WEB-1"}
    over_api = {loc: levels[(sku, loc)] for sku, loc in levels if sku == "API-1"}
    assert web == over_api == {"MSK-A1": (5, 0, 5), "MSK-WH": (2, 0, 2)}
    reasons = [sorted(m.reason.value for m in session.scalars(select(StockMove).where(StockMove.part_id == p.id)))
               for p in (web_part, api_part)]
    assert reasons[0] == reasons[1] == ["put_away", "receipt"]
