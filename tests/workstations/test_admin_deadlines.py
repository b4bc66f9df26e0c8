"""The deadline rules and the calendar over HTTP (administrator), and the due dates on the order page."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from servicecenter.accounts.roles import PARTNER_ROLES, Role
from servicecenter.centers.models import CenterKind
from servicecenter.deadlines.calendar import DayUnit
from servicecenter.deadlines.models import CalendarDay, DeadlineRule
from servicecenter.repairs.models import EventKind, OrderType, RepairEvent
from servicecenter.repairs.states import RepairState
from tests.factories import csrf_token, login


def text(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


def submit(client, url: str, data: dict, action: str | None = None):  # noqa: ANN001, ANN201
    page = client.get(url)
    assert page.status_code == 200
    return client.post(action or url, data={**data, "csrf_token": csrf_token(text(page))})


def rule_count(session) -> int:  # noqa: ANN001
    return session.scalar(select(func.count()).select_from(DeadlineRule))


@pytest.fixture
def center(factory):  # noqa: ANN001, ANN201
    return factory.center("MSK", name="Москва")


@pytest.fixture
def admin_client(client, factory, session, center):  # noqa: ANN001, ANN201
    admin = factory.user(center, Role.ADMIN, email="admin@example.test")
    admin.locale = "en"
    session.flush()
    assert login(client, admin.email).status_code == 302
    return client


def form(center, **values) -> dict:  # noqa: ANN001
    base = {"center_id": center.id, "manufacturer_id": "", "contract_number": "", "applies_to": "any",
            "diagnosis_days": 2, "diagnosis_unit": "business", "repair_days": 15, "repair_unit": "calendar",
            "margin": 1, "margin_unit": "days", "pause_on_approval": "y", "active": "y"}
    return {**base, **values}


def test_admin_creates_a_rule_and_open_orders_get_new_due_dates(admin_client, session, factory, center) -> None:  # noqa: ANN001
    order = factory.order(center, order_type=OrderType.PAID)
    before = order.repair_due
    response = submit(admin_client, "/admin/deadlines/new", form(center))
    assert response.status_code == 302
    listing = text(admin_client.get(response.headers["Location"]))
    assert "Open orders with new due dates: 1." in listing
    assert "2 business days" in listing and "15 calendar days" in listing
    rule = session.scalar(select(DeadlineRule))
    assert (rule.diagnosis_unit, rule.repair_days, rule.margin_hours) == (DayUnit.BUSINESS, 15, 24)
    session.refresh(order)
    assert order.repair_due != before
    assert session.scalar(select(func.count()).select_from(RepairEvent).where(
        RepairEvent.order_id == order.id, RepairEvent.kind == EventKind.DEADLINE)) == 1


def test_admin_edits_a_rule(admin_client, session, factory, center) -> None:  # noqa: ANN001
    assert submit(admin_client, "/admin/deadlines/new", form(center)).status_code == 302
    rule = session.scalar(select(DeadlineRule))
    page = text(admin_client.get(f"/admin/deadlines/{rule.id}/edit"))
    assert 'value="15"' in page
    response = submit(admin_client, f"/admin/deadlines/{rule.id}/edit", form(center, repair_days=30))
    assert response.status_code == 302
    session.refresh(rule)
    assert rule.repair_days == 30


@pytest.mark.parametrize(("values", "message"), [
    ({"diagnosis_days": 0}, "A whole number of days from 1 to 365"),
    ({"repair_days": 400}, "A whole number of days from 1 to 365"),
    ({"margin": 3, "margin_unit": "days"}, "The margin must be shorter"),
    ({"contract_number": "NO-SUCH"}, "No such contract"),
])
def test_bad_rules_are_refused_with_a_message_and_nothing_saved(admin_client, session, center, values,
                                                                 message) -> None:  # noqa: ANN001
    response = submit(admin_client, "/admin/deadlines/new", form(center, **values))
    assert response.status_code == 422
    assert message in text(response)
    assert rule_count(session) == 0


def test_manufacturer_and_contract_together_are_refused(admin_client, session, factory, center) -> None:  # noqa: ANN001
    brand = factory.manufacturer("Атлант")
    response = submit(admin_client, "/admin/deadlines/new",
                      form(center, manufacturer_id=brand.id, contract_number="X-1"))
    assert response.status_code == 422 and "not both" in text(response)
    assert rule_count(session) == 0


@pytest.mark.parametrize("role", [Role.TEAM_LEAD, Role.ENGINEER, Role.PARTNER])
def test_non_admins_are_refused(client, factory, session, center, role) -> None:  # noqa: ANN001
    rule = DeadlineRule(center_id=center.id, diagnosis_days=3, repair_days=20)
    day = CalendarDay(center_id=center.id, day=date(2026, 12, 8))
    session.add_all([rule, day])
    session.flush()
    home = factory.center("PRT", kind=CenterKind.PARTNER) if role in PARTNER_ROLES else center
    user = factory.user(home, role)
    user.locale = "en"
    session.flush()
    login(client, user.email)
    token = csrf_token(text(client.get("/", follow_redirects=True)))
    refused = 404 if role in PARTNER_ROLES else 403  # behind the wall the administration does not exist
    for url in ("/admin/deadlines/", "/admin/deadlines/new", f"/admin/deadlines/{rule.id}/edit",
                "/admin/deadlines/calendar"):
        response = client.get(url)
        assert response.status_code == refused, url
        assert ("Your role has no access to this page" in text(response)) == (refused == 403), url
    for url in ("/admin/deadlines/new", f"/admin/deadlines/{rule.id}/edit", "/admin/deadlines/calendar",
                f"/admin/deadlines/calendar/{day.id}/delete"):
        response = client.post(url, data={**form(center, repair_days=99), "day": "2026-12-09", "csrf_token": token})
        assert response.status_code == refused, url
    session.expire_all()
    assert rule_count(session) == 1 and session.get(DeadlineRule, rule.id).repair_days == 20
    assert session.scalar(select(func.count()).select_from(CalendarDay)) == 1


def test_admin_adds_and_removes_a_holiday(admin_client, session, center) -> None:  # noqa: ANN001
    url = f"/admin/deadlines/calendar?center={center.id}"
    response = submit(admin_client, url, {"day": "2026-12-08", "name": "Праздник"})
    assert response.status_code == 302
    page = text(admin_client.get(url))
    assert "Праздник" in page and 'data-day="2026-12-08"' in page
    entry = session.scalar(select(CalendarDay))
    assert (entry.center_id, entry.day, entry.working) == (center.id, date(2026, 12, 8), False)
    # A weekday cannot be a "worked weekend day": refused, nothing added.
    refused = submit(admin_client, url, {"day": "2026-12-09", "working": "y"})
    assert refused.status_code == 422 and "Saturday or a Sunday" in text(refused)
    assert session.scalar(select(func.count()).select_from(CalendarDay)) == 1
    removed = submit(admin_client, url, {}, action=f"/admin/deadlines/calendar/{entry.id}/delete")
    assert removed.status_code == 302
    assert session.scalar(select(func.count()).select_from(CalendarDay)) == 0


def test_order_page_shows_due_dates_and_status(client, factory, session, center) -> None:  # noqa: ANN001
    order = factory.order(center, order_type=OrderType.WARRANTY)
    intake = factory.staff(center, Role.INTAKE)
    intake.locale = "en"
    session.flush()
    login(client, intake.email)
    page = text(client.get(f"/orders/{order.number}"))
    assert "Diagnosis due" in page and "Legal limit (45 days)" in page and 'data-due="repair"' in page
    assert "overdue" not in page.split('id="deadlines"')[1].split("</section>")[0]
    order.due_at = order.due_at.replace(year=2020)  # long past: overdue
    session.flush()
    page = text(client.get(f"/orders/{order.number}"))
    assert 'badge overdue' in page


def test_order_waiting_for_approval_shows_paused(client, factory, session, center) -> None:  # noqa: ANN001
    order = factory.order(center, state=RepairState.AWAITING_APPROVAL)
    intake = factory.staff(center, Role.INTAKE)
    intake.locale = "en"
    session.flush()
    login(client, intake.email)
    page = text(client.get(f"/orders/{order.number}"))
    assert "badge paused" in page and "waiting for the customer" in page
