"""Shipments (партии): batches of units and parts between two locations."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, func, or_, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicecenter.centers.models import Location
from servicecenter.clock import utcnow
from servicecenter.db import Base, str_enum
from servicecenter.equipment.models import Unit
from servicecenter.scoping import center_owned

if TYPE_CHECKING:
    from servicecenter.repairs.models import RepairOrder
    from servicecenter.stock.models import Part


class ShipmentState(StrEnum):
    OPEN = "open"
    DISPATCHED = "dispatched"
    RECEIVED = "received"
    CANCELLED = "cancelled"


class ItemState(StrEnum):
    PACKED = "packed"
    RECEIVED = "received"
    MISSING = "missing"  # not (all) there when the receipt was closed; still in transit until resolved
    UNEXPECTED = "unexpected"  # arrived without being on the packing list
    FOUND = "found"  # was missing, turned up and was received
    LOST = "lost"  # was missing, written off with a reason


# Lines still travelling or not accounted for: an item on one of these is "in a shipment".
OPEN_SHIPMENT_STATES = (ShipmentState.OPEN, ShipmentState.DISPATCHED)


@center_owned(lambda cls, cid: or_(cls.from_center_id == cid, cls.to_center_id == cid))
class Shipment(Base):
    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    from_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    to_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    # The centers of both ends, kept on the row so the partner wall is one comparison.
    from_center_id: Mapped[int | None] = mapped_column(ForeignKey("service_centers.id"), index=True)
    to_center_id: Mapped[int | None] = mapped_column(ForeignKey("service_centers.id"), index=True)
    state: Mapped[ShipmentState] = mapped_column(str_enum(ShipmentState), default=ShipmentState.OPEN)
    carrier: Mapped[str] = mapped_column(String(100), default="")
    tracking: Mapped[str] = mapped_column(String(100), default="")
    places: Mapped[int | None]
    weight_kg: Mapped[str] = mapped_column(String(20), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    dispatched_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    # One location of kind TRANSIT per shipment, made at dispatch: where its items are on the way.
    transit_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    dispatched_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")

    from_location: Mapped[Location] = relationship(foreign_keys=[from_location_id])
    to_location: Mapped[Location] = relationship(foreign_keys=[to_location_id])
    transit_location: Mapped[Location | None] = relationship(foreign_keys=[transit_location_id])
    items: Mapped[list[ShipmentItem]] = relationship(back_populates="shipment", order_by="ShipmentItem.id")

    __mapper_args__ = {"version_id_col": version}


def _item_rule(cls: type[ShipmentItem], cid: int):  # noqa: ANN202
    from sqlalchemy import select

    visible = select(Shipment.id).where(or_(Shipment.from_center_id == cid, Shipment.to_center_id == cid))
    return cls.shipment_id.in_(visible.scalar_subquery())


@center_owned(_item_rule)
class ShipmentItem(Base):
    __tablename__ = "shipment_items"
    # Missing lines not settled yet, network-wide list: a small partial index instead of a scan of every line.
    __table_args__ = (Index("ix_shipment_items_missing", "shipment_id", postgresql_where=text("state = 'missing'"),
                            sqlite_where=text("state = 'missing'")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    part_id: Mapped[int | None] = mapped_column(ForeignKey("parts.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("repair_orders.id"), index=True)
    quantity: Mapped[int] = mapped_column(default=1)
    state: Mapped[ItemState] = mapped_column(str_enum(ItemState), default=ItemState.PACKED)
    note: Mapped[str] = mapped_column(String(300), default="")
    # Parts: how many of `quantity` were scanned in at the destination (units: 0 or 1).
    received_quantity: Mapped[int] = mapped_column(default=0, server_default="0")
    added_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    shipment: Mapped[Shipment] = relationship(back_populates="items")
    unit: Mapped[Unit | None] = relationship()
    part: Mapped[Part | None] = relationship()
    order: Mapped[RepairOrder | None] = relationship()


@center_owned(lambda cls, cid: cls.center_id == cid)
class ShipmentCounter(Base):
    """The last shipment number used per sending center and year."""

    __tablename__ = "shipment_counters"

    center_id: Mapped[int] = mapped_column(ForeignKey("service_centers.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
