"""The JSON API's access matrix, generated from its OpenAPI document (issue 11).

Every operation with a path parameter is called by a partner (EKB) with identifiers of its own
center, of another partner (NSK), of our own network's centers (MSK, SPB) and that do not exist, and
by our own staff (an MSK engineer and counter clerk) with the partners' and another own center's
(SPB's). What must hold:
- for the partner, another center's object answers exactly like a missing one (the same status and
  problem type), never a success;
- our own network's staff are not walled (they read every center's records: a routed unit's order,
  its history), but they act only on their own center's: no write on a partner's or another own
  center's object succeeds;
- nothing changes in the database on any of those calls;
- no answer to the partner, nor any list it reads, carries another center's marker strings.
A new path parameter without a resolver below fails the test: every later endpoint is swept too.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

from servicecenter.accounts.roles import Role
from servicecenter.accounts.tokens import create_token
from servicecenter.attachments import store_photos
from servicecenter.centers.models import CenterKind
from servicecenter.db import Base
from servicecenter.deadlines.rules import add_calendar_day, save_rule
from servicecenter.diagnostics.catalogue import create_checklist_item, create_code
from servicecenter.filejobs.services import request_work_orders
from servicecenter.knowledge import services as knowledge
from servicecenter.maintenance.services import create_plan
from servicecenter.pricing.services import create_labour_item
from servicecenter.repairs import estimates
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.states import RepairState
from servicecenter.shipments.services import add_scanned, create_shipment
from servicecenter.stock import counts
from servicecenter.stock.identify import identify
from servicecenter.stock.services import reserve_part
from servicecenter.webhooks.services import create_subscription
from tests.api.conftest import ApiClient
from tests.domain.test_estimates import make_part, receive_stock
from tests.factories import Factory
from tests.settlement_fixtures import settlement_world
from workstations.api.spec import build_spec

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass
class Site:
    """One center's objects, by (the path's first segment, the parameter's name)."""
    code: str
    marker: str
    values: dict[tuple[str, str], Any]


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(out, "PNG")
    return out.getvalue()


def _site(factory: Factory, session, center, model, marker: str, ship_to, uploads: Path) -> Site:  # noqa: ANN001
    customer = factory.customer(f"{marker} Клиентов", phone=None)
    order = factory.order(center, RepairState.DIAGNOSIS, customer=customer,
                          unit=factory.unit(model, serial=f"{marker}SN1", owner=customer), fault=f"{marker} течёт")
    bench = factory.staff(center, Role.PARTNER if center.kind == CenterKind.PARTNER else Role.ENGINEER)
    line = estimates.add_line(session, bench, order, kind="free", quantity=1, description=f"{marker} работа",
                              unit_price="100")
    warehouse = next(loc for loc in center.locations if loc.is_main)
    sender = factory.staff(center, Role.PARTNER if center.kind == CenterKind.PARTNER else Role.LOGISTICS)
    destination = next(loc for loc in ship_to.locations if loc.is_main)
    shipment = create_shipment(session, sender, origin=warehouse, destination=destination, note=f"{marker} груз")
    item = add_scanned(session, sender, shipment, order.number)
    part = make_part(session, sku=f"PART-{center.code}")  # the catalogue is the network's: no marker
    receive_stock(session, center, part, 5)
    reservation = reserve_part(session, bench, order, part, 1)[0]
    counting = {}
    if center.kind != CenterKind.PARTNER:  # counts are our own warehouses' work
        clerk = factory.staff(center, Role.WAREHOUSE)
        count = counts.start_count(session, clerk, center.id, warehouse)
        counted = counts.count_scanned(session, clerk, count, identify(session, center.id, part.sku), None, 1)
        counting = {("stock-counts", "count_id"): count.id, ("stock-counts", "line_id"): counted.line.id}
    [photo] = store_photos(session, bench, order, [(f"{marker}.png", _png())], uploads)
    requester = factory.staff(center, Role.PARTNER if center.kind == CenterKind.PARTNER else Role.TEAM_LEAD)
    job = request_work_orders(session, requester, [order], f"{marker}.pdf")
    session.flush()
    return Site(center.code, marker, {
        ("repair-orders", "number"): order.number,
        ("repair-orders", "line_id"): line.id,
        ("repair-orders", "reservation_id"): reservation.id,
        ("units", "unit_id"): order.unit_id,
        ("scan", "code"): order.number,
        ("shipments", "number"): shipment.number,
        ("shipments", "item_id"): item.item.id,
        ("customers", "customer_id"): order.customer_id,
        ("attachments", "attachment_id"): photo.id,
        ("file-jobs", "job_id"): job.id,
        **counting,
        ("warehouse", "number"): order.number,
        ("knowledge", "number"): order.number,
        ("service-centers", "center_id"): center.id,
        ("locations", "location_id"): warehouse.id,
        ("users", "user_id"): bench.id,
        ("jobs", "outbox_id"): job.outbox_job_id,
    })


MISSING = {
    ("repair-orders", "number"): "EKB-2026-999999",
    ("repair-orders", "line_id"): 2_000_000_000,
    ("units", "unit_id"): 2_000_000_000,
    ("scan", "code"): "EKB-2026-999999",
    ("shipments", "number"): "SHP-EKB-2026-999999",
    ("shipments", "item_id"): 2_000_000_000,
    ("repair-orders", "reservation_id"): 2_000_000_000,
    ("customers", "customer_id"): 2_000_000_000,
    ("attachments", "attachment_id"): 2_000_000_000,
    ("file-jobs", "job_id"): 2_000_000_000,
    ("stock-counts", "count_id"): 2_000_000_000,
    ("stock-counts", "line_id"): 2_000_000_000,
    ("warehouse", "number"): "EKB-2026-999999",
    ("knowledge", "number"): "EKB-2026-999999",
    ("knowledge", "article_id"): 2_000_000_000,
    ("maintenance-plans", "plan_id"): 2_000_000_000,
    ("parts", "code"): "NO-SUCH-PART",
    ("service-centers", "center_id"): 2_000_000_000,
    ("locations", "location_id"): 2_000_000_000,
    ("users", "user_id"): 2_000_000_000,
    ("manufacturers", "manufacturer_id"): 2_000_000_000,
    ("models", "model_id"): 2_000_000_000,
    ("labour-items", "item_id"): 2_000_000_000,
    ("diagnosis-codes", "code_id"): 2_000_000_000,
    ("checklist-items", "item_id"): 2_000_000_000,
    ("deadline-rules", "rule_id"): 2_000_000_000,
    ("calendar-days", "day_id"): 2_000_000_000,
    ("webhooks", "subscription_id"): 2_000_000_000,
    ("webhook-deliveries", "delivery_id"): 2_000_000_000,
    ("jobs", "outbox_id"): 2_000_000_000,
    ("jobs", "job_id"): "outbox-2000000000",
    ("reports", "key"): "no-such-report",
    ("settlements/statements", "statement_id"): 2_000_000_000,
    ("settlements/statements", "line_id"): 2_000_000_000,
    ("settlements/claims", "claim_id"): 2_000_000_000,
    ("settlements/claims", "line_id"): 2_000_000_000,
    ("settlements/rate-cards", "card_id"): 2_000_000_000,
}
# The network's own records, not a center's: the catalogue, the price list, the codes and checklists,
# the deadline rules and calendar, webhooks and jobs. The same record is tried from every side; a
# partner or our staff may read some of them (the price list, the catalogue), and no write succeeds.
NETWORK = {("parts", "code"), ("manufacturers", "manufacturer_id"), ("models", "model_id"),
           ("labour-items", "item_id"), ("diagnosis-codes", "code_id"), ("checklist-items", "item_id"),
           ("deadline-rules", "rule_id"), ("calendar-days", "day_id"), ("webhooks", "subscription_id"),
           ("webhook-deliveries", "delivery_id"), ("jobs", "outbox_id"), ("jobs", "job_id"), ("reports", "key"),
           ("settlements/claims", "claim_id"), ("settlements/claims", "line_id"),
           ("settlements/rate-cards", "card_id")}


@dataclass
class Matrix:
    sites: dict[str, Site]
    tokens: dict[str, str]


@pytest.fixture
def matrix(factory: Factory, session, app) -> Matrix:  # noqa: ANN001
    msk = factory.center("MSK")
    ekb = factory.center("EKB", kind=CenterKind.PARTNER, city="Екатеринбург")
    nsk = factory.center("NSK", kind=CenterKind.PARTNER, city="Новосибирск")
    spb = factory.center("SPB", city="Санкт-Петербург")  # another center of our own network
    brand = factory.manufacturer("Атлант")
    model = factory.model(brand, months=24, name="СМА 60")
    for center in (msk, ekb, nsk, spb):
        center.brands.append(brand)
    session.flush()
    # the shipments: EKB's own to MSK; MSK's to NSK and NSK's to MSK, neither end of which is EKB
    uploads = Path(app.config["SETTINGS"].instance_path) / "uploads"
    sites = {"MSK": _site(factory, session, msk, model, "MRKMSKQ", nsk, uploads),
             "EKB": _site(factory, session, ekb, model, "MRKEKBQ", msk, uploads),
             "NSK": _site(factory, session, nsk, model, "MRKNSKQ", msk, uploads),
             "SPB": _site(factory, session, spb, model, "MRKSPBQ", nsk, uploads)}
    # Records of our own network that a partner never sees: a plan of MSK's, an unpublished article;
    # the partner's own: a published article.
    lead = factory.staff(msk, Role.TEAM_LEAD)
    plan = create_plan(session, lead, name="MRKMSKQ план", work="Чистка", scope="unit",
                       unit_serial="MRKMSKQSN1", schedule="every_months", every_months="6",
                       start_on=date.today().isoformat(), lead_days="7", action="reminder", active=True)
    draft = knowledge.create_article(session, lead, title="MRKMSKQ черновик", body="MRKMSKQ пока не готово")
    public = knowledge.create_article(session, lead, title="MRKEKBQ статья", body="Общедоступно",
                                      visibility="public", state="published")
    for code in ("MSK", "NSK"):
        sites[code].values.update({("maintenance-plans", "plan_id"): plan.id, ("knowledge", "article_id"): draft.id})
    sites["EKB"].values[("knowledge", "article_id")] = public.id
    admin = factory.staff(msk, Role.ADMIN)
    network = {
        ("parts", "code"): "PART-MSK",
        ("reports", "key"): "repairs",  # the same report for everyone; its figures are each one's own
        ("manufacturers", "manufacturer_id"): brand.id,
        ("models", "model_id"): model.id,
        ("labour-items", "item_id"): create_labour_item(session, admin, code="MATRIX-1", name="Диагностика",
                                                        price="500").id,
        ("diagnosis-codes", "code_id"): create_code(session, admin, category=model.category, kind="symptom",
                                                    code="S99", name="Не сливает").id,
        ("checklist-items", "item_id"): create_checklist_item(session, admin, category=model.category,
                                                              text="Проверить ТЭН").id,
        ("deadline-rules", "rule_id"): save_rule(session, admin, center_id=msk.id, diagnosis_days=2, repair_days=10,
                                                 margin=12, margin_unit="hours", pause_on_approval=True)[0].id,
        ("calendar-days", "day_id"): add_calendar_day(session, admin, center_id=msk.id,
                                                      day=date(2026, 12, 31), name="MRKMSKQ")[0].id,
        ("webhooks", "subscription_id"): create_subscription(session, admin, name="Vendor",
                                                             url="https://vendor.example/hook", on_created=True).id,
    }
    # the settlements: each partner's statement of its repair; the manufacturer's claim and the rate
    # cards are the head office's (a partner never sees a claim, even of its own repair)
    books = settlement_world(session, own=_order(session, sites["EKB"]),
                             foreign=[_order(session, sites["NSK"]), _order(session, sites["MSK"])],
                             kzn=ekb, ekb=nsk)
    for code, index in (("EKB", None), ("NSK", 0)):
        side = books["own"] if index is None else {k: v[index] for k, v in books["foreign"].items()}
        sites[code].values.update({("settlements/statements", "statement_id"): side["statement_id"],
                                   ("settlements/statements", "line_id"): side["statement_line_id"]})
    network.update({("settlements/claims", "claim_id"): books["own"]["claim_id"],
                    ("settlements/claims", "line_id"): books["own"]["claim_line_id"],
                    ("settlements/rate-cards", "card_id"): books["own"]["card_id"]})
    for site in sites.values():
        site.values.update(network)
    users = {"partner": factory.staff(ekb, Role.PARTNER), "engineer": factory.staff(msk, Role.ENGINEER),
             "intake": factory.staff(msk, Role.INTAKE)}
    tokens = {who: create_token(session, None, user, "matrix")[1] for who, user in users.items()}
    session.flush()
    return Matrix(sites, tokens)


def _order(session, site: Site) -> RepairOrder:  # noqa: ANN001
    return session.scalar(select(RepairOrder).where(RepairOrder.number == site.values[("repair-orders", "number")]))


def _operations() -> list[tuple[str, str, list[str]]]:
    spec = build_spec()
    shared = spec["components"]["parameters"]

    def resolved(p: dict[str, Any]) -> dict[str, Any]:
        return shared[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p

    ops = []
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                params = [resolved(p)["name"] for p in item[method].get("parameters", [])
                          if resolved(p).get("in") == "path"]
                assert sorted(params) == sorted(re.findall(r"{(\w+)}", path)), (method, path, params)
                ops.append((method, path, params))
    return ops


def _segment(path: str) -> str:
    """What a path's identifiers belong to: its first segment (settlements: its first two)."""
    parts = path.split("/")
    return "/".join(parts[1:3]) if parts[1] == "settlements" else parts[1]


def _fill(path: str, params: list[str], values: dict[tuple[str, str], Any]) -> str | None:
    """The path with this site's identifiers; None where the site has no such object."""
    segment = _segment(path)
    for name in params:
        if (segment, name) not in values:
            return None
        path = path.replace("{" + name + "}", str(values[(segment, name)]))
    return "/api/v1" + path


def _fingerprint(session) -> dict[str, tuple[int, int]]:  # noqa: ANN001
    """Rows per table, and the sum of row versions where there are any: a write shows."""
    session.expire_all()
    found = {}
    for table in Base.metadata.sorted_tables:
        versions = func.coalesce(func.sum(table.c.version), 0) if "version" in table.c else 0
        rows, summed = session.execute(select(func.count(), versions).select_from(table)).one()
        found[table.name] = (rows, summed)
    return found


def _answer(response: Any) -> tuple[int, str]:
    body = response.get_json(silent=True) if response.mimetype.endswith("json") else None
    return response.status_code, (body or {}).get("type", "")


def test_every_operation_with_an_identifier_keeps_the_wall(client, matrix: Matrix, session) -> None:  # noqa: ANN001
    operations = _operations()
    segments = {(_segment(path), name) for _m, path, params in operations for name in params}
    unresolved = sorted(segments - set(MISSING))
    assert not unresolved, f"path parameters without a resolver in this test: {unresolved}"
    partner, staff = (ApiClient(client, matrix.tokens[w]) for w in ("partner", "engineer"))
    intake = ApiClient(client, matrix.tokens["intake"])
    foreign_markers = [matrix.sites[c].marker for c in ("MSK", "NSK", "SPB")]
    before = _fingerprint(session)
    cells = Counter()
    leaks, differences, successes, tried = [], [], [], set()
    for method, path, params in operations:
        if not params:
            continue
        kw: dict[str, Any] = {} if method == "get" else {"json": {}}
        missing = _answer(partner.open(method.upper(), _fill(path, params, MISSING), **kw))
        shared = (_segment(path), params[-1]) in NETWORK
        for other in ("NSK", "MSK", "SPB"):
            url = _fill(path, params, matrix.sites[other].values)
            if url is None:
                continue
            response = partner.open(method.upper(), url, **kw)
            tried.add((method, path))
            cells["partner × network record" if shared else "partner × foreign"] += 1
            if not shared and _answer(response) != missing:
                differences.append((method, path, other, _answer(response), missing))
            if response.status_code < 400 and not (shared and method == "get"):
                successes.append(("partner", method, path, other, response.status_code))
            body = response.get_data()
            leaks += [(method, path, m) for m in foreign_markers if m.encode() in body]
        cells["partner × missing"] += 1
        for who, caller in (("engineer", staff), ("intake", intake)):
            for other in ("EKB", "NSK", "SPB"):
                url = _fill(path, params, matrix.sites[other].values)
                if url is None:
                    continue
                response = caller.open(method.upper(), url, **kw)
                cells["staff × another center's"] += 1
                if response.status_code < 400 and method != "get":
                    successes.append((who, method, path, other, response.status_code))
    assert differences == [], differences  # another center's object looks exactly like a missing one
    assert successes == [], successes
    assert leaks == [], leaks
    assert _fingerprint(session) == before  # nothing changed on any refusal
    print(f"\napi matrix: {dict(cells)} over {len([o for o in operations if o[2]])} operations with identifiers")
    # every operation met another's record (but the two whose records a test cannot make: a webhook
    # delivery and an RQ job; their absence is swept above)
    untried = {("post", "/webhook-deliveries/{delivery_id}/replay"), ("post", "/jobs/queue/{job_id}/retry")}
    assert tried == {(m, p) for m, p, params in operations if params} - untried


def test_the_partners_own_objects_and_lists_carry_no_other_centers_data(client, matrix: Matrix) -> None:  # noqa: ANN001
    partner = ApiClient(client, matrix.tokens["partner"])
    foreign_markers = [matrix.sites[c].marker for c in ("MSK", "NSK", "SPB")]
    own_marker, read, leaks = matrix.sites["EKB"].marker, [], []
    for method, path, params in _operations():
        if method != "get" or path == "/openapi.json":
            continue
        url = _fill(path, params, matrix.sites["EKB"].values)
        if url is None:
            continue
        response = partner.get(url)
        body = response.get_data()  # markers are ASCII: found in JSON, text and uncompressed bytes alike
        read.append((path, response.status_code, own_marker.encode() in body))
        leaks += [(path, m) for m in foreign_markers if m.encode() in body]
    assert leaks == []
    # the reads did work: the partner's own order, unit history and estimate show its own marker
    shown = {path for path, status, has_own in read if status == 200 and has_own}
    assert {"/repair-orders", "/repair-orders/{number}", "/repair-orders/{number}/estimate"} <= shown, read
