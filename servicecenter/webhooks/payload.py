"""What a subscriber is told about an order: enough for a vendor to match it to a unit and a
warranty case, and no personal data of the customer (no name, phone, e-mail or address; not even
the fault text, which clerks sometimes fill with contact details). See docs/webhooks.md."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from servicecenter.webhooks.models import EventType

if TYPE_CHECKING:
    from servicecenter.repairs.models import RepairEvent, RepairOrder
    from servicecenter.repairs.states import RepairState


def order_payload(order: RepairOrder, source: RepairState | None, target: RepairState,
                  event: RepairEvent) -> dict[str, Any]:
    """The JSON document of one order event (created or state changed)."""
    unit = order.unit
    return {
        "event_id": event.id,
        "type": (EventType.ORDER_CREATED if source is None else EventType.ORDER_STATE_CHANGED).value,
        "occurred_at": event.at.isoformat(),
        "order": {
            "number": order.number,
            "center": order.center.code,
            "state": target.value,
            "previous_state": source.value if source is not None else None,
            "order_type": order.order_type.value,
            "warranty": order.warranty_covered,
            "outcome": order.outcome.value if order.outcome else None,
            "manufacturer": unit.manufacturer.name if unit is not None else None,
            "model": unit.model.name if unit is not None else None,
            "serial": unit.serial if unit is not None else None,
        },
    }


def ping_payload(subscription_name: str, occurred_at: str) -> dict[str, Any]:
    """The test event an admin sends to check a receiver."""
    return {"event_id": None, "type": EventType.PING.value, "occurred_at": occurred_at,
            "subscription": subscription_name}


def body_of(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed): compact UTF-8 JSON with sorted keys."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
