"""Units straight from production: a file of rows registered in bulk, each bad row rejected with its reason.

Rows are taken in chunks: the chunk's models and already registered serials are read in one query
each, new units inserted and changed ones updated in one statement each — so a production run of
100,000 units is a few hundred statements, not a few hundred thousand. A row never half-applies:
it is either written whole or rejected with a reason; a file imported twice changes nothing the
second time. Each unit it registers or completes gets an entry in its history (who imported it, what
changed), written a chunk at a time like the units.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.accounts.services import require_admin
from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.clock import utcnow
from servicecenter.customers.models import Customer
from servicecenter.customers.services import create_customer, normalise_phone
from servicecenter.equipment.models import Unit
from servicecenter.equipment.services import SERIAL_RE
from servicecenter.errors import N_, DomainError, ValidationFailed
from servicecenter.repairs.models import EventKind, RepairEvent

CHUNK = 2000
MAX_ROWS = 200_000
FIELDS = ("manufacturer", "model", "serial", "production_date", "warranty_start", "owner_name", "owner_phone")


@dataclass(frozen=True)
class Rejected:
    row: int  # 1-based data row (a CSV's header is not counted)
    serial: str
    reason: str  # an N_ template, translated at the edge
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.rejected)


@dataclass(frozen=True)
class _Row:
    row: int
    model: ProductModel
    serial: str
    production_date: date | None
    warranty_start: date | None
    owner_name: str
    owner_phone: str


def _text(raw: Any, limit: int) -> str:
    return " ".join(str(raw).split())[:limit] if isinstance(raw, str | int) and not isinstance(raw, bool) else ""


def _unstorable(text: str) -> bool:
    """A NUL or half a surrogate pair: no text column stores them (PostgreSQL refuses them outright)."""
    return "\x00" in text or any("\ud800" <= c <= "\udfff" for c in text)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def _day(raw: Any) -> date:
    if isinstance(raw, str) and len(raw.strip()) == 10:
        return date.fromisoformat(raw.strip())
    raise ValueError(raw)


class _Catalogue:
    """Manufacturers and models by name (any case), read once per import."""

    def __init__(self, session: Session) -> None:
        models = session.scalars(select(ProductModel).join(ProductModel.manufacturer)
                                 .where(ProductModel.active.is_(True), Manufacturer.active.is_(True))).all()
        self.brands = {m.manufacturer.name.casefold() for m in models}
        self.models = {(m.manufacturer.name.casefold(), m.name.casefold()): m for m in models}


def _parse(number: int, raw: Any, catalogue: _Catalogue, today: date) -> _Row | Rejected:
    """One row checked on its own (the serial's uniqueness is checked against the file and the registry)."""
    if not isinstance(raw, dict):
        return Rejected(number, "", N_("Not a row of fields"))
    if any(_unstorable(str(k)) or (isinstance(v, str) and _unstorable(v)) for k, v in raw.items()):
        return Rejected(number, "", N_("Contains a character that cannot be stored"))
    serial = "".join(_text(raw.get("serial"), 100).split()).upper()
    brand, name = _text(raw.get("manufacturer"), 120), _text(raw.get("model"), 120)
    if not brand or not name or not serial:
        missing = ", ".join(f for f, v in (("manufacturer", brand), ("model", name), ("serial", serial)) if not v)
        return Rejected(number, serial, N_("Missing: %(fields)s"), {"fields": missing})
    if not SERIAL_RE.match(serial):
        return Rejected(number, serial[:64], N_("Not a serial number"))
    if brand.casefold() not in catalogue.brands:
        return Rejected(number, serial, N_("Unknown manufacturer %(name)s"), {"name": brand})
    model = catalogue.models.get((brand.casefold(), name.casefold()))
    if model is None:
        return Rejected(number, serial, N_("Unknown model %(name)s of this manufacturer"), {"name": name})
    dates: dict[str, date | None] = {}
    for key in ("production_date", "warranty_start"):
        value = raw.get(key)
        if value in (None, ""):
            dates[key] = None
            continue
        try:
            dates[key] = _day(value)
        except ValueError:
            return Rejected(number, serial, N_("%(field)s is not a date (YYYY-MM-DD)"), {"field": key})
        if dates[key] > today:  # type: ignore[operator]
            return Rejected(number, serial, N_("%(field)s is in the future"), {"field": key})
    owner_name, owner_phone = _text(raw.get("owner_name"), 200), _text(raw.get("owner_phone"), 40)
    if owner_phone:
        try:
            owner_phone = normalise_phone(owner_phone)
        except DomainError:
            return Rejected(number, serial, N_("Not a phone number"))
        if not owner_name:
            return Rejected(number, serial, N_("Missing: %(fields)s"), {"fields": "owner_name"})
    elif owner_name:
        return Rejected(number, serial, N_("Missing: %(fields)s"), {"fields": "owner_phone"})
    return _Row(number, model, serial, dates["production_date"], dates["warranty_start"], owner_name, owner_phone)


def _chunks(rows: Iterable[Any]) -> Iterator[list[tuple[int, Any]]]:
    chunk: list[tuple[int, Any]] = []
    for number, raw in enumerate(rows, start=1):
        chunk.append((number, raw))
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _owners(session: Session, rows: list[_Row], cache: dict[str, int]) -> None:
    """Each owner by phone (and name): the customer already known, or a new one."""
    wanted = {r.owner_phone for r in rows if r.owner_phone and r.owner_phone not in cache}
    if wanted:
        for customer in session.scalars(select(Customer).where(Customer.phone.in_(wanted))):
            cache.setdefault(customer.phone, customer.id)
    for r in rows:
        if r.owner_phone and r.owner_phone not in cache:
            cache[r.owner_phone] = create_customer(session, name=r.owner_name, phone=r.owner_phone).id


def _event(unit_id: int, actor: User, now: Any, to_value: str, **details: Any) -> dict[str, Any]:
    """A unit's history entry for what an import did to it (one statement writes a chunk's worth)."""
    return {"order_id": None, "unit_id": unit_id, "at": now, "actor_id": actor.id, "kind": EventKind.FIELD,
            "from_value": None, "to_value": to_value, "details": {"field": "registration", "via": "import",
                                                                  **{k: v for k, v in details.items() if v}}}


def _apply(session: Session, rows: list[_Row], result: ImportResult, owners: dict[str, int], actor: User) -> None:
    units = Unit.__table__
    keys = [(r.model.manufacturer_id, r.serial) for r in rows]
    known = {(m, s): (uid, model_id, prod, purchase, owner, version) for uid, m, s, model_id, prod, purchase, owner,
             version in session.execute(select(units.c.id, units.c.manufacturer_id, units.c.serial, units.c.model_id,
                                               units.c.production_date, units.c.purchase_date, units.c.owner_id,
                                               units.c.version)
                                        # by serial (its index) and brand, not a row-value IN: PostgreSQL
                                        # compares a 2,000-pair list with every row (7 s a chunk at 100,000)
                                        .where(units.c.serial.in_(sorted({s for _m, s in keys})),
                                               units.c.manufacturer_id.in_(sorted({m for m, _s in keys}))))}
    _owners(session, rows, owners)
    now = utcnow()
    inserts, updates, events, fresh = [], [], [], []
    for r in rows:
        owner_id = owners.get(r.owner_phone) if r.owner_phone else None
        found = known.get((r.model.manufacturer_id, r.serial))
        if found is None:
            inserts.append({"manufacturer_id": r.model.manufacturer_id, "model_id": r.model.id, "serial": r.serial,
                            "production_date": r.production_date, "purchase_date": r.warranty_start,
                            "owner_id": owner_id, "seller": "", "notes": "", "created_at": now, "version": 1})
            fresh.append(r)
            continue
        uid, model_id, prod, purchase, owner, _version = found
        if model_id != r.model.id:
            result.rejected.append(Rejected(r.row, r.serial, N_("Serial %(serial)s is registered as another model"),
                                            {"serial": r.serial}))
            continue
        new = (r.production_date or prod, r.warranty_start or purchase, owner or owner_id)
        if new == (prod, purchase, owner):
            result.unchanged += 1
            continue
        updates.append({"b_id": uid, "production_date": new[0], "purchase_date": new[1], "owner_id": new[2]})
        changed = {name: [_iso(old), _iso(value)] for name, old, value in
                   (("production_date", prod, new[0]), ("warranty_start", purchase, new[1]))
                   if old != value}
        if owner != new[2]:
            changed["owner_phone"] = [None, r.owner_phone]
        events.append(_event(uid, actor, now, "completed", changed=changed))
    if inserts:
        # executemany with RETURNING in the rows' order (psycopg pipelines it): each new unit's id for its event
        created = session.execute(units.insert().returning(units.c.id, sort_by_parameter_order=True), inserts)
        for (uid,), r in zip(created, fresh, strict=True):
            events.append(_event(uid, actor, now, "registered", production_date=_iso(r.production_date),
                                 warranty_start=_iso(r.warranty_start), owner_phone=r.owner_phone))
        result.created += len(inserts)
    if updates:
        session.execute(update(units).where(units.c.id == bindparam("b_id"))
                        .values(production_date=bindparam("production_date"),
                                purchase_date=bindparam("purchase_date"), owner_id=bindparam("owner_id"),
                                version=units.c.version + 1), updates)
        result.updated += len(updates)
    if events:
        session.execute(RepairEvent.__table__.insert(), events)


def import_units(session: Session, actor: User, rows: Iterable[Any], today: date) -> ImportResult:
    """Register or complete units from production, row by row in chunks; bad rows are rejected with a reason.

    A row: manufacturer, model, serial, production_date?, warranty_start? (the purchase date the
    warranty runs from), owner_name? and owner_phone? (together). A known serial of the same model gets
    the dates and owner it lacked; a known serial of another model, or a serial twice in one file, is
    rejected."""
    require_admin(actor)
    session.flush()
    catalogue = _Catalogue(session)
    result = ImportResult()
    seen: dict[tuple[int, str], int] = {}
    owners: dict[str, int] = {}
    for chunk in _chunks(rows):
        if chunk[-1][0] > MAX_ROWS:
            raise ValidationFailed(N_("At most %(limit)s rows in one file"), errors={"file": N_("Too many rows")},
                                   limit=MAX_ROWS)
        good: list[_Row] = []
        for number, raw in chunk:
            parsed = _parse(number, raw, catalogue, today)
            if isinstance(parsed, Rejected):
                result.rejected.append(parsed)
                continue
            key = (parsed.model.manufacturer_id, parsed.serial)
            if key in seen:
                result.rejected.append(Rejected(number, parsed.serial, N_("The same serial as row %(row)s"),
                                                {"row": seen[key]}))
                continue
            seen[key] = number
            good.append(parsed)
        _apply(session, good, result, owners, actor)
    result.rejected.sort(key=lambda r: r.row)
    return result

