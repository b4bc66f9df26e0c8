"""The webhooks admin screen over HTTP: subscribe a receiver, see its deliveries, replay one, send
a test event (CSRF on every form); nobody but an admin gets in."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from servicecenter.accounts.roles import Role
from servicecenter.centers.models import CenterKind
from servicecenter.repairs.states import RepairState
from servicecenter.webhooks.models import DeliveryState, WebhookDelivery, WebhookSubscription
from tests.factories import csrf_token, login
from tests.webhook_receiver import running_receiver


def text(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


@pytest.fixture
def hq(factory):  # noqa: ANN001, ANN201
    return factory.center("HQ", name="Head office")


@pytest.fixture
def admin_client(client, factory, session, hq):  # noqa: ANN001, ANN201
    admin = factory.user(hq, Role.ADMIN, email="admin@example.test", name="Anna Admin")
    admin.locale = "en"
    session.flush()
    assert login(client, admin.email).status_code == 302
    return client


def subscribe_through_the_form(client, url: str, **extra: object) -> None:  # noqa: ANN001
    page = client.get("/admin/webhooks/new")
    assert page.status_code == 200
    response = client.post("/admin/webhooks/new", data={
        "name": "Bosch service portal", "url": url, "on_created": "y", "on_state_changed": "y", "active": "y",
        "only_manufacturer_id": "", "only_center_id": "", "csrf_token": csrf_token(text(page)), **extra})
    assert response.status_code == 302, text(response)


def test_admin_subscribes_a_receiver_and_sees_the_secret_and_the_deliveries(admin_client, session, factory,
                                                                            hq) -> None:
    with running_receiver() as receiver:
        subscribe_through_the_form(admin_client, receiver.url, states=["ready_for_pickup"])
        subscription = session.scalar(select(WebhookSubscription))
        assert subscription.states == ["ready_for_pickup"] and subscription.secret.startswith("whsec_")
        page = text(admin_client.get(f"/admin/webhooks/{subscription.id}"))
        assert subscription.secret in page and receiver.url in page
        assert "Nothing has been sent to this receiver yet." in page
        listing = text(admin_client.get("/admin/webhooks/"))
        assert "Bosch service portal" in listing

        receiver.secret = subscription.secret
        token = csrf_token(page)
        response = admin_client.post(f"/admin/webhooks/{subscription.id}/test", data={"csrf_token": token})
        assert response.status_code == 303
        page = text(admin_client.get(f"/admin/webhooks/{subscription.id}"))
    assert [r.payload["type"] for r in receiver.requests] == ["ping"] and receiver.requests[0].signature_ok
    assert "delivered" in page and "HTTP 200" in page

    old = subscription.secret
    assert admin_client.post(f"/admin/webhooks/{subscription.id}/rotate",
                             data={"csrf_token": csrf_token(page)}).status_code == 303
    session.expire_all()
    new = session.get(WebhookSubscription, subscription.id).secret
    assert new != old and new in text(admin_client.get(f"/admin/webhooks/{subscription.id}"))


def test_bad_address_is_refused_with_a_message_and_nothing_saved(admin_client, session) -> None:
    page = admin_client.get("/admin/webhooks/new")
    response = admin_client.post("/admin/webhooks/new", data={
        "name": "Vendor", "url": "ftp://vendor.example/in", "on_created": "y", "active": "y",
        "csrf_token": csrf_token(text(page))})
    assert response.status_code == 422
    assert "Enter an http:// or https:// address" in text(response)
    assert session.scalars(select(WebhookSubscription)).all() == []


def test_replay_from_the_screen_sends_the_same_payload_again(admin_client, session, factory, hq) -> None:
    with running_receiver(fail_first=1) as receiver:
        subscribe_through_the_form(admin_client, receiver.url)
        subscription = session.scalar(select(WebhookSubscription))
        receiver.secret = subscription.secret
        order = factory.order(hq, RepairState.RECEIVED)  # the delivery is queued in the test's session
        delivery = session.scalar(select(WebhookDelivery))
        assert delivery.payload["order"]["number"] == order.number and delivery.attempts == 0
        session.flush()

        page = admin_client.get(f"/admin/webhooks/{subscription.id}")
        assert admin_client.post(f"/admin/webhooks/deliveries/{delivery.id}/replay",
                                 data={"csrf_token": csrf_token(text(page))}).status_code == 303
        session.expire_all()
        assert session.get(WebhookDelivery, delivery.id).state == DeliveryState.RETRYING  # 500 the first time
        page = admin_client.get(f"/admin/webhooks/{subscription.id}")
        assert "HTTP 500" in text(page) and "retrying" in text(page)
        # without the CSRF token nothing happens
        assert admin_client.post(f"/admin/webhooks/deliveries/{delivery.id}/replay").status_code == 400
        assert admin_client.post(f"/admin/webhooks/deliveries/{delivery.id}/replay",
                                 data={"csrf_token": csrf_token(text(page))}).status_code == 303
    session.expire_all()
    delivery = session.get(WebhookDelivery, delivery.id)
    assert delivery.state == DeliveryState.DELIVERED and [a.status for a in delivery.attempt_log] == [500, 200]
    assert len(receiver.requests) == 2 and receiver.requests[0].body == receiver.requests[1].body
    page = text(admin_client.get(f"/admin/webhooks/{subscription.id}"))
    assert re.search(r"delivered", page) and order.number in page


def test_deactivated_subscription_gets_nothing_and_replay_is_refused(admin_client, session, factory, hq) -> None:
    with running_receiver() as receiver:
        subscribe_through_the_form(admin_client, receiver.url)
        subscription = session.scalar(select(WebhookSubscription))
        factory.order(hq, RepairState.RECEIVED)
        delivery = session.scalar(select(WebhookDelivery))
        session.flush()
        page = admin_client.get(f"/admin/webhooks/{subscription.id}/edit")
        response = admin_client.post(f"/admin/webhooks/{subscription.id}/edit", data={
            "name": subscription.name, "url": subscription.url, "on_created": "y",
            "csrf_token": csrf_token(text(page))})  # "active" unticked
        assert response.status_code == 302
        factory.order(hq, RepairState.RECEIVED)
        assert session.scalars(select(WebhookDelivery)).all() == [delivery]  # nothing new queued
        page = admin_client.get(f"/admin/webhooks/{subscription.id}")
        response = admin_client.post(f"/admin/webhooks/deliveries/{delivery.id}/replay",
                                     data={"csrf_token": csrf_token(text(page))})
        assert response.status_code == 422 and "activate it before replaying" in text(response)
    assert receiver.requests == []


@pytest.mark.parametrize("role", [Role.INTAKE, Role.TEAM_LEAD, Role.PARTNER_MANAGER])
def test_non_admins_cannot_see_or_replay(client, session, factory, hq, role) -> None:
    subscription = WebhookSubscription(name="Vendor", url="http://127.0.0.1:9/", secret="whsec_topsecret")
    session.add(subscription)
    session.flush()
    delivery = WebhookDelivery(subscription_id=subscription.id, event_type="ping", payload={"type": "ping"})
    session.add(delivery)
    center = factory.center("PRT", kind=CenterKind.PARTNER) if role == Role.PARTNER_MANAGER else hq
    user = factory.user(center, role)
    session.flush()
    assert login(client, user.email).status_code == 302
    token = csrf_token(text(client.get("/", follow_redirects=True)))
    expected = 404 if role == Role.PARTNER_MANAGER else 403
    for url in ("/admin/webhooks/", f"/admin/webhooks/{subscription.id}", f"/admin/webhooks/{subscription.id}/edit"):
        response = client.get(url)
        assert response.status_code == expected and "whsec_topsecret" not in text(response)
    for url in (f"/admin/webhooks/deliveries/{delivery.id}/replay", f"/admin/webhooks/{subscription.id}/test",
                f"/admin/webhooks/{subscription.id}/rotate"):
        assert client.post(url, data={"csrf_token": token}).status_code == expected
    session.expire_all()
    assert session.get(WebhookDelivery, delivery.id).attempts == 0
    assert session.get(WebhookSubscription, subscription.id).secret == "whsec_topsecret"
