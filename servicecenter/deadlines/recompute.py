"""Recomputing the due dates of a center's open orders after its rules or calendar changed.

Set-based: one SELECT of the orders' few columns, the dates computed in Python (memoised per
intake day, so 50,000 orders cost a few hundred calendar walks), one executemany UPDATE of the
orders whose dates moved, one bulk INSERT of their history events. The order's version is not
bumped: a due-date change by the administrator must not make an engineer's open form stale.
The legal limit never changes here (it depends only on the day of intake).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.centers.models import ServiceCenter
from servicecenter.clock import utcnow
from servicecenter.customers.models import ServiceContract
from servicecenter.deadlines.calendar import Calculator, Terms, legal_due
from servicecenter.deadlines.services import load_calendar, load_rules
from servicecenter.deadlines.terms import (
    TIMED_STATES,
    ContractTerms,
    binding_due,
    choose_terms,
    is_warranty,
    risk_moment,
)
from servicecenter.equipment.models import Unit
from servicecenter.errors import N_
from servicecenter.repairs.models import EventKind, RepairEvent, RepairOrder
from servicecenter.repairs.states import RepairState

RECOMPUTED = N_("Due dates recomputed: the deadline rules or the calendar changed")
BATCH = 1000
_DATE_COLUMNS = ("diagnosis_due", "repair_due", "legal_due", "due_at", "risk_at")


class _Days:
    """Local dates as the history shows them ("05.12.2026"), remembered: most orders share a few."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone, self.seen = zone, {}

    def __call__(self, moment: datetime | None) -> str:
        if moment is None:
            return "—"
        if moment not in self.seen:
            self.seen[moment] = moment.astimezone(self.zone).strftime("%d.%m.%Y")
        return self.seen[moment]

    def pair(self, diagnosis: datetime | None, repair: datetime | None) -> str:
        return f"{self(diagnosis)} / {self(repair)}"


def _open_orders(session: Session, center_id: int) -> list[Any]:
    o, u, c = RepairOrder, Unit, ServiceContract
    stmt = (select(o.id, o.unit_id, o.state, o.order_type, o.warranty_covered, o.received_at, o.clock_restarted_at,
                   o.deadline_paused_at, o.deadline_paused_seconds, o.legal_due,
                   o.diagnosis_due, o.repair_due, o.due_at, o.risk_at,
                   u.manufacturer_id, c.id.label("contract_id"), c.valid_from, c.valid_to,
                   c.diagnosis_days.label("contract_diagnosis_days"), c.repair_days.label("contract_repair_days"))
            .outerjoin(u, u.id == o.unit_id).outerjoin(c, c.id == u.contract_id)
            .where(o.center_id == center_id, o.state.in_(list(TIMED_STATES)), o.received_at.is_not(None)))
    return list(session.execute(stmt))


def recompute_center(session: Session, center_id: int, *, actor: User | None,
                     now: datetime | None = None, log: bool = True) -> int:
    """Recompute the open orders of one center; returns how many orders' dates changed (each got
    one history event with the old and the new diagnosis / repair due dates, unless `log` is off:
    the one-time backfill of orders that never had dates)."""
    session.flush()
    center = session.get(ServiceCenter, center_id)
    if center is None:
        return 0
    now = now or utcnow()
    zone = ZoneInfo(center.timezone)
    days = _Days(zone)
    rules = load_rules(session, center_id)
    chosen: dict[tuple[Any, ...], Terms] = {}
    calc = Calculator(center.timezone, load_calendar(session, center_id))
    changes: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for row in _open_orders(session, center_id):
        warranty = is_warranty(row.order_type, row.warranty_covered)
        contract = None
        if row.contract_id is not None:
            contract = ContractTerms(row.contract_id, row.valid_from, row.valid_to, row.contract_diagnosis_days,
                                     row.contract_repair_days)
            if not contract.covers(row.received_at.astimezone(zone).date()):
                contract = None
        key = (row.manufacturer_id, contract, warranty)
        if key not in chosen:
            chosen[key] = choose_terms(rules, manufacturer_id=row.manufacturer_id, contract=contract,
                                       warranty=warranty)
        terms = chosen[key]
        paused = timedelta(seconds=row.deadline_paused_seconds or 0)
        start = row.clock_restarted_at or row.received_at  # a routed order's clock restarted on receipt
        diagnosis = calc.due(start, terms.diagnosis_days, terms.diagnosis_unit) + paused
        repair = calc.due(start, terms.repair_days, terms.repair_unit) + paused
        # The legal limit stays as set at intake; only an order that never had one (before the
        # deadlines existed) gets it here.
        legal = row.legal_due if row.legal_due is not None or not warranty else legal_due(row.received_at,
                                                                                       center.timezone)
        due = binding_due(RepairState(row.state), diagnosis, repair, legal, row.deadline_paused_at is not None)
        new = {"diagnosis_due": diagnosis, "repair_due": repair, "legal_due": legal, "due_at": due,
               "risk_at": risk_moment(due, terms.margin)}
        if all(getattr(row, name) == new[name] for name in _DATE_COLUMNS):
            continue
        changes.append({"b_id": row.id, "b_state": row.state, **{f"b_{k}": v for k, v in new.items()}})
        events.append({
            "order_id": row.id, "unit_id": row.unit_id, "at": now, "actor_id": actor.id if actor else None,
            "kind": EventKind.DEADLINE, "from_value": days.pair(row.diagnosis_due, row.repair_due),
            "to_value": days.pair(diagnosis, repair),
            "details": {"message": RECOMPUTED, "params": {}, "rule": terms.rule_id or "default",
                        "diagnosis_due": diagnosis.isoformat(), "repair_due": repair.isoformat()},
        })
    _write(session, changes, events if log else [])
    return len(changes)


def _write(session: Session, changes: list[dict[str, Any]], events: list[dict[str, Any]]) -> None:
    if not changes:
        return
    # Orders received on the same day under the same terms and in the same stage get the very same
    # dates: one UPDATE ... WHERE id IN (...) per such group instead of one per order. The state read
    # is part of the WHERE: an order an engineer moved on meanwhile (a background recompute runs for
    # seconds) keeps the dates its own transition computed.
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for change in changes:
        groups[(change["b_state"], *(change[f"b_{name}"] for name in _DATE_COLUMNS))].append(change["b_id"])
    table = RepairOrder.__table__
    for (state, *dates), ids in groups.items():
        for start in range(0, len(ids), BATCH):
            session.execute(update(table).where(table.c.id.in_(ids[start:start + BATCH]), table.c.state == state)
                            .values(dict(zip(_DATE_COLUMNS, dates, strict=True))))
    for start in range(0, len(events), BATCH):
        session.execute(insert(RepairEvent.__table__), events[start:start + BATCH])
    # Orders already loaded in this session read their new dates from the database next time.
    changed = {c["b_id"] for c in changes}
    for obj in list(session.identity_map.values()):
        if isinstance(obj, RepairOrder) and obj.id in changed:
            session.expire(obj, list(_DATE_COLUMNS))


def recompute_centers(session: Session, center_ids: Iterable[int], *, actor: User | None,
                      now: datetime | None = None) -> int:
    """Recompute several centers (a change to the network's calendar); the total count."""
    return sum(recompute_center(session, cid, actor=actor, now=now) for cid in sorted(set(center_ids)))


def backfill(session: Session) -> int:
    """Give every open order of the network its due dates (after the migration that added them);
    no history events. Safe to run again: unchanged orders are not written."""
    return sum(recompute_center(session, cid, actor=None, log=False) for cid in centers_with_open_orders(session))


def count_open_orders(session: Session, center_ids: Iterable[int]) -> int:
    """How many open orders a recompute of these centers reads."""
    return session.scalar(select(func.count()).select_from(RepairOrder).where(
        RepairOrder.center_id.in_(sorted(set(center_ids))), RepairOrder.state.in_(list(TIMED_STATES)),
        RepairOrder.received_at.is_not(None))) or 0


def centers_with_open_orders(session: Session) -> list[int]:
    return list(session.scalars(select(RepairOrder.center_id).where(
        RepairOrder.state.in_(list(TIMED_STATES)), RepairOrder.received_at.is_not(None)).distinct()))
