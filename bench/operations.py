"""The named operations the runner times, in one registry.

Each operation is a `prepare(bench)` that returns the zero-argument callable timed once per
repetition (its optional `.before` attribute runs untimed before each one). What the
application cannot do yet is registered with `pending(...)` and shows as "not yet
implemented" in the results: the issue that builds the feature replaces its `pending` line
here with an `@operation` (and the runner, the JSON and the table follow).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from bench.bare_app import SCAN_SQL
from bench.context import Bench
from servicecenter.accounts.models import User
from servicecenter.catalog.models import ProductModel
from servicecenter.centers.models import ServiceCenter
from servicecenter.clock import utcnow
from servicecenter.customers.services import create_customer, find_customers_by_phone
from servicecenter.equipment.services import find_unit, register_unit
from servicecenter.repairs import queries
from servicecenter.repairs.queue import QueueFilter, list_queue
from servicecenter.repairs.services import apply_transition, create_order
from servicecenter.repairs.states import RepairState

Timed = Callable[[], object]
SCAN_MS, INTAKE_MS, PAGE_MS = 10.0, 50.0, 100.0  # the p95 targets


@dataclass(frozen=True)
class Operation:
    key: str
    title: str
    layer: str  # domain (a real Session) | http (the Flask app, logged in) | raw (psycopg) | ...
    target_ms: float | None
    prepare: Callable[[Bench], Timed] | None
    pending: str = ""  # why it is not measured yet


REGISTRY: list[Operation] = []


def operation(key: str, title: str, layer: str, target_ms: float | None = None) -> Callable:
    def register(prepare: Callable[[Bench], Timed]) -> Callable[[Bench], Timed]:
        REGISTRY.append(Operation(key, title, layer, target_ms, prepare))
        return prepare

    return register


def pending(key: str, title: str, layer: str, reason: str, target_ms: float | None = None) -> None:
    REGISTRY.append(Operation(key, title, layer, target_ms, None, reason))


class Unexpected(AssertionError):
    """An HTTP answer other than the one the operation expects (counted as an error)."""


def _get(bench: Bench, role: str, center: int | None, url: Callable[[], str], status: int = 200) -> Timed:
    client = bench.client(role, center)

    def run() -> None:
        answer = client.get(url())
        if answer.status_code != status:
            raise Unexpected(f"GET {answer.request.path} answered {answer.status_code}, expected {status}")

    return run


# ---------------------------------------------------------------- domain level (a Session per call)
@operation("domain.scan_order", "Scan lookup of an order by number", "domain", SCAN_MS)
def _scan_order(b: Bench) -> Timed:
    def run() -> None:
        with b.db.session() as s:
            queries.get_order_by_number(s, b.pick(b.numbers))
    return run


@operation("domain.scan_unit", "Scan lookup of a unit (manufacturer + serial)", "domain", SCAN_MS)
def _scan_unit(b: Bench) -> Timed:
    def run() -> None:
        maker, serial = b.pick(b.unit_keys)
        with b.db.session() as s:
            if find_unit(s, maker, serial) is None:
                raise Unexpected(f"unit {serial} not found")
    return run


@operation("domain.unit_history", "Equipment history of a unit with 50+ events", "domain", PAGE_MS)
def _unit_history(b: Bench) -> Timed:
    if not b.heavy_units:
        raise LookupError("no unit with 50+ events in the data")

    def run() -> None:
        unit, events = b.pick(b.heavy_units)
        with b.db.session() as s:
            if len(queries.list_unit_history(s, unit)) != events:
                raise Unexpected("history length differs")
    return run


def _intake_ids(b: Bench) -> tuple[int, int, list[int]]:
    actor, _email = b.user("intake", b.big_center)
    models = [r[0] for r in b.rows("SELECT id FROM product_models ORDER BY id LIMIT 500")]
    return actor, b.big_center, models


_serials = itertools.count(int(time.time()) % 10**6 * 10**5)


def _new_order(b: Bench, actor_id: int, center_id: int, models: list[int]) -> str:
    """One intake, the whole transaction: customer, unit, numbered order, history event, commit."""
    n = next(_serials)
    with b.db.session() as s:
        actor, center = s.get(User, actor_id), s.get(ServiceCenter, center_id)
        model = s.get(ProductModel, b.pick(models))
        customer = create_customer(s, name="Проверочный Клиент Бенчевич", phone=f"+7999{n % 10**7:07d}")
        unit = register_unit(s, model=model, serial=f"BN{n:011d}", owner=customer)
        order = create_order(s, actor, center=center, customer=customer, unit=unit, fault="Не включается",
                             condition="Без видимых повреждений", accessories=["Шнур питания"])
        number = order.number
        s.commit()
    return number


@operation("domain.intake", "Intake of a new order (full transaction, commit)", "domain", INTAKE_MS)
def _intake(b: Bench) -> Timed:
    ids = _intake_ids(b)
    return lambda: _new_order(b, *ids)


@operation("domain.transition", "State transition received → diagnosis (commit)", "domain", INTAKE_MS)
def _transition(b: Bench) -> Timed:
    ids = _intake_ids(b)
    engineer, _email = b.user("engineer", b.big_center)
    fresh: list[str] = []

    def run() -> None:
        number = fresh.pop()
        with b.db.session() as s:
            order = queries.get_order_by_number(s, number)
            apply_transition(s, order, RepairState.DIAGNOSIS, s.get(User, engineer))
            s.commit()

    def before() -> None:  # untimed: orders at the counter waiting for an engineer, made in batches
        if not fresh:
            fresh.extend(_new_order(b, *ids) for _ in range(50))

    run.before = before  # type: ignore[attr-defined]
    return run


@operation("domain.team_lead_queue", "Team-lead queue: big center (~50,000 open), by due date, page 1", "domain",
           PAGE_MS)
def _queue(b: Bench) -> Timed:
    def run() -> None:
        with b.db.session() as s:
            list_queue(s, b.big_center, QueueFilter(), utcnow(), "Europe/Moscow")
    return run


@operation("domain.search_number_prefix", "Call-center search by number prefix (≤1,000 matches)", "domain",
           PAGE_MS)
def _prefix(b: Bench) -> Timed:
    def run() -> None:
        with b.db.session() as s:
            queries.list_orders(s, q=b.pick(b.numbers)[:-3])
    return run


@operation("domain.customer_by_phone", "Customer by phone (indexed column)", "domain", PAGE_MS)
def _phone(b: Bench) -> Timed:
    def run() -> None:
        with b.db.session() as s:
            if not find_customers_by_phone(s, b.pick(b.phones)):
                raise Unexpected("phone not found")
    return run


# ---------------------------------------------------------------- the real HTTP stack (test client)
@operation("http.scan_redirect", "GET /orders/?number= (scan → 302)", "http", SCAN_MS)
def _http_scan(b: Bench) -> Timed:
    return _get(b, "engineer", b.big_center, lambda: f"/orders/?number={b.pick(b.big_center_numbers)}", 302)


@operation("http.order_page", "GET /orders/<number> (engineer's order page)", "http", PAGE_MS)
def _http_order(b: Bench) -> Timed:
    return _get(b, "engineer", b.big_center, lambda: f"/orders/{b.pick(b.big_center_numbers)}")


@operation("http.order_page_heavy", "GET /orders/<number> (order page of a unit with 50+ history events)", "http",
           PAGE_MS)
def _http_order_heavy(b: Bench) -> Timed:
    center, numbers = b.heavy_orders
    if not numbers:
        raise LookupError("no unit with 50+ events in the data")
    return _get(b, "engineer", center, lambda: f"/orders/{b.pick(numbers)}")


@operation("http.team_lead", "GET /team-lead/ (big center queue)", "http", PAGE_MS)
def _http_team_lead(b: Bench) -> Timed:
    return _get(b, "team_lead", b.big_center, lambda: "/team-lead/")


@operation("http.team_lead_overdue", "GET /team-lead/?deadline=overdue (big center, page 1)", "http", PAGE_MS)
def _http_team_lead_overdue(b: Bench) -> Timed:
    return _get(b, "team_lead", b.big_center, lambda: "/team-lead/?deadline=overdue")


@operation("http.team_lead_page_100", "GET /team-lead/?page=100 (big center, deep in the queue)", "http", PAGE_MS)
def _http_team_lead_deep(b: Bench) -> Timed:
    return _get(b, "team_lead", b.big_center, lambda: "/team-lead/?page=100")


@operation("http.team_lead_board", "GET /team-lead/board (deadline board, big center)", "http", PAGE_MS)
def _http_team_lead_board(b: Bench) -> Timed:
    return _get(b, "team_lead", b.big_center, lambda: "/team-lead/board")


@operation("http.team_lead_figures", "GET /team-lead/figures (week and month, big center)", "http", PAGE_MS)
def _http_team_lead_figures(b: Bench) -> Timed:
    return _get(b, "team_lead", b.big_center, lambda: "/team-lead/figures")


@operation("http.call_center", "GET /call-center/?q=<order number> (the caller reads the number)", "http", PAGE_MS)
def _http_call_center(b: Bench) -> Timed:
    return _get(b, "call_center", None, lambda: f"/call-center/?q={b.pick(b.numbers)}")


def _as_typed(phone: str) -> str:
    """+79161234567 as an operator types it from a caller: 8 (916) 123-45-67."""
    d = phone[-10:]
    return f"8 ({d[:3]}) {d[3:6]}-{d[6:8]}-{d[8:]}"


@operation("http.phone_search", "GET /call-center/?q=<phone as typed> (call-center search by phone)", "http",
           PAGE_MS)
def _http_phone_search(b: Bench) -> Timed:
    return _get(b, "call_center", None, lambda: f"/call-center/?q={quote(_as_typed(b.pick(b.phones)))}")


@operation("http.name_search", "GET /call-center/?q=<surname> (call-center search by name)", "http", PAGE_MS)
def _http_name_search(b: Bench) -> Timed:
    return _get(b, "call_center", None, lambda: f"/call-center/?q={quote(b.pick(b.surnames))}")


@operation("http.call_center_landing", "GET /call-center/ (landing page, no search)", "http", PAGE_MS)
def _http_call_center_landing(b: Bench) -> Timed:
    return _get(b, "call_center", None, lambda: "/call-center/")


@operation("http.engineer", "GET /engineer/ (my queue + waiting)", "http", PAGE_MS)
def _http_engineer(b: Bench) -> Timed:
    return _get(b, "engineer", b.big_center, lambda: "/engineer/")


@operation("http.intake_page", "GET /intake/ (counter queues)", "http", PAGE_MS)
def _http_intake(b: Bench) -> Timed:
    return _get(b, "intake", b.big_center, lambda: "/intake/")


@operation("http.warehouse", "GET /warehouse/ (awaiting parts)", "http", PAGE_MS)
def _http_warehouse(b: Bench) -> Timed:
    return _get(b, "warehouse", b.big_center, lambda: "/warehouse/")


@operation("http.logistics", "GET /logistics/ (the center's last 100 shipments)", "http", PAGE_MS)
def _http_logistics(b: Bench) -> Timed:
    return _get(b, "logistics", b.logistics_center, lambda: "/logistics/")


@operation("http.partner", "GET /partner/ (walled session, biggest partner)", "http", PAGE_MS)
def _http_partner(b: Bench) -> Timed:
    if b.big_partner is None:
        raise LookupError("no partner center with orders")
    return _get(b, "partner", b.big_partner, lambda: "/partner/")


_intakes = itertools.count(int(time.time()) % 10**6 * 10**4)


def intake_form(b: Bench) -> dict[str, str]:
    """The counter's intake form as a browser posts it (unique token, serial and phone per call)."""
    n = next(_intakes)
    model = b.first_model
    return {"token": f"bench-{n}", "serial": f"BH{n:012d}", "model_id": str(model),
            "customer_name": "Проверочный Клиент Бенчевич", "customer_phone": f"+7998{n % 10**7:07d}",
            "customer_kind": "person", "fault": "Не включается", "order_type": "paid", "priority": "normal",
            "purchase_date": "2021-03-15", "seller": "DNS", "warranty": "auto",
            "condition_note": "Без видимых повреждений"}


@operation("http.intake_form", "GET /intake/new (the counter's intake form)", "http", PAGE_MS)
def _http_intake_form(b: Bench) -> Timed:
    return _get(b, "intake", b.big_center, lambda: "/intake/new")


@operation("http.intake", "POST /intake/new (intake through the counter form → 302)", "http", INTAKE_MS)
def _http_intake(b: Bench) -> Timed:
    client = b.client("intake", b.big_center)
    token = b.csrf_token(client, "/intake/new")

    shown = []

    def run() -> None:
        answer = client.post("/intake/new", data={**intake_form(b), "csrf_token": token})
        if answer.status_code != 302:
            raise Unexpected(f"POST /intake/new answered {answer.status_code}")
        shown.append(answer.location)

    def before() -> None:  # untimed: the clerk sees the new order, and its flash leaves the cookie
        if shown:
            client.get(shown.pop())

    run.before = before  # type: ignore[attr-defined]
    return run


@operation("http.scan_unit", "GET /intake/scan?code=<serial> (unit scan → 302)", "http", SCAN_MS)
def _http_scan_unit(b: Bench) -> Timed:
    return _get(b, "intake", b.big_center, lambda: f"/intake/scan?code={b.pick(b.unit_keys)[1]}", 302)


@operation("http.unit_history", "GET /intake/units/<id> (unit card, 50+ events)", "http", PAGE_MS)
def _http_unit(b: Bench) -> Timed:
    if not b.heavy_units:
        raise LookupError("no unit with 50+ events in the data")
    return _get(b, "intake", b.big_center, lambda: f"/intake/units/{b.pick(b.heavy_units)[0]}")


@operation("http.customer_search", "GET /intake/customers.json?q=<7 phone digits>", "http", PAGE_MS)
def _http_customers(b: Bench) -> Timed:
    return _get(b, "intake", b.big_center, lambda: f"/intake/customers.json?q={b.pick(b.phones)[-7:]}")


@operation("print.work_order_pdf", "GET /orders/<number>/work-order.pdf", "print", 300.0)
def _work_order(b: Bench) -> Timed:
    return _get(b, "intake", b.big_center, lambda: f"/orders/{b.pick(b.big_center_numbers)}/work-order.pdf")


@operation("print.label", "GET /orders/<number>/label.pdf (unit label)", "print", PAGE_MS)
def _label(b: Bench) -> Timed:
    return _get(b, "intake", b.big_center, lambda: f"/orders/{b.pick(b.big_center_numbers)}/label.pdf")


# ---------------------------------------------------------------- reference (a): one raw SQL query
# The same query the bare app (reference (b), bench/throughput.py) runs: the order with its
# customer, unit and center, as get_order_by_number loads them.
@operation("raw.scan_order", "Reference (a): the scan lookup as one psycopg query", "raw")
def _raw_scan(b: Bench) -> Timed:
    conn = b.raw

    def run() -> None:
        if conn.execute(SCAN_SQL, (b.pick(b.numbers),)).fetchone() is None:
            raise Unexpected("order not found")
    return run


# ---------------------------------------------------------------- not in the application yet
# ---------------------------------------------------------------- shipments (issue 5)
SCAN_ADD_MS, DISPATCH_500_MS = 50.0, 2000.0  # the targets


def _shipment_size(b: Bench) -> int:
    """500 units on the full network; a few dozen on the smoke test's tiny one (its setup is untimed but
    would take minutes: every unit is a fresh intake)."""
    orders = b.rows("SELECT count(*) FROM repair_orders")[0][0]
    return max(20, min(500, orders // 2000))


def _shipping_ends(b: Bench) -> tuple[int, int, int, int]:
    """(origin warehouse, destination warehouse, the sending center, an admin who acts at both ends)."""
    center = b.logistics_center
    origin = b.rows("SELECT id FROM locations WHERE center_id = %s AND kind = 'warehouse' ORDER BY is_main DESC, id "
                    "LIMIT 1", (center,))
    target = b.rows("SELECT l.id FROM locations l JOIN service_centers c ON c.id = l.center_id WHERE c.kind = 'own' "
                    "AND l.center_id <> %s AND l.kind = 'warehouse' ORDER BY c.is_head_office DESC, l.is_main DESC, "
                    "l.id LIMIT 1", (center,))
    if not origin or not target:
        raise LookupError("no two warehouses to ship between")
    admin, _email = b.user("admin")
    return origin[0][0], target[0][0], center, admin


def _open_shipment(b: Bench, origin: int, target: int, actor: int) -> str:
    from servicecenter.centers.models import Location
    from servicecenter.shipments.services import create_shipment

    with b.db.session() as s:
        number = create_shipment(s, s.get(User, actor), origin=s.get(Location, origin),
                                 destination=s.get(Location, target)).number
        s.commit()
    return number


@operation("domain.shipment_scan_add", "Shipment: scan a unit into a shipment (commit)", "domain", SCAN_ADD_MS)
def _shipment_scan_add(b: Bench) -> Timed:
    """A fresh order received at the sending center (untimed), then its label scanned into an open
    shipment: load the shipment, check where the unit is and that no other shipment holds it, add, commit."""
    from servicecenter.shipments.queries import get_shipment
    from servicecenter.shipments.services import add_scanned

    origin, target, center, admin = _shipping_ends(b)
    intake, _email = b.user("intake", center)
    models = [r[0] for r in b.rows("SELECT id FROM product_models ORDER BY id LIMIT 500")]
    number = _open_shipment(b, origin, target, admin)
    scanned: list[str] = []

    def run() -> None:
        with b.db.session() as s:
            add_scanned(s, s.get(User, admin), get_shipment(s, number, with_items=False), scanned[-1])
            s.commit()

    run.before = lambda: scanned.append(_new_order(b, intake, center, models))  # type: ignore[attr-defined]
    return run


@operation("domain.dispatch_500", "Shipment: dispatch 500 units (one transaction, commit)", "domain",
           DISPATCH_500_MS)
def _dispatch_500(b: Bench) -> Timed:
    """500 units go back and forth between two warehouses: before each call (untimed) the last shipment is
    received at its destination and the next one is built there by scanning; the call dispatches it."""
    from servicecenter.centers.models import Location
    from servicecenter.shipments.dispatch import dispatch_shipment
    from servicecenter.shipments.queries import get_shipment
    from servicecenter.shipments.receiving import complete_receipt, receive_scanned
    from servicecenter.shipments.services import add_scanned, create_shipment

    origin, target, center, admin = _shipping_ends(b)
    intake, _email = b.user("intake", center)
    models = [r[0] for r in b.rows("SELECT id FROM product_models ORDER BY id LIMIT 500")]
    numbers = [_new_order(b, intake, center, models) for _ in range(_shipment_size(b))]
    state = {"ends": (origin, target), "travelling": ""}

    def build() -> None:
        with b.db.session() as s:
            me = s.get(User, admin)
            if state["travelling"]:
                shipment = get_shipment(s, state["travelling"], with_items=False)
                for code in numbers:
                    receive_scanned(s, me, shipment, code)
                complete_receipt(s, me, shipment)
                state["ends"] = state["ends"][::-1]
            source, destination = state["ends"]
            shipment = create_shipment(s, me, origin=s.get(Location, source), destination=s.get(Location, destination))
            for code in numbers:
                add_scanned(s, me, shipment, code)
            state["next"] = shipment.number
            s.commit()

    def run() -> None:
        with b.db.session() as s:
            dispatch_shipment(s, s.get(User, admin), get_shipment(s, state["next"], with_items=False),
                              carrier="СДЭК", tracking="BENCH")
            s.commit()
        state["travelling"] = state["next"]

    run.before = build  # type: ignore[attr-defined]
    return run


@operation("domain.receive_500", "Shipment: 500 units scanned in and the receipt closed, in one transaction "
           "(at the desk each scan is its own request)", "domain")
def _receive_500(b: Bench) -> Timed:
    """The other half of the journey: before each call (untimed) 500 units are packed and dispatched at one
    end; the call scans all 500 in at the other end and closes the receipt, then the ends swap."""
    from servicecenter.centers.models import Location
    from servicecenter.shipments.dispatch import dispatch_shipment
    from servicecenter.shipments.queries import get_shipment
    from servicecenter.shipments.receiving import complete_receipt, receive_scanned
    from servicecenter.shipments.services import add_scanned, create_shipment

    origin, target, center, admin = _shipping_ends(b)
    intake, _email = b.user("intake", center)
    models = [r[0] for r in b.rows("SELECT id FROM product_models ORDER BY id LIMIT 500")]
    numbers = [_new_order(b, intake, center, models) for _ in range(_shipment_size(b))]
    state = {"ends": (origin, target), "travelling": ""}

    def send() -> None:
        with b.db.session() as s:
            me = s.get(User, admin)
            source, destination = state["ends"]
            shipment = create_shipment(s, me, origin=s.get(Location, source), destination=s.get(Location, destination))
            for code in numbers:
                add_scanned(s, me, shipment, code)
            dispatch_shipment(s, me, shipment, carrier="СДЭК", tracking="BENCH")
            state["travelling"] = shipment.number
            s.commit()

    def run() -> None:
        with b.db.session() as s:
            me = s.get(User, admin)
            shipment = get_shipment(s, state["travelling"], with_items=False)
            for code in numbers:
                receive_scanned(s, me, shipment, code)
            complete_receipt(s, me, shipment)
            s.commit()
        state["ends"] = state["ends"][::-1]

    run.before = send  # type: ignore[attr-defined]
    return run


def _located_units(b: Bench) -> list[tuple[int, str, int]]:
    """(unit id, serial, center) of units that have moves and sit at a center with a warehouse clerk."""
    return [tuple(r) for r in b.rows(
        "SELECT u.id, u.serial, l.center_id FROM units u JOIN locations l ON l.id = u.location_id "
        "WHERE l.center_id IN (SELECT center_id FROM users WHERE role = 'warehouse' AND active) "
        "AND EXISTS (SELECT 1 FROM stock_moves m WHERE m.unit_id = u.id) ORDER BY random() LIMIT 200")]


@operation("domain.where_is", "Where is it: a unit's location and its trail of moves", "domain", SCAN_MS)
def _where_is(b: Bench) -> Timed:
    from servicecenter.equipment.models import Unit
    from servicecenter.stock.warehouse import get_whereabouts

    units = _located_units(b)
    if not units:
        raise LookupError("no unit with moves in the data")

    def run() -> None:
        unit_id, _serial, center = b.pick(units)
        with b.db.session() as s:
            if not get_whereabouts(s, s.get(Unit, unit_id), center).trail:
                raise Unexpected(f"unit {unit_id} has no trail")
    return run


@operation("http.where_is", "GET /warehouse/where?code=<serial> (warehouse clerk)", "http", PAGE_MS)
def _http_where_is(b: Bench) -> Timed:
    from urllib.parse import quote

    units = _located_units(b)
    if not units:
        raise LookupError("no unit with moves in the data")
    center = units[0][2]
    serials = [serial for _id, serial, c in units if c == center]
    return _get(b, "warehouse", center, lambda: f"/warehouse/where?code={quote(b.pick(serials))}")




# ---------------------------------------------------------------- reports (issue 9)
REPORT_MS = 2000.0


def _report_filter(b: Bench, center: int | None = None):  # noqa: ANN202
    """The last full year of the data up to the bench's "now" (its newest order), in REPORT_TZ."""
    from datetime import timedelta

    from servicecenter.clock import local_date
    from servicecenter.reports.base import REPORT_TZ, ReportFilter

    newest = b.rows("SELECT max(created_at) FROM repair_orders")[0][0]
    last = local_date(newest, REPORT_TZ) - timedelta(days=1)
    return ReportFilter(last - timedelta(days=364), last, center_id=center)


def _report(key: str, big_center: bool) -> Callable[[Bench], Timed]:
    def prepare(b: Bench) -> Timed:
        import servicecenter.reports  # noqa: F401  (registers the reports)
        from servicecenter.reports.base import REPORTS

        flt = _report_filter(b, b.big_center if big_center else None)
        fn = REPORTS[key][1]

        def run() -> None:
            with b.db.session() as s:
                fn(s, flt)
        return run
    return prepare


for _key in ("repairs", "turnaround", "deadlines", "failures", "load", "money"):
    operation(f"domain.report.{_key}", f"Report {_key}: last year, all centers", "domain", REPORT_MS)(
        _report(_key, False))
    operation(f"domain.report.{_key}_center", f"Report {_key}: last year, the big center", "domain", REPORT_MS)(
        _report(_key, True))
