"""Service centers, their authorised brands, and stock locations (warehouses, shelves...)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, String, Table, Text, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicecenter.clock import utcnow
from servicecenter.db import Base, notify_principals_on_change, str_enum
from servicecenter.scoping import center_owned

if TYPE_CHECKING:
    from servicecenter.catalog.models import Manufacturer


class CenterKind(StrEnum):
    OWN = "own"
    PARTNER = "partner"


class LocationKind(StrEnum):
    WAREHOUSE = "warehouse"
    SHELF = "shelf"
    TRANSIT = "transit"
    CUSTOMER = "customer"
    MANUFACTURER = "manufacturer"
    DEFECTIVE = "defective"  # parts kept for the manufacturer
    SCRAPPED = "scrapped"


center_brands = Table(
    "center_brands",
    Base.metadata,
    Column("center_id", ForeignKey("service_centers.id", ondelete="CASCADE"), primary_key=True),
    Column("manufacturer_id", ForeignKey("manufacturers.id", ondelete="CASCADE"), primary_key=True),
)


# A partner sees its own center and the network's own centers (to ship to them), never
# another partner.
@center_owned(lambda cls, cid: or_(cls.id == cid, cls.kind == CenterKind.OWN))
class ServiceCenter(Base):
    __tablename__ = "service_centers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CenterKind] = mapped_column(str_enum(CenterKind), default=CenterKind.OWN)
    city: Mapped[str] = mapped_column(String(100), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    hours: Mapped[str] = mapped_column(String(200), default="")
    is_head_office: Mapped[bool] = mapped_column(default=False)
    # Our own warranty on a repair: a unit back within this many days of an earlier order's
    # issue is a repeat repair under our warranty.
    repair_warranty_days: Mapped[int] = mapped_column(default=90, server_default="90")
    # Label stock of the center's printer (a printing preset name) and what its QR code opens.
    label_profile: Mapped[str] = mapped_column(String(20), default="58x40", server_default="58x40")
    label_qr: Mapped[str] = mapped_column(String(10), default="none", server_default="none")  # none/staff/status
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    brands: Mapped[list[Manufacturer]] = relationship(secondary=center_brands, order_by="Manufacturer.name")
    locations: Mapped[list[Location]] = relationship(back_populates="center", foreign_keys="Location.center_id")

    def __repr__(self) -> str:
        return f"<ServiceCenter {self.code}>"


notify_principals_on_change(ServiceCenter.__table__, ["code", "timezone"])  # a principal carries both


def _location_rule(cls: type[Location], cid: int):  # noqa: ANN202
    return cls.center_id == cid


@center_owned(_location_rule)
class Location(Base):
    """Anywhere a unit or a part can be: a warehouse, a shelf in it, in transit, with a customer..."""

    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[LocationKind] = mapped_column(str_enum(LocationKind))
    center_id: Mapped[int | None] = mapped_column(ForeignKey("service_centers.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    is_main: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    notes: Mapped[str] = mapped_column(Text, default="")

    center: Mapped[ServiceCenter | None] = relationship(back_populates="locations", foreign_keys=[center_id])
    parent: Mapped[Location | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Location]] = relationship(back_populates="parent", order_by="Location.code")

    def __repr__(self) -> str:
        return f"<Location {self.code}>"


def center_location_ids(cid: int):  # noqa: ANN201
    """Subquery: ids of every location of a center (for rules of records kept at locations)."""
    return select(Location.id).where(Location.center_id == cid).scalar_subquery()
