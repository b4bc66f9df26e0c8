"""Outbound webhooks against a real HTTP receiver on loopback: signed, retried with backoff,
logged attempt by attempt, filtered by brand and state, and never queued by a rolled-back change."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.catalog.models import Manufacturer
from servicecenter.centers.models import CenterKind
from servicecenter.clock import utcnow
from servicecenter.db import Database
from servicecenter.jobs.dispatch import QUEUE_NAME, Dispatcher, run_outbox_job
from servicecenter.jobs.models import OutboxJob
from servicecenter.jobs.registry import enqueue_after_commit
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.services import apply_transition
from servicecenter.repairs.states import RepairState
from servicecenter.scoping import Scope, set_scope
from servicecenter.webhooks import services
from servicecenter.webhooks.delivery import MAX_ATTEMPTS, backoff, queue_due_deliveries
from servicecenter.webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookSubscription
from tests.factories import Factory
from tests.webhook_receiver import Receiver, running_receiver


@pytest.fixture
def embedded(committed_database: Database) -> Iterator[Database]:
    """The committed database with the embedded dispatcher: jobs run right after each commit."""
    Dispatcher(committed_database, redis_url=None)
    yield committed_database
    committed_database.session_factory.kw.get("info", {}).pop("dispatcher", None)


def subscribe(db: Database, receiver: Receiver, **values: object) -> int:
    """An admin subscribes the receiver; the receiver learns the secret (unless told otherwise)."""
    with db.unit_of_work() as s:
        admin = Factory(s).user(Factory(s).center(), Role.ADMIN)
        values = {"name": "Vendor portal", "url": receiver.url, "on_created": True, "on_state_changed": True,
                  **values}
        subscription = services.create_subscription(s, admin, **values)
        if not receiver.secret:
            receiver.secret = subscription.secret
        return subscription.id


def new_order(db: Database, state: RepairState = RepairState.RECEIVED, brand: str | None = None) -> int:
    with db.unit_of_work() as s:
        f = Factory(s)
        model = f.model(f.manufacturer(brand)) if brand else None
        customer = f.customer("Петров Пётр Петрович", phone="+79161234567")
        return f.order(f.center(), state, customer=customer, unit=f.unit(model, owner=customer)).id


def deliveries(db: Database) -> list[WebhookDelivery]:
    with db.unit_of_work() as s:
        rows = list(s.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))
        for row in rows:
            _ = row.attempt_log  # loaded while the session is open
        return rows


def sweep_later(db: Database, after: timedelta = timedelta(days=3)) -> int:
    """The periodic retry sweep, run as if `after` had passed (the retries are then due)."""
    with db.unit_of_work() as s:
        return queue_due_deliveries(s, now=utcnow() + after)


def test_a_failing_receiver_gets_the_event_on_the_third_attempt_with_every_attempt_logged(embedded) -> None:
    with running_receiver(fail_first=2) as receiver:
        subscribe(embedded, receiver)
        order_id = new_order(embedded)
        [delivery] = deliveries(embedded)
        assert delivery.state == DeliveryState.RETRYING and delivery.attempts == 1
        assert delivery.next_attempt_at == delivery.attempt_log[0].started_at + backoff(1)
        assert sweep_later(embedded, timedelta(seconds=0)) == 0  # not due yet: nothing is sent early
        assert sweep_later(embedded) == 1
        assert sweep_later(embedded) == 1
        assert sweep_later(embedded) == 0  # delivered: nothing more to do

    [delivery] = deliveries(embedded)
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 3 and delivery.last_status == 200
    assert [(a.number, a.status) for a in delivery.attempt_log] == [(1, 500), (2, 500), (3, 200)]
    assert delivery.attempt_log[0].response_excerpt.startswith("temporarily broken")
    assert len(delivery.attempt_log[0].response_excerpt) == 2000  # truncated
    assert delivery.attempt_log[0].error.startswith("HTTP 500")
    # the receiver saw three signed POSTs of one and the same event and delivery
    assert len(receiver.requests) == 3 and all(r.signature_ok for r in receiver.requests)
    assert {r.body for r in receiver.requests} == {receiver.requests[0].body}
    assert {r.headers["X-Servicecenter-Delivery"] for r in receiver.requests} == {str(delivery.id)}
    first = receiver.requests[0]
    assert first.headers["Content-Type"] == "application/json"
    assert first.headers["X-Servicecenter-Event"] == "order.created"
    with embedded.unit_of_work() as s:
        order = s.get(RepairOrder, order_id)
        assert first.payload["event_id"] == order.events[0].id
        assert first.payload["order"]["number"] == order.number
        assert first.payload["order"]["serial"] == order.unit.serial
        assert first.payload["order"]["state"] == "received" and first.payload["order"]["previous_state"] is None
    # no personal data of the customer travels to the vendor
    assert "Петров" not in first.body.decode() and "1234567" not in first.body.decode()


def test_a_receiver_with_the_wrong_secret_rejects_every_attempt_and_the_delivery_ends_failed(embedded) -> None:
    with running_receiver(secret="whsec_not-the-one-we-sign-with") as receiver:
        subscribe(embedded, receiver)
        new_order(embedded)
        while sweep_later(embedded):
            pass
    [delivery] = deliveries(embedded)
    assert delivery.state == DeliveryState.FAILED and delivery.next_attempt_at is None
    assert delivery.attempts == MAX_ATTEMPTS == len(receiver.requests)
    assert {a.status for a in delivery.attempt_log} == {401}
    assert not any(r.signature_ok for r in receiver.requests)


def test_only_the_chosen_target_states_are_sent(embedded) -> None:
    with running_receiver() as receiver:
        subscribe(embedded, receiver, on_created=False, states=["ready_for_pickup"])
        new_order(embedded, RepairState.READY_FOR_PICKUP)
    sent = [r.payload for r in receiver.requests]
    assert [(p["type"], p["order"]["state"]) for p in sent] == [("order.state_changed", "ready_for_pickup")]
    assert sent[0]["order"]["previous_state"] in ("diagnosis", "in_repair", "awaiting_approval")
    assert [d.state for d in deliveries(embedded)] == [DeliveryState.DELIVERED]


def test_a_subscription_filtered_to_another_brand_gets_nothing(embedded) -> None:
    with embedded.unit_of_work() as s:
        other_brand, own_brand = Factory(s).manufacturer("Чужой бренд").id, Factory(s).manufacturer("Свой бренд").id
    with running_receiver() as others, running_receiver() as own:
        subscribe(embedded, others, name="Other brand", only_manufacturer_id=other_brand)
        own_id = subscribe(embedded, own, name="Own brand", only_manufacturer_id=own_brand)
        with embedded.unit_of_work() as s:
            f = Factory(s)
            brand = s.get(Manufacturer, own_brand)
            f.order(f.center(), RepairState.DIAGNOSIS, unit=f.unit(f.model(brand)))
    assert others.requests == []
    assert [r.payload["order"]["manufacturer"] for r in own.requests] == ["Свой бренд"] * 2  # created, diagnosis
    assert {d.subscription_id for d in deliveries(embedded)} == {own_id}


def test_a_rolled_back_transaction_queues_no_delivery(embedded) -> None:
    with running_receiver() as receiver:
        subscribe(embedded, receiver)
        with pytest.raises(RuntimeError), embedded.unit_of_work() as s:
            f = Factory(s)
            f.order(f.center())
            assert s.scalars(select(WebhookDelivery)).all() != []  # written in the transaction...
            raise RuntimeError("the clerk's save failed")
    assert deliveries(embedded) == []  # ...and gone with it
    assert receiver.requests == []
    with embedded.unit_of_work() as s:
        assert s.scalars(select(OutboxJob)).all() == []


def test_an_attempt_queued_twice_is_sent_once(committed_database: Database) -> None:
    with running_receiver() as receiver:
        subscribe(committed_database, receiver)  # no dispatcher: the jobs wait in the outbox
        new_order(committed_database)
        [delivery] = deliveries(committed_database)
        with committed_database.unit_of_work() as s:  # the sweep's copy of the same attempt
            enqueue_after_commit(s, "webhooks.deliver", delivery_id=delivery.id, attempt=1)
        with committed_database.unit_of_work() as s:
            jobs = list(s.scalars(select(OutboxJob.id).where(OutboxJob.name == "webhooks.deliver")))
        assert len(jobs) == 2
        for job_id in jobs:
            run_outbox_job(committed_database, job_id)
    assert len(receiver.requests) == 1
    with committed_database.unit_of_work() as s:
        assert s.scalars(select(WebhookAttempt.status)).all() == [200]


def test_bad_subscription_input_is_refused_with_a_message(session, factory) -> None:
    from servicecenter.errors import ValidationFailed

    admin = factory.user(factory.center(), Role.ADMIN)
    for url in ("ftp://vendor.example/hook", "javascript:alert(1)", "https://", "http://u:p@vendor.example/",
                "http://vendor.example:notaport/"):
        with pytest.raises(ValidationFailed) as refused:
            services.create_subscription(session, admin, name="X", url=url, on_created=True)
        assert "url" in refused.value.errors
    with pytest.raises(ValidationFailed) as refused:
        services.create_subscription(session, admin, name="X", url="https://vendor.example/", states=["nope"],
                                     on_state_changed=True)
    assert "states" in refused.value.errors
    assert session.scalars(select(WebhookSubscription)).all() == []


def test_redis_and_an_rq_worker_deliver_the_event(committed_database: Database,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("REDIS_URL not set (the embedded mode is covered above)")
    from redis import Redis
    from rq import Queue, SimpleWorker

    import servicecenter.jobs.worker as worker

    Redis.from_url(redis_url).delete(f"rq:queue:{QUEUE_NAME}")
    Dispatcher(committed_database, redis_url=redis_url)
    try:
        with running_receiver(fail_first=1) as receiver:
            subscribe(committed_database, receiver)
            new_order(committed_database)
            assert receiver.requests == []  # queued in Redis, not sent by the clerk's request
            monkeypatch.setenv("DATABASE_URL", committed_database.engine.url.render_as_string(hide_password=False))
            worker._database.cache_clear()
            connection = Redis.from_url(redis_url)
            SimpleWorker([Queue(QUEUE_NAME, connection=connection)], connection=connection).work(burst=True)
            assert [d.state for d in deliveries(committed_database)] == [DeliveryState.RETRYING]
            assert sweep_later(committed_database) == 1  # the retry goes through Redis too
            SimpleWorker([Queue(QUEUE_NAME, connection=connection)], connection=connection).work(burst=True)
    finally:
        worker._database.cache_clear()
        committed_database.session_factory.kw.get("info", {}).pop("dispatcher", None)
    [delivery] = deliveries(committed_database)
    assert delivery.state == DeliveryState.DELIVERED and [a.status for a in delivery.attempt_log] == [500, 200]


def test_a_partner_behind_its_wall_still_reaches_the_networks_subscription(embedded) -> None:
    with running_receiver() as receiver:
        subscribe(embedded, receiver, on_created=False)
        with embedded.unit_of_work() as s:
            f = Factory(s)
            partner = f.center(kind=CenterKind.PARTNER)
            order_id, partner_id, user_id = f.order(partner).id, partner.id, f.staff(partner, Role.PARTNER).id
        with embedded.unit_of_work() as s:  # the partner's request: a walled session
            set_scope(s, Scope(center_id=partner_id))
            apply_transition(s, s.get(RepairOrder, order_id), RepairState.DIAGNOSIS, s.get(User, user_id))
    assert [(r.payload["order"]["state"], r.signature_ok) for r in receiver.requests] == [("diagnosis", True)]
