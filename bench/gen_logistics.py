"""Shipments (units to the central warehouse, parts from it), restocking moves, order counters, stock levels."""

from __future__ import annotations

import random
import time
from bisect import bisect_left, bisect_right
from itertools import accumulate

import psycopg

from bench.gen_network import Network
from bench.gen_orders import Journal, OrdersDone
from bench.pgload import NULL, CopyStream, Timestamps, libpq_url
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
                                               "state", "note", "received_quantity"))
    item_id = 0
    numbers: dict[tuple[int, int], int] = {}  # (sending center, year) -> last number, as the app counts
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
        numbers[(src, year)] = seq = numbers.get((src, year), 0) + 1
        clerk = _clerk(net, src) if src != net.hq else hub_clerk
        k = rng.randint(1, 2 * per_shipment - 1)
        shipments.add(f"{sid}\tSHP-{net.code[src]}-{year}-{seq:06d}\t{net.warehouse[src]}\t{net.warehouse[dst]}\t{src}\t{dst}\t"
                      f"{state}\t{rng.choice(CARRIERS)}\t{rng.randrange(10**11, 10**12)}\t{rng.randint(1, 6)}\t"
                      f"{rng.randint(2, 400) / 10}\t{clerk}\t{ts(created)}\t{ts(dispatched) if dispatched else NULL}\t"
                      f"{ts(arrived) if arrived else NULL}\t1\n")
        item_state = "packed" if state in ("open", "dispatched", "cancelled") else "received"
        if with_units:
            picks = sorted(rng.sample(range(a, b), min(k, b - a)))
            for p in picks:
                item_id += 1
                st = "missing" if item_state == "received" and rng.random() < 0.005 else item_state
                items.add(f"{item_id}\t{sid}\t{unit_ids[p]}\t{NULL}\t{order_ids[p]}\t1\t{st}\t\t"
                          f"{1 if st == 'received' else 0}\n")
        else:
            for _ in range(k):
                item_id += 1
                part, qty = rng.randint(1, counts.parts), rng.randint(1, 10)
                items.add(f"{item_id}\t{sid}\t{NULL}\t{part}\t{NULL}\t{qty}\t{item_state}\t\t"
                          f"{qty if item_state == 'received' else 0}\n")
                if dispatched:
                    journal.add(dispatched, part, hub_wh, net.warehouse[dst], "shipment", clerk, shipment=sid,
                                quantity=qty)
    shipments.close()
    items.close()
    counters = CopyStream(url, "shipment_counters", ("center_id", "year", "last"))
    for (cid, year), last in sorted(numbers.items()):
        counters.add(f"{cid}\t{year}\t{last}\n")
    counters.close()
    return shipments.rows, items.rows


def load_restocking(rng: random.Random, counts: Counts, net: Network, times_span: tuple[int, int],
                    journal: Journal) -> int:
    """Supplier receipts and defective write-offs until the journal has its planned size."""
    lo, hi = times_span
    more = max(0, counts.stock_moves - journal.part_moves)
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


def load_stock_levels(url: str) -> tuple[int, int]:
    """Make the parts journal consistent, then derive its cache, as the app keeps it.

    The generated journal takes parts out of locations without asking whether they hold any (a
    hub ships to a center, a center writes a defective part off). Each (location, part) whose
    running balance ever dips below zero gets an opening-stock receipt just before its first move,
    as large as the deepest dip, so no balance is negative at any moment; `stock_levels` is then
    the journal's final balance per location and part (`servicecenter stock-check` agrees).
    Returns (opening receipts added, stock levels written)."""
    with psycopg.connect(libpq_url(url)) as conn:
        opened = conn.execute("""
            WITH signed AS (
                SELECT to_location_id AS loc, part_id, at, id, quantity AS q FROM stock_moves
                 WHERE part_id IS NOT NULL AND to_location_id IS NOT NULL
                UNION ALL
                SELECT from_location_id, part_id, at, id, -quantity FROM stock_moves
                 WHERE part_id IS NOT NULL AND from_location_id IS NOT NULL),
            running AS (
                SELECT loc, part_id, at, sum(q) OVER (PARTITION BY loc, part_id ORDER BY at, id) AS balance
                  FROM signed),
            dips AS (
                SELECT loc, part_id, min(at) AS first_at, -min(balance) AS need FROM running
                 GROUP BY loc, part_id HAVING min(balance) < 0),
            base AS (SELECT COALESCE(max(id), 0) AS last FROM stock_moves)
            INSERT INTO stock_moves (id, at, part_id, unit_id, quantity, from_location_id, to_location_id,
                                     reason, actor_id, order_id, shipment_id, note)
            SELECT base.last + row_number() OVER (ORDER BY loc, part_id), first_at - interval '1 day',
                   part_id, NULL, need, NULL, loc, 'receipt', NULL, NULL, NULL, 'Остаток на начало учёта'
              FROM dips, base""").rowcount
        levels = conn.execute("""
            INSERT INTO stock_levels (location_id, part_id, quantity)
            SELECT loc, part_id, sum(q) FROM (
                SELECT to_location_id AS loc, part_id, quantity AS q FROM stock_moves
                 WHERE part_id IS NOT NULL AND to_location_id IS NOT NULL
                UNION ALL
                SELECT from_location_id, part_id, -quantity FROM stock_moves
                 WHERE part_id IS NOT NULL AND from_location_id IS NOT NULL) m
             GROUP BY loc, part_id HAVING sum(q) > 0""").rowcount
    return opened, levels
