"""Two deliveries of the same POST at the same moment (PostgreSQL, real commits): one order."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from servicecenter.accounts.roles import Role
from servicecenter.accounts.tokens import create_token
from servicecenter.app import create_app
from servicecenter.repairs.models import RepairOrder
from tests.api.conftest import ApiClient
from tests.api.test_orders import _intake
from tests.conftest import make_settings
from tests.factories import Factory


def test_the_same_key_sent_twice_at_once_makes_one_order(committed_database, database_url, tmp_path) -> None:  # noqa: ANN001
    if committed_database.engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers by locking the file; the race is PostgreSQL's")
    with committed_database.unit_of_work() as s:
        f = Factory(s)
        center = f.center("MSK")
        f.model(f.manufacturer("Атлант"), months=24, name="СМА 60")
        clerk = f.user(center, Role.INTAKE)
        _row, secret = create_token(s, None, clerk)
    app = create_app(make_settings(database_url, tmp_path), overrides={"TESTING": True}, database=committed_database)
    # used once before: the token's last_used_at is fresh, so the racing requests do not queue on it
    assert ApiClient(app.test_client(), secret).get("/api/v1/manufacturers").status_code == 200
    barrier, answers = threading.Barrier(3), []

    def post() -> None:
        client = ApiClient(app.test_client(), secret)
        barrier.wait(timeout=30)
        answers.append(client.post("/api/v1/repair-orders", json=_intake(), headers={"Idempotency-Key": "twice"}))

    threads = [threading.Thread(target=post) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}, statuses
    numbers = {a.get_json()["number"] for a in answers if a.status_code == 201}
    assert len(numbers) == 1
    retry = ApiClient(app.test_client(), secret).post("/api/v1/repair-orders", json=_intake(),
                                                       headers={"Idempotency-Key": "twice"})
    assert retry.status_code == 201 and retry.get_json()["number"] in numbers
    with committed_database.unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(RepairOrder)) == 1

