"""The network: centers and their locations, staff, the brand and model catalogue, spare parts."""

from __future__ import annotations

import random
from array import array
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bench.pgload import NULL, CopyStream, escape
from bench.plan import Counts
from bench.vocab import BRANDS, CITIES, COUNTRIES, PART_KINDS, PARTNER_NAMES, STREETS
from servicecenter.accounts.roles import Role
from servicecenter.accounts.services import hash_password
from servicecenter.demo import CASES, FEMALE, MALE, PATRONYMICS, SURNAMES

BENCH_PASSWORD = "bench12345"  # noqa: S105  (every generated user has it; see bench/README.md)
DOMAIN = "bench.servicecenter.ru"
CATEGORIES = tuple(CASES)
CATEGORY_CODES = ("WM", "RF", "DW", "NB", "SP", "TV", "VC", "MW", "CM", "KA")
SHELVES = ("A-01", "A-02", "B-01", "B-02")


@dataclass
class Network:
    """What later tables need to know about the network (ids start at 1; index 0 unused)."""

    code: list[str] = field(default_factory=lambda: [""])
    city: list[str] = field(default_factory=lambda: [""])
    offset: list[int] = field(default_factory=lambda: [0])  # seconds east of UTC (local year of numbers)
    partner: list[bool] = field(default_factory=lambda: [False])
    weight: list[float] = field(default_factory=lambda: [0.0])  # share of the network's repairs
    warehouse: list[int] = field(default_factory=lambda: [0])  # main warehouse location id
    defective: list[int] = field(default_factory=lambda: [0])  # where removed parts wait for the maker
    staff: list[dict[Role, list[int]]] = field(default_factory=lambda: [{}])
    user_name: list[str] = field(default_factory=lambda: [""])
    user_role: list[Role | None] = field(default_factory=lambda: [None])
    hq: int = 1
    transit: int = 0
    customer: int = 0  # the network-wide "with the customer" location (stock/places.py CUSTOMER)
    model_maker: array = field(default_factory=lambda: array("i", [0]))
    model_category: array = field(default_factory=lambda: array("b", [0]))
    model_months: array = field(default_factory=lambda: array("b", [0]))
    parts: int = 0

    @property
    def centers(self) -> range:
        return range(1, len(self.code))


def person(rng: random.Random) -> str:
    surname, patronymic = rng.choice(SURNAMES), rng.choice(PATRONYMICS)
    if rng.random() < 0.5:
        return f"{surname} {rng.choice(MALE)} {patronymic[0]}"
    if surname.endswith(("ов", "ев", "ёв", "ин")):
        surname += "а"
    return f"{surname} {rng.choice(FEMALE)} {patronymic[1]}"


def _spread(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integers proportional to `weights` (largest remainder)."""
    raw = [total * w / sum(weights) for w in weights]
    out = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)[: total - sum(out)]:
        out[i] += 1
    return out


def _center_plan(counts: Counts) -> list[tuple[int, int, bool]]:
    """(city index, number in the city, partner?) for every center after the head office."""
    n = counts.centers - 1
    cities = list(range(min(n, len(CITIES))))
    per_city = [1] * len(cities)
    extra = _spread(n - len(cities), [CITIES[c][4] ** 1.3 for c in cities]) if n > len(cities) else []
    for i, more in enumerate(extra):
        per_city[i] += more
    plan = [(c, k + 1, False) for c in cities for k in range(per_city[c])]
    # Partners are the smaller cities' centers (the network's own centers are in the big ones).
    partners = 0
    for pos in range(len(plan) - 1, -1, -1):
        if partners == counts.partners:
            break
        c, k, _ = plan[pos]
        if c != 0 or len(cities) == 1:
            plan[pos] = (c, k, True)
            partners += 1
    return plan


def load_network(url: str, rng: random.Random, counts: Counts, now: datetime) -> Network:
    """Write centers, locations, users, manufacturers, models, brands and parts; return the map."""
    net = Network()
    created = datetime(now.year - 4, 1, 10, 9, tzinfo=UTC).isoformat()
    centers = CopyStream(url, "service_centers", ("id", "code", "name", "kind", "city", "region", "address",
                                                  "phone", "email", "timezone", "hours", "is_head_office",
                                                  "active", "created_at"))
    locations = CopyStream(url, "locations", ("id", "code", "name", "kind", "center_id", "parent_id", "is_main",
                                              "active", "notes"))
    loc_id = 0

    def location(code: str, name: str, kind: str, center: int | None, parent: int | None, main: bool) -> int:
        nonlocal loc_id
        loc_id += 1
        locations.add(f"{loc_id}\t{code}\t{name}\t{kind}\t{center or NULL}\t{parent or NULL}\t"
                      f"{'t' if main else 'f'}\tt\t\n")
        return loc_id

    plan = [(0, 0, False), *_center_plan(counts)]
    flagship_bonus = {0: 30.0, 1: 10.0}  # the Moscow and St Petersburg flagships: the biggest queues
    for cid, (city, k, partner) in enumerate(plan, start=1):
        name, prefix, region, tz, weight, phone_code = CITIES[city]
        code = f"{prefix}{k}"
        in_city = sum(1 for c, _k, _p in plan[1:] if c == city)
        if cid == 1:
            title, share = "Головной офис «СервисЦентр»", 0.0
        elif partner:
            title, share = f"ООО «{rng.choice(PARTNER_NAMES)}-{name}»", weight / in_city * 0.8
        else:
            title = f"СЦ {name}" + (f" — {rng.choice(STREETS)[4:]}" if in_city > 1 else "")
            share = weight / in_city * (flagship_bonus.get(city, 2.0) if k == 1 and in_city > 2 else 1.0)
        address = escape(f"г. {name}, {rng.choice(STREETS)}, д. {rng.randint(1, 150)}")
        centers.add(f"{cid}\t{code}\t{escape(title)}\t{'partner' if partner else 'own'}\t{name}\t{region}\t"
                    f"{address}\t+7 ({phone_code}) {rng.randint(200, 999)}-{rng.randint(10, 99)}-"
                    f"{rng.randint(10, 99)}\t{code.lower()}@{DOMAIN}\t{tz}\tПн–Пт 9:00–20:00, Сб 10:00–17:00\t"
                    f"{'t' if cid == 1 else 'f'}\tt\t{created}\n")
        net.code.append(code)
        net.city.append(name)
        net.offset.append(int(ZoneInfo(tz).utcoffset(now).total_seconds()))
        net.partner.append(partner)
        net.weight.append(share)
        wh = location(f"{code}-WH", f"Основной склад {code}", "warehouse", cid, None, True)
        net.warehouse.append(wh)
        for shelf in SHELVES:
            location(f"{code}-{shelf}", f"Стеллаж {shelf}", "shelf", cid, wh, False)
        net.defective.append(location(f"{code}-DEF", f"Брак {code}", "defective", cid, wh, False))
    net.transit = location("TRANSIT", "В пути", "transit", None, None, False)
    net.customer = location("CUSTOMER", "У клиента", "customer", None, None, False)
    centers.close()
    locations.close()
    _load_users(url, rng, counts, net, created)
    _load_catalogue(url, rng, counts, net)
    return net


def _load_users(url: str, rng: random.Random, counts: Counts, net: Network, created: str) -> None:
    flagship = max((c for c in net.centers if not net.partner[c]), key=lambda c: net.weight[c])
    # Every role exists at any scale: the flagship always has a logistics clerk.
    base: list[tuple[int, Role]] = [(net.hq, Role.ADMIN), (net.hq, Role.CALL_CENTER), (flagship, Role.LOGISTICS)]
    for cid in net.centers:
        if cid == net.hq:
            continue
        roles = [Role.PARTNER] if net.partner[cid] else [Role.INTAKE, Role.TEAM_LEAD, Role.ENGINEER,
                                                         Role.WAREHOUSE]
        base += [(cid, role) for role in roles]
    extra = counts.users - len(base)
    operators = round(extra * 0.05)
    base += [(net.hq, Role.CALL_CENTER)] * operators
    working = [cid for cid in net.centers if cid != net.hq]
    for cid, more in zip(working, _spread(extra - operators, [net.weight[c] for c in working]), strict=True):
        for _ in range(more):
            role = Role.PARTNER if net.partner[cid] else rng.choices(
                (Role.ENGINEER, Role.INTAKE, Role.WAREHOUSE, Role.LOGISTICS), (6, 2, 1, 1))[0]
            base.append((cid, role))
    pw = hash_password(BENCH_PASSWORD)  # computed once for all users (scrypt is slow on purpose)
    net.staff = [{} for _ in range(len(net.code))]
    users = CopyStream(url, "users", ("id", "email", "name", "password_hash", "role", "center_id", "active",
                                      "locale", "phone", "skills", "created_at"))
    for uid, (cid, role) in enumerate(base, start=1):
        mine = net.staff[cid].setdefault(role, [])
        mine.append(uid)
        name = person(rng)
        net.user_name.append(name)
        net.user_role.append(role)
        email = f"{role.value}{len(mine)}.{net.code[cid]}@{DOMAIN}".lower()
        users.add(f"{uid}\t{email}\t{name}\t{pw}\t{role.value}\t{cid}\tt\tru\t\t\t{created}\n")
    users.close()


def _load_catalogue(url: str, rng: random.Random, counts: Counts, net: Network) -> None:
    makers = CopyStream(url, "manufacturers", ("id", "name", "country", "default_warranty_months", "active"))
    months = []
    for mid in range(1, counts.manufacturers + 1):
        name = BRANDS[mid - 1] if mid <= len(BRANDS) else f"{BRANDS[mid % len(BRANDS)]} {mid}"
        months.append(rng.choice((12, 12, 12, 24, 24, 36)))
        makers.add(f"{mid}\t{escape(name)}\t{rng.choice(COUNTRIES)}\t{months[-1]}\tt\n")
    makers.close()
    models = CopyStream(url, "product_models", ("id", "manufacturer_id", "name", "category", "warranty_months",
                                                "active"))
    for pm in range(1, counts.models + 1):
        maker = (pm - 1) % counts.manufacturers + 1
        cat = rng.randrange(len(CATEGORIES))
        term = months[maker - 1] if rng.random() < 0.8 else rng.choice((12, 24, 36))
        net.model_maker.append(maker)
        net.model_category.append(cat)
        net.model_months.append(term)
        models.add(f"{pm}\t{maker}\t{CATEGORY_CODES[cat]}-{rng.randint(10, 99)}{pm:05d}\t{CATEGORIES[cat]}\t"
                   f"{term}\tt\n")
    models.close()
    brands = CopyStream(url, "center_brands", ("center_id", "manufacturer_id"))
    for cid in net.centers:
        chosen = (rng.sample(range(1, counts.manufacturers + 1), min(counts.manufacturers, rng.randint(5, 15)))
                  if net.partner[cid] else range(1, counts.manufacturers + 1))
        for maker in sorted(chosen):
            brands.add(f"{cid}\t{maker}\n")
    brands.close()
    parts = CopyStream(url, "parts", ("id", "sku", "barcode", "name", "unit_cost", "price", "serialised",
                                      "active"))
    fits = CopyStream(url, "part_models", ("part_id", "model_id"))
    for part in range(1, counts.parts + 1):
        kind = rng.randrange(len(PART_KINDS))
        cost = rng.randrange(200, 30000)
        parts.add(f"{part}\tP{kind:02d}-{part:07d}\t46{part:011d}\t{PART_KINDS[kind]}\t{cost}.00\t"
                  f"{cost * 17 // 10}.00\t{'t' if rng.random() < 0.1 else 'f'}\tt\n")
        for model in sorted(rng.sample(range(1, counts.models + 1), min(counts.models, rng.randint(1, 3)))):
            fits.add(f"{part}\t{model}\n")
    parts.close()
    fits.close()
    net.parts = counts.parts
