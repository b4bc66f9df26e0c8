"""Inventory counts (инвентаризация) that run while the warehouse keeps working.

A count covers a shelf, or a warehouse with its shelves. The clerk scans what is there; nothing is
frozen at the start. Each line remembers the last journal move at the moment it was scanned
(`mark`), so the quantity expected for it is the stock *at that moment*: the current level minus
what moved in or out of that place since. Confirming then adjusts by (counted − expected then),
applied to today's level: a part issued from a shelf after the clerk counted it is not a shortage,
and a delivery shelved after the count saw the shelf is not a surplus. A place where nothing of a
part was scanned is taken as seen when the clerk last scanned anything there (or, if nothing, when
the count started). Each adjustment is one journal move (reason ADJUSTMENT, the count's reason in
its note). Units: a unit scanned here that the journal places elsewhere is moved here; a unit the
journal places here that nobody scanned (and that did not arrive during the count) is reported as
missing and left where the journal says, for someone to look for — a serialised unit does not
disappear from the registry by an adjustment.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.centers.models import Location, LocationKind
from servicecenter.clock import utcnow
from servicecenter.equipment.models import Unit
from servicecenter.errors import N_, StateConflict, ValidationFailed
from servicecenter.stock import journal
from servicecenter.stock.count_models import CountLine, CountState, InventoryCount
from servicecenter.stock.identify import Identified, open_order_of
from servicecenter.stock.models import MoveReason, Part, StockLevel, StockMove
from servicecenter.stock.warehouse import check_clerk, quantity_of, stock_place

MAX_REASON = 500


def _mark(session: Session) -> int:
    return int(session.scalar(select(func.max(StockMove.id))) or 0)


def scope_ids(session: Session, count: InventoryCount) -> list[int]:
    """The counted places: the location, and its shelves when it is a warehouse."""
    ids = [count.location_id]
    if count.location.kind == LocationKind.WAREHOUSE:
        ids += list(session.scalars(select(Location.id).where(Location.parent_id == count.location_id,
                                                              Location.kind == LocationKind.SHELF)))
    return ids


def start_count(session: Session, actor: User, center_id: int, location: Location) -> InventoryCount:
    """Start counting a shelf or a warehouse; the open count of that place if there is one already."""
    check_clerk(actor, center_id)
    place = stock_place(location, center_id)
    existing = session.scalar(select(InventoryCount).where(InventoryCount.location_id == place.id,
                                                           InventoryCount.state == CountState.OPEN))
    if existing is not None:
        return existing
    count = InventoryCount(center_id=center_id, location_id=place.id, mark=_mark(session), started_by_id=actor.id)
    session.add(count)
    session.flush()
    return count


def _check_open(count: InventoryCount) -> None:
    if count.state != CountState.OPEN:
        raise StateConflict(N_("This count is %(current)s; nothing more can be scanned or confirmed"),
                            current=count.state.value, allowed=[CountState.OPEN.value])


@dataclass(frozen=True)
class Counted:
    """What a scan did to the count. `again`: the item was already on a line (one line, told so)."""

    line: CountLine
    again: bool


def count_scanned(session: Session, actor: User, count: InventoryCount, found: Identified, at: Location | None,
                  quantity: object = 1) -> Counted:
    """Count a scanned unit or part at `at` (a place of the count; the counted location by default).
    A unit scanned twice stays one line; a part scanned again adds to its one line."""
    check_clerk(actor, count.center_id)
    _check_open(count)
    place = at or count.location
    if place.id not in scope_ids(session, count):
        raise ValidationFailed(N_("%(code)s is not part of this count"), code=place.code)
    mark = _mark(session)
    if found.unit is not None and found.part is None:
        line = session.scalar(select(CountLine).where(CountLine.count_id == count.id,
                                                      CountLine.unit_id == found.unit.id))
        if line is not None:
            return Counted(line, True)
        line = CountLine(count_id=count.id, location_id=place.id, unit_id=found.unit.id, quantity=1, mark=mark)
        session.add(line)
        session.flush()
        return Counted(line, False)
    if found.part is None:
        raise ValidationFailed(N_("Scan a unit or a part to count; %(code)s is neither"), code=found.code)
    qty = quantity_of(quantity)
    line = session.scalar(select(CountLine).where(CountLine.count_id == count.id, CountLine.location_id == place.id,
                                                  CountLine.part_id == found.part.id))
    if line is not None:
        line.quantity += qty
        line.mark, line.scanned_at = mark, utcnow()
        session.flush()
        return Counted(line, True)
    line = CountLine(count_id=count.id, location_id=place.id, part_id=found.part.id, quantity=qty, mark=mark)
    session.add(line)
    session.flush()
    return Counted(line, False)


def set_counted(session: Session, actor: User, count: InventoryCount, line: CountLine, quantity: object) -> CountLine:
    """Correct a part line's counted quantity (0: none there after all)."""
    check_clerk(actor, count.center_id)
    _check_open(count)
    if line.count_id != count.id or line.part_id is None:
        raise ValidationFailed(N_("Only a part's quantity can be corrected"))
    raw = str(quantity).strip()
    qty = 0 if raw == "0" else quantity_of(raw)
    line.quantity, line.mark, line.scanned_at = qty, _mark(session), utcnow()
    session.flush()
    return line


@dataclass(frozen=True)
class CountRow:
    """Expected vs counted for one part at one place (`expected` as of when the count saw it)."""

    location: Location
    part: Part
    expected: int
    counted: int
    on_hand: int  # now

    @property
    def difference(self) -> int:
        return self.counted - self.expected

    @property
    def adjustment(self) -> int:
        """The move that confirming makes (never below what is there now)."""
        return max(self.difference, -self.on_hand)


@dataclass(frozen=True)
class UnitRow:
    unit: Unit
    expected_at: Location | None  # where the journal has it
    counted_at: Location | None  # where it was scanned; None: not found


@dataclass(frozen=True)
class CountReview:
    parts: list[CountRow]
    units: list[UnitRow]

    @property
    def differences(self) -> list[CountRow]:
        return [row for row in self.parts if row.adjustment != 0]

    @property
    def moved_units(self) -> list[UnitRow]:
        return [row for row in self.units if row.counted_at is not None and row.expected_at != row.counted_at]

    @property
    def missing_units(self) -> list[UnitRow]:
        return [row for row in self.units if row.counted_at is None]


def _moves_since(session: Session, places: list[int], part_ids: set[int],
                 mark: int) -> list[tuple[int, int, int, int]]:
    """(location, part, move id, signed quantity) of every journal move into or out of the places after `mark`."""
    if not part_ids:
        return []
    found = []
    for column, sign in ((StockMove.to_location_id, 1), (StockMove.from_location_id, -1)):
        rows = session.execute(select(column, StockMove.part_id, StockMove.id, StockMove.quantity)
                               .where(column.in_(places), StockMove.part_id.in_(part_ids), StockMove.id > mark))
        found += [(loc, part, move_id, sign * qty) for loc, part, move_id, qty in rows]
    return found


def review_count(session: Session, count: InventoryCount) -> CountReview:
    """Expected vs counted as of now, for every part and unit the journal or the count puts there."""
    places = scope_ids(session, count)
    lines = list(session.scalars(select(CountLine).where(CountLine.count_id == count.id)))
    levels = {(loc, part): qty for loc, part, qty in session.execute(
        select(StockLevel.location_id, StockLevel.part_id, StockLevel.quantity)
        .where(StockLevel.location_id.in_(places), StockLevel.quantity > 0))}
    counted = {(ln.location_id, ln.part_id): ln for ln in lines if ln.part_id is not None}
    # When the count last saw each place: its newest line there, else the count's start.
    seen = {loc: count.mark for loc in places}
    for ln in lines:
        seen[ln.location_id] = max(seen[ln.location_id], ln.mark)
    part_ids = {part for _, part in levels} | {part for _, part in counted}
    moves = _moves_since(session, places, part_ids, min([count.mark, *[ln.mark for ln in lines]]))
    locations = {loc.id: loc for loc in session.scalars(select(Location).where(Location.id.in_(places)))}
    parts = {p.id: p for p in session.scalars(select(Part).where(Part.id.in_(part_ids)))} if part_ids else {}
    rows = []
    for key in sorted(set(levels) | set(counted), key=lambda k: (locations[k[0]].code, parts[k[1]].sku)):
        loc, part = key
        line = counted.get(key)
        mark = line.mark if line is not None else seen[loc]
        since = sum(q for m_loc, m_part, move_id, q in moves if (m_loc, m_part) == key and move_id > mark)
        now = levels.get(key, 0)
        rows.append(CountRow(locations[loc], parts[part], now - since, line.quantity if line else 0, now))
    return CountReview(rows, _unit_rows(session, count, places, lines, locations))


def _unit_rows(session: Session, count: InventoryCount, places: list[int], lines: list[CountLine],
               locations: dict[int, Location]) -> list[UnitRow]:
    scanned = {ln.unit_id: ln for ln in lines if ln.unit_id is not None}
    here = list(session.scalars(select(Unit).where(Unit.location_id.in_(places))))
    arrived = set(session.scalars(select(StockMove.unit_id).where(
        StockMove.unit_id.in_([u.id for u in here]), StockMove.to_location_id.in_(places),
        StockMove.id > count.mark))) if here else set()
    units = {u.id: u for u in here}
    if scanned:
        units.update({u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(list(scanned))))})
    rows = []
    for unit in sorted(units.values(), key=lambda u: u.serial):
        line = scanned.get(unit.id)
        if line is None and unit.id in arrived:
            continue  # brought here while the count ran: not missing
        rows.append(UnitRow(unit, unit.location, locations[line.location_id] if line else None))
    return rows


def confirm_count(session: Session, actor: User, count: InventoryCount, reason: str) -> CountReview:
    """Close the count: one ADJUSTMENT move per difference (as of now) and per unit found elsewhere.
    Confirming twice (double click, two clerks) makes one set of moves."""
    check_clerk(actor, count.center_id)
    _check_open(count)
    review = review_count(session, count)
    reason = (reason or "").strip()[:MAX_REASON]
    if (review.differences or review.moved_units) and not reason:
        raise ValidationFailed(N_("Say why the stock is adjusted (e.g. annual count, damaged in storage)"),
                               errors={"reason": N_("Required")})
    # Only one confirmation wins: the state changes from open with one conditional UPDATE.
    won = session.execute(update(InventoryCount).where(InventoryCount.id == count.id,
                                                       InventoryCount.state == CountState.OPEN)
                          .values(state=CountState.CONFIRMED, closed_by_id=actor.id, closed_at=utcnow(),
                                  reason=reason).execution_options(synchronize_session=False)).rowcount
    if won != 1:
        raise StateConflict(N_("This count was confirmed a moment ago; nothing was adjusted twice"),
                            current=CountState.CONFIRMED.value, allowed=[])
    note = f"{count_title(count)}: {reason}"
    for row in review.differences:
        gain = row.adjustment > 0
        journal.move_parts(session, actor, row.part, abs(row.adjustment), source=None if gain else row.location,
                           target=row.location if gain else None, reason=MoveReason.ADJUSTMENT, note=note)
    for row in review.moved_units:
        assert row.counted_at is not None
        journal.move_unit(session, actor, row.unit, row.counted_at, MoveReason.ADJUSTMENT,
                          order=open_order_of(session, row.unit.id, count.center_id), note=note)
    session.refresh(count)
    return review


def cancel_count(session: Session, actor: User, count: InventoryCount) -> None:
    """Drop an open count; the stock stays as the journal says."""
    check_clerk(actor, count.center_id)
    _check_open(count)
    count.state, count.closed_by_id, count.closed_at = CountState.CANCELLED, actor.id, utcnow()
    session.flush()


def count_title(count: InventoryCount) -> str:
    return f"INV-{count.id} {count.location.code}"


def list_open_counts(session: Session, center_id: int) -> list[InventoryCount]:
    """The center's open counts, newest first."""
    return list(session.scalars(select(InventoryCount).where(
        InventoryCount.center_id == center_id, InventoryCount.state == CountState.OPEN)
        .order_by(case((InventoryCount.state == CountState.OPEN, 0), else_=1), InventoryCount.id.desc())))
