"""Administration services: centers, locations, catalogue and users — rules, refusals, privileges."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.accounts.services import (
    LoginRefused,
    add_user,
    authenticate,
    get_session_user,
    set_password,
    start_session,
    update_user,
)
from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.catalog.services import (
    create_manufacturer,
    create_model,
    update_manufacturer,
    update_model,
)
from servicecenter.centers.models import CenterKind, Location, LocationKind, ServiceCenter
from servicecenter.centers.services import create_center, create_location, update_center, update_location
from servicecenter.errors import PermissionDenied, ValidationFailed
from tests.factories import PASSWORD


@pytest.fixture
def hq(factory) -> ServiceCenter:  # noqa: ANN001
    return factory.center("HQ")


@pytest.fixture
def admin(factory, hq) -> User:  # noqa: ANN001
    return factory.user(hq, Role.ADMIN)


def refusal(call, *args, **kwargs) -> dict[str, str]:  # noqa: ANN001
    """The field errors of a refused call."""
    with pytest.raises(ValidationFailed) as info:
        call(*args, **kwargs)
    return info.value.errors


def warehouse_of(session, center: ServiceCenter) -> Location:  # noqa: ANN001
    return session.scalar(select(Location).where(Location.center_id == center.id,
                                                 Location.kind == LocationKind.WAREHOUSE))


# --- Only an administrator ----------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.INTAKE, Role.TEAM_LEAD, Role.CALL_CENTER, Role.WAREHOUSE])
def test_every_admin_service_refuses_other_roles(factory, session, hq, role) -> None:
    clerk = factory.user(hq, role)
    maker = factory.manufacturer()
    before = session.scalar(select(func.count()).select_from(ServiceCenter))
    calls = [
        lambda: create_center(session, clerk, code="NEW", name="New"),
        lambda: update_center(session, clerk, hq, name="Renamed"),
        lambda: create_location(session, clerk, hq, code="X", name="X", kind="warehouse"),
        lambda: update_location(session, clerk, warehouse_of(session, hq), name="Renamed"),
        lambda: create_manufacturer(session, clerk, name="Brand X"),
        lambda: update_manufacturer(session, clerk, maker, name="Renamed"),
        lambda: create_model(session, clerk, manufacturer=maker, name="M", category="C"),
        lambda: add_user(session, clerk, email="x@example.test", name="X", role="intake", center=hq,
                         password="long-enough"),
        lambda: update_user(session, clerk, clerk, role=Role.ADMIN),
        lambda: set_password(session, clerk, clerk, "long-enough"),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert session.scalar(select(func.count()).select_from(ServiceCenter)) == before
    assert hq.name != "Renamed" and clerk.role == role


# --- Service centers -----------------------------------------------------------------------------

def test_create_center_normalises_the_code_and_keeps_its_brands(session, admin, factory) -> None:
    lg = factory.manufacturer("LG")
    center = create_center(session, admin, code=" ekb ", name="Yekaterinburg", kind="partner",
                           timezone="Asia/Yekaterinburg", brands=[lg], email="EKB@Example.test")
    assert (center.code, center.kind, center.email) == ("EKB", CenterKind.PARTNER, "ekb@example.test")
    assert center.brands == [lg]


@pytest.mark.parametrize("timezone", ["Europe/Atlantis", "europe/moscow", "", "localtime", "../etc/passwd"])
def test_unknown_time_zone_is_refused(session, admin, timezone) -> None:
    errors = refusal(create_center, session, admin, code="TZ", name="TZ", timezone=timezone)
    assert errors == {"timezone": "Not a known time zone (e.g. Europe/Moscow)"}


def test_center_code_is_unique_whatever_the_case(session, admin, hq) -> None:
    errors = refusal(create_center, session, admin, code="hq", name="Another")
    assert errors["code"] == "A service center with this code already exists"
    other = create_center(session, admin, code="MSK", name="Moscow")
    assert refusal(update_center, session, admin, other, code="HQ")["code"].startswith("A service center")


def test_update_center_changes_only_what_is_given(session, admin, hq) -> None:
    update_center(session, admin, hq, hours="Mon-Fri 9-18", active=False)
    assert (hq.hours, hq.active, hq.code, hq.timezone) == ("Mon-Fri 9-18", False, "HQ", "Europe/Moscow")


def test_center_kind_cannot_change_while_its_users_would_not_fit(session, admin, factory, hq) -> None:
    branch = factory.center("SPB")
    clerk = factory.user(branch, Role.INTAKE)
    errors = refusal(update_center, session, admin, branch, kind=CenterKind.PARTNER)
    assert "roles that do not fit" in errors["kind"]
    update_user(session, admin, clerk, center=hq)  # moved to an own center first
    assert update_center(session, admin, branch, kind="partner").kind == CenterKind.PARTNER


# --- Warehouses and shelves ----------------------------------------------------------------------

def test_shelf_goes_into_a_warehouse_of_the_same_center(session, admin, factory, hq) -> None:
    wh = warehouse_of(session, hq)
    shelf = create_location(session, admin, hq, code="hq-wh-a1", name="A1", kind="shelf", parent=wh)
    assert (shelf.code, shelf.parent, shelf.center_id) == ("HQ-WH-A1", wh, hq.id)
    foreign = warehouse_of(session, factory.center("OTH"))
    message = "A shelf must be in a warehouse of the same service center"
    assert refusal(create_location, session, admin, hq, code="A2", name="A2", kind="shelf",
                   parent=foreign)["parent"] == message
    assert refusal(create_location, session, admin, hq, code="A3", name="A3", kind="shelf",
                   parent=shelf)["parent"] == message
    assert refusal(create_location, session, admin, hq, code="A4", name="A4", kind="shelf")["parent"] == (
        "Choose the warehouse the shelf is in")
    assert "not placed inside" in refusal(create_location, session, admin, hq, code="W2", name="W2",
                                          kind="warehouse", parent=wh)["parent"]


def test_only_warehouses_and_shelves_are_managed(session, admin, hq) -> None:
    assert refusal(create_location, session, admin, hq, code="T1", name="Truck", kind="transit")["kind"] == (
        "Choose warehouse or shelf")
    truck = Location(code="TRUCK", name="Truck", kind=LocationKind.TRANSIT, center_id=hq.id)
    session.add(truck)
    session.flush()
    with pytest.raises(ValidationFailed):
        update_location(session, admin, truck, name="Van")
    assert truck.name == "Truck"


def test_location_code_is_unique(session, admin, hq) -> None:
    errors = refusal(create_location, session, admin, hq, code="hq-wh", name="Twin", kind="warehouse")
    assert errors["code"] == "A location with this code already exists"


def test_one_main_warehouse_per_center(session, admin, hq) -> None:
    first = warehouse_of(session, hq)
    assert first.is_main
    second = create_location(session, admin, hq, code="HQ-WH2", name="Second", kind="warehouse", is_main=True)
    session.refresh(first)
    assert second.is_main and not first.is_main


def test_a_warehouse_with_shelves_keeps_them_consistent(session, admin, hq) -> None:
    wh = warehouse_of(session, hq)
    create_location(session, admin, hq, code="HQ-WH-B1", name="B1", kind="shelf", parent=wh)
    assert "has shelves" in refusal(update_location, session, admin, wh, kind="shelf", is_main=False,
                                    parent=None)["kind"]
    assert refusal(update_location, session, admin, wh, active=False, is_main=False)["active"] == (
        "Deactivate the warehouse's shelves first")
    assert wh.active and wh.kind == LocationKind.WAREHOUSE


# --- Catalogue -----------------------------------------------------------------------------------

def test_manufacturer_name_is_unique_without_case(session, admin, factory) -> None:
    factory.manufacturer("Bosch")
    assert refusal(create_manufacturer, session, admin, name=" BOSCH ")["name"] == (
        "A manufacturer with this name already exists")
    siemens = create_manufacturer(session, admin, name="Siemens", country="Germany", default_warranty_months=24)
    assert refusal(update_manufacturer, session, admin, siemens, name="bosch")["name"].startswith("A manufacturer")
    assert session.get(Manufacturer, siemens.id).name == "Siemens"


@pytest.mark.parametrize("months, ok", [(0, True), (120, True), (-1, False), (121, False), (True, False)])
def test_warranty_term_is_0_to_120_months(session, admin, factory, months, ok) -> None:
    maker = factory.manufacturer()
    if ok:
        assert create_model(session, admin, manufacturer=maker, name="M", category="C",
                            warranty_months=months).warranty_months == months
        assert create_manufacturer(session, admin, name="B", default_warranty_months=months)
    else:
        assert "warranty_months" in refusal(create_model, session, admin, manufacturer=maker, name="M",
                                            category="C", warranty_months=months)
        assert "default_warranty_months" in refusal(create_manufacturer, session, admin, name="B",
                                                    default_warranty_months=months)


def test_model_without_a_term_takes_the_manufacturers_default(session, admin) -> None:
    maker = create_manufacturer(session, admin, name="Atlant", default_warranty_months=36)
    assert create_model(session, admin, manufacturer=maker, name="XM", category="Fridges").warranty_months == 36


def test_model_name_is_unique_per_manufacturer(session, admin, factory) -> None:
    lg, samsung = factory.manufacturer("LG"), factory.manufacturer("Samsung")
    factory.model(lg, name="F2V5")
    assert refusal(create_model, session, admin, manufacturer=lg, name="f2v5", category="Washers")["name"] == (
        "This manufacturer already has a model with this name")
    assert create_model(session, admin, manufacturer=samsung, name="F2V5", category="Washers").id


def test_model_manufacturer_is_fixed_once_units_exist(session, admin, factory) -> None:
    lg, samsung = factory.manufacturer("LG"), factory.manufacturer("Samsung")
    spare = factory.model(lg, name="Spare")
    assert update_model(session, admin, spare, manufacturer=samsung).manufacturer_id == samsung.id
    used = factory.model(lg, name="Used")
    factory.unit(model=used)
    assert "cannot change" in refusal(update_model, session, admin, used, manufacturer=samsung)["manufacturer"]
    assert session.get(ProductModel, used.id).manufacturer_id == lg.id


def test_new_model_of_an_inactive_manufacturer_is_refused(session, admin, factory) -> None:
    maker = factory.manufacturer()
    update_manufacturer(session, admin, maker, active=False)
    assert refusal(create_model, session, admin, manufacturer=maker, name="M", category="C")["manufacturer"] == (
        "This manufacturer is inactive")


# --- Users ---------------------------------------------------------------------------------------

def test_add_user_with_language_and_password(session, admin, hq) -> None:
    user = add_user(session, admin, email=" Olga@Example.test ", name="Olga", role="engineer", center=hq,
                    password="long-enough", locale="en")
    assert (user.email, user.locale, user.role, user.active) == ("olga@example.test", "en", Role.ENGINEER, True)
    assert authenticate(session, "olga@example.test", "long-enough", "127.0.0.1") is user


def test_add_user_refusals(session, admin, factory, hq) -> None:
    partner_center = factory.center("PRT", kind=CenterKind.PARTNER)
    errors = refusal(add_user, session, admin, email=admin.email.upper(), name="", role="intake", center=hq,
                     password="short", locale="de")
    assert errors == {"email": "A user with this e-mail already exists", "name": "Enter the name",
                      "password": "At least 8 characters", "locale": "Unknown language"}
    for role, center in ((Role.PARTNER, hq), (Role.INTAKE, partner_center)):
        errors = refusal(add_user, session, admin, email="p@example.test", name="P", role=role, center=center,
                         password="long-enough")
        assert "partner role" in errors["role"]
    update_center(session, admin, factory.center("OLD"), active=False)
    closed = session.scalar(select(ServiceCenter).where(ServiceCenter.code == "OLD"))
    assert refusal(add_user, session, admin, email="c@example.test", name="C", role="intake", center=closed,
                   password="long-enough")["center"] == "This service center is inactive"


def test_admin_cannot_change_own_role_or_deactivate_themself(session, admin) -> None:
    assert refusal(update_user, session, admin, admin, role=Role.ENGINEER)["role"] == (
        "You cannot change your own role")
    assert refusal(update_user, session, admin, admin, active=False)["active"] == "You cannot deactivate yourself"
    assert admin.role == Role.ADMIN and admin.active
    assert update_user(session, admin, admin, name="Chief", locale="en").name == "Chief"


def test_deactivation_ends_the_users_sessions(session, admin, factory, hq) -> None:
    clerk = factory.user(hq, Role.INTAKE)
    token = start_session(session, clerk)
    assert get_session_user(session, token) is clerk
    update_user(session, admin, clerk, active=False)
    assert get_session_user(session, token) is None


def test_email_of_another_user_cannot_be_taken(session, admin, factory, hq) -> None:
    clerk = factory.user(hq, Role.INTAKE)
    assert refusal(update_user, session, admin, clerk, email=admin.email)["email"] == (
        "A user with this e-mail already exists")
    assert update_user(session, admin, clerk, email=clerk.email.upper()).email == clerk.email


def test_set_password_replaces_it_and_ends_sessions(session, admin, factory, hq) -> None:
    clerk = factory.user(hq, Role.INTAKE)
    token = start_session(session, clerk)
    assert refusal(set_password, session, admin, clerk, "1234567") == {"password": "At least 8 characters"}
    assert get_session_user(session, token) is clerk
    set_password(session, admin, clerk, "a-new-password")
    assert get_session_user(session, token) is None
    assert authenticate(session, clerk.email, "a-new-password", "127.0.0.1") is clerk
    with pytest.raises(LoginRefused):
        authenticate(session, clerk.email, PASSWORD, "127.0.0.1")
