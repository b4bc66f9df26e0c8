"""The team-lead workstation: the queue with each filter, bulk actions, refusals, board, figures."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from servicecenter.accounts.roles import Role
from servicecenter.centers.models import CenterKind
from servicecenter.clock import utcnow
from servicecenter.repairs.models import EventKind, Priority
from servicecenter.repairs.states import RepairState
from tests.factories import csrf_token, login


@pytest.fixture
def world(factory, session):  # noqa: ANN001, ANN201
    msk = factory.center("MSK", timezone="Europe/Moscow")
    bosch, lg = factory.manufacturer("Bosch"), factory.manufacturer("LG")
    washer, fridge = factory.model(bosch, category="Стиральные машины"), factory.model(lg, category="Холодильники")
    eng = factory.user(msk, Role.ENGINEER, name="Петров Пётр")
    eng.skills = "Холодильники"
    now = utcnow()
    late = factory.order(msk, state=RepairState.DIAGNOSIS, unit=factory.unit(washer))
    late.due_at, late.risk_at, late.engineer_id, late.warranty_covered = now - timedelta(hours=2), now - timedelta(
        days=1), eng.id, True
    risky = factory.order(msk, state=RepairState.IN_REPAIR, unit=factory.unit(fridge))
    risky.due_at, risky.risk_at = now + timedelta(days=2), now - timedelta(hours=1)
    parts = factory.order(msk, state=RepairState.AWAITING_PARTS, unit=factory.unit(fridge))
    fresh = factory.order(msk, unit=factory.unit(fridge))
    fresh.received_at = now - timedelta(days=20)
    foreign = factory.order(factory.center("SPB"), unit=factory.unit(fridge))
    session.flush()
    lead = factory.staff(msk, Role.TEAM_LEAD)
    lead.locale = "en"  # the assertions read the English texts
    session.flush()
    return {"msk": msk, "eng": eng, "late": late, "risky": risky, "parts": parts, "fresh": fresh,
            "foreign": foreign, "lead": lead, "bosch": bosch, "session": session}


@pytest.fixture
def lead_client(client, world):  # noqa: ANN001, ANN201
    login(client, world["lead"].email)
    return client


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-order="([^"]+)"', html)


def _queue(client, query: str = "") -> str:  # noqa: ANN001
    r = client.get(f"/team-lead/{query}")
    assert r.status_code == 200, r.status_code
    return r.get_data(as_text=True)


def test_queue_shows_open_orders_of_the_center_by_due_date(lead_client, world) -> None:  # noqa: ANN001
    rows = _rows(_queue(lead_client))
    assert rows[:2] == [world["late"].number, world["risky"].number]
    assert set(rows) == {world[k].number for k in ("late", "risky", "parts", "fresh")}
    assert world["foreign"].number not in rows


@pytest.mark.parametrize(("query", "expected"), [
    ("?state=awaiting_parts", ["parts"]),
    ("?state=awaiting_parts&state=received", ["parts", "fresh"]),
    ("?engineer=none", ["risky", "parts", "fresh"]),
    ("?deadline=overdue", ["late"]),
    ("?deadline=at_risk", ["risky"]),
    ("?payment=warranty", ["late"]),
    ("?category=Стиральные машины", ["late"]),
    ("?age_min=10", ["fresh"]),
])
def test_each_filter_narrows_the_queue(lead_client, world, query, expected) -> None:  # noqa: ANN001
    assert sorted(_rows(_queue(lead_client, query))) == sorted(world[k].number for k in expected)


def test_filters_by_engineer_and_brand_and_sorts_by_age(lead_client, world) -> None:  # noqa: ANN001
    assert _rows(_queue(lead_client, f"?engineer={world['eng'].id}")) == [world["late"].number]
    assert _rows(_queue(lead_client, f"?brand={world['bosch'].id}")) == [world["late"].number]
    assert _rows(_queue(lead_client, "?sort=age"))[0] == world["fresh"].number


def test_the_filter_form_keeps_the_choice_and_escapes_names(lead_client, world, factory, session) -> None:  # noqa: ANN001
    hostile = factory.manufacturer('"><img src=x onerror=alert(1)>')
    session.flush()
    html = _queue(lead_client, f"?brand={world['bosch'].id}&engineer=none&deadline=overdue&sort=age")
    brand = html.split('<select id="brand" name="brand">')[1].split("</select>")[0]
    assert f'<option selected value="{world["bosch"].id}">Bosch</option>' in brand
    assert f'<option value="{hostile.id}">&#34;&gt;&lt;img src=x onerror=alert(1)&gt;</option>' in brand
    assert "<img" not in html
    for field, value in (("engineer", "none"), ("deadline", "overdue"), ("sort", "age")):
        select = html.split(f'<select id="{field}" name="{field}">')[1].split("</select>")[0]
        assert select.count(" selected") == 1 and f'selected value="{value}"' in select


def test_a_bad_filter_value_is_a_bad_request(lead_client) -> None:  # noqa: ANN001
    assert lead_client.get("/team-lead/?state=exploded").status_code == 400
    assert lead_client.get("/team-lead/?age_min=-3").status_code == 400


def test_picker_shows_load_and_rows_show_a_suggestion(lead_client, world) -> None:  # noqa: ANN001
    html = _queue(lead_client)
    assert re.search(r"Петров Пётр — 1 open, 0\.0 h this week · Холодильники", html)
    # Fridges need the fridge skill: Petrov has it and is the only one.
    assert f'value="accept:{world["fresh"].id}:{world["eng"].id}"' in html
    assert "Fewest open orders (1) among engineers with skill Холодильники" in html


def _post(client, data: dict, query: str = "", follow: bool = True):  # noqa: ANN001, ANN202
    token = csrf_token(_queue(client, query))
    return client.post("/team-lead/bulk", data={"csrf_token": token, "next": f"/team-lead/{query}", **data},
                       follow_redirects=follow)


def test_bulk_assign_and_accepting_a_suggestion(lead_client, world, session) -> None:  # noqa: ANN001
    r = _post(lead_client, {"action": "assign", "engineer_id": world["eng"].id,
                            "order": [world["parts"].id, world["risky"].id]})
    assert "2 orders assigned to Петров Пётр" in r.get_data(as_text=True)
    r = _post(lead_client, {"action": f"accept:{world['fresh'].id}:{world['eng'].id}"})
    assert f"Order {world['fresh'].number} assigned to Петров Пётр" in r.get_data(as_text=True)
    for key in ("parts", "risky", "fresh"):
        session.refresh(world[key])
        assert world[key].engineer_id == world["eng"].id
        assert world[key].events[-1].kind == EventKind.ASSIGNMENT


def test_bulk_refused_when_another_centers_order_slips_in(lead_client, world, session) -> None:  # noqa: ANN001
    r = _post(lead_client, {"action": "assign", "engineer_id": world["eng"].id,
                            "order": [world["parts"].id, world["foreign"].id]}, query="?state=awaiting_parts")
    html = r.get_data(as_text=True)
    assert f"#{world['foreign'].id}" in html and "nothing was changed" in html
    assert r.request.path == "/team-lead/" and r.request.args.get("state") == "awaiting_parts"  # back to the filter
    for key in ("parts", "foreign"):
        session.refresh(world[key])
        assert world[key].engineer_id is None


def test_bulk_priority_names_the_order_that_blocked_it(lead_client, world, factory, session) -> None:  # noqa: ANN001
    issued = factory.order(world["msk"], state=RepairState.ISSUED)
    r = _post(lead_client, {"action": "priority", "priority": "urgent", "order": [world["parts"].id, issued.id]})
    html = r.get_data(as_text=True)
    assert f"blocked by {issued.number}" in html
    session.refresh(world["parts"])
    assert world["parts"].priority == Priority.NORMAL
    _post(lead_client, {"action": "priority", "priority": "urgent", "order": [world["parts"].id]})
    session.refresh(world["parts"])
    assert world["parts"].priority == Priority.URGENT


def test_bulk_labels_are_one_pdf(lead_client, world) -> None:  # noqa: ANN001
    r = _post(lead_client, {"action": "labels", "order": [world["parts"].id, world["fresh"].id]}, follow=False)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.data.startswith(b"%PDF") and r.data.count(b"/Type /Page\n") + r.data.count(b"/Type /Page ") >= 2


def test_bulk_route_to_a_partner(lead_client, world, factory, session) -> None:  # noqa: ANN001
    kzn = factory.center("KZN", kind=CenterKind.PARTNER, name="Партнёр Казань")
    kzn.brands.append(world["bosch"])
    session.flush()
    r = _post(lead_client, {"action": "route", "center_id": kzn.id, "order": [world["late"].id, world["fresh"].id]})
    html = r.get_data(as_text=True)
    assert "not authorised for LG" in html  # the fridge is an LG
    session.refresh(world["late"])
    assert world["late"].center_id == world["msk"].id
    r = _post(lead_client, {"action": "route", "center_id": kzn.id, "order": [world["late"].id]})
    assert "must be shipped" in r.get_data(as_text=True)
    session.refresh(world["late"])
    assert world["late"].center_id == kzn.id
    assert [e.kind for e in world["late"].events[-2:]] == [EventKind.ROUTING, EventKind.DEADLINE]


def test_engineer_may_not_use_the_team_lead_pages(client, world) -> None:  # noqa: ANN001
    login(client, world["eng"].email)
    assert client.get("/team-lead/").status_code == 403
    token = csrf_token(client.get("/engineer/").get_data(as_text=True))
    r = client.post("/team-lead/bulk", data={"csrf_token": token, "action": "assign",
                                             "engineer_id": world["eng"].id, "order": [world["fresh"].id]})
    assert r.status_code == 403
    world["session"].refresh(world["fresh"])
    assert world["fresh"].engineer_id is None


def test_board_counts_and_links(lead_client, world) -> None:  # noqa: ANN001
    r = lead_client.get("/team-lead/board")
    html = r.get_data(as_text=True)
    found = re.findall(r'data-board="(\w+)" href="([^"]+)">\s*<b class="board-count">(\d+)</b>', html)
    tiles = {key: (href, int(n)) for key, href, n in found}
    assert tiles["overdue"] == ("/team-lead/?deadline=overdue", 1)
    assert tiles["at_risk"] == ("/team-lead/?deadline=at_risk", 1)
    assert tiles["awaiting_parts"] == ("/team-lead/?state=awaiting_parts", 1)
    assert tiles["awaiting_approval"][1] == 0
    assert _rows(_queue(lead_client, "?deadline=overdue")) == [world["late"].number]


def test_figures_page_shows_the_week_and_month(lead_client, world, factory, session) -> None:  # noqa: ANN001
    done = factory.order(world["msk"], state=RepairState.READY_FOR_PICKUP)
    done.engineer_id = world["eng"].id
    done.received_at = done.ready_at - timedelta(days=2)
    session.flush()
    html = lead_client.get("/team-lead/figures").get_data(as_text=True)
    week = html.split('data-period="week"')[1].split("</section>")[0]
    assert re.search(r'data-row="center">.*?<td>1</td>\s*<td>2\.0 d</td>', week, re.S)
    assert f'data-row="{world["eng"].id}"' in week
