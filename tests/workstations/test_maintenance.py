"""The team lead's planned maintenance: what is ahead, and the plans' form (own center only)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from servicecenter.accounts.roles import Role
from servicecenter.clock import local_date, utcnow
from servicecenter.maintenance import services
from servicecenter.maintenance.jobs import run_maintenance
from servicecenter.maintenance.models import DateKind, MaintenancePlan
from servicecenter.repairs.models import RepairOrder
from tests.factories import csrf_token, login


@pytest.fixture
def world(factory, session):  # noqa: ANN001, ANN201
    msk, spb = factory.center("MSK"), factory.center("SPB")
    lead, other_lead = factory.staff(msk, Role.TEAM_LEAD), factory.staff(spb, Role.TEAM_LEAD)
    for user in (lead, other_lead):
        user.locale = "en"  # the assertions read the English texts
    model = factory.model(factory.manufacturer("Атол"), name="Атол 30Ф", category="Онлайн-кассы")
    owner = factory.customer("ООО Ромашка")
    unit = factory.unit(model, serial="KKT0042", owner=owner)
    licensed = factory.unit(model, serial="KKT0043", owner=owner)
    today = local_date(utcnow(), msk.timezone)
    services.set_unit_date(session, lead, licensed, DateKind.FISCAL_DRIVE, today + timedelta(days=25))
    plan = services.create_plan(session, lead, name="Quarterly service", work="Clean, check", scope="unit",
                                unit_serial="KKT0042", schedule="every_months", every_months="3",
                                start_on=(today + timedelta(days=5)).isoformat(), lead_days="10", action="order",
                                active=True)
    services.create_plan(session, lead, name="Fiscal drive", scope="model", model_id=str(model.id),
                         schedule="before_date", date_kind="fiscal_drive", lead_days="7", action="reminder",
                         active=True)
    session.flush()
    return {"msk": msk, "lead": lead, "other_lead": other_lead, "plan": plan, "model": model, "unit": unit,
            "today": today, "session": session}


def _page(client) -> str:  # noqa: ANN001
    r = client.get("/team-lead/maintenance")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def _plans(session) -> int:  # noqa: ANN001
    return session.scalar(select(func.count()).select_from(MaintenancePlan))


def test_the_page_shows_what_is_ahead_and_the_order_made(client, world) -> None:  # noqa: ANN001
    login(client, world["lead"].email)
    html = _page(client)
    assert "Planned maintenance ahead" in html
    due = (world["today"] + timedelta(days=5)).isoformat()
    assert f'data-unit="KKT0042" data-due="{due}"' in html  # still to come: an order
    assert f'data-unit="KKT0043" data-due="{(world["today"] + timedelta(days=25)).isoformat()}"' in html
    assert "to come: Pre-register an order" in html and "ООО Ромашка" in html and "Атол 30Ф" in html

    run_maintenance(world["session"], today=world["today"])  # inside the 10-day lead: the order is made
    html = _page(client)
    order = world["session"].scalar(select(RepairOrder).where(RepairOrder.unit_id == world["unit"].id))
    assert f'href="/orders/{order.number}"' in html
    assert "Quarterly service" in html and "Fiscal drive" in html


def test_team_lead_adds_edits_and_deactivates_a_plan(client, world) -> None:  # noqa: ANN001
    login(client, world["lead"].email)
    token = csrf_token(client.get("/team-lead/maintenance/new").get_data(as_text=True))
    before = _plans(world["session"])
    r = client.post("/team-lead/maintenance/new", data={
        "csrf_token": token, "name": "Licence renewal", "work": "Renew the antivirus", "scope": "unit",
        "unit_serial": "KKT0043", "model_id": "", "schedule": "before_date", "date_kind": "licence",
        "every_months": "", "start_on": "", "lead_days": "30", "action": "order", "active": "y"})
    assert r.status_code == 303
    assert _plans(world["session"]) == before + 1
    plan = world["session"].scalar(select(MaintenancePlan).where(MaintenancePlan.name == "Licence renewal"))
    assert plan.center_id == world["msk"].id and plan.unit.serial == "KKT0043" and plan.lead_days == 30
    assert "Licence renewal" in _page(client)

    form = client.get(f"/team-lead/maintenance/{plan.id}/edit").get_data(as_text=True)
    assert 'value="KKT0043"' in form
    r = client.post(f"/team-lead/maintenance/{plan.id}/edit", data={
        "csrf_token": csrf_token(form), "name": "Licence renewal", "scope": "unit", "unit_serial": "KKT0043",
        "model_id": "", "schedule": "before_date", "date_kind": "licence", "lead_days": "45", "action": "reminder",
        "active": "y"})
    world["session"].expire_all()  # the request wrote through its own session
    assert r.status_code == 303 and plan.lead_days == 45 and plan.action.value == "reminder"

    r = client.post(f"/team-lead/maintenance/{plan.id}/deactivate", data={"csrf_token": token})
    world["session"].expire_all()
    assert r.status_code == 303 and plan.active is False


def test_bad_input_gives_a_message_and_changes_nothing(client, world) -> None:  # noqa: ANN001
    login(client, world["lead"].email)
    token = csrf_token(client.get("/team-lead/maintenance/new").get_data(as_text=True))
    before = _plans(world["session"])
    r = client.post("/team-lead/maintenance/new", data={
        "csrf_token": token, "name": "Broken", "scope": "unit", "unit_serial": "NO-SUCH", "model_id": "",
        "schedule": "every_months", "every_months": "zero", "start_on": "someday", "lead_days": "14",
        "action": "order"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "The maintenance plan was not saved" in html
    assert "No unit with this serial" in html and "Enter a whole number" in html and "Enter a date" in html
    assert _plans(world["session"]) == before

    plan = world["plan"]
    r = client.post(f"/team-lead/maintenance/{plan.id}/edit", data={
        "csrf_token": token, "name": "", "scope": "contract", "contract_number": "NONE", "model_id": "",
        "schedule": "every_months", "every_months": "3", "start_on": "2026-01-01", "lead_days": "9999",
        "action": "order", "active": "y"})
    assert r.status_code == 422
    world["session"].expire_all()
    assert plan.name == "Quarterly service" and plan.scope.value == "unit" and plan.lead_days == 10
    # without the CSRF token nothing is made
    r = client.post("/team-lead/maintenance/new", data={"name": "No token", "scope": "unit", "unit_serial": "KKT0042",
                                                        "schedule": "every_months", "every_months": "1",
                                                        "start_on": "2026-01-01", "lead_days": "1", "action": "order"})
    assert r.status_code in (400, 422) and _plans(world["session"]) == before


def test_another_centers_team_lead_cannot_see_or_change_the_plan(client, world) -> None:  # noqa: ANN001
    login(client, world["other_lead"].email)
    html = _page(client)
    assert "Quarterly service" not in html and "KKT0042" not in html
    plan = world["plan"]
    assert client.get(f"/team-lead/maintenance/{plan.id}/edit").status_code == 404
    token = csrf_token(client.get("/team-lead/maintenance/new").get_data(as_text=True))
    r = client.post(f"/team-lead/maintenance/{plan.id}/edit", data={
        "csrf_token": token, "name": "Hijacked", "scope": "unit", "unit_serial": "KKT0042", "model_id": "",
        "schedule": "every_months", "every_months": "1", "start_on": "2026-01-01", "lead_days": "1",
        "action": "order", "active": "y"})
    assert r.status_code == 404
    assert client.post(f"/team-lead/maintenance/{plan.id}/deactivate", data={"csrf_token": token}).status_code == 404
    world["session"].expire_all()
    assert plan.name == "Quarterly service" and plan.active is True


@pytest.mark.parametrize("role", [Role.ENGINEER, Role.INTAKE, Role.CALL_CENTER])
def test_other_roles_are_refused(client, world, factory, role) -> None:  # noqa: ANN001
    login(client, factory.staff(world["msk"], role).email)
    assert client.get("/team-lead/maintenance").status_code == 403
    assert client.get(f"/team-lead/maintenance/{world['plan'].id}/edit").status_code == 403


def test_a_date_on_the_unit_card_shows_ahead_and_bad_input_is_refused(client, world) -> None:  # noqa: ANN001
    login(client, world["lead"].email)
    token = csrf_token(client.get("/team-lead/maintenance/unit-date").get_data(as_text=True))
    r = client.post("/team-lead/maintenance/unit-date", data={
        "csrf_token": token, "unit_serial": "KKT0042", "date_kind": "other", "due_on": "not a date"})
    assert r.status_code == 422 and "Enter a date" in r.get_data(as_text=True)
    due = (world["today"] + timedelta(days=12)).isoformat()
    r = client.post("/team-lead/maintenance/unit-date", data={
        "csrf_token": token, "unit_serial": "kkt0042", "date_kind": "fiscal_drive", "due_on": due,
        "note": "ФН-1.1 №9999"})
    assert r.status_code == 303
    assert f'data-unit="KKT0042" data-due="{due}"' in _page(client)  # the model's fiscal-drive plan covers it
