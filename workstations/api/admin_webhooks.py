"""Administration of integrations: webhook subscriptions (webhooks.services: create, update, rotate the
secret, test, replay a delivery) and retrying failed background jobs (jobs.services) — the admin
workstation's services. A subscription's signing secret is answered only when it is made (create,
rotate), never when the subscription is read."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from servicecenter.accounts.roles import Role
from servicecenter.errors import N_, NotFound
from servicecenter.fields import parse_id
from servicecenter.jobs.models import OutboxJob
from servicecenter.jobs.services import requeue_queue_failure, retry_outbox_job
from servicecenter.paging import paginate
from servicecenter.repairs.states import RepairState
from servicecenter.webhooks import services
from servicecenter.webhooks.models import DeliveryState, EventType, WebhookDelivery, WebhookSubscription
from workstations.api import bp, present
from workstations.api.admin_fields import (
    Body,
    center_by_code,
    created,
    guarded_list,
    manufacturer_by_name,
    record,
    rename_fields,
)
from workstations.api.payload import paged, query_page
from workstations.api.spec import (
    INT,
    MOMENT,
    PAGING,
    STR,
    body,
    json_answer,
    nullable,
    obj,
    page_of,
    problems,
    register,
)
from workstations.web.access import Reads, allow
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

ADMIN = allow(Role.ADMIN, reads=Reads.NETWORK)
NO_SUBSCRIPTION = N_("No such webhook subscription")
STATES = [s.value for s in RepairState]


def _subscription(s: WebhookSubscription) -> dict[str, Any]:
    return {"id": s.id, "name": s.name, "url": s.url, "on_created": s.on_created,
            "on_state_changed": s.on_state_changed, "states": list(s.states or []),
            "only_manufacturer": s.only_manufacturer.name if s.only_manufacturer else None,
            "only_center": s.only_center.code if s.only_center else None, "active": s.active,
            "created_at": present.moment(s.created_at)}


def _with_secret(s: WebhookSubscription) -> dict[str, Any]:
    return {**_subscription(s), "secret": s.secret}


def _delivery(d: WebhookDelivery) -> dict[str, Any]:
    return {"id": d.id, "subscription": d.subscription_id, "event_type": d.event_type.value,
            "state": d.state.value, "attempts": d.attempts, "last_status": d.last_status,
            "created_at": present.moment(d.created_at), "next_attempt_at": present.moment(d.next_attempt_at),
            "delivered_at": present.moment(d.delivered_at)}


def _values() -> dict[str, Any]:
    f = Body()
    f.string("name", 120)
    f.string("url", 500)
    f.boolean("on_created")
    f.boolean("on_state_changed")
    f.boolean("active")
    if f.sent("states"):
        states = f.data["states"]
        if not isinstance(states, list) or not all(isinstance(s, str) and s in STATES for s in states):
            f.fail("states", N_("Unknown state"))
        else:
            f.values["states"] = states
    if f.sent("only_manufacturer"):
        maker = None if f.data["only_manufacturer"] is None else \
            manufacturer_by_name(f, "only_manufacturer", f.data["only_manufacturer"])
        f.values["only_manufacturer_id"] = maker.id if maker is not None else None
    if f.sent("only_center"):
        center = None if f.data["only_center"] is None else center_by_code(f, "only_center", f.data["only_center"])
        f.values["only_center_id"] = center.id if center is not None else None
    f.check()
    rename_fields(only_manufacturer_id="only_manufacturer", only_center_id="only_center")
    return f.values


@bp.route("/webhooks")
@ADMIN
def webhooks() -> Response:
    page, per_page = query_page()
    stmt = select(WebhookSubscription).order_by(WebhookSubscription.active.desc(), WebhookSubscription.name,
                                                WebhookSubscription.id)
    result = paginate(db(), stmt, page, per_page)
    return jsonify(paged(result, [_subscription(s) for s in result.items]))


@bp.route("/webhooks", methods=["POST"])
@ADMIN
def create_webhook() -> Response:
    """Subscribe a receiver; the answer carries its signing secret, this once."""
    values = {"on_created": True, "on_state_changed": True, **_values()}  # as the form starts
    made = services.create_subscription(db(), actor(), **values)
    return created(_with_secret(made), url_for("api.get_webhook", subscription_id=made.id))


@bp.route("/webhooks/<int:subscription_id>", methods=["GET", "PATCH"])  # one rule for both: see admin_fields
@ADMIN
def get_webhook(subscription_id: int) -> Response:
    if request.method == "PATCH":
        return update_webhook(subscription_id)
    return jsonify(_subscription(record(WebhookSubscription, subscription_id, NO_SUBSCRIPTION)))


@ADMIN
def update_webhook(subscription_id: int) -> Response:
    found = record(WebhookSubscription, subscription_id, NO_SUBSCRIPTION)
    services.update_subscription(db(), actor(), found, **_values())
    return jsonify(_subscription(found))


@bp.route("/webhooks/<int:subscription_id>/rotate", methods=["POST"])
@ADMIN
def rotate_webhook(subscription_id: int) -> Response:
    """A new signing secret (answered this once); the old one stops verifying."""
    found = record(WebhookSubscription, subscription_id, NO_SUBSCRIPTION)
    services.rotate_secret(db(), actor(), found)
    return jsonify(_with_secret(found))


@bp.route("/webhooks/<int:subscription_id>/test", methods=["POST"])
@ADMIN
def test_webhook(subscription_id: int) -> Response:
    """Queue a signed `ping` to the receiver; its outcome shows in the deliveries."""
    found = record(WebhookSubscription, subscription_id, NO_SUBSCRIPTION)
    response = jsonify(_delivery(services.send_test_event(db(), actor(), found)))
    response.status_code = 202
    return response


@bp.route("/webhooks/<int:subscription_id>/deliveries")
@ADMIN
def webhook_deliveries(subscription_id: int) -> Response:
    """The subscription's deliveries, newest first."""
    page, per_page = query_page()
    found = record(WebhookSubscription, subscription_id, NO_SUBSCRIPTION)
    stmt = select(WebhookDelivery).where(WebhookDelivery.subscription_id == found.id) \
        .order_by(WebhookDelivery.id.desc())
    result = paginate(db(), stmt, page, per_page)
    return jsonify(paged(result, [_delivery(d) for d in result.items]))


@bp.route("/webhook-deliveries/<int:delivery_id>/replay", methods=["POST"])
@ADMIN
def replay_delivery(delivery_id: int) -> Response:
    """Send a delivery's same payload again now, as its next attempt."""
    delivery = record(WebhookDelivery, delivery_id, N_("No such webhook delivery"))
    response = jsonify(_delivery(services.replay_delivery(db(), actor(), delivery)))
    response.status_code = 202
    return response


# --- Background jobs --------------------------------------------------------------------------------

def _outbox(row: OutboxJob) -> dict[str, Any]:
    return {"id": f"outbox-{row.id}", "name": row.name, "state": row.state.value}


@bp.route("/jobs/<int:outbox_id>/retry", methods=["POST"])
@ADMIN
def retry_job(outbox_id: int) -> Response:
    """A failed (or lost) job of the outbox runs again after this request."""
    response = jsonify(_outbox(retry_outbox_job(db(), outbox_id)))
    response.status_code = 202
    return response


@bp.route("/jobs/queue/<job_id>/retry", methods=["POST"])
@ADMIN
def retry_queue_job(job_id: str) -> Response:
    """A failure in the queue's registry: an outbox job (outbox-<id>) through its row, another one requeued."""
    outbox_id = parse_id(job_id[7:]) if job_id.startswith("outbox-") else None
    if outbox_id is not None:
        return retry_job(outbox_id)
    dispatcher = current_app.extensions["servicecenter.jobs"]
    if len(job_id) > 200 or dispatcher.embedded or not requeue_queue_failure(dispatcher.queue(), job_id):
        raise NotFound(N_("No such failed job in the queue."))
    response = jsonify({"id": job_id, "name": "", "state": "queued"})
    response.status_code = 202
    return response


# --- The OpenAPI description ---------------------------------------------------------------------

BOOL = {"type": "boolean"}
_states = {"type": "array", "items": {"type": "string", "enum": STATES}}
_fields = {
    "name": {**STR, "maxLength": 120, "description": "Whose system this is"},
    "url": {**STR, "maxLength": 500, "description": "http:// or https://; events are POSTed to it, signed"},
    "on_created": {**BOOL, "description": "Order created (default true)"},
    "on_state_changed": {**BOOL, "description": "Order state changed (default true)"},
    "states": {**_states, "description": "Only when the order enters one of these (empty: every change)"},
    "only_manufacturer": {**nullable(STR), "description": "Only this brand's orders (by name)"},
    "only_center": {**nullable(STR), "description": "Only this center's orders (by code)"},
    "active": BOOL,
}
_shape = {"id": INT, "name": STR, "url": STR, "on_created": BOOL, "on_state_changed": BOOL, "states": _states,
          "only_manufacturer": nullable(STR), "only_center": nullable(STR), "active": BOOL, "created_at": MOMENT}
SUB_ID = [{"name": "subscription_id", "in": "path", "required": True, "schema": INT}]
ACTION = problems("403", "404", "422")
register({
    "/webhooks": {
        **guarded_list("listWebhooks", "Webhook subscriptions, active first (administrators)", "WebhookPage"),
        "post": {"operationId": "createWebhook", "summary": "Subscribe a receiver (its secret is answered this once)",
                 "requestBody": body("WebhookRequest"),
                 "responses": {"201": {**json_answer("WebhookWithSecret", "Created"),
                                       "headers": {"Location": {"schema": STR}}},
                               **problems("400", "403", "404", "409", "413", "415", "422")}},
    },
    "/webhooks/{subscription_id}": {
        "get": {"operationId": "getWebhook", "summary": "A subscription (without its secret)", "parameters": SUB_ID,
                "responses": {"200": json_answer("Webhook", "Found"), **problems("403", "404")}},
        "patch": {"operationId": "updateWebhook", "summary": "Change the fields sent", "parameters": SUB_ID,
                  "requestBody": body("WebhookChange"),
                  "responses": {"200": json_answer("Webhook", "Saved"),
                                **problems("400", "403", "404", "409", "413", "415", "422")}},
    },
    "/webhooks/{subscription_id}/rotate": {
        "post": {"operationId": "rotateWebhookSecret", "summary": "A new signing secret (answered this once)",
                 "parameters": SUB_ID,
                 "responses": {"200": json_answer("WebhookWithSecret", "The new secret"), **problems("403", "404")}},
    },
    "/webhooks/{subscription_id}/test": {
        "post": {"operationId": "testWebhook", "summary": "Queue a signed ping to the receiver", "parameters": SUB_ID,
                 "responses": {"202": json_answer("WebhookDelivery", "Queued"), **ACTION}},
    },
    "/webhooks/{subscription_id}/deliveries": {
        "get": {"operationId": "listWebhookDeliveries", "summary": "The subscription's deliveries, newest first",
                "parameters": [*SUB_ID, *PAGING],
                "responses": {"200": json_answer("WebhookDeliveryPage", "A page"), **problems("403", "404", "422")}},
    },
    "/webhook-deliveries/{delivery_id}/replay": {
        "post": {"operationId": "replayWebhookDelivery", "summary": "Send a delivery's payload again",
                 "parameters": [{"name": "delivery_id", "in": "path", "required": True, "schema": INT}],
                 "responses": {"202": json_answer("WebhookDelivery", "Queued"), **ACTION}},
    },
    "/jobs/{outbox_id}/retry": {
        "post": {"operationId": "retryJob", "summary": "Run a failed background job again (administrators)",
                 "parameters": [{"name": "outbox_id", "in": "path", "required": True, "schema": INT}],
                 "responses": {"202": json_answer("QueuedJob", "Queued"), **problems("400", "403", "404")}},
    },
    "/jobs/queue/{job_id}/retry": {
        "post": {"operationId": "retryQueueJob", "summary": "Requeue a failure of the job queue (administrators)",
                 "parameters": [{"name": "job_id", "in": "path", "required": True, "schema": STR,
                                 "description": "The queue's job id (outbox-<id> for an outbox job)"}],
                 "responses": {"202": json_answer("QueuedJob", "Queued"), **problems("400", "403", "404")}},
    },
}, {
    "Webhook": obj(_shape, description="A subscription; its secret is answered only on create and rotate"),
    "WebhookWithSecret": obj({**_shape, "secret": {**STR, "description": "The signing secret: shown only now"}}),
    "WebhookPage": page_of("Webhook"),
    "WebhookRequest": obj(_fields, required=["name", "url"], extra=True),
    "WebhookChange": obj(_fields, required=[], extra=True),
    "WebhookDelivery": obj({
        "id": INT, "subscription": INT, "event_type": {"type": "string", "enum": [e.value for e in EventType]},
        "state": {"type": "string", "enum": [s.value for s in DeliveryState]}, "attempts": INT,
        "last_status": {**nullable(INT), "description": "The last attempt's HTTP status (null: no answer)"},
        "created_at": MOMENT, "next_attempt_at": nullable(MOMENT), "delivered_at": nullable(MOMENT)}),
    "WebhookDeliveryPage": page_of("WebhookDelivery"),
    "QueuedJob": obj({"id": STR, "name": STR, "state": STR}),
})
