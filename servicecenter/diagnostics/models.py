"""The bench's records: diagnosis codes and checklists per product category (admin-managed), and
what the engineer recorded on an order with them (its coded diagnosis, ticked items, swapped parts)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicecenter.accounts.models import User
from servicecenter.clock import utcnow
from servicecenter.db import Base, str_enum
from servicecenter.equipment.models import Unit
from servicecenter.repairs.models import RepairOrder
from servicecenter.scoping import center_owned, network_wide


class CodeKind(StrEnum):
    SYMPTOM = "symptom"  # what the customer or the engineer sees ("does not drain")
    CAUSE = "cause"  # what is broken ("drain pump seized")
    ACTION = "action"  # what was done about it ("pump replaced")


def _of_center_orders(cls, cid: int):  # noqa: ANN001, ANN202
    return cls.order_id.in_(select(RepairOrder.id).where(RepairOrder.center_id == cid).scalar_subquery())


@network_wide("the diagnosis code catalogue is shared by the whole network (failure statistics)")
class DiagnosisCode(Base):
    """One code of the catalogue of a product category (ProductModel.category)."""

    __tablename__ = "diagnosis_codes"
    __table_args__ = (UniqueConstraint("category", "kind", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(80), index=True)
    kind: Mapped[CodeKind] = mapped_column(str_enum(CodeKind))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<DiagnosisCode {self.category}/{self.kind}/{self.code}>"


@network_wide("checklists per product category are shared by the whole network")
class ChecklistItem(Base):
    """One line of a product category's bench checklist; required lines must be ticked to finish."""

    __tablename__ = "checklist_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(80), index=True)
    text: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


@center_owned(_of_center_orders)
class OrderDiagnosis(Base):
    """The coded diagnosis of an order (one per order; re-recording replaces it, history keeps both).
    Failure statistics count these rows by code, model and manufacturer."""

    __tablename__ = "order_diagnoses"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_orders.id"), unique=True)
    symptom_id: Mapped[int] = mapped_column(ForeignKey("diagnosis_codes.id"), index=True)
    cause_id: Mapped[int] = mapped_column(ForeignKey("diagnosis_codes.id"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("diagnosis_codes.id"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    symptom: Mapped[DiagnosisCode] = relationship(foreign_keys=[symptom_id])
    cause: Mapped[DiagnosisCode] = relationship(foreign_keys=[cause_id])
    action: Mapped[DiagnosisCode | None] = relationship(foreign_keys=[action_id])


@center_owned(_of_center_orders)
class ChecklistTick(Base):
    """An item of the checklist ticked on an order: who and when (unticking deletes it)."""

    __tablename__ = "checklist_ticks"
    __table_args__ = (UniqueConstraint("order_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_orders.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_items.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship()


@center_owned(_of_center_orders)
class PartSwap(Base):
    """A serialised part replaced on an order: the part taken out and the one put in, both units
    (component_of the repaired unit; the old one replaced_by the new one)."""

    __tablename__ = "part_swaps"
    __table_args__ = (Index("ix_part_swaps_unit_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_orders.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))  # the repaired unit
    part_name: Mapped[str] = mapped_column(String(120))
    old_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    new_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    old_unit: Mapped[Unit] = relationship(foreign_keys=[old_unit_id])
    new_unit: Mapped[Unit] = relationship(foreign_keys=[new_unit_id])
    user: Mapped[User | None] = relationship()
