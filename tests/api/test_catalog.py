"""Reference data over the API: centers (within the partner wall), manufacturers, models."""

from __future__ import annotations

import pytest


def test_service_centers_with_kind_and_brands(api, world) -> None:  # noqa: ANN001
    body = api("call_center").get("/api/v1/service-centers").get_json()
    assert body["page"] == 1 and body["pages"] == 1 and body["total"] == 3
    by_code = {c["code"]: c for c in body["items"]}
    assert set(by_code) == {"MSK", "EKB", "NSK"}
    assert by_code["EKB"]["kind"] == "partner" and by_code["EKB"]["city"] == "Екатеринбург"
    assert by_code["MSK"]["kind"] == "own" and by_code["MSK"]["brands"] == ["Атлант"]
    assert by_code["NSK"]["brands"] == []


def test_a_partner_sees_its_own_center_and_the_networks_own_not_another_partner(api) -> None:  # noqa: ANN001
    body = api("partner").get("/api/v1/service-centers").get_json()
    assert {c["code"] for c in body["items"]} == {"MSK", "EKB"} and body["total"] == 2


def test_paging(api) -> None:  # noqa: ANN001
    first = api("admin").get("/api/v1/service-centers?per_page=2").get_json()
    second = api("admin").get("/api/v1/service-centers?per_page=2&page=2").get_json()
    assert (first["total"], first["pages"], len(first["items"])) == (3, 2, 2)
    assert [c["code"] for c in first["items"] + second["items"]] == ["EKB", "MSK", "NSK"]


@pytest.mark.parametrize("query", ["page=0", "page=abc", "per_page=500", "page=-1", "per_page=²", "page=1.5"])
def test_bad_paging_is_422_naming_the_parameter(api, query) -> None:  # noqa: ANN001
    response = api("admin").get(f"/api/v1/manufacturers?{query}")
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {query.split("=")[0]}


def test_manufacturers_and_models_with_warranty_terms(api, factory, world) -> None:  # noqa: ANN001
    other = factory.manufacturer("Bosch")
    factory.model(other, months=12, name="WAN 24", category="Стиральные машины")
    names = [m["name"] for m in api("partner").get("/api/v1/manufacturers").get_json()["items"]]
    assert names == ["Bosch", "Атлант"]
    models = api("partner").get("/api/v1/models", query_string={"manufacturer": "атлант"}).get_json()["items"]
    assert {m["name"] for m in models} == {"СМА 60", "СМА 70"}
    assert {"id": world.model.id, "manufacturer": "Атлант", "name": "СМА 60", "category": "Стиральные машины",
            "warranty_months": 24} in models
    assert len(api("partner").get("/api/v1/models").get_json()["items"]) == 3


def test_models_of_an_unknown_manufacturer_is_422(api) -> None:  # noqa: ANN001
    response = api("admin").get("/api/v1/models?manufacturer=Nobody")
    assert response.status_code == 422 and "manufacturer" in response.get_json()["errors"]
