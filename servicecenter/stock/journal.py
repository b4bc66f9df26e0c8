"""The journal of stock moves: the only code that writes `StockMove` rows and the `StockLevel` cache.

Parts: a move decrements its source's level with one conditional UPDATE (`quantity >= :q`), so two
clerks taking the last part are served one after the other by the database and the second is
refused; it increments its target with an upsert. Units: one at a time, the unit's `location_id`
is the cache of its last move (the unit's version column catches two moves racing).
`check_stock` recomputes both caches from the journal and lists where they disagree.

The statements on `stock_levels` are Core statements on purpose: the partner wall is the caller's
business (it loaded the part, the locations and the order through its own scope), and a partner
receiving a shipment takes parts out of a transit location that belongs to no center.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.exc import StaleDataError

from servicecenter.accounts.models import User
from servicecenter.centers.models import Location
from servicecenter.clock import utcnow
from servicecenter.equipment.models import Unit
from servicecenter.errors import N_, ConcurrentUpdate, ValidationFailed
from servicecenter.repairs.history import record_event
from servicecenter.repairs.models import EventKind, RepairOrder
from servicecenter.shipments.models import Shipment
from servicecenter.stock.models import MoveReason, Part, StockLevel, StockMove

MAX_MOVE = 100_000
_LEVELS = StockLevel.__table__

NOT_ENOUGH = N_("Only %(on_hand)s of %(part)s at %(location)s; %(quantity)s cannot be taken from there")
UNIT_MOVED_MEANWHILE = N_("Unit %(serial)s was moved by someone else a moment ago; scan it again")


def _quantity(quantity: object) -> int:
    try:
        qty = int(str(quantity).strip())
    except (TypeError, ValueError):
        qty = 0
    if not 0 < qty <= MAX_MOVE:
        raise ValidationFailed(N_("The quantity must be a whole number from 1 to %(max)s"),
                               errors={"quantity": N_("From 1 to %(max)s")}, max=MAX_MOVE)
    return qty


def on_hand(session: Session, location_id: int, part_id: int) -> int:
    """The cached quantity of a part at one location (0 when it never had any)."""
    value = session.execute(select(_LEVELS.c.quantity).where(
        _LEVELS.c.location_id == location_id, _LEVELS.c.part_id == part_id)).scalar()
    return int(value or 0)


def _take(session: Session, part: Part, location: Location, qty: int) -> None:
    result = session.execute(
        update(_LEVELS).where(_LEVELS.c.location_id == location.id, _LEVELS.c.part_id == part.id,
                              _LEVELS.c.quantity >= qty)
        .values(quantity=_LEVELS.c.quantity - qty))
    if result.rowcount != 1:
        raise ValidationFailed(NOT_ENOUGH, errors={"quantity": N_("Not enough stock")},
                               on_hand=on_hand(session, location.id, part.id), part=part.sku,
                               location=location.code, quantity=qty)


def _put(session: Session, part: Part, location: Location, qty: int) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(_LEVELS).values(location_id=location.id, part_id=part.id, quantity=qty)
    stmt = stmt.on_conflict_do_update(index_elements=[_LEVELS.c.location_id, _LEVELS.c.part_id],
                                      set_={"quantity": _LEVELS.c.quantity + stmt.excluded.quantity})
    session.execute(stmt)


def move_parts(session: Session, actor: User | None, part: Part, quantity: object, *, source: Location | None,
               target: Location | None, reason: MoveReason, order: RepairOrder | None = None,
               shipment: Shipment | None = None, note: str = "") -> StockMove:
    """Move a quantity of a part from `source` to `target` (None = outside the network): one journal
    line, the levels updated; refused with the quantity on hand when the source has too little."""
    qty = _quantity(quantity)
    if source is None and target is None:
        raise ValidationFailed(N_("A move needs a place to take from or to put to"))
    if source is not None and target is not None and source.id == target.id:
        raise ValidationFailed(N_("%(part)s is already at %(location)s"), part=part.sku, location=source.code)
    session.flush()  # the locations, the part and the order have ids
    if source is not None:
        _take(session, part, source, qty)  # first: a refusal leaves nothing written
    if target is not None:
        _put(session, part, target, qty)
    move = StockMove(part_id=part.id, quantity=qty, from_location_id=source.id if source else None,
                     to_location_id=target.id if target else None, reason=reason,
                     actor_id=actor.id if actor else None, order_id=order.id if order else None,
                     shipment_id=shipment.id if shipment else None, note=(note or "")[:2000])
    session.add(move)
    session.flush()
    return move


def move_unit(session: Session, actor: User | None, unit: Unit, target: Location, reason: MoveReason, *,
              order: RepairOrder | None = None, shipment: Shipment | None = None, note: str = "",
              history: bool = True) -> StockMove:
    """Move one unit from where it is to `target`: a journal line, the unit's location, and a history
    event on `order` when given (from and to location codes; `history=False` when the caller's own
    event already says it, e.g. the order's creation at the counter)."""
    if unit.location_id is not None and unit.location_id == target.id:
        raise ValidationFailed(N_("Unit %(serial)s is already at %(location)s"), serial=unit.serial,
                               location=target.code)
    before = unit.location
    serial = unit.serial
    move = StockMove(unit_id=unit.id, quantity=1, from_location_id=unit.location_id, to_location_id=target.id,
                     reason=reason, actor_id=actor.id if actor else None, order_id=order.id if order else None,
                     shipment_id=shipment.id if shipment else None, note=(note or "")[:2000])
    session.add(move)
    unit.location = target
    if order is not None and history:
        record_event(session, actor=actor, kind=EventKind.LOCATION, order=order,
                     from_value=before.code if before else None, to_value=target.code, reason=reason.value,
                     shipment=shipment.number if shipment else None)
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConcurrentUpdate(UNIT_MOVED_MEANWHILE, serial=serial) from exc
    return move


def move_units(session: Session, actor: User | None, moves: Sequence[tuple[Unit, RepairOrder | None]],
               target: Location, reason: MoveReason, *, shipment: Shipment | None = None, note: str = "",
               history: bool = True) -> int:
    """Move many units to one `target` set-based (a shipment's dispatch or receipt): one UPDATE of the
    units per source location (refused as a whole if any unit moved meanwhile), the journal lines and
    the orders' LOCATION events as batched INSERTs. The number of units moved."""
    if not moves:
        return 0
    units = [unit for unit, _order in moves]
    if len({unit.id for unit in units}) != len(units):
        raise ValidationFailed(N_("The same unit is listed twice"))
    here = next((unit for unit in units if unit.location_id == target.id), None)
    if here is not None:
        raise ValidationFailed(N_("Unit %(serial)s is already at %(location)s"), serial=here.serial,
                               location=target.code)
    session.flush()
    sources: dict[int | None, list[Unit]] = defaultdict(list)
    for unit in units:
        sources[unit.location_id].append(unit)
    codes = {loc.id: loc.code for loc in session.scalars(
        select(Location).where(Location.id.in_([k for k in sources if k is not None])))}
    table = Unit.__table__
    for source_id, group in sources.items():
        ids = [unit.id for unit in group]
        where_from = table.c.location_id.is_(None) if source_id is None else table.c.location_id == source_id
        done = session.execute(update(table).where(table.c.id.in_(ids), where_from)
                               .values(location_id=target.id, version=table.c.version + 1)).rowcount
        if done != len(ids):
            raise ConcurrentUpdate(N_("Some of these units were moved by someone else a moment ago; scan them "
                                      "again"))
    at = utcnow()
    session.execute(insert(StockMove), [
        {"at": at, "unit_id": unit.id, "quantity": 1, "from_location_id": unit.location_id,
         "to_location_id": target.id, "reason": reason, "actor_id": actor.id if actor else None,
         "order_id": order.id if order else None, "shipment_id": shipment.id if shipment else None,
         "note": (note or "")[:2000]} for unit, order in moves])
    if history:
        for unit, order in moves:
            if order is not None:
                record_event(session, actor=actor, kind=EventKind.LOCATION, order=order,
                             from_value=codes.get(unit.location_id), to_value=target.code, reason=reason.value,
                             shipment=shipment.number if shipment else None)
    for unit in units:  # the rows changed behind the ORM's back: read them again when next used
        session.expire(unit, ["location_id", "location", "version"])
    session.flush()
    return len(units)


def unit_trail(session: Session, unit_id: int) -> list[StockMove]:
    """Every move of a unit, oldest first, with both locations loaded."""
    return list(session.scalars(
        select(StockMove).where(StockMove.unit_id == unit_id)
        .options(joinedload(StockMove.from_location), joinedload(StockMove.to_location))
        .order_by(StockMove.at, StockMove.id)))


@dataclass(frozen=True)
class Disagreement:
    """A cached figure that is not what the journal says. `kind` is "part" or "unit"."""

    kind: str
    location_id: int | None
    item_id: int  # the part or the unit
    journal: int | None  # parts: the journal's quantity; units: the location of the last move
    cached: int | None  # parts: the level; units: the unit's location_id

    def describe(self) -> str:
        if self.kind == "part":
            return (f"part {self.item_id} at location {self.location_id}: journal {self.journal}, "
                    f"stock level {self.cached}")
        return f"unit {self.item_id}: last move to location {self.journal}, unit says {self.cached}"


def journal_levels(session: Session) -> dict[tuple[int, int], int]:
    """(location_id, part_id) → quantity as the journal sums it (moves in minus moves out)."""
    totals: dict[tuple[int, int], int] = defaultdict(int)
    for column, sign in ((StockMove.to_location_id, 1), (StockMove.from_location_id, -1)):
        rows = session.execute(select(column, StockMove.part_id, func.sum(StockMove.quantity))
                               .where(StockMove.part_id.is_not(None), column.is_not(None))
                               .group_by(column, StockMove.part_id))
        for location_id, part_id, quantity in rows:
            totals[(location_id, part_id)] += sign * int(quantity or 0)
    return dict(totals)


def check_stock(session: Session) -> list[Disagreement]:
    """Recompute every stock level and every unit's location from the journal; the disagreements
    (empty when the caches and the journal agree). Run it unwalled (the CLI does)."""
    found: list[Disagreement] = []
    journal = journal_levels(session)
    cached = {(loc, part): qty for loc, part, qty in session.execute(
        select(_LEVELS.c.location_id, _LEVELS.c.part_id, _LEVELS.c.quantity))}
    for key in sorted(set(journal) | set(cached)):
        want, have = journal.get(key, 0), cached.get(key, 0)
        if want != have or want < 0:
            found.append(Disagreement("part", key[0], key[1], want, have))
    last = (select(StockMove.unit_id, func.max(StockMove.id).label("move_id"))
            .where(StockMove.unit_id.is_not(None)).group_by(StockMove.unit_id).subquery())
    rows = session.execute(
        select(Unit.id, Unit.location_id, StockMove.to_location_id)
        .outerjoin(last, last.c.unit_id == Unit.id).outerjoin(StockMove, StockMove.id == last.c.move_id)
        .where((last.c.move_id.is_not(None)) | Unit.location_id.is_not(None)).order_by(Unit.id))
    for unit_id, location_id, moved_to in rows:
        if location_id != moved_to:
            found.append(Disagreement("unit", location_id, unit_id, moved_to, location_id))
    return found
