"""Webhook subscriptions, one delivery per (subscription, history event), and every attempt of it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicecenter.accounts.models import User
from servicecenter.catalog.models import Manufacturer
from servicecenter.centers.models import ServiceCenter
from servicecenter.clock import utcnow
from servicecenter.db import Base, str_enum
from servicecenter.scoping import network_wide


class EventType(StrEnum):
    ORDER_CREATED = "order.created"
    ORDER_STATE_CHANGED = "order.state_changed"
    PING = "ping"  # the admin's "send test event"


class DeliveryState(StrEnum):
    PENDING = "pending"  # waiting for its first attempt (or a replay)
    RETRYING = "retrying"  # an attempt failed; the next one is due at next_attempt_at
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # gave up after the last attempt (an admin may replay it)


@network_wide("administration of integrations; only admins read or write it")
class WebhookSubscription(Base):
    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    url: Mapped[str] = mapped_column(String(500))
    # Kept in clear: signing needs it. Shown only to admins, on the subscription's page.
    secret: Mapped[str] = mapped_column(String(100))
    on_created: Mapped[bool] = mapped_column(default=True)
    on_state_changed: Mapped[bool] = mapped_column(default=True)
    # Target states (RepairState values) a state change must reach to be sent; empty = every state.
    states: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Only orders of this brand (a manufacturer's own system) / of this center; None = all. (A filter,
    # not an owner: the subscription is the network's, so a partner's changes reach it too.)
    only_manufacturer_id: Mapped[int | None] = mapped_column(ForeignKey("manufacturers.id"))
    only_center_id: Mapped[int | None] = mapped_column(ForeignKey("service_centers.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    only_manufacturer: Mapped[Manufacturer | None] = relationship()
    only_center: Mapped[ServiceCenter | None] = relationship()
    created_by: Mapped[User | None] = relationship()


@network_wide("delivery log of the admins' webhook subscriptions")
class WebhookDelivery(Base):
    """One event for one subscriber: the same change is never queued twice for it."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id"),
        Index("ix_webhook_deliveries_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscriptions.id"), index=True)
    # The history event (repair_events.id) it reports; None for a test event.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("repair_events.id"))
    event_type: Mapped[EventType] = mapped_column(str_enum(EventType))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[DeliveryState] = mapped_column(str_enum(DeliveryState), default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_status: Mapped[int | None]  # the last attempt's HTTP status (None: no answer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]

    subscription: Mapped[WebhookSubscription] = relationship()
    attempt_log: Mapped[list[WebhookAttempt]] = relationship(
        back_populates="delivery", order_by="WebhookAttempt.number", viewonly=True)


@network_wide("delivery log of the admins' webhook subscriptions")
class WebhookAttempt(Base):
    """One POST of a delivery and what came back."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (UniqueConstraint("delivery_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id"), index=True)
    number: Mapped[int]  # 1, 2, ... within the delivery
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    duration_ms: Mapped[int] = mapped_column(default=0)
    status: Mapped[int | None]  # HTTP status; None when no answer came (refused, timeout, DNS)
    response_excerpt: Mapped[str] = mapped_column(Text, default="")  # at most 2,000 characters
    error: Mapped[str] = mapped_column(Text, default="")

    delivery: Mapped[WebhookDelivery] = relationship(back_populates="attempt_log")
