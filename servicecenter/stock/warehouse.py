"""The warehouse clerk's operations: receive parts and units, put them away on shelves, issue the
engineers' parts by scanning (partially too), and say where a unit is.

Every operation checks everything it can before the first write and then writes through
`stock.journal`; a refusal that only the database can see (the last part taken a moment ago)
comes from the journal's conditional UPDATE, and the request's transaction is rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import PARTNER_ROLES, Role
from servicecenter.centers.models import Location, LocationKind
from servicecenter.equipment.models import Unit
from servicecenter.errors import N_, PermissionDenied, ValidationFailed
from servicecenter.repairs.history import record_event
from servicecenter.repairs.models import EventKind, RepairOrder
from servicecenter.repairs.services import check_center
from servicecenter.stock import journal, queries
from servicecenter.stock.identify import open_order_of
from servicecenter.stock.models import (
    MoveReason,
    Part,
    PartRequest,
    PartRequestState,
    Reservation,
    ReservationState,
    StockMove,
)
from servicecenter.stock.places import defective_location, main_warehouse
from servicecenter.stock.services import ISSUE_ROLES, PARTS_ISSUED, PARTS_STATES, lock_part

WAREHOUSE_ROLES = frozenset({Role.WAREHOUSE, Role.ADMIN})
STOCK_KINDS = (LocationKind.WAREHOUSE, LocationKind.SHELF)
MAX_QUANTITY = 10_000
PARTS_FILLED = N_("The warehouse reserved %(count)s × %(part)s that had been requested")


def check_clerk(actor: User, center_id: int, roles: frozenset[Role] = WAREHOUSE_ROLES) -> None:
    """The actor works this center's warehouse (or is an administrator)."""
    if actor.role not in roles:
        raise PermissionDenied(N_("Only the warehouse does this"))
    check_center(actor, center_id)


def quantity_of(raw: object, limit: int = MAX_QUANTITY) -> int:
    """A typed quantity: a whole number from 1 to `limit`, else a refusal naming the field."""
    try:
        qty = int(str(raw if raw not in (None, "") else 1).strip())
    except (TypeError, ValueError):
        qty = 0
    if not 0 < qty <= limit:
        raise ValidationFailed(N_("The quantity must be a whole number from 1 to %(max)s"),
                               errors={"quantity": N_("From 1 to %(max)s")}, max=limit)
    return qty


def stock_place(location: Location | None, center_id: int) -> Location:
    """A warehouse or shelf of this center, else a refusal."""
    if location is None or location.center_id != center_id or location.kind not in STOCK_KINDS:
        raise ValidationFailed(N_("%(code)s is not a warehouse or shelf of this center"),
                               code=location.code if location else "—")
    return location


def _main(session: Session, center_id: int) -> Location:
    warehouse = main_warehouse(session, center_id)
    if warehouse is None:
        raise ValidationFailed(N_("This center has no warehouse; an administrator adds one first"))
    return warehouse


def receive_parts(session: Session, actor: User, center_id: int, part: Part, quantity: object, *,
                  target: Location | None = None, note: str = "") -> StockMove:
    """Parts arrived from a supplier: into the main warehouse (or the scanned shelf)."""
    check_clerk(actor, center_id)
    qty = quantity_of(quantity)
    place = stock_place(target, center_id) if target is not None else _main(session, center_id)
    if not part.active:
        raise ValidationFailed(N_("%(part)s is no longer in the catalogue"), part=part.sku)
    move = journal.move_parts(session, actor, part, qty, source=None, target=place, reason=MoveReason.RECEIPT,
                              note=note)
    from servicecenter.notifications.rules import notify_parts_arrived  # notifications build on stock

    notify_parts_arrived(session, center_id, part.id, qty, move.id)
    return move


def unit_center(unit: Unit) -> int | None:
    return unit.location.center_id if unit.location is not None else None


def receive_unit(session: Session, actor: User, center_id: int, unit: Unit, *, note: str = "") -> StockMove:
    """A unit arrived (from a supplier, the manufacturer, a courier): into the main warehouse; its open
    order's history says so."""
    check_clerk(actor, center_id)
    warehouse = _main(session, center_id)
    if unit_center(unit) == center_id:
        raise ValidationFailed(N_("Unit %(serial)s is already here (%(location)s)"), serial=unit.serial,
                               location=unit.location.code)
    if unit_center(unit) is not None:  # in another center's keeping: only a shipment from there brings it here
        raise ValidationFailed(N_("Unit %(serial)s is at %(location)s, another service center's: it comes here on "
                                  "a shipment from there"), errors={"code": N_("At another service center")},
                               serial=unit.serial, location=unit.location.code)
    return journal.move_unit(session, actor, unit, warehouse, MoveReason.RECEIPT,
                             order=open_order_of(session, unit.id, center_id), note=note)


def _reserved_at(session: Session, location_id: int, part_id: int) -> list[Reservation]:
    return list(session.scalars(select(Reservation).where(
        Reservation.location_id == location_id, Reservation.part_id == part_id,
        Reservation.state == ReservationState.ACTIVE).order_by(Reservation.id.desc())))


def _carry_reservations(session: Session, part: Part, source: Location, target: Location) -> None:
    """Parts reserved for orders may be shelved too: the reservations that the stock left at the
    source (after the move) no longer covers follow the parts to the target."""
    reservations = _reserved_at(session, source.id, part.id)
    excess = sum(r.quantity for r in reservations) - journal.on_hand(session, source.id, part.id)
    for reservation in reservations:
        if excess <= 0:
            break
        if reservation.quantity <= excess:
            reservation.location_id = target.id
            excess -= reservation.quantity
        else:  # split: the rest stays where it was
            reservation.quantity -= excess
            session.add(Reservation(part_id=part.id, order_id=reservation.order_id, location_id=target.id,
                                    quantity=excess))
            excess = 0


def put_away(session: Session, actor: User, center_id: int, shelf: Location, *, unit: Unit | None = None,
             part: Part | None = None, quantity: object = 1) -> StockMove:
    """Put a unit or parts on the scanned shelf: a unit from wherever it is at this center, parts from
    the shelf's warehouse (reservations follow the parts they hold)."""
    check_clerk(actor, center_id)
    shelf = stock_place(shelf, center_id)
    if unit is not None:
        if unit_center(unit) != center_id:
            where = unit.location.code if unit.location else "—"
            raise ValidationFailed(N_("Unit %(serial)s is not at this center (it is at %(location)s); "
                                      "receive it first"), serial=unit.serial, location=where)
        return journal.move_unit(session, actor, unit, shelf, MoveReason.PUT_AWAY,
                                 order=open_order_of(session, unit.id, center_id))
    if part is None:
        raise ValidationFailed(N_("Scan a unit or a part to put on %(shelf)s"), shelf=shelf.code)
    qty = quantity_of(quantity)
    source = shelf.parent if shelf.kind == LocationKind.SHELF and shelf.parent is not None else _main(session,
                                                                                                      center_id)
    if source.id == shelf.id:
        raise ValidationFailed(N_("Scan a shelf, not the warehouse, to put parts away"))
    lock_part(session, part)  # reservations are rearranged below: one at a time per part
    move = journal.move_parts(session, actor, part, qty, source=source, target=shelf, reason=MoveReason.PUT_AWAY)
    _carry_reservations(session, part, source, shelf)
    session.flush()
    return move


# --- Issuing the engineers' parts -----------------------------------------------------------------

def _active(session: Session, order: RepairOrder, part: Part) -> list[Reservation]:
    return list(session.scalars(select(Reservation).where(
        Reservation.order_id == order.id, Reservation.part_id == part.id,
        Reservation.state == ReservationState.ACTIVE).order_by(Reservation.id)))


def _open_requests(session: Session, order: RepairOrder, part: Part) -> list[PartRequest]:
    return list(session.scalars(select(PartRequest).where(
        PartRequest.order_id == order.id, PartRequest.part_id == part.id,
        PartRequest.state == PartRequestState.OPEN).order_by(PartRequest.id)))


def _fill_requests(session: Session, actor: User, order: RepairOrder, part: Part, wanted: int,
                   requests: list[PartRequest], free: dict[int, int]) -> None:
    """Turn up to `wanted` of the order's open requests into reservations of free stock."""
    from servicecenter.clock import utcnow

    left = wanted
    for location_id, available in free.items():
        if left == 0:
            break
        take = min(left, available)
        session.add(Reservation(part_id=part.id, order_id=order.id, location_id=location_id, quantity=take))
        left -= take
    filled = wanted - left
    for request in requests:
        if filled == 0:
            break
        if request.quantity <= filled:
            filled -= request.quantity
            request.state, request.closed_at = PartRequestState.FULFILLED, utcnow()
        else:
            request.quantity -= filled
            filled = 0
    record_event(session, actor=actor, kind=EventKind.PARTS, order=order, to_value=f"{part.sku} × {wanted}",
                 action="filled", message=PARTS_FILLED, params={"count": wanted, "part": part.sku})
    session.flush()


def issue_scanned(session: Session, actor: User, order: RepairOrder, part: Part, quantity: object) -> list[StockMove]:
    """Issue `quantity` of a scanned part to the order's bench: from its reservations (a part of one
    is fine: the rest stays reserved), else from free stock against its open requests. Refused, with
    the figures, when that is more than reserved and requested, or more than the stock has."""
    check_clerk(actor, order.center_id, ISSUE_ROLES)
    if order.state not in PARTS_STATES:
        raise ValidationFailed(N_("Order %(number)s is not being repaired; no parts are issued for it"),
                               number=order.number)
    qty = quantity_of(quantity)
    lock_part(session, part)
    reservations = _active(session, order, part)
    reserved = sum(r.quantity for r in reservations)
    if qty > reserved:
        requests = _open_requests(session, order, part)
        requested = sum(r.quantity for r in requests)
        if qty > reserved + requested:
            raise ValidationFailed(
                N_("Order %(number)s has %(reserved)s × %(part)s reserved and %(requested)s requested; "
                   "%(quantity)s cannot be issued"), errors={"quantity": N_("More than reserved")},
                number=order.number, reserved=reserved, requested=requested, part=part.sku, quantity=qty)
        free = queries.free_by_location(session, order.center_id, part.id)
        if qty - reserved > sum(free.values()):
            raise ValidationFailed(
                N_("Only %(free)s × %(part)s free in stock besides the %(reserved)s reserved; the shortage "
                   "stays requested"), errors={"quantity": N_("Not in stock")}, free=sum(free.values()),
                part=part.sku, reserved=reserved)
        _fill_requests(session, actor, order, part, qty - reserved, requests, free)
        reservations = _active(session, order, part)
    moves, left = [], qty
    for reservation in reservations:
        if left == 0:
            break
        take = min(left, reservation.quantity)
        moves.append(journal.move_parts(session, actor, part, take, source=reservation.location, target=None,
                                        reason=MoveReason.ISSUE, order=order))
        if take == reservation.quantity:
            reservation.state = ReservationState.ISSUED
        else:  # a partial issue: the issued part becomes its own (issued) reservation, the rest stays
            reservation.quantity -= take
            session.add(Reservation(part_id=part.id, order_id=order.id, location_id=reservation.location_id,
                                    quantity=take, state=ReservationState.ISSUED))
        left -= take
    record_event(session, actor=actor, kind=EventKind.PARTS, order=order, to_value=f"{part.sku} × {qty}",
                 action="issued", message=PARTS_ISSUED, params={"count": qty, "part": part.sku})
    session.flush()
    return moves


@dataclass(frozen=True)
class PickItem:
    """One part of an order's pick list: reserved (to pick now), requested (short), issued, and
    where the center has it."""

    part: Part
    reserved: int
    requested: int
    issued: int
    free: int
    places: tuple[tuple[str, int], ...]  # (location code, on hand), fullest first

    @property
    def short(self) -> int:
        """Requested and not in free stock: what the warehouse has yet to find."""
        return max(0, self.requested - self.free)


def get_pick_list(session: Session, order: RepairOrder) -> list[PickItem]:
    """The order's parts as the warehouse picks them, by part."""
    held = session.execute(select(Reservation.part_id, Reservation.state, func.sum(Reservation.quantity))
                           .where(Reservation.order_id == order.id,
                                  Reservation.state.in_([ReservationState.ACTIVE, ReservationState.ISSUED]))
                           .group_by(Reservation.part_id, Reservation.state))
    figures: dict[int, dict[str, int]] = {}
    for part_id, state, qty in held:
        figures.setdefault(part_id, {})[state.value] = int(qty)
    asked = session.execute(select(PartRequest.part_id, func.sum(PartRequest.quantity))
                            .where(PartRequest.order_id == order.id, PartRequest.state == PartRequestState.OPEN)
                            .group_by(PartRequest.part_id))
    for part_id, qty in asked:
        figures.setdefault(part_id, {})["requested"] = int(qty)
    items = []
    for part_id, fig in sorted(figures.items()):
        part = session.get(Part, part_id)
        on_hand = queries.on_hand_by_location(session, order.center_id, part_id)
        codes = {loc.id: loc.code for loc in session.scalars(select(Location).where(Location.id.in_(on_hand)))}
        places = tuple(sorted(((codes[loc], q) for loc, q in on_hand.items()), key=lambda p: (-p[1], p[0])))
        items.append(PickItem(part, fig.get("active", 0), fig.get("requested", 0), fig.get("issued", 0),
                              queries.free_quantity(session, order.center_id, part_id), places))
    return items


@dataclass(frozen=True)
class PickOrder:
    number: str
    state: str
    reserved: int
    requested: int


def list_pick_orders(session: Session, center_id: int, limit: int = 200) -> list[PickOrder]:
    """Orders of the center with parts to pick (active reservations) or to find (open requests)."""
    reserved = dict(session.execute(
        select(Reservation.order_id, func.sum(Reservation.quantity))
        .join(RepairOrder, RepairOrder.id == Reservation.order_id)
        .where(RepairOrder.center_id == center_id, Reservation.state == ReservationState.ACTIVE)
        .group_by(Reservation.order_id)).all())
    requested = dict(session.execute(
        select(PartRequest.order_id, func.sum(PartRequest.quantity))
        .where(PartRequest.center_id == center_id, PartRequest.state == PartRequestState.OPEN)
        .group_by(PartRequest.order_id)).all())
    ids = set(reserved) | set(requested)
    if not ids:
        return []
    rows = session.execute(select(RepairOrder.id, RepairOrder.number, RepairOrder.state)
                           .where(RepairOrder.id.in_(ids)).order_by(RepairOrder.created_at).limit(limit))
    return [PickOrder(number, state.value, int(reserved.get(oid, 0)), int(requested.get(oid, 0)))
            for oid, number, state in rows]


# --- Defective parts kept for the manufacturer -----------------------------------------------------

DEFECTIVE_KEPT = N_("%(count)s × %(part)s removed and kept for the manufacturer (%(location)s)")
DEFECTIVE_ROLES = frozenset({Role.ENGINEER, Role.TEAM_LEAD, *PARTNER_ROLES, Role.WAREHOUSE, Role.ADMIN})


def keep_defective_part(session: Session, actor: User, order: RepairOrder, part: Part, quantity: object,
                        note: str = "") -> StockMove:
    """A defective part taken out of the unit (a warranty repair) goes to the center's "for the
    manufacturer" place, tied to the order, until it is shipped back."""
    check_clerk(actor, order.center_id, DEFECTIVE_ROLES)
    if order.state not in PARTS_STATES:
        raise ValidationFailed(N_("Order %(number)s is not being repaired: no parts are taken out of it now"),
                               number=order.number)
    if order.warranty_covered is not True:
        raise ValidationFailed(N_("Only a warranty repair's removed parts are kept for the manufacturer; in a paid "
                                  "repair the old part is the customer's"), number=order.number)
    qty = quantity_of(quantity, 100)
    place = defective_location(session, order.center_id)
    move = journal.move_parts(session, actor, part, qty, source=None, target=place, reason=MoveReason.DEFECTIVE,
                              order=order, note=note)
    record_event(session, actor=actor, kind=EventKind.PARTS, order=order, to_value=f"{part.sku} × {qty}",
                 action="defective", message=DEFECTIVE_KEPT,
                 params={"count": qty, "part": part.sku, "location": place.code})
    session.flush()
    return move


def list_defective_parts(session: Session, order: RepairOrder) -> list[StockMove]:
    """The parts taken out of the order's unit and kept for the manufacturer, oldest first."""
    return list(session.scalars(select(StockMove).where(
        StockMove.order_id == order.id, StockMove.reason == MoveReason.DEFECTIVE, StockMove.part_id.is_not(None))
        .order_by(StockMove.id)))


# --- Where is it ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Whereabouts:
    unit: Unit
    location: Location | None
    order: RepairOrder | None
    trail: list[StockMove]


def get_whereabouts(session: Session, unit: Unit, center_id: int | None) -> Whereabouts:
    """A unit's current location, its open order and the trail of its moves (oldest first)."""
    return Whereabouts(unit, unit.location, open_order_of(session, unit.id, center_id),
                       journal.unit_trail(session, unit.id))


@dataclass(frozen=True)
class ShelfContents:
    parts: list[tuple[Part, int]]  # (part, on hand), by SKU
    units: list[Unit]


def get_shelf_contents(session: Session, location: Location) -> ShelfContents:
    """What the journal says is on a shelf (or in a warehouse outside its shelves)."""
    from servicecenter.stock.models import StockLevel

    rows = session.execute(select(Part, StockLevel.quantity).join(StockLevel, StockLevel.part_id == Part.id)
                           .where(StockLevel.location_id == location.id, StockLevel.quantity > 0).order_by(Part.sku))
    units = session.scalars(select(Unit).where(Unit.location_id == location.id).order_by(Unit.serial).limit(500))
    return ShelfContents([(part, int(qty)) for part, qty in rows], list(units))


def get_part_stock(session: Session, center_id: int, part: Part) -> list[tuple[Location, int]]:
    """Where the center has a part: (location, on hand), fullest first."""
    on_hand = queries.on_hand_by_location(session, center_id, part.id)
    places = {loc.id: loc for loc in session.scalars(select(Location).where(Location.id.in_(on_hand)))}
    return sorted(((places[loc], qty) for loc, qty in on_hand.items()), key=lambda p: (-p[1], p[0].code))
