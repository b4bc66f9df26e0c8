"""Settlement lines: money owed to partner centers and claimed from manufacturers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from servicecenter.clock import utcnow
from servicecenter.db import Base, str_enum
from servicecenter.scoping import center_owned


class SettlementKind(StrEnum):
    PARTNER_STATEMENT = "partner_statement"  # we owe a partner center for its repair
    MANUFACTURER_CLAIM = "manufacturer_claim"  # a manufacturer owes us for a warranty repair


class SettlementState(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DISPUTED = "disputed"
    PAID = "paid"


@center_owned(lambda cls, cid: cls.center_id == cid)
class SettlementLine(Base):
    __tablename__ = "settlement_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SettlementKind] = mapped_column(str_enum(SettlementKind))
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_orders.id"), index=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("service_centers.id"), index=True)
    manufacturer_id: Mapped[int | None] = mapped_column(ForeignKey("manufacturers.id"), index=True)
    period: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM
    labour_amount: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    parts_amount: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    vat_amount: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    state: Mapped[SettlementState] = mapped_column(str_enum(SettlementState), default=SettlementState.OPEN)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
