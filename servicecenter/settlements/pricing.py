"""Pricing one completed repair at a rate card: labour, travel, parts, VAT — each rounded per line.

Labour is the card's amount for the unit's product category (per repair) or its hourly rate × the
time logged on the order (per hour). Parts are those issued to the order and not returned, at the
card's basis: not at all, at unit cost, or at list price. List prices include VAT at the standard
rate (they are what a customer pays, servicecenter/repairs/estimates.py), so the list basis
reimburses the list price net of that VAT; the card's own VAT rate then applies to the line's net.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from servicecenter.pricing.models import DEFAULT_VAT_RATE
from servicecenter.repairs.models import RepairOrder, WorkLog
from servicecenter.settlements.models import ZERO, LabourBasis, PartsBasis, PricedLine, RateCard
from servicecenter.settlements.money import kopecks, vat_on
from servicecenter.settlements.rates import labour_line
from servicecenter.stock.models import MoveReason, Part, StockMove


@dataclass(frozen=True)
class Priced:
    """The figures of one line (all in kopecks); `card` None: no card was valid — all zero."""

    card: RateCard | None
    category: str
    labour_minutes: int = 0
    labour: Decimal = ZERO
    travel: Decimal = ZERO
    parts: Decimal = ZERO
    vat_rate: Decimal = ZERO
    parts_detail: list[dict[str, Any]] = field(default_factory=list)

    @property
    def no_rate(self) -> bool:
        return self.card is None

    @property
    def net(self) -> Decimal:
        return self.labour + self.travel + self.parts

    @property
    def vat(self) -> Decimal:
        return vat_on(self.net, self.vat_rate)

    @property
    def total(self) -> Decimal:
        return self.net + self.vat


def category_of(order: RepairOrder) -> str:
    """The product category of the order's unit ("" when it has none)."""
    unit = order.unit
    return unit.model.category if unit is not None and unit.model is not None else ""


def parts_used(session: Session, order_id: int) -> list[tuple[Part, int]]:
    """The parts issued to the order minus those returned from it, by SKU (only what remains used)."""
    signed = case((StockMove.reason == MoveReason.RETURN, -StockMove.quantity), else_=StockMove.quantity)
    rows = session.execute(
        select(StockMove.part_id, func.sum(signed))
        .where(StockMove.order_id == order_id, StockMove.part_id.is_not(None),
               StockMove.reason.in_([MoveReason.ISSUE, MoveReason.RETURN]))
        .group_by(StockMove.part_id)).all()
    quantities = {part_id: int(qty) for part_id, qty in rows if int(qty or 0) > 0}
    parts = session.scalars(select(Part).where(Part.id.in_(quantities))).all() if quantities else []
    return sorted(((part, quantities[part.id]) for part in parts), key=lambda pq: pq[0].sku)


def logged_minutes(session: Session, order_id: int) -> int:
    """The minutes of work logged on the order."""
    return int(session.scalar(select(func.coalesce(func.sum(WorkLog.minutes), 0))
                              .where(WorkLog.order_id == order_id)) or 0)


def unit_price(part: Part, basis: PartsBasis) -> Decimal:
    """What one part is reimbursed at on this basis (net of VAT)."""
    if basis == PartsBasis.COST:
        return kopecks(part.unit_cost or 0)
    if basis == PartsBasis.LIST:
        return kopecks(Decimal(part.price or 0) * 100 / (100 + DEFAULT_VAT_RATE))
    return ZERO


def price_order(session: Session, order: RepairOrder, card: RateCard | None) -> Priced:
    """The order priced at `card` (None: a "no rate" line, zero amounts)."""
    category = category_of(order)
    if card is None:
        return Priced(None, category)
    minutes = logged_minutes(session, order.id)
    if card.labour_basis == LabourBasis.PER_HOUR:
        labour = kopecks(Decimal(card.hourly_rate) * minutes / 60)
    else:
        line = labour_line(card, category)
        labour = kopecks(line.labour) if line is not None else ZERO
    detail, parts_total = [], ZERO
    for part, qty in parts_used(session, order.id):
        price = unit_price(part, card.parts_basis)
        amount = kopecks(price * qty)
        parts_total += amount
        detail.append({"part_id": part.id, "sku": part.sku, "name": part.name, "quantity": qty,
                       "unit_price": str(price), "amount": str(amount)})
    return Priced(card, category, labour_minutes=minutes, labour=labour, travel=kopecks(card.travel_allowance),
                  parts=parts_total, vat_rate=Decimal(card.vat_rate), parts_detail=detail)


def apply_priced(line: PricedLine, priced: Priced, now: datetime) -> None:
    """Write the figures onto a statement or claim line."""
    line.rate_card_id = priced.card.id if priced.card is not None else None
    line.category = priced.category
    line.no_rate = priced.no_rate
    line.labour_minutes = priced.labour_minutes
    line.labour, line.travel, line.parts = priced.labour, priced.travel, priced.parts
    line.net, line.vat_rate, line.vat, line.total = priced.net, priced.vat_rate, priced.vat, priced.total
    line.parts_detail = priced.parts_detail
    line.priced_at = now


def sums(lines: list[PricedLine]) -> tuple[Decimal, Decimal, Decimal]:
    """(net, VAT, total) of lines: always the sums of the lines' own rounded figures."""
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        totals["net"] += kopecks(line.net)
        totals["vat"] += kopecks(line.vat)
        totals["total"] += kopecks(line.total)
    return totals["net"], totals["vat"], totals["total"]
