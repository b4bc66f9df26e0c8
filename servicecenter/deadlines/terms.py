"""Which terms bind an order: the rule that fits it best, or the network's defaults.

Pure selection over already loaded rules (no queries), so a batch recomputation and a single
order pick exactly the same rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from servicecenter.deadlines.calendar import DayUnit, Terms, earliest
from servicecenter.deadlines.models import AppliesTo, DeadlineRule
from servicecenter.repairs.models import OrderType
from servicecenter.repairs.states import RepairState

# When a center has no rule: diagnosis within 3 calendar days; repair within the 45-day legal
# limit for warranty orders and 20 calendar days for paid ones; at risk one day before; the
# internal clock stops while the customer decides on an estimate (their delay, not ours).
DEFAULT_DIAGNOSIS_DAYS = 3
DEFAULT_REPAIR_DAYS_WARRANTY = 45
DEFAULT_REPAIR_DAYS_PAID = 20
DEFAULT_MARGIN = timedelta(days=1)

PAUSE_APPROVAL = "approval"
PAUSE_TRANSIT = "transit"
PAUSE_REASONS = (PAUSE_APPROVAL, PAUSE_TRANSIT)  # what a center's rules may pause for
# Routed to another center: its internal clock waits for the unit and then starts afresh (always).
PAUSE_ROUTED = "routed"

DIAGNOSIS_STAGE = frozenset({RepairState.RECEIVED, RepairState.DIAGNOSIS})
REPAIR_STAGE = frozenset({RepairState.AWAITING_APPROVAL, RepairState.AWAITING_PARTS, RepairState.IN_REPAIR})
TIMED_STATES = DIAGNOSIS_STAGE | REPAIR_STAGE


def default_terms(warranty: bool) -> Terms:
    repair = DEFAULT_REPAIR_DAYS_WARRANTY if warranty else DEFAULT_REPAIR_DAYS_PAID
    return Terms(DEFAULT_DIAGNOSIS_DAYS, DayUnit.CALENDAR, repair, DayUnit.CALENDAR, DEFAULT_MARGIN,
                 pause_on_approval=True, pause_in_transit=False)


def is_warranty(order_type: OrderType | str, warranty_covered: bool | None) -> bool:
    """A warranty repair (the 45-day limit applies): as decided, or as the order was taken in."""
    if warranty_covered is not None:
        return bool(warranty_covered)
    return OrderType(order_type) in (OrderType.WARRANTY, OrderType.REPEAT)


def rule_terms(rule: DeadlineRule) -> Terms:
    return Terms(rule.diagnosis_days, DayUnit(rule.diagnosis_unit), rule.repair_days, DayUnit(rule.repair_unit),
                 timedelta(hours=rule.margin_hours), pause_on_approval=rule.pause_on_approval,
                 pause_in_transit=rule.pause_in_transit, rule_id=rule.id)


@dataclass(frozen=True)
class ContractTerms:
    """The service contract on the unit, if it covers the day of intake."""

    id: int
    valid_from: date
    valid_to: date
    diagnosis_days: int | None = None
    repair_days: int | None = None

    def covers(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to


def _rank(rule: DeadlineRule, manufacturer_id: int | None, contract_id: int | None, warranty: bool) -> int | None:
    """How specific a fitting rule is (higher wins); None when it does not fit the order."""
    if rule.applies_to == AppliesTo.WARRANTY and not warranty or rule.applies_to == AppliesTo.PAID and warranty:
        return None
    if rule.contract_id is not None:
        level = 3 if rule.contract_id == contract_id else None
    elif rule.manufacturer_id is not None:
        level = 2 if rule.manufacturer_id == manufacturer_id else None
    else:
        level = 1
    if level is None:
        return None
    return level * 2 + (rule.applies_to != AppliesTo.ANY)


def choose_terms(rules: Iterable[DeadlineRule], *, manufacturer_id: int | None, contract: ContractTerms | None,
                 warranty: bool) -> Terms:
    """The most specific active rule (contract > manufacturer > center; a rule for this order type
    before one for any), else the defaults. A contract with its own days and no rule of its own
    keeps the chosen rule's margin and pauses but takes the contract's days (calendar)."""
    contract_id = contract.id if contract else None
    best, best_rank = None, 0
    for rule in rules:
        if not rule.active:
            continue
        rank = _rank(rule, manufacturer_id, contract_id, warranty)
        if rank is not None and (rank > best_rank or rank == best_rank and best is not None and rule.id < best.id):
            best, best_rank = rule, rank
    terms = rule_terms(best) if best is not None else default_terms(warranty)
    if contract is not None and (best is None or best.contract_id is None):
        if contract.diagnosis_days:
            terms = replace(terms, diagnosis_days=contract.diagnosis_days, diagnosis_unit=DayUnit.CALENDAR)
        if contract.repair_days:
            terms = replace(terms, repair_days=contract.repair_days, repair_unit=DayUnit.CALENDAR)
    return terms


def binding_due(state: RepairState, diagnosis_due: datetime | None, repair_due: datetime | None,
                legal_due: datetime | None, paused: bool) -> datetime | None:
    """The due date that binds the order in its stage; only the legal limit while paused."""
    if state in DIAGNOSIS_STAGE:
        internal = (diagnosis_due, repair_due)
    elif state in REPAIR_STAGE:
        internal = (repair_due,)
    else:
        return None
    return earliest(*(() if paused else internal), legal_due)


def risk_moment(due_at: datetime | None, margin: timedelta) -> datetime | None:
    return None if due_at is None else due_at - margin
