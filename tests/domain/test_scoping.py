"""The wall between centers: a walled session sees its own center's records and nothing else."""

from __future__ import annotations

import pytest
from sqlalchemy import String, func, select, update
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

import servicecenter.models  # noqa: F401
from servicecenter.accounts.models import User
from servicecenter.accounts.roles import PARTNER_ROLES, Role
from servicecenter.centers.models import CenterKind, Location, ServiceCenter
from servicecenter.customers.models import Customer
from servicecenter.db import Base
from servicecenter.equipment.models import Unit
from servicecenter.errors import NotFound
from servicecenter.repairs.models import RepairEvent, RepairOrder
from servicecenter.repairs.queries import get_order_by_number, list_orders, list_unit_history
from servicecenter.repairs.services import add_comment
from servicecenter.scoping import NETWORK, Scope, ScopeUndeclared, declared, is_center_owned, set_scope


def test_every_model_declares_its_scope() -> None:
    undeclared = [m.class_.__name__ for m in Base.registry.mappers if not declared(m.class_)]
    assert undeclared == [], f"models without a scope declaration: {undeclared}"
    # everything that carries a center (directly or through an order) is center-owned
    for mapper in Base.registry.mappers:
        cols = set(mapper.columns.keys())
        if cols & {"center_id", "order_id", "from_center_id", "customer_id", "location_id"}:
            assert is_center_owned(mapper.class_), mapper.class_.__name__


def test_an_undeclared_model_cannot_be_queried_from_a_walled_session(session) -> None:  # noqa: ANN001
    class Other(DeclarativeBase):
        pass

    class Stray(Other):
        __tablename__ = "stray_things"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(10))

    set_scope(session, Scope(center_id=1))
    with pytest.raises(ScopeUndeclared):
        session.execute(select(Stray))


@pytest.fixture
def two_partners(session, factory):  # noqa: ANN001, ANN201
    own = factory.center("MSK")
    kzn = factory.center("KZN", kind=CenterKind.PARTNER)
    ekb = factory.center("EKB", kind=CenterKind.PARTNER)
    shared_unit = factory.unit(serial="SHARED-001")
    mine = factory.order(kzn, customer=factory.customer("Казанский Клиент"), unit=shared_unit)
    theirs = factory.order(ekb, customer=factory.customer("Екатеринбургский Клиент"))
    at_msk = factory.order(own, customer=factory.customer("Московский Клиент"), unit=shared_unit)
    add_comment(session, at_msk, factory.staff(own, Role.INTAKE), "Комментарий в Москве")
    session.flush()
    return {"own": own, "kzn": kzn, "ekb": ekb, "mine": mine, "theirs": theirs, "at_msk": at_msk,
            "unit": shared_unit}


def test_partner_sees_only_its_own_orders_customers_units(session, two_partners) -> None:  # noqa: ANN001
    d = two_partners
    numbers = {"mine": d["mine"].number, "theirs": d["theirs"].number, "at_msk": d["at_msk"].number}
    theirs_unit_id, theirs_customer_id = d["theirs"].unit_id, d["theirs"].customer_id
    session.expunge_all()  # start with an empty identity map, as a new request does
    set_scope(session, Scope(d["kzn"].id))

    assert get_order_by_number(session, numbers["mine"]).number == numbers["mine"]
    for other in (numbers["theirs"], numbers["at_msk"]):
        with pytest.raises(NotFound):
            get_order_by_number(session, other)
    assert [o.number for o in list_orders(session).items] == [numbers["mine"]]
    assert session.scalar(select(func.count()).select_from(RepairOrder)) == 1
    assert {c.name for c in session.scalars(select(Customer))} == {"Казанский Клиент"}
    assert session.get(Unit, theirs_unit_id) is None
    assert session.get(Customer, theirs_customer_id) is None
    assert {c.code for c in session.scalars(select(ServiceCenter))} == {"MSK", "KZN"}  # never EKB
    assert {loc.code for loc in session.scalars(select(Location))} == {"KZN-WH"}
    assert {u.center.code for u in session.scalars(select(User))} <= {"KZN"}


def test_the_units_network_history_travels_with_it_but_not_other_orders(session, two_partners) -> None:  # noqa: ANN001
    d = two_partners
    unit_id, msk_order_id = d["unit"].id, d["at_msk"].id
    session.expunge_all()
    set_scope(session, Scope(d["kzn"].id))
    history = list_unit_history(session, unit_id)
    assert {e.order_id for e in history} == {d["mine"].id, msk_order_id}  # the unit's whole story
    assert all(e.order is None for e in history if e.order_id == msk_order_id)  # but not the MSK order itself
    assert session.get(RepairOrder, msk_order_id) is None


def test_relationships_do_not_leak_through_the_wall(session, two_partners) -> None:  # noqa: ANN001
    d = two_partners
    theirs_id, theirs_customer = d["theirs"].id, d["theirs"].customer_id
    session.expunge_all()
    set_scope(session, Scope(d["kzn"].id))
    events = session.scalars(select(RepairEvent)).all()
    assert events and all(e.order_id != theirs_id for e in events)
    # a relationship followed from a visible row loads only what the wall lets through
    mine = get_order_by_number(session, d["mine"].number)
    assert mine.customer.name == "Казанский Клиент" and mine.center.code == "KZN"
    assert {e.order_id for e in mine.events} == {mine.id}
    assert session.get(Customer, theirs_customer) is None


def test_bulk_updates_from_a_walled_session_touch_only_its_own_rows(session, two_partners) -> None:  # noqa: ANN001
    d = two_partners
    session.expunge_all()
    set_scope(session, Scope(d["kzn"].id))
    result = session.execute(update(Customer).values(notes="изменено"), execution_options={
        "synchronize_session": False})
    assert result.rowcount == 1
    set_scope(session, NETWORK)
    assert session.scalar(select(func.count()).select_from(Customer).where(Customer.notes == "изменено")) == 1


def test_the_network_scope_sees_everything(session, two_partners) -> None:  # noqa: ANN001
    assert session.scalar(select(func.count()).select_from(RepairOrder)) == 3


@pytest.mark.parametrize("role", [r for r in Role if r not in PARTNER_ROLES])
def test_only_partner_roles_exist_at_a_partner_center(session, factory, role) -> None:  # noqa: ANN001
    """Anyone else at a partner center would read the whole network: refused at creation."""
    from servicecenter.accounts.services import create_user
    from servicecenter.errors import ValidationFailed

    kzn = factory.center("KZN", kind=CenterKind.PARTNER)
    with pytest.raises(ValidationFailed) as err:
        create_user(session, None, email=f"{role.value}@kzn.test", password="long-enough-1", role=role, center=kzn)
    assert "role" in err.value.errors
    msk = factory.center("MSK")
    for partner_role in PARTNER_ROLES:
        with pytest.raises(ValidationFailed):
            create_user(session, None, email=f"{partner_role.value}@msk.test", password="long-enough-1",
                        role=partner_role, center=msk)


def test_a_number_prefix_search_finds_and_counts_only_what_the_wall_lets_through(session, two_partners) -> None:  # noqa: ANN001
    """The prefix search finds its page in a subquery (issue 10): the wall must reach into it, and into the count."""
    d = two_partners
    mine, theirs = d["mine"].number, d["theirs"].number
    session.expunge_all()
    assert [o.number for o in list_orders(session, q=theirs[:4]).items] == [theirs]  # the network sees it
    set_scope(session, Scope(d["kzn"].id))
    found = list_orders(session, q=mine[:4])
    assert [o.number for o in found.items] == [mine] and found.total == 1
    for prefix in (theirs[:4], theirs, d["at_msk"].number[:4]):
        found = list_orders(session, q=prefix)
        assert found.items == [] and found.total == 0
