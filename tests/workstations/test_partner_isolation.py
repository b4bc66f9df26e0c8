"""The partner wall, walked from the URL map: a partner user meets another center's data nowhere.

Every route of the application (and so every API endpoint, once the API exists: it is in the same URL
map) is called by a partner engineer and by a partner manager, with identifiers that belong to another
center — another partner and the network's own center — in every parameter in turn. Each answer must
be 404, exactly the page a missing identifier gets, carry none of the other centers' marker strings,
and change nothing. Then every page the partner may open is read (HTML, PDF text, decoded barcodes)
with the other centers' numbers, serials, phones and names typed into every search and scan parameter:
the answer is the one a made-up value gets.

A new route whose parameter this test does not know fails `test_every_route_parameter_is_covered`:
add the parameter to `_ids` with an own and a foreign value of the right kind.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import PARTNER_ROLES, Role
from servicecenter.accounts.tokens import create_token
from servicecenter.centers.models import CenterKind, Location
from servicecenter.repairs.estimate_models import Estimate, EstimateLine, LineKind
from servicecenter.repairs.models import Attachment, AttachmentKind, RepairEvent, RepairOrder
from servicecenter.repairs.routing import route_to_center
from servicecenter.repairs.states import RepairState
from servicecenter.shipments.models import Shipment, ShipmentItem
from servicecenter.shipments.services import add_scanned, create_shipment
from servicecenter.stock.models import Part, Reservation
from tests.factories import bearer, csrf_token, login
from tests.settlement_fixtures import settlement_world
from tests.workstations.test_access import _readable
from workstations.web.access import policy_for

# Strings that exist only in the other centers' records: none may reach the partner.
MARKERS = {
    "ekb_name": "Маркерпартнёр Екатеринбург",
    "ekb_customer": "Чужоймаркер Клиент",
    "ekb_phone": "+79990001122",
    "ekb_serial": "FOREIGNSN7731",
    "ekb_fault": "Маркерная неисправность",
    "ekb_user": "Маркерный Инженер",
    "msk_customer": "Сетевоймаркер Покупатель",
    "msk_phone": "+79990003344",
    "msk_serial": "NETWORKSN5519",
    "msk_user": "Маркерный Приёмщик",
}
PUBLIC_SKIPPED = {"static"}  # static files carry no records


@dataclass
class World:
    own: dict[str, object] = field(default_factory=dict)  # the partner's own identifiers, by parameter
    foreign: dict[str, list[object]] = field(default_factory=dict)  # other centers' identifiers, by parameter
    missing: dict[str, object] = field(default_factory=dict)  # identifiers that exist nowhere
    users: dict[Role, User] = field(default_factory=dict)
    foreign_numbers: list[str] = field(default_factory=list)
    foreign_orders: list[RepairOrder] = field(default_factory=list)


def _attachment(session, order: RepairOrder, user: User) -> Attachment:  # noqa: ANN001
    row = Attachment(order_id=order.id, kind=AttachmentKind.INTAKE_PHOTO, stored_name=f"{secrets.token_hex(16)}.jpg",
                     original_name="шильдик.jpg", content_type="image/jpeg", size=10, width=1, height=1,
                     uploaded_by_id=user.id)
    session.add(row)
    session.flush()
    return row


def _estimate_line(session, order: RepairOrder) -> EstimateLine:  # noqa: ANN001
    estimate = Estimate(order_id=order.id)
    session.add(estimate)
    session.flush()
    line = EstimateLine(estimate_id=estimate.id, kind=LineKind.LABOUR, description="Замена модуля",
                        quantity=Decimal(1), unit_price=Decimal("1200.00"), net=Decimal("1000.00"),
                        vat=Decimal("200.00"), gross=Decimal("1200.00"))
    session.add(line)
    session.flush()
    return line


def _reservation(session, order: RepairOrder, part: Part) -> Reservation:  # noqa: ANN001
    location = session.scalar(select(Location).where(Location.center_id == order.center_id, Location.is_main))
    row = Reservation(part_id=part.id, order_id=order.id, location_id=location.id, quantity=1)
    session.add(row)
    session.flush()
    return row


def _file_job(session, user: User) -> int:  # noqa: ANN001
    """A background file (bulk labels, issue 7) asked for by `user`, of `user`'s center."""
    from servicecenter.filejobs.models import FileJob, FileJobKind

    row = FileJob(kind=FileJobKind.SHIPMENT_UNIT_LABELS, parameters={}, requested_by_id=user.id,
                  center_id=user.center_id, stored_name=f"{secrets.token_hex(16)}.pdf",
                  content_type="application/pdf", download_name="labels.pdf")
    session.add(row)
    session.flush()
    return row.id


def _shipment_with_unit(session, sender: User, origin_center, destination_center, order: RepairOrder):  # noqa: ANN001, ANN202
    ends = [next(loc for loc in c.locations if loc.is_main) for c in (origin_center, destination_center)]
    shipment = create_shipment(session, sender, origin=ends[0], destination=ends[1])
    outcome = add_scanned(session, sender, shipment, order.unit.serial)
    return shipment, outcome.item


@pytest.fixture
def world(factory, session) -> World:  # noqa: ANN001
    w = World()
    msk = factory.center("MSK", is_head_office=True)
    kzn = factory.center("KZN", kind=CenterKind.PARTNER, name="Партнёр Казань")
    ekb = factory.center("EKB", kind=CenterKind.PARTNER, name=MARKERS["ekb_name"])
    model = factory.model()
    part = Part(sku="PRT-ISO-1", name="Плата управления", unit_cost=Decimal("100"), price=Decimal("150"))
    session.add(part)
    session.flush()

    w.users[Role.PARTNER] = factory.user(kzn, Role.PARTNER, email="partner@kzn.test", name="Свой Инженер")
    w.users[Role.PARTNER_MANAGER] = factory.user(kzn, Role.PARTNER_MANAGER, email="manager@kzn.test")
    colleague = factory.user(kzn, Role.PARTNER, email="colleague@kzn.test", name="Коллега Казань")
    ekb_user = factory.user(ekb, Role.PARTNER, email="marker@ekb.test", name=MARKERS["ekb_user"])
    msk_user = factory.user(msk, Role.INTAKE, email="marker@msk.test", name=MARKERS["msk_user"])
    msk_logistics = factory.user(msk, Role.LOGISTICS)

    # The partner's own world.
    own = factory.order(kzn, state=RepairState.DIAGNOSIS, unit=factory.unit(model))
    # An order the network routed to the partner, its unit on a shipment from MSK to KZN.
    kzn.brands.append(model.manufacturer)
    own_sent = factory.order(msk, state=RepairState.RECEIVED, unit=factory.unit(model))
    route_to_center(session, factory.staff(msk, Role.TEAM_LEAD), own_sent, kzn)
    own_shipment, own_item = _shipment_with_unit(session, msk_logistics, msk, kzn, own_sent)

    # Another partner's world and the network's own center's world, full of markers.
    ekb_order = factory.order(ekb, state=RepairState.DIAGNOSIS, fault=MARKERS["ekb_fault"],
                              customer=factory.customer(MARKERS["ekb_customer"], phone=MARKERS["ekb_phone"]),
                              unit=factory.unit(model, serial=MARKERS["ekb_serial"]))
    msk_order = factory.order(msk, state=RepairState.DIAGNOSIS,
                              customer=factory.customer(MARKERS["msk_customer"], phone=MARKERS["msk_phone"]),
                              unit=factory.unit(model, serial=MARKERS["msk_serial"]))
    ekb_shipment, ekb_item = _shipment_with_unit(session, ekb_user, ekb, msk, ekb_order)
    msk_only = factory.order(msk, state=RepairState.RECEIVED, unit=factory.unit(model))
    spb = factory.center("SPB")
    msk_shipment, msk_item = _shipment_with_unit(session, msk_logistics, msk, spb, msk_only)

    w.foreign_orders = [ekb_order, msk_order]
    w.foreign_numbers = [ekb_order.number, msk_order.number, ekb_shipment.number, msk_shipment.number]
    # parameter → the partner's own value, and other centers' values
    w.own = {
        "number": own.number, "ref": own_shipment.number, "unit_id": own.unit_id, "user_id": colleague.id,
        "attachment_id": _attachment(session, own, w.users[Role.PARTNER]).id, "item_id": own_item.id,
        "estimate_line_id": _estimate_line(session, own).id, "reservation_id": _reservation(session, own, part).id,
        "job_id": _file_job(session, colleague), "customer_id": own.customer_id,
        "token_id": create_token(session, None, w.users[Role.PARTNER])[0].id,
    }
    w.foreign = {
        "number": [ekb_order.number, msk_order.number],
        "ref": [ekb_shipment.number, msk_shipment.number],
        "unit_id": [ekb_order.unit_id, msk_order.unit_id],
        "user_id": [ekb_user.id, msk_user.id, w.users[Role.PARTNER_MANAGER].id],  # a manager is not an engineer
        "attachment_id": [_attachment(session, o, ekb_user).id for o in (ekb_order, msk_order)],
        "item_id": [ekb_item.id, msk_item.id],
        "estimate_line_id": [_estimate_line(session, o).id for o in (ekb_order, msk_order)],
        "reservation_id": [_reservation(session, o, part).id for o in (ekb_order, msk_order)],
        "job_id": [_file_job(session, u) for u in (ekb_user, msk_user)],
        "customer_id": [ekb_order.customer_id, msk_order.customer_id],
        # API tokens: another center's users', and a colleague's (one's profile revokes one's own only)
        "token_id": [create_token(session, None, u)[0].id for u in (ekb_user, msk_user, colleague)],
    }
    w.missing = {"number": "EKB-2026-999999", "ref": "SHP-EKB-2026-999999", "int": 987654}
    _settlement_ids(session, w, own=own, foreign=[ekb_order, msk_order], kzn=kzn, ekb=ekb)
    _knowledge_ids(session, w, factory.staff(msk, Role.TEAM_LEAD), ekb_order.customer_id, own.customer_id)
    session.flush()
    return w


def _settlement_ids(session, w: World, *, own, foreign, kzn, ekb) -> None:  # noqa: ANN001
    """Statements, their lines, claims, claim lines and rate cards of the partner and of others."""
    ids = settlement_world(session, own=own, foreign=foreign, kzn=kzn, ekb=ekb)
    w.own.update(ids["own"])
    for key, values in ids["foreign"].items():
        w.foreign[key] = values


def _knowledge_ids(session, w: World, lead: User, foreign_customer_id: int, own_customer_id: int) -> None:  # noqa: ANN001
    """Knowledge base articles and files (issue 12): the partner reads partner articles and its own
    customers' sections; internal ones, drafts and another center's customer's section do not exist for it."""
    from servicecenter.knowledge.models import ArticleFile
    from servicecenter.knowledge.services import create_article

    def article(visibility: str, state: str = "published", customer_id: int | None = None) -> int:
        a = create_article(session, lead, title=f"Статья {visibility}", body="Текст", visibility=visibility,
                           customer_id=customer_id, state=state)
        row = ArticleFile(article_id=a.id, stored_name=f"{secrets.token_hex(16)}.png", original_name="a.png",
                          content_type="image/png", size=1)
        session.add(row)
        session.flush()
        return a.id

    own_article, own_section = article("partner"), article("customer", customer_id=own_customer_id)
    foreign = [article("internal"), article("partner", "draft"),
               article("customer", customer_id=foreign_customer_id)]
    file_of = {aid: session.scalar(select(ArticleFile.id).where(ArticleFile.article_id == aid))
               for aid in (own_article, own_section, *foreign)}
    w.own.update({"article_id": own_article, "file_id": file_of[own_section]})
    w.foreign.update({"article_id": foreign, "file_id": [file_of[a] for a in foreign]})


def _routes(app):  # noqa: ANN001, ANN202
    return [r for r in app.url_map.iter_rules() if r.endpoint not in PUBLIC_SKIPPED]


def _kind(rule, name: str) -> str:  # noqa: ANN001
    """The kind of record a parameter names (the same name means different records on different routes)."""
    if name == "number" and "/shipments/" in rule.rule:  # the API's shipments: a shipment number
        return "ref"
    if name == "line_id":
        for part, kind in (("/estimate/", "estimate_line_id"), ("/statements/", "statement_line_id"),
                           ("/claims/", "claim_line_id")):
            if part in rule.rule:
                return kind
    return name


def _params(rule) -> list[tuple[str, str]]:  # noqa: ANN001
    return re.findall(r"<(?:(\w+):)?(\w+)>", rule.rule)


def _url(rule, values: dict[str, object]) -> str:  # noqa: ANN001
    def arg(match: re.Match) -> str:
        return str(values[_kind(rule, match.group(2))])

    return re.sub(r"<(?:(\w+):)?(\w+)>", arg, rule.rule)


def _missing(w: World, kind: str, converter: str | None) -> object:
    return w.missing["int"] if converter == "int" else w.missing.get(kind, "no-such-thing")


# Parameters that never name a center's record.
NEUTRAL = {"code": "en", "filename": "style.css", "key": "repairs"}  # key: a report's (reports)


def test_every_route_parameter_is_covered(app, world) -> None:  # noqa: ANN001
    """A parameter of a route a partner may use must have own and foreign values here."""
    unknown = set()
    for rule in _routes(app):
        if not policy_for(rule.endpoint, app).admits(Role.PARTNER_MANAGER) and not policy_for(
                rule.endpoint, app).admits(Role.PARTNER):
            continue
        for _converter, name in _params(rule):
            kind = _kind(rule, name)
            if kind not in NEUTRAL and (kind not in world.own or kind not in world.foreign):
                unknown.add(f"{rule.rule}: {kind}")
    assert not unknown, f"teach the isolation test these parameters: {sorted(unknown)}"


def _same_page(a: str, b: str, a_value: str, b_value: str) -> bool:
    """Two pages are the same but for the identifier typed in and the CSRF token."""
    def norm(page: str, value: str) -> str:
        if not value.isdigit():  # a number id is not echoed; replacing "4" would blank every other 4
            for echoed in sorted({value, value.upper(), *_scanned(value)}, key=len, reverse=True):
                page = page.replace(echoed, "‹ID›")
        # the CSRF token is signed with the time; the language switch echoes the URL asked for
        return re.sub(r'<input[^>]*name="(csrf_token|next)"[^>]*>', "", page)

    return norm(a, a_value) == norm(b, b_value)


def _scanned(value: str) -> set[str]:
    """The value as a scan field echoes it back (a Russian-layout scan is read as the Latin keys)."""
    from servicecenter.errors import DomainError
    from servicecenter.scanning import normalise_scan

    try:
        return {normalise_scan(value)}
    except DomainError:
        return set()


def _diff(a: str, b: str) -> str:
    import difflib

    return "\n".join(difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0))


def _no_markers(body: str, allowed: tuple[str, ...] = ()) -> list[str]:
    return [m for m in MARKERS.values() if m in body and m not in allowed]


def _snapshot(session, w: World) -> tuple:  # noqa: ANN001
    session.expire_all()
    orders = tuple((o.state, o.version, o.center_id, o.engineer_id) for o in
                   session.scalars(select(RepairOrder).where(RepairOrder.id.in_([o.id for o in w.foreign_orders]))))
    counts = tuple(session.scalar(select(func.count()).select_from(model)) for model in
                   (RepairEvent, Attachment, ShipmentItem, Shipment, User, Reservation, EstimateLine))
    users = tuple(session.execute(select(User.id, User.active, User.role, User.center_id, User.password_hash,
                                         User.name).order_by(User.id)))
    shipments = tuple(session.execute(select(Shipment.id, Shipment.state).order_by(Shipment.id)))
    return orders, counts, users, shipments


@pytest.mark.parametrize("role", sorted(PARTNER_ROLES))
def test_another_centers_identifiers_are_not_found_on_every_route(app, client, session, world, role) -> None:  # noqa: ANN001
    user = world.users[Role(role)]
    login(client, user.email)
    bearer(client, user.email)  # the JSON API's routes are in the same URL map
    token = csrf_token(client.get("/partner/").get_data(as_text=True))
    before = _snapshot(session, world)
    checked = 0
    for rule in _routes(app):
        params = _params(rule)
        kinds = [_kind(rule, name) for _c, name in params]
        if not params or all(k in NEUTRAL for k in kinds):
            continue
        admitted = policy_for(rule.endpoint, app).admits(user.role)
        # Each parameter in turn takes each foreign value; the others keep the partner's own values, so
        # an own order with another center's line, reservation or attachment id is caught too.
        for i, (converter, _name) in enumerate(params):
            kind = kinds[i]
            if kind in NEUTRAL:
                continue
            foreign_values = world.foreign.get(kind) or [world.missing["int"] if converter == "int" else "x"]
            base = {k: (world.own.get(k) if admitted else (world.foreign.get(k) or [1])[0]) for k in kinds}
            base.update({k: v for k, v in NEUTRAL.items() if k in kinds})
            for value in foreign_values:
                url = _url(rule, {**base, kind: value})
                missing_url = _url(rule, {**base, kind: _missing(world, kind, converter)})
                for method in sorted(rule.methods & {"GET", "POST"}):
                    data = {"csrf_token": token, "to": "in_repair", "text": "x", "name": "Взлом", "role": "admin",
                            "email": "x@x.test", "password": "long-enough-1", "confirm": "long-enough-1",
                            "code": MARKERS["ekb_serial"], "quantity": "1", "reason": "x"}
                    r = client.open(url, method=method, data=data if method == "POST" else None)
                    body = r.get_data(as_text=True)
                    m = client.open(missing_url, method=method, data=data if method == "POST" else None)
                    if i == 0 or not admitted:
                        # the record the route is about, or a route the partner cannot use: not found
                        assert r.status_code == 404, (role, method, url, r.status_code)
                    else:
                        # another center's line, item or reservation under the partner's own record: the
                        # answer a made-up id gets (the own record's rules may refuse first), never success
                        assert r.status_code == m.status_code and r.status_code >= 400, (
                            role, method, url, r.status_code, m.status_code)
                    assert not _no_markers(body, (str(value),)), (method, url, _no_markers(body, (str(value),)))
                    if method == "GET":
                        assert m.status_code == 404, (method, missing_url)
                        assert _same_page(body, m.get_data(as_text=True), str(value),
                                          str(_missing(world, kind, converter))), (url, missing_url, _diff(
                                              body, m.get_data(as_text=True)))
                    checked += 1
    assert checked > 100
    assert _snapshot(session, world) == before, "a refused request changed something"


# What a person types or scans into a search or scan field; every one is tried on every page.
SEARCH_PARAMS = ("q", "code", "serial", "number", "search", "phone", "name", "ref", "customer")


@pytest.mark.parametrize("role", sorted(PARTNER_ROLES))
def test_searches_scans_lists_documents_show_nothing_of_another_center(app, client, world, role) -> None:  # noqa: ANN001
    user = world.users[Role(role)]
    login(client, user.email)
    bearer(client, user.email)  # the JSON API's routes are in the same URL map
    probes = [MARKERS["ekb_serial"], MARKERS["msk_serial"], MARKERS["ekb_phone"], MARKERS["msk_phone"],
              MARKERS["ekb_customer"].split()[0], MARKERS["msk_customer"].split()[0], *world.foreign_numbers,
              "EKB"]
    made_up = ["ZZNOSUCH0001", "ZZNOSUCH0002", "+79990009999", "+79990008888", "Небывалов", "Несуществов",
               "EKB-2026-888888", "MSK-2026-888888", "SHP-EKB-2026-888888", "SHP-MSK-2026-888888", "QQQ"]
    pages = 0
    for rule in _routes(app):
        if "GET" not in rule.methods or not policy_for(rule.endpoint, app).admits(user.role):
            continue
        if policy_for(rule.endpoint, app).public:
            continue
        kinds = [_kind(rule, name) for _c, name in _params(rule)]
        url = _url(rule, {k: world.own[k] if k in world.own else NEUTRAL[k] for k in kinds})
        plain = _readable(client.get(url, follow_redirects=True))
        assert not _no_markers(plain), (url, _no_markers(plain))
        for n in world.foreign_numbers:
            assert n not in plain, (url, n)
        joiner = "&" if "?" in url else "?"
        for probe, fake in zip(probes, made_up, strict=True):
            # every search or scan parameter a view might read, at once
            found = client.get(url + joiner, query_string={p: probe for p in SEARCH_PARAMS}, follow_redirects=True)
            body = _readable(found)
            leaked = [m for m in (*MARKERS.values(), *world.foreign_numbers) if m in body and m not in probe
                      and probe not in m]
            assert not leaked, (url, probe, leaked)
            if found.mimetype == "text/html":
                other = client.get(url + joiner, query_string={p: fake for p in SEARCH_PARAMS}, follow_redirects=True)
                assert found.status_code == other.status_code, (url, probe)
                assert _same_page(body, other.get_data(as_text=True), probe, fake), (
                    url, probe, _diff(body, other.get_data(as_text=True)))
        pages += 1
    assert pages >= 10
