"""Idempotency-Key: a retried POST returns the first answer; the key with another body is refused."""

from __future__ import annotations

from sqlalchemy import func, select

from servicecenter.repairs.models import RepairOrder
from tests.api.test_orders import _intake


def _count(session) -> int:  # noqa: ANN001
    return session.scalar(select(func.count()).select_from(RepairOrder))


def test_a_retry_with_the_same_key_returns_the_first_order(api, session) -> None:  # noqa: ANN001
    before = _count(session)
    headers = {"Idempotency-Key": "line3-2026-12-04-0001"}
    first = api("intake").post("/api/v1/repair-orders", json=_intake(), headers=headers)
    again = api("intake").post("/api/v1/repair-orders", json=_intake(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true" and again.headers["Location"] == first.headers["Location"]
    assert _count(session) == before + 1


def test_the_same_key_with_another_body_is_422_and_makes_nothing(api, session) -> None:  # noqa: ANN001
    headers = {"Idempotency-Key": "k-42"}
    assert api("intake").post("/api/v1/repair-orders", json=_intake(), headers=headers).status_code == 201
    before = _count(session)
    other = api("intake").post("/api/v1/repair-orders", json=_intake(fault="Шумит"), headers=headers)
    assert other.status_code == 422 and "Idempotency-Key" in other.get_json()["errors"]
    assert _count(session) == before


def test_keys_belong_to_their_user(api, session) -> None:  # noqa: ANN001
    headers = {"Idempotency-Key": "shared-key"}
    mine = api("intake").post("/api/v1/repair-orders", json=_intake(), headers=headers).get_json()
    theirs = api("admin").post("/api/v1/repair-orders", json=_intake(), headers=headers).get_json()
    assert mine["number"] != theirs["number"]


def test_a_refused_first_try_is_not_remembered(api) -> None:  # noqa: ANN001
    headers = {"Idempotency-Key": "fix-and-retry"}
    bad = api("intake").post("/api/v1/repair-orders", json=_intake(fault=""), headers=headers)
    assert bad.status_code == 422
    fixed = api("intake").post("/api/v1/repair-orders", json=_intake(fault=""), headers=headers)
    assert fixed.status_code == 422  # refused again, not replayed as something else
    good = api("intake").post("/api/v1/repair-orders", json=_intake(), headers=headers)
    assert good.status_code == 201


def test_a_bad_key_is_422(api) -> None:  # noqa: ANN001
    for key in ("", "x" * 101):
        response = api("intake").post("/api/v1/repair-orders", json=_intake(), headers={"Idempotency-Key": key})
        assert response.status_code == 422 and "Idempotency-Key" in response.get_json()["errors"]


def test_keys_are_forgotten_after_a_week(api, session, world) -> None:  # noqa: ANN001
    from datetime import timedelta

    from servicecenter.clock import utcnow
    from servicecenter.idempotency import purge_idempotency_keys

    headers = {"Idempotency-Key": "old-key"}
    first = api("intake").post("/api/v1/repair-orders", json=_intake(), headers=headers).get_json()
    assert purge_idempotency_keys(session, utcnow() + timedelta(days=6)) == 0
    assert api("intake").post("/api/v1/repair-orders", json=_intake(), headers=headers).get_json() == first
    assert purge_idempotency_keys(session, utcnow() + timedelta(days=8)) == 1
    later = api("intake").post("/api/v1/repair-orders", json=_intake(), headers=headers).get_json()
    assert later["number"] != first["number"]
