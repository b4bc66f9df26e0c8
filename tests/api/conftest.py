"""API test fixtures: a small network, a token per user, and a client whose every answer is checked
against the OpenAPI document (openapi-core) before a test sees it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.accounts.tokens import create_token
from servicecenter.centers.models import CenterKind, ServiceCenter
from servicecenter.repairs.models import RepairOrder
from tests.factories import Factory
from workstations.api.spec import SCHEMAS, build_spec

_OPENAPI = OpenAPI.from_dict(build_spec("http://localhost/api/v1"), config=Config(
    extra_media_type_deserializers={"application/problem+json": json.loads}))
_PROBLEM = Draft202012Validator(SCHEMAS["Problem"])


class _SentRequest(WerkzeugOpenAPIRequest):
    """The request as sent (the test client's copy has its body stream read already)."""

    @property
    def body(self) -> bytes:
        return b""


class ApiClient:
    """The Flask test client with a Bearer token; each answer is validated against the document."""

    def __init__(self, client: Any, token: str | None) -> None:
        self.client, self.token = client, token
        self.checked = 0

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        base = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**base, **(headers or {})}

    def open(self, method: str, path: str, **kw: Any) -> Any:
        kw["headers"] = self._headers(kw.get("headers"))
        response = self.client.open(path, method=method, **kw)
        self.check(response)
        return response

    def check(self, response: Any) -> None:
        assert response.status_code < 500, response.get_data(as_text=True)
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json", response.get_data(as_text=True)
            _PROBLEM.validate(response.get_json())
        try:
            _OPENAPI.validate_response(_SentRequest(response.request), WerkzeugOpenAPIResponse(response))
        except (PathNotFound, OperationNotFound):
            assert response.status_code in (404, 405), response.request.path  # not in the document: refused
        self.checked += 1

    def get(self, path: str, **kw: Any) -> Any:
        return self.open("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.open("POST", path, **kw)


@dataclass
class World:
    msk: ServiceCenter
    ekb: ServiceCenter  # a partner
    nsk: ServiceCenter  # another partner
    brand: Any
    model: Any
    users: dict[str, User]
    tokens: dict[str, str]
    msk_order: RepairOrder
    ekb_order: RepairOrder
    nsk_order: RepairOrder


@pytest.fixture
def world(factory: Factory, session) -> World:  # noqa: ANN001
    msk = factory.center("MSK")
    ekb = factory.center("EKB", kind=CenterKind.PARTNER, city="Екатеринбург")
    nsk = factory.center("NSK", kind=CenterKind.PARTNER, city="Новосибирск")
    brand = factory.manufacturer("Атлант")
    model = factory.model(brand, months=24, name="СМА 60")
    msk.brands.append(brand)
    ekb.brands.append(brand)
    users = {
        "admin": factory.user(msk, Role.ADMIN),
        "intake": factory.user(msk, Role.INTAKE),
        "engineer": factory.user(msk, Role.ENGINEER),
        "team_lead": factory.user(msk, Role.TEAM_LEAD),
        "call_center": factory.user(msk, Role.CALL_CENTER),
        "partner": factory.user(ekb, Role.PARTNER),
        "nsk_partner": factory.user(nsk, Role.PARTNER),
        "logistics": factory.user(msk, Role.LOGISTICS),
    }
    tokens = {name: create_token(session, None, user, f"{name} integration")[1] for name, user in users.items()}
    unit_model = factory.model(brand, name="СМА 70")
    orders = {c.code: factory.order(c, unit=factory.unit(unit_model)) for c in (msk, ekb, nsk)}
    session.flush()
    return World(msk, ekb, nsk, brand, model, users, tokens, orders["MSK"], orders["EKB"], orders["NSK"])


@pytest.fixture
def api(client, world: World):  # noqa: ANN001, ANN201
    """api("partner") → a client calling as that user's token; api(None) → without a token."""

    def make(who: str | None) -> ApiClient:
        return ApiClient(client, world.tokens[who] if who else None)

    return make
