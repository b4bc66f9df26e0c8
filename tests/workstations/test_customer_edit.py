"""Editing a customer over HTTP: from the order page and the call-center card, CSRF, clear refusals, the wall,
and what the customer notices next — no mail once opted out, English mail once switched to English."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from servicecenter.accounts.roles import Role
from servicecenter.app import create_app
from servicecenter.centers.models import CenterKind
from servicecenter.customers.models import Customer
from servicecenter.db import Database
from servicecenter.notifications.models import Notification, NotificationKind, NotificationState, SkipReason
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.states import RepairState
from servicecenter.repairs.walk import advance_to, role_picker
from tests.conftest import make_settings
from tests.factories import Factory, csrf_token, login
from tests.notifications.conftest import embedded, inbox, smtp  # noqa: F401  (the SMTP fixtures)


def html(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


@pytest.fixture
def world(factory: Factory, session) -> dict:  # noqa: ANN001
    msk, spb = factory.center("MSK"), factory.center("SPB")
    kzn = factory.center("KZN", kind=CenterKind.PARTNER)
    customer = factory.customer("Орлова Мария", phone="+79161112233")
    customer.email = "orlova@example.test"
    order = factory.order(msk, customer=customer)
    clerk = factory.user(msk, Role.INTAKE)
    clerk.locale = "en"
    session.flush()
    return {"msk": msk, "spb": spb, "kzn": kzn, "customer": customer, "order": order, "clerk": clerk}


def _form(client, customer_id: int, **changes: object) -> dict:  # noqa: ANN001
    page = html(client.get(f"/customers/{customer_id}/edit"))
    data = {"csrf_token": csrf_token(page), "name": "Орлова Мария", "phone": "+79161112233",
            "email": "orlova@example.test", "language": "ru"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_clerk_edits_the_customer_from_the_order_page_and_goes_back(client, world, session) -> None:  # noqa: ANN001
    login(client, world["clerk"].email)
    order, customer = world["order"], world["customer"]
    page = html(client.get(f"/orders/{order.number}"))
    link = re.search(r'href="(/customers/\d+/edit\?next=[^"]+)"', page)
    assert link and "Edit customer" in page
    form = html(client.get(link.group(1).replace("&amp;", "&")))
    assert 'value="orlova@example.test"' in form and "Do not send e-mail notifications" in form
    r = client.post(link.group(1).replace("&amp;", "&"), data={
        "csrf_token": csrf_token(form), "name": " Орлова-Смирнова Мария ", "phone": "8 916 765-43-21",
        "email": "maria@example.test", "language": "en", "notifications_opt_out": "y",
        "next": f"/orders/{order.number}"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/orders/{order.number}")
    session.expire_all()
    c = session.get(Customer, customer.id)
    assert (c.name, c.phone, c.email, c.language, c.notifications_opt_out) == (
        "Орлова-Смирнова Мария", "+79167654321", "maria@example.test", "en", True)
    page = html(client.get(f"/orders/{order.number}"))
    assert "The customer&#39;s details are saved." in page or "The customer's details are saved." in page
    assert "no e-mail notifications" in page and "+79167654321" in page


@pytest.mark.parametrize(("field", "value", "message"), [("phone", "call me later", "Not a phone number"),
                                                         ("email", "maria-at-example", "Not an e-mail address")])
def test_bad_phone_or_email_is_refused_with_a_message_and_changes_nothing(client, world, session,  # noqa: ANN001
                                                                        field, value, message) -> None:
    login(client, world["clerk"].email)
    cid = world["customer"].id
    r = client.post(f"/customers/{cid}/edit", data=_form(client, cid, name="Другое Имя", **{field: value}))
    assert r.status_code == 422
    page = html(r)
    assert message in page and f'data-field="{field}"' in page and "nothing was" in page
    session.expire_all()
    c = session.get(Customer, cid)
    assert (c.name, c.phone, c.email) == ("Орлова Мария", "+79161112233", "orlova@example.test")


def test_a_post_without_the_csrf_token_is_refused(client, world, session) -> None:  # noqa: ANN001
    login(client, world["clerk"].email)
    cid = world["customer"].id
    data = _form(client, cid, name="Подделка")
    del data["csrf_token"]
    r = client.post(f"/customers/{cid}/edit", data=data)
    assert r.status_code == 400
    session.expire_all()
    assert session.get(Customer, cid).name == "Орлова Мария"


def test_next_leads_only_to_our_own_pages(client, world) -> None:  # noqa: ANN001
    login(client, world["clerk"].email)
    cid = world["customer"].id
    r = client.post(f"/customers/{cid}/edit", data=_form(client, cid, next="//evil.example/phish"))
    assert r.status_code == 303 and "evil.example" not in r.headers["Location"]


@pytest.mark.parametrize("outsider", ["spb_team_lead", "kzn_partner", "kzn_manager"])
def test_who_cannot_see_the_customer_gets_404(client, world, factory, session, outsider) -> None:  # noqa: ANN001
    user = {"spb_team_lead": lambda: factory.user(world["spb"], Role.TEAM_LEAD),
            "kzn_partner": lambda: factory.user(world["kzn"], Role.PARTNER),
            "kzn_manager": lambda: factory.user(world["kzn"], Role.PARTNER_MANAGER)}[outsider]()
    login(client, user.email)
    cid = world["customer"].id
    assert client.get(f"/customers/{cid}/edit").status_code == 404
    token = csrf_token(html(client.get("/", follow_redirects=True)))  # a valid token of the outsider's own session
    r = client.post(f"/customers/{cid}/edit", data={"csrf_token": token, "name": "Взлом", "phone": "+79160000000",
                                                     "language": "en"})
    assert r.status_code == 404
    session.expire_all()
    assert session.get(Customer, cid).name == "Орлова Мария"


def test_a_partner_edits_the_customer_of_its_own_order(client, world, factory, session) -> None:  # noqa: ANN001
    own = factory.order(world["kzn"], customer=factory.customer("Свой Клиент"))
    partner = factory.user(world["kzn"], Role.PARTNER)
    login(client, partner.email)
    r = client.post(f"/customers/{own.customer_id}/edit",
                    data={**_form(client, own.customer_id), "name": "Свой Клиент", "phone": "+79160000001"})
    assert r.status_code == 303
    session.expire_all()
    assert session.get(Customer, own.customer_id).phone == "+79160000001"


def test_the_call_center_card_links_to_the_edit_page(client, world, factory) -> None:  # noqa: ANN001
    operator = factory.user(world["spb"], Role.CALL_CENTER)
    login(client, operator.email)
    page = html(client.get("/call-center/", query_string={"q": world["order"].number}))
    link = re.search(r'href="(/customers/(\d+)/edit\?next=([^"]+))"', page)
    assert link and int(link.group(2)) == world["customer"].id and "call-center" in link.group(3)
    assert client.get(link.group(1).replace("&amp;", "&")).status_code == 200


# What the customer notices: the app over a committed database, jobs run right after each commit.

@pytest.fixture
def live(embedded: Database, inbox, database_url: str, tmp_path) -> dict:  # noqa: ANN001, ARG001, F811
    """The SMTP server (inbox) listens before the first order is written."""
    app = create_app(make_settings(database_url, tmp_path), overrides={"TESTING": True}, database=embedded)
    with embedded.unit_of_work() as s:
        f = Factory(s)
        center = f.center()
        customer = f.customer("Орлова Мария", phone="+79161112233")
        customer.email = "orlova@example.test"
        order = f.order(center, customer=customer)  # received: the first mail goes out in Russian
        clerk = f.user(center, Role.INTAKE)
        ids = {"number": order.number, "customer_id": customer.id, "clerk": clerk.email}
    return {"client": app.test_client(), "db": embedded, **ids}


def _edit_and_receive(live: dict, **changes: object) -> list[Notification]:
    client = live["client"]
    login(client, live["clerk"])
    r = client.post(f"/customers/{live['customer_id']}/edit", data=_form(client, live["customer_id"], **changes))
    assert r.status_code == 303
    db = live["db"]
    with db.unit_of_work() as s:
        order = s.scalar(select(RepairOrder).where(RepairOrder.number == live["number"]))
        f = Factory(s)
        advance_to(s, order, RepairState.AWAITING_APPROVAL, role_picker({r: f.staff(order.center, r) for r in (Role.ENGINEER, Role.INTAKE, Role.TEAM_LEAD)}))
    with db.unit_of_work() as s:
        rows = list(s.scalars(select(Notification).order_by(Notification.id)))
        s.expunge_all()
        return rows


def test_an_opted_out_customer_gets_no_mail_and_the_log_says_why(live, inbox) -> None:  # noqa: ANN001, F811
    assert len(inbox.wait_for(1)) == 1  # "received", before the customer asked for quiet
    received, estimate = _edit_and_receive(live, notifications_opt_out="y")
    assert received.state == NotificationState.SENT
    assert (estimate.kind, estimate.state, estimate.skip_reason) == (
        NotificationKind.ESTIMATE, NotificationState.SKIPPED, SkipReason.OPTED_OUT)
    assert len(inbox.messages) == 1


def test_a_customer_switched_to_english_gets_english_mail(live, inbox) -> None:  # noqa: ANN001, F811
    received, estimate = _edit_and_receive(live, language="en")
    first, mail = inbox.wait_for(2)
    assert (received.language, estimate.language) == ("ru", "en") and estimate.state == NotificationState.SENT
    assert "принято в ремонт" in first["Subject"]
    assert mail["To"] == "orlova@example.test" and live["number"] in mail["Subject"]
    assert "an estimate awaits your decision" in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    assert "Hello Орлова Мария" in text and "Здравствуйте" not in text
