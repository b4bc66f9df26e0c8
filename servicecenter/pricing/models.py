"""Labour items of the price list. Prices include VAT (Russian consumer prices are quoted with it)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from servicecenter.clock import utcnow
from servicecenter.db import Base
from servicecenter.scoping import network_wide

DEFAULT_VAT_RATE = Decimal("20")  # per cent, the Russian standard rate
VatRate = Numeric(5, 2)


@network_wide("the price list is one for the whole network")
class LabourItem(Base):
    """A priced piece of work ("diagnosis", "replace the control board") for a category or any."""

    __tablename__ = "labour_items"
    __table_args__ = (
        CheckConstraint("price >= 0", name="non_negative_price"),
        CheckConstraint("vat_rate >= 0 AND vat_rate < 100", name="sane_vat_rate"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(80), default="", index=True)  # "" = any category
    price: Mapped[Decimal]  # VAT included
    vat_rate: Mapped[Decimal] = mapped_column(VatRate, default=DEFAULT_VAT_RATE)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<LabourItem {self.code}>"
