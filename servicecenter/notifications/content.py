"""What a notification's text says: the order, the center, the customer or the member of staff."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_currency
from sqlalchemy.orm import Session

from servicecenter.config import Settings
from servicecenter.notifications.models import Notification
from servicecenter.repairs.models import RepairOrder

LINK_LABELS = {
    "customer": {"ru": "Статус заказа", "en": "Order status"},
    "staff": {"ru": "Открыть заказ", "en": "Open the order"},
}


def _money(value: Decimal | None, lang: str) -> str | None:
    return format_currency(value, "RUB", locale=lang) if value is not None else None


def _unit_words(order: RepairOrder) -> str | None:
    unit = order.unit
    if unit is None or unit.model is None:
        return None
    return f"{unit.model.manufacturer.name} {unit.model.name}".strip()


def mail_context(session: Session, row: Notification, settings: Settings) -> dict[str, Any]:
    """Everything the kind's template may use."""
    order = session.get(RepairOrder, row.order_id)
    center = order.center
    lang = row.language
    audience = "customer" if row.customer_id is not None else "staff"
    number = quote(order.number)
    context: dict[str, Any] = {
        "audience": audience, "number": order.number, "unit": _unit_words(order),
        "center_name": center.name, "center_phone": center.phone, "center_address": center.address,
        "center_hours": center.hours,
        "status_url": f"{settings.public_url}/status?number={number}",
        "order_url": f"{settings.public_url}/orders/{number}",
        "part": None, "quantity": None,
    }
    context.update(row.params or {})
    if audience == "customer":
        context.update(name=order.customer.name, diagnosis=order.diagnosis or None,
                       estimate=_money(order.estimate_total, lang), amount_due=_money(order.amount_due, lang),
                       link=context["status_url"])
    else:
        due = row.deadline_at or order.due_at
        context.update(name=row.user.name if row.user else "", link=context["order_url"],
                       engineer=order.engineer.name if order.engineer else None,
                       due=format_datetime(due.astimezone(ZoneInfo(center.timezone)), "d MMMM yyyy, HH:mm",
                                           locale=lang) if due else "—")
    context["link_label"] = LINK_LABELS[audience][lang]
    return context
