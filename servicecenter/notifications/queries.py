"""The notification log as the order page shows it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicecenter.notifications.models import Notification
from servicecenter.repairs.models import RepairOrder


def list_order_notifications(session: Session, order: RepairOrder, limit: int = 100) -> list[Notification]:
    """The order's notifications, newest first."""
    return list(session.scalars(select(Notification).where(Notification.order_id == order.id)
                                .order_by(Notification.id.desc()).limit(limit)))
