"""Planned maintenance: dated attributes on a unit's card, plans, and each plan's occurrences."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicecenter.accounts.models import User
from servicecenter.catalog.models import ProductModel
from servicecenter.centers.models import ServiceCenter
from servicecenter.clock import utcnow
from servicecenter.customers.models import Customer, ServiceContract
from servicecenter.db import Base, str_enum
from servicecenter.equipment.models import Unit, _units_of_center
from servicecenter.repairs.models import RepairOrder
from servicecenter.scoping import center_owned


class DateKind(StrEnum):
    """What a date on a unit's card is the end of."""

    LICENCE = "licence"  # a software licence (an antivirus, a map update subscription)
    FISCAL_DRIVE = "fiscal_drive"  # the fiscal drive (ФН) of a cash register
    CALIBRATION = "calibration"  # a calibration or verification (поверка) certificate
    OTHER = "other"


class PlanScope(StrEnum):
    UNIT = "unit"  # one unit
    MODEL = "model"  # every unit of a model (optionally of one owner)
    CONTRACT = "contract"  # every unit under a service contract, while the contract runs


class Schedule(StrEnum):
    EVERY_MONTHS = "every_months"  # every N months from a start date
    BEFORE_DATE = "before_date"  # before a date kept on each unit's card


class PlanAction(StrEnum):
    ORDER = "order"  # pre-register an order (state `registered`), as the call center does
    REMINDER = "reminder"  # only remind: listed to the team lead and noted in the unit's history


# A partner sees the dates of the units it has or had in repair, like the units themselves.
@center_owned(lambda cls, cid: cls.unit_id.in_(_units_of_center(cid)))
class UnitDate(Base):
    """A dated attribute of a unit's card: one date per kind (a licence expiry, a ФН expiry)."""

    __tablename__ = "unit_dates"
    __table_args__ = (UniqueConstraint("unit_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DateKind] = mapped_column(str_enum(DateKind))
    due_on: Mapped[date] = mapped_column(index=True)
    note: Mapped[str] = mapped_column(String(200), default="")  # e.g. which antivirus, the ФН's number
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship()


@center_owned(lambda cls, cid: cls.center_id == cid)
class MaintenancePlan(Base):
    """What is maintained (scope), when (schedule), how far ahead, and what happens then."""

    __tablename__ = "maintenance_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("service_centers.id"), index=True)  # who does the work
    name: Mapped[str] = mapped_column(String(200))
    work: Mapped[str] = mapped_column(Text, default="")  # what to do: becomes the order's fault text
    scope: Mapped[PlanScope] = mapped_column(str_enum(PlanScope))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    model_id: Mapped[int | None] = mapped_column(ForeignKey("product_models.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)  # model scope only
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("service_contracts.id"), index=True)
    schedule: Mapped[Schedule] = mapped_column(str_enum(Schedule))
    every_months: Mapped[int | None]
    # every_months: the first occurrence; before_date: card dates before it are ignored.
    start_on: Mapped[date]
    date_kind: Mapped[DateKind | None] = mapped_column(str_enum(DateKind))
    lead_days: Mapped[int] = mapped_column(default=14)
    action: Mapped[PlanAction] = mapped_column(str_enum(PlanAction), default=PlanAction.ORDER)
    active: Mapped[bool] = mapped_column(default=True, index=True)
    # every_months: the next occurrence not yet made; before_date: the nearest card date not yet
    # made (for display). Moved by the periodic job.
    next_due_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    center: Mapped[ServiceCenter] = relationship()
    unit: Mapped[Unit | None] = relationship()
    model: Mapped[ProductModel | None] = relationship()
    owner: Mapped[Customer | None] = relationship()
    contract: Mapped[ServiceContract | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<MaintenancePlan {self.id} {self.name}>"


def _plans_of_center(cid: int):  # noqa: ANN202
    return select(MaintenancePlan.id).where(MaintenancePlan.center_id == cid).scalar_subquery()


@center_owned(lambda cls, cid: cls.plan_id.in_(_plans_of_center(cid)))
class MaintenanceOccurrence(Base):
    """One due date of a plan for one unit, made once: the order it pre-registered, or a reminder."""

    __tablename__ = "maintenance_occurrences"
    # A model or contract plan covers many units on the same date: one row per plan, unit and date.
    __table_args__ = (UniqueConstraint("plan_id", "unit_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("maintenance_plans.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    due_on: Mapped[date] = mapped_column(index=True)
    action: Mapped[PlanAction] = mapped_column(str_enum(PlanAction))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("repair_orders.id"), index=True)
    # Why an order plan left only a reminder (the unit has no owner to register the order for).
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    plan: Mapped[MaintenancePlan] = relationship()
    unit: Mapped[Unit] = relationship()
    order: Mapped[RepairOrder | None] = relationship()
