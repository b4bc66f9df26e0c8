"""Settlements: rate cards, monthly statements for partner centers, warranty claims to manufacturers.

A completed warranty repair becomes a statement line (a partner center's repair: what the network
owes the partner at the partner's rates) and a claim line (any center's repair: what the
manufacturer owes the network at its rates). Lines keep the figures they were priced with; a
document's totals are always sums of its lines (servicecenter/settlements/money.py rounds).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicecenter.catalog.models import Manufacturer
from servicecenter.centers.models import ServiceCenter
from servicecenter.clock import utcnow
from servicecenter.db import Base, str_enum
from servicecenter.repairs.models import RepairOrder
from servicecenter.scoping import center_owned

VatRate = Numeric(5, 2)
ZERO = Decimal("0.00")


class RateCardKind(StrEnum):
    PARTNER = "partner"  # what the network pays a partner center for its repairs
    MANUFACTURER = "manufacturer"  # what a manufacturer pays the network for warranty repairs


class LabourBasis(StrEnum):
    PER_REPAIR = "per_repair"  # a fixed amount per repair, by product category
    PER_HOUR = "per_hour"  # hourly rate × the hours logged on the order


class PartsBasis(StrEnum):
    NONE = "none"  # parts are not reimbursed
    COST = "cost"  # at the part's unit cost
    LIST = "list"  # at the part's list price (net of the VAT the list price includes)


class StatementState(StrEnum):
    OPEN = "open"  # lines still arrive, can be disputed and re-priced
    APPROVED = "approved"  # frozen; to be paid
    PAID = "paid"


class DisputeState(StrEnum):
    NONE = "none"
    DISPUTED = "disputed"  # the head office questions the line (reason kept)
    ACCEPTED = "accepted"  # the dispute was settled in the partner's favour: the line counts
    REJECTED = "rejected"  # the dispute was settled against the line: it leaves the total


class ClaimState(StrEnum):
    OPEN = "open"  # lines arrive, can be re-priced
    SUBMITTED = "submitted"  # sent to the manufacturer; its verdict per line is recorded
    PAID = "paid"


class Verdict(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


# A partner sees the rate cards agreed with it (its own rates), never a manufacturer's or another partner's.
@center_owned(lambda cls, cid: cls.center_id == cid)
class RateCard(Base):
    """The agreed rates with one partner center or one manufacturer, valid from a date (the card valid
    on a day is the one with the latest `valid_from` not after it)."""

    __tablename__ = "rate_cards"
    __table_args__ = (
        CheckConstraint("(kind = 'partner' AND center_id IS NOT NULL AND manufacturer_id IS NULL) OR "
                        "(kind = 'manufacturer' AND manufacturer_id IS NOT NULL AND center_id IS NULL)",
                        name="one_party"),
        CheckConstraint("hourly_rate >= 0 AND travel_allowance >= 0", name="non_negative_rates"),
        CheckConstraint("vat_rate >= 0 AND vat_rate < 100", name="sane_vat_rate"),
        # NULLs are distinct: a partner card never collides on the manufacturer constraint and back.
        UniqueConstraint("center_id", "valid_from"),
        UniqueConstraint("manufacturer_id", "valid_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RateCardKind] = mapped_column(str_enum(RateCardKind))
    center_id: Mapped[int | None] = mapped_column(ForeignKey("service_centers.id"), index=True)
    manufacturer_id: Mapped[int | None] = mapped_column(ForeignKey("manufacturers.id"), index=True)
    valid_from: Mapped[date]
    labour_basis: Mapped[LabourBasis] = mapped_column(str_enum(LabourBasis), default=LabourBasis.PER_REPAIR)
    hourly_rate: Mapped[Decimal] = mapped_column(default=ZERO)  # per_hour basis, net of VAT
    travel_allowance: Mapped[Decimal] = mapped_column(default=ZERO)  # per repair, net of VAT; 0 = none
    parts_basis: Mapped[PartsBasis] = mapped_column(str_enum(PartsBasis), default=PartsBasis.NONE)
    vat_rate: Mapped[Decimal] = mapped_column(VatRate, default=Decimal("20"))  # per cent; 0 = no VAT (УСН)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    center: Mapped[ServiceCenter | None] = relationship()
    manufacturer: Mapped[Manufacturer | None] = relationship()
    lines: Mapped[list[RateCardLine]] = relationship(back_populates="card", order_by="RateCardLine.category",
                                                     cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<RateCard {self.kind} {self.center_id or self.manufacturer_id} {self.valid_from}>"


def _card_line_rule(cls: type[RateCardLine], cid: int):  # noqa: ANN202
    return cls.card_id.in_(select(RateCard.id).where(RateCard.center_id == cid).scalar_subquery())


@center_owned(_card_line_rule)
class RateCardLine(Base):
    """Labour per repair for a product category ("" = any category; a specific category wins)."""

    __tablename__ = "rate_card_lines"
    __table_args__ = (UniqueConstraint("card_id", "category"),
                      CheckConstraint("labour >= 0", name="non_negative_labour"))

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("rate_cards.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(80), default="")
    labour: Mapped[Decimal]  # net of VAT

    card: Mapped[RateCard] = relationship(back_populates="lines")


class PricedLine:
    """The figures every settlement line keeps: what was priced, with which card, and the sums."""

    completed_at: Mapped[datetime]  # the moment the order reached ready_for_pickup by `finish` (UTC)
    completed_on: Mapped[date]  # that moment's date in the repairing center's time zone
    rate_card_id: Mapped[int | None] = mapped_column(ForeignKey("rate_cards.id"))
    category: Mapped[str] = mapped_column(String(80), default="")
    no_rate: Mapped[bool] = mapped_column(default=False)  # no card was valid: zero amounts until re-priced
    labour_minutes: Mapped[int] = mapped_column(default=0)  # the minutes logged (per_hour cards)
    labour: Mapped[Decimal] = mapped_column(default=ZERO)
    travel: Mapped[Decimal] = mapped_column(default=ZERO)
    parts: Mapped[Decimal] = mapped_column(default=ZERO)
    net: Mapped[Decimal] = mapped_column(default=ZERO)  # labour + travel + parts
    vat_rate: Mapped[Decimal] = mapped_column(VatRate, default=ZERO)
    vat: Mapped[Decimal] = mapped_column(default=ZERO)  # rounded per line
    total: Mapped[Decimal] = mapped_column(default=ZERO)  # net + vat
    # The parts used as priced: [{"part_id", "sku", "name", "quantity", "unit_price", "amount"}], amounts as strings.
    parts_detail: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    priced_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# A partner sees its own statements (read-only; the services refuse it every change).
@center_owned(lambda cls, cid: cls.center_id == cid)
class PartnerStatement(Base):
    """One partner center's month: its lines, disputes, approval and payment."""

    __tablename__ = "partner_statements"
    __table_args__ = (UniqueConstraint("center_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("service_centers.id"), index=True)
    period: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM in the partner's time zone
    state: Mapped[StatementState] = mapped_column(str_enum(StatementState), default=StatementState.OPEN,
                                                  index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paid_at: Mapped[datetime | None]  # when the payment was recorded
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    payment_date: Mapped[date | None]  # the date of the payment order
    payment_reference: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    center: Mapped[ServiceCenter] = relationship()
    lines: Mapped[list[StatementLine]] = relationship(back_populates="statement", order_by="StatementLine.id")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<PartnerStatement {self.center_id} {self.period} {self.state}>"


@center_owned(lambda cls, cid: cls.center_id == cid)
class StatementLine(PricedLine, Base):
    """A partner's completed warranty repair at the partner's rates."""

    __tablename__ = "partner_statement_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("partner_statements.id"), index=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("service_centers.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_orders.id"), unique=True)
    dispute: Mapped[DisputeState] = mapped_column(str_enum(DisputeState), default=DisputeState.NONE)
    dispute_reason: Mapped[str] = mapped_column(Text, default="")
    disputed_at: Mapped[datetime | None]
    disputed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution_note: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    statement: Mapped[PartnerStatement] = relationship(back_populates="lines")
    order: Mapped[RepairOrder] = relationship()
    rate_card: Mapped[RateCard | None] = relationship()

    @property
    def counts(self) -> bool:
        """Whether the line is in the statement's total (a rejected dispute takes it out)."""
        return self.dispute != DisputeState.REJECTED


# A claim is between the network and a manufacturer: a partner (another company) never sees it, nor
# its lines — not even the lines of its own repairs, since they carry the manufacturer's rates, which
# are the network's commercial terms. The rule matches no walled center at all.
@center_owned(lambda cls, cid: false())
class ManufacturerClaim(Base):
    """One manufacturer's warranty claim for a month: lines, submission, verdicts, payment."""

    __tablename__ = "manufacturer_claims"
    __table_args__ = (UniqueConstraint("manufacturer_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("manufacturers.id"), index=True)
    period: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM in the repairing centers' time zones
    state: Mapped[ClaimState] = mapped_column(str_enum(ClaimState), default=ClaimState.OPEN, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paid_at: Mapped[datetime | None]
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    payment_date: Mapped[date | None]
    payment_reference: Mapped[str] = mapped_column(String(100), default="")
    paid_amount: Mapped[Decimal | None]  # the sum of the accepted lines when paid
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    manufacturer: Mapped[Manufacturer] = relationship()
    lines: Mapped[list[ClaimLine]] = relationship(back_populates="claim", order_by="ClaimLine.id")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<ManufacturerClaim {self.manufacturer_id} {self.period} {self.state}>"


@center_owned(lambda cls, cid: false())
class ClaimLine(PricedLine, Base):
    """A completed warranty repair (own or partner center) at the manufacturer's rates."""

    __tablename__ = "manufacturer_claim_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("manufacturer_claims.id"), index=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("service_centers.id"), index=True)  # the repairing center
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_orders.id"), unique=True)
    verdict: Mapped[Verdict] = mapped_column(str_enum(Verdict), default=Verdict.PENDING)
    verdict_reason: Mapped[str] = mapped_column(Text, default="")
    verdict_at: Mapped[datetime | None]
    verdict_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The shipment that took this repair's defective parts to the manufacturer (None: still at the center).
    defective_shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id"), index=True)

    claim: Mapped[ManufacturerClaim] = relationship(back_populates="lines")
    order: Mapped[RepairOrder] = relationship()
    center: Mapped[ServiceCenter] = relationship()
    rate_card: Mapped[RateCard | None] = relationship()
