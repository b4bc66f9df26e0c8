"""Estimates (сметы) for paid work: versioned, priced lines with VAT, frozen once sent."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicecenter.accounts.models import User
from servicecenter.clock import utcnow
from servicecenter.db import Base, str_enum
from servicecenter.pricing.models import DEFAULT_VAT_RATE, LabourItem, VatRate
from servicecenter.repairs.models import RepairOrder
from servicecenter.scoping import center_owned
from servicecenter.stock.models import Part


class EstimateState(StrEnum):
    DRAFT = "draft"  # lines may still change
    SENT = "sent"  # frozen; waiting for the customer
    APPROVED = "approved"
    DECLINED = "declined"
    SUPERSEDED = "superseded"  # the customer asked for another estimate; a new version follows


class LineKind(StrEnum):
    PART = "part"
    LABOUR = "labour"
    FREE = "free"  # typed by hand (a service not on the price list)


class AnswerChannel(StrEnum):
    """How the customer gave their answer to an estimate."""

    PHONE = "phone"
    IN_PERSON = "in_person"
    EMAIL = "email"


def _orders_of(cid: int):  # noqa: ANN202
    return select(RepairOrder.id).where(RepairOrder.center_id == cid).scalar_subquery()


@center_owned(lambda cls, cid: cls.order_id.in_(_orders_of(cid)))
class Estimate(Base):
    __tablename__ = "estimates"
    __table_args__ = (UniqueConstraint("order_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_orders.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    state: Mapped[EstimateState] = mapped_column(str_enum(EstimateState), default=EstimateState.DRAFT)
    # Totals (VAT included in gross); kept up to date on every line change and frozen when sent.
    net: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    vat: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    gross: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_via: Mapped[str] = mapped_column(String(20), default="")
    decision_note: Mapped[str] = mapped_column(Text, default="")

    order: Mapped[RepairOrder] = relationship()
    lines: Mapped[list[EstimateLine]] = relationship(back_populates="estimate", order_by="EstimateLine.id",
                                                     cascade="all, delete-orphan")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def frozen(self) -> bool:
        return self.state != EstimateState.DRAFT


@center_owned(lambda cls, cid: cls.estimate_id.in_(
    select(Estimate.id).where(Estimate.order_id.in_(_orders_of(cid))).scalar_subquery()))
class EstimateLine(Base):
    __tablename__ = "estimate_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="positive_quantity"),
        CheckConstraint("unit_price >= 0", name="non_negative_price"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    estimate_id: Mapped[int] = mapped_column(ForeignKey("estimates.id", ondelete="CASCADE"), index=True)
    kind: Mapped[LineKind] = mapped_column(str_enum(LineKind))
    part_id: Mapped[int | None] = mapped_column(ForeignKey("parts.id"))
    labour_item_id: Mapped[int | None] = mapped_column(ForeignKey("labour_items.id"))
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    unit_price: Mapped[Decimal]  # VAT included
    vat_rate: Mapped[Decimal] = mapped_column(VatRate, default=DEFAULT_VAT_RATE)
    net: Mapped[Decimal]
    vat: Mapped[Decimal]
    gross: Mapped[Decimal]

    estimate: Mapped[Estimate] = relationship(back_populates="lines")
    part: Mapped[Part | None] = relationship()
    labour_item: Mapped[LabourItem | None] = relationship()
