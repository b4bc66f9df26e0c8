"""The documented refusals of every operation, derived from the OpenAPI document itself."""

from __future__ import annotations

import re

import pytest

from workstations.api.spec import build_spec

OPERATIONS = [(path, method, op) for path, ops in build_spec()["paths"].items() for method, op in ops.items()]


def _url(path: str, world) -> str:  # noqa: ANN001
    return "/api/v1" + re.sub(r"\{(\w+)\}", lambda m: {"number": world.msk_order.number,
                                                       "code": world.msk_order.number,
                                                       "unit_id": str(world.msk_order.unit_id),
                                                       }.get(m.group(1), "1"), path)  # other ids: 1


@pytest.mark.parametrize("path,method,op", OPERATIONS, ids=[op["operationId"] for _p, _m, op in OPERATIONS])
def test_every_operation_without_a_token_is_401_unless_public(api, world, path, method, op) -> None:  # noqa: ANN001
    response = api(None).open(method.upper(), _url(path, world), json={})
    if op.get("security") == []:
        assert response.status_code == 200
    else:
        assert "401" in op["responses"]
        assert response.status_code == 401


@pytest.mark.parametrize("path", [p for p, m, op in OPERATIONS if m == "get" and "per_page" in str(op)])
def test_every_list_refuses_bad_paging_with_422(api, world, path) -> None:  # noqa: ANN001
    response = api("admin").get(f"{_url(path, world)}?page=zero&per_page=1000")
    assert response.status_code == 422 and set(response.get_json()["errors"]) == {"page", "per_page"}


@pytest.mark.parametrize("path", ["/repair-orders", "/repair-orders/{number}/transitions"])
def test_posts_refuse_malformed_foreign_and_oversized_bodies(api, world, path) -> None:  # noqa: ANN001
    url = _url(path, world)
    client = api("admin")
    assert client.post(url, data="{", content_type="application/json").status_code == 400
    assert client.post(url, data='"text"', content_type="application/json").status_code == 400
    assert client.post(url, data="to=diagnosis", content_type="text/plain").status_code == 415
    big = '{"fault": "' + "x" * (1024 * 1024 + 10) + '"}'
    assert client.post(url, data=big, content_type="application/json").status_code == 413
    assert client.get(f"/api/v1/repair-orders/{world.msk_order.number}").get_json()["state"] == "received"


def test_every_documented_status_is_a_problem_response(api) -> None:  # noqa: ANN001
    spec = build_spec()
    for _path, _method, op in OPERATIONS:
        for status, response in op["responses"].items():
            if int(status) >= 400:
                assert response == {"$ref": f"#/components/responses/{status}"}
    assert set(spec["components"]["responses"]) >= {"400", "401", "403", "404", "409", "415", "422"}


@pytest.mark.parametrize("url,status", [
    ("/api/v1/repair-orders/%00", 404), ("/api/v1/repair-orders?q=%00", 422),
    ("/api/v1/repair-orders?center=M%00", 422), ("/api/v1/models?manufacturer=%00", 422),
    ("/api/v1/units?serial=A%00", 422), ("/api/v1/scan/A%00B", 404),
    ("/api/v1/units/99999999999999999999/history", 404),
])
def test_a_nul_character_in_the_url_is_refused_not_a_server_error(api, url, status) -> None:  # noqa: ANN001
    assert api("partner").get(url).status_code == status


def test_a_nul_character_or_absurd_nesting_in_the_body_is_refused(api, world, session) -> None:  # noqa: ANN001
    from tests.api.test_orders import _count, _intake

    before = _count(session)
    response = api("intake").post("/api/v1/repair-orders", json=_intake(customer={"name": "Пет\x00ров",
                                                                                     "phone": "+79161234567"}))
    assert response.status_code == 422 and set(response.get_json()["errors"]) == {"customer.name"}
    moved = api("intake").post(f"/api/v1/repair-orders/{world.msk_order.number}/transitions",
                               json={"to": "cancelled", "reason": "a\x00b"})
    assert moved.status_code == 422 and set(moved.get_json()["errors"]) == {"reason"}
    half = api("intake").post("/api/v1/repair-orders", data='{"center": "MSK", "fault": "\\ud800"}',
                              content_type="application/json")
    assert half.status_code == 422 and set(half.get_json()["errors"]) == {"fault"}
    deep = api("intake").post("/api/v1/repair-orders", data="[" * 200_000, content_type="application/json")
    assert deep.status_code == 400
    assert _count(session) == before


@pytest.mark.parametrize("path", [p for p, m, op in OPERATIONS if m == "get" and "per_page" in str(op)])
def test_a_single_value_parameter_given_twice_is_refused_not_half_read(api, world, path) -> None:  # noqa: ANN001
    response = api("admin").get(f"{_url(path, world)}?page=1&page=2")
    assert response.status_code == 422 and response.get_json()["errors"] == {"page": "Укажите один раз"}  # Russian by default


def test_a_shipment_path_that_is_no_shipment_number_at_all_is_404_like_an_unknown_one(api, world) -> None:  # noqa: ANN001
    for number in ("ﰳ𪒕ªÁÑÔ", "SHP-NOPE-2026-000001"):
        assert api("admin").get(f"/api/v1/shipments/{number}").status_code == 404
