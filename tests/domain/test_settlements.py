"""Settlements: completed warranty repairs become statement and claim lines at the rates valid on
their completion date — categories, hours, parts, VAT and rounding, periods in local time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

import servicecenter.repairs.services as repair_services
from servicecenter.accounts.roles import Role
from servicecenter.centers.models import CenterKind
from servicecenter.errors import PermissionDenied, ValidationFailed
from servicecenter.repairs.models import OrderType, WorkLog
from servicecenter.repairs.services import apply_transition
from servicecenter.repairs.states import RepairState
from servicecenter.settlements.models import (
    ClaimLine,
    ManufacturerClaim,
    PartnerStatement,
    PartsBasis,
    RateCard,
    StatementLine,
)
from servicecenter.settlements.money import kopecks
from servicecenter.settlements.periods import has_ended, period_of
from servicecenter.settlements.rates import create_rate_card, update_rate_card
from servicecenter.settlements.statements import reprice_statement, totals
from servicecenter.stock import journal
from servicecenter.stock.models import MoveReason, Part
from servicecenter.stock.places import main_warehouse

D = Decimal


class World:
    def __init__(self, factory, session, monkeypatch) -> None:  # noqa: ANN001
        self.factory, self.session, self.monkeypatch = factory, session, monkeypatch
        self.hq = factory.center("HQ")
        # Yekaterinburg: UTC+5 all year, so local midnight is 19:00 UTC the day before.
        self.kzn = factory.center("KZN", kind=CenterKind.PARTNER, timezone="Asia/Yekaterinburg")
        self.admin = factory.user(self.hq, Role.ADMIN)
        self.brand = factory.manufacturer("Бренд-А")
        self.washer = factory.model(self.brand, category="Стиральные машины")
        self.fridge = factory.model(self.brand, category="Холодильники")

    def card(self, kind: str = "partner", valid_from: date = date(2026, 1, 1), lines=(("", "1000"),),  # noqa: ANN001
             **kw) -> RateCard:  # noqa: ANN003
        party = {"center_id": self.kzn.id} if kind == "partner" else {"manufacturer_id": self.brand.id}
        return create_rate_card(self.session, self.admin, kind=kind, valid_from=valid_from, lines=list(lines),
                                **{"vat_rate": "20", **party, **kw})

    def repair(self, center=None, at: datetime = datetime(2026, 3, 10, 9, 0, tzinfo=UTC), model=None,  # noqa: ANN001
               warranty: bool = True, outcome: str = "repaired", parts=(), minutes: int = 0, returned=()):  # noqa: ANN001, ANN201
        """A warranty order of `center` (KZN by default) finished at `at` (UTC)."""
        center = center or self.kzn
        unit = self.factory.unit(model=model or self.washer)
        order = self.factory.order(center, state=RepairState.IN_REPAIR, unit=unit,
                                   order_type=OrderType.WARRANTY if warranty else OrderType.PAID,
                                   warranty_covered=warranty)
        warehouse = main_warehouse(self.session, center.id)
        for part, qty in parts:
            journal.move_parts(self.session, None, part, qty, source=None, target=warehouse, reason=MoveReason.RECEIPT)
            journal.move_parts(self.session, None, part, qty, source=warehouse, target=None, reason=MoveReason.ISSUE,
                               order=order)
        for part, qty in returned:
            journal.move_parts(self.session, None, part, qty, source=None, target=warehouse, reason=MoveReason.RETURN,
                               order=order)
        if minutes:
            self.session.add(WorkLog(order_id=order.id, user_id=self.admin.id, performed_on=at.date(),
                                     minutes=minutes))
        self.monkeypatch.setattr(repair_services, "utcnow", lambda: at)
        bench = self.factory.staff(center, Role.PARTNER if center.kind == CenterKind.PARTNER else Role.ENGINEER)
        apply_transition(self.session, order, RepairState.READY_FOR_PICKUP, bench, outcome=outcome,
                         outcome_note="Готово")
        self.monkeypatch.undo()
        return order

    def statement_line(self, order) -> StatementLine | None:  # noqa: ANN001
        return self.session.scalar(select(StatementLine).where(StatementLine.order_id == order.id))

    def claim_line(self, order) -> ClaimLine | None:  # noqa: ANN001
        return self.session.scalar(select(ClaimLine).where(ClaimLine.order_id == order.id))

    def part(self, sku: str, cost: str, price: str) -> Part:
        part = Part(sku=sku, name=f"Деталь {sku}", unit_cost=D(cost), price=D(price))
        self.session.add(part)
        self.session.flush()
        return part


@pytest.fixture
def w(factory, session, monkeypatch) -> World:  # noqa: ANN001
    return World(factory, session, monkeypatch)


# ---------------------------------------------------------------- money and periods
def test_kopecks_round_half_up_never_to_even() -> None:
    assert kopecks("333.335") == D("333.34")
    assert kopecks("333.345") == D("333.35")  # banker's rounding would give 333.34
    assert kopecks("-0.005") == D("-0.01")
    assert kopecks(0.1 + 0.2) == D("0.30")
    with pytest.raises(ValueError):
        kopecks("NaN")


def test_the_period_is_the_month_in_the_centers_time_zone() -> None:
    ekb = "Asia/Yekaterinburg"  # UTC+5
    # 23:59:59 local on 31 March is 18:59:59 UTC — still March; a second later is April there,
    # while in UTC it is still 31 March.
    assert period_of(datetime(2026, 3, 31, 18, 59, 59, tzinfo=UTC), ekb) == "2026-03"
    assert period_of(datetime(2026, 3, 31, 19, 0, 0, tzinfo=UTC), ekb) == "2026-04"
    # West of UTC the other way round: 1 May 02:00 UTC is still 30 April in New York.
    assert period_of(datetime(2026, 5, 1, 2, 0, tzinfo=UTC), "America/New_York") == "2026-04"
    assert not has_ended("2026-03", ekb, datetime(2026, 3, 31, 18, 59, 59, tzinfo=UTC))
    assert has_ended("2026-03", ekb, datetime(2026, 3, 31, 19, 0, 0, tzinfo=UTC))


# ---------------------------------------------------------------- completion → lines
def test_a_partners_warranty_repair_makes_a_statement_line_and_a_claim_line(w) -> None:  # noqa: ANN001
    w.card("partner", lines=[("", "1000"), ("Стиральные машины", "1500")], travel_allowance="300")
    w.card("manufacturer", lines=[("", "800")], vat_rate="20")
    order = w.repair()
    line = w.statement_line(order)
    assert line is not None and line.statement.period == "2026-03" and line.statement.center_id == w.kzn.id
    assert (line.category, line.labour, line.travel, line.net, line.vat, line.total) == (
        "Стиральные машины", D("1500.00"), D("300.00"), D("1800.00"), D("360.00"), D("2160.00"))
    claim_line = w.claim_line(order)
    assert claim_line is not None and claim_line.claim.manufacturer_id == w.brand.id
    assert claim_line.center_id == w.kzn.id and claim_line.claim.period == "2026-03"
    assert (claim_line.labour, claim_line.total) == (D("800.00"), D("960.00"))


def test_an_own_centers_repair_makes_only_a_claim_line(w) -> None:  # noqa: ANN001
    order = w.repair(center=w.hq)
    assert w.statement_line(order) is None
    assert w.claim_line(order) is not None and w.claim_line(order).no_rate


@pytest.mark.parametrize("case", ["paid", "unrepairable"])
def test_a_paid_repair_or_an_unrepairable_unit_makes_no_lines(w, case) -> None:  # noqa: ANN001
    w.card("partner")
    order = w.repair(warranty=case != "paid", outcome="unrepairable" if case == "unrepairable" else "repaired")
    assert w.statement_line(order) is None and w.claim_line(order) is None
    assert w.session.scalar(select(func.count()).select_from(PartnerStatement)) == 0
    assert w.session.scalar(select(func.count()).select_from(ManufacturerClaim)) == 0


def test_the_rate_valid_on_the_completion_date_prices_the_line(w) -> None:  # noqa: ANN001
    w.card("partner", valid_from=date(2026, 3, 1), lines=[("", "1000")])
    w.card("partner", valid_from=date(2026, 3, 16), lines=[("", "1200")])
    before = w.repair(at=datetime(2026, 3, 15, 12, 0, tzinfo=UTC))
    # 15 March 19:30 UTC is already 16 March in Yekaterinburg: the new card applies.
    after = w.repair(at=datetime(2026, 3, 15, 19, 30, tzinfo=UTC))
    assert w.statement_line(before).labour == D("1000.00")
    assert w.statement_line(after).labour == D("1200.00")
    assert w.statement_line(before).statement_id == w.statement_line(after).statement_id


def test_a_specific_category_wins_over_any_category(w) -> None:  # noqa: ANN001
    w.card("partner", lines=[("", "700"), ("Холодильники", "2100")])
    fridge = w.repair(model=w.fridge)
    washer = w.repair(model=w.washer)
    assert (w.statement_line(fridge).category, w.statement_line(fridge).labour) == ("Холодильники", D("2100.00"))
    assert (w.statement_line(washer).category, w.statement_line(washer).labour) == ("Стиральные машины", D("700.00"))


def test_a_category_the_card_does_not_list_and_no_any_line_earns_no_labour(w) -> None:  # noqa: ANN001
    w.card("partner", lines=[("Холодильники", "2100")], travel_allowance="250")
    line = w.statement_line(w.repair(model=w.washer))
    assert (line.no_rate, line.labour, line.travel, line.total) == (False, D("0.00"), D("250.00"), D("300.00"))


def test_an_hourly_card_pays_the_time_logged_with_half_up_rounding(w) -> None:  # noqa: ANN001
    # 666.69 ₽/h × 30 min = 333.345 → 333.35 (half-up); VAT 20 % of 333.35 = 66.67
    w.card("partner", labour_basis="per_hour", hourly_rate="666.69", lines=[])
    line = w.statement_line(w.repair(minutes=30))
    assert (line.labour_minutes, line.labour, line.vat, line.total) == (30, D("333.35"), D("66.67"), D("400.02"))


def test_parts_at_cost_at_list_price_or_not_at_all(w) -> None:  # noqa: ANN001
    pump = w.part("PUMP-1", cost="450.00", price="1200.00")
    belt = w.part("BELT-1", cost="99.99", price="300.00")
    parts = [(pump, 2), (belt, 3)]
    results = {}
    for basis, day in (("none", 1), ("cost", 5), ("list", 10)):
        w.card("partner", valid_from=date(2026, 4, day), lines=[("", "0")], parts_basis=basis)
        line = w.statement_line(w.repair(at=datetime(2026, 4, day, 10, tzinfo=UTC), parts=parts))
        results[basis] = line
    assert results["none"].parts == D("0.00")
    assert results["cost"].parts == D("1199.97")  # 2 × 450.00 + 3 × 99.99
    # List prices include 20 % VAT: 1200.00 → 1000.00 net, 300.00 → 250.00 net.
    assert results["list"].parts == D("2750.00")
    assert [(p["sku"], p["quantity"], p["amount"]) for p in results["cost"].parts_detail] == [
        ("BELT-1", 3, "299.97"), ("PUMP-1", 2, "900.00")]


def test_returned_parts_are_not_charged(w) -> None:  # noqa: ANN001
    pump = w.part("PUMP-2", cost="450.00", price="1200.00")
    w.card("partner", lines=[("", "0")], parts_basis=PartsBasis.COST)
    line = w.statement_line(w.repair(parts=[(pump, 3)], returned=[(pump, 1)]))
    assert line.parts == D("900.00") and line.parts_detail[0]["quantity"] == 2


def test_vat_20_and_0_per_line_and_totals_are_sums_of_lines(w) -> None:  # noqa: ANN001
    # 10 % VAT on 3333.45 = 333.345 → 333.35 per line; three lines: 1000.05 VAT, never 333.345 × 3 rounded.
    w.card("partner", lines=[("", "3333.45")], vat_rate="10")
    orders = [w.repair(at=datetime(2026, 3, d, 10, tzinfo=UTC)) for d in (2, 3, 4)]
    lines = [w.statement_line(o) for o in orders]
    assert {(line.vat, line.total) for line in lines} == {(D("333.35"), D("3666.80"))}
    figures = totals(lines[0].statement)
    assert (figures.net, figures.vat, figures.total) == (D("10000.35"), D("1000.05"), D("11000.40"))
    assert figures.total == sum(line.total for line in lines)
    # A partner on the simplified tax system: no VAT at all.
    w.card("partner", valid_from=date(2026, 5, 1), lines=[("", "3333.45")], vat_rate="0")
    line = w.statement_line(w.repair(at=datetime(2026, 5, 2, 10, tzinfo=UTC)))
    assert (line.vat_rate, line.vat, line.total) == (D("0.00"), D("0.00"), D("3333.45"))


def test_the_last_second_of_the_month_in_local_time(w) -> None:  # noqa: ANN001
    w.card("partner")
    last = w.repair(at=datetime(2026, 3, 31, 18, 59, 59, tzinfo=UTC))  # 31.03 23:59:59 in Yekaterinburg
    first = w.repair(at=datetime(2026, 3, 31, 19, 0, 0, tzinfo=UTC))  # 01.04 00:00:00 there; 31.03 in UTC
    assert w.statement_line(last).statement.period == "2026-03"
    assert w.statement_line(first).statement.period == "2026-04"
    assert w.statement_line(last).completed_on == date(2026, 3, 31)
    assert w.statement_line(first).completed_on == date(2026, 4, 1)
    assert w.claim_line(last).claim.period == "2026-03" and w.claim_line(first).claim.period == "2026-04"
    # Moscow (UTC+3): 1 April 00:30 local is still 31 March in UTC — April for the own center.
    own = w.repair(center=w.hq, at=datetime(2026, 3, 31, 21, 30, tzinfo=UTC))
    assert w.claim_line(own).claim.period == "2026-04"


def test_a_no_rate_line_is_priced_when_the_statement_is_repriced(w) -> None:  # noqa: ANN001
    line = w.statement_line(w.repair())
    assert (line.no_rate, line.rate_card_id, line.total) == (True, None, D("0.00"))
    card = w.card("partner", valid_from=date(2026, 3, 1), lines=[("", "1000")])
    assert reprice_statement(w.session, w.admin, line.statement) == 1
    assert (line.no_rate, line.rate_card_id, line.total) == (False, card.id, D("1200.00"))


def test_editing_a_card_changes_priced_lines_only_when_repriced(w) -> None:  # noqa: ANN001
    card = w.card("partner", lines=[("", "1000")])
    line = w.statement_line(w.repair())
    update_rate_card(w.session, w.admin, card, lines=[("", "1100")])
    assert line.labour == D("1000.00")
    reprice_statement(w.session, w.admin, line.statement)
    assert line.labour == D("1100.00")


# ---------------------------------------------------------------- rate cards
def test_a_bad_rate_card_is_refused_with_field_errors_and_nothing_saved(w) -> None:  # noqa: ANN001
    before = w.session.scalar(select(func.count()).select_from(RateCard))
    with pytest.raises(ValidationFailed) as refused:
        create_rate_card(w.session, w.admin, kind="partner", center_id=w.hq.id, valid_from="31.02.2026",
                         lines=[("", "-5"), ("", "10")], vat_rate="120", parts_basis="gold")
    assert set(refused.value.errors) >= {"center_id", "valid_from", "lines", "vat_rate", "parts_basis"}
    with pytest.raises(ValidationFailed) as hourly:
        create_rate_card(w.session, w.admin, kind="manufacturer", manufacturer_id=w.brand.id,
                         valid_from="2026-01-01", labour_basis="per_hour", hourly_rate="0")
    assert "hourly_rate" in hourly.value.errors
    w.card("partner", valid_from=date(2026, 1, 1))
    with pytest.raises(ValidationFailed) as twice:
        w.card("partner", valid_from=date(2026, 1, 1))
    assert "valid_from" in twice.value.errors
    assert w.session.scalar(select(func.count()).select_from(RateCard)) == before + 1


def test_only_an_administrator_manages_rate_cards(w) -> None:  # noqa: ANN001
    partner = w.factory.staff(w.kzn, Role.PARTNER)
    with pytest.raises(PermissionDenied):
        create_rate_card(w.session, partner, kind="partner", center_id=w.kzn.id, valid_from="2026-01-01",
                         lines=[("", "100")])
