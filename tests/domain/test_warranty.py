"""Warranty verdicts at every boundary: last day inclusive, leap days, contracts, our repair warranty."""

from __future__ import annotations

from datetime import date

import pytest

from servicecenter.equipment.warranty import Basis, ContractTerm, EarlierRepair, add_months, check_warranty


@pytest.mark.parametrize(("start", "months", "end"), [
    (date(2025, 3, 14), 24, date(2027, 3, 14)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),  # leap day → the last day of February
    (date(2024, 2, 29), 48, date(2028, 2, 29)),
    (date(2025, 1, 31), 1, date(2025, 2, 28)),
    (date(2025, 12, 15), 1, date(2026, 1, 15)),
    (date(2025, 6, 30), 0, date(2025, 6, 30)),
])
def test_add_months(start, months, end) -> None:  # noqa: ANN001
    assert add_months(start, months) == end


def test_the_last_day_is_still_under_warranty_and_the_next_is_not() -> None:
    kw = {"purchase_date": date(2025, 3, 14), "months": 24}
    last = check_warranty(today=date(2027, 3, 14), **kw)
    assert last.covered is True and last.basis == Basis.MANUFACTURER and last.until == date(2027, 3, 14)
    assert last.reason() == "Under warranty until 2027-03-14 (24 months from purchase 2025-03-14)"
    after = check_warranty(today=date(2027, 3, 15), **kw)
    assert after.covered is False and after.basis == Basis.EXPIRED
    assert after.reason() == "Warranty ended on 2027-03-14 (24 months from purchase 2025-03-14)"


def test_missing_purchase_date_needs_a_decision() -> None:
    v = check_warranty(today=date(2026, 1, 1), purchase_date=None, months=12)
    assert v.covered is None and v.basis == Basis.UNKNOWN


def test_an_extended_warranty_contract_covers_after_the_manufacturers_term() -> None:
    contract = ContractTerm("ДГ-77", date(2025, 1, 1), date(2027, 12, 31))
    v = check_warranty(today=date(2027, 12, 31), purchase_date=date(2024, 1, 1), months=12, contract=contract)
    assert v.covered is True and v.basis == Basis.CONTRACT and "ДГ-77" in v.reason()
    v = check_warranty(today=date(2028, 1, 1), purchase_date=date(2024, 1, 1), months=12, contract=contract)
    assert v.covered is False


def test_a_date_on_the_units_card_wins_over_the_computed_term() -> None:
    v = check_warranty(today=date(2026, 6, 1), purchase_date=date(2020, 1, 1), months=12,
                       override_until=date(2026, 6, 1))
    assert v.covered is True and v.basis == Basis.DOCUMENT


def test_our_repair_warranty_counts_from_the_issue_day_inclusive() -> None:
    earlier = [EarlierRepair("MSK-2026-000010", date(2026, 3, 1), repaired=True)]
    kw = {"purchase_date": date(2020, 1, 1), "months": 12, "earlier": earlier, "repair_warranty_days": 90}
    v = check_warranty(today=date(2026, 5, 30), **kw)  # 1 March + 90 days
    assert v.covered is True and v.basis == Basis.REPEAT and v.earlier_order == "MSK-2026-000010"
    assert check_warranty(today=date(2026, 5, 31), **kw).covered is False


def test_a_refused_or_unrepairable_earlier_order_gives_no_repair_warranty() -> None:
    earlier = [EarlierRepair("MSK-2026-000011", date(2026, 3, 1), repaired=False)]
    v = check_warranty(today=date(2026, 3, 10), purchase_date=None, months=12, earlier=earlier)
    assert v.basis == Basis.UNKNOWN
