"""Customers and their units: who owns what, where they bring it, and the rows themselves."""

from __future__ import annotations

import random
from array import array
from bisect import bisect
from dataclasses import dataclass
from itertools import accumulate

from bench.gen_network import Network, person
from bench.pgload import NULL, CopyStream, Timestamps, escape
from bench.plan import DAY, Counts, OrderSlots
from bench.vocab import STREETS
from servicecenter.demo import COMPANY_NAMES, SELLERS

MAIL = ("mail.ru", "yandex.ru", "gmail.com", "bk.ru", "list.ru", "inbox.ru")


@dataclass
class People:
    """Per customer id: home center, company?; per unit id: owner, model, purchase day (-1 unknown)."""

    center: array
    company: bytearray
    owner: array
    model: array
    bought: array


def scramble(n: int, seed: int, multiplier: int) -> int:
    """A bijection of [0, 10^9): distinct ids give distinct, random-looking 9-digit numbers."""
    return (n * multiplier + seed * 7_654_321) % 1_000_000_000


def phone_of(customer: int, seed: int) -> str:
    """The customer's normalised mobile number (+79XXXXXXXXX), unique per customer."""
    return f"+79{scramble(customer, seed, 48_271):09d}"


def serial_of(unit: int, seed: int, maker_code: str) -> str:
    """A serial unique across the network (the number part alone is unique)."""
    return f"{maker_code}{unit % 97:02d}{scramble(unit, seed, 69_621):09d}"


def plan_people(rng: random.Random, counts: Counts, net: Network, slots: OrderSlots,
                times: array) -> People:
    """Customers live near a center (weighted by its share); everyone owns a unit, some several."""
    cum = list(accumulate(net.weight[1:]))
    centers = array("i", [0]) * (counts.customers + 1)
    company = bytearray(counts.customers + 1)
    for c in range(1, counts.customers + 1):
        centers[c] = bisect(cum, rng.random() * cum[-1]) + 1
        company[c] = rng.random() < 0.08
    owner = array("i", [0]) * (counts.units + 1)
    model = array("i", [0]) * (counts.units + 1)
    bought = array("i", [-1]) * (counts.units + 1)
    start_day = times[0] // DAY if len(times) else 0
    end_day = times[-1] // DAY if len(times) else 0
    for u in range(1, counts.units + 1):
        owner[u] = u if u <= counts.customers else rng.randint(1, counts.customers)
        model[u] = rng.randint(1, counts.models)
        first = slots.first_order[u]
        seen = times[first] // DAY if first >= 0 else rng.randint(start_day, end_day)
        if rng.random() >= 0.12:
            bought[u] = seen - rng.randint(3, 3 * 365)
    return People(center=centers, company=company, owner=owner, model=model, bought=bought)


def load_customers(url: str, rng: random.Random, counts: Counts, net: Network, people: People, slots: OrderSlots,
                   times: array, seed: int, ts: Timestamps) -> int:
    """Write the customers; each was created when they first brought a unit in."""
    first = array("q", [0]) * (counts.customers + 1)
    for u in range(1, counts.units + 1):
        fo = slots.first_order[u]
        if fo >= 0:
            o = people.owner[u]
            if first[o] == 0 or times[fo] < first[o]:
                first[o] = times[fo]
    lo, hi = times[0], times[-1]
    stream = CopyStream(url, "customers", ("id", "kind", "name", "phone", "email", "tax_id", "address", "notes",
                                           "notifications_opt_out", "created_at"))
    companies = [f"ООО «{name}»" for name in COMPANY_NAMES] + [f"АО «{name}»" for name in COMPANY_NAMES[:8]]
    for c in range(1, counts.customers + 1):
        city = net.city[people.center[c]]
        created = first[c] or rng.randint(lo, hi)
        if people.company[c]:
            name, kind, email = rng.choice(companies), "company", ""
            tax = f"{rng.randrange(10**9, 10**10)}"
            address = f"г. {city}, {rng.choice(STREETS)}, д. {rng.randint(1, 150)}, офис {rng.randint(1, 40)}"
        else:
            name, kind, tax = person(rng), "person", ""
            email = f"client{c}@{rng.choice(MAIL)}" if rng.random() < 0.4 else ""
            address = f"г. {city}, {rng.choice(STREETS)}, д. {rng.randint(1, 150)}, кв. {rng.randint(1, 300)}"
        stream.add(f"{c}\t{kind}\t{escape(name)}\t{phone_of(c, seed)}\t{email}\t{tax}\t{escape(address)}\t\t"
                   f"{'t' if rng.random() < 0.03 else 'f'}\t{ts(created)}\n")
    stream.close()
    return stream.rows


def maker_codes(manufacturers: int) -> list[str]:
    """Two letters per manufacturer for its serials (AA, AB, ...; index 0 unused)."""
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    return [""] + [letters[(m // len(letters)) % len(letters)] + letters[m % len(letters)]
                   for m in range(1, manufacturers + 1)]


def load_units(url: str, rng: random.Random, counts: Counts, net: Network, people: People, slots: OrderSlots,
               times: array, location: array, seed: int, ts: Timestamps) -> int:
    """Write the units, each created at its first order; `location` is where open orders keep them."""
    codes = maker_codes(counts.manufacturers)
    sellers = [escape(s) for s in SELLERS]
    lo, hi = times[0], times[-1]
    stream = CopyStream(url, "units", ("id", "manufacturer_id", "model_id", "serial", "owner_id",
                                       "production_date", "purchase_date", "seller", "warranty_until_override",
                                       "contract_id", "component_of_id", "replaced_by_id", "location_id", "notes",
                                       "created_at", "version"))
    for u in range(1, counts.units + 1):
        pm = people.model[u]
        maker = net.model_maker[pm]
        fo = slots.first_order[u]
        created = times[fo] if fo >= 0 else rng.randint(lo, hi)
        day = people.bought[u]
        purchase, seller = (ts.date(day), rng.choice(sellers)) if day >= 0 else (NULL, "")
        stream.add(f"{u}\t{maker}\t{pm}\t{serial_of(u, seed, codes[maker])}\t{people.owner[u]}\t{NULL}\t"
                   f"{purchase}\t{seller}\t{NULL}\t{NULL}\t{NULL}\t{NULL}\t{location[u] or NULL}\t\t"
                   f"{ts(created)}\t1\n")
    stream.close()
    return stream.rows
