"""Spare parts and the append-only journal of stock moves; reservations for orders."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicecenter.catalog.models import ProductModel
from servicecenter.centers.models import Location, center_location_ids
from servicecenter.clock import utcnow
from servicecenter.db import Base, str_enum
from servicecenter.scoping import center_owned, network_wide

part_models = Table(
    "part_models",
    Base.metadata,
    Column("part_id", ForeignKey("parts.id", ondelete="CASCADE"), primary_key=True),
    Column("model_id", ForeignKey("product_models.id", ondelete="CASCADE"), primary_key=True),
)


class MoveReason(StrEnum):
    RECEIPT = "receipt"  # from a supplier
    PUT_AWAY = "put_away"
    ISSUE = "issue"  # to an engineer for an order
    RETURN = "return"
    TRANSFER = "transfer"
    SHIPMENT = "shipment"
    ADJUSTMENT = "adjustment"  # inventory count
    DEFECTIVE = "defective"  # removed part kept for the manufacturer
    SCRAP = "scrap"
    INTAKE = "intake"  # a unit handed in at the counter
    HANDOVER = "handover"  # a unit handed back to its customer


class ReservationState(StrEnum):
    ACTIVE = "active"
    ISSUED = "issued"
    RELEASED = "released"


@network_wide("the parts catalogue is shared by the whole network")
class Part(Base):
    __tablename__ = "parts"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    barcode: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_cost: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    price: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    serialised: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    compatible_models: Mapped[list[ProductModel]] = relationship(secondary=part_models)


def _at_center(cls: type[StockMove], cid: int):  # noqa: ANN202
    ids = center_location_ids(cid)
    return or_(cls.from_location_id.in_(ids), cls.to_location_id.in_(ids))


@center_owned(_at_center)
class StockMove(Base):
    """One line of the journal: quantity of a part (or one unit) from a location to another."""

    __tablename__ = "stock_moves"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="positive_quantity"),
        CheckConstraint("(part_id IS NULL) <> (unit_id IS NULL)", name="part_xor_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    part_id: Mapped[int | None] = mapped_column(ForeignKey("parts.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    quantity: Mapped[int] = mapped_column(default=1)
    from_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    to_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    reason: Mapped[MoveReason] = mapped_column(str_enum(MoveReason))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("repair_orders.id"), index=True)
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")

    part: Mapped[Part | None] = relationship()
    from_location: Mapped[Location | None] = relationship(foreign_keys=[from_location_id])
    to_location: Mapped[Location | None] = relationship(foreign_keys=[to_location_id])


@center_owned(lambda cls, cid: cls.location_id.in_(center_location_ids(cid)))
class Reservation(Base):
    """Free stock of a part held for an order until it is issued or released."""

    __tablename__ = "reservations"
    __table_args__ = (CheckConstraint("quantity > 0", name="positive_quantity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_orders.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    quantity: Mapped[int]
    state: Mapped[ReservationState] = mapped_column(str_enum(ReservationState), default=ReservationState.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    part: Mapped[Part] = relationship()
    location: Mapped[Location] = relationship()

    __mapper_args__ = {"version_id_col": version}


class PartRequestState(StrEnum):
    OPEN = "open"  # the warehouse has to find the part (order it, bring it from another center)
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"


@center_owned(lambda cls, cid: cls.center_id == cid)
class PartRequest(Base):
    """A shortage: parts an order needs that the center's stock could not cover. The warehouse sees it."""

    __tablename__ = "part_requests"
    __table_args__ = (CheckConstraint("quantity > 0", name="positive_quantity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("service_centers.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_orders.id"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"), index=True)
    quantity: Mapped[int]
    state: Mapped[PartRequestState] = mapped_column(str_enum(PartRequestState), default=PartRequestState.OPEN,
                                                    index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")

    part: Mapped[Part] = relationship()


@center_owned(lambda cls, cid: cls.location_id.in_(center_location_ids(cid)))
class StockLevel(Base):
    """The derived stock of a part at a location: a cache of the journal, written only by
    `stock.journal` (conditional UPDATE / upsert), recomputed by `journal.check_stock`."""

    __tablename__ = "stock_levels"
    __table_args__ = (CheckConstraint("quantity >= 0", name="not_negative"),)

    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"), primary_key=True, index=True)
    quantity: Mapped[int] = mapped_column(default=0)

    part: Mapped[Part] = relationship()
    location: Mapped[Location] = relationship()
