"""Shipments (units to the central warehouse, parts from it), restocking moves, order counters."""

from __future__ import annotations

import random
import time
from bisect import bisect_left, bisect_right
from itertools import accumulate

from bench.gen_network import Network
from bench.gen_orders import Journal, OrdersDone
from bench.pgload import NULL, CopyStream, Timestamps
from bench.plan import DAY, Counts
from bench.vocab import CARRIERS
from servicecenter.accounts.roles import Role


def _clerk(net: Network, cid: int) -> int:
    staff = net.staff[cid]
    for role in (Role.LOGISTICS, Role.WAREHOUSE, Role.PARTNER, Role.ADMIN):
        if staff.get(role):
            return staff[role][0]
    return next(iter(staff.values()))[0]


def load_shipments(url: str, rng: random.Random, counts: Counts, net: Network, done: OrdersDone,
                   times_span: tuple[int, int], now_ts: int, ts: Timestamps, journal: Journal) -> tuple[int, int]:
    """Write shipments and their items; part items also become shipment moves in the journal."""
    lo, hi = times_span
    working = [cid for cid in net.centers if cid != net.hq]
    cum = list(accumulate(net.weight[c] for c in working))
    hub_wh, hub_clerk = net.warehouse[net.hq], _clerk(net, net.hq)
    per_shipment = max(1, round(counts.shipment_items / counts.shipments))
    shipments = CopyStream(url, "shipments", ("id", "number", "from_location_id", "to_location_id", "from_center_id",
                                              "to_center_id", "state", "carrier", "tracking", "places", "weight_kg",
                                              "created_by_id", "created_at", "dispatched_at", "received_at",
                                              "version"))
    items = CopyStream(url, "shipment_items", ("id", "shipment_id", "unit_id", "part_id", "order_id", "quantity",
                                               "state", "note"))
    item_id = 0
    numbers: dict[int, int] = {}
    moments = sorted(rng.randint(lo, hi) for _ in range(counts.shipments))
    for sid, created in enumerate(moments, start=1):
        cid = working[bisect_right(cum, rng.random() * cum[-1])]
        created_ts, order_ids, unit_ids = done.center_orders[cid]
        # Units travel to the central warehouse (warranty replacements, complex repairs); parts the other way.
        a, b = bisect_left(created_ts, created - 20 * DAY), bisect_right(created_ts, created)
        with_units = rng.random() < 0.55 and b > a
        src, dst = (cid, net.hq) if with_units else (net.hq, cid)
        age = (now_ts - created) / DAY
        dispatched = created + rng.randint(3600, 2 * DAY)
        arrived = dispatched + rng.randint(DAY, 7 * DAY)
        if age > 14:
            state = "cancelled" if rng.random() < 0.01 else "received"
        else:
            state = "open" if age < 3 else "dispatched"
        if state == "cancelled" or state == "open":
            dispatched = arrived = 0
        elif state == "dispatched" or arrived > now_ts - 60:
            arrived = 0
            state = "dispatched"
        year = time.gmtime(created).tm_year
        numbers[year] = numbers.get(year, 0) + 1
        clerk = _clerk(net, src) if src != net.hq else hub_clerk
        k = rng.randint(1, 2 * per_shipment - 1)
        shipments.add(f"{sid}\tSH-{year}-{numbers[year]:06d}\t{net.warehouse[src]}\t{net.warehouse[dst]}\t{src}\t{dst}\t"
                      f"{state}\t{rng.choice(CARRIERS)}\t{rng.randrange(10**11, 10**12)}\t{rng.randint(1, 6)}\t"
                      f"{rng.randint(2, 400) / 10}\t{clerk}\t{ts(created)}\t{ts(dispatched) if dispatched else NULL}\t"
                      f"{ts(arrived) if arrived else NULL}\t1\n")
        item_state = "packed" if state in ("open", "dispatched", "cancelled") else "received"
        if with_units:
            picks = sorted(rng.sample(range(a, b), min(k, b - a)))
            for p in picks:
                item_id += 1
                st = "missing" if item_state == "received" and rng.random() < 0.005 else item_state
                items.add(f"{item_id}\t{sid}\t{unit_ids[p]}\t{NULL}\t{order_ids[p]}\t1\t{st}\t\n")
        else:
            for _ in range(k):
                item_id += 1
                part, qty = rng.randint(1, counts.parts), rng.randint(1, 10)
                items.add(f"{item_id}\t{sid}\t{NULL}\t{part}\t{NULL}\t{qty}\t{item_state}\t\n")
                if dispatched:
                    journal.add(dispatched, part, hub_wh, net.warehouse[dst], "shipment", clerk, shipment=sid,
                                quantity=qty)
    shipments.close()
    items.close()
    return shipments.rows, items.rows


def load_restocking(rng: random.Random, counts: Counts, net: Network, times_span: tuple[int, int],
                    journal: Journal) -> int:
    """Supplier receipts and defective write-offs until the journal has its planned size."""
    lo, hi = times_span
    more = max(0, counts.stock_moves - journal.last)
    working = [cid for cid in net.centers if cid != net.hq]
    for at in sorted(rng.randint(lo, hi) for _ in range(more)):
        cid = rng.choice(working + [net.hq] * max(1, len(working) // 4))
        actor = _clerk(net, cid)
        part = rng.randint(1, counts.parts)
        if rng.random() < 0.85 or cid == net.hq:
            journal.add(at, part, NULL, net.warehouse[cid], "receipt", actor, quantity=rng.randint(1, 20))
        else:
            journal.add(at, part, net.warehouse[cid], net.defective[cid], "defective", actor)
    return more


def load_counters(url: str, done: OrdersDone) -> int:
    """The last number used per center and local year, so the app's next number follows on."""
    stream = CopyStream(url, "order_counters", ("center_id", "year", "last"))
    for (cid, year), last in sorted(done.counters.items()):
        stream.add(f"{cid}\t{year}\t{last}\n")
    stream.close()
    return stream.rows
