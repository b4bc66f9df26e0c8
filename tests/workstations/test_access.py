"""Access, generated from the URL map: every route declares a policy, and the policy holds."""

from __future__ import annotations

import re

import pytest
from flask import url_for

from servicecenter.accounts.roles import PARTNER_ROLES, Role
from servicecenter.centers.models import CenterKind
from servicecenter.repairs.states import RepairState
from servicecenter.shipments.services import create_shipment
from servicecenter.stock.models import Part
from tests.factories import bearer, csrf_token, login
from workstations.web.access import policy_for


def _routes(app):  # noqa: ANN001, ANN202
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def test_every_route_declares_its_policy(app) -> None:  # noqa: ANN001
    missing = [r.rule for r in _routes(app) if policy_for(r.endpoint, app) is None]
    assert missing == [], f"routes without an access policy: {missing}"


def _sample_url(rule, values):  # noqa: ANN001, ANN202
    """The rule with sample arguments: order numbers, ids, a language code."""
    def arg(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        if name == "number" and "/shipments/" in rule.rule:  # the API's shipments: a shipment number
            return values["shipment"]
        if name == "number" and "/api/v1/warehouse/picks/" in rule.rule and "pick" in values:
            return values["pick"]  # the API's pick lists: an order of the warehouse's own center
        if name == "code" and rule.rule.startswith("/api/v1/parts/") and "part" in values:
            return values["part"]  # the API's parts catalogue: a part's SKU
        if name == "number":
            return values["number"]
        if name == "ref":  # a shipment number (logistics)
            return values["shipment"]
        if converter == "int":
            return str(values["id"])
        if name == "key":  # a report's key (reports)
            return "repairs"
        if name == "code" and "/scan/" in rule.rule:  # a scanned code (the API's scan): an order number
            return values["number"]
        return "en" if name == "code" else "x"

    return re.sub(r"<(?:(\w+):)?(\w+)>", arg, rule.rule)


@pytest.fixture
def world(factory):  # noqa: ANN001, ANN201
    msk = factory.center("MSK")
    kzn = factory.center("KZN", kind=CenterKind.PARTNER)
    ekb = factory.center("EKB", kind=CenterKind.PARTNER, name="Партнёр Екатеринбург")
    users = {role: factory.user(msk, role, email=f"{role.value}@msk.test") for role in Role if role not in PARTNER_ROLES}
    users[Role.PARTNER] = factory.user(kzn, Role.PARTNER, email="partner@kzn.test")
    users[Role.PARTNER_MANAGER] = factory.user(kzn, Role.PARTNER_MANAGER, email="manager@kzn.test")
    own = factory.order(kzn, state=RepairState.DIAGNOSIS)
    foreign = factory.order(ekb, state=RepairState.DIAGNOSIS,
                            customer=factory.customer("Чужой Клиент Екатеринбурга", phone="+79990001122"))
    # A shipment from MSK to the partner KZN: both ends' users may open it.
    ends = [next(loc for loc in c.locations if loc.is_main) for c in (msk, kzn)]
    shipment = create_shipment(factory.session, users[Role.LOGISTICS], origin=ends[0], destination=ends[1])
    pick = factory.order(msk, state=RepairState.DIAGNOSIS)
    factory.session.add(Part(sku="ACCESS-P1", name="Плата"))
    factory.session.flush()
    return {"users": users, "own": own, "foreign": foreign, "msk": msk, "shipment": shipment.number,
            "pick": pick.number, "part": "ACCESS-P1"}


@pytest.mark.parametrize("role", list(Role))
def test_role_matrix_over_every_get_route(app, client, world, role) -> None:  # noqa: ANN001
    """Each role gets 200/redirect where its policy admits it and 403 elsewhere (a partner 404: what it
    may not use does not exist for it); never a 500."""
    login(client, world["users"][role].email)
    bearer(client, world["users"][role].email)  # the same user on the JSON API's routes
    number = world["own"].number if role in PARTNER_ROLES else world["foreign"].number
    for rule in _routes(app):
        if "GET" not in rule.methods or rule.endpoint in ("auth.login",):
            continue
        url = _sample_url(rule, {"number": number, "id": 1, "shipment": world["shipment"], "pick": world["pick"],
                                 "part": world["part"]})
        status = client.get(url).status_code
        admitted = policy_for(rule.endpoint, app).admits(role)
        if admitted and "<int:" in rule.rule:
            assert status in (200, 302, 404), (role, url, status)  # id 1 may not exist; never 403 or 500
        elif admitted:
            assert status in (200, 302, 409), (role, url, status)  # 409: not in a state for it (e.g. no act yet)
        else:
            assert status == (404 if role in PARTNER_ROLES else 403), (role, url, status)


def test_partner_gets_404_for_another_centers_order_on_every_order_route(app, client, world) -> None:  # noqa: ANN001
    login(client, world["users"][Role.PARTNER].email)
    bearer(client, world["users"][Role.PARTNER].email)
    token = csrf_token(client.get("/partner/").get_data(as_text=True))
    events_before = len(world["foreign"].events)
    foreign, missing = world["foreign"].number, "EKB-2026-999999"
    for rule in _routes(app):
        if "<number>" not in rule.rule or "/shipments/" in rule.rule:  # the API's shipments: not orders
            continue
        # Every route answers 404: one the partner may use because the order is not its own, one it
        # may not use at all because it does not exist for it — the same for another center's number
        # as for a number that does not exist.
        expected = 404
        for number in (foreign, missing):
            url = _sample_url(rule, {"number": number, "id": 1, "shipment": world["shipment"]})
            for method in sorted(rule.methods & {"GET", "POST"}):
                r = client.open(url, method=method, data={"csrf_token": token, "to": "in_repair", "text": "x"})
                body = r.get_data(as_text=True)
                assert r.status_code == expected, (method, url, r.status_code)
                assert "Чужой Клиент" not in body and "Екатеринбург" not in body
    # the answer for a foreign number is exactly the answer for a missing one
    a = client.get(f"/orders/{foreign}").get_data(as_text=True)
    b = client.get(f"/orders/{missing}").get_data(as_text=True)
    # (the number itself appears only where the page echoes the URL the user typed)
    def same(page: str) -> str:  # CSRF tokens are timestamp-signed; they differ second to second
        return re.sub(r'name="csrf_token" value="[^"]+"', "", re.sub(r"EKB-\d{4}-\d{6}", "N", page))

    assert same(a) == same(b)
    assert world["foreign"].state == RepairState.DIAGNOSIS and len(world["foreign"].events) == events_before


def _readable(response) -> str:  # noqa: ANN001
    """What a person could read in a response: a page's text, a PDF's extracted text, a label's barcode,
    a spreadsheet's cells."""
    if response.mimetype == "application/pdf":
        from tests.workstations.test_printing_routes import pdf_text

        return pdf_text(response.data)
    if response.mimetype.startswith("image/"):
        import io

        from PIL import Image

        from tests.workstations.test_printing_routes import decoded

        return " ".join(decoded(Image.open(io.BytesIO(response.data))))
    if response.mimetype.endswith("spreadsheetml.sheet"):  # a report's XLSX: every cell of every sheet
        import io

        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(response.data))
        return " ".join(str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row
                        if c.value is not None)
    return response.get_data(as_text=True)


def test_partner_pages_never_show_another_centers_data(app, client, world) -> None:  # noqa: ANN001
    login(client, world["users"][Role.PARTNER].email)
    bearer(client, world["users"][Role.PARTNER].email)
    own = world["own"].number
    for rule in _routes(app):
        if "GET" not in rule.methods or not policy_for(rule.endpoint, app).admits(Role.PARTNER):
            continue
        url = _sample_url(rule, {"number": own, "id": 1, "shipment": world["shipment"]})
        body = _readable(client.get(url, follow_redirects=True))
        assert world["foreign"].number not in body
        assert "Чужой Клиент" not in body and "+79990001122" not in body and "EKB" not in body


def test_own_staff_can_open_any_centers_order_but_not_change_it(app, client, world) -> None:  # noqa: ANN001
    login(client, world["users"][Role.ENGINEER].email)
    number = world["foreign"].number
    page = client.get(f"/orders/{number}")
    assert page.status_code == 200
    r = client.post(f"/orders/{number}/transition", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "to": "in_repair"})
    assert r.status_code == 403
    assert world["foreign"].state == RepairState.DIAGNOSIS


def test_admin_pages_refuse_every_other_role(app, client, world) -> None:  # noqa: ANN001
    with app.test_request_context():
        admin_url = url_for("admin.index")
    for role in Role:
        client.get("/login")
        login(client, world["users"][role].email)
        expected = 200 if role == Role.ADMIN else 404 if role in PARTNER_ROLES else 403
        assert client.get(admin_url).status_code == expected
        client.delete_cookie("sc_session")


def test_a_database_race_inside_a_view_is_a_conflict_not_a_server_error(app, client, factory) -> None:  # noqa: ANN001
    """The uniqueness check passed, then the database refused the row: the user gets 409 and a message."""
    from sqlalchemy.exc import IntegrityError

    from workstations.web.access import any_staff

    @app.route("/test-race")
    @any_staff()
    def race():  # noqa: ANN202
        raise IntegrityError("INSERT ...", {}, Exception("duplicate key value violates unique constraint"))

    center = factory.center("RCE")
    login(client, factory.user(center, Role.INTAKE).email)
    r = client.get("/test-race")
    assert r.status_code == 409
    assert "duplicate key" not in r.get_data(as_text=True)
