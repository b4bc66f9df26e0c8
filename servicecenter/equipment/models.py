"""Equipment units: one physical device, its serial, owner, warranty and links."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.centers.models import Location
from servicecenter.clock import utcnow
from servicecenter.customers.models import Customer, ServiceContract
from servicecenter.db import Base
from servicecenter.scoping import center_owned


def _units_of_center(cid: int):  # noqa: ANN202
    from servicecenter.repairs.models import RepairOrder

    return select(RepairOrder.unit_id).where(RepairOrder.center_id == cid).scalar_subquery()


# A partner sees the units it has or had in repair, and the parts swapped in or out of them (a serialised
# part is a unit of its own, component_of the repaired one: its order's swaps show both serials).
@center_owned(lambda cls, cid: or_(cls.id.in_(_units_of_center(cid)), cls.component_of_id.in_(_units_of_center(cid))))
class Unit(Base):
    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("manufacturer_id", "serial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("manufacturers.id"), index=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("product_models.id"), index=True)
    serial: Mapped[str] = mapped_column(String(64), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    production_date: Mapped[date | None]
    purchase_date: Mapped[date | None]
    seller: Mapped[str] = mapped_column(String(200), default="")
    # Set only when the warranty end is fixed by a document rather than computed from the
    # purchase date and the model's term (e.g. a manufacturer's registration).
    warranty_until_override: Mapped[date | None]
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("service_contracts.id"), index=True)
    component_of_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    manufacturer: Mapped[Manufacturer] = relationship()
    model: Mapped[ProductModel] = relationship()
    owner: Mapped[Customer | None] = relationship()
    contract: Mapped[ServiceContract | None] = relationship()
    location: Mapped[Location | None] = relationship()
    component_of: Mapped[Unit | None] = relationship(remote_side=[id], foreign_keys=[component_of_id])
    replaced_by: Mapped[Unit | None] = relationship(remote_side=[id], foreign_keys=[replaced_by_id])

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Unit {self.serial}>"
