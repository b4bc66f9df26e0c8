"""Shipments as the logistics clerk lists and opens them; missing items not yet settled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.centers.models import CenterKind, Location, LocationKind, ServiceCenter
from servicecenter.equipment.models import Unit
from servicecenter.errors import N_, NotFound
from servicecenter.paging import Page, paginate
from servicecenter.repairs.models import RepairOrder
from servicecenter.scanning import normalise_scan
from servicecenter.scoping import get_scope, lifted
from servicecenter.shipments.models import ItemState, Shipment, ShipmentItem, ShipmentState
from servicecenter.stock.models import Part

DIRECTIONS = ("out", "in")


def item_options():  # noqa: ANN201
    """Load a shipment's lines with their unit, part and order (no query per line)."""
    return selectinload(Shipment.items).options(
        joinedload(ShipmentItem.unit).options(joinedload(Unit.manufacturer), joinedload(Unit.model)),
        joinedload(ShipmentItem.part), joinedload(ShipmentItem.order))


unwalled = lifted  # one read of a shipment's own contents past the partner wall (see `load_lines`)


def load_lines(session: Session, shipment: Shipment) -> list[ShipmentItem]:
    """The lines of a shipment the session can see, with their units, parts and orders, in two queries.

    A partner at either end sees the whole content of the shipment, including units and orders of the
    other center: the packing list travels in the box, and a partner receives units by their serials.
    Only this shipment's lines are read past the wall (the shipment itself was found through it).
    """
    _reload(session, shipment, item_options())
    return list(shipment.items)


def _reload(session: Session, shipment: Shipment, *options: object) -> None:
    # Both ends and the transit location every time: a reload must not leave them to a walled lazy load.
    with unwalled(session):
        session.scalars(select(Shipment).where(Shipment.id == shipment.id)
                        .options(joinedload(Shipment.from_location), joinedload(Shipment.to_location),
                                 joinedload(Shipment.transit_location), *options)
                        .execution_options(populate_existing=True)).one()


def get_shipment(session: Session, number: str, *, with_items: bool = True) -> Shipment:
    """A shipment by its number (typed or scanned), as the session's scope sees it; NotFound otherwise.
    A scan does not need the lines (`with_items=False`): a 500-line shipment is not read per scan."""
    code = normalise_scan(number)
    shipment = session.scalar(select(Shipment).where(Shipment.number == code))
    if shipment is None:
        raise NotFound(N_("No shipment %(number)s"), number=code[:40])
    # Both ends are part of the shipment: a partner sees where it comes from and goes to.
    _reload(session, shipment, *([item_options()] if with_items else []))
    return shipment


def find_line(session: Session, shipment: Shipment, code: str) -> ShipmentItem | None:
    """The unit line of a shipment whose serial or order number (the unit label) is `code`."""
    with unwalled(session):
        return session.scalars(
            select(ShipmentItem).join(Unit, Unit.id == ShipmentItem.unit_id)
            .outerjoin(RepairOrder, RepairOrder.id == ShipmentItem.order_id)
            .where(ShipmentItem.shipment_id == shipment.id, or_(Unit.serial == code, RepairOrder.number == code))
            .options(joinedload(ShipmentItem.unit), joinedload(ShipmentItem.order))
            .order_by(ShipmentItem.id).limit(1)).first()


def list_origins(session: Session, center_id: int | None) -> list[Location]:
    """Where a shipment may leave from: a center's warehouses and its defective-parts store (not shelves:
    a shipment from a warehouse takes items from its shelves too); every center's when `center_id` is None."""
    query = select(Location).where(Location.kind.in_([LocationKind.WAREHOUSE, LocationKind.DEFECTIVE]),
                                   Location.active.is_(True), Location.center_id.is_not(None))
    if center_id is not None:
        query = query.where(Location.center_id == center_id)
    return list(session.scalars(query.order_by(Location.code)))


def list_destinations(session: Session, center_id: int | None) -> list[Location]:
    """Where a center may send a shipment: the warehouses of the network's own centers and of the
    center itself, and the manufacturers' locations; the network's own staff also to the partners'
    warehouses (a routed unit travels there). A partner never sees another partner's warehouse."""
    walled = get_scope(session).is_walled
    reachable = select(ServiceCenter.id).where(ServiceCenter.kind == CenterKind.OWN if walled
                                               else ServiceCenter.active.is_(True))
    with unwalled(session):
        return list(session.scalars(
            select(Location).where(Location.active.is_(True), or_(
                Location.kind == LocationKind.MANUFACTURER,
                (Location.kind == LocationKind.WAREHOUSE) & (Location.center_id.in_(reachable) | (Location.center_id ==
                                                                                              center_id))))
            .order_by(Location.code)))


def get_destination(session: Session, location_id: int, center_id: int | None) -> Location:
    """One of `list_destinations`; NotFound otherwise."""
    found = next((loc for loc in list_destinations(session, center_id) if loc.id == location_id), None)
    if found is None:
        raise NotFound(N_("No such destination"))
    return found


@dataclass(frozen=True)
class ShipmentRow:
    """One line of the shipments list."""

    number: str
    state: ShipmentState
    origin: str
    destination: str
    outgoing: bool
    carrier: str
    tracking: str
    created_at: datetime
    dispatched_at: datetime | None
    received_at: datetime | None
    items: int
    missing: int


def _filtered(query, center_id: int | None, state: str, direction: str, search: str):  # noqa: ANN001, ANN202
    """The shipments list's filters on a query of Shipment: the center's end, state, direction, search."""
    if center_id is not None:
        if direction == "out":
            query = query.where(Shipment.from_center_id == center_id)
        elif direction == "in":
            query = query.where(Shipment.to_center_id == center_id)
        else:
            query = query.where(or_(Shipment.from_center_id == center_id, Shipment.to_center_id == center_id))
    if state in {s.value for s in ShipmentState}:
        query = query.where(Shipment.state == ShipmentState(state))
    text = (search or "").strip()
    if text:
        like = f"%{text[:60].upper()}%"
        places = select(Location.id).where(or_(Location.code.like(like), func.upper(Location.name).like(like)))
        query = query.where(or_(Shipment.number.like(like), func.upper(Shipment.tracking).like(like),
                                Shipment.from_location_id.in_(places), Shipment.to_location_id.in_(places)))
    return query.order_by(Shipment.created_at.desc(), Shipment.id.desc())


def _rows(session: Session, center_id: int | None, rows: list[tuple[Shipment, int, int]]) -> list[ShipmentRow]:
    # The other end's warehouse is behind a partner's wall: the center it belongs to names it instead.
    ends = {c for s, _i, _m in rows
            for c, loc in ((s.from_center_id, s.from_location), (s.to_center_id, s.to_location))
            if loc is None and c is not None}
    codes = {c.id: c.name for c in session.scalars(select(ServiceCenter).where(ServiceCenter.id.in_(ends)))} if ends else {}

    def place(location: Location | None, center_id: int | None) -> str:
        return _place(location) if location is not None or center_id not in codes else codes[center_id]

    return [ShipmentRow(s.number, s.state, place(s.from_location, s.from_center_id),
                        place(s.to_location, s.to_center_id),
                        center_id is not None and s.from_center_id == center_id, s.carrier, s.tracking, s.created_at,
                        s.dispatched_at, s.received_at, int(items), int(missing))
            for s, items, missing in rows]


def _counts():  # noqa: ANN202
    # Correlated counts: only the listed shipments' lines are counted (an index on shipment_id).
    lines = select(func.count()).where(ShipmentItem.shipment_id == Shipment.id).scalar_subquery()
    missing = (select(func.count()).where(ShipmentItem.shipment_id == Shipment.id,
                                          ShipmentItem.state == ItemState.MISSING).scalar_subquery())
    return lines, missing


def list_shipments(session: Session, center_id: int | None, *, state: str = "", direction: str = "",
                   search: str = "", limit: int = 100) -> list[ShipmentRow]:
    """A center's shipments (all of the network's when `center_id` is None), newest first, filtered by state,
    direction (out: sent by the center, in: coming to it) and a number/tracking/location search."""
    # No aliased Location joins: the partner wall's criteria apply to plain entities and relationship loads
    # (the other end's location is simply not loaded for a partner).
    query = (select(Shipment, *_counts())
             .options(joinedload(Shipment.from_location), joinedload(Shipment.to_location)))
    rows = list(session.execute(_filtered(query, center_id, state, direction, search).limit(limit)).unique())
    return _rows(session, center_id, rows)


def page_shipments(session: Session, center_id: int | None, *, state: str = "", direction: str = "",
                   search: str = "", page: int = 1, per_page: int = 50) -> Page[ShipmentRow]:
    """`list_shipments` one page at a time, with the count of every match (the API's list)."""
    found = paginate(session, _filtered(select(Shipment.id), center_id, state, direction, search), page, per_page)
    rows: list[tuple[Shipment, int, int]] = []
    if found.items:
        query = (select(Shipment, *_counts()).where(Shipment.id.in_(found.items))
                 .options(joinedload(Shipment.from_location), joinedload(Shipment.to_location))
                 .order_by(Shipment.created_at.desc(), Shipment.id.desc()))
        rows = list(session.execute(query).unique())
    return Page(_rows(session, center_id, rows), found.page, found.per_page, found.total, found.exact)


def _place(location: Location | None) -> str:
    return f"{location.code} {location.name}" if location is not None else "—"


@dataclass(frozen=True)
class MissingLine:
    """An item that did not arrive and is not settled yet: where to look for it."""

    shipment: str
    item_id: int
    code: str
    quantity: int
    order_number: str
    received_at: datetime | None


def list_unresolved_missing(session: Session, center_id: int | None, limit: int = 200) -> list[MissingLine]:
    """Missing lines of received shipments to or from a center, oldest first: nothing is forgotten."""
    query = (select(ShipmentItem).join(Shipment, Shipment.id == ShipmentItem.shipment_id)
             .where(ShipmentItem.state == ItemState.MISSING)
             .options(joinedload(ShipmentItem.shipment), joinedload(ShipmentItem.unit),
                      joinedload(ShipmentItem.part), joinedload(ShipmentItem.order))
             .order_by(Shipment.received_at, ShipmentItem.id).limit(limit))
    if center_id is not None:
        query = query.where(or_(Shipment.from_center_id == center_id, Shipment.to_center_id == center_id))
    lines = []
    for item in session.scalars(query):
        code = item.unit.serial if item.unit else (item.part.sku if item.part else "")
        lines.append(MissingLine(item.shipment.number, item.id, code, item.quantity - item.received_quantity,
                                 item.order.number if item.order else "", item.shipment.received_at))
    return lines


@dataclass(frozen=True)
class DiscrepancyLine:
    item_id: int
    kind: str  # "unit" or "part"
    code: str  # serial or SKU
    name: str
    order_number: str
    sent: int
    received: int
    state: ItemState
    note: str

    @property
    def short(self) -> int:
        return max(0, self.sent - self.received) if self.state != ItemState.UNEXPECTED else 0


@dataclass(frozen=True)
class DiscrepancyReport:
    """What was sent against what arrived: the accepted, missing and unexpected lines."""

    number: str
    lines: tuple[DiscrepancyLine, ...]

    def _of(self, *states: ItemState) -> tuple[DiscrepancyLine, ...]:
        return tuple(line for line in self.lines if line.state in states)

    @property
    def accepted(self) -> tuple[DiscrepancyLine, ...]:
        return self._of(ItemState.RECEIVED, ItemState.FOUND)

    @property
    def missing(self) -> tuple[DiscrepancyLine, ...]:
        return tuple(line for line in self.lines if line.state in (ItemState.MISSING, ItemState.LOST)
                     and line.short)

    @property
    def unexpected(self) -> tuple[DiscrepancyLine, ...]:
        return self._of(ItemState.UNEXPECTED)

    @property
    def clean(self) -> bool:
        return not self.missing and not self.unexpected


def get_discrepancy_report(session: Session, shipment: Shipment) -> DiscrepancyReport:
    """The shipment's lines as plain rows (one query, no ORM objects: a 500-line page stays fast), read past
    the partner wall like the packing list."""
    query = (select(ShipmentItem.id, Unit.serial, Manufacturer.name, ProductModel.name, Part.sku, Part.name,
                    RepairOrder.number, ShipmentItem.quantity, ShipmentItem.received_quantity, ShipmentItem.state,
                    ShipmentItem.note)
             .outerjoin(Unit, Unit.id == ShipmentItem.unit_id)
             .outerjoin(Manufacturer, Manufacturer.id == Unit.manufacturer_id)
             .outerjoin(ProductModel, ProductModel.id == Unit.model_id)
             .outerjoin(Part, Part.id == ShipmentItem.part_id)
             .outerjoin(RepairOrder, RepairOrder.id == ShipmentItem.order_id)
             .where(ShipmentItem.shipment_id == shipment.id).order_by(ShipmentItem.id))
    with unwalled(session):
        rows = session.execute(query).all()
    lines = [DiscrepancyLine(item_id, "unit" if serial is not None else "part",
                             serial if serial is not None else (sku or ""),
                             f"{maker} {model}" if serial is not None else (part_name or ""), number or "",
                             quantity, received, state, note or "")
             for item_id, serial, maker, model, sku, part_name, number, quantity, received, state, note in rows]
    return DiscrepancyReport(shipment.number, tuple(lines))
