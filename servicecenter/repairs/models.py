"""Repair orders (заказ-наряды), their immutable history, and the number counters."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, false, or_, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicecenter.accounts.models import User
from servicecenter.centers.models import ServiceCenter
from servicecenter.clock import utcnow
from servicecenter.customers.models import Customer
from servicecenter.db import Base, postgresql_index, str_enum
from servicecenter.equipment.models import Unit
from servicecenter.repairs.states import RepairState
from servicecenter.scoping import center_owned


class OrderType(StrEnum):
    WARRANTY = "warranty"
    PAID = "paid"
    REPEAT = "repeat"  # back under our own repair warranty
    PRESALE = "presale"  # pre-sale check for a dealer


class Payer(StrEnum):
    CUSTOMER = "customer"
    MANUFACTURER = "manufacturer"  # warranty repairs are claimed from the manufacturer
    SERVICE_CENTER = "service_center"  # a repeat repair under our own warranty
    DEALER = "dealer"  # a pre-sale check


def initial_payer(order_type: OrderType, warranty_covered: bool | None) -> Payer:
    """Who pays for an order when it is received (a warranty revision at diagnosis may change it)."""
    if order_type == OrderType.PRESALE:
        return Payer.DEALER
    if order_type == OrderType.REPEAT and warranty_covered:
        return Payer.SERVICE_CENTER
    return Payer.MANUFACTURER if warranty_covered else Payer.CUSTOMER


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Outcome(StrEnum):
    REPAIRED = "repaired"
    REPLACED = "replaced"
    REFUSED = "refused"
    UNREPAIRABLE = "unrepairable"


class EventKind(StrEnum):
    CREATED = "created"
    STATE = "state"
    ASSIGNMENT = "assignment"
    WARRANTY = "warranty"
    LOCATION = "location"
    COMMENT = "comment"
    FIELD = "field"
    ROUTING = "routing"
    DEADLINE = "deadline"  # due dates recomputed (a rule changed), paused or resumed
    PARTS = "parts"  # a part reserved, requested, released or issued for the order


@center_owned(lambda cls, cid: cls.center_id == cid)
class RepairOrder(Base):
    __tablename__ = "repair_orders"
    # Queues and counts per center and state (team lead, counters) — measured at 1M orders.
    __table_args__ = (
        Index("ix_repair_orders_center_id_state", "center_id", "state"),
        # A number prefix (MSK1-2026-00…) by index on PostgreSQL whatever the database's collation; with
        # the newest-first sort's columns, so that a page of a prefix's matches is found in the index alone.
        postgresql_index("ix_repair_orders_number_prefix", "number", postgresql_ops={"number": "varchar_pattern_ops"},
                         postgresql_include=["created_at", "id"]),
        # The team lead's queue sorted by due date, and the deadline board's counts (the state in
        # the index lets both skip finished orders without reading them).
        Index("ix_repair_orders_center_id_due_at", "center_id", "due_at", "state"),
        # An engineer's open orders (his queue, his load in the team lead's picker); a center's
        # finished orders by period (the team lead's week and month figures).
        Index("ix_repair_orders_engineer_id_state", "engineer_id", "state"),
        # The received orders nobody has taken yet, by due date (the engineers' "waiting" list): a
        # small partial index, so a center with a backlog does not sort thousands of them.
        Index("ix_repair_orders_unassigned_received", "center_id", "due_at", "created_at", "id",
              postgresql_where=text("state = 'received' AND engineer_id IS NULL"),
              sqlite_where=text("state = 'received' AND engineer_id IS NULL")),
        Index("ix_repair_orders_center_id_ready_at", "center_id", "ready_at"),
        # Orders routed to another center (few): what logistics ships to partners, what partners
        # send back, what the counter hands back (repairs/routing.py).
        Index("ix_repair_orders_routed", "intake_center_id", "center_id", "state",
              postgresql_where=text("center_id <> intake_center_id"),
              sqlite_where=text("center_id <> intake_center_id")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    # Set by whoever creates the order (a form's one-time token, an API Idempotency-Key): a
    # second create with the same key returns the first order instead of making another.
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("service_centers.id"), index=True)
    intake_center_id: Mapped[int] = mapped_column(ForeignKey("service_centers.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # The unit's brand and model as received, copied with the unit (put_unit; a unit's model never
    # changes): the reports group a year of orders by them without joining a million units.
    manufacturer_id: Mapped[int | None] = mapped_column(ForeignKey("manufacturers.id"))
    model_id: Mapped[int | None] = mapped_column(ForeignKey("product_models.id"), index=True)
    # A repeat repair: the unit's order that became ready for pickup within the 90 days before this
    # one was received (set on receipt, repairs/repeats.py) — the failures report counts these.
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("repair_orders.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    order_type: Mapped[OrderType] = mapped_column(str_enum(OrderType), default=OrderType.PAID)
    state: Mapped[RepairState] = mapped_column(str_enum(RepairState), index=True)
    priority: Mapped[Priority] = mapped_column(str_enum(Priority), default=Priority.NORMAL)
    fault: Mapped[str] = mapped_column(Text, default="")
    condition: Mapped[str] = mapped_column(Text, default="")
    accessories: Mapped[list[str]] = mapped_column(JSON, default=list)
    warranty_covered: Mapped[bool | None]
    warranty_reason: Mapped[str] = mapped_column(Text, default="")
    engineer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    team: Mapped[str] = mapped_column(String(80), default="")
    diagnosis_due: Mapped[datetime | None]
    repair_due: Mapped[datetime | None]
    # Deadlines (servicecenter.deadlines): the consumer-protection limit for warranty repairs, which
    # never pauses; the due date that binds the order in its current stage (diagnosis or repair,
    # whichever comes first, None once ready or while the internal clock is paused) and the moment
    # it becomes "at risk" (due_at minus the rule's margin). Overdue: due_at < now.
    legal_due: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    risk_at: Mapped[datetime | None]
    # While the internal deadlines are paused (waiting for the customer's approval, in transit):
    # since when and why; the time already spent paused pushes diagnosis_due/repair_due later.
    deadline_paused_at: Mapped[datetime | None]
    deadline_pause_reason: Mapped[str] = mapped_column(String(20), default="", server_default="")
    deadline_paused_seconds: Mapped[int] = mapped_column(default=0, server_default="0")
    diagnosis: Mapped[str] = mapped_column(Text, default="")
    estimate_total: Mapped[Decimal | None]
    approved: Mapped[bool | None]
    # Set when a warranty decision is revised to paid after intake: no repair (nor waiting for
    # parts) from diagnosis until the customer approves an estimate (servicecenter.repairs.states).
    approval_required: Mapped[bool] = mapped_column(default=False, server_default=false())
    outcome: Mapped[Outcome | None] = mapped_column(str_enum(Outcome))
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    # Money at the counter (paid work): what is due when the unit is handed back, and what was paid.
    amount_due: Mapped[Decimal | None]
    amount_paid: Mapped[Decimal | None]
    payment_method: Mapped[str] = mapped_column(String(20), default="", server_default="")
    paid_at: Mapped[datetime | None]
    # The customer's rating of the repair (1–5), at the counter or from the status page.
    rating: Mapped[int | None]
    rating_comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    rated_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    received_at: Mapped[datetime | None]
    # When the internal deadlines restarted at another center (an order routed to a partner starts
    # the partner's clock on receipt); None: they run from received_at. The legal limit never moves.
    clock_restarted_at: Mapped[datetime | None]
    ready_at: Mapped[datetime | None]
    issued_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    center: Mapped[ServiceCenter] = relationship(foreign_keys=[center_id])
    intake_center: Mapped[ServiceCenter] = relationship(foreign_keys=[intake_center_id])
    unit: Mapped[Unit | None] = relationship()
    customer: Mapped[Customer] = relationship()
    engineer: Mapped[User | None] = relationship()
    events: Mapped[list[RepairEvent]] = relationship(
        back_populates="order", order_by="RepairEvent.id", viewonly=True
    )

    __mapper_args__ = {"version_id_col": version}

    def put_unit(self, unit: Unit | None) -> None:
        """The unit this order is about, with the brand and model it is of."""
        self.unit_id = unit.id if unit is not None else None
        self.manufacturer_id = unit.manufacturer_id if unit is not None else None
        self.model_id = unit.model_id if unit is not None else None

    def __repr__(self) -> str:
        return f"<RepairOrder {self.number} {self.state}>"


def _event_rule(cls: type[RepairEvent], cid: int):  # noqa: ANN202
    orders = select(RepairOrder.id).where(RepairOrder.center_id == cid).scalar_subquery()
    units = select(RepairOrder.unit_id).where(RepairOrder.center_id == cid).scalar_subquery()
    # The unit's history at the network travels with it (the engineer needs it); the events
    # of other centers' orders that are not about one of these units stay hidden.
    return or_(cls.order_id.in_(orders), cls.unit_id.in_(units))


@center_owned(_event_rule)
class RepairEvent(Base):
    """One entry of the history of an order or a unit. Written once, never changed."""

    __tablename__ = "repair_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("repair_orders.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind))
    from_value: Mapped[str | None] = mapped_column(String(200))
    to_value: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    order: Mapped[RepairOrder | None] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<RepairEvent {self.kind} {self.from_value}->{self.to_value}>"


@center_owned(lambda cls, cid: cls.order_id.in_(
    select(RepairOrder.id).where(RepairOrder.center_id == cid).scalar_subquery()))
class WorkLog(Base):
    """Labour logged on an order: who, on which day, how long, what was done. Written once."""

    __tablename__ = "work_logs"
    __table_args__ = (
        CheckConstraint("minutes > 0 AND minutes <= 1440", name="sane_minutes"),
        Index("ix_work_logs_user_id_performed_on", "user_id", "performed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_orders.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    performed_on: Mapped[date]  # the day in the center's time zone
    minutes: Mapped[int]
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[RepairOrder] = relationship()
    user: Mapped[User] = relationship()


class AttachmentKind(StrEnum):
    INTAKE_PHOTO = "intake_photo"  # nameplate, seals, damage at the counter
    PART_PHOTO = "part_photo"  # replaced parts
    SIGNED_ACT = "signed_act"
    DOCUMENT = "document"


@center_owned(lambda cls, cid: cls.order_id.in_(
    select(RepairOrder.id).where(RepairOrder.center_id == cid).scalar_subquery()))
class Attachment(Base):
    """A file kept for an order (stored outside the database under a random name)."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_orders.id"), index=True)
    kind: Mapped[AttachmentKind] = mapped_column(str_enum(AttachmentKind))
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)  # random; never the user's name
    original_name: Mapped[str] = mapped_column(String(200), default="")
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    width: Mapped[int | None]
    height: Mapped[int | None]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[RepairOrder] = relationship()


@center_owned(lambda cls, cid: cls.center_id == cid)
class OrderCounter(Base):
    """The last order number used per center and year."""

    __tablename__ = "order_counters"

    center_id: Mapped[int] = mapped_column(ForeignKey("service_centers.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
