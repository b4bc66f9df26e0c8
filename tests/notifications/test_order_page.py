"""The order page's Notifications section: what was e-mailed about the order and why something was not."""

from __future__ import annotations

from servicecenter.accounts.roles import Role
from servicecenter.repairs.states import RepairState
from tests.factories import Factory, login


def test_the_order_page_lists_the_notifications_and_why_one_was_not_sent(client, factory: Factory) -> None:  # noqa: ANN001
    center = factory.center()
    clerk = factory.user(center, Role.INTAKE)
    clerk.locale = "en"
    customer = factory.customer()
    customer.email, customer.notifications_opt_out = "quiet@example.test", True
    order = factory.order(center, customer=customer)
    login(client, clerk.email)
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert 'id="notifications"' in page
    assert 'data-kind="received" data-state="skipped"' in page
    assert "the customer asked for no e-mails" in page and "quiet@example.test" in page


def test_an_order_without_notifications_shows_no_section(client, factory: Factory) -> None:  # noqa: ANN001
    center = factory.center()
    clerk = factory.user(center, Role.INTAKE)
    order = factory.order(center, state=RepairState.REGISTERED)  # a phone pre-registration: nobody told yet
    login(client, clerk.email)
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert 'id="notifications"' not in page
