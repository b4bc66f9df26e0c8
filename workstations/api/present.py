"""What the API answers: plain dicts of the domain's objects (the OpenAPI schemas describe them)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from servicecenter.accounts.roles import Role
from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.centers.models import ServiceCenter
from servicecenter.repairs.models import EventKind, RepairEvent, RepairOrder
from servicecenter.repairs.states import transitions_from


def moment(value: datetime | None) -> str | None:
    """An instant in UTC, ISO 8601 with Z (SQLite hands back naive UTC)."""
    if value is None:
        return None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.isoformat().replace("+00:00", "Z")


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def center(c: ServiceCenter) -> dict[str, Any]:
    return {"id": c.id, "code": c.code, "name": c.name, "city": c.city, "kind": c.kind.value,
            "brands": [m.name for m in c.brands], "address": c.address, "phone": c.phone, "hours": c.hours}


def manufacturer(m: Manufacturer) -> dict[str, Any]:
    return {"id": m.id, "name": m.name, "country": m.country, "default_warranty_months": m.default_warranty_months}


def product_model(pm: ProductModel) -> dict[str, Any]:
    return {"id": pm.id, "manufacturer": pm.manufacturer.name, "name": pm.name, "category": pm.category,
            "warranty_months": pm.warranty_months}


def event(ev: RepairEvent) -> dict[str, Any]:
    return {"at": moment(ev.at), "actor": ev.actor.name if ev.actor is not None else None, "kind": ev.kind.value,
            "from": ev.from_value, "to": ev.to_value, "details": dict(ev.details or {})}


def _warranty_until(history: list[RepairEvent]) -> str | None:
    for ev in reversed(history):
        if ev.kind == EventKind.WARRANTY:
            until = (ev.details or {}).get("until")
            return until if isinstance(until, str) else None
    return None


def order_summary(o: RepairOrder) -> dict[str, Any]:
    unit = o.unit
    return {
        "number": o.number, "state": o.state.value, "center": o.center.code, "order_type": o.order_type.value,
        "priority": o.priority.value, "customer": o.customer.name,
        "manufacturer": unit.manufacturer.name if unit is not None else None,
        "model": unit.model.name if unit is not None else None,
        "serial": unit.serial if unit is not None else None,
        "created_at": moment(o.created_at), "due_at": moment(o.due_at),
    }


def order(o: RepairOrder, history: list[RepairEvent], role: Role) -> dict[str, Any]:
    unit = o.unit
    return {
        **order_summary(o),
        "intake_center": o.intake_center.code,
        "customer": {"name": o.customer.name, "phone": o.customer.phone, "email": o.customer.email or None},
        "unit": None if unit is None else {
            "manufacturer": unit.manufacturer.name, "model": unit.model.name, "serial": unit.serial,
            "purchase_date": day(unit.purchase_date)},
        "fault": o.fault, "condition": o.condition, "accessories": list(o.accessories or []),
        "warranty": {"covered": o.warranty_covered, "until": _warranty_until(history), "reason": o.warranty_reason},
        "diagnosis": o.diagnosis, "outcome": o.outcome.value if o.outcome is not None else None,
        "engineer": o.engineer.name if o.engineer is not None else None,
        "received_at": moment(o.received_at), "ready_at": moment(o.ready_at), "issued_at": moment(o.issued_at),
        "legal_due": moment(o.legal_due), "version": o.version,
        "transitions": [{"to": t.target.value, "action": t.action, "fields": list(t.fields)}
                        for t in transitions_from(o.state, role)],
        "history": [event(ev) for ev in history],
    }
