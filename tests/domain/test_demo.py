"""The demo network: what someone trying the system after `make run` finds in it.

The demo is loaded once for the module, inside a transaction rolled back at the end (the same
recipe as the `session` fixture, at module scope: a load takes seconds). Before it, three small
loads in savepoints check that the seed alone decides the data.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import servicecenter.demo as demo_module
from servicecenter.accounts.models import User
from servicecenter.accounts.roles import PARTNER_ROLES, Role
from servicecenter.accounts.services import authenticate
from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.centers.models import CenterKind, Location, LocationKind, ServiceCenter
from servicecenter.clock import local_date, utcnow
from servicecenter.customers.models import Customer, CustomerKind
from servicecenter.db import Database
from servicecenter.demo import DEMO_PASSWORD, demo_logins, is_empty, load_demo
from servicecenter.equipment.models import Unit
from servicecenter.errors import ValidationFailed
from servicecenter.repairs.models import EventKind, Outcome, RepairEvent, RepairOrder
from servicecenter.repairs.states import RepairState, path_to

CYRILLIC = re.compile(r"[А-Яа-яЁё]")
REPAIR_CENTERS = ("MSK", "SPB", "KZN", "EKB")
PAST_DIAGNOSIS = {RepairState.AWAITING_APPROVAL, RepairState.AWAITING_PARTS, RepairState.IN_REPAIR,
                  RepairState.READY_FOR_PICKUP, RepairState.ISSUED}


@dataclass
class Demo:
    session: Session
    summary: dict[str, int]
    was_empty: bool
    runs: dict[str, dict[str, Any]]


def _fingerprint(session: Session) -> dict[str, Any]:
    """What two loads with the same seed must agree on (ids and timestamps aside)."""
    orders = session.execute(
        select(RepairOrder.number, RepairOrder.state, RepairOrder.order_type, RepairOrder.priority,
               Customer.name, Unit.serial, RepairOrder.fault, RepairOrder.diagnosis, RepairOrder.engineer_id.is_(None))
        .join(Customer, RepairOrder.customer_id == Customer.id)
        .outerjoin(Unit, RepairOrder.unit_id == Unit.id)
        .order_by(RepairOrder.number)).all()
    return {
        "customers": session.execute(select(Customer.name, Customer.phone, Customer.email)
                                     .order_by(Customer.id)).all(),
        "units": session.execute(select(Unit.serial, Unit.purchase_date, Unit.seller).order_by(Unit.id)).all(),
        "orders": [tuple(row) for row in orders],
        "events": sorted(Counter(session.scalars(select(RepairEvent.kind))).items()),
        "shelves": session.scalars(select(Location.code).order_by(Location.code)).all(),
    }


@pytest.fixture(scope="module")
def demo(database: Database) -> Iterator[Demo]:
    connection = database.engine.connect()
    transaction = connection.begin()
    session = Database.bound_to(connection).session()
    try:
        runs: dict[str, dict[str, Any]] = {}
        with pytest.MonkeyPatch.context() as mp:
            # A smaller network keeps the three extra loads fast.
            mp.setattr(demo_module, "CUSTOMERS", 40)
            mp.setattr(demo_module, "UNITS", 80)
            mp.setattr(demo_module, "ORDERS", 45)
            for name, seed in (("first", 2026), ("again", 2026), ("other", 7)):
                savepoint = session.begin_nested()
                load_demo(session, seed=seed)
                runs[name] = _fingerprint(session)
                savepoint.rollback()
        was_empty = is_empty(session)
        summary = load_demo(session)
        yield Demo(session, summary, was_empty, runs)
    finally:
        session.close()
        transaction.rollback()
        connection.close()


def _orders(session: Session, *where: Any) -> list[RepairOrder]:
    return list(session.scalars(select(RepairOrder).where(*where).order_by(RepairOrder.number)))


def _center(session: Session, code: str) -> ServiceCenter:
    return session.scalars(select(ServiceCenter).where(ServiceCenter.code == code)).one()


def test_is_empty_flips_once_the_demo_is_loaded(demo: Demo) -> None:
    assert demo.was_empty
    assert not is_empty(demo.session)


def test_loading_into_a_database_with_centers_is_refused(demo: Demo) -> None:
    with pytest.raises(ValidationFailed):
        load_demo(demo.session)
    assert demo.session.scalar(select(func.count()).select_from(ServiceCenter)) == 5


def test_summary_counts_what_is_in_the_database(demo: Demo) -> None:
    s = demo.session
    counted = {"centers": ServiceCenter, "users": User, "manufacturers": Manufacturer, "models": ProductModel,
               "customers": Customer, "units": Unit, "orders": RepairOrder, "events": RepairEvent}
    for key, cls in counted.items():
        assert demo.summary[key] == s.scalar(select(func.count()).select_from(cls)), key
    assert demo.summary["centers"] == 5
    assert demo.summary["manufacturers"] >= 10 and demo.summary["models"] >= 50
    assert 250 <= demo.summary["customers"] <= 350 and 450 <= demo.summary["units"] <= 550
    assert 250 <= demo.summary["orders"] <= 350
    assert demo.summary["events"] > 3 * demo.summary["orders"]
    assert demo.summary["parts"] >= 5


def test_the_warehouses_hold_parts_that_fit_the_models_and_the_journal_agrees(demo: Demo) -> None:
    from servicecenter.stock.journal import check_stock
    from servicecenter.stock.models import Part, StockLevel

    s = demo.session
    assert check_stock(s) == []
    for code in ("MSK", "SPB"):
        center = _center(s, code)
        held = {loc.kind for loc in s.scalars(select(Location).join(StockLevel, StockLevel.location_id == Location.id)
                                              .where(Location.center_id == center.id, StockLevel.quantity > 0))}
        assert held == {LocationKind.WAREHOUSE, LocationKind.SHELF}, code
    assert all(part.compatible_models for part in s.scalars(select(Part)))


def test_the_same_seed_gives_the_same_network_and_another_seed_another(demo: Demo) -> None:
    first, again, other = demo.runs["first"], demo.runs["again"], demo.runs["other"]
    assert first["orders"] and first["customers"]
    assert first == again
    assert first["customers"] != other["customers"]
    assert first["orders"] != other["orders"]


def test_every_repair_center_has_orders_in_every_state(demo: Demo) -> None:
    s = demo.session
    by_center = Counter((o.center.code, o.state) for o in _orders(s))
    for code in REPAIR_CENTERS:
        for state in RepairState:
            assert by_center[(code, state)] >= 1, (code, state)
    assert not _orders(s, RepairOrder.center_id == _center(s, "HQ").id)  # the head office repairs nothing


def test_centers_kinds_time_zones_brands_and_addresses(demo: Demo) -> None:
    s = demo.session
    hq = _center(s, "HQ")
    assert hq.is_head_office and hq.kind == CenterKind.OWN and hq.city == "Москва"
    assert _center(s, "MSK").kind == CenterKind.OWN and _center(s, "SPB").city == "Санкт-Петербург"
    for code in ("KZN", "EKB"):
        assert _center(s, code).kind == CenterKind.PARTNER
    assert _center(s, "EKB").timezone == "Asia/Yekaterinburg"
    assert _center(s, "KZN").timezone == "Europe/Moscow"
    for center in s.scalars(select(ServiceCenter)):
        assert CYRILLIC.search(center.address) and center.phone.startswith("+7") and center.hours
        assert center.brands
    # A center only takes in brands it is authorised for.
    for order in _orders(s, RepairOrder.unit_id.is_not(None)):
        assert order.unit.manufacturer in order.center.brands, order.number


def test_each_center_has_a_main_warehouse_with_shelves(demo: Demo) -> None:
    s = demo.session
    for center in s.scalars(select(ServiceCenter)):
        warehouses = [loc for loc in center.locations if loc.kind == LocationKind.WAREHOUSE]
        assert len(warehouses) == 1 and warehouses[0].is_main and warehouses[0].code == f"{center.code}-WH"
        shelves = [loc for loc in center.locations if loc.kind == LocationKind.SHELF]
        assert 3 <= len(shelves) <= 6
        assert all(shelf.parent_id == warehouses[0].id and shelf.code.startswith(f"{center.code}-")
                   for shelf in shelves)


def test_every_role_logs_in_with_the_demo_password(demo: Demo) -> None:
    s = demo.session
    logins = demo_logins(s)
    assert 8 <= len(logins) <= 14
    assert {role for role, _, _ in logins} == {role.value for role in Role}
    order = [role.value for role in Role]
    assert [order.index(role) for role, _, _ in logins] == sorted(order.index(role) for role, _, _ in logins)
    required = {"admin", "callcenter", "intake.msk", "teamlead.msk", "engineer.msk", "warehouse.msk",
                "logistics.msk", "partner.kzn"}
    assert {f"{local}@demo.servicecenter.ru" for local in required} <= {email for _, email, _ in logins}
    for role, email, center in logins:
        user = authenticate(s, email, DEMO_PASSWORD, "127.0.0.1")
        assert user.active and user.role.value == role and user.center.code == center
        assert CYRILLIC.search(user.name)


def test_users_sit_where_their_work_is(demo: Demo) -> None:
    s = demo.session
    users = s.scalars(select(User)).all()
    where = Counter((u.center.code, u.role) for u in users)
    assert where[("HQ", Role.ADMIN)] >= 1 and where[("HQ", Role.CALL_CENTER)] >= 1
    for code in ("MSK", "SPB"):
        for role in (Role.INTAKE, Role.TEAM_LEAD, Role.WAREHOUSE, Role.LOGISTICS):
            assert where[(code, role)] >= 1, (code, role)
        assert 2 <= where[(code, Role.ENGINEER)] <= 3
    for code in ("KZN", "EKB"):
        assert 1 <= where[(code, Role.PARTNER)] + where[(code, Role.PARTNER_MANAGER)] <= 2
        assert all(u.role in PARTNER_ROLES for u in users if u.center.code == code)
    assert where[("KZN", Role.PARTNER_MANAGER)] == 1  # a partner manager keeps KZN's accounts


def test_every_order_has_a_consistent_history(demo: Demo) -> None:
    for order in _orders(demo.session):
        created = [e for e in order.events if e.kind == EventKind.CREATED]
        assert len(created) == 1, order.number
        start = RepairState(created[0].to_value)
        assert start in (RepairState.REGISTERED, RepairState.RECEIVED)
        steps = [e for e in order.events if e.kind == EventKind.STATE]
        assert len(steps) >= len(path_to(order.state, start)), order.number
        state = start.value
        for step in steps:  # each step leaves the state the previous one reached
            assert step.from_value == state, order.number
            state = step.to_value
        assert state == order.state.value


def test_partners_work_their_own_orders_and_our_staff_ours(demo: Demo) -> None:
    s = demo.session
    for order in _orders(s):
        # the centers the order has been at: where it was taken in, and where it was routed
        been = {order.intake_center_id, order.center_id}
        for event in order.events:
            actor = event.actor
            assert actor is not None, order.number
            if actor.role in PARTNER_ROLES:
                assert actor.center_id in been and actor.center.kind == CenterKind.PARTNER, order.number
            else:
                assert actor.center_id in been or actor.role == Role.CALL_CENTER, order.number
        if order.center.kind == CenterKind.PARTNER and order.intake_center_id == order.center_id:
            assert all(e.actor.role in PARTNER_ROLES for e in order.events), order.number


def test_orders_carry_what_people_typed(demo: Demo) -> None:
    s = demo.session
    orders = _orders(s)
    for order in orders:
        assert CYRILLIC.search(order.fault), order.number
        if order.state == RepairState.CANCELLED:
            assert CYRILLIC.search(order.cancel_reason), order.number
        if order.state in PAST_DIAGNOSIS:
            assert CYRILLIC.search(order.diagnosis), order.number
            assert order.engineer is not None and order.engineer.center_id == order.center_id, order.number
        if order.state in (RepairState.READY_FOR_PICKUP, RepairState.ISSUED):
            assert order.outcome is not None and CYRILLIC.search(order.outcome_note), order.number
        if order.state == RepairState.AWAITING_APPROVAL:
            assert order.estimate_total and order.estimate_total > 0, order.number
        if order.state == RepairState.REGISTERED:
            assert order.received_at is None
    assert len({o.diagnosis for o in orders if o.diagnosis}) >= 15
    assert len({o.fault for o in orders}) >= 15
    assert any(o.accessories for o in orders) and any(o.condition for o in orders)


def test_orders_vary_in_type_priority_warranty_and_outcome(demo: Demo) -> None:
    s = demo.session
    orders = _orders(s)
    assert {"warranty", "paid", "repeat"} <= {o.order_type.value for o in orders}
    assert len({o.priority for o in orders}) >= 3
    assert {Outcome.REPAIRED, Outcome.REFUSED, Outcome.UNREPAIRABLE} <= {o.outcome for o in orders}
    events = s.scalars(select(RepairEvent)).all()
    kinds = Counter(e.kind for e in events)
    assert kinds[EventKind.ASSIGNMENT] > 0 and kinds[EventKind.COMMENT] > 0
    decisions = [e for e in events if e.kind == EventKind.WARRANTY]
    assert {"warranty", "paid"} <= {e.to_value for e in decisions}
    assert any(e.from_value == "warranty" and e.to_value == "paid" for e in decisions)  # revised at diagnosis
    assert all(CYRILLIC.search(e.details.get("reason", "")) for e in decisions)
    covered = [o for o in orders if o.warranty_covered is not None]
    assert any(o.warranty_covered for o in covered) and not all(o.warranty_covered for o in covered)


def test_customers_are_russian_people_and_companies(demo: Demo) -> None:
    s = demo.session
    customers = s.scalars(select(Customer)).all()
    people = [c for c in customers if c.kind == CustomerKind.PERSON]
    companies = [c for c in customers if c.kind == CustomerKind.COMPANY]
    assert people and companies
    assert all(CYRILLIC.search(c.name) for c in customers)
    assert all(len(c.name.split()) == 3 for c in people)  # Фамилия Имя Отчество
    assert all(re.fullmatch(r"\+7\d{10}", c.phone) for c in customers)
    assert len({c.phone for c in customers}) == len(customers)


def test_catalogue_and_units(demo: Demo) -> None:
    s = demo.session
    models = s.scalars(select(ProductModel)).all()
    assert {m.warranty_months for m in models} == {12, 24, 36}
    categories = {m.category for m in models}
    assert {"Стиральные машины", "Холодильники", "Ноутбуки", "Смартфоны"} <= categories
    assert all(CYRILLIC.search(c) for c in categories)
    units = s.scalars(select(Unit)).all()
    today = local_date(utcnow(), "Europe/Moscow")
    bought = [u for u in units if u.purchase_date is not None]
    assert all(today - timedelta(days=3 * 366) <= u.purchase_date <= today for u in bought)
    assert all(u.seller for u in bought) and "М.Видео" in {u.seller for u in bought}
    assert 0 < len(units) - len(bought) < len(units) // 4
    assert all(u.owner_id is not None for u in units)


def test_the_partner_has_routed_work_at_every_stage(demo: Demo) -> None:
    from servicecenter.centers.models import ServiceCenter
    from servicecenter.repairs import routing
    from servicecenter.shipments import queries as shipments

    s = demo.session
    msk, kzn = (s.scalar(select(ServiceCenter).where(ServiceCenter.code == code)) for code in ("MSK", "KZN"))
    waiting = routing.units_to_route(s, msk.id)
    assert waiting and all(o.center_id == kzn.id for o in waiting)  # routed, still at MSK
    incoming = shipments.list_shipments(s, kzn.id, state="dispatched", direction="in")
    assert incoming  # one on its way to KZN
    received = s.scalars(select(RepairOrder).where(RepairOrder.center_id == kzn.id,
                                                   RepairOrder.intake_center_id == msk.id,
                                                   RepairOrder.clock_restarted_at.is_not(None))).all()
    assert received and received[0].state == RepairState.DIAGNOSIS


def test_finished_warranty_repairs_land_on_priced_statements_and_claims(demo: Demo) -> None:
    from servicecenter.settlements.models import ClaimLine, StatementLine

    s = demo.session
    claim_lines = s.scalars(select(ClaimLine)).all()
    statement_lines = s.scalars(select(StatementLine)).all()
    assert claim_lines and statement_lines  # the demo's finished warranty repairs, own and partners'
    assert all(not line.no_rate and line.total > 0 for line in (*claim_lines, *statement_lines))
    from servicecenter.centers.models import ServiceCenter

    partners = set(s.scalars(select(ServiceCenter.id).where(ServiceCenter.code.in_(["KZN", "EKB"]))))
    assert {line.center_id for line in statement_lines} <= partners
