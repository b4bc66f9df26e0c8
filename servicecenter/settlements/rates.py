"""Rate cards: the administrator adds and edits them; the card valid on a day prices a repair.

Amounts on a card are net of VAT; a line's VAT is the card's rate on the line's net amount.
Editing a card changes nothing already priced: lines keep their figures until their open
statement or claim is re-priced.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from servicecenter.accounts.models import User
from servicecenter.accounts.services import require_admin
from servicecenter.catalog.models import Manufacturer
from servicecenter.centers.models import CenterKind, ServiceCenter
from servicecenter.errors import N_, ValidationFailed
from servicecenter.fields import check_known, clean_amount, clean_text
from servicecenter.settlements.models import LabourBasis, PartsBasis, RateCard, RateCardKind, RateCardLine

MAX_RATE = Decimal("10000000")
CARD_FIELDS = frozenset({"kind", "center_id", "manufacturer_id", "valid_from", "labour_basis", "hourly_rate",
                         "travel_allowance", "parts_basis", "vat_rate", "note", "lines"})
MAX_LINES = 200


def _enum(enum_cls: type, value: Any, field: str, errors: dict[str, str]) -> Any:
    try:
        return enum_cls(value)
    except ValueError:
        errors[field] = N_("Unknown value")
        return None


def _date(value: Any, errors: dict[str, str]) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        errors["valid_from"] = N_("A date, e.g. 2026-03-01")
        return None


def _id(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _lines(raw: Iterable[Any], errors: dict[str, str]) -> list[tuple[str, Decimal]]:
    """(category, labour) pairs from dicts or pairs; blank rows skipped; one line per category."""
    lines: list[tuple[str, Decimal]] = []
    seen: set[str] = set()
    for row in list(raw or [])[:MAX_LINES + 1]:
        category, labour = (row.get("category"), row.get("labour")) if isinstance(row, Mapping) else row
        category = str(category or "").strip()
        if not category and labour in (None, ""):
            continue
        if len(category) > 80:
            errors["lines"] = N_("A category name is too long")
            continue
        amount = clean_amount(labour, "lines", errors, MAX_RATE, N_("Each labour amount: from 0 to 10,000,000"))
        if category.casefold() in seen:
            errors["lines"] = N_("A category is listed twice")
        seen.add(category.casefold())
        if amount is not None:
            lines.append((category, amount))
    if len(lines) > MAX_LINES:
        errors["lines"] = N_("Too many lines")
    return lines


def _clean(session: Session, card: RateCard | None, values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    kind = _enum(RateCardKind, values.get("kind"), "kind", errors)
    center_id, manufacturer_id = _id(values.get("center_id")), _id(values.get("manufacturer_id"))
    if kind == RateCardKind.PARTNER:
        center = session.get(ServiceCenter, center_id) if center_id else None
        if center is None or center.kind != CenterKind.PARTNER:
            errors["center_id"] = N_("Choose a partner center")
        manufacturer_id = None
    elif kind == RateCardKind.MANUFACTURER:
        if manufacturer_id is None or session.get(Manufacturer, manufacturer_id) is None:
            errors["manufacturer_id"] = N_("Choose a manufacturer")
        center_id = None
    valid_from = _date(values.get("valid_from"), errors)
    basis = _enum(LabourBasis, values.get("labour_basis") or LabourBasis.PER_REPAIR, "labour_basis", errors)
    parts = _enum(PartsBasis, values.get("parts_basis") or PartsBasis.NONE, "parts_basis", errors)
    hourly = clean_amount(values.get("hourly_rate") or 0, "hourly_rate", errors, MAX_RATE,
                          N_("From 0 to 10,000,000"))
    travel = clean_amount(values.get("travel_allowance") or 0, "travel_allowance", errors, MAX_RATE,
                          N_("From 0 to 10,000,000"))
    vat_raw = values.get("vat_rate")
    vat = clean_amount("20" if vat_raw in (None, "") else vat_raw, "vat_rate", errors, Decimal("99"),
                       N_("From 0 to 99"))
    lines = _lines(values.get("lines") or [], errors)
    if basis == LabourBasis.PER_HOUR and hourly is not None and hourly <= 0 and "hourly_rate" not in errors:
        errors["hourly_rate"] = N_("An hourly card needs its hourly rate")
    if basis == LabourBasis.PER_REPAIR and not lines and "lines" not in errors:
        errors["lines"] = N_("A per-repair card needs at least one labour line (a blank category = any)")
    if valid_from and "center_id" not in errors and "manufacturer_id" not in errors and kind is not None:
        party = RateCard.center_id == center_id if kind == RateCardKind.PARTNER else \
            RateCard.manufacturer_id == manufacturer_id
        clash = session.scalar(select(RateCard.id).where(party, RateCard.valid_from == valid_from,
                                                         RateCard.id != (card.id if card else -1)))
        if clash:
            errors["valid_from"] = N_("This party already has a card valid from this date")
    if errors:
        raise ValidationFailed(N_("The rate card was not saved"), errors=errors)
    return {"kind": kind, "center_id": center_id, "manufacturer_id": manufacturer_id, "valid_from": valid_from,
            "labour_basis": basis, "hourly_rate": hourly, "travel_allowance": travel, "parts_basis": parts,
            "vat_rate": vat, "note": clean_text(values, "note", errors, 2000), "lines": lines}


def _apply(card: RateCard, clean: dict[str, Any]) -> None:
    lines = clean.pop("lines")
    for field, value in clean.items():
        setattr(card, field, value)
    existing = {line.category: line for line in card.lines}
    keep = []
    for category, labour in lines:
        line = existing.get(category) or RateCardLine(category=category, labour=labour)
        line.labour = labour
        keep.append(line)
    card.lines = keep


def create_rate_card(session: Session, actor: User, **values: Any) -> RateCard:
    """Add a partner's or a manufacturer's rate card (lines: (category, labour) or dicts)."""
    require_admin(actor)
    check_known(CARD_FIELDS, values, "create_rate_card")
    clean = _clean(session, None, values)
    card = RateCard(created_by_id=actor.id)
    _apply(card, clean)
    session.add(card)
    session.flush()
    return card


def update_rate_card(session: Session, actor: User, card: RateCard, **changes: Any) -> RateCard:
    """Change a card; lines already priced keep their figures until they are re-priced."""
    require_admin(actor)
    check_known(CARD_FIELDS, changes, "update_rate_card")
    values: dict[str, Any] = {field: getattr(card, field) for field in CARD_FIELDS - {"lines"}}
    values["lines"] = [(line.category, line.labour) for line in card.lines]
    values.update(changes)
    _apply(card, _clean(session, card, values))
    session.flush()
    return card


def card_valid_on(session: Session, kind: RateCardKind, party_id: int, day: date) -> RateCard | None:
    """The party's card valid on `day`: the latest `valid_from` not after it (None: no card yet)."""
    party = RateCard.center_id if kind == RateCardKind.PARTNER else RateCard.manufacturer_id
    return session.scalars(select(RateCard).where(RateCard.kind == kind, party == party_id,
                                                  RateCard.valid_from <= day)
                           .options(selectinload(RateCard.lines))
                           .order_by(RateCard.valid_from.desc()).limit(1)).first()


def labour_line(card: RateCard, category: str) -> RateCardLine | None:
    """The card's line for the category, else its any-category line (a specific category wins)."""
    wanted = (category or "").strip().casefold()
    specific = next((line for line in card.lines if line.category and line.category.casefold() == wanted), None)
    return specific or next((line for line in card.lines if not line.category), None)


def list_rate_cards(session: Session, kind: RateCardKind | None = None) -> list[RateCard]:
    """Every card, by party and newest first (the administrator's list)."""
    query = select(RateCard).options(selectinload(RateCard.lines), selectinload(RateCard.center),
                                     selectinload(RateCard.manufacturer))
    if kind is not None:
        query = query.where(RateCard.kind == kind)
    return list(session.scalars(query.order_by(RateCard.kind, RateCard.center_id, RateCard.manufacturer_id,
                                               RateCard.valid_from.desc())))
