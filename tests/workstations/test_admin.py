"""The administrator workstation over HTTP: lists, create and edit forms, refusals, access."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import PARTNER_ROLES, Role
from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.centers.models import CenterKind, Location, LocationKind, ServiceCenter
from tests.factories import PASSWORD, csrf_token, login


def count(session, model: type, *where: Any) -> int:  # noqa: ANN001
    return session.scalar(select(func.count()).select_from(model).where(*where))


def submit(client, url: str, data: dict[str, Any]):  # noqa: ANN001, ANN201
    """Open the form page (it must render), then send it back with its CSRF token."""
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, data={**data, "csrf_token": csrf_token(page.get_data(as_text=True))})


def text(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


@pytest.fixture
def hq(factory) -> ServiceCenter:  # noqa: ANN001
    return factory.center("HQ", name="Head office")


@pytest.fixture
def admin(factory, session, hq) -> User:  # noqa: ANN001
    user = factory.user(hq, Role.ADMIN, email="admin@example.test", name="Anna Admin")
    user.locale = "en"  # the assertions read the English texts
    session.flush()
    return user


@pytest.fixture
def admin_client(client, admin):  # noqa: ANN001, ANN201
    assert login(client, admin.email).status_code == 302
    return client


CENTER = {"code": "nsk", "name": "Novosibirsk", "kind": "own", "city": "Novosibirsk", "region": "NSO",
          "address": "Lenina 1", "phone": "+73830000000", "email": "nsk@example.test",
          "timezone": "Asia/Novosibirsk", "hours": "9-18", "active": "y",
          "repair_warranty_days": "90", "label_profile": "58x40", "label_qr": "none"}


# --- Home ----------------------------------------------------------------------------------------

def test_home_links_every_section_with_counts(admin_client, factory, hq) -> None:
    factory.model(factory.manufacturer("Bosch"))
    page = text(admin_client.get("/admin/"))
    for url in ("/admin/centers/", "/admin/users/", "/admin/manufacturers/", "/admin/models/"):
        assert f'href="{url}"' in page
    assert re.search(r'Models</a></h2>\s*<p class="count"><b>1</b>', page)
    assert re.search(r'Users</a></h2>\s*<p class="count"><b>1</b> · 1 active', page)


# --- Service centers -----------------------------------------------------------------------------

def test_create_center_then_it_is_listed(admin_client, factory, session) -> None:
    bosch = factory.manufacturer("Bosch")
    response = submit(admin_client, "/admin/centers/new", {**CENTER, "brands": [str(bosch.id)]})
    assert response.status_code == 302
    center = session.scalar(select(ServiceCenter).where(ServiceCenter.code == "NSK"))
    assert center.timezone == "Asia/Novosibirsk" and [b.name for b in center.brands] == ["Bosch"]
    listing = text(admin_client.get("/admin/centers/"))
    assert "NSK" in listing and "Novosibirsk" in listing and "Bosch" in listing


def test_edit_center_then_the_list_shows_the_change(admin_client, factory, session) -> None:
    center = factory.center("EKB", name="Ekaterinburg")
    response = submit(admin_client, f"/admin/centers/{center.id}/edit",
                      {**CENTER, "code": "EKB", "name": "Yekaterinburg North", "timezone": "Asia/Yekaterinburg"})
    assert response.status_code == 302
    listing = text(admin_client.get("/admin/centers/?q=north"))
    assert "Yekaterinburg North" in listing and "Asia/Yekaterinburg" in listing
    assert "Head office" not in listing  # the filter keeps only the match


def test_duplicate_center_code_is_refused_and_nothing_is_written(admin_client, session, hq) -> None:
    before = count(session, ServiceCenter)
    response = submit(admin_client, "/admin/centers/new", {**CENTER, "code": "hq", "name": "Second HQ"})
    assert response.status_code == 422
    assert "A service center with this code already exists" in text(response)
    assert 'value="Second HQ"' in text(response)  # the user's input is shown again
    assert count(session, ServiceCenter) == before


def test_bad_time_zone_is_refused_on_create_and_edit(admin_client, session, hq) -> None:
    before = count(session, ServiceCenter)
    response = submit(admin_client, "/admin/centers/new", {**CENTER, "timezone": "Europe/Atlantis"})
    assert response.status_code == 422 and "Not a known time zone" in text(response)
    assert count(session, ServiceCenter) == before
    response = submit(admin_client, f"/admin/centers/{hq.id}/edit", {**CENTER, "code": "HQ", "timezone": "Mars"})
    assert response.status_code == 422 and "Not a known time zone" in text(response)
    session.expire_all()
    assert session.get(ServiceCenter, hq.id).timezone == "Europe/Moscow"


def test_unknown_center_is_a_404(admin_client) -> None:
    assert admin_client.get("/admin/centers/999999/edit").status_code == 404


# --- Warehouses and shelves ----------------------------------------------------------------------

def test_create_warehouse_and_shelf_then_edit_the_shelf(admin_client, session, hq) -> None:
    url = f"/admin/centers/{hq.id}/locations/new"
    assert submit(admin_client, url, {"kind": "warehouse", "code": "hq-wh2", "name": "Parts store",
                                      "active": "y"}).status_code == 302
    warehouse = session.scalar(select(Location).where(Location.code == "HQ-WH2"))
    assert submit(admin_client, url, {"kind": "shelf", "parent_id": str(warehouse.id), "code": "HQ-WH2-A1",
                                      "name": "Shelf A1", "active": "y"}).status_code == 302
    shelf = session.scalar(select(Location).where(Location.code == "HQ-WH2-A1"))
    assert shelf.parent_id == warehouse.id
    response = submit(admin_client, f"/admin/locations/{shelf.id}/edit",
                      {"kind": "shelf", "parent_id": str(warehouse.id), "code": "HQ-WH2-A1",
                       "name": "Shelf A1 (top)", "active": "y"})
    assert response.status_code == 302
    listing = text(admin_client.get(f"/admin/centers/{hq.id}/locations"))
    assert "Parts store" in listing and "Shelf A1 (top)" in listing


@pytest.mark.parametrize("parent", ["other_center_warehouse", "shelf_of_same_center"])
def test_shelf_must_be_in_a_warehouse_of_the_same_center(admin_client, factory, session, hq, parent) -> None:
    other = factory.center("OTH")
    own_wh = session.scalar(select(Location).where(Location.code == "HQ-WH"))
    own_shelf = Location(code="HQ-WH-S1", name="S1", kind=LocationKind.SHELF, center_id=hq.id, parent_id=own_wh.id)
    session.add(own_shelf)
    session.flush()
    target = (session.scalar(select(Location).where(Location.center_id == other.id))
              if parent == "other_center_warehouse" else own_shelf)
    before = count(session, Location)
    response = submit(admin_client, f"/admin/centers/{hq.id}/locations/new",
                      {"kind": "shelf", "parent_id": str(target.id), "code": "HQ-X1", "name": "X1", "active": "y"})
    assert response.status_code == 422
    assert "A shelf must be in a warehouse of the same service center" in text(response)
    assert count(session, Location) == before


def test_duplicate_location_code_is_refused(admin_client, session, hq) -> None:
    before = count(session, Location)
    response = submit(admin_client, f"/admin/centers/{hq.id}/locations/new",
                      {"kind": "warehouse", "code": "hq-wh", "name": "Twin", "active": "y"})
    assert response.status_code == 422 and "A location with this code already exists" in text(response)
    assert count(session, Location) == before


# --- Users ---------------------------------------------------------------------------------------

USER = {"email": "new.clerk@example.test", "name": "Nina Clerk", "role": "intake", "locale": "en",
        "phone": "", "password": "long-enough-1", "confirm": "long-enough-1"}


def test_create_user_then_listed_and_able_to_log_in(admin_client, app, session, hq) -> None:
    response = submit(admin_client, "/admin/users/new", {**USER, "center_id": str(hq.id)})
    assert response.status_code == 302
    listing = text(admin_client.get(f"/admin/users/?center={hq.id}&role=intake"))
    assert "Nina Clerk" in listing and "new.clerk@example.test" in listing
    assert login(app.test_client(), "new.clerk@example.test", "long-enough-1").headers["Location"] == "/intake/"


def test_edit_user_role_and_center_shows_on_the_list(admin_client, factory, session, hq) -> None:
    branch = factory.center("SPB", name="Saint Petersburg")
    clerk = factory.user(hq, Role.INTAKE, name="Oleg Clerk")
    response = submit(admin_client, f"/admin/users/{clerk.id}/edit",
                      {"email": clerk.email, "name": "Oleg Engineer", "role": "engineer",
                       "center_id": str(branch.id), "locale": "ru", "active": "y"})
    assert response.status_code == 302
    listing = text(admin_client.get(f"/admin/users/?center={branch.id}&role=engineer"))
    assert "Oleg Engineer" in listing and "Repair engineer" in listing and "SPB" in listing
    assert "admin@example.test" not in text(admin_client.get(f"/admin/users/?center={branch.id}"))


def test_user_list_pages_through_long_lists_keeping_the_filter(admin_client, factory, hq) -> None:
    for n in range(55):
        factory.user(hq, Role.ENGINEER, email=f"bench{n:02d}@example.test")
    first = text(admin_client.get("/admin/users/?role=engineer"))
    assert "Page 1 of 2" in first and "55 in all" in first
    assert "role=engineer" in first.split('class="pager"')[1]  # the next page keeps the filter
    assert "admin@example.test" not in first
    assert "Page 2 of 2" in text(admin_client.get("/admin/users/?role=engineer&page=2"))


def test_a_hand_edited_filter_shows_everything_instead_of_failing(admin_client, factory, hq) -> None:
    factory.model(factory.manufacturer("Vitek"), name="VT-1")
    for url, shown in (("/admin/users/?role=boss&center=x&status=maybe", "admin@example.test"),
                       ("/admin/centers/?kind=moon", "Head office"),
                       ("/admin/models/?manufacturer=999999", "VT-1"),
                       ("/admin/users/?page=-3", "admin@example.test")):
        response = admin_client.get(url)
        assert response.status_code == 200 and shown in text(response), url


def test_duplicate_email_is_refused_and_nothing_is_written(admin_client, session, hq, admin) -> None:
    before = count(session, User)
    response = submit(admin_client, "/admin/users/new", {**USER, "email": "ADMIN@example.test",
                                                         "center_id": str(hq.id)})
    assert response.status_code == 422
    assert "A user with this e-mail already exists" in text(response)
    assert count(session, User) == before


def test_partner_role_at_an_own_center_is_refused(admin_client, session, hq) -> None:
    before = count(session, User)
    response = submit(admin_client, "/admin/users/new", {**USER, "role": "partner", "center_id": str(hq.id)})
    assert response.status_code == 422 and "partner role" in text(response)
    assert count(session, User) == before


def test_short_password_is_refused_on_create_and_reset(admin_client, factory, session, hq, app) -> None:
    before = count(session, User)
    response = submit(admin_client, "/admin/users/new", {**USER, "password": "short", "confirm": "short",
                                                         "center_id": str(hq.id)})
    assert response.status_code == 422 and "At least 8 characters" in text(response)
    assert count(session, User) == before
    clerk = factory.user(hq, Role.INTAKE)
    response = submit(admin_client, f"/admin/users/{clerk.id}/password", {"password": "short", "confirm": "short"})
    assert response.status_code == 422 and "At least 8 characters" in text(response)
    assert login(app.test_client(), clerk.email, PASSWORD).status_code == 302  # the old password still works


def english_client(app):  # noqa: ANN001, ANN201
    """A browser that asks for English (the default language is Russian)."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_password_reset_replaces_the_old_one(admin_client, factory, hq, app) -> None:
    clerk = factory.user(hq, Role.INTAKE)
    response = submit(admin_client, f"/admin/users/{clerk.id}/password",
                      {"password": "brand-new-pass", "confirm": "brand-new-pass"})
    assert response.status_code == 302
    assert "Wrong e-mail or password" in text(login(english_client(app), clerk.email, PASSWORD))
    assert login(app.test_client(), clerk.email, "brand-new-pass").status_code == 302


def test_deactivated_user_is_logged_out_and_cannot_log_in(admin_client, factory, session, hq, app) -> None:
    engineer = factory.user(hq, Role.ENGINEER, name="Egor Bench")
    bench = app.test_client()
    assert login(bench, engineer.email).status_code == 302
    assert bench.get("/engineer/").status_code == 200
    response = submit(admin_client, f"/admin/users/{engineer.id}/edit",
                      {"email": engineer.email, "name": engineer.name, "role": "engineer",
                       "center_id": str(hq.id), "locale": "ru"})  # "active" unticked
    assert response.status_code == 302
    next_request = bench.get("/engineer/")
    assert next_request.status_code == 302 and next_request.headers["Location"].startswith("/login")
    assert "Wrong e-mail or password" in text(login(english_client(app), engineer.email))
    assert "inactive" in text(admin_client.get("/admin/users/?status=inactive"))


def test_admin_cannot_demote_or_deactivate_themself(admin_client, session, hq, admin) -> None:
    own = {"email": admin.email, "name": admin.name, "center_id": str(hq.id), "locale": "en"}
    response = submit(admin_client, f"/admin/users/{admin.id}/edit", {**own, "role": "engineer", "active": "y"})
    assert response.status_code == 422 and "You cannot change your own role" in text(response)
    response = submit(admin_client, f"/admin/users/{admin.id}/edit", {**own, "role": "admin"})
    assert response.status_code == 422 and "You cannot deactivate yourself" in text(response)
    session.expire_all()
    me = session.get(User, admin.id)
    assert me.role == Role.ADMIN and me.active
    assert admin_client.get("/admin/").status_code == 200


# --- Manufacturers and models --------------------------------------------------------------------

def test_create_and_edit_manufacturer(admin_client, session) -> None:
    data = {"name": "Indesit", "country": "Italy", "default_warranty_months": "24", "active": "y"}
    assert submit(admin_client, "/admin/manufacturers/new", data).status_code == 302
    maker = session.scalar(select(Manufacturer).where(Manufacturer.name == "Indesit"))
    assert submit(admin_client, f"/admin/manufacturers/{maker.id}/edit",
                  {**data, "country": "Italia", "default_warranty_months": "36"}).status_code == 302
    listing = text(admin_client.get("/admin/manufacturers/?q=indes"))
    assert "Indesit" in listing and "Italia" in listing and ">36<" in listing


def test_duplicate_manufacturer_name_is_refused(admin_client, factory, session) -> None:
    factory.manufacturer("Samsung")
    before = count(session, Manufacturer)
    response = submit(admin_client, "/admin/manufacturers/new",
                      {"name": "SAMSUNG", "default_warranty_months": "12", "active": "y"})
    assert response.status_code == 422 and "A manufacturer with this name already exists" in text(response)
    assert count(session, Manufacturer) == before


def test_create_model_takes_the_default_term_then_edit_it(admin_client, factory, session) -> None:
    maker = factory.manufacturer("Atlant")
    maker.default_warranty_months = 36
    session.flush()
    response = submit(admin_client, "/admin/models/new", {"manufacturer_id": str(maker.id), "name": "XM-4021",
                                                          "category": "Refrigerators", "active": "y"})
    assert response.status_code == 302
    model = session.scalar(select(ProductModel).where(ProductModel.name == "XM-4021"))
    assert model.warranty_months == 36
    assert submit(admin_client, f"/admin/models/{model.id}/edit",
                  {"manufacturer_id": str(maker.id), "name": "XM-4021-100", "category": "Refrigerators",
                   "warranty_months": "48", "active": "y"}).status_code == 302
    listing = text(admin_client.get(f"/admin/models/?manufacturer={maker.id}"))
    assert "XM-4021-100" in listing and ">48<" in listing and "Refrigerators" in listing


@pytest.mark.parametrize("months", ["121", "-1"])
def test_warranty_months_out_of_range_is_refused(admin_client, factory, session, months) -> None:
    maker = factory.manufacturer()
    before = count(session, ProductModel)
    response = submit(admin_client, "/admin/models/new", {"manufacturer_id": str(maker.id), "name": "Z1",
                                                          "category": "Kettles", "warranty_months": months})
    assert response.status_code == 422 and "Between 0 and 120 months" in text(response)
    assert count(session, ProductModel) == before


def test_duplicate_model_name_under_one_manufacturer_is_refused(admin_client, factory, session) -> None:
    maker = factory.manufacturer()
    factory.model(maker, name="WM-100")
    before = count(session, ProductModel)
    response = submit(admin_client, "/admin/models/new", {"manufacturer_id": str(maker.id), "name": "wm-100",
                                                          "category": "Washers", "warranty_months": "12"})
    assert response.status_code == 422
    assert "This manufacturer already has a model with this name" in text(response)
    assert count(session, ProductModel) == before


# --- Access ----------------------------------------------------------------------------------------

def _admin_urls(app, ids: dict[str, int]) -> list[tuple[str, str]]:  # noqa: ANN001
    from flask import url_for

    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("admin."):
                # Any id does for a route the test has no record for: access is refused before any lookup.
                url = url_for(rule.endpoint, **{arg: ids.get(arg, 1) for arg in rule.arguments})
                urls += [(method, url) for method in ("GET", "POST") if method in rule.methods]
    return urls


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_other_roles_are_refused_on_every_admin_url(client, app, factory, session, hq, admin, role) -> None:
    center = factory.center("PRT", kind=CenterKind.PARTNER) if role in PARTNER_ROLES else hq
    user = factory.user(center, role)
    user.locale = "en"  # the messages below are checked in English
    model = factory.model()
    warehouse = session.scalar(select(Location).where(Location.center_id == center.id))
    ids = {"center_id": center.id, "location_id": warehouse.id, "user_id": user.id,
           "manufacturer_id": model.manufacturer_id, "model_id": model.id}
    assert login(client, user.email).status_code == 302
    token = csrf_token(text(client.get("/", follow_redirects=True)))
    centers_before = count(session, ServiceCenter)
    urls = _admin_urls(app, ids)
    assert len(urls) >= 20
    for method, url in urls:
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={**CENTER, "csrf_token": token, "role": "admin", "name": "Hacked"})
        if role in PARTNER_ROLES:  # behind the wall the administration does not exist
            assert response.status_code == 404, (method, url)
            assert "Your role has no access" not in text(response)
        else:
            assert response.status_code == 403, (method, url)
            assert "Your role has no access to this page" in text(response)
    session.expire_all()
    assert count(session, ServiceCenter) == centers_before
    assert session.get(User, user.id).role == role


def test_anonymous_visitor_is_sent_to_login(client) -> None:
    response = client.get("/admin/users/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_form_without_csrf_token_is_refused(admin_client, session) -> None:
    before = count(session, ServiceCenter)
    response = admin_client.post("/admin/centers/new", data=CENTER)
    assert response.status_code == 400 and "The form has expired" in text(response)
    assert count(session, ServiceCenter) == before


def test_counter_settings_of_a_center(admin_client, session, hq) -> None:  # noqa: ANN001
    """Our repair warranty, the label stock and the label's QR code are set per center."""
    data = {**CENTER, "code": "HQ", "name": hq.name, "repair_warranty_days": "30", "label_profile": "50x30",
            "label_qr": "status"}
    assert submit(admin_client, f"/admin/centers/{hq.id}/edit", data).status_code == 302
    session.refresh(hq)
    assert (hq.repair_warranty_days, hq.label_profile, hq.label_qr) == (30, "50x30", "status")
    for bad in ({"repair_warranty_days": "-1"}, {"repair_warranty_days": "99999"}, {"label_profile": "A0"},
                {"label_qr": "sms"}):
        assert submit(admin_client, f"/admin/centers/{hq.id}/edit", {**data, **bad}).status_code == 422
        session.refresh(hq)
        assert (hq.repair_warranty_days, hq.label_profile, hq.label_qr) == (30, "50x30", "status")
