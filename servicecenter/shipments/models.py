"""Shipments (партии): batches of units and parts between two locations."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicecenter.centers.models import Location
from servicecenter.clock import utcnow
from servicecenter.db import Base, str_enum
from servicecenter.scoping import center_owned


class ShipmentState(StrEnum):
    OPEN = "open"
    DISPATCHED = "dispatched"
    RECEIVED = "received"
    CANCELLED = "cancelled"


class ItemState(StrEnum):
    PACKED = "packed"
    RECEIVED = "received"
    MISSING = "missing"
    UNEXPECTED = "unexpected"
    FOUND = "found"
    LOST = "lost"


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

    from_location: Mapped[Location] = relationship(foreign_keys=[from_location_id])
    to_location: Mapped[Location] = relationship(foreign_keys=[to_location_id])
    items: Mapped[list[ShipmentItem]] = relationship(back_populates="shipment", order_by="ShipmentItem.id")

    __mapper_args__ = {"version_id_col": version}


def _item_rule(cls: type[ShipmentItem], cid: int):  # noqa: ANN202
    from sqlalchemy import select

    visible = select(Shipment.id).where(or_(Shipment.from_center_id == cid, Shipment.to_center_id == cid))
    return cls.shipment_id.in_(visible.scalar_subquery())


@center_owned(_item_rule)
class ShipmentItem(Base):
    __tablename__ = "shipment_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    part_id: Mapped[int | None] = mapped_column(ForeignKey("parts.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("repair_orders.id"), index=True)
    quantity: Mapped[int] = mapped_column(default=1)
    state: Mapped[ItemState] = mapped_column(str_enum(ItemState), default=ItemState.PACKED)
    note: Mapped[str] = mapped_column(String(300), default="")

    shipment: Mapped[Shipment] = relationship(back_populates="items")
