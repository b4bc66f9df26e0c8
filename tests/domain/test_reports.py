"""Reports against a small hand-built network: expected figures computed here from the specs."""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

import servicecenter.clock as clock
import servicecenter.repairs.services as repair_services
import servicecenter.reports  # noqa: F401  (registers the reports)
from servicecenter.accounts.roles import Role
from servicecenter.centers.models import CenterKind
from servicecenter.errors import ValidationFailed
from servicecenter.repairs.models import OrderType, RepairOrder, WorkLog
from servicecenter.repairs.services import apply_transition
from servicecenter.repairs.states import RepairState
from servicecenter.reports.base import REPORTS, Report, ReportFilter
from servicecenter.reports.drill import orders_behind
from servicecenter.scoping import Scope, set_scope

S = RepairState
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday 2 March 2026, 12:00 in Moscow
NOW = datetime(2026, 4, 15, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
MARCH = ReportFilter(date(2026, 3, 1), date(2026, 3, 31))


class Net:
    def __init__(self, factory, session, monkeypatch) -> None:  # noqa: ANN001
        self.f, self.s = factory, session
        self.now = T0
        monkeypatch.setattr(repair_services, "utcnow", lambda: self.now)
        monkeypatch.setattr(clock, "utcnow", lambda: NOW)
        self.msk = factory.center("MSK")
        self.spb = factory.center("SPB")
        self.kzn = factory.center("KZN", kind=CenterKind.PARTNER)
        self.eng = {c.code: [factory.user(c, Role.ENGINEER if c.kind == CenterKind.OWN else Role.PARTNER,
                                          name=f"{c.code}-{i}") for i in range(2)] for c in (self.msk, self.spb, self.kzn)}
        self.acme, self.bork = factory.manufacturer("Acme"), factory.manufacturer("Bork")
        self.washer = factory.model(self.acme, category="Стиральные машины", name="W1")
        self.fridge = factory.model(self.bork, category="Холодильники", name="F1")
        self.specs: list[dict] = []

    def order(self, center, model, received: datetime, ready: datetime | None = None,  # noqa: ANN001
              issued: datetime | None = None, outcome: str = "repaired", engineer: int = 0, warranty: bool = False,
              due: datetime | None = None, unit=None, state: RepairState | None = None):  # noqa: ANN001, ANN201
        own = center.kind == CenterKind.OWN
        bench = self.f.staff(center, Role.ENGINEER if own else Role.PARTNER)
        clerk = self.f.staff(center, Role.INTAKE if own else Role.PARTNER)
        self.now = received
        unit = unit or self.f.unit(model=model)
        order = self.f.order(center, S.RECEIVED, unit=unit, warranty_covered=warranty,
                             order_type=OrderType.WARRANTY if warranty else OrderType.PAID)
        engineer_user = self.eng[center.code][engineer]
        order.engineer_id = engineer_user.id
        order.repair_due, order.legal_due = due, None
        if ready or state:
            apply_transition(self.s, order, S.DIAGNOSIS, bench)
        if ready:
            self.now = ready
            if outcome in ("repaired", "replaced"):
                apply_transition(self.s, order, S.IN_REPAIR, bench, diagnosis="Замена")
                apply_transition(self.s, order, S.READY_FOR_PICKUP, bench, outcome=outcome, outcome_note="Готово")
            else:
                apply_transition(self.s, order, S.READY_FOR_PICKUP, bench, outcome=outcome, outcome_note="Нет",
                                 diagnosis="Нет")
        if issued:
            self.now = issued
            apply_transition(self.s, order, S.ISSUED, clerk)
        order.due_at = due if order.state not in (S.READY_FOR_PICKUP, S.ISSUED, S.CANCELLED) else None
        self.s.flush()
        self.specs.append(dict(id=order.id, center=center.id, model=model.id, brand=model.manufacturer_id,
                               category=model.category, received=received, ready=ready, issued=issued,
                               outcome=outcome if ready else None, engineer=engineer_user.id, warranty=warranty,
                               due=due, unit=unit.id, state=order.state))
        return order


@pytest.fixture
def net(factory, session, monkeypatch) -> Net:  # noqa: ANN001
    n = Net(factory, session, monkeypatch)
    d = timedelta(days=1)
    # MSK: washers and fridges, finished in March at known hours; one repeat repair of the same unit.
    first = n.order(n.msk, n.washer, T0, T0 + 10 * H, T0 + 30 * H, engineer=0, due=T0 + 20 * H)
    n.order(n.msk, n.washer, T0 + d, T0 + d + 20 * H, engineer=0, due=T0 + d + 10 * H)  # late
    n.order(n.msk, n.fridge, T0 + 2 * d, T0 + 2 * d + 40 * H, T0 + 3 * d + 40 * H, engineer=1, warranty=True,
            due=T0 + 9 * d)
    n.order(n.msk, n.fridge, T0 + 3 * d, T0 + 3 * d + 5 * H, outcome="refused", engineer=1)  # no due date
    n.order(n.msk, n.washer, T0 + 20 * d, T0 + 20 * d + 8 * H, outcome="replaced", engineer=0,
            unit=n.s.get(type(first.unit), first.unit_id), due=T0 + 25 * d)  # repeat: ready 20 days before
    n.order(n.msk, n.washer, T0 + 5 * d, engineer=1, state=S.DIAGNOSIS, due=T0 + 6 * d)  # open, overdue now
    n.order(n.msk, n.fridge, T0 + 6 * d, engineer=0, due=NOW + 5 * d)  # open, not overdue
    # SPB
    n.order(n.spb, n.washer, T0 + 4 * d, T0 + 4 * d + 16 * H, T0 + 5 * d, outcome="unrepairable", warranty=True,
            due=T0 + 10 * d)
    n.order(n.spb, n.fridge, T0 + 7 * d, T0 + 7 * d + 60 * H, engineer=1, due=T0 + 7 * d + 30 * H)
    n.order(n.spb, n.fridge, T0 + 8 * d, engineer=1, due=T0 + 9 * d)  # open, overdue
    # KZN partner
    n.order(n.kzn, n.washer, T0 + 2 * d, T0 + 2 * d + 12 * H, T0 + 3 * d, warranty=True, due=T0 + 5 * d)
    n.order(n.kzn, n.fridge, T0 + 9 * d, T0 + 9 * d + 30 * H, engineer=1)
    n.order(n.kzn, n.washer, T0 + 10 * d, engineer=0, due=T0 + 11 * d)  # open, overdue
    # Outside March: received in February, ready in April.
    n.order(n.msk, n.washer, T0 - 10 * d, T0 - 9 * d)
    n.order(n.spb, n.washer, T0 + 29 * d, T0 + 31 * d, engineer=1)
    return n


def in_march(moment: datetime | None) -> bool:
    start, end = MARCH.bounds()
    return moment is not None and start <= moment < end


def run(session, key: str, flt: ReportFilter = MARCH) -> Report:  # noqa: ANN001
    return REPORTS[key][1](session, flt)


def table(r: Report, title: str):  # noqa: ANN201
    return next(t for t in r.tables if t.title == title)


def behind(session, cell) -> set[int]:  # noqa: ANN001
    assert cell.drill is not None, cell
    page = orders_behind(session, cell.drill.params, 1)
    return {o.id for o in page.items}


def test_all_six_reports_are_registered() -> None:
    assert list(REPORTS) == ["repairs", "turnaround", "deadlines", "failures", "load", "money"]


def test_repairs_per_center_and_their_drills(net, session) -> None:  # noqa: ANN001
    r = run(session, "repairs")
    rows = {row[0].value: row for row in table(r, "Per center").rows}
    for center in (net.msk, net.spb, net.kzn):
        mine = [s for s in net.specs if s["center"] == center.id]
        received = {s["id"] for s in mine if in_march(s["received"])}
        issued = {s["id"] for s in mine if in_march(s["issued"])}
        finished = {s["id"] for s in mine if in_march(s["ready"])}
        repaired = {s["id"] for s in mine if in_march(s["ready"]) and s["outcome"] == "repaired"}
        in_work = {s["id"] for s in mine if s["state"] not in (S.ISSUED, S.CANCELLED)}
        warranty = {s["id"] for s in mine if in_march(s["received"]) and s["warranty"]}
        row = rows[center.code]
        assert [c.value for c in row[1:5]] == [len(received), len(issued), len(finished), len(repaired)]
        assert row[8].value == len(in_work) and row[9].value == len(warranty)
        assert row[10].value == len(received) - len(warranty)
        for cell, ids in ((row[1], received), (row[2], issued), (row[3], finished), (row[4], repaired),
                          (row[8], in_work), (row[9], warranty)):
            if ids:
                assert behind(session, cell) == ids
    outcomes = {row[0].value: row[1].value for row in table(r, "Outcome of the orders finished in the period").rows}
    assert outcomes == {"Repaired": 6, "Replaced": 1, "Refused": 1, "Unrepairable": 1}


def test_one_center_and_brand_and_category_filters(net, session) -> None:  # noqa: ANN001
    r = run(session, "repairs", ReportFilter(MARCH.date_from, MARCH.date_to, center_id=net.msk.id,
                                             category="Холодильники"))
    (row,) = table(r, "Per center").rows
    expected = {s["id"] for s in net.specs if s["center"] == net.msk.id and s["category"] == "Холодильники"
                and in_march(s["received"])}
    assert row[1].value == len(expected) == 3 and behind(session, row[1]) == expected
    r = run(session, "repairs", ReportFilter(MARCH.date_from, MARCH.date_to, manufacturer_id=net.bork.id))
    total = sum(row[1].value for row in table(r, "Per center").rows)
    assert total == sum(1 for s in net.specs if s["brand"] == net.bork.id and in_march(s["received"]))


def pc(values: list[float], p: float) -> float:
    """percentile_cont, by hand: linear between the two closest ranks."""
    values = sorted(values)
    k = (len(values) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def test_turnaround_medians_and_percentiles(net, session) -> None:  # noqa: ANN001
    r = run(session, "turnaround")
    done = [s for s in net.specs if in_march(s["ready"])]
    spans = [(s["ready"] - s["received"]) / H for s in done]
    (total,) = table(r, "All finished orders").rows
    assert total[1].value == len(done)
    assert total[2].value == round(statistics.median(spans), 1) and total[3].value == round(pc(spans, .9), 1)
    issued = [(s["issued"] - s["received"]) / H for s in done if s["issued"]]
    assert total[4].value == round(statistics.median(issued), 1)
    rows = {row[0].value: row for row in table(r, "Per center").rows}
    msk = [(s["ready"] - s["received"]) / H for s in done if s["center"] == net.msk.id]
    assert rows["MSK"][2].value == round(statistics.median(msk), 1) and rows["MSK"][3].value == round(pc(msk, .9), 1)
    assert behind(session, rows["MSK"][1]) == {s["id"] for s in done if s["center"] == net.msk.id}
    cats = {row[0].value: row for row in table(r, "Per category").rows}
    fridges = [(s["ready"] - s["received"]) / H for s in done if s["category"] == "Холодильники"]
    assert cats["Холодильники"][2].value == round(statistics.median(fridges), 1)
    weeks = {row[0].value: row[1].value for row in table(r, "By week").rows}
    assert weeks["2026-03-02"] == sum(1 for s in done if s["ready"] < datetime(2026, 3, 8, 21, tzinfo=UTC))
    assert sum(weeks.values()) == len(done)
    assert r.charts[0].kind == "line"


def test_deadlines_share_and_overdue(net, session) -> None:  # noqa: ANN001
    r = run(session, "deadlines")
    done = [s for s in net.specs if in_march(s["ready"]) and s["due"]]
    ok = [s for s in done if s["ready"] <= s["due"]]
    (total,) = table(r, "All centers").rows
    assert (total[2].value, total[3].value) == (len(done), len(ok))
    assert total[5].value == pytest.approx(len(ok) / len(done))
    overdue = {s["id"] for s in net.specs if s["state"] not in (S.ISSUED, S.CANCELLED, S.READY_FOR_PICKUP)
               and s["due"] and s["due"] < NOW}
    assert total[6].value == len(overdue) == 3 and behind(session, total[6]) == overdue
    assert behind(session, total[3]) == {s["id"] for s in ok}
    assert behind(session, total[4]) == {s["id"] for s in done} - {s["id"] for s in ok}


def test_failures_rate_and_repeats(net, session) -> None:  # noqa: ANN001
    r = run(session, "failures")
    rows = {row[1].value: row for row in table(r, "Per model (most repaired)").rows}
    washers = {s["id"] for s in net.specs if s["model"] == net.washer.id and in_march(s["received"])}
    units = len({s["unit"] for s in net.specs if s["model"] == net.washer.id})
    assert rows["W1"][3].value == units and rows["W1"][4].value == len(washers)
    assert rows["W1"][5].value == pytest.approx(len(washers) / units)
    assert rows["W1"][6].value == 1 and len(behind(session, rows["W1"][6])) == 1
    assert behind(session, rows["W1"][4]) == washers


def test_load_hours_and_throughput(net, session) -> None:  # noqa: ANN001
    eng = net.eng["MSK"][0]
    order = session.get(RepairOrder, net.specs[0]["id"])
    session.add_all([WorkLog(order_id=order.id, user_id=eng.id, performed_on=date(2026, 3, 2), minutes=90),
                     WorkLog(order_id=order.id, user_id=eng.id, performed_on=date(2026, 4, 2), minutes=60)])
    session.flush()
    r = run(session, "load")
    rows = {row[1].value: row for row in table(r, "Per engineer").rows}
    assert rows[eng.name][4].value == 1.5
    mine_open = {s["id"] for s in net.specs if s["engineer"] == eng.id and s["state"] not in (S.ISSUED, S.CANCELLED)}
    assert rows[eng.name][2].value == len(mine_open) and behind(session, rows[eng.name][2]) == mine_open
    weekly = table(r, "Throughput by week").rows
    assert sum(row[1].value for row in weekly) == sum(1 for s in net.specs if in_march(s["ready"]))


def test_money_billed_and_collected(net, session) -> None:  # noqa: ANN001
    order = session.get(RepairOrder, net.specs[0]["id"])
    order.amount_due, order.amount_paid, order.paid_at = Decimal("3500.00"), Decimal("3500.00"), T0 + 30 * H
    session.flush()
    r = run(session, "money")
    rows = {row[0].value: row for row in table(r, "Paid repairs and parts per center").rows}
    assert rows["MSK"][2].value == Decimal("3500.00") and rows["MSK"][4].value == Decimal("3500.00")
    assert behind(session, rows["MSK"][1]) == {order.id}


def test_a_partner_sees_only_its_own_center(net, session) -> None:  # noqa: ANN001
    set_scope(session, Scope(net.kzn.id))
    try:
        for key in REPORTS:
            run(session, key)
        r = run(session, "repairs")
        assert [row[0].value for row in table(r, "Per center").rows] == ["KZN"]
        page = orders_behind(session, {"from": "2026-03-01", "to": "2026-03-31", "basis": "received"}, 1)
        assert {o.center_id for o in page.items} == {net.kzn.id}
    finally:
        set_scope(session, Scope())


@pytest.mark.parametrize("params", [{"nope": "1"}, {"center": "abc"}, {"from": "2026-13-01"}, {"basis": "x"},
                                    {"state": "flying"}, {"overdue": "maybe"}, {"engineer": "-1"},
                                    {"from": "2026-03-31", "to": "2026-03-01"}])
def test_malformed_drill_params_are_refused(session, params) -> None:  # noqa: ANN001
    with pytest.raises(ValidationFailed):
        orders_behind(session, params, 1)


def test_an_unknown_walled_id_drills_to_nothing(net, session) -> None:  # noqa: ANN001
    set_scope(session, Scope(net.kzn.id))
    try:
        assert orders_behind(session, {"center": str(net.msk.id)}, 1).items == []
    finally:
        set_scope(session, Scope())
