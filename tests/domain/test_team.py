"""Engineer load and auto-suggest; priorities, routing to partners and bulk actions (all or nothing)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from servicecenter.accounts.roles import Role
from servicecenter.centers.models import CenterKind
from servicecenter.errors import PermissionDenied, StateConflict, ValidationFailed
from servicecenter.repairs.bulk import BulkRefused, bulk_assign, bulk_route, bulk_set_priority
from servicecenter.repairs.models import EventKind, Priority, WorkLog
from servicecenter.repairs.routing import route_to_center
from servicecenter.repairs.services import set_priority
from servicecenter.repairs.states import RepairState
from servicecenter.repairs.team import list_engineer_loads, parse_skills, suggest_engineer

NOW = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)  # a Wednesday; the week began on Monday 9 March


@pytest.fixture
def msk(factory):  # noqa: ANN001, ANN201
    return factory.center("MSK", timezone="Europe/Moscow")


@pytest.fixture
def lead(factory, msk):  # noqa: ANN001, ANN201
    return factory.staff(msk, Role.TEAM_LEAD)


def _engineer(factory, session, center, name, skills, open_orders=0, active=True):  # noqa: ANN001, ANN202
    eng = factory.user(center, Role.ENGINEER, name=name)
    eng.skills, eng.active = skills, active
    for _ in range(open_orders):
        factory.order(center, state=RepairState.DIAGNOSIS).engineer_id = eng.id
    session.flush()
    return eng


def _log(session, order, user, day, minutes):  # noqa: ANN001, ANN202
    session.add(WorkLog(order_id=order.id, user_id=user.id, performed_on=day, minutes=minutes))
    session.flush()


def test_skills_are_comma_separated() -> None:
    assert parse_skills(" Стиральные машины, Bosch ,,") == ("Стиральные машины", "Bosch")


def test_load_counts_bench_orders_and_this_weeks_hours(factory, session, msk) -> None:  # noqa: ANN001
    ivanov = _engineer(factory, session, msk, "Иванов", "Bosch", open_orders=2)
    ready = factory.order(msk, state=RepairState.READY_FOR_PICKUP)
    ready.engineer_id = ivanov.id  # the work on it is done: not load
    order = factory.order(msk)
    _log(session, order, ivanov, date(2026, 3, 9), 90)  # Monday: this week
    _log(session, order, ivanov, date(2026, 3, 11), 60)
    _log(session, order, ivanov, date(2026, 3, 8), 600)  # Sunday: last week
    loads = {ld.engineer.name: ld for ld in list_engineer_loads(session, msk, NOW)}
    assert loads["Иванов"].open_orders == 2
    assert loads["Иванов"].hours_this_week == 2.5
    assert loads["Иванов"].skills == ("Bosch",)


def test_suggest_picks_the_least_loaded_engineer_with_the_skill(factory, session, msk) -> None:  # noqa: ANN001
    _engineer(factory, session, msk, "Занятой", "Стиральные машины", open_orders=3)
    free = _engineer(factory, session, msk, "Свободный", "стиральные машины", open_orders=1)
    _engineer(factory, session, msk, "Без навыка", "Холодильники")  # no orders, but the wrong skill
    _engineer(factory, session, msk, "Уволен", "Стиральные машины", active=False)
    order = factory.order(msk, unit=factory.unit(factory.model(category="Стиральные машины")))
    s = suggest_engineer(order, list_engineer_loads(session, msk, NOW))
    assert s is not None and s.engineer.id == free.id
    assert s.reason.startswith("Fewest open orders") and s.params["skill"] == "Стиральные машины"
    assert s.params["count"] == 1


def test_suggest_matches_the_brand_and_breaks_ties_by_hours(factory, session, msk) -> None:  # noqa: ANN001
    bosch = factory.manufacturer("Bosch")
    tired = _engineer(factory, session, msk, "Устал", "Bosch")
    fresh = _engineer(factory, session, msk, "Бодр", "bosch")
    order = factory.order(msk, unit=factory.unit(factory.model(bosch, category="Посудомойки")))
    _log(session, order, tired, date(2026, 3, 10), 300)
    s = suggest_engineer(order, list_engineer_loads(session, msk, NOW))
    assert s is not None and s.engineer.id == fresh.id and "hours" in s.reason


def test_no_suggestion_without_a_matching_skill(factory, session, msk) -> None:  # noqa: ANN001
    _engineer(factory, session, msk, "Холодильщик", "Холодильники")
    order = factory.order(msk, unit=factory.unit(factory.model(category="Телевизоры")))
    assert suggest_engineer(order, list_engineer_loads(session, msk, NOW)) is None


def test_set_priority_writes_history(factory, session, msk, lead) -> None:  # noqa: ANN001
    order = factory.order(msk)
    set_priority(session, order, lead, "urgent")
    assert order.priority == Priority.URGENT
    session.refresh(order)
    ev = order.events[-1]
    assert ev.kind == EventKind.FIELD and (ev.from_value, ev.to_value) == ("normal", "urgent")
    with pytest.raises(ValidationFailed):
        set_priority(session, order, lead, "asap")
    with pytest.raises(PermissionDenied):
        set_priority(session, order, factory.staff(msk, Role.ENGINEER), "low")


@pytest.fixture
def partner(factory):  # noqa: ANN001, ANN201
    center = factory.center("KZN", kind=CenterKind.PARTNER)
    return center


def test_route_to_an_authorised_partner(factory, session, msk, lead, partner) -> None:  # noqa: ANN001
    bosch = factory.manufacturer("Bosch")
    partner.brands.append(bosch)
    order = factory.order(msk, state=RepairState.DIAGNOSIS, unit=factory.unit(factory.model(bosch)))
    order.engineer_id = factory.staff(msk, Role.ENGINEER).id
    route_to_center(session, lead, order, partner)
    session.refresh(order)
    assert order.center_id == partner.id and order.engineer_id is None
    ev = order.events[-2]  # then the deadline event: the partner's clock waits for the unit
    assert order.events[-1].kind == EventKind.DEADLINE
    assert ev.kind == EventKind.ROUTING and (ev.from_value, ev.to_value) == ("MSK", "KZN")
    assert ev.details["shipment_needed"] is True


def test_route_refusals(factory, session, msk, lead, partner) -> None:  # noqa: ANN001
    bosch, lg = factory.manufacturer("Bosch"), factory.manufacturer("LG")
    partner.brands.append(bosch)
    closed = factory.center("OLD", kind=CenterKind.PARTNER, active=False)
    closed.brands.append(bosch)
    own = factory.center("SPB")
    own.brands.append(bosch)
    order = factory.order(msk, unit=factory.unit(factory.model(bosch)))
    lg_order = factory.order(msk, unit=factory.unit(factory.model(lg)))
    session.flush()
    for target, message in [(msk, "already at"), (closed, "not an active partner"), (own, "not an active partner")]:
        with pytest.raises(ValidationFailed, match=message):
            route_to_center(session, lead, order, target)
    with pytest.raises(ValidationFailed, match="not authorised for LG"):
        route_to_center(session, lead, lg_order, partner)
    ready = factory.order(msk, state=RepairState.READY_FOR_PICKUP, unit=factory.unit(factory.model(bosch)))
    with pytest.raises(StateConflict):
        route_to_center(session, lead, ready, partner)
    with pytest.raises(PermissionDenied):
        route_to_center(session, factory.staff(msk, Role.ENGINEER), order, partner)
    session.refresh(order)
    assert order.center_id == msk.id


def test_bulk_assign_all_or_nothing(factory, session, msk, lead) -> None:  # noqa: ANN001
    eng = factory.staff(msk, Role.ENGINEER)
    a, b = factory.order(msk), factory.order(msk)
    bulk_assign(session, lead, msk.id, [a.id, str(b.id)], eng)
    assert (a.engineer_id, b.engineer_id) == (eng.id, eng.id)
    c = factory.order(msk)
    foreign = factory.order(factory.center("SPB"))
    with pytest.raises(BulkRefused, match=f"#{foreign.id}"):
        bulk_assign(session, lead, msk.id, [c.id, foreign.id], None)
    session.refresh(c)
    session.refresh(foreign)
    assert c.engineer_id is None and foreign.engineer_id is None
    with pytest.raises(ValidationFailed, match="at least one"):
        bulk_assign(session, lead, msk.id, [], eng)


def test_bulk_priority_refused_by_one_order_changes_none(factory, session, msk, lead) -> None:  # noqa: ANN001
    ok = factory.order(msk)
    issued = factory.order(msk, state=RepairState.ISSUED)
    with pytest.raises(BulkRefused) as refused:
        bulk_set_priority(session, lead, msk.id, [ok.id, issued.id], Priority.HIGH)
    assert [n for n, _ in refused.value.blocked] == [issued.number]
    session.refresh(ok)
    assert ok.priority == Priority.NORMAL and all(e.kind != EventKind.FIELD for e in ok.events)
    bulk_set_priority(session, lead, msk.id, [ok.id], Priority.HIGH)
    assert ok.priority == Priority.HIGH


def test_bulk_route_names_every_blocking_order(factory, session, msk, lead, partner) -> None:  # noqa: ANN001
    bosch, lg = factory.manufacturer("Bosch"), factory.manufacturer("LG")
    partner.brands.append(bosch)
    good = factory.order(msk, unit=factory.unit(factory.model(bosch)))
    bad1 = factory.order(msk, unit=factory.unit(factory.model(lg)))
    bad2 = factory.order(msk, unit=factory.unit(factory.model(lg)))
    with pytest.raises(BulkRefused) as refused:
        bulk_route(session, lead, msk.id, [good.id, bad1.id, bad2.id], partner)
    assert [n for n, _ in refused.value.blocked] == [bad1.number, bad2.number]
    session.refresh(good)
    assert good.center_id == msk.id
    bulk_route(session, lead, msk.id, [good.id], partner)
    assert good.center_id == partner.id
