"""The administrator's side of webhooks: subscriptions, replaying a delivery, a test event."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.accounts.services import require_admin
from servicecenter.catalog.models import Manufacturer
from servicecenter.centers.models import ServiceCenter
from servicecenter.clock import utcnow
from servicecenter.errors import N_, ValidationFailed
from servicecenter.fields import check_known, clean_text
from servicecenter.repairs.states import RepairState
from servicecenter.webhooks.delivery import queue_delivery
from servicecenter.webhooks.models import DeliveryState, EventType, WebhookDelivery, WebhookSubscription
from servicecenter.webhooks.payload import ping_payload

SUBSCRIPTION_FIELDS = frozenset({"name", "url", "on_created", "on_state_changed", "states",
                                 "only_manufacturer_id", "only_center_id", "active"})


def new_secret() -> str:
    """A signing secret: 32 random bytes, URL-safe text."""
    return "whsec_" + secrets.token_urlsafe(32)


def _url(values: dict[str, Any], errors: dict[str, str]) -> str:
    url = clean_text(values, "url", errors, 500, N_("Enter the receiver's address"))
    if url and "url" not in errors:
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018  (a port that is not a number raises here)
        except ValueError:
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            errors["url"] = N_("Enter an http:// or https:// address")
        elif parts.username or parts.password:
            errors["url"] = N_("No user name or password in the address: the signature authenticates us")
    return url


def _clean(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    states = [str(s) for s in values.get("states") or []]
    if any(s not in RepairState._value2member_map_ for s in states):
        errors["states"] = N_("Unknown state")
    manufacturer_id = values.get("only_manufacturer_id")
    if manufacturer_id is not None and session.get(Manufacturer, manufacturer_id) is None:
        errors["only_manufacturer_id"] = N_("No such manufacturer")
    center_id = values.get("only_center_id")
    if center_id is not None and session.get(ServiceCenter, center_id) is None:
        errors["only_center_id"] = N_("No such service center")
    clean = {
        "name": clean_text(values, "name", errors, 120, N_("Enter the name")),
        "url": _url(values, errors),
        "on_created": bool(values.get("on_created")),
        "on_state_changed": bool(values.get("on_state_changed")),
        "states": sorted(set(states)),
        "only_manufacturer_id": manufacturer_id,
        "only_center_id": center_id,
        "active": bool(values.get("active", True)),
    }
    if not errors and not (clean["on_created"] or clean["on_state_changed"]):
        errors["on_created"] = N_("Choose at least one event")
    if errors:
        raise ValidationFailed(N_("The webhook subscription was not saved"), errors=errors)
    return clean


def create_subscription(session: Session, actor: User, **values: Any) -> WebhookSubscription:
    """Subscribe a receiver to order events; its signing secret is generated here."""
    require_admin(actor)
    check_known(SUBSCRIPTION_FIELDS, values, "create_subscription")
    subscription = WebhookSubscription(**_clean(session, values), secret=new_secret(), created_by_id=actor.id)
    session.add(subscription)
    session.flush()
    return subscription


def update_subscription(session: Session, actor: User, subscription: WebhookSubscription,
                        **changes: Any) -> WebhookSubscription:
    """Change a subscription (deactivate with active=False); deliveries already made keep their payload."""
    require_admin(actor)
    check_known(SUBSCRIPTION_FIELDS, changes, "update_subscription")
    values = {field: getattr(subscription, field) for field in SUBSCRIPTION_FIELDS}
    values.update(changes)
    for field, value in _clean(session, values).items():
        setattr(subscription, field, value)
    session.flush()
    return subscription


def rotate_secret(session: Session, actor: User, subscription: WebhookSubscription) -> str:
    """Give the subscription a new secret (the receiver must be told it); returns it."""
    require_admin(actor)
    subscription.secret = new_secret()
    session.flush()
    return subscription.secret


def replay_delivery(session: Session, actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery's same payload again now, as its next attempt."""
    require_admin(actor)
    if not delivery.subscription.active:
        raise ValidationFailed(N_("The subscription is inactive; activate it before replaying"))
    delivery.state = DeliveryState.PENDING
    queue_delivery(session, delivery)
    return delivery


def send_test_event(session: Session, actor: User, subscription: WebhookSubscription) -> WebhookDelivery:
    """Queue a `ping` to the subscription's receiver (signed like every event)."""
    require_admin(actor)
    if not subscription.active:
        raise ValidationFailed(N_("The subscription is inactive; activate it before testing"))
    delivery = WebhookDelivery(subscription_id=subscription.id, event_id=None, event_type=EventType.PING,
                               payload=ping_payload(subscription.name, utcnow().isoformat()))
    session.add(delivery)
    queue_delivery(session, delivery)
    return delivery


def list_subscriptions(session: Session) -> list[WebhookSubscription]:
    """Every subscription, active first, by name."""
    return list(session.scalars(select(WebhookSubscription)
                                .order_by(WebhookSubscription.active.desc(), WebhookSubscription.name)))


def list_deliveries(session: Session, subscription: WebhookSubscription, limit: int = 100) -> list[WebhookDelivery]:
    """A subscription's latest deliveries, newest first."""
    return list(session.scalars(select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
                                .order_by(WebhookDelivery.id.desc()).limit(limit)))
