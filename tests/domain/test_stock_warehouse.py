"""The warehouse clerk's work: one scan field, receiving, put-away, issuing parts by scanning, where is it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from servicecenter.accounts.roles import Role
from servicecenter.centers.models import CenterKind, Location, LocationKind
from servicecenter.errors import NotFound, PermissionDenied, ValidationFailed
from servicecenter.repairs.models import EventKind, RepairEvent
from servicecenter.repairs.states import RepairState
from servicecenter.scanning import ScanKind
from servicecenter.scoping import Scope, set_scope
from servicecenter.stock import journal, queries, services, warehouse
from servicecenter.stock.identify import identify
from servicecenter.stock.models import (
    MoveReason,
    PartRequest,
    PartRequestState,
    Reservation,
    ReservationState,
)
from tests.domain.test_estimates import make_part
from tests.domain.test_scanning import typed_on_russian_layout


@pytest.fixture
def center(factory):  # noqa: ANN001, ANN201
    return factory.center("WHS")


@pytest.fixture
def clerk(factory, center):  # noqa: ANN001, ANN201
    return factory.staff(center, Role.WAREHOUSE)


@pytest.fixture
def shelf(session, center) -> Location:  # noqa: ANN001
    loc = Location(code="WHS-A1", name="Стеллаж A, ячейка 1", kind=LocationKind.SHELF, center_id=center.id,
                   parent_id=center.locations[0].id)
    session.add(loc)
    session.flush()
    return loc


# --- The scan field ---------------------------------------------------------------------------------

def test_one_scan_field_says_what_any_code_is(session, factory, center, shelf) -> None:  # noqa: ANN001
    order = factory.order(center)
    part = make_part(session, sku="PUMP-9")
    part.barcode = "4601234567890"
    session.flush()
    assert identify(session, center.id, typed_on_russian_layout(order.number)).order == order
    found = identify(session, center.id, order.unit.serial.lower() + "\n")
    assert found.kind == ScanKind.UNIT and found.unit == order.unit and found.order == order
    assert identify(session, center.id, "4601234567890").part == part
    assert identify(session, center.id, "pump-9").part == part
    assert identify(session, center.id, "whs-a1").location == shelf
    with pytest.raises(NotFound, match="Nothing matches the code NO-SUCH-THING"):
        identify(session, center.id, "no-such-thing")


def test_another_centers_shelf_is_not_a_place_here(session, factory, center) -> None:  # noqa: ANN001
    other = factory.center("WHO")
    with pytest.raises(NotFound):
        identify(session, center.id, other.locations[0].code)


def test_a_partner_never_sees_another_centers_objects_through_the_scan_field(session, factory, center) -> None:  # noqa: ANN001
    partner = factory.center("WHP", kind=CenterKind.PARTNER)
    ours = factory.order(center)
    theirs = factory.order(partner)
    codes = (ours.number, ours.unit.serial, center.locations[0].code)
    set_scope(session, Scope(partner.id))
    try:
        assert identify(session, partner.id, theirs.number).order.id == theirs.id
        for code in codes:
            with pytest.raises(NotFound):
                identify(session, partner.id, code)
    finally:
        set_scope(session, Scope())


# --- Receiving and put-away -------------------------------------------------------------------------

def test_parts_received_go_to_the_main_warehouse_and_are_shelved_by_scanning(session, center, clerk,
                                                                             shelf) -> None:  # noqa: ANN001
    part = make_part(session)
    warehouse.receive_parts(session, clerk, center.id, part, "12")
    warehouse.put_away(session, clerk, center.id, shelf, part=part, quantity=5)
    assert queries.on_hand_by_location(session, center.id, part.id) == {center.locations[0].id: 7, shelf.id: 5}
    with pytest.raises(ValidationFailed, match="Only 7 of"):
        warehouse.put_away(session, clerk, center.id, shelf, part=part, quantity=8)
    assert journal.check_stock(session) == []


def test_only_the_warehouse_receives(session, factory, center) -> None:  # noqa: ANN001
    with pytest.raises(PermissionDenied):
        warehouse.receive_parts(session, factory.staff(center, Role.ENGINEER), center.id, make_part(session), 1)
    other = factory.center("WHX")
    with pytest.raises(PermissionDenied):
        warehouse.receive_parts(session, factory.staff(other, Role.WAREHOUSE), center.id, make_part(session), 1)


def test_a_unit_received_at_the_counter_is_in_the_warehouse_and_is_shelved(session, factory, center, clerk,
                                                                            shelf) -> None:  # noqa: ANN001
    order = factory.order(center)
    assert order.unit.location_id == center.locations[0].id  # from the first minute
    warehouse.put_away(session, clerk, center.id, shelf, unit=order.unit)
    where = warehouse.get_whereabouts(session, order.unit, center.id)
    assert where.location.code == "WHS-A1" and where.order == order
    assert [m.reason for m in where.trail] == [MoveReason.INTAKE, MoveReason.PUT_AWAY]
    event = session.scalars(select(RepairEvent).where(RepairEvent.order_id == order.id,
                                                      RepairEvent.kind == EventKind.LOCATION)).one()
    assert (event.from_value, event.to_value) == ("WHS-WH", "WHS-A1")


def test_a_unit_from_outside_must_be_received_before_it_is_shelved(session, factory, center, clerk,
                                                                    shelf) -> None:  # noqa: ANN001
    unit = factory.unit()  # from a courier, the manufacturer, a supplier: at no center's place yet
    with pytest.raises(ValidationFailed, match="receive it first"):
        warehouse.put_away(session, clerk, center.id, shelf, unit=unit)
    warehouse.receive_unit(session, clerk, center.id, unit)
    warehouse.put_away(session, clerk, center.id, shelf, unit=unit)
    assert unit.location == shelf
    with pytest.raises(ValidationFailed, match="already here"):
        warehouse.receive_unit(session, clerk, center.id, unit)


def test_a_unit_in_another_centers_keeping_is_not_taken_by_a_receipt(session, factory, center, clerk) -> None:  # noqa: ANN001
    """Another center's unit (at its warehouse, its order being worked on there) comes on a shipment from
    there; a receipt here would take it out of that center's warehouse and write into its order."""
    order = factory.order(factory.center("WHY"), state=RepairState.DIAGNOSIS)
    where, events = order.unit.location, len(order.events)
    with pytest.raises(ValidationFailed, match="another service center's") as refused:
        warehouse.receive_unit(session, clerk, center.id, order.unit)
    assert refused.value.errors == {"code": "At another service center"}
    assert order.unit.location == where and len(order.events) == events


def test_reservations_follow_the_parts_to_the_shelf(session, factory, center, clerk, shelf) -> None:  # noqa: ANN001
    part = make_part(session)
    warehouse.receive_parts(session, clerk, center.id, part, 3)
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    services.reserve_part(session, factory.staff(center, Role.ENGINEER), order, part, 2)
    warehouse.put_away(session, clerk, center.id, shelf, part=part, quantity=3)
    held = session.scalars(select(Reservation).where(Reservation.order_id == order.id)).all()
    assert {(r.location_id, r.quantity) for r in held} == {(shelf.id, 2)}
    warehouse.issue_scanned(session, clerk, order, part, 2)  # issued from the shelf the parts are on
    assert journal.on_hand(session, shelf.id, part.id) == 1


# --- Issuing parts by scanning ----------------------------------------------------------------------

@pytest.fixture
def reserved(session, factory, center, clerk):  # noqa: ANN001, ANN201
    part = make_part(session)
    warehouse.receive_parts(session, clerk, center.id, part, 5)
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    services.reserve_part(session, factory.staff(center, Role.ENGINEER), order, part, 3)
    return order, part


def test_a_partial_issue_leaves_the_rest_reserved(session, center, clerk, reserved) -> None:  # noqa: ANN001
    order, part = reserved
    warehouse.issue_scanned(session, clerk, order, part, 1)
    [item] = warehouse.get_pick_list(session, order)
    assert (item.reserved, item.issued, item.requested) == (2, 1, 0)
    warehouse.issue_scanned(session, clerk, order, part, "2")
    [item] = warehouse.get_pick_list(session, order)
    assert (item.reserved, item.issued) == (0, 3)
    assert journal.on_hand(session, center.locations[0].id, part.id) == 2
    assert warehouse.list_pick_orders(session, center.id) == []


def test_issuing_more_than_reserved_is_refused_and_changes_nothing(session, center, clerk, reserved) -> None:  # noqa: ANN001
    order, part = reserved
    with pytest.raises(ValidationFailed, match="3 × .* reserved and 0 requested; 4 cannot be issued"):
        warehouse.issue_scanned(session, clerk, order, part, 4)
    [item] = warehouse.get_pick_list(session, order)
    assert (item.reserved, item.issued) == (3, 0)


def test_an_engineers_request_is_filled_when_the_parts_arrive(session, factory, center, clerk) -> None:  # noqa: ANN001
    part = make_part(session)
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    services.request_shortage(session, factory.staff(center, Role.ENGINEER), order, part, 2)
    [line] = warehouse.list_pick_orders(session, center.id)
    assert (line.number, line.requested) == (order.number, 2)
    [item] = warehouse.get_pick_list(session, order)
    assert item.short == 2  # the shortage is visible
    with pytest.raises(ValidationFailed, match="Only 0 × .* free in stock"):
        warehouse.issue_scanned(session, clerk, order, part, 1)
    warehouse.receive_parts(session, clerk, center.id, part, 1)
    warehouse.issue_scanned(session, clerk, order, part, 1)  # a partial fill: one still requested
    [item] = warehouse.get_pick_list(session, order)
    assert (item.issued, item.requested, item.short) == (1, 1, 1)
    request = session.scalars(select(PartRequest).where(PartRequest.order_id == order.id)).one()
    assert request.state == PartRequestState.OPEN and request.quantity == 1
    warehouse.receive_parts(session, clerk, center.id, part, 4)
    warehouse.issue_scanned(session, clerk, order, part, 1)
    assert request.state == PartRequestState.FULFILLED
    assert all(r.state == ReservationState.ISSUED for r in session.scalars(
        select(Reservation).where(Reservation.order_id == order.id)))
    assert journal.check_stock(session) == []


def test_parts_are_not_issued_for_a_finished_order(session, factory, center, clerk) -> None:  # noqa: ANN001
    order = factory.order(center, state=RepairState.READY_FOR_PICKUP)
    with pytest.raises(ValidationFailed, match="not being repaired"):
        warehouse.issue_scanned(session, clerk, order, make_part(session), 1)


def test_a_defective_part_is_kept_for_the_manufacturer_tied_to_the_order(session, factory, center) -> None:  # noqa: ANN001
    order = factory.order(center, state=RepairState.IN_REPAIR, warranty_covered=True, order_type="warranty")
    part = make_part(session)
    move = warehouse.keep_defective_part(session, factory.staff(center, Role.ENGINEER), order, part, 1)
    assert move.to_location.kind == LocationKind.DEFECTIVE and move.to_location.center_id == center.id
    assert move.order_id == order.id and move.reason == MoveReason.DEFECTIVE
    assert queries.free_quantity(session, center.id, part.id) == 0  # not stock to reserve
    assert warehouse.list_defective_parts(session, order) == [move]
    assert journal.check_stock(session) == []


def test_a_paid_or_finished_repair_keeps_no_part_for_the_manufacturer(session, factory, center) -> None:  # noqa: ANN001
    engineer, part = factory.staff(center, Role.ENGINEER), make_part(session)
    paid = factory.order(center, state=RepairState.IN_REPAIR, warranty_covered=False, order_type="paid")
    done = factory.order(center, state=RepairState.READY_FOR_PICKUP, warranty_covered=True, order_type="warranty")
    with pytest.raises(ValidationFailed, match="customer"):
        warehouse.keep_defective_part(session, engineer, paid, part, 1)
    with pytest.raises(ValidationFailed, match="not being repaired"):
        warehouse.keep_defective_part(session, engineer, done, part, 1)
    assert warehouse.list_defective_parts(session, paid) == [] and journal.check_stock(session) == []


def test_a_shipment_number_is_recognised_by_the_scan_field(session, factory, center) -> None:  # noqa: ANN001
    from servicecenter.shipments.services import create_shipment

    other = factory.center("WHT")
    shipment = create_shipment(session, factory.staff(center, Role.LOGISTICS), origin=center.locations[0],
                               destination=other.locations[0])
    found = identify(session, center.id, shipment.number.lower())
    assert found.kind == ScanKind.SHIPMENT and found.shipment == shipment


def test_a_visit_received_by_the_order_pages_button_puts_the_unit_in_the_warehouse(session, factory, center) -> None:  # noqa: ANN001
    """registered → received by the plain transition (not the intake form) places the unit too."""
    from servicecenter.repairs.services import apply_transition, create_order

    unit = factory.unit()
    order = create_order(session, factory.staff(center, Role.CALL_CENTER), center=center,
                         customer=factory.customer(), unit=unit, fault="Не включается", pre_register=True)
    assert order.state == RepairState.REGISTERED and unit.location_id is None
    clerk = factory.staff(center, Role.INTAKE)
    apply_transition(session, order, RepairState.RECEIVED, clerk)
    where = warehouse.get_whereabouts(session, unit, center.id)
    assert where.location.kind == LocationKind.WAREHOUSE and where.order == order
    assert [(m.reason, m.actor_id) for m in where.trail] == [(MoveReason.INTAKE, clerk.id)]
