"""The OpenAPI document: valid 3.1, served without a token, and naming exactly the API's routes."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from workstations.api.spec import build_spec


def test_the_document_is_valid_openapi_3_1() -> None:
    validate(build_spec())


def test_the_document_is_served_without_a_token(client) -> None:  # noqa: ANN001
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json() == build_spec()


def test_every_api_route_is_documented_and_nothing_else(app) -> None:  # noqa: ANN001
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            routes |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, ops in build_spec()["paths"].items() for method in ops}
    assert routes == documented
