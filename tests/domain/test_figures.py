"""Week and month figures against hand-computed answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from servicecenter.accounts.roles import Role
from servicecenter.repairs.figures import Period, figures_for, period_start
from servicecenter.repairs.states import RepairState

NOW = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)  # Wednesday 11 March, 12:00 in Moscow
H = timedelta(hours=1)
D = timedelta(days=1)


def test_periods_start_at_local_midnight() -> None:
    assert period_start(Period.WEEK, NOW, "Europe/Moscow") == datetime(2026, 3, 8, 21, 0, tzinfo=UTC)
    assert period_start(Period.MONTH, NOW, "Europe/Moscow") == datetime(2026, 2, 28, 21, 0, tzinfo=UTC)


def test_figures_per_engineer_and_center(factory, session) -> None:  # noqa: ANN001
    msk = factory.center("MSK", timezone="Europe/Moscow")
    a = factory.user(msk, Role.ENGINEER, name="Алексеев")
    b = factory.user(msk, Role.ENGINEER, name="Борисов")

    def finished(engineer, ready_at, turnaround, due=None, legal=None):  # noqa: ANN001, ANN202
        order = factory.order(msk, state=RepairState.READY_FOR_PICKUP)
        order.engineer_id = engineer.id if engineer else None
        order.ready_at, order.received_at = ready_at, ready_at - turnaround
        order.repair_due, order.legal_due = due, legal
        return order

    # This week (from Monday 9 March, Moscow):
    finished(a, NOW - H, 2 * D, due=NOW)  # on time
    finished(a, NOW - 2 * H, 4 * D, due=NOW - 3 * H)  # late
    finished(b, NOW - 3 * H, 1 * D, legal=NOW + 10 * D)  # no internal due: the legal limit counts, on time
    # Earlier this month, not this week:
    finished(a, datetime(2026, 3, 3, 10, 0, tzinfo=UTC), 6 * D)  # no due date: not in the share
    finished(b, datetime(2026, 3, 8, 20, 59, tzinfo=UTC), 3 * D, due=datetime(2026, 3, 9, tzinfo=UTC))
    # Outside both: last month, another center, not finished.
    finished(a, datetime(2026, 2, 28, 20, 0, tzinfo=UTC), 1 * D)  # 23:00 on 28 Feb in Moscow
    other = factory.order(factory.center("SPB"), state=RepairState.READY_FOR_PICKUP)
    other.ready_at, other.received_at = NOW - H, NOW - 2 * D
    factory.order(msk, state=RepairState.IN_REPAIR)
    session.flush()

    week = figures_for(session, msk, Period.WEEK, NOW)
    assert week.center.finished == 3
    assert week.center.median_turnaround == 2 * D  # of 1, 2, 4 days
    assert (week.center.on_time, week.center.with_due) == (2, 3)
    per = {u.name: f for u, f in week.engineers}
    assert per["Алексеев"].finished == 2 and per["Алексеев"].median_turnaround == 3 * D  # of 2 and 4
    assert per["Алексеев"].compliance == 0.5
    assert per["Борисов"].finished == 1 and per["Борисов"].compliance == 1.0

    month = figures_for(session, msk, Period.MONTH, NOW)
    assert month.center.finished == 5
    assert month.center.median_turnaround == 3 * D  # of 1, 2, 3, 4, 6 days
    assert (month.center.on_time, month.center.with_due) == (3, 4)
    per = {u.name: f for u, f in month.engineers}
    assert per["Алексеев"].finished == 3 and per["Алексеев"].compliance == 0.5  # the 6-day one had no due date
    assert per["Борисов"].median_turnaround == 2 * D  # of 1 and 3


def test_no_finished_orders_means_no_median_and_no_share(factory, session) -> None:  # noqa: ANN001
    msk = factory.center("MSK")
    week = figures_for(session, msk, Period.WEEK, NOW)
    assert week.center.finished == 0 and week.center.median_turnaround is None
    assert week.center.compliance is None and week.engineers == []
