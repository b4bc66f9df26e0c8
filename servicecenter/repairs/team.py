"""A center's engineers and their load: open orders, hours logged this week, skills; and the
auto-suggest that proposes who should take an order.

Load counts the orders on an engineer's bench: open orders except those ready for pickup (the
engineer's work on them is done). The week runs Monday to Sunday in the center's time zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import PARTNER_ROLES, Role
from servicecenter.centers.models import ServiceCenter
from servicecenter.clock import week_start
from servicecenter.errors import N_
from servicecenter.repairs.models import RepairOrder, WorkLog
from servicecenter.repairs.states import OPEN_STATES, RepairState

BENCH_STATES = OPEN_STATES - {RepairState.READY_FOR_PICKUP}
# Who may be given an order (services.assign_engineer accepts the same roles).
ASSIGNABLE_ROLES = (Role.ENGINEER, Role.TEAM_LEAD, *PARTNER_ROLES)


def parse_skills(text: str | None) -> tuple[str, ...]:
    """`User.skills` ("Стиральные машины, Bosch") as a tuple of trimmed, non-empty entries."""
    return tuple(s.strip() for s in (text or "").split(",") if s.strip())


@dataclass(frozen=True)
class EngineerLoad:
    engineer: User
    open_orders: int
    minutes_this_week: int
    skills: tuple[str, ...]

    @property
    def hours_this_week(self) -> float:
        return round(self.minutes_this_week / 60, 1)

    @cached_property
    def _skill_keys(self) -> frozenset[str]:
        return frozenset(s.casefold() for s in self.skills)

    def has_skill(self, wanted: str) -> bool:
        return wanted.casefold() in self._skill_keys


def list_engineer_loads(session: Session, center: ServiceCenter, now: datetime) -> list[EngineerLoad]:
    """Every active user of the center who may be assigned orders, with their load, by name."""
    # Each person's open orders counted from the (engineer_id, state) index alone, in the same
    # statement (a correlated count per person is cheaper than grouping a backlog's 40,000 rows); an
    # engineer's orders are his center's (routing an order to another center unassigns it).
    open_orders = (select(func.count()).select_from(RepairOrder)
                   .where(RepairOrder.engineer_id == User.id, RepairOrder.state.in_(sorted(BENCH_STATES)))
                   .correlate(User).scalar_subquery())
    rows = session.execute(
        select(User, open_orders).where(User.center_id == center.id, User.active.is_(True),
                                        User.role.in_(ASSIGNABLE_ROLES)).order_by(User.name)).all()
    if not rows:
        return []
    people = [u for u, _ in rows]
    open_counts = {u.id: n for u, n in rows}
    ids = list(open_counts)
    monday = week_start(now, center.timezone)
    minutes = dict(session.execute(
        select(WorkLog.user_id, func.sum(WorkLog.minutes))
        .where(WorkLog.user_id.in_(ids), WorkLog.performed_on >= monday,
               WorkLog.performed_on < monday + timedelta(days=7))
        .group_by(WorkLog.user_id)).all())
    return [EngineerLoad(engineer=u, open_orders=int(open_counts.get(u.id, 0)),
                         minutes_this_week=int(minutes.get(u.id) or 0), skills=parse_skills(u.skills))
            for u in people]


@dataclass(frozen=True)
class Suggestion:
    """Who to give the order to, and why (an English template with its parameters)."""

    engineer: User
    reason: str
    params: dict[str, object]


def wanted_skills(order: RepairOrder) -> tuple[str, ...]:
    """The skills that fit the order: its unit's product category, then its brand."""
    unit = order.unit
    if unit is None:
        return ()
    return tuple(s for s in (unit.model.category, unit.manufacturer.name) if s)


def suggest_engineer(order: RepairOrder, loads: Iterable[EngineerLoad]) -> Suggestion | None:
    """The least-loaded active engineer whose skills match the order's category or brand: fewest
    open orders, then fewest hours this week, then by name. None when nobody has the skill."""
    engineers = [ld for ld in loads if ld.engineer.role == Role.ENGINEER and ld.engineer.active]
    wanted = wanted_skills(order)
    matching: list[tuple[EngineerLoad, str]] = []
    for ld in engineers:
        skill = next((w for w in wanted if ld.has_skill(w)), None)
        if skill is not None:
            matching.append((ld, skill))
    if not matching:
        return None
    best, skill = min(matching, key=lambda m: (m[0].open_orders, m[0].minutes_this_week, m[0].engineer.name))
    ties = [m for m in matching if m[0].open_orders == best.open_orders]
    if len(ties) > 1:
        reason = N_("Fewest open orders (%(count)s) among engineers with skill %(skill)s; "
                    "fewest hours this week among those (%(hours)s h)")
    else:
        reason = N_("Fewest open orders (%(count)s) among engineers with skill %(skill)s")
    return Suggestion(engineer=best.engineer, reason=reason,
                      params={"count": best.open_orders, "skill": skill, "hours": best.hours_this_week})


def suggest_for_orders(orders: Sequence[RepairOrder], loads: Sequence[EngineerLoad]) -> dict[int, Suggestion]:
    """A suggestion for each order (by id) that has a matching engineer and is not assigned yet."""
    out: dict[int, Suggestion] = {}
    for order in orders:
        if order.engineer_id is None:
            s = suggest_engineer(order, loads)
            if s is not None:
                out[order.id] = s
    return out
