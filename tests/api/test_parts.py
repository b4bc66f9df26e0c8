"""Parts on an order over the API: reserve, request the shortage, issue, release, keep a defective part,
record a replaced serialised part — the order page's and the bench's services, read back from the stock."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from servicecenter.accounts.roles import Role
from servicecenter.accounts.tokens import create_token
from servicecenter.repairs.models import EventKind, RepairEvent
from servicecenter.repairs.states import RepairState
from servicecenter.stock import journal
from servicecenter.stock import queries as stock_queries
from servicecenter.stock.models import MoveReason, PartRequest, Reservation, ReservationState, StockMove
from tests.domain.test_estimates import make_part, receive_stock


@pytest.fixture
def clerk(factory, session, world):  # noqa: ANN001, ANN201
    """A warehouse clerk of MSK, callable as api("warehouse")."""
    user = factory.user(world.msk, Role.WAREHOUSE)
    world.users["warehouse"] = user
    world.tokens["warehouse"] = create_token(session, None, user, "scanner")[1]
    return user


@pytest.fixture
def part(session, world):  # noqa: ANN001, ANN201
    made = make_part(session, sku="PCB-A1")
    receive_stock(session, world.msk, made, 5)
    session.flush()
    return made


@pytest.fixture
def order(factory, world):  # noqa: ANN001, ANN201
    return factory.order(world.msk, state=RepairState.DIAGNOSIS)


def _wh(center):  # noqa: ANN001, ANN202
    return next(loc for loc in center.locations if loc.is_main)


def _stock(api, who="warehouse", **query):  # noqa: ANN001, ANN003, ANN202
    answer = api(who).get("/api/v1/stock", query_string=query)
    assert answer.status_code == 200, answer.get_json()
    return {(x["part"], x["location"]): (x["on_hand"], x["reserved"], x["free"]) for x in answer.get_json()["items"]}


def _reservations(session, order):  # noqa: ANN001, ANN202
    return [(r.quantity, r.state.value) for r in stock_queries.list_order_reservations(session, order)]


def _path(order, rest="") -> str:  # noqa: ANN001
    return f"/api/v1/repair-orders/{order.number}/parts{rest}"


def test_reserve_issue_and_release_change_the_stock_as_the_order_page_does(api, world, session, clerk, part,
                                                                           order) -> None:  # noqa: ANN001
    assert _stock(api) == {("PCB-A1", "MSK-WH"): (5, 0, 5)}
    made = api("engineer").post(_path(order), json={"part": "pcb-a1", "quantity": 3})
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert [(r["part"], r["quantity"], r["location"], r["state"]) for r in body["reservations"]] == [
        ("PCB-A1", 3, "MSK-WH", "active")]
    assert body["warning"] is None and body["requests"] == []
    assert _stock(api) == {("PCB-A1", "MSK-WH"): (5, 3, 2)}
    assert stock_queries.free_quantity(session, world.msk.id, part.id) == 2  # what the order page reserves from
    assert api("engineer").get(_path(order)).get_json()["reservations"] == body["reservations"]
    event = session.scalars(select(RepairEvent).where(RepairEvent.order_id == order.id,
                                                      RepairEvent.kind == EventKind.PARTS)).all()
    assert [e.to_value for e in event] == ["PCB-A1 × 3"]

    reservation_id = body["reservations"][0]["id"]
    assert api("engineer").post(_path(order, f"/{reservation_id}/issue")).status_code == 403  # the warehouse issues
    issued = api("warehouse").post(_path(order, f"/{reservation_id}/issue"))
    assert issued.status_code == 200, issued.get_json()
    assert issued.get_json()["reservations"][0]["state"] == "issued"
    assert _stock(api) == {("PCB-A1", "MSK-WH"): (2, 0, 2)}
    assert journal.on_hand(session, _wh(world.msk).id, part.id) == 2
    again = api("warehouse").post(_path(order, f"/{reservation_id}/issue"))
    assert again.status_code == 409 and _stock(api) == {("PCB-A1", "MSK-WH"): (2, 0, 2)}

    second = api("engineer").post(_path(order), json={"part": "PCB-A1", "quantity": 2}).get_json()["reservations"][-1]
    assert _stock(api) == {("PCB-A1", "MSK-WH"): (2, 2, 0)}
    assert api("call_center").post(_path(order, f"/{second['id']}/release")).status_code == 403
    released = api("engineer").post(_path(order, f"/{second['id']}/release"))
    assert released.status_code == 200 and released.get_json()["reservations"][-1]["state"] == "released"
    assert _stock(api) == {("PCB-A1", "MSK-WH"): (2, 0, 2)}
    assert api("engineer").post(_path(order, f"/{second['id']}/release")).status_code == 409


def test_a_shortage_is_refused_as_a_reservation_and_taken_as_a_request(api, world, session, clerk, part,
                                                                       order) -> None:  # noqa: ANN001
    short = api("engineer").post(_path(order), json={"part": "PCB-A1", "quantity": 7})
    assert short.status_code == 422 and set(short.get_json()["errors"]) == {"quantity"}
    assert "5" in short.get_json()["detail"]  # the free quantity is named
    assert _reservations(session, order) == [] and _stock(api) == {("PCB-A1", "MSK-WH"): (5, 0, 5)}
    in_stock = api("engineer").post(_path(order), json={"part": "PCB-A1", "quantity": 2, "action": "request"})
    assert in_stock.status_code == 422 and session.scalar(select(func.count()).select_from(PartRequest)) == 0
    requested = api("engineer").post(_path(order), json={"part": "PCB-A1", "quantity": 7, "action": "request"})
    assert requested.status_code == 201, requested.get_json()
    body = requested.get_json()
    assert [(r["quantity"], r["state"]) for r in body["requests"]] == [(2, "open")]
    assert [(r["quantity"], r["state"]) for r in body["reservations"]] == [(5, "active")]
    assert body["state"] == "awaiting_parts"
    session.refresh(order)
    assert order.state == RepairState.AWAITING_PARTS
    assert _stock(api) == {("PCB-A1", "MSK-WH"): (5, 5, 0)}


@pytest.mark.parametrize("quantity", [0, -1, 1001, "3", 1.5, True, None, 10**30])
def test_bad_quantities_are_422_and_change_nothing(api, session, clerk, part, order, quantity) -> None:  # noqa: ANN001
    answer = api("engineer").post(_path(order), json={"part": "PCB-A1", "quantity": quantity})
    assert answer.status_code == 422 and set(answer.get_json()["errors"]) == {"quantity"}
    assert _reservations(session, order) == [] and _stock(api) == {("PCB-A1", "MSK-WH"): (5, 0, 5)}


def test_unknown_parts_and_malformed_bodies_change_nothing(api, session, clerk, part, order) -> None:  # noqa: ANN001
    unknown = api("engineer").post(_path(order), json={"part": "NO-SUCH", "quantity": 1})
    assert unknown.status_code == 422 and set(unknown.get_json()["errors"]) == {"part"}
    assert set(api("engineer").post(_path(order), json={"quantity": 1}).get_json()["errors"]) == {"part"}
    wrong = api("engineer").post(_path(order), json={"part": "PCB-A1", "quantity": 1, "action": "steal"})
    assert wrong.status_code == 422 and set(wrong.get_json()["errors"]) == {"action"}
    assert api("engineer").post(_path(order), json=[1]).status_code == 400
    assert api("engineer").post(_path(order), data="x", content_type="text/plain").status_code == 415
    assert _reservations(session, order) == [] and _stock(api) == {("PCB-A1", "MSK-WH"): (5, 0, 5)}


def test_roles_states_and_the_partner_wall(api, world, factory, session, clerk, part, order) -> None:  # noqa: ANN001
    for who in ("intake", "call_center", "logistics", "warehouse"):
        assert api(who).post(_path(order), json={"part": "PCB-A1", "quantity": 1}).status_code == 403, who
    received = factory.order(world.msk)  # not being diagnosed or repaired: no parts
    late = api("engineer").post(_path(received), json={"part": "PCB-A1", "quantity": 1})
    assert late.status_code == 409 and late.get_json()["current"] == "received"
    # a partner: its own orders from its own stock; our orders and the other partner's do not exist for it
    theirs = factory.order(world.ekb, state=RepairState.DIAGNOSIS)
    assert api("partner").post(_path(order), json={"part": "PCB-A1", "quantity": 1}).status_code == 404
    assert api("partner").get(_path(order)).status_code == 404
    assert api("nsk_partner").get(_path(theirs)).status_code == 404
    own = api("partner").post(_path(theirs), json={"part": "PCB-A1", "quantity": 1})
    assert own.status_code == 422 and set(own.get_json()["errors"]) == {"quantity"}  # EKB has none; MSK's not used
    receive_stock(session, world.ekb, part, 1)
    assert api("partner").post(_path(theirs), json={"part": "PCB-A1", "quantity": 1}).status_code == 201
    assert _stock(api, "partner") == {("PCB-A1", "EKB-WH"): (1, 1, 0)}
    # our own staff of another center: 403 (the order is visible to them, not theirs to work on)
    assert api("engineer").post(_path(theirs), json={"part": "PCB-A1", "quantity": 1}).status_code == 403
    reservation = session.scalars(select(Reservation).where(Reservation.order_id == theirs.id)).one()
    assert api("nsk_partner").post(_path(theirs, f"/{reservation.id}/release")).status_code == 404
    assert api("engineer").post(_path(order, f"/{reservation.id}/release")).status_code == 404  # another order's
    assert reservation.state == ReservationState.ACTIVE
    assert _stock(api) == {("PCB-A1", "MSK-WH"): (5, 0, 5)}


def test_a_removed_part_is_kept_for_the_manufacturer_in_warranty_repairs(api, world, session, part,
                                                                         order) -> None:  # noqa: ANN001
    order.warranty_covered = False
    session.flush()
    paid = api("engineer").post(_path(order, "/defective"), json={"part": "PCB-A1"})
    assert paid.status_code == 422
    order.warranty_covered = True
    session.flush()
    for bad in (0, 101, "1"):
        answer = api("engineer").post(_path(order, "/defective"), json={"part": "PCB-A1", "quantity": bad})
        assert answer.status_code == 422 and "quantity" in answer.get_json()["errors"], bad
    assert session.scalar(select(func.count()).select_from(StockMove).where(
        StockMove.order_id == order.id, StockMove.reason == MoveReason.DEFECTIVE)) == 0
    assert api("intake").post(_path(order, "/defective"), json={"part": "PCB-A1"}).status_code == 403
    assert api("partner").post(_path(order, "/defective"), json={"part": "PCB-A1"}).status_code == 404
    kept = api("engineer").post(_path(order, "/defective"), json={"part": "PCB-A1", "quantity": 2, "note": "сгорел"})
    assert kept.status_code == 201, kept.get_json()
    assert [(m["code"], m["quantity"], m["to"], m["reason"], m["note"]) for m in kept.get_json()["defective"]] == [
        ("PCB-A1", 2, "MSK-DEF", "defective", "сгорел")]
    levels = _stock(api, "admin")
    assert levels[("PCB-A1", "MSK-DEF")] == (2, 0, 0)  # kept, never free to reserve
    assert levels[("PCB-A1", "MSK-WH")] == (5, 0, 5)


def test_a_replaced_serialised_part_is_recorded_on_the_order(api, world, session, order) -> None:  # noqa: ANN001
    body = {"part_name": "Модуль управления", "old_serial": "MOD-OLD-1", "new_serial": "MOD-NEW-1"}
    assert api("intake").post(f"/api/v1/repair-orders/{order.number}/part-swaps", json=body).status_code == 403
    assert api("partner").post(f"/api/v1/repair-orders/{order.number}/part-swaps", json=body).status_code == 404
    same = api("team_lead").post(f"/api/v1/repair-orders/{order.number}/part-swaps",
                                 json={**body, "new_serial": "MOD-OLD-1"})
    assert same.status_code == 422 and set(same.get_json()["errors"]) == {"new_serial"}
    nameless = api("team_lead").post(f"/api/v1/repair-orders/{order.number}/part-swaps", json={**body, "part_name": ""})
    assert nameless.status_code == 422 and set(nameless.get_json()["errors"]) == {"part_name"}
    assert api("team_lead").get(_path(order)).get_json()["swaps"] == []
    done = api("team_lead").post(f"/api/v1/repair-orders/{order.number}/part-swaps", json={**body, "note": "по гарантии"})
    assert done.status_code == 201, done.get_json()
    assert [(s["part_name"], s["old_serial"], s["new_serial"], s["note"]) for s in done.get_json()["swaps"]] == [
        ("Модуль управления", "MOD-OLD-1", "MOD-NEW-1", "по гарантии")]
    history = api("team_lead").get(f"/api/v1/repair-orders/{order.number}").get_json()["history"]
    assert (history[-1]["from"], history[-1]["to"]) == ("MOD-OLD-1", "MOD-NEW-1")


def test_a_partner_records_a_swapped_part_on_its_own_order(api, world, factory) -> None:  # noqa: ANN001
    # the part's serials are units of their own: a partner's wall lets it see them with its order (it did
    # not, and the answer failed with a 500 after the swap was saved)
    own = factory.order(world.ekb, RepairState.IN_REPAIR, unit=factory.unit(world.model))
    body = {"part_name": "Модуль управления", "old_serial": "EKB-OLD-1", "new_serial": "EKB-NEW-1"}
    done = api("partner").post(f"/api/v1/repair-orders/{own.number}/part-swaps", json=body)
    assert done.status_code == 201, done.get_json()
    assert [(s["old_serial"], s["new_serial"]) for s in done.get_json()["swaps"]] == [("EKB-OLD-1", "EKB-NEW-1")]
    shown = api("partner").get(f"/api/v1/repair-orders/{own.number}/parts").get_json()["swaps"]
    assert [(s["old_serial"], s["new_serial"]) for s in shown] == [("EKB-OLD-1", "EKB-NEW-1")]
    # another partner does not see them
    assert api("nsk_partner").get(f"/api/v1/repair-orders/{own.number}/parts").status_code == 404
