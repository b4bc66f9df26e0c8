"""Webhook subscriptions and job retries over the API: the secret is answered on create and rotate only,
a test event and a replay reach a real receiver (embedded jobs run after the commit), a failed job runs
again."""

from __future__ import annotations

from sqlalchemy import func, select

from servicecenter.jobs.models import OutboxJob, OutboxState
from servicecenter.repairs.models import EventKind
from servicecenter.webhooks.models import WebhookSubscription
from tests.jobs import worker_handlers  # noqa: F401  (registers tests.slow_note)
from tests.webhook_receiver import running_receiver


def _patch(api, path: str, **body: object):  # noqa: ANN001, ANN202
    return api("admin").open("PATCH", path, json=body)


def _subscribe(api, url: str, **extra: object):  # noqa: ANN001, ANN202
    return api("admin").post("/api/v1/webhooks", json={"name": "Портал Атлант", "url": url, **extra})


def test_subscribe_test_rotate_and_replay_against_a_real_receiver(api, world, session) -> None:  # noqa: ANN001
    with running_receiver() as receiver:
        made = _subscribe(api, receiver.url, states=["ready_for_pickup"], only_manufacturer="атлант",
                          only_center="MSK")
        assert made.status_code == 201, made.get_json()
        sub = made.get_json()
        assert sub["secret"].startswith("whsec_") and sub["only_manufacturer"] == "Атлант"
        assert (sub["on_created"], sub["on_state_changed"], sub["states"]) == (True, True, ["ready_for_pickup"])
        read = api("admin").get(made.headers["Location"]).get_json()
        assert "secret" not in read and read == {k: v for k, v in sub.items() if k != "secret"}
        assert all("secret" not in s for s in api("admin").get("/api/v1/webhooks").get_json()["items"])

        receiver.secret = sub["secret"]
        ping = api("admin").post(f"/api/v1/webhooks/{sub['id']}/test")
        assert ping.status_code == 202 and ping.get_json()["event_type"] == "ping"
        assert [r.payload["type"] for r in receiver.requests] == ["ping"] and receiver.requests[0].signature_ok
        deliveries = api("admin").get(f"/api/v1/webhooks/{sub['id']}/deliveries").get_json()["items"]
        assert [(d["event_type"], d["state"], d["last_status"]) for d in deliveries] == [("ping", "delivered", 200)]

        rotated = api("admin").post(f"/api/v1/webhooks/{sub['id']}/rotate")
        assert rotated.status_code == 200 and rotated.get_json()["secret"] not in (sub["secret"], "")
        session.expire_all()
        assert session.get(WebhookSubscription, sub["id"]).secret == rotated.get_json()["secret"]

        receiver.secret = rotated.get_json()["secret"]
        again = api("admin").post(f"/api/v1/webhook-deliveries/{deliveries[0]['id']}/replay")
        assert again.status_code == 202
        assert len(receiver.accepted()) == 2  # the same ping, signed with the new secret
    off = _patch(api, f"/api/v1/webhooks/{sub['id']}", active=False, only_center=None)
    assert off.status_code == 200 and (off.get_json()["active"], off.get_json()["only_center"]) == (False, None)
    assert off.get_json()["states"] == ["ready_for_pickup"]  # not sent: kept
    assert api("admin").post(f"/api/v1/webhooks/{sub['id']}/test").status_code == 422  # inactive
    assert api("admin").post(f"/api/v1/webhook-deliveries/{deliveries[0]['id']}/replay").status_code == 422


def test_bad_subscriptions_are_refused_and_nothing_is_made(api, world, session) -> None:  # noqa: ANN001
    for extra, field in (({"url": "ftp://vendor.example/in"}, "url"),
                         ({"url": "https://user:pw@vendor.example/in"}, "url"),
                         ({"states": ["flying"]}, "states"),
                         ({"on_created": False, "on_state_changed": False}, "on_created"),
                         ({"only_center": "ZZZ"}, "only_center"),
                         ({"only_manufacturer": "Nobody"}, "only_manufacturer"),
                         ({"name": ""}, "name")):
        refused = _subscribe(api, **{"url": "https://vendor.example/in", **extra})
        assert refused.status_code == 422 and field in refused.get_json()["errors"], (extra, refused.get_json())
    assert session.scalar(select(func.count()).select_from(WebhookSubscription)) == 0
    made = _subscribe(api, "https://vendor.example/in").get_json()
    for change in ({"url": "mailto:x@y.z"}, {"on_created": False, "on_state_changed": False}, {"states": "all"},
                   {"active": "no"}):
        assert _patch(api, f"/api/v1/webhooks/{made['id']}", **change).status_code == 422, change
    assert api("admin").get(f"/api/v1/webhooks/{made['id']}").get_json() == {
        k: v for k, v in made.items() if k != "secret"}
    for path in ("/api/v1/webhooks/999999", "/api/v1/webhooks/999999/deliveries"):
        assert api("admin").get(path).status_code == 404
    assert api("admin").post("/api/v1/webhook-deliveries/999999/replay").status_code == 404


def test_only_administrators_touch_webhooks_and_jobs(api, world, session) -> None:  # noqa: ANN001
    made = _subscribe(api, "https://vendor.example/in").get_json()
    for who in ("intake", "engineer", "call_center"):
        assert api(who).get("/api/v1/webhooks").status_code == 403
        assert api(who).post(f"/api/v1/webhooks/{made['id']}/rotate").status_code == 403
        assert api(who).post("/api/v1/jobs/1/retry").status_code == 403
    assert api("partner").post(f"/api/v1/webhooks/{made['id']}/rotate").status_code == 404
    assert api("partner").get(f"/api/v1/webhooks/{made['id']}").status_code == 404
    session.expire_all()
    assert session.get(WebhookSubscription, made["id"]).secret == made["secret"]


def test_a_failed_job_runs_again(api, world, session) -> None:  # noqa: ANN001
    order = world.msk_order
    failed = OutboxJob(name="tests.slow_note", payload={"order_id": order.id, "text": "ещё раз", "hold": "/nonexistent"},
                       state=OutboxState.FAILED, attempts=1, last_error="boom")
    done = OutboxJob(name="tests.slow_note", payload={}, state=OutboxState.DONE)
    session.add_all([failed, done])
    session.flush()
    retried = api("admin").post(f"/api/v1/jobs/{failed.id}/retry")
    assert retried.status_code == 202 and retried.get_json() == {"id": f"outbox-{failed.id}",
                                                                  "name": "tests.slow_note", "state": "pending"}
    session.expire_all()
    assert session.get(OutboxJob, failed.id).state == OutboxState.DONE  # embedded mode: it ran after the commit
    assert [e.details["text"] for e in order.events if e.kind == EventKind.COMMENT] == ["ещё раз"]
    assert api("admin").post(f"/api/v1/jobs/{done.id}/retry").status_code == 400  # nothing to retry
    assert api("admin").post("/api/v1/jobs/999999/retry").status_code == 404
    assert api("admin").post("/api/v1/jobs/queue/no-such-job/retry").status_code == 404  # no queue here
    by_queue_id = api("admin").post(f"/api/v1/jobs/queue/outbox-{failed.id}/retry")
    assert by_queue_id.status_code == 400  # it ran already
