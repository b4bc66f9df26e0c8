"""The parts catalogue: the warehouse adds and changes parts; bad input is refused and changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from servicecenter.accounts.roles import Role
from servicecenter.errors import PermissionDenied, ValidationFailed
from servicecenter.stock.catalogue import save_part
from servicecenter.stock.models import Part
from tests.factories import csrf_token, login


@pytest.fixture
def center(factory):  # noqa: ANN001, ANN201
    return factory.center("CAT")


def _count(session) -> int:  # noqa: ANN001
    return session.scalar(select(func.count()).select_from(Part))


def test_a_part_is_saved_with_codes_as_scanned_and_its_models(session, factory, center) -> None:  # noqa: ANN001
    bosch = factory.manufacturer("Bosch")
    washer = factory.model(bosch, name="WAN28281OE", category="Стиральные машины")
    clerk = factory.staff(center, Role.WAREHOUSE)
    part = save_part(session, clerk, sku=" wm-pump 01 ", barcode="4600000000017", name="Насос сливной",
                     unit_cost="950", price="1 900,50", models="bosch wan28281oe\n")
    assert (part.sku, part.barcode, part.price, part.unit_cost) == ("WM-PUMP01", "4600000000017",
                                                                    Decimal("1900.50"), Decimal("950.00"))
    assert part.compatible_models == [washer]
    atlant = factory.model(factory.manufacturer("ATLANT"), name="ХМ 4021-000", category="Холодильники")
    save_part(session, clerk, part, sku="WM-PUMP01", name="Насос", models="ATLANT ХМ 4021-000; Bosch WAN28281OE")
    assert part.compatible_models == [atlant, washer]  # a Cyrillic model name as typed, ";" separates too
    save_part(session, clerk, part, sku="WM-PUMP01", name="Насос сливной (новый)", models="")
    assert part.name == "Насос сливной (новый)" and part.compatible_models == [] and part.barcode is None


@pytest.mark.parametrize(("values", "field"), [
    ({"sku": ""}, "sku"),
    ({"sku": "PUMP#1"}, "sku"),
    ({"name": ""}, "name"),
    ({"price": "-5"}, "price"),
    ({"unit_cost": "много"}, "unit_cost"),
    ({"barcode": "4600000000017"}, "barcode"),  # another part's barcode
    ({"sku": "4600000000017"}, "sku"),  # another part's barcode as a SKU: a scan would be ambiguous
    ({"models": "Nonexistent 3000"}, "models"),
])
def test_bad_input_is_refused_and_nothing_is_saved(session, factory, center, values, field) -> None:  # noqa: ANN001
    clerk = factory.staff(center, Role.WAREHOUSE)
    save_part(session, clerk, sku="OLD-1", barcode="4600000000017", name="Старая")
    before = _count(session)
    with pytest.raises(ValidationFailed) as err:
        save_part(session, clerk, **{"sku": "NEW-1", "name": "Новая", **values})
    assert field in err.value.errors and _count(session) == before


def test_only_the_warehouse_and_the_admin_keep_the_catalogue(session, factory, center) -> None:  # noqa: ANN001
    with pytest.raises(PermissionDenied):
        save_part(session, factory.staff(center, Role.ENGINEER), sku="X-1", name="x")


def test_the_clerk_adds_a_part_on_the_page_then_receives_it_by_its_barcode(client, session, factory, center) -> None:  # noqa: ANN001
    factory.model(factory.manufacturer("LG"), name="F2J3HS0W", category="Стиральные машины")
    clerk = factory.staff(center, Role.WAREHOUSE)
    login(client, clerk.email)
    form = client.get("/warehouse/catalogue/new?sku=wm-belt")
    assert form.status_code == 200 and 'value="wm-belt"' in form.get_data(as_text=True)
    assert 'href="/admin/' not in form.get_data(as_text=True)  # the clerk's form, not the admin's tabs
    token = csrf_token(form.get_data(as_text=True))
    r = client.post("/warehouse/catalogue/new", data={"csrf_token": token, "sku": "WM-BELT", "name": "Ремень",
                                                      "price": "890", "models": "Bosch F2J3HS0W"})
    assert r.status_code == 422 and _count(session) == 0  # a model that does not exist: nothing saved
    assert "Bosch F2J3HS0W" in r.get_data(as_text=True)
    r = client.post("/warehouse/catalogue/new", data={"csrf_token": token, "sku": "WM-BELT", "barcode": "4600000000024",
                                                      "name": "Ремень", "price": "890", "models": "LG F2J3HS0W",
                                                      "active": "y"})
    assert r.status_code == 302
    listing = client.get(r.headers["Location"]).get_data(as_text=True)
    assert 'data-part="WM-BELT"' in listing
    page = client.get("/warehouse/").get_data(as_text=True)
    r = client.post("/warehouse/receive", data={"csrf_token": csrf_token(page), "code": "4600000000024",
                                                "quantity": "3"})
    assert r.status_code == 303  # back to the scan field
    from servicecenter.stock import queries

    assert queries.free_quantity(session, center.id, session.scalars(select(Part)).one().id) == 3


def test_an_engineer_cannot_open_the_catalogue(client, factory, center) -> None:  # noqa: ANN001
    login(client, factory.staff(center, Role.ENGINEER).email)
    assert client.get("/warehouse/catalogue/").status_code == 403
