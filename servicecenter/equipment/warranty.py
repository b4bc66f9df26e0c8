"""Warranty: the end date of a term, and the explained verdict the counter shows.

Dates are the center's local calendar dates; the last day of a term is still covered.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from servicecenter.errors import N_


def add_months(start: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (29 Feb + 12 → 28 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def warranty_end(purchase_date: date | None, months: int, override: date | None = None) -> date | None:
    """The last day under warranty, or None when there is nothing to count from."""
    if override is not None:
        return override
    if purchase_date is None:
        return None
    return add_months(purchase_date, months)


class Basis(StrEnum):
    MANUFACTURER = "manufacturer"  # purchase date + the model's (or brand's) term
    DOCUMENT = "document"  # an end date fixed by a document on the unit's card
    CONTRACT = "contract"  # an extended-warranty contract
    REPEAT = "repeat"  # our own warranty on an earlier repair
    EXPIRED = "expired"
    UNKNOWN = "unknown"  # no purchase date: the clerk decides


@dataclass(frozen=True)
class Verdict:
    """The warranty decision the system proposes, with its reason in words."""

    covered: bool | None  # None: needs the clerk's decision
    basis: Basis
    until: date | None
    message: str  # an N_ template, translated at the edge
    params: dict[str, Any] = field(default_factory=dict)
    earlier_order: str | None = None  # the order whose repair warranty applies

    def reason(self) -> str:
        """The reason in English (stored with the order; the interface shows it translated)."""
        return self.message % self.params


@dataclass(frozen=True)
class EarlierRepair:
    number: str
    issued_on: date  # local date the unit was handed back
    repaired: bool  # repaired or replaced (not refused/unrepairable)


@dataclass(frozen=True)
class ContractTerm:
    number: str
    valid_from: date
    valid_to: date


def check_warranty(
    *,
    today: date,
    purchase_date: date | None,
    months: int,
    override_until: date | None = None,
    contract: ContractTerm | None = None,
    earlier: list[EarlierRepair] | None = None,
    repair_warranty_days: int = 90,
) -> Verdict:
    """Decide warranty for a unit arriving today, and say why."""
    for repair in sorted(earlier or [], key=lambda r: r.issued_on, reverse=True):
        until = repair.issued_on + timedelta(days=repair_warranty_days)
        if repair.repaired and repair.issued_on <= today <= until:
            return Verdict(True, Basis.REPEAT, until,
                           N_("Repeat repair under our warranty until %(until)s (%(days)s days from the "
                              "issue of order %(number)s on %(issued)s)"),
                           {"until": until.isoformat(), "days": repair_warranty_days, "number": repair.number,
                            "issued": repair.issued_on.isoformat()}, earlier_order=repair.number)
    if contract is not None and contract.valid_from <= today <= contract.valid_to:
        return Verdict(True, Basis.CONTRACT, contract.valid_to,
                       N_("Under extended warranty until %(until)s (contract %(contract)s)"),
                       {"until": contract.valid_to.isoformat(), "contract": contract.number})
    if override_until is not None:
        covered = today <= override_until
        message = (N_("Under warranty until %(until)s (date on the unit's card)") if covered else
                   N_("Warranty ended on %(until)s (date on the unit's card)"))
        return Verdict(covered, Basis.DOCUMENT if covered else Basis.EXPIRED, override_until, message,
                       {"until": override_until.isoformat()})
    if purchase_date is None:
        return Verdict(None, Basis.UNKNOWN, None,
                       N_("No purchase date: check the receipt or warranty card and decide"))
    until = add_months(purchase_date, months)
    params = {"until": until.isoformat(), "months": months, "purchase": purchase_date.isoformat()}
    if today <= until:
        return Verdict(True, Basis.MANUFACTURER, until,
                       N_("Under warranty until %(until)s (%(months)s months from purchase %(purchase)s)"), params)
    return Verdict(False, Basis.EXPIRED, until,
                   N_("Warranty ended on %(until)s (%(months)s months from purchase %(purchase)s)"), params)
