"""Deadline rules per center (with manufacturer or contract overrides) and calendar days."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicecenter.catalog.models import Manufacturer
from servicecenter.centers.models import ServiceCenter
from servicecenter.clock import utcnow
from servicecenter.customers.models import ServiceContract
from servicecenter.db import Base, str_enum
from servicecenter.deadlines.calendar import DayUnit
from servicecenter.scoping import center_owned


class AppliesTo(StrEnum):
    ANY = "any"
    WARRANTY = "warranty"
    PAID = "paid"


@center_owned(lambda cls, cid: cls.center_id == cid)
class DeadlineRule(Base):
    """Time to diagnosis and to repair at a center; a rule naming a manufacturer or a contract
    overrides the center's general rule for those orders (contract > manufacturer > center)."""

    __tablename__ = "deadline_rules"
    __table_args__ = (
        CheckConstraint("diagnosis_days BETWEEN 1 AND 365", name="diagnosis_days_range"),
        CheckConstraint("repair_days BETWEEN 1 AND 365", name="repair_days_range"),
        CheckConstraint("margin_hours >= 0", name="margin_not_negative"),
        CheckConstraint("manufacturer_id IS NULL OR contract_id IS NULL", name="one_override"),
        Index("ix_deadline_rules_center_id_active", "center_id", "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("service_centers.id"))
    manufacturer_id: Mapped[int | None] = mapped_column(ForeignKey("manufacturers.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("service_contracts.id"), index=True)
    applies_to: Mapped[AppliesTo] = mapped_column(str_enum(AppliesTo), default=AppliesTo.ANY)
    diagnosis_days: Mapped[int]
    diagnosis_unit: Mapped[DayUnit] = mapped_column(str_enum(DayUnit), default=DayUnit.CALENDAR)
    repair_days: Mapped[int]
    repair_unit: Mapped[DayUnit] = mapped_column(str_enum(DayUnit), default=DayUnit.CALENDAR)
    # "At risk" this long before the due date.
    margin_hours: Mapped[int] = mapped_column(default=24)
    pause_on_approval: Mapped[bool] = mapped_column(default=True)
    pause_in_transit: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    center: Mapped[ServiceCenter] = relationship()
    manufacturer: Mapped[Manufacturer | None] = relationship()
    contract: Mapped[ServiceContract | None] = relationship()

    def __repr__(self) -> str:
        return f"<DeadlineRule {self.id} center={self.center_id}>"


@center_owned(lambda cls, cid: or_(cls.center_id == cid, cls.center_id.is_(None)))
class CalendarDay(Base):
    """An exception to the Monday–Friday week: a holiday, or a weekend day that is worked.

    A day without a center is the network's calendar (federal holidays); a center's own entry
    for the same date wins (a regional holiday, a center open on a holiday).
    """

    __tablename__ = "calendar_days"
    __table_args__ = (Index("ix_calendar_days_center_id_day", "center_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int | None] = mapped_column(ForeignKey("service_centers.id"))
    day: Mapped[date]
    working: Mapped[bool] = mapped_column(default=False)  # False: a day off; True: a worked weekend day
    name: Mapped[str] = mapped_column(String(120), default="")

    center: Mapped[ServiceCenter | None] = relationship()

    def __repr__(self) -> str:
        return f"<CalendarDay {self.day} {'work' if self.working else 'off'}>"
