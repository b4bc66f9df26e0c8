"""Deadlines: due dates from rules and calendars, pauses, status, and recomputation on rule changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from servicecenter.accounts.roles import Role
from servicecenter.customers.models import ContractKind, ServiceContract
from servicecenter.deadlines import queries
from servicecenter.deadlines import services as deadlines
from servicecenter.deadlines.calendar import Calculator, DayUnit, Terms, WorkCalendar, legal_due
from servicecenter.deadlines.models import CalendarDay, DeadlineRule
from servicecenter.deadlines.rules import Recompute, add_calendar_day, save_rule
from servicecenter.errors import PermissionDenied, ValidationFailed
from servicecenter.repairs import services as repairs
from servicecenter.repairs.models import EventKind, OrderType, RepairEvent, RepairOrder
from servicecenter.repairs.states import RepairState

MSK_END = (20, 59, 59)  # 23:59:59 in Moscow (UTC+3) is 20:59:59 UTC


def utc(y: int, m: int, d: int, h: int = 12, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, s, tzinfo=UTC)


def terms(diag: int = 3, diag_unit: DayUnit = DayUnit.CALENDAR, repair: int = 20,
          repair_unit: DayUnit = DayUnit.CALENDAR) -> Terms:
    return Terms(diag, diag_unit, repair, repair_unit, timedelta(days=1))


class Clock:
    """The moment services see as "now", moved by the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, start: datetime) -> None:
        self.now = start
        monkeypatch.setattr(repairs, "utcnow", lambda: self.now)

    def advance(self, **kw: float) -> datetime:
        self.now += timedelta(**kw)
        return self.now


# --- Pure calculation ----------------------------------------------------------------------------

def test_calendar_days_count_from_the_day_after_intake_to_the_end_of_the_day() -> None:
    calc = Calculator("Europe/Moscow")
    # Friday 4 December 2026, noon in Moscow: 3 calendar days end on Monday night.
    assert calc.due(utc(2026, 12, 4, 9), 3, DayUnit.CALENDAR) == utc(2026, 12, 7, *MSK_END)


def test_business_days_skip_the_weekend() -> None:
    calc = Calculator("Europe/Moscow")
    # Friday + 3 business days: Monday, Tuesday, Wednesday.
    assert calc.due(utc(2026, 12, 4, 9), 3, DayUnit.BUSINESS) == utc(2026, 12, 9, *MSK_END)
    # Received on a Saturday: the term starts on Monday.
    assert calc.due(utc(2026, 12, 5, 9), 1, DayUnit.BUSINESS) == utc(2026, 12, 7, *MSK_END)


def test_holidays_are_skipped_and_a_worked_saturday_counts() -> None:
    calendar = WorkCalendar(holidays=frozenset({date(2026, 12, 8)}), working_days=frozenset({date(2026, 12, 5)}))
    calc = Calculator("Europe/Moscow", calendar)
    # Friday 4th + 3 business days: Saturday 5th (worked), Monday 7th, (Tuesday 8th off) Wednesday 9th.
    assert calc.due(utc(2026, 12, 4, 9), 3, DayUnit.BUSINESS) == utc(2026, 12, 9, *MSK_END)
    # New-year holidays: 31 Dec + 2 business days with 1–8 January off → 9 Jan is a Saturday → 12 Jan.
    new_year = WorkCalendar(holidays=frozenset(date(2027, 1, d) for d in range(1, 9)))
    assert Calculator("Europe/Moscow", new_year).due(utc(2026, 12, 31, 9), 2, DayUnit.BUSINESS) == \
        utc(2027, 1, 12, *MSK_END)


def test_the_day_of_intake_is_the_centers_local_day() -> None:
    # 20:00 UTC on 2 March is already 3 March, 01:00 in Yekaterinburg (UTC+5).
    calc = Calculator("Asia/Yekaterinburg")
    assert calc.due(utc(2026, 3, 2, 20), 3, DayUnit.CALENDAR) == utc(2026, 3, 6, 18, 59, 59)
    # The same moment in Moscow (23:00 on 2 March) counts from 2 March.
    assert Calculator("Europe/Moscow").due(utc(2026, 3, 2, 20), 3, DayUnit.CALENDAR) == utc(2026, 3, 5, *MSK_END)


def test_legal_limit_is_45_calendar_days_for_warranty_orders_only() -> None:
    calc = Calculator("Europe/Moscow")
    received = utc(2026, 12, 4, 9)
    assert calc.due_dates(received, terms(), warranty=True).legal_due == utc(2027, 1, 18, *MSK_END)
    assert legal_due(received, "Europe/Moscow") == utc(2027, 1, 18, *MSK_END)
    assert calc.due_dates(received, terms(), warranty=False).legal_due is None


# --- Orders --------------------------------------------------------------------------------------

@pytest.fixture
def center(factory):  # noqa: ANN001, ANN201
    return factory.center("DLN")


@pytest.fixture
def admin(factory, center):  # noqa: ANN001, ANN201
    return factory.user(center, Role.ADMIN)


def rule(session, admin, center, **values):  # noqa: ANN001, ANN201
    base = {"center_id": center.id, "diagnosis_days": 2, "repair_days": 10, "margin": 12, "margin_unit": "hours",
            "pause_on_approval": True}
    saved, _count = save_rule(session, admin, **{**base, **values})
    return saved


def test_a_received_warranty_order_without_rules_gets_the_defaults(factory, center) -> None:  # noqa: ANN001
    order = factory.order(center, order_type=OrderType.WARRANTY)
    received = order.received_at
    assert order.diagnosis_due == Calculator(center.timezone).due(received, 3, DayUnit.CALENDAR)
    assert order.legal_due == legal_due(received, center.timezone)
    assert order.repair_due == order.legal_due  # warranty default: the 45-day limit itself
    assert order.due_at == order.diagnosis_due  # received: diagnosis binds first
    assert order.risk_at == order.due_at - timedelta(days=1)


def test_a_paid_order_has_no_legal_limit_and_20_days_to_repair(factory, center) -> None:  # noqa: ANN001
    order = factory.order(center, order_type=OrderType.PAID)
    assert order.legal_due is None
    assert order.repair_due == Calculator(center.timezone).due(order.received_at, 20, DayUnit.CALENDAR)


def test_a_pre_registered_visit_has_no_due_dates_until_the_unit_is_received(factory, session, center) -> None:  # noqa: ANN001
    order = factory.order(center, state=RepairState.REGISTERED)
    assert (order.diagnosis_due, order.due_at) == (None, None)
    order.unit_id = factory.unit(owner=order.customer).id
    session.flush()
    session.refresh(order)
    repairs.apply_transition(session, order, RepairState.RECEIVED, factory.staff(center, Role.INTAKE))
    assert order.received_at is not None and order.due_at == order.diagnosis_due is not None


def test_contract_rule_beats_manufacturer_rule_beats_center_rule(factory, session, admin, center) -> None:  # noqa: ANN001
    brand = factory.manufacturer()
    customer = factory.customer()
    contract = ServiceContract(number="EXT-1", customer_id=customer.id, kind=next(iter(ContractKind)),
                               valid_from=date(2020, 1, 1), valid_to=date(2099, 12, 31))
    session.add(contract)
    session.flush()
    rule(session, admin, center, diagnosis_days=5)
    rule(session, admin, center, diagnosis_days=4, manufacturer_id=brand.id)
    rule(session, admin, center, diagnosis_days=1, contract_number="EXT-1")
    calc = Calculator(center.timezone)

    plain = factory.order(center)
    branded = factory.order(center, unit=factory.unit(model=factory.model(brand)))
    unit = factory.unit(model=factory.model(brand), owner=customer)
    unit.contract_id = contract.id
    session.flush()
    covered = factory.order(center, customer=customer, unit=unit)

    assert plain.diagnosis_due == calc.due(plain.received_at, 5, DayUnit.CALENDAR)
    assert branded.diagnosis_due == calc.due(branded.received_at, 4, DayUnit.CALENDAR)
    assert covered.diagnosis_due == calc.due(covered.received_at, 1, DayUnit.CALENDAR)


def test_a_rule_for_warranty_orders_leaves_paid_ones_to_the_general_rule(factory, session, admin, center) -> None:  # noqa: ANN001
    rule(session, admin, center, repair_days=30)
    rule(session, admin, center, repair_days=14, applies_to="warranty")
    calc = Calculator(center.timezone)
    paid = factory.order(center, order_type=OrderType.PAID)
    warranty = factory.order(center, order_type=OrderType.WARRANTY)
    assert paid.repair_due == calc.due(paid.received_at, 30, DayUnit.CALENDAR)
    assert warranty.repair_due == calc.due(warranty.received_at, 14, DayUnit.CALENDAR)


def test_stage_decides_which_date_binds_and_ready_orders_have_none(factory, center) -> None:  # noqa: ANN001
    order = factory.order(center, state=RepairState.IN_REPAIR, order_type=OrderType.WARRANTY)
    assert order.due_at == min(order.repair_due, order.legal_due)
    done = factory.order(center, state=RepairState.READY_FOR_PICKUP)
    assert (done.due_at, done.risk_at) == (None, None)
    assert done.diagnosis_due is not None  # the dates stay for the record


def test_waiting_for_approval_pauses_internal_deadlines_but_not_the_legal_limit(
        factory, session, admin, center, monkeypatch) -> None:  # noqa: ANN001
    clock = Clock(monkeypatch, utc(2026, 12, 1, 9))
    rule(session, admin, center, diagnosis_days=3, repair_days=30, pause_on_approval=True)
    order = factory.order(center, state=RepairState.DIAGNOSIS, order_type=OrderType.WARRANTY)
    engineer, voice = factory.staff(center, Role.ENGINEER), factory.staff(center, Role.CALL_CENTER)
    before = (order.diagnosis_due, order.repair_due, order.legal_due)
    repairs.apply_transition(session, order, RepairState.AWAITING_APPROVAL, engineer,
                             estimate_total="1500", diagnosis="Плата")
    assert order.deadline_paused_at == clock.now
    assert order.due_at == order.legal_due  # only the legal limit binds while paused
    clock.advance(days=4, hours=2)
    repairs.apply_transition(session, order, RepairState.IN_REPAIR, voice)
    shift = timedelta(days=4, hours=2)
    assert order.deadline_paused_at is None and order.deadline_paused_seconds == shift.total_seconds()
    assert (order.diagnosis_due, order.repair_due) == (before[0] + shift, before[1] + shift)
    assert order.legal_due == before[2]
    assert order.due_at == min(order.repair_due, order.legal_due)
    messages = [e.details.get("message") for e in order.events if e.kind == EventKind.DEADLINE]
    assert messages == [deadlines.PAUSE_MESSAGES["approval"], deadlines.RESUMED]


def test_without_pause_on_approval_the_clock_keeps_running(factory, session, admin, center) -> None:  # noqa: ANN001
    rule(session, admin, center, pause_on_approval=False)
    order = factory.order(center, state=RepairState.AWAITING_APPROVAL)
    assert order.deadline_paused_at is None
    assert order.due_at == order.repair_due


def test_transit_pause_only_when_the_rule_says_so(factory, session, admin, center) -> None:  # noqa: ANN001
    order = factory.order(center, state=RepairState.IN_REPAIR, order_type=OrderType.WARRANTY)
    assert deadlines.pause(session, order, "transit") is False  # the defaults do not pause in transit
    rule(session, admin, center, pause_in_transit=True, repair_days=30)
    session.refresh(order)
    start = order.received_at + timedelta(days=2)
    assert deadlines.pause(session, order, "transit", now=start) is True
    assert deadlines.pause(session, order, "transit", now=start) is False  # already paused
    assert order.due_at == order.legal_due
    repair_due = order.repair_due
    assert deadlines.resume(session, order, reason="approval", now=start + timedelta(days=1)) is False
    assert deadlines.resume(session, order, reason="transit", now=start + timedelta(days=3)) is True
    assert order.repair_due == repair_due + timedelta(days=3)
    assert order.due_at == min(order.repair_due, order.legal_due)


def test_status_boundaries_and_the_list_conditions_agree(factory, session, center) -> None:  # noqa: ANN001
    order = factory.order(center)
    due, risk = order.due_at, order.risk_at
    cases = [(risk - timedelta(seconds=1), "on_time"), (risk, "at_risk"), (due, "at_risk"),
             (due + timedelta(seconds=1), "overdue")]
    for now, expected in cases:
        assert deadlines.deadline_status(order, now) == expected
        found = {name for name, cond in (("overdue", queries.overdue(now)), ("at_risk", queries.at_risk(now)))
                 if session.scalar(select(RepairOrder.id).where(RepairOrder.id == order.id, cond))}
        assert found == ({expected} - {"on_time"})
    assert deadlines.deadline_status(factory.order(center, state=RepairState.READY_FOR_PICKUP)) is None


# --- Rule changes -----------------------------------------------------------------------------------

def deadline_events(session, order) -> list[RepairEvent]:  # noqa: ANN001
    return list(session.scalars(select(RepairEvent).where(RepairEvent.order_id == order.id,
                                                           RepairEvent.kind == EventKind.DEADLINE)))


def test_changing_a_rule_recomputes_open_orders_with_one_event_each(factory, session, admin, center) -> None:  # noqa: ANN001
    general = rule(session, admin, center, diagnosis_days=3, repair_days=20)
    open_orders = [factory.order(center, order_type=OrderType.WARRANTY),
                   factory.order(center, state=RepairState.IN_REPAIR)]
    finished = factory.order(center, state=RepairState.READY_FOR_PICKUP)
    finished_dates = (finished.diagnosis_due, finished.repair_due)
    legal = open_orders[0].legal_due
    saved, changed = save_rule(session, admin, general, center_id=center.id, diagnosis_days=5, repair_days=25,
                               margin=1, margin_unit="days", pause_on_approval=True)
    assert changed == Recompute(changed=2)
    calc = Calculator(center.timezone)
    for order in open_orders:
        session.refresh(order)
        assert order.repair_due == calc.due(order.received_at, 25, DayUnit.CALENDAR)
        events = deadline_events(session, order)
        assert len(events) == 1 and events[0].to_value.endswith(
            order.repair_due.astimezone(calc._zone).strftime("%d.%m.%Y"))
    assert open_orders[0].legal_due == legal  # the legal limit is not the rule's to change
    assert open_orders[0].due_at == open_orders[0].diagnosis_due
    session.refresh(finished)
    assert (finished.diagnosis_due, finished.repair_due) == finished_dates and not deadline_events(session, finished)
    # Saving the same values again moves nothing and writes nothing.
    assert save_rule(session, admin, saved, center_id=center.id, diagnosis_days=5, repair_days=25,
                     margin=1, margin_unit="days", pause_on_approval=True)[1] == Recompute()


def test_a_holiday_recomputes_business_day_rules(factory, session, admin, center, monkeypatch) -> None:  # noqa: ANN001
    Clock(monkeypatch, utc(2026, 12, 4, 9))  # a Friday
    rule(session, admin, center, diagnosis_days=3, diagnosis_unit="business")
    order = factory.order(center)
    assert order.diagnosis_due == utc(2026, 12, 9, *MSK_END)
    _day, changed = add_calendar_day(session, admin, center_id=center.id, day=date(2026, 12, 8), name="Праздник")
    assert changed == Recompute(changed=1)
    session.refresh(order)
    assert order.diagnosis_due == utc(2026, 12, 10, *MSK_END)


@pytest.mark.parametrize(("values", "field"), [
    ({"diagnosis_days": 0}, "diagnosis_days"),
    ({"repair_days": 366}, "repair_days"),
    ({"diagnosis_days": "abc"}, "diagnosis_days"),
    ({"margin": -1}, "margin"),
    ({"margin": 2, "margin_unit": "days", "diagnosis_days": 2}, "margin"),
    ({"applies_to": "sometimes"}, "applies_to"),
    ({"diagnosis_unit": "lunar"}, "diagnosis_unit"),
    ({"contract_number": "NOPE"}, "contract_number"),
])
def test_bad_rules_are_refused_and_nothing_changes(session, admin, center, values, field) -> None:  # noqa: ANN001
    base = {"center_id": center.id, "diagnosis_days": 3, "repair_days": 20, "margin": 12}
    with pytest.raises(ValidationFailed) as exc:
        save_rule(session, admin, **{**base, **values})
    assert field in exc.value.errors
    assert session.scalar(select(func.count()).select_from(DeadlineRule)) == 0


def test_manufacturer_and_contract_together_and_duplicates_are_refused(factory, session, admin, center) -> None:  # noqa: ANN001
    customer = factory.customer()
    session.add(ServiceContract(number="EXT-2", customer_id=customer.id, kind=next(iter(ContractKind)),
                                valid_from=date(2020, 1, 1), valid_to=date(2099, 1, 1)))
    brand = factory.manufacturer()
    with pytest.raises(ValidationFailed) as exc:
        rule(session, admin, center, manufacturer_id=brand.id, contract_number="EXT-2")
    assert "contract_number" in exc.value.errors
    rule(session, admin, center)
    with pytest.raises(ValidationFailed) as exc:
        rule(session, admin, center)
    assert "applies_to" in exc.value.errors


def test_only_an_administrator_changes_rules_and_calendars(factory, session, center) -> None:  # noqa: ANN001
    lead = factory.staff(center, Role.TEAM_LEAD)
    with pytest.raises(PermissionDenied):
        save_rule(session, lead, center_id=center.id, diagnosis_days=3, repair_days=20, margin=1)
    with pytest.raises(PermissionDenied):
        add_calendar_day(session, lead, center_id=None, day=date(2026, 1, 7))
    assert session.scalar(select(func.count()).select_from(CalendarDay)) == 0


def test_a_working_day_must_be_a_weekend_day(session, admin, center) -> None:  # noqa: ANN001
    with pytest.raises(ValidationFailed) as exc:
        add_calendar_day(session, admin, center_id=center.id, day=date(2026, 12, 7), working=True)  # a Monday
    assert "working" in exc.value.errors


def test_revising_warranty_to_paid_drops_the_legal_limit(factory, session, admin, center) -> None:  # noqa: ANN001
    rule(session, admin, center, repair_days=14, applies_to="warranty")
    order = factory.order(center, state=RepairState.DIAGNOSIS, order_type=OrderType.WARRANTY)
    assert order.legal_due is not None
    repairs.decide_warranty(session, order, factory.staff(center, Role.ENGINEER), covered=False,
                            reason="Следы залития")
    assert order.legal_due is None
    # Now a paid order: the general defaults (20 days), not the warranty rule.
    assert order.repair_due == Calculator(center.timezone).due(order.received_at, 20, DayUnit.CALENDAR)


def test_a_rule_change_keeps_a_paused_order_paused_and_leaves_its_version(factory, session, admin, center) -> None:  # noqa: ANN001
    general = rule(session, admin, center, repair_days=30)
    order = factory.order(center, state=RepairState.AWAITING_APPROVAL, order_type=OrderType.WARRANTY)
    version = order.version
    assert order.deadline_paused_at is not None
    save_rule(session, admin, general, center_id=center.id, diagnosis_days=2, repair_days=40, margin=12,
              pause_on_approval=True)
    session.refresh(order)
    assert order.repair_due == Calculator(center.timezone).due(order.received_at, 40, DayUnit.CALENDAR)
    assert order.deadline_paused_at is not None and order.due_at == order.legal_due
    assert order.version == version  # an engineer's open form does not go stale over a rule change


def test_backfill_gives_old_orders_their_dates_without_history(factory, session, center) -> None:  # noqa: ANN001
    from servicecenter.deadlines.recompute import backfill

    order = factory.order(center, order_type=OrderType.WARRANTY)
    expected = (order.diagnosis_due, order.repair_due, order.legal_due, order.due_at)
    order.diagnosis_due = order.repair_due = order.legal_due = order.due_at = order.risk_at = None  # pre-migration
    session.flush()
    assert backfill(session) == 1
    session.refresh(order)
    assert (order.diagnosis_due, order.repair_due, order.legal_due, order.due_at) == expected
    assert deadline_events(session, order) == []
    assert backfill(session) == 0


def test_a_rule_change_over_many_open_orders_is_recomputed_by_a_job_after_commit(committed_database) -> None:  # noqa: ANN001
    from servicecenter.deadlines.jobs import RECOMPUTE_JOB
    from servicecenter.jobs.dispatch import Dispatcher, run_outbox_job
    from servicecenter.jobs.models import OutboxJob, OutboxState
    from tests.factories import Factory

    with committed_database.unit_of_work() as s:
        factory = Factory(s)
        center = factory.center("JOBD", timezone="Europe/Moscow")
        admin = factory.staff(center, Role.ADMIN)
        ids = [factory.order(center).id for _ in range(3)]
        center_id, admin_id = center.id, admin.id
    try:
        Dispatcher(committed_database, redis_url=None)  # in-process, right after the commit
        with committed_database.unit_of_work() as s:
            admin = s.get(type(admin), admin_id)
            _rule, result = save_rule(s, admin, center_id=center_id, diagnosis_days=7, repair_days=30, margin=1,
                                      inline_limit=2)
            assert result == Recompute(queued=3)  # more open orders than the limit: left to the job
            assert not deadline_events(s, s.get(RepairOrder, ids[0]))  # nothing recomputed in the request
        with committed_database.unit_of_work() as s:
            calc = Calculator("Europe/Moscow")
            for order_id in ids:
                order = s.get(RepairOrder, order_id)
                assert order.diagnosis_due == calc.due(order.received_at, 7, DayUnit.CALENDAR)
                assert len(deadline_events(s, order)) == 1
            job = s.scalars(select(OutboxJob).where(OutboxJob.name == RECOMPUTE_JOB)).one()
            assert job.state == OutboxState.DONE and job.payload == {"center_ids": [center_id], "actor_id": admin_id}
            job.state = OutboxState.QUEUED  # delivered again by the queue
        run_outbox_job(committed_database, job.id)
        with committed_database.unit_of_work() as s:  # the second run found every date right
            assert all(len(deadline_events(s, s.get(RepairOrder, i))) == 1 for i in ids)
    finally:
        committed_database.session_factory.kw.get("info", {}).pop("dispatcher", None)
