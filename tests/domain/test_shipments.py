"""Shipments: built by scanning, every refusal, dispatch moves everything once, receiving with discrepancies."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from servicecenter.accounts.roles import Role
from servicecenter.centers.models import CenterKind, Location, LocationKind, ServiceCenter
from servicecenter.errors import NotFound, PermissionDenied, StateConflict, ValidationFailed
from servicecenter.repairs.models import EventKind
from servicecenter.repairs.states import RepairState
from servicecenter.scoping import NETWORK, Scope, set_scope
from servicecenter.shipments import queries
from servicecenter.shipments.dispatch import cancel_shipment, dispatch_shipment
from servicecenter.shipments.models import ItemState, ShipmentState
from servicecenter.shipments.numbering import SHIPMENT_NUMBER
from servicecenter.shipments.receiving import complete_receipt, receive_scanned, resolve_missing
from servicecenter.shipments.services import add_scanned, create_shipment, remove_item
from servicecenter.stock import journal
from servicecenter.stock.models import MoveReason, Part, StockMove


def warehouse(center: ServiceCenter) -> Location:
    return next(loc for loc in center.locations if loc.kind == LocationKind.WAREHOUSE and loc.is_main)


def place(session, unit, location: Location) -> None:  # noqa: ANN001
    """Put a unit at a location through the journal (intake may already have put it there)."""
    if unit.location_id != location.id:
        journal.move_unit(session, None, unit, location, MoveReason.INTAKE)


@dataclass
class World:
    a: ServiceCenter
    b: ServiceCenter
    wh_a: Location
    wh_b: Location
    clerk_a: object
    clerk_b: object
    part: Part


@pytest.fixture
def world(session, factory) -> World:  # noqa: ANN001
    a, b = factory.center(), factory.center()
    part = Part(sku="PUMP-01", barcode="4600000000017", name="Насос сливной")
    session.add(part)
    session.flush()
    journal.move_parts(session, None, part, 10, source=None, target=warehouse(a), reason=MoveReason.RECEIPT)
    return World(a, b, warehouse(a), warehouse(b), factory.staff(a, Role.LOGISTICS), factory.staff(b, Role.WAREHOUSE),
                 part)


def unit_order(session, factory, w: World, state: RepairState = RepairState.DIAGNOSIS):  # noqa: ANN001, ANN201
    order = factory.order(w.a, state=state)
    place(session, order.unit, w.wh_a)
    return order


def new_shipment(session, w: World):  # noqa: ANN001, ANN201
    return create_shipment(session, w.clerk_a, origin=w.wh_a, destination=w.wh_b)


def test_a_shipment_gets_a_scannable_number_per_center_and_year(session, world) -> None:  # noqa: ANN001
    first, second = new_shipment(session, world), new_shipment(session, world)
    assert SHIPMENT_NUMBER.match(first.number) and first.number.startswith(f"SHP-{world.a.code}-")
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1
    assert first.state == ShipmentState.OPEN and first.to_center_id == world.b.id


def test_units_are_scanned_by_label_or_serial_and_twice_is_one_line(session, factory, world) -> None:  # noqa: ANN001
    one, two = unit_order(session, factory, world), unit_order(session, factory, world)
    shipment = new_shipment(session, world)
    first = add_scanned(session, world.clerk_a, shipment, one.number)
    assert first.added and first.item.order_id == one.id
    # the serial in a Russian keyboard layout still finds the unit
    second = add_scanned(session, world.clerk_a, shipment, two.unit.serial.lower())
    assert second.added and second.item.order_id == two.id
    again = add_scanned(session, world.clerk_a, shipment, one.unit.serial)
    assert not again.added and "already on this shipment" in again.message
    assert len(shipment.items) == 2


def test_parts_are_added_by_barcode_and_a_second_scan_adds_to_the_line(session, world) -> None:  # noqa: ANN001
    shipment = new_shipment(session, world)
    add_scanned(session, world.clerk_a, shipment, world.part.barcode, 3)
    again = add_scanned(session, world.clerk_a, shipment, "pump-01", 2)
    assert not again.added and again.item.quantity == 5 and len(shipment.items) == 1
    with pytest.raises(ValidationFailed) as refused:
        add_scanned(session, world.clerk_a, shipment, "PUMP-01", 6)
    assert refused.value.params["free"] == 10 and refused.value.params["already"] == 5


def test_parts_on_another_open_shipment_cannot_leave_twice(session, world) -> None:  # noqa: ANN001
    add_scanned(session, world.clerk_a, new_shipment(session, world), "PUMP-01", 8)
    with pytest.raises(ValidationFailed) as refused:
        add_scanned(session, world.clerk_a, new_shipment(session, world), "PUMP-01", 3)
    assert refused.value.params["free"] == 2


def test_a_unit_not_at_the_origin_is_refused_saying_where_it_is(session, factory, world) -> None:  # noqa: ANN001
    order = unit_order(session, factory, world)
    journal.move_unit(session, None, order.unit, world.wh_b, MoveReason.TRANSFER)
    with pytest.raises(ValidationFailed) as refused:
        add_scanned(session, world.clerk_a, new_shipment(session, world), order.number)
    assert world.wh_b.code in str(refused.value) and world.b.code in str(refused.value)


def test_a_unit_on_another_open_shipment_is_refused_naming_it(session, factory, world) -> None:  # noqa: ANN001
    order = unit_order(session, factory, world)
    first = new_shipment(session, world)
    add_scanned(session, world.clerk_a, first, order.number)
    second = new_shipment(session, world)
    with pytest.raises(StateConflict) as refused:
        add_scanned(session, world.clerk_a, second, order.unit.serial)
    assert first.number in str(refused.value)
    cancel_shipment(session, world.clerk_a, first)  # a cancelled shipment frees its items
    assert add_scanned(session, world.clerk_a, second, order.unit.serial).added


def test_a_code_that_matches_nothing_is_a_clear_refusal(session, world) -> None:  # noqa: ANN001
    with pytest.raises(NotFound) as refused:
        add_scanned(session, world.clerk_a, new_shipment(session, world), "NO-SUCH-THING")
    assert "NO-SUCH-THING" in str(refused.value)
    with pytest.raises(ValidationFailed):
        add_scanned(session, world.clerk_a, new_shipment(session, world), "   ")


def test_only_the_sender_builds_and_only_shipping_roles(session, factory, world) -> None:  # noqa: ANN001
    shipment = new_shipment(session, world)
    with pytest.raises(PermissionDenied):
        add_scanned(session, world.clerk_b, shipment, "PUMP-01")
    with pytest.raises(PermissionDenied):
        add_scanned(session, factory.staff(world.a, Role.ENGINEER), shipment, "PUMP-01")
    with pytest.raises(PermissionDenied):
        create_shipment(session, world.clerk_b, origin=world.wh_a, destination=world.wh_b)
    with pytest.raises(ValidationFailed):
        create_shipment(session, world.clerk_a, origin=world.wh_a, destination=world.wh_a)


def test_dispatch_moves_every_item_to_transit_and_each_order_shows_it(session, factory, world) -> None:  # noqa: ANN001
    orders = [unit_order(session, factory, world) for _ in range(3)]
    shipment = new_shipment(session, world)
    for order in orders:
        add_scanned(session, world.clerk_a, shipment, order.number)
    add_scanned(session, world.clerk_a, shipment, "PUMP-01", 4)
    dispatch_shipment(session, world.clerk_a, shipment, carrier="СДЭК", tracking="1234567890", places="2",
                      weight_kg="12,5")
    assert shipment.state == ShipmentState.DISPATCHED and shipment.weight_kg == "12.5" and shipment.places == 2
    transit = shipment.transit_location
    assert transit.kind == LocationKind.TRANSIT and shipment.number in transit.code
    for order in orders:
        assert order.unit.location_id == transit.id
        event = [e for e in order.events if e.kind == EventKind.LOCATION][-1]
        assert event.to_value == transit.code and event.details["shipment"] == shipment.number
    assert journal.on_hand(session, world.wh_a.id, world.part.id) == 6
    assert journal.on_hand(session, transit.id, world.part.id) == 4
    assert journal.check_stock(session) == []


def test_dispatching_twice_is_refused_and_moves_once(session, factory, world) -> None:  # noqa: ANN001
    order = unit_order(session, factory, world)
    shipment = new_shipment(session, world)
    add_scanned(session, world.clerk_a, shipment, order.number)
    dispatch_shipment(session, world.clerk_a, shipment, carrier="ПЭК")
    with pytest.raises(StateConflict):
        dispatch_shipment(session, world.clerk_a, shipment, carrier="ПЭК")
    moves = session.scalar(select(func.count()).select_from(StockMove).where(StockMove.shipment_id == shipment.id))
    assert moves == 1
    with pytest.raises(StateConflict):  # and nothing more goes on a travelling shipment
        add_scanned(session, world.clerk_a, shipment, "PUMP-01")


def test_dispatch_refusals_leave_the_shipment_open(session, factory, world) -> None:  # noqa: ANN001
    shipment = new_shipment(session, world)
    with pytest.raises(ValidationFailed):  # empty
        dispatch_shipment(session, world.clerk_a, shipment, carrier="ПЭК")
    order = unit_order(session, factory, world)
    add_scanned(session, world.clerk_a, shipment, order.number)
    with pytest.raises(ValidationFailed) as no_carrier:
        dispatch_shipment(session, world.clerk_a, shipment, carrier=" ")
    assert "carrier" in no_carrier.value.errors
    with pytest.raises(ValidationFailed):
        dispatch_shipment(session, world.clerk_a, shipment, carrier="ПЭК", places="-1")
    # the unit was handed elsewhere after it was scanned: refused, naming it
    journal.move_unit(session, None, order.unit, world.wh_b, MoveReason.TRANSFER)
    with pytest.raises(ValidationFailed) as moved:
        dispatch_shipment(session, world.clerk_a, shipment, carrier="ПЭК")
    assert order.unit.serial in str(moved.value)
    assert shipment.state == ShipmentState.OPEN


def test_removing_a_line_frees_the_unit(session, factory, world) -> None:  # noqa: ANN001
    order = unit_order(session, factory, world)
    shipment = new_shipment(session, world)
    line = add_scanned(session, world.clerk_a, shipment, order.number).item
    remove_item(session, world.clerk_a, shipment, line.id)
    assert shipment.items == []
    assert add_scanned(session, world.clerk_a, new_shipment(session, world), order.number).added


def _dispatched(session, factory, world, units: int = 3, parts: int = 4):  # noqa: ANN001, ANN202
    orders = [unit_order(session, factory, world) for _ in range(units)]
    shipment = new_shipment(session, world)
    for order in orders:
        add_scanned(session, world.clerk_a, shipment, order.number)
    if parts:
        add_scanned(session, world.clerk_a, shipment, "PUMP-01", parts)
    dispatch_shipment(session, world.clerk_a, shipment, carrier="Деловые линии", tracking="DL-1")
    return shipment, orders


def test_receiving_with_one_missing_and_one_unexpected_item(session, factory, world) -> None:  # noqa: ANN001
    shipment, orders = _dispatched(session, factory, world)
    stray = unit_order(session, factory, world)  # at A, not on the list, but in the box
    receiver = world.clerk_b
    assert receive_scanned(session, receiver, shipment, orders[0].number).added
    again = receive_scanned(session, receiver, shipment, orders[0].unit.serial)
    assert not again.added and "already received" in again.message
    receive_scanned(session, receiver, shipment, orders[1].unit.serial)
    receive_scanned(session, receiver, shipment, "4600000000017", 3)  # one pump short
    surprise = receive_scanned(session, receiver, shipment, stray.number)
    assert surprise.item.state == ItemState.UNEXPECTED and stray.unit.location_id == world.wh_b.id
    report = complete_receipt(session, receiver, shipment)
    assert shipment.state == ShipmentState.RECEIVED
    assert {line.code for line in report.missing} == {orders[2].unit.serial, "PUMP-01"}
    assert [line.short for line in report.missing if line.kind == "part"] == [1]
    assert [line.code for line in report.unexpected] == [stray.unit.serial]
    assert orders[0].unit.location_id == world.wh_b.id
    # the missing unit is still traceable: in this shipment's transit location
    assert orders[2].unit.location_id == shipment.transit_location_id
    missing = queries.list_unresolved_missing(session, world.b.id)
    assert {m.code for m in missing} == {orders[2].unit.serial, "PUMP-01"}
    assert journal.on_hand(session, shipment.transit_location_id, world.part.id) == 1
    assert journal.check_stock(session) == []
    with pytest.raises(StateConflict):  # closing twice
        complete_receipt(session, receiver, shipment)
    with pytest.raises(StateConflict):
        receive_scanned(session, receiver, shipment, orders[2].number)


def test_missing_items_are_settled_found_or_lost_with_a_reason(session, factory, world) -> None:  # noqa: ANN001
    shipment, orders = _dispatched(session, factory, world, units=2, parts=2)
    complete_receipt(session, world.clerk_b, shipment)  # nothing was scanned: all missing
    unit_line = next(i for i in shipment.items if i.unit_id == orders[0].unit_id)
    lost_unit = next(i for i in shipment.items if i.unit_id == orders[1].unit_id)
    part_line = next(i for i in shipment.items if i.part_id is not None)
    resolve_missing(session, world.clerk_b, shipment, unit_line.id, found=True)
    assert unit_line.state == ItemState.FOUND and orders[0].unit.location_id == world.wh_b.id
    with pytest.raises(ValidationFailed):
        resolve_missing(session, world.clerk_b, shipment, part_line.id, found=False, reason="")
    resolve_missing(session, world.clerk_b, shipment, part_line.id, found=False, reason="Коробка вскрыта")
    assert part_line.state == ItemState.LOST and part_line.note == "Коробка вскрыта"
    assert journal.on_hand(session, shipment.transit_location_id, world.part.id) == 0
    resolve_missing(session, world.clerk_b, shipment, lost_unit.id, found=False, reason="Утеряно перевозчиком")
    assert [e for e in orders[1].events if e.kind == EventKind.LOCATION][-1].details["action"] == "lost"
    with pytest.raises(StateConflict):
        resolve_missing(session, world.clerk_b, shipment, unit_line.id, found=True)
    assert queries.list_unresolved_missing(session, world.b.id) == []
    assert journal.check_stock(session) == []


def test_only_the_destination_receives(session, factory, world) -> None:  # noqa: ANN001
    shipment, orders = _dispatched(session, factory, world, units=1, parts=0)
    with pytest.raises(PermissionDenied):
        receive_scanned(session, world.clerk_a, shipment, orders[0].number)
    other = factory.center()
    with pytest.raises(PermissionDenied):
        complete_receipt(session, factory.staff(other, Role.LOGISTICS), shipment)


def test_a_partner_center_receives_its_own_shipment(session, factory, world) -> None:  # noqa: ANN001
    partner = factory.center(kind=CenterKind.PARTNER)
    shipment = create_shipment(session, world.clerk_a, origin=world.wh_a, destination=warehouse(partner))
    add_scanned(session, world.clerk_a, shipment, "PUMP-01", 2)
    dispatch_shipment(session, world.clerk_a, shipment, carrier="Почта России")
    assert shipment.transit_location.center_id == partner.id  # the partner sees its moves
    partner_user = factory.staff(partner, Role.PARTNER)
    receive_scanned(session, partner_user, shipment, "PUMP-01", 2)
    assert complete_receipt(session, partner_user, shipment).clean
    assert journal.on_hand(session, warehouse(partner).id, world.part.id) == 2


def test_lists_filter_by_state_direction_and_search(session, factory, world) -> None:  # noqa: ANN001
    travelling, _ = _dispatched(session, factory, world, units=1, parts=0)
    open_one = new_shipment(session, world)
    rows = queries.list_shipments(session, world.a.id)
    assert {r.number for r in rows} >= {travelling.number, open_one.number}
    assert [r.number for r in queries.list_shipments(session, world.a.id, state="open")] == [open_one.number]
    assert queries.list_shipments(session, world.a.id, direction="in") == []
    incoming = queries.list_shipments(session, world.b.id, direction="in")
    assert {r.number for r in incoming} == {travelling.number, open_one.number}
    found = queries.list_shipments(session, world.b.id, search="dl-1")
    assert [r.number for r in found] == [travelling.number] and found[0].items == 1
    assert queries.get_shipment(session, travelling.number.lower()).id == travelling.id
    with pytest.raises(NotFound):
        queries.get_shipment(session, "SHP-XX-2026-000999")


def test_a_walled_partner_receives_units_of_our_orders_and_another_partner_sees_nothing(
        session, factory, world) -> None:  # noqa: ANN001
    partner, other = factory.center(kind=CenterKind.PARTNER), factory.center(kind=CenterKind.PARTNER)
    orders = [unit_order(session, factory, world) for _ in range(2)]  # our orders, sent to the partner
    shipment = create_shipment(session, world.clerk_a, origin=world.wh_a, destination=warehouse(partner))
    for order in orders:
        add_scanned(session, world.clerk_a, shipment, order.number)
    dispatch_shipment(session, world.clerk_a, shipment, carrier="ПЭК")
    number, serials = shipment.number, [o.unit.serial for o in orders]
    partner_user, stranger = factory.staff(partner, Role.PARTNER), factory.staff(other, Role.PARTNER)
    session.expunge_all()
    set_scope(session, Scope(other.id))
    with pytest.raises(NotFound):
        queries.get_shipment(session, number)
    set_scope(session, Scope(partner.id))
    seen = queries.get_shipment(session, number)  # the partner sees the whole packing list
    assert sorted(line.unit.serial for line in seen.items) == sorted(serials)
    assert receive_scanned(session, session.merge(partner_user), seen, serials[0]).added
    report = complete_receipt(session, session.merge(partner_user), seen)
    assert [line.code for line in report.missing] == [serials[1]]
    set_scope(session, NETWORK)
    moved = session.scalar(select(StockMove).where(StockMove.shipment_id == seen.id,
                                                   StockMove.to_location_id == warehouse(partner).id))
    assert moved is not None and stranger.center_id == other.id
    assert journal.check_stock(session) == []


def test_more_parts_than_were_sent_are_a_surplus_line(session, world) -> None:  # noqa: ANN001
    shipment = new_shipment(session, world)
    add_scanned(session, world.clerk_a, shipment, "PUMP-01", 2)
    dispatch_shipment(session, world.clerk_a, shipment, carrier="ПЭК")
    said = receive_scanned(session, world.clerk_b, shipment, "PUMP-01", 3)
    assert said.item.state == ItemState.UNEXPECTED and said.item.quantity == 1
    report = complete_receipt(session, world.clerk_b, shipment)
    assert [(line.code, line.received) for line in report.unexpected] == [("PUMP-01", 1)]
    assert report.missing == () and journal.on_hand(session, world.wh_b.id, world.part.id) == 3
    assert journal.check_stock(session) == []


def test_a_delivery_to_the_manufacturer_is_confirmed_by_the_sender(session, factory, world) -> None:  # noqa: ANN001
    maker = Location(code="MFR-BOSCH", name="Bosch, сервисный склад", kind=LocationKind.MANUFACTURER)
    session.add(maker)
    session.flush()
    order = unit_order(session, factory, world)
    shipment = create_shipment(session, world.clerk_a, origin=world.wh_a, destination=maker)
    add_scanned(session, world.clerk_a, shipment, order.number)
    dispatch_shipment(session, world.clerk_a, shipment, carrier="Почта России")
    with pytest.raises(PermissionDenied):
        receive_scanned(session, world.clerk_b, shipment, order.number)
    receive_scanned(session, world.clerk_a, shipment, order.number)
    assert complete_receipt(session, world.clerk_a, shipment).clean
    assert order.unit.location_id == maker.id


def test_parts_leave_from_free_stock_and_reservations_keep_theirs(session, factory, world) -> None:  # noqa: ANN001
    from servicecenter.stock.services import reserve_part

    shelf = Location(code=f"{world.a.code}-A1", name="Стеллаж A1", kind=LocationKind.SHELF, center_id=world.a.id,
                     parent_id=world.wh_a.id)
    session.add(shelf)
    session.flush()
    journal.move_parts(session, None, world.part, 4, source=None, target=shelf, reason=MoveReason.RECEIPT)
    order = factory.order(world.a, state=RepairState.DIAGNOSIS)
    reserve_part(session, factory.staff(world.a, Role.ENGINEER), order, world.part, 8)  # 8 of the 10 on the floor
    shipment = new_shipment(session, world)
    with pytest.raises(ValidationFailed):  # 14 on hand, 8 reserved: 6 may go
        add_scanned(session, world.clerk_a, shipment, "PUMP-01", 7)
    add_scanned(session, world.clerk_a, shipment, "PUMP-01", 6)
    dispatch_shipment(session, world.clerk_a, shipment, carrier="ПЭК")
    assert journal.on_hand(session, world.wh_a.id, world.part.id) == 8  # the reserved ones stayed
    assert journal.on_hand(session, shelf.id, world.part.id) == 0


def test_internal_deadlines_stop_while_the_unit_travels_where_the_rule_says(session, factory, world) -> None:  # noqa: ANN001
    from datetime import timedelta

    from servicecenter.deadlines.rules import save_rule

    save_rule(session, factory.staff(world.a, Role.ADMIN), center_id=world.a.id, diagnosis_days=3, repair_days=20,
              margin=1, pause_in_transit=True)
    order = unit_order(session, factory, world)
    session.refresh(order)
    repair_due, legal = order.repair_due, order.legal_due
    shipment = new_shipment(session, world)
    add_scanned(session, world.clerk_a, shipment, order.number)
    dispatch_shipment(session, world.clerk_a, shipment, carrier="СДЭК", tracking="1234567890")
    assert order.deadline_paused_at is not None and order.deadline_pause_reason == "transit"
    # two days on the road, then the other end scans it in
    order.deadline_paused_at -= timedelta(days=2)
    receive_scanned(session, world.clerk_b, shipment, order.unit.serial)
    assert order.deadline_paused_at is None
    assert order.repair_due - repair_due >= timedelta(days=2) - timedelta(seconds=5)
    assert order.legal_due == legal  # the consumer-protection limit never pauses


def test_without_the_rule_a_journey_does_not_stop_the_clock(session, factory, world) -> None:  # noqa: ANN001
    order = unit_order(session, factory, world)
    shipment = new_shipment(session, world)
    add_scanned(session, world.clerk_a, shipment, order.number)
    dispatch_shipment(session, world.clerk_a, shipment, carrier="СДЭК")
    assert order.deadline_paused_at is None
