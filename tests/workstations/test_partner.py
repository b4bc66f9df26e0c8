"""The partner workstation and routing through the web: what each side sees and may do."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.centers.models import CenterKind, LocationKind
from servicecenter.repairs.models import EventKind
from servicecenter.repairs.states import RepairState
from servicecenter.shipments.dispatch import dispatch_shipment
from servicecenter.shipments.services import add_scanned, create_shipment
from tests.factories import csrf_token, login


def html(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


def text(response) -> str:  # noqa: ANN001
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html(response)))


def main(center):  # noqa: ANN001, ANN201
    return next(loc for loc in center.locations if loc.kind == LocationKind.WAREHOUSE and loc.is_main)


@pytest.fixture
def net(factory, session):  # noqa: ANN001, ANN201
    msk = factory.center("MSK", city="Москва", region="Москва")
    kzn = factory.center("KZN", kind=CenterKind.PARTNER, name="Партнёр Казань", city="Казань", region="Татарстан")
    model = factory.model()
    kzn.brands.append(model.manufacturer)
    session.flush()
    order = factory.order(msk, state=RepairState.DIAGNOSIS, unit=factory.unit(model, serial="ROUTE0001"))
    for user in (factory.staff(msk, Role.INTAKE), factory.staff(msk, Role.LOGISTICS)):
        user.locale = "en"
    manager = factory.user(kzn, Role.PARTNER_MANAGER, email="manager@kzn.test", name="Менеджер Казань")
    engineer = factory.user(kzn, Role.PARTNER, email="engineer@kzn.test", name="Мастер Казань")
    for user in (manager, engineer):
        user.locale = "en"
    session.flush()
    return {"msk": msk, "kzn": kzn, "order": order, "manager": manager, "engineer": engineer,
            "intake": factory.staff(msk, Role.INTAKE), "logistics": factory.staff(msk, Role.LOGISTICS)}


def _route(client, net) -> None:  # noqa: ANN001
    login(client, net["intake"].email)
    page = client.get(f"/orders/{net['order'].number}")
    assert "Route to a partner center" in text(page) and "KZN — Партнёр Казань" in text(page)
    r = client.post(f"/orders/{net['order'].number}/route", data={
        "csrf_token": csrf_token(html(page)), "center_id": net["kzn"].id, "version": net["order"].version})
    assert r.status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(html(client.get("/intake/")))})


def test_the_counter_routes_from_the_order_page_and_logistics_sees_the_unit_waiting(client, session, net) -> None:  # noqa: ANN001
    _route(client, net)
    session.refresh(net["order"])
    assert net["order"].center_id == net["kzn"].id
    login(client, net["logistics"].email)
    page = text(client.get("/logistics/"))
    assert "Units waiting to be shipped" in page and net["order"].number in page and "KZN — Партнёр Казань" in page
    # the new-shipment form offers the partner's warehouse as a destination
    form = html(client.get("/logistics/")).split('data-form="new-shipment"')[1].split("</form>")[0]
    assert "KZN-WH" in form


def test_routing_refused_for_a_center_without_the_brand_changes_nothing(client, factory, session, net) -> None:  # noqa: ANN001
    stranger = factory.center("NSK", kind=CenterKind.PARTNER)
    login(client, net["intake"].email)
    page = client.get(f"/orders/{net['order'].number}")
    assert f'value="{stranger.id}"' not in html(page)  # not offered
    r = client.post(f"/orders/{net['order'].number}/route", data={
        "csrf_token": csrf_token(html(page)), "center_id": stranger.id}, follow_redirects=True)
    assert r.status_code == 422 and "not authorised" in text(r)
    session.refresh(net["order"])
    assert net["order"].center_id == net["msk"].id
    assert all(e.kind != EventKind.ROUTING for e in net["order"].events)


def test_an_engineer_is_not_offered_routing(client, factory, net) -> None:  # noqa: ANN001
    login(client, factory.staff(net["msk"], Role.ENGINEER).email)
    assert "Route to a partner center" not in text(client.get(f"/orders/{net['order'].number}"))


def test_the_partner_sees_the_incoming_unit_receives_it_by_scanning_and_finds_it(client, session, net) -> None:  # noqa: ANN001
    _route(client, net)
    shipment = create_shipment(session, net["logistics"], origin=main(net["msk"]), destination=main(net["kzn"]))
    add_scanned(session, net["logistics"], shipment, "ROUTE0001")
    dispatch_shipment(session, net["logistics"], shipment, carrier="СДЭК", tracking="TRK-1")
    login(client, net["engineer"].email)
    start = client.get("/partner/")
    assert start.status_code == 200
    page = text(start)
    assert "Incoming shipments" in page and shipment.number in page and net["order"].number in page
    row = text(start).split(shipment.number)[1][:80]
    assert net["msk"].name in row  # where it comes from: the sending center (its warehouse is not shown)
    # the scan field opens the shipment from its label, then each unit is scanned on arrival
    found = client.get("/partner/scan", query_string={"code": shipment.number})
    assert found.status_code == 302 and found.headers["Location"].endswith(f"/logistics/shipments/{shipment.number}")
    token = csrf_token(html(client.get(f"/logistics/shipments/{shipment.number}")))
    r = client.post(f"/logistics/shipments/{shipment.number}/receive", data={"csrf_token": token, "code": "ROUTE0001"})
    assert r.status_code == 303
    session.refresh(net["order"])
    assert net["order"].clock_restarted_at is not None and net["order"].deadline_paused_at is None
    # a scanned serial opens the unit card with its history at the network
    unit = client.get("/partner/scan", query_string={"code": "ROUTE0001"}, follow_redirects=True)
    assert unit.status_code == 200 and "History across the network" in text(unit)
    assert net["order"].number in text(unit)
    assert "network staff" in text(unit)  # MSK's clerks are not named to the partner


def test_the_partner_manager_adds_and_edits_its_engineers(client, session, net) -> None:  # noqa: ANN001
    login(client, net["manager"].email)
    team = client.get("/partner/team")
    assert team.status_code == 200 and "Мастер Казань" in text(team)
    form = client.get("/partner/team/new")
    r = client.post("/partner/team/new", data={
        "csrf_token": csrf_token(html(form)), "email": "new@kzn.test", "name": "Новенький", "locale": "ru",
        "password": "long-enough-1", "confirm": "long-enough-1", "role": "admin", "center_id": net["msk"].id})
    assert r.status_code == 302
    new = session.scalar(select(User).where(User.email == "new@kzn.test"))
    assert new.role == Role.PARTNER and new.center_id == net["kzn"].id  # extra fields ignored
    edit = client.get(f"/partner/team/{net['engineer'].id}/edit")
    r = client.post(f"/partner/team/{net['engineer'].id}/edit", data={
        "csrf_token": csrf_token(html(edit)), "email": "engineer@kzn.test", "name": "Мастер Казань",
        "locale": "ru", "phone": "", "role": "partner_manager"})  # "active" unchecked: deactivated
    assert r.status_code == 302
    session.refresh(net["engineer"])
    assert not net["engineer"].active and net["engineer"].role == Role.PARTNER
    # the manager itself and the network's users are not there to edit
    assert client.get(f"/partner/team/{net['manager'].id}/edit").status_code == 404
    assert client.get(f"/partner/team/{net['intake'].id}/edit").status_code == 404


def test_bad_input_on_the_team_form_keeps_nothing(client, session, net) -> None:  # noqa: ANN001
    login(client, net["manager"].email)
    form = client.get("/partner/team/new")
    r = client.post("/partner/team/new", data={
        "csrf_token": csrf_token(html(form)), "email": "engineer@kzn.test", "name": "Дубль", "locale": "ru",
        "password": "short", "confirm": "short"})
    assert r.status_code == 422 and "already exists" in text(r)
    assert session.scalar(select(User).where(User.name == "Дубль")) is None


def test_a_partner_engineer_has_no_team_pages(client, net) -> None:  # noqa: ANN001
    login(client, net["engineer"].email)
    assert "/partner/team" not in html(client.get("/partner/"))
    assert client.get("/partner/team").status_code == 404
    assert client.get("/partner/team/new").status_code == 404


def test_the_stock_page_lists_own_parts_and_requests(client, session, net) -> None:  # noqa: ANN001
    from decimal import Decimal

    from servicecenter.stock import journal
    from servicecenter.stock.models import MoveReason, Part

    part = Part(sku="KZN-PUMP", name="Насос Казань", unit_cost=Decimal("10"), price=Decimal("20"))
    other = Part(sku="MSK-ONLY", name="Только в Москве", unit_cost=Decimal("10"), price=Decimal("20"))
    session.add_all([part, other])
    session.flush()
    journal.move_parts(session, None, part, 3, source=None, target=main(net["kzn"]), reason=MoveReason.RECEIPT)
    journal.move_parts(session, None, other, 7, source=None, target=main(net["msk"]), reason=MoveReason.RECEIPT)
    login(client, net["engineer"].email)
    page = text(client.get("/partner/stock"))
    assert "KZN-PUMP" in page and "Насос Казань" in page and "MSK-ONLY" not in page


def test_the_networks_warehouse_sees_what_partners_asked_for(client, factory, session, net) -> None:  # noqa: ANN001
    from servicecenter.stock.models import Part, PartRequest

    part = Part(sku="ASK-PUMP", name="Насос для партнёра")
    session.add(part)
    session.flush()
    partner_order = factory.order(net["kzn"], state=RepairState.DIAGNOSIS)
    session.add(PartRequest(center_id=net["kzn"].id, order_id=partner_order.id, part_id=part.id, quantity=2))
    session.flush()
    clerk = factory.staff(net["msk"], Role.WAREHOUSE)
    clerk.locale = "en"
    session.flush()
    login(client, clerk.email)
    page = text(client.get("/warehouse/"))
    assert "Parts partner centers asked for" in page and "ASK-PUMP" in page and partner_order.number in page


def test_the_partner_manager_sets_an_engineers_new_password(client, app, net) -> None:  # noqa: ANN001
    login(client, net["manager"].email)
    form = client.get(f"/partner/team/{net['engineer'].id}/password")
    assert form.status_code == 200 and "Team" in text(form)
    r = client.post(f"/partner/team/{net['engineer'].id}/password", data={
        "csrf_token": csrf_token(html(form)), "password": "new-secret-77", "confirm": "new-secret-77"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/partner/team")
    assert client.get(f"/partner/team/{net['manager'].id}/password").status_code == 404  # not its own
    other = app.test_client()
    assert login(other, net["engineer"].email, "new-secret-77").status_code == 302
    assert other.get("/partner/").status_code == 200


def test_the_partner_is_not_offered_the_hand_back_of_a_routed_order(client, factory, session, net) -> None:  # noqa: ANN001
    from servicecenter.repairs.routing import route_to_center
    from servicecenter.repairs.services import apply_transition

    route_to_center(session, net["intake"], net["order"], net["kzn"])
    apply_transition(session, net["order"], RepairState.IN_REPAIR, net["engineer"], diagnosis="ТЭН")
    apply_transition(session, net["order"], RepairState.READY_FOR_PICKUP, net["engineer"], outcome="repaired")
    own = factory.order(net["kzn"], state=RepairState.READY_FOR_PICKUP)
    login(client, net["engineer"].email)
    assert 'data-action="issue"' not in html(client.get(f"/orders/{net['order'].number}"))
    assert 'data-action="issue"' in html(client.get(f"/orders/{own.number}"))  # its own customer's order
