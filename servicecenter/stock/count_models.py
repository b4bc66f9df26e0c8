"""Inventory counts (инвентаризация): a shelf or a whole warehouse counted by scanning."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicecenter.centers.models import Location
from servicecenter.clock import utcnow
from servicecenter.db import Base, str_enum
from servicecenter.scoping import center_owned
from servicecenter.stock.models import Part


class CountState(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


@center_owned(lambda cls, cid: cls.center_id == cid)
class InventoryCount(Base):
    """A count of one location (a shelf, or a warehouse with its shelves). `mark` is the last journal
    move when it started: what moved after that is work going on, not a discrepancy."""

    __tablename__ = "inventory_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("service_centers.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    state: Mapped[CountState] = mapped_column(str_enum(CountState), default=CountState.OPEN, index=True)
    mark: Mapped[int] = mapped_column(default=0)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text, default="")

    location: Mapped[Location] = relationship()
    lines: Mapped[list[CountLine]] = relationship(back_populates="count", order_by="CountLine.id")


def _line_rule(cls: type[CountLine], cid: int):  # noqa: ANN202
    return cls.count_id.in_(select(InventoryCount.id).where(InventoryCount.center_id == cid).scalar_subquery())


@center_owned(_line_rule)
class CountLine(Base):
    """What was counted at a location: a quantity of a part, or one unit. `mark` is the last journal
    move when the line was last scanned: the moment the count saw it."""

    __tablename__ = "inventory_count_lines"
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="not_negative"),
        CheckConstraint("(part_id IS NULL) <> (unit_id IS NULL)", name="part_xor_unit"),
        Index("uq_inventory_count_lines_part", "count_id", "location_id", "part_id", unique=True),
        Index("uq_inventory_count_lines_unit", "count_id", "unit_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[int] = mapped_column(ForeignKey("inventory_counts.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    part_id: Mapped[int | None] = mapped_column(ForeignKey("parts.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    quantity: Mapped[int] = mapped_column(default=1)
    mark: Mapped[int] = mapped_column(default=0)
    scanned_at: Mapped[datetime] = mapped_column(default=utcnow)

    count: Mapped[InventoryCount] = relationship(back_populates="lines")
    location: Mapped[Location] = relationship()
    part: Mapped[Part | None] = relationship()
