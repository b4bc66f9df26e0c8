"""The intake counter over HTTP: scan first, receive, refuse bad input, never twice."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from servicecenter.accounts.roles import Role
from servicecenter.centers.models import CenterKind
from servicecenter.customers.models import Customer
from servicecenter.repairs.models import RepairOrder
from tests.domain.test_scanning import typed_on_russian_layout
from tests.factories import csrf_token, login


@pytest.fixture
def desk(client, factory):  # noqa: ANN001, ANN201
    center = factory.center("MSK")
    clerk = factory.staff(center, Role.INTAKE)
    login(client, clerk.email)
    return center, clerk, factory.model(months=24, name="WW90T", category="Стиральные машины")


def _form(client, query: str = "") -> dict:  # noqa: ANN001
    page = client.get(f"/intake/new{query}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    import re

    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html) or re.search(
        r'id="token" name="token" type="hidden" value="([^"]+)"', html)
    return {"csrf_token": csrf_token(html), "token": token.group(1) if token else ""}


def _count(session, model) -> int:  # noqa: ANN001
    return session.scalar(select(func.count()).select_from(model))


def _intake(model, **kw) -> dict:  # noqa: ANN001
    data = {"serial": "WM-000777", "model_id": str(model.id), "purchase_date": "2025-03-14",
            "customer_name": "Смирнова Ольга", "customer_phone": "+7 916 555-44-33", "customer_kind": "person",
            "fault": "Не сливает воду", "condition_checks": ["scratches"], "accessories_checks": ["cable"],
            "accessories_other": "шланг", "order_type": "warranty", "priority": "normal", "warranty": "auto"}
    data.update(kw)
    return data


def test_scanning_an_order_number_opens_it_even_on_the_russian_layout(client, factory, desk) -> None:  # noqa: ANN001
    order = factory.order(desk[0])
    for raw in (order.number, typed_on_russian_layout(order.number), f"  {order.number.lower()}\r\n"):
        r = client.get("/intake/scan", query_string={"code": raw})
        assert r.status_code == 302 and r.headers["Location"] == f"/orders/{order.number}"


def test_an_unknown_serial_starts_a_new_unit_with_it_filled_in(client, desk) -> None:  # noqa: ANN001
    r = client.get("/intake/scan", query_string={"code": "ыт-001"})  # "SN-001" on the Russian layout
    assert r.status_code == 302 and r.headers["Location"] == "/intake/new?serial=SN-001"
    assert 'value="SN-001"' in client.get(r.headers["Location"]).get_data(as_text=True)


def test_an_unknown_order_number_says_so(client, desk) -> None:  # noqa: ANN001
    r = client.get("/intake/scan", query_string={"code": "MSK-2026-999999"}, follow_redirects=True)
    assert r.status_code == 200 and "MSK-2026-999999" in r.get_data(as_text=True)


def test_a_known_serial_shows_the_unit_its_warranty_and_history(client, factory, desk) -> None:  # noqa: ANN001
    center, _, model = desk
    owner = factory.customer("Кузнецов Андрей")
    unit = factory.unit(model=model, serial="KNOWN-42", owner=owner)
    order = factory.order(center, unit=unit, customer=owner)
    r = client.get("/intake/scan", query_string={"code": "known-42"})
    assert r.headers["Location"] == f"/intake/units/{unit.id}"
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "KNOWN-42" in html and "Кузнецов Андрей" in html and order.number in html
    assert 'class="warranty warranty-unknown"' in html  # no purchase date yet: the clerk decides


def test_receive_a_unit_and_land_on_its_order(client, session, desk) -> None:  # noqa: ANN001
    center, _, model = desk
    r = client.post("/intake/new", data={**_form(client), **_intake(model)})
    assert r.status_code == 302
    order = session.scalar(select(RepairOrder).where(RepairOrder.center_id == center.id))
    assert r.headers["Location"].startswith(f"/orders/{order.number}")
    assert order.warranty_covered is True and order.unit.serial == "WM-000777"
    assert order.customer.phone == "+79165554433"
    assert order.accessories[-1] == "шланг" and len(order.accessories) == 2
    assert order.condition  # the ticked checklist item, in words
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert order.number in page and "Смирнова Ольга" in page


def test_a_double_submitted_form_makes_one_order(client, session, desk) -> None:  # noqa: ANN001
    _, _, model = desk
    data = {**_form(client), **_intake(model)}
    first, second = client.post("/intake/new", data=data), client.post("/intake/new", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert _count(session, RepairOrder) == 1


@pytest.mark.parametrize(("changes", "shown"), [
    ({"purchase_date": (date.today() + timedelta(days=3)).isoformat()}, "purchase_date"),
    ({"customer_phone": "не знаю"}, "customer_phone"),
    ({"purchase_date": "2019-01-01"}, "order_type"),  # warranty chosen, but it ended
    ({"purchase_date": "", "warranty": "auto"}, "warranty"),  # nothing to count from
    ({"warranty": "no", "override_reason": ""}, "override_reason"),
    ({"model_id": "0"}, "model_id"),
    ({"fault": ""}, "fault"),
])
def test_bad_input_is_refused_with_the_reason_and_nothing_saved(client, session, desk, changes, shown) -> None:  # noqa: ANN001
    _, _, model = desk
    before = (_count(session, RepairOrder), _count(session, Customer))
    r = client.post("/intake/new", data={**_form(client), **_intake(model, **changes)})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    import re

    flagged = re.findall(r'class="[^"]*invalid[^"]*" data-field="(\w+)"', html)
    assert flagged == [shown]  # exactly the wrong field is marked, with its message
    assert "Смирнова Ольга" in html  # the clerk's input is still there
    assert (_count(session, RepairOrder), _count(session, Customer)) == before


def test_customer_search_finds_by_phone_digits_and_name(client, factory, desk) -> None:  # noqa: ANN001
    factory.customer("Орлова Мария", phone="+79031112233")
    by_phone = client.get("/intake/customers.json?q=1112233").get_json()
    by_name = client.get("/intake/customers.json?q=орлова").get_json()
    assert [c["name"] for c in by_phone] == ["Орлова Мария"]
    assert [c["phone"] for c in by_name] == ["+79031112233"]  # Cyrillic, lower case, on SQLite too
    assert client.get("/intake/customers.json?q=%25").get_json() == []


def test_partner_counter_has_its_own_workstation_not_this_one(client, factory) -> None:  # noqa: ANN001
    kzn = factory.center("KZN", kind=CenterKind.PARTNER)
    client.delete_cookie("sc_session")
    login(client, factory.staff(kzn, Role.PARTNER).email)
    assert client.get("/intake/new").status_code == 404  # not there for a partner
    assert client.get("/intake/customers.json?q=Орлова").status_code == 404  # not there for a partner
    assert client.get("/intake/models.json?q=WW90").status_code == 404  # not there for a partner


def test_the_systems_warranty_reason_is_shown_in_the_readers_language(client, session, desk) -> None:  # noqa: ANN001
    _, _, model = desk
    r = client.post("/intake/new", data={**_form(client), **_intake(model)})
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "На гарантии до 2027-03-14 (24 мес. с даты покупки 2025-03-14)" in html
    assert "Under warranty until" not in html


def test_a_pre_registered_visit_is_completed_at_the_counter(client, session, factory, desk) -> None:  # noqa: ANN001
    center, _, model = desk
    from servicecenter.repairs.states import RepairState

    visit = factory.order(center, state=RepairState.REGISTERED, customer=factory.customer("Лебедев Олег"))
    r = client.get("/intake/scan", query_string={"code": visit.number})
    assert r.headers["Location"] == f"/intake/complete/{visit.number}"
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Лебедев Олег" in page and 'name="customer_name"' not in page  # the customer is already known
    data = {**_form(client, ""), **_intake(model, serial="VISIT-1")}
    data["csrf_token"] = csrf_token(page)
    bad = client.post(f"/intake/complete/{visit.number}", data={**data, "purchase_date": "2099-01-01"})
    assert bad.status_code == 422
    session.refresh(visit)
    assert visit.state == RepairState.REGISTERED and visit.unit_id is None
    done = client.post(f"/intake/complete/{visit.number}", data=data)
    assert done.status_code == 302 and done.headers["Location"].startswith(f"/orders/{visit.number}")
    session.refresh(visit)
    assert visit.state == RepairState.RECEIVED and visit.unit.serial == "VISIT-1"
    assert visit.customer.name == "Лебедев Олег" and visit.warranty_covered is True
    again = client.post(f"/intake/complete/{visit.number}", data=data)  # sent twice
    assert again.status_code == 302 and _count(session, RepairOrder) == 1


# --- the model picker ---------------------------------------------------------------------------

def _labels(client, q: str) -> list[str]:  # noqa: ANN001
    r = client.get("/intake/models.json", query_string={"q": q})
    assert r.status_code == 200 and r.mimetype == "application/json"
    return [m["label"] for m in r.get_json()]


@pytest.fixture
def catalogue(factory, desk):  # noqa: ANN001, ANN201
    atlant, samsung = factory.manufacturer("Атлант"), factory.manufacturer("Samsung")
    fridge = factory.model(atlant, name="ХМ-4021", category="Холодильники")
    phone = factory.model(samsung, name="Galaxy A52", category="Смартфоны")
    return fridge, phone


@pytest.mark.parametrize("typed", ["атлант", "АТЛАНТ", "хм-40", "Холодил", "холодильники атлант"])
def test_model_search_finds_cyrillic_brand_model_or_category_in_any_case(client, catalogue, typed) -> None:  # noqa: ANN001
    fridge, _ = catalogue
    r = client.get("/intake/models.json", query_string={"q": typed}).get_json()
    assert r == [{"id": fridge.id, "label": "Атлант ХМ-4021 (Холодильники)"}]


def test_model_search_matches_every_word_anywhere_and_nothing_for_too_little(client, catalogue) -> None:  # noqa: ANN001
    assert _labels(client, "SAMSUNG a52") == _labels(client, "a52 galaxy") == ["Samsung Galaxy A52 (Смартфоны)"]
    assert _labels(client, "samsung холодильники") == []
    assert _labels(client, "a") == _labels(client, "") == _labels(client, "%") == _labels(client, "%_") == []


def test_model_search_leaves_out_inactive_models_and_brands_and_caps_the_list(client, session, factory, desk) -> None:  # noqa: ANN001
    from servicecenter.catalog.queries import MODEL_SUGGESTIONS

    bosch, old_brand = factory.manufacturer("Bosch"), factory.manufacturer("Bosch-Siemens Old")
    for n in range(MODEL_SUGGESTIONS + 5):
        factory.model(bosch, name=f"Serie {n:02d}")
    factory.model(bosch, name="Serie retired").active = False
    factory.model(old_brand, name="Serie legacy")
    old_brand.active = False
    session.flush()
    found = _labels(client, "bosch serie")
    assert len(found) == MODEL_SUGGESTIONS and found[0] == "Bosch Serie 00 (Стиральные машины)"
    assert _labels(client, "retired") == _labels(client, "legacy") == []


def test_model_search_is_for_the_counter_only(client, factory, desk) -> None:  # noqa: ANN001
    client.delete_cookie("sc_session")
    anonymous = client.get("/intake/models.json?q=ww90")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    login(client, factory.staff(factory.center("KZN", kind=CenterKind.PARTNER), Role.PARTNER).email)
    assert client.get("/intake/models.json?q=ww90").status_code == 404  # not there for a partner
    client.delete_cookie("sc_session")
    login(client, factory.staff(desk[0], Role.ENGINEER).email)
    assert client.get("/intake/models.json?q=ww90").status_code == 403


def _flagged(html: str) -> list[str]:
    import re

    return re.findall(r'class="[^"]*invalid[^"]*" data-field="(\w+)"', html)


def _picker_text(html: str) -> str | None:
    import re

    found = re.search(r'<input[^>]*name="model_label"[^>]*>', html)
    value = re.search(r'value="([^"]*)"', found.group(0)) if found else None
    return value.group(1) if value else None


@pytest.mark.parametrize("which", ["unknown", "inactive model", "inactive brand", "not a number"])
def test_a_model_not_in_the_active_catalogue_is_refused_at_the_picker(client, session, factory, desk,  # noqa: ANN001
                                                                      which) -> None:
    _, _, model = desk
    if which == "inactive model":
        model.active = False
    elif which == "inactive brand":
        model.manufacturer.active = False
    session.flush()
    model_id = {"unknown": "999999", "not a number": "abc"}.get(which, str(model.id))
    before = (_count(session, RepairOrder), _count(session, Customer))
    r = client.post("/intake/new", data={**_form(client), **_intake(model, model_id=model_id,
                                                                     model_label="Бренд WW90T")})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert _flagged(html) == ["model_id"]
    assert 'name="model_id" id="model_id" value=""' in html  # the id is dropped; what was typed stays
    assert _picker_text(html) == "Бренд WW90T" and "Смирнова Ольга" in html
    assert (_count(session, RepairOrder), _count(session, Customer)) == before


def test_the_picker_shows_the_chosen_model_by_name_when_the_form_comes_back(client, factory, desk) -> None:  # noqa: ANN001
    _, _, model = desk
    label = f"{model.manufacturer.name} WW90T (Стиральные машины)"
    r = client.post("/intake/new", data={**_form(client), **_intake(model, fault="")})
    assert r.status_code == 422 and _flagged(r.get_data(as_text=True)) == ["fault"]
    assert _picker_text(r.get_data(as_text=True)) == label
    unit = factory.unit(model=model, serial="KNOWN-7")  # a known unit's serial was scanned
    page = client.get(f"/intake/new?unit_id={unit.id}").get_data(as_text=True)
    assert _picker_text(page) == label and f'name="model_id" id="model_id" value="{model.id}"' in page
    assert "<option" not in page.split('name="model_label"')[1].split("</fieldset>")[0]  # no catalogue dump


@pytest.mark.parametrize("typed", ["{brand} ww90t", "{brand} WW90T (стиральные машины)", "  {brand}   WW90T "])
def test_without_javascript_the_model_named_in_full_is_taken(client, session, factory, desk, typed) -> None:  # noqa: ANN001
    center, _, model = desk
    factory.model(model.manufacturer, name="WW90T Pro")  # a longer name that contains it is not it
    typed = typed.format(brand=model.manufacturer.name.lower())
    r = client.post("/intake/new", data={**_form(client), **_intake(model, model_id="", model_label=typed)})
    assert r.status_code == 302
    order = session.scalar(select(RepairOrder).where(RepairOrder.center_id == center.id))
    assert order.unit.model_id == model.id


def test_text_changed_after_a_pick_wins_over_the_picked_id(client, session, factory, desk) -> None:  # noqa: ANN001
    center, _, model = desk
    other = factory.model(name="Другая", category="Холодильники", months=36)
    named = f"{other.manufacturer.name} Другая"
    r = client.post("/intake/new", data={**_form(client), **_intake(model, model_label=named)})
    assert r.status_code == 302
    order = session.scalar(select(RepairOrder).where(RepairOrder.center_id == center.id))
    assert order.unit.model_id == other.id
    vague = client.post("/intake/new", data={**_form(client), **_intake(model, serial="SN-2", model_label="WW90")})
    assert vague.status_code == 422 and _flagged(vague.get_data(as_text=True)) == ["model_id"]
