"""Reference data administered over the API: centers and their warehouses and shelves, manufacturers and
models, the price list, diagnosis codes and checklists — the admin workstation's services and rules."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.centers.models import Location, ServiceCenter
from servicecenter.diagnostics.models import ChecklistItem, DiagnosisCode
from servicecenter.pricing.models import LabourItem

CENTER = {"code": "kzn", "name": "СЦ Казань", "kind": "own", "city": "Казань", "timezone": "Europe/Moscow",
          "brands": ["атлант"], "repair_warranty_days": 60, "label_qr": "status"}


def _patch(api, who: str, path: str, **body: object):  # noqa: ANN001, ANN202
    return api(who).open("PATCH", path, json=body)


def _count(session, model) -> int:  # noqa: ANN001
    return session.scalar(select(func.count()).select_from(model))


# --- Centers and locations ------------------------------------------------------------------------

def test_a_center_is_created_edited_and_read_back_with_its_locations(api, world, session) -> None:  # noqa: ANN001
    made = api("admin").post("/api/v1/service-centers", json=CENTER)
    assert made.status_code == 201, made.get_json()
    center = made.get_json()
    assert (center["code"], center["brands"], center["repair_warranty_days"], center["locations"]) == \
        ("KZN", ["Атлант"], 60, [])
    path = made.headers["Location"]
    assert path.endswith(f"/api/v1/service-centers/{center['id']}")
    wh = api("admin").post(f"{path}/locations", json={"code": "kzn-wh", "name": "Склад", "kind": "warehouse",
                                                       "is_main": True})
    assert wh.status_code == 201 and wh.get_json()["is_main"] is True
    shelf = api("admin").post(f"{path}/locations", json={"code": "KZN-A01", "name": "Полка", "kind": "shelf",
                                                          "parent": "kzn-wh"})
    assert shelf.status_code == 201 and shelf.get_json()["parent"] == "KZN-WH"
    saved = _patch(api, "admin", path, name="СЦ Казань-2", brands=[], active=False)
    assert saved.status_code == 200
    read = api("admin").get(path).get_json()
    assert (read["name"], read["brands"], read["active"], read["city"]) == ("СЦ Казань-2", [], False, "Казань")
    assert [(loc["code"], loc["parent"]) for loc in read["locations"]] == [("KZN-WH", None), ("KZN-A01", "KZN-WH")]
    moved = _patch(api, "admin", f"/api/v1/locations/{shelf.get_json()['id']}", name="Полка A1", notes="у окна")
    assert moved.status_code == 200 and api("admin").get(f"/api/v1/locations/{shelf.get_json()['id']}").get_json()[
        "notes"] == "у окна"


def test_center_and_location_rules_are_the_domains_and_change_nothing(api, world, session) -> None:  # noqa: ANN001
    before = (_count(session, ServiceCenter), _count(session, Location))
    for body, field in (({**CENTER, "code": "MSK"}, "code"), ({**CENTER, "timezone": "Mars/Base"}, "timezone"),
                        ({**CENTER, "brands": ["Nobody"]}, "brands"), ({**CENTER, "kind": "alien"}, "kind"),
                        ({**CENTER, "repair_warranty_days": 99999}, "repair_warranty_days"),
                        ({"name": "Без кода"}, "code")):
        refused = api("admin").post("/api/v1/service-centers", json=body)
        assert refused.status_code == 422 and field in refused.get_json()["errors"], (body, refused.get_json())
    # a center with people of our own roles cannot become a partner center
    kind = _patch(api, "admin", f"/api/v1/service-centers/{world.msk.id}", kind="partner")
    assert kind.status_code == 422 and "kind" in kind.get_json()["errors"]
    shelf = api("admin").post(f"/api/v1/service-centers/{world.msk.id}/locations",
                              json={"code": "MSK-X", "name": "Полка", "kind": "shelf"})
    assert shelf.status_code == 422 and "parent" in shelf.get_json()["errors"]
    foreign = api("admin").post(f"/api/v1/service-centers/{world.ekb.id}/locations",
                                json={"code": "EKB-X", "name": "Полка", "kind": "shelf", "parent": "MSK-WH"})
    assert foreign.status_code == 422 and "parent" in foreign.get_json()["errors"]
    main = session.scalar(select(Location).where(Location.code == "MSK-WH"))
    for change, field in (({"kind": "shelf", "parent": "MSK-WH"}, "parent"), ({"code": "bad code"}, "code"),
                          ({"parent": "NOWHERE"}, "parent"), ({"is_main": "yes"}, "is_main")):
        refused = _patch(api, "admin", f"/api/v1/locations/{main.id}", **change)
        assert refused.status_code == 422 and field in refused.get_json()["errors"], (change, refused.get_json())
    assert _count(session, ServiceCenter) == before[0] and _count(session, Location) == before[1]
    session.expire_all()
    assert (session.get(Location, main.id).kind, session.get(Location, main.id).code) == ("warehouse", "MSK-WH")
    session.expire_all()
    assert session.get(ServiceCenter, world.msk.id).kind == "own"
    assert api("admin").get("/api/v1/service-centers/999999").status_code == 404
    assert _patch(api, "admin", "/api/v1/locations/999999", name="x").status_code == 404


def test_only_administrators_manage_centers(api, world, session) -> None:  # noqa: ANN001
    for who in ("intake", "team_lead", "call_center"):
        assert api(who).post("/api/v1/service-centers", json=CENTER).status_code == 403
        assert _patch(api, who, f"/api/v1/service-centers/{world.msk.id}", name="x").status_code == 403
        assert api(who).get(f"/api/v1/service-centers/{world.msk.id}").status_code == 403
    assert api("partner").get(f"/api/v1/service-centers/{world.ekb.id}").status_code == 404
    assert _patch(api, "partner", f"/api/v1/service-centers/{world.ekb.id}", name="x").status_code == 404
    session.expire_all()
    assert session.get(ServiceCenter, world.ekb.id).name != "x"
    assert api("intake").get("/api/v1/service-centers").status_code == 200  # the public list stays


# --- Manufacturers and models ---------------------------------------------------------------------

def test_manufacturers_and_models_are_created_and_edited(api, world, session) -> None:  # noqa: ANN001
    made = api("admin").post("/api/v1/manufacturers", json={"name": "Bosch", "country": "Германия",
                                                            "default_warranty_months": 24})
    assert made.status_code == 201, made.get_json()
    maker = made.get_json()
    model = api("admin").post("/api/v1/models", json={"manufacturer": "bosch", "name": "WAN 28",
                                                      "category": "Стиральные машины"})
    assert model.status_code == 201 and model.get_json()["warranty_months"] == 24  # the brand's default
    assert _patch(api, "admin", f"/api/v1/models/{model.get_json()['id']}", warranty_months=36,
                  active=False).status_code == 200
    assert _patch(api, "admin", f"/api/v1/manufacturers/{maker['id']}", country="Германия/Китай").status_code == 200
    session.expire_all()
    stored = session.get(ProductModel, model.get_json()["id"])
    assert (stored.warranty_months, stored.active) == (36, False)
    assert api("admin").get(f"/api/v1/manufacturers/{maker['id']}").get_json()["country"] == "Германия/Китай"
    listed = api("intake").get("/api/v1/models", query_string={"manufacturer": "Bosch"}).get_json()
    assert listed["items"] == []  # inactive now


def test_catalogue_rules_refuse_and_change_nothing(api, world, session) -> None:  # noqa: ANN001
    before = (_count(session, Manufacturer), _count(session, ProductModel))
    # the domain compares names without case; SQLite's lower() knows no Cyrillic, so there the unique
    # index refuses the same name instead (409)
    assert api("admin").post("/api/v1/manufacturers", json={"name": " Атлант "}).status_code in (409, 422)
    assert api("admin").post("/api/v1/manufacturers", json={"name": "Zanussi"}).status_code == 201
    dup = api("admin").post("/api/v1/manufacturers", json={"name": "ZANUSSI"})
    assert dup.status_code == 422 and "name" in dup.get_json()["errors"]
    before = (before[0] + 1, before[1])
    months = api("admin").post("/api/v1/manufacturers", json={"name": "New", "default_warranty_months": 500})
    assert months.status_code == 422 and "default_warranty_months" in months.get_json()["errors"]
    unknown = api("admin").post("/api/v1/models", json={"manufacturer": "Nobody", "name": "X", "category": "Y"})
    assert unknown.status_code == 422 and "manufacturer" in unknown.get_json()["errors"]
    assert api("admin").post("/api/v1/models", json={"manufacturer": "Атлант", "name": "СМА 60",
                                                     "category": "Y"}).status_code in (409, 422)  # as above
    assert api("admin").post("/api/v1/models", json={"manufacturer": "Zanussi", "name": "ZWS 1",
                                                     "category": "Y"}).status_code == 201
    twice = api("admin").post("/api/v1/models", json={"manufacturer": "zanussi", "name": "zws 1", "category": "Y"})
    assert twice.status_code == 422 and "name" in twice.get_json()["errors"]
    before = (before[0], before[1] + 1)
    typed = api("admin").post("/api/v1/models", json={"manufacturer": "Атлант", "name": "Z", "category": "Y",
                                                      "warranty_months": "12"})
    assert typed.status_code == 422 and "warranty_months" in typed.get_json()["errors"]
    assert (_count(session, Manufacturer), _count(session, ProductModel)) == before
    assert api("engineer").post("/api/v1/manufacturers", json={"name": "Z"}).status_code == 403
    assert _patch(api, "partner", f"/api/v1/models/{world.model.id}", name="Z").status_code == 404
    assert api("admin").get("/api/v1/models/999999").status_code == 404
    session.expire_all()
    assert session.get(ProductModel, world.model.id).name == "СМА 60"


# --- The price list, codes and checklists ---------------------------------------------------------

def test_labour_items_are_priced_listed_and_edited(api, world, session) -> None:  # noqa: ANN001
    made = api("admin").post("/api/v1/labour-items", json={"code": "diag-1", "name": "Диагностика",
                                                           "price": "1 500,00"})
    assert made.status_code == 201, made.get_json()
    item = made.get_json()
    assert (item["code"], item["price"], item["vat_rate"], item["category"]) == ("DIAG-1", "1500.00", "20.00", "")
    off = _patch(api, "admin", f"/api/v1/labour-items/{item['id']}", price=1750, active=False)
    assert off.status_code == 200 and off.get_json()["price"] == "1750.00"
    assert [i["code"] for i in api("engineer").get("/api/v1/labour-items").get_json()["items"]] == []
    assert [i["code"] for i in api("admin").get("/api/v1/labour-items").get_json()["items"]] == ["DIAG-1"]
    for body, field in (({"code": "diag-1", "name": "x", "price": "1"}, "code"),
                        ({"code": "X2", "name": "x", "price": "-5"}, "price"),
                        ({"code": "X2", "name": "x", "price": "10", "vat_rate": 100}, "vat_rate"),
                        ({"code": "X2", "name": "x"}, "price")):
        refused = api("admin").post("/api/v1/labour-items", json=body)
        assert refused.status_code == 422 and field in refused.get_json()["errors"], body
    assert _count(session, LabourItem) == 1
    assert api("engineer").post("/api/v1/labour-items", json={"code": "X"}).status_code == 403
    assert api("partner").get(f"/api/v1/labour-items/{item['id']}").status_code == 404


def test_diagnosis_codes_and_checklist_items(api, world, session) -> None:  # noqa: ANN001
    code = api("admin").post("/api/v1/diagnosis-codes", json={"category": "Стиральные  машины", "kind": "symptom",
                                                             "code": "s 01", "name": "Не сливает"})
    assert code.status_code == 201, code.get_json()
    assert (code.get_json()["code"], code.get_json()["category"]) == ("S01", "Стиральные машины")
    renamed = _patch(api, "admin", f"/api/v1/diagnosis-codes/{code.get_json()['id']}", name="Не сливает воду",
                     active=False)
    assert renamed.status_code == 200
    session.expire_all()
    stored = session.get(DiagnosisCode, code.get_json()["id"])
    assert (stored.name, stored.active, stored.kind) == ("Не сливает воду", False, "symptom")  # kind kept
    twice = api("admin").post("/api/v1/diagnosis-codes", json={"category": "Стиральные машины", "kind": "symptom",
                                                              "code": "S01", "name": "x"})
    assert twice.status_code == 422 and "code" in twice.get_json()["errors"]
    assert api("admin").post("/api/v1/diagnosis-codes", json={"category": "x", "kind": "odd", "code": "A",
                                                              "name": "x"}).status_code == 422
    item = api("admin").post("/api/v1/checklist-items", json={"category": "Стиральные машины",
                                                             "text": "Проверить слив", "position": 2})
    assert item.status_code == 201 and item.get_json()["required"] is True
    moved = _patch(api, "admin", f"/api/v1/checklist-items/{item.get_json()['id']}", position=5, required=False)
    assert moved.status_code == 200
    assert api("admin").get(f"/api/v1/checklist-items/{item.get_json()['id']}").get_json() == {
        **item.get_json(), "position": 5, "required": False}
    bad = _patch(api, "admin", f"/api/v1/checklist-items/{item.get_json()['id']}", position=1000)
    assert bad.status_code == 422 and "position" in bad.get_json()["errors"]
    assert _count(session, ChecklistItem) == 1 and _count(session, DiagnosisCode) == 1
    assert api("team_lead").post("/api/v1/checklist-items", json={"category": "x", "text": "y"}).status_code == 403
    assert api("partner").get(f"/api/v1/diagnosis-codes/{code.get_json()['id']}").status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/service-centers", "/api/v1/manufacturers", "/api/v1/models",
                                  "/api/v1/labour-items", "/api/v1/diagnosis-codes", "/api/v1/checklist-items"])
def test_bodies_that_are_not_json_objects_are_refused(api, path: str) -> None:  # noqa: ANN001
    assert api("admin").post(path, data="[1]", content_type="application/json").status_code == 400
    assert api("admin").post(path, data="code=X", content_type="text/plain").status_code == 415


@pytest.mark.parametrize("path", ["/api/v1/service-centers/{}", "/api/v1/locations/{}", "/api/v1/models/{}",
                                  "/api/v1/labour-items/{}", "/api/v1/users/{}", "/api/v1/webhooks/{}"])
def test_an_id_past_the_id_range_is_not_found_for_get_and_patch(api, path: str) -> None:  # noqa: ANN001
    url = path.format(10**12)
    assert api("admin").get(url).status_code == 404
    assert api("admin").open("PATCH", url, json={"name": "x"}).status_code == 404
