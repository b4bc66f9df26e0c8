"""Many clients doing the same thing at the same instant, through the real HTTP stack on PostgreSQL
(issue 11, concurrency): one effect, the others a clear 409, never a 500, history complete.

The domain's own races (two engineers taking one order, the last part, one count confirmed twice) are
in tests/domain/test_*_concurrency.py with two sessions; here eight clients at once go through the
API, its auth, its commit point and the error handlers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from servicecenter.accounts.models import LoginAttempt
from servicecenter.accounts.roles import Role
from servicecenter.accounts.services import MAX_FAILURES_PER_EMAIL
from servicecenter.accounts.tokens import create_token
from servicecenter.centers.models import CenterKind, ServiceCenter
from servicecenter.db import Database
from servicecenter.equipment.models import Unit
from servicecenter.repairs.models import EventKind, RepairEvent, RepairOrder
from servicecenter.repairs.states import RepairState
from servicecenter.stock import queries as stock_queries
from servicecenter.stock.models import Reservation, ReservationState, StockMove
from tests.domain.test_estimates import make_part, receive_stock
from tests.factories import PASSWORD, Factory, csrf_token
from tests.hardening.live import at_once, call, serve

CLIENTS = 8


@dataclass
class Network:
    base: str
    tokens: dict[str, str]
    order_number: str
    serial: str  # the unit of that order, on the main warehouse of MSK


@pytest.fixture
def network(committed_database: Database, database_url: str, tmp_path: Path) -> Iterator[Network]:
    if committed_database.engine.dialect.name != "postgresql":
        pytest.skip("row locks and concurrent transactions are PostgreSQL's (SQLite serialises writers)")
    with committed_database.unit_of_work() as s:
        f = Factory(s)
        msk, ekb = f.center("MSK"), f.center("EKB", kind=CenterKind.PARTNER)
        brand = f.manufacturer("Атлант")
        model = f.model(brand, name="СМА 60")
        msk.brands.append(brand)
        ekb.brands.append(brand)
        users = {"admin": f.user(msk, Role.ADMIN), "logistics": f.user(msk, Role.LOGISTICS),
                 "partner": f.user(ekb, Role.PARTNER), "engineer": f.user(msk, Role.ENGINEER)}
        tokens = {who: create_token(s, None, user, "concurrency")[1] for who, user in users.items()}
        order = f.order(msk, unit=f.unit(model))  # received: its unit on MSK's main warehouse
        number, serial = order.number, order.unit.serial
    with serve(committed_database, database_url, tmp_path) as base:
        yield Network(base, tokens, number, serial)


def _statuses(results: list[object]) -> Counter[int]:
    for r in results:
        assert not isinstance(r, Exception), r
    return Counter(status for status, _body in results)  # type: ignore[misc]


def test_eight_intakes_of_one_new_serial_register_one_unit(network: Network, committed_database: Database) -> None:
    def intake(i: int) -> tuple[int, dict]:
        return call(network.base, network.tokens["admin"], "POST", "/repair-orders", {
            "center": "MSK", "customer": {"name": f"Клиент {i}", "phone": f"+7916777{i:04d}"},
            "unit": {"manufacturer": "Атлант", "model": "СМА 60", "serial": "SAME-SERIAL-1",
                     "purchase_date": "2026-02-01"}, "fault": "Шумит"})

    results = at_once(CLIENTS, intake)
    statuses = _statuses(results)
    assert set(statuses) <= {201, 409} and statuses[201] >= 1, statuses
    acknowledged = {body["number"] for status, body in results if status == 201}
    with committed_database.unit_of_work() as s:
        units = list(s.scalars(select(Unit.id).where(Unit.serial == "SAME-SERIAL-1")))
        orders = set(s.scalars(select(RepairOrder.number).where(RepairOrder.unit_id.in_(units))))
        created = s.scalar(select(func.count()).select_from(RepairEvent).join(RepairOrder)
                           .where(RepairOrder.unit_id.in_(units), RepairEvent.kind == EventKind.CREATED))
    assert len(units) == 1  # the serial registered once, however many counters raced
    assert orders == acknowledged and created == len(acknowledged)  # no order nobody was told about


def test_eight_moves_of_one_order_one_wins(network: Network, committed_database: Database) -> None:
    results = at_once(CLIENTS, lambda _i: call(network.base, network.tokens["admin"], "POST",
                                               f"/repair-orders/{network.order_number}/transitions",
                                               {"to": "diagnosis"}))
    statuses = _statuses(results)
    assert statuses == Counter({200: 1, 409: CLIENTS - 1}), statuses
    assert all(body["type"].endswith(("conflict", "state-conflict")) for status, body in results if status == 409)
    with committed_database.unit_of_work() as s:
        moves = s.scalar(select(func.count()).select_from(RepairEvent).join(RepairOrder)
                         .where(RepairOrder.number == network.order_number, RepairEvent.kind == EventKind.STATE,
                                RepairEvent.to_value == "diagnosis"))
    assert moves == 1


def test_one_shipment_scanned_dispatched_and_received_by_eight_at_once(network: Network,
                                                                      committed_database: Database) -> None:
    logistics, partner = network.tokens["logistics"], network.tokens["partner"]
    status, opened = call(network.base, logistics, "POST", "/shipments", {"from": "MSK", "to": "EKB"})
    assert status == 201, opened
    number = opened["number"]

    scans = at_once(CLIENTS, lambda _i: call(network.base, logistics, "POST", f"/shipments/{number}/items",
                                             {"code": network.serial}))
    assert set(_statuses(scans)) <= {200, 201, 409}, _statuses(scans)
    lines = call(network.base, logistics, "GET", f"/shipments/{number}")[1]["items"]
    assert [line["code"] for line in lines] == [network.serial]  # one line, however many scans

    sent = at_once(CLIENTS, lambda _i: call(network.base, logistics, "POST", f"/shipments/{number}/dispatch",
                                            {"carrier": "ПЭК"}))
    assert _statuses(sent) == Counter({200: 1, 409: CLIENTS - 1}), _statuses(sent)

    received = at_once(CLIENTS, lambda _i: call(network.base, partner, "POST", f"/shipments/{number}/receive",
                                                {"codes": [network.serial]}))
    assert _statuses(received) == Counter({200: 1, 409: CLIENTS - 1}), _statuses(received)
    with committed_database.unit_of_work() as s:
        unit = s.scalar(select(Unit).where(Unit.serial == network.serial))
        moves = Counter(s.scalars(select(StockMove.reason).where(StockMove.unit_id == unit.id)))
    # besides the intake: one move out (dispatch) and one in (receipt), nothing twice
    assert sum(moves.values()) == 3, moves


def test_eight_bookings_of_the_last_part_one_wins(network: Network, committed_database: Database) -> None:
    with committed_database.unit_of_work() as s:
        f = Factory(s)
        msk = s.scalar(select(ServiceCenter).where(ServiceCenter.code == "MSK"))
        part = make_part(s, sku="LAST-ONE")
        receive_stock(s, msk, part, 1)
        numbers = [f.order(msk, RepairState.DIAGNOSIS).number for _ in range(CLIENTS)]
        part_id, center_id = part.id, msk.id
    results = at_once(CLIENTS, lambda i: call(network.base, network.tokens["engineer"], "POST",
                                              f"/repair-orders/{numbers[i]}/parts", {"part": "LAST-ONE", "quantity": 1}))
    statuses = _statuses(results)
    assert statuses == Counter({201: 1, 422: CLIENTS - 1}), statuses  # the rest are told what is free: 0
    assert all("0" in body["detail"] for status, body in results if status == 422)
    with committed_database.unit_of_work() as s:
        booked = s.scalar(select(func.count()).select_from(Reservation).where(
            Reservation.part_id == part_id, Reservation.state == ReservationState.ACTIVE))
        free = stock_queries.free_quantity(s, center_id, part_id)
    assert (booked, free) == (1, 0)  # one booking, and the stock never below nothing


def test_sixteen_guesses_at_once_get_the_same_five_tries_as_one_after_another(
        network: Network, committed_database: Database) -> None:
    """A brute force sent in parallel is throttled like one sent in turn, for a real account and a made-up
    one alike: exactly MAX_FAILURES_PER_EMAIL wrong-password answers, the rest 429, and the right
    password refused too while throttled."""
    root = network.base.removesuffix("/api/v1")
    with committed_database.unit_of_work() as s:
        msk = s.scalar(select(ServiceCenter).where(ServiceCenter.code == "MSK"))
        Factory(s).user(msk, Role.INTAKE, email="clerk@race.test")

    def browsers(count: int) -> list[tuple[requests.Session, str]]:
        """Each its own cookie and the login form's token, ready to send."""
        made = []
        for _ in range(count):
            browser = requests.Session()
            made.append((browser, csrf_token(browser.get(f"{root}/login", timeout=30).text)))
        return made

    def send(ready: list[tuple[requests.Session, str]], email: str, password: str) -> Counter[int]:
        return Counter(at_once(len(ready), lambda i: ready[i][0].post(
            f"{root}/login", data={"email": email, "password": password, "csrf_token": ready[i][1]},
            allow_redirects=False, timeout=60).status_code))

    for email in ("clerk@race.test", "ghost@race.test"):
        answers = send(browsers(16), email, "guess-1234")
        assert answers == Counter({200: MAX_FAILURES_PER_EMAIL, 429: 16 - MAX_FAILURES_PER_EMAIL}), (email, answers)
        with committed_database.unit_of_work() as s:
            recorded = s.scalar(select(func.count()).select_from(LoginAttempt).where(LoginAttempt.email == email))
        assert recorded == MAX_FAILURES_PER_EMAIL
    assert send(browsers(1), "clerk@race.test", PASSWORD) == Counter({429: 1})  # the right password waits too
