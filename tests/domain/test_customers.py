"""Correcting a customer: validated like intake, all or nothing, and only for customers the actor reaches."""

from __future__ import annotations

import pytest

from servicecenter.accounts.roles import Role
from servicecenter.centers.models import CenterKind
from servicecenter.customers.services import get_customer_for, update_customer
from servicecenter.errors import NotFound, PermissionDenied, ValidationFailed
from tests.factories import Factory

GOOD = {"name": "Петров Пётр", "phone": "8 (916) 555-44-33", "email": "petrov@example.test",
        "notifications_opt_out": True, "language": "en"}


def test_the_clerk_corrects_contacts_and_preferences(factory: Factory, session) -> None:  # noqa: ANN001
    center = factory.center()
    order = factory.order(center)
    clerk = factory.user(center, Role.INTAKE)
    update_customer(session, clerk, order.customer, **GOOD)
    session.expire_all()
    c = order.customer
    assert (c.name, c.phone, c.email, c.notifications_opt_out, c.language) == (
        "Петров Пётр", "+79165554433", "petrov@example.test", True, "en")


def test_a_new_customer_is_written_to_in_russian(factory: Factory) -> None:
    assert factory.customer().language == "ru"


@pytest.mark.parametrize(("field", "value"), [("phone", "call me"), ("email", "petrov-at-example"),
                                              ("name", "   "), ("language", "de")])
def test_bad_input_is_refused_per_field_and_changes_nothing(factory: Factory, session, field, value) -> None:  # noqa: ANN001
    center = factory.center()
    order = factory.order(center)
    before = (order.customer.name, order.customer.phone, order.customer.email, order.customer.language)
    with pytest.raises(ValidationFailed) as refused:
        update_customer(session, factory.user(center, Role.INTAKE), order.customer, **{**GOOD, field: value})
    assert set(refused.value.errors) == {field}
    session.expire_all()
    c = order.customer
    assert (c.name, c.phone, c.email, c.language) == before and not c.notifications_opt_out


def test_another_centers_staff_do_not_reach_the_customer(factory: Factory, session) -> None:  # noqa: ANN001
    msk, spb = factory.center(), factory.center()
    kzn = factory.center(kind=CenterKind.PARTNER)
    order = factory.order(msk)
    for outsider in (factory.user(spb, Role.TEAM_LEAD), factory.user(spb, Role.INTAKE),
                     factory.user(kzn, Role.PARTNER_MANAGER)):
        with pytest.raises(NotFound):
            update_customer(session, outsider, order.customer, **GOOD)
    assert not order.customer.notifications_opt_out
    # the network's roles and the order's own center do
    assert get_customer_for(session, factory.user(spb, Role.CALL_CENTER), order.customer.id) is order.customer
    assert get_customer_for(session, factory.user(msk, Role.TEAM_LEAD), order.customer.id) is order.customer


def test_a_bench_role_does_not_edit_customers(factory: Factory, session) -> None:  # noqa: ANN001
    center = factory.center()
    order = factory.order(center)
    with pytest.raises(PermissionDenied):
        update_customer(session, factory.user(center, Role.ENGINEER), order.customer, **GOOD)
