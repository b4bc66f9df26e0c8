"""The money report and the failures report's top tables against a small network built through the real
operations (hand-back with payment, stock journal, completion into statements and claims, disputes,
verdicts, payments) at controlled times; every expected figure is computed here from what was built."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

import servicecenter.repairs.handover as handover
import servicecenter.repairs.services as repair_services
import servicecenter.reports  # noqa: F401  (registers the reports)
import servicecenter.settlements.claims as claims
import servicecenter.settlements.statements as statements
from servicecenter.accounts.roles import Role
from servicecenter.centers.models import CenterKind
from servicecenter.diagnostics.models import CodeKind, DiagnosisCode, OrderDiagnosis
from servicecenter.repairs.handover import issue_to_customer
from servicecenter.repairs.models import OrderType
from servicecenter.repairs.services import apply_transition
from servicecenter.repairs.states import RepairState
from servicecenter.reports.base import REPORTS, Report, ReportFilter
from servicecenter.settlements.claims import record_claim_payment, record_verdict, submit_claim
from servicecenter.settlements.models import ClaimLine, StatementLine
from servicecenter.settlements.rates import create_rate_card
from servicecenter.settlements.statements import (
    approve_statement,
    dispute_line,
    record_statement_payment,
    settle_dispute,
)
from servicecenter.stock import journal
from servicecenter.stock.models import MoveReason, Part
from servicecenter.stock.places import main_warehouse

S = RepairState
D = Decimal
CENT = D("0.01")
MARCH = ReportFilter(date(2026, 3, 1), date(2026, 3, 31))
START = datetime(2026, 2, 28, 21, 0, tzinfo=UTC)  # 1 March 00:00 in Moscow
END = datetime(2026, 3, 31, 21, 0, tzinfo=UTC)  # 1 April 00:00 in Moscow
LATER = datetime(2026, 4, 15, 9, 0, tzinfo=UTC)


def in_march(moment: datetime | None) -> bool:
    return moment is not None and START <= moment < END


def mar(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=UTC)


class Net:
    def __init__(self, factory, session, monkeypatch) -> None:  # noqa: ANN001
        self.f, self.s = factory, session
        self.now = mar(1)
        for module in (repair_services, handover):
            monkeypatch.setattr(module, "utcnow", lambda: self.now)
        for module in (claims, statements):  # approvals and submissions happen after March is over
            monkeypatch.setattr(module, "utcnow", lambda: LATER)
        self.msk = factory.center("MSK")
        self.kzn = factory.center("KZN", kind=CenterKind.PARTNER)
        self.nsk = factory.center("NSK", kind=CenterKind.PARTNER)
        self.admin = factory.user(self.msk, Role.ADMIN)
        self.acme, self.bork, self.cando = (factory.manufacturer(n) for n in ("Acme", "Bork", "Cando"))
        self.washer = factory.model(self.acme, category="Стиральные машины", name="W1")
        self.fridge = factory.model(self.bork, category="Холодильники", name="F1")
        self.kettle = factory.model(self.cando, category="Чайники", name="K1")
        self.orders: dict[int, dict] = {}  # id -> center, model, received
        self.moves: list[dict] = []  # every part move to or from an order: center, order, part, cost, signed qty, at
        self.parts = {sku: self.part(sku, cost) for sku, cost in (("P1", "1200.50"), ("P2", "300.00"),
                                                                    ("P3", "45.25"))}

    def part(self, sku: str, cost: str) -> Part:
        part = Part(sku=sku, name=f"Деталь {sku}", unit_cost=D(cost), price=D(cost) * 2)
        self.s.add(part)
        self.s.flush()
        return part

    def staff(self, center, role: Role):  # noqa: ANN001, ANN201
        return self.f.staff(center, Role.PARTNER if center.kind == CenterKind.PARTNER else role)

    def order(self, center, model, received: datetime, state: S = S.RECEIVED, warranty: bool = False):  # noqa: ANN001, ANN201
        self.now = received
        kw = {"order_type": OrderType.WARRANTY, "warranty_covered": True} if warranty else {}
        order = self.f.order(center, state, unit=self.f.unit(model=model), **kw)
        self.orders[order.id] = dict(center=center.id, model=model.id, received=received)
        return order

    def paid(self, center, model, received: datetime, ready: datetime, issued: datetime):  # noqa: ANN001, ANN201
        """A paid repair (the factory's estimate: 3500.00) handed back at `issued` against its payment."""
        order = self.order(center, model, received, S.AWAITING_APPROVAL)
        self.now = ready
        apply_transition(self.s, order, S.IN_REPAIR, self.staff(center, Role.CALL_CENTER))
        apply_transition(self.s, order, S.READY_FOR_PICKUP, self.staff(center, Role.ENGINEER), outcome="repaired",
                         outcome_note="Готово")
        self.now = issued
        issue_to_customer(self.s, self.staff(center, Role.INTAKE), order, amount_paid=order.estimate_total,
                          payment_method="card")
        return order

    def warranty(self, center, model, ready: datetime):  # noqa: ANN001, ANN201
        """A warranty repair finished at `ready`: its statement line (partners) and claim line."""
        order = self.order(center, model, ready - timedelta(days=1), S.IN_REPAIR, warranty=True)
        self.now = ready
        apply_transition(self.s, order, S.READY_FOR_PICKUP, self.staff(center, Role.ENGINEER), outcome="repaired",
                         outcome_note="Готово")
        return order

    def move(self, order, sku: str, qty: int, at: datetime, reason: MoveReason = MoveReason.ISSUE) -> None:  # noqa: ANN001
        part = self.parts[sku]
        warehouse = main_warehouse(self.s, order.center_id)
        if reason == MoveReason.ISSUE:
            journal.move_parts(self.s, None, part, qty, source=None, target=warehouse, reason=MoveReason.RECEIPT)
            move = journal.move_parts(self.s, None, part, qty, source=warehouse, target=None, reason=reason,
                                      order=order)
        else:
            move = journal.move_parts(self.s, None, part, qty, source=None, target=warehouse, reason=reason,
                                      order=order)
        move.at = at
        self.s.flush()
        self.moves.append(dict(center=order.center_id, order=order.id, part=part.id, sku=sku, cost=part.unit_cost,
                               qty=qty if reason == MoveReason.ISSUE else -qty, at=at))


def run(session, key: str, flt: ReportFilter = MARCH) -> Report:  # noqa: ANN001
    return REPORTS[key][1](session, flt)


def table(r: Report, title: str):  # noqa: ANN201
    return next(t for t in r.tables if t.title == title)


# ---------------------------------------------------------------- money
@pytest.fixture
def money(factory, session, monkeypatch) -> Net:  # noqa: ANN001
    n = Net(factory, session, monkeypatch)
    for kind, party, labour in (("partner", {"center_id": n.kzn.id}, "1000"), ("partner", {"center_id": n.nsk.id}, "1000"),
                                ("manufacturer", {"manufacturer_id": n.acme.id}, "800"),
                                ("manufacturer", {"manufacturer_id": n.bork.id}, "1500"),
                                ("manufacturer", {"manufacturer_id": n.cando.id}, "500")):
        create_rate_card(session, n.admin, kind=kind, valid_from=date(2026, 1, 1), lines=[("", labour)],
                         vat_rate="20", **party)
    # Paid repairs: two handed back in March (one 20 minutes before April begins in Moscow), one on the
    # last day of February, one 30 minutes into April (Moscow), one at the partner.
    p1 = n.paid(n.msk, n.washer, mar(2), mar(3), mar(5))
    n.paid(n.msk, n.fridge, mar(20), mar(25), datetime(2026, 3, 31, 20, 40, tzinfo=UTC))
    n.paid(n.msk, n.washer, datetime(2026, 2, 20, 9, tzinfo=UTC), datetime(2026, 2, 25, 9, tzinfo=UTC),
           datetime(2026, 2, 28, 20, 30, tzinfo=UTC))
    n.paid(n.msk, n.fridge, mar(25), mar(28), datetime(2026, 3, 31, 21, 30, tzinfo=UTC))
    p5 = n.paid(n.kzn, n.washer, mar(6), mar(7), mar(9))
    # Parts: issued and returned in March, before and after it.
    n.move(p1, "P1", 2, mar(3, 8))
    n.move(p1, "P1", 1, mar(3, 10), MoveReason.RETURN)
    n.move(p1, "P2", 3, mar(4))
    n.move(p1, "P3", 4, datetime(2026, 2, 28, 20, 59, tzinfo=UTC))  # 23:59 on 28 February in Moscow
    n.move(p1, "P3", 7, datetime(2026, 3, 31, 21, 0, tzinfo=UTC))  # 00:00 on 1 April in Moscow
    n.move(p5, "P2", 1, mar(8))
    n.move(p5, "P3", 3, mar(8))
    # Warranty repairs -> statement lines (partners) and claim lines.
    w = {
        "kzn1": n.warranty(n.kzn, n.washer, mar(10)), "kzn2": n.warranty(n.kzn, n.washer, mar(11)),
        "kzn3": n.warranty(n.kzn, n.fridge, mar(12)), "nsk1": n.warranty(n.nsk, n.washer, mar(13)),
        "msk1": n.warranty(n.msk, n.fridge, mar(14)), "msk2": n.warranty(n.msk, n.fridge, mar(15)),
        "msk3": n.warranty(n.msk, n.kettle, mar(16)),
        "feb": n.warranty(n.kzn, n.washer, datetime(2026, 2, 20, 9, tzinfo=UTC)),
    }
    n.w = w
    sline = {k: session.query(StatementLine).filter_by(order_id=o.id).one_or_none() for k, o in w.items()}
    cline = {k: session.query(ClaimLine).filter_by(order_id=o.id).one() for k, o in w.items()}
    n.sline, n.cline = sline, cline
    # KZN March: one line disputed and rejected, approved and paid. NSK March stays open.
    dispute_line(session, n.admin, sline["kzn3"], "Не гарантийный случай")
    settle_dispute(session, n.admin, sline["kzn3"], accept=False, note="Согласны")
    approve_statement(session, n.admin, sline["kzn1"].statement)
    record_statement_payment(session, n.admin, sline["kzn1"].statement, payment_date="2026-04-10", reference="ПП 1")
    # Acme March: submitted, two accepted and one rejected, paid. Bork: submitted, one verdict pending.
    # Cando: open.
    acme = cline["kzn1"].claim
    submit_claim(session, n.admin, acme)
    record_verdict(session, n.admin, cline["kzn1"], accepted=True)
    record_verdict(session, n.admin, cline["kzn2"], accepted=True)
    record_verdict(session, n.admin, cline["nsk1"], accepted=False, reason="Нет серийного номера")
    record_claim_payment(session, n.admin, acme, payment_date="2026-04-12", reference="ПП 2")
    submit_claim(session, n.admin, cline["kzn3"].claim)
    record_verdict(session, n.admin, cline["msk1"], accepted=True)
    session.flush()
    return n


def test_billed_collected_and_parts_at_cost_per_center(money, session) -> None:  # noqa: ANN001
    n = money
    r = run(session, "money")
    rows = {row[0].value: row for row in table(r, "Paid repairs and parts per center").rows}
    # Every paid repair was 3500.00; which of them were handed back (and paid) in the period, by their times:
    issued = {n.msk.id: [mar(5), datetime(2026, 3, 31, 20, 40, tzinfo=UTC)], n.kzn.id: [mar(9)]}
    for center in (n.msk, n.kzn):
        billed = [t for t in issued[center.id] if in_march(t)]
        parts = sum((m["cost"] * m["qty"] for m in n.moves if m["center"] == center.id and in_march(m["at"])), D(0))
        row = rows[center.code]
        assert row[1].value == len(billed) and row[2].value == D("3500.00") * len(billed)
        assert row[3].value == len(billed) and row[4].value == D("3500.00") * len(billed)
        assert row[5].value == parts.quantize(CENT)
    # By hand: MSK (2 - 1) x 1200.50 + 3 x 300.00 = 2100.50; KZN 300.00 + 3 x 45.25 = 435.75.
    assert rows["MSK"][5].value == D("2100.50") and rows["KZN"][5].value == D("435.75")
    assert rows["MSK"][2].value == D("7000.00") and rows["KZN"][2].value == D("3500.00")
    total = rows["Total"]
    assert [c.value for c in total[1:]] == [3, D("10500.00"), 3, D("10500.00"), D("2536.25")]


def test_partner_statements_owed_and_paid(money, session) -> None:  # noqa: ANN001
    n = money
    r = run(session, "money")
    rows = {row[0].value: [c.value for c in row[1:]] for row in table(r, "Partner statements").rows}
    # Each line: labour 1000.00 + 20 % VAT = 1200.00; a rejected dispute takes a line out of the total.
    expected = {}
    for center, paid in ((n.kzn, True), (n.nsk, False)):
        lines = [line for k, line in n.sline.items() if line is not None and line.center_id == center.id
                 and k != "feb"]  # "feb" was completed in February
        kept = [line for line in lines if line.order_id != n.w["kzn3"].id]
        counted = sum((D("1200.00") for _ in kept), D(0))
        expected[center.code] = [len(kept), D(0) if paid else counted, counted if paid else D(0),
                                 len(lines) - len(kept)]
    assert rows == expected == {"KZN": [2, D(0), D("2400.00"), 1], "NSK": [1, D("1200.00"), D(0), 0]}


def test_manufacturer_claims_figures(money, session) -> None:  # noqa: ANN001
    n = money
    r = run(session, "money")
    rows = {row[0].value: [c.value for c in row[1:]] for row in table(r, "Manufacturer claims").rows}
    per_line = {n.acme.id: D("960.00"), n.bork.id: D("1800.00"), n.cando.id: D("600.00")}  # labour x 1.2
    brand_of = {"kzn1": n.acme, "kzn2": n.acme, "nsk1": n.acme, "kzn3": n.bork, "msk1": n.bork, "msk2": n.bork,
                "msk3": n.cando}
    state = {n.acme.id: "paid", n.bork.id: "submitted", n.cando.id: "open"}
    verdict = {"kzn1": "accepted", "kzn2": "accepted", "nsk1": "rejected", "msk1": "accepted"}
    expected = {}
    for brand in (n.acme, n.bork, n.cando):
        mine = [k for k, b in brand_of.items() if b.id == brand.id]
        each = per_line[brand.id]
        claimed = each * len(mine)
        accepted = each * sum(1 for k in mine if verdict.get(k) == "accepted")
        rejected = each * sum(1 for k in mine if verdict.get(k) == "rejected")
        expected[brand.name] = [len(mine), claimed, claimed if state[brand.id] == "open" else D(0),
                                claimed if state[brand.id] == "submitted" else D(0), accepted, rejected,
                                accepted if state[brand.id] == "paid" else D(0)]
    assert rows == expected
    assert rows["Acme"] == [3, D("2880.00"), 0, 0, D("1920.00"), D("960.00"), D("1920.00")]
    assert rows["Bork"] == [3, D("5400.00"), 0, D("5400.00"), D("1800.00"), 0, 0]
    assert rows["Cando"] == [1, D("600.00"), D("600.00"), 0, 0, 0, 0]


def test_february_statements_and_claims_are_out_of_march(money, session) -> None:  # noqa: ANN001
    n = money
    r = run(session, "money", ReportFilter(date(2026, 2, 1), date(2026, 2, 28)))
    assert {row[0].value: [c.value for c in row[1:]] for row in table(r, "Partner statements").rows} == {
        "KZN": [1, D("1200.00"), D(0), 0]}
    assert {row[0].value: row[1].value for row in table(r, "Manufacturer claims").rows} == {"Acme": 1}
    rows = {row[0].value: row for row in table(r, "Paid repairs and parts per center").rows}
    feb = [m for m in n.moves if m["center"] == n.msk.id and datetime(2026, 1, 31, 21, tzinfo=UTC) <= m["at"] < START]
    assert rows["MSK"][2].value == D("3500.00")
    assert rows["MSK"][5].value == sum((m["cost"] * m["qty"] for m in feb), D(0)).quantize(CENT) == D("181.00")


def test_one_center_filter_keeps_only_its_money(money, session) -> None:  # noqa: ANN001
    n = money
    r = run(session, "money", ReportFilter(MARCH.date_from, MARCH.date_to, center_id=n.kzn.id))
    rows = {row[0].value: row for row in table(r, "Paid repairs and parts per center").rows}
    assert set(rows) == {"KZN", "Total"} and rows["Total"][2].value == D("3500.00")
    assert [row[0].value for row in table(r, "Partner statements").rows] == ["KZN"]
    claimed = {row[0].value: row[2].value for row in table(r, "Manufacturer claims").rows}
    assert claimed == {"Acme": D("1920.00"), "Bork": D("1800.00")}  # KZN's own claim lines only


# ---------------------------------------------------------------- failures: top codes and parts
@pytest.fixture
def failing(factory, session, monkeypatch) -> Net:  # noqa: ANN001
    n = Net(factory, session, monkeypatch)
    n.codes = {}
    for category, kind, codes in (("Стиральные машины", CodeKind.SYMPTOM, "ABCD"),
                                  ("Стиральные машины", CodeKind.CAUSE, "XYZ"),
                                  ("Холодильники", CodeKind.SYMPTOM, "F"), ("Холодильники", CodeKind.CAUSE, "G")):
        for code in codes:
            n.codes[code] = DiagnosisCode(category=category, kind=kind, code=f"{kind.value[0].upper()}-{code}",
                                          name=f"Код {code}")
            session.add(n.codes[code])
    session.flush()
    n.diag: list[dict] = []

    def diagnosed(model, received: datetime, symptom: str, cause: str):  # noqa: ANN001, ANN202
        order = n.order(n.msk, model, received)
        session.add(OrderDiagnosis(order_id=order.id, symptom_id=n.codes[symptom].id, cause_id=n.codes[cause].id))
        n.diag.append(dict(order=order.id, model=model.id, received=received, symptom=symptom, cause=cause))
        return order

    # Washer in March: symptoms A x4, B x3, C x2, D x1 (only the first three shown); causes X x5, Y x3, Z x2.
    plan = ["AX", "AX", "AX", "AY", "BX", "BX", "BY", "CY", "CZ", "DZ"]
    washers = [diagnosed(n.washer, mar(2 + i), s, c) for i, (s, c) in enumerate(plan)]
    diagnosed(n.washer, datetime(2026, 2, 27, 9, tzinfo=UTC), "D", "Z")  # February: D and Z not lifted
    diagnosed(n.washer, datetime(2026, 2, 27, 9, tzinfo=UTC), "D", "Z")
    fridges = [diagnosed(n.fridge, mar(20 + i), "F", "G") for i in range(2)]
    # Parts on washers: P1 on three orders (1 + 2 + 1), and issued-then-returned on a fourth (net 0);
    # P2 on two orders (3 - 1, and 1); P3 on one order (5, moved in April: still a March repair).
    n.move(washers[0], "P1", 1, mar(12))
    n.move(washers[1], "P1", 2, mar(12))
    n.move(washers[2], "P1", 1, mar(12))
    n.move(washers[3], "P1", 2, mar(12))
    n.move(washers[3], "P1", 2, mar(13), MoveReason.RETURN)
    n.move(washers[4], "P2", 3, mar(12))
    n.move(washers[4], "P2", 1, mar(13), MoveReason.RETURN)
    n.move(washers[5], "P2", 1, mar(12))
    n.move(washers[6], "P3", 5, datetime(2026, 4, 2, 9, tzinfo=UTC))
    n.move(fridges[0], "P2", 1, mar(22))
    session.flush()
    return n


def top(counter: dict, limit: int = 3) -> list:
    return sorted(counter.items(), key=lambda kv: -kv[1])[:limit]


def test_top_symptoms_and_causes_per_model(failing, session) -> None:  # noqa: ANN001
    n = failing
    r = run(session, "failures")
    names = {n.washer.id: "W1", n.fridge.id: "F1"}
    for kind, title in (("symptom", "Top symptoms per model"), ("cause", "Top causes per model")):
        got = defaultdict(list)
        for row in table(r, title).rows:
            got[row[0].value].append((row[1].value, row[2].value, row[3].value))
        expected = {}
        for model, name in names.items():
            counts: dict[str, int] = defaultdict(int)
            for d in n.diag:
                if d["model"] == model and in_march(d["received"]):
                    counts[d[kind]] += 1
            expected[name] = [(n.codes[c].code, n.codes[c].name, k) for c, k in top(counts)]
        assert dict(got) == expected
    symptoms = [(row[0].value, row[1].value, row[3].value) for row in table(r, "Top symptoms per model").rows]
    assert symptoms == [("W1", "S-A", 4), ("W1", "S-B", 3), ("W1", "S-C", 2), ("F1", "S-F", 2)]


def test_top_replaced_parts_per_model(failing, session) -> None:  # noqa: ANN001
    n = failing
    r = run(session, "failures")
    got = [(row[0].value, row[1].value, row[2].value, row[3].value, row[4].value)
           for row in table(r, "Top replaced parts per model").rows]
    net: dict[tuple[int, str], int] = defaultdict(int)  # (order, sku) -> net quantity
    for m in n.moves:
        net[(m["order"], m["sku"])] += m["qty"]
    expected = []
    for model, name in ((n.washer.id, "W1"), (n.fridge.id, "F1")):
        orders: dict[str, int] = defaultdict(int)
        qty: dict[str, int] = defaultdict(int)
        for (order, sku), q in net.items():
            spec = n.orders[order]
            if spec["model"] == model and in_march(spec["received"]) and q > 0:
                orders[sku] += 1
                qty[sku] += q
        expected += [(name, sku, f"Деталь {sku}", k, qty[sku]) for sku, k in top(orders)]
    assert got == expected
    assert got == [("W1", "P1", "Деталь P1", 3, 4), ("W1", "P2", "Деталь P2", 2, 3), ("W1", "P3", "Деталь P3", 1, 5),
                   ("F1", "P2", "Деталь P2", 1, 1)]


def test_a_tie_among_top_codes_goes_to_the_code_that_sorts_first(factory, session, monkeypatch) -> None:  # noqa: ANN001
    """Four symptoms with one order each: the three shown are the first by code, not by when the codes
    were entered (created here in reverse)."""
    n = Net(factory, session, monkeypatch)
    vacuum = factory.model(n.acme, category="Пылесосы", name="V1")
    codes = [DiagnosisCode(category="Пылесосы", kind=CodeKind.SYMPTOM, code=f"S-{c}", name=f"Код {c}") for c in "QPNM"]
    cause = DiagnosisCode(category="Пылесосы", kind=CodeKind.CAUSE, code="C-1", name="Причина")
    session.add_all([*codes, cause])
    session.flush()
    for i, code in enumerate(codes):
        order = n.order(n.msk, vacuum, mar(3 + i))
        session.add(OrderDiagnosis(order_id=order.id, symptom_id=code.id, cause_id=cause.id))
    session.flush()
    rows = table(run(session, "failures"), "Top symptoms per model").rows
    assert [(row[0].value, row[1].value, row[3].value) for row in rows] == [
        ("V1", "S-M", 1), ("V1", "S-N", 1), ("V1", "S-P", 1)]
