"""How big each table is at a scale, and when each order happens (before any row is written).

Everything is decided from the seed: the same seed, scale and --now give the same rows.
"""

from __future__ import annotations

import random
from array import array
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

DAY = 86400
YEARS = 3
HEAVY_ORDERS = 6  # orders of each "heavy" unit (about 60 history events)
HEAVY_SHARE = 0.0005  # of units
REPEAT_SHARE = 0.06  # of orders: a second visit of a unit seen before
EVENTS_PER_ORDER = 10


@dataclass(frozen=True)
class Counts:
    """Rows per table at a scale (events, stock moves and shipment items are targets, ± a little)."""

    centers: int
    partners: int
    users: int
    manufacturers: int
    models: int
    customers: int
    units: int
    orders: int
    events: int
    parts: int
    stock_moves: int
    shipments: int
    shipment_items: int
    heavy_units: int
    repeat_units: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _n(full: int, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(full * scale))


def plan_counts(scale: float) -> Counts:
    """The full network (scale 1.0) is the issue's: 300 centers ... 10,000,000 events."""
    centers = _n(300, scale, 4)
    partners = max(1, round(centers * 0.2))
    orders = _n(1_000_000, scale, 50)
    units = _n(1_000_000, scale, 50)
    heavy = max(1, round(units * HEAVY_SHARE))
    repeat = round(orders * REPEAT_SHARE)
    if heavy * HEAVY_ORDERS + repeat * 2 > orders or orders - (HEAVY_ORDERS - 1) * heavy - repeat > units:
        raise ValueError("these counts leave too few units or orders for the heavy and repeat units")
    # Each own center needs an intake clerk, a team lead, an engineer and a warehouse clerk,
    # each partner a partner user, the head office an admin and a call-center operator, and
    # the flagship a logistics clerk.
    users = max(_n(2000, scale), (centers - partners - 1) * 4 + partners + 3)
    return Counts(
        centers=centers, partners=partners, users=users, manufacturers=_n(100, scale, 3),
        models=_n(5000, scale, 10), customers=_n(600_000, scale, 30), units=units, orders=orders,
        events=orders * EVENTS_PER_ORDER, parts=_n(20_000, scale, 20), stock_moves=_n(300_000, scale, 30),
        shipments=_n(20_000, scale, 5), shipment_items=_n(200_000, scale, 20), heavy_units=heavy,
        repeat_units=repeat,
    )


def parse_now(value: str | None) -> datetime:
    """The moment the data ends at (default: the current minute, UTC)."""
    if value:
        moment = datetime.fromisoformat(value)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return datetime.now(UTC).replace(second=0, microsecond=0)


def order_times(rng: random.Random, n: int, now: datetime) -> array:
    """Creation moments (epoch seconds, ascending) of n orders over the last three years.

    Busier lately (the network grows), quieter at weekends, counters open 9:00-20:00 Moscow.
    The last day is yesterday: the data was 'loaded last night'.
    """
    last = (now - timedelta(days=1)).date()
    first = last - timedelta(days=YEARS * 365)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    weekday = (1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0.45)
    weights = [(0.75 + 0.5 * i / len(days)) * weekday[d.weekday()] for i, d in enumerate(days)]
    total = sum(weights)
    times = array("q")
    acc, done = 0.0, 0
    for day, w in zip(days, weights, strict=True):
        acc += w
        upto = round(n * acc / total)
        midnight = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
        times.extend(sorted(midnight + 6 * 3600 + rng.randrange(11 * 3600) for _ in range(upto - done)))
        done = upto
    return times


@dataclass
class OrderSlots:
    """Which unit each order (by chronological index) is about."""

    unit: array  # unit id per order index
    has_next: bytearray  # 1 when the same unit comes back later (this order must be finished)
    heavy: bytearray  # 1 for the orders of the heavy units
    first_order: array  # per unit id: index of its first order, -1 when it has none


def assign_units(rng: random.Random, counts: Counts) -> OrderSlots:
    """Heavy units get six orders spread over the years, repeat units two, the rest one."""
    n, units = counts.orders, counts.units
    unit_ids = list(range(1, units + 1))
    rng.shuffle(unit_ids)
    slot_unit = array("i", bytes(4 * n))
    has_next = bytearray(n)
    heavy = bytearray(n)
    taken = bytearray(n)

    def spread(unit: int, k: int, mark_heavy: bool) -> None:
        picks = []
        for j in range(k):
            lo, hi = j * n // k, (j + 1) * n // k
            a, b = lo + (hi - lo) // 4, lo + 3 * (hi - lo) // 4
            i = rng.randrange(a, max(a + 1, b))
            while taken[i]:
                i = i + 1 if i + 1 < hi else lo
            taken[i] = 1
            picks.append(i)
        for pos, i in enumerate(picks):
            slot_unit[i] = unit
            heavy[i] = mark_heavy
            has_next[i] = pos < k - 1

    cursor = 0
    for _ in range(counts.heavy_units):
        spread(unit_ids[cursor], HEAVY_ORDERS, True)
        cursor += 1
    for _ in range(counts.repeat_units):
        spread(unit_ids[cursor], 2, False)
        cursor += 1
    free = [i for i in range(n) if not taken[i]]
    rng.shuffle(free)
    for i in free:
        slot_unit[i] = unit_ids[cursor]
        cursor += 1
    first = array("i", [-1]) * (units + 1)
    for i in range(n - 1, -1, -1):
        first[slot_unit[i]] = i
    return OrderSlots(unit=slot_unit, has_next=has_next, heavy=heavy, first_order=first)
