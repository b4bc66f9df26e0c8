"""Hostile form bodies over the URL map (issue 11): every writing route of every workstation, as a role
its policy admits and as a partner, with SQL-injection strings, overlong strings, NUL bytes, broken
UTF-8, absurd numbers and markup in each field the route reads — never a 500, never SQL text or a
traceback in the answer, never the markup unescaped on the page the answer leads to.

The fields a route reads are found by asking it, as the GET sweep does (test_hostile_params.py): a
first POST carries every field name the templates and the views know, with a harmless value, and the
request records which names the view looked up. The JSON API's bodies are swept by schemathesis.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from servicecenter.accounts.roles import PARTNER_ROLES, Role
from tests.factories import csrf_token, login
from tests.hardening.test_hostile_params import NAMES, _check_body, _Recorder, _RecordingRequest
from tests.workstations.test_access import _routes, _sample_url, world  # noqa: F401, F811  (the fixture)
from workstations.web.access import policy_for

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_NAMES = set(re.findall(r'name="(\w+)"', "\n".join(p.read_text() for p in (ROOT / "templates").rglob("*.html"))))
SOURCE_NAMES = set(re.findall(r'request\.form\.get(?:list)?\("(\w+)"',
                              "\n".join(p.read_text() for p in (ROOT / "workstations").rglob("*.py")
                                        if "api" not in p.parts)))
FIELDS = sorted((TEMPLATE_NAMES | SOURCE_NAMES | set(NAMES)) - {"csrf_token"})
# Each payload as it travels in a form body (percent-encoded: raw bytes where they must be).
PAYLOADS = {
    "sql-quote": "%27+OR+%271%27%3D%271%27+--",
    "sql-stacked": "1%3B+DROP+TABLE+repair_orders%3B--",
    "overlong": "A" * 20000,
    "nul": "x%00y",
    "bad-utf8": "%FF%FE",
    "lone-surrogate": "%ED%A0%80",
    "huge": "9" * 40,
    "negative": "-1",
    "float": "1e309",
    "superscript-digit": "%C2%B2",
    "xss": "%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "list-repeat": None,  # the field twice
}
# Who sweeps: the administrator (admitted nearly everywhere), and the roles whose own paths through
# the same routes differ — the engineer at the bench, the warehouse clerk, and the partner behind its wall.
ROLES = [Role.ADMIN, Role.ENGINEER, Role.WAREHOUSE, Role.PARTNER]
SKIP = {"auth.login", "auth.logout", "auth.language", "status.lookup", "status.rate"}  # tested on their own


def _writing_routes(app):  # noqa: ANN001, ANN202
    return [r for r in _routes(app) if "POST" in r.methods and not r.rule.startswith("/api/")
            and r.endpoint not in SKIP]


def sweep(app, client, world, role: Role) -> tuple[int, list[str]]:  # noqa: ANN001, F811
    login(client, world["users"][role].email)
    token = csrf_token(client.get("/profile").get_data(as_text=True))
    number = world["own"].number if role in PARTNER_ROLES else world["foreign"].number
    app.request_class = _RecordingRequest
    cells, failures = 0, []
    for rule in _writing_routes(app):
        if not policy_for(rule.endpoint, app).admits(role):
            continue  # refused before any field is read (the access matrix covers it)
        url = _sample_url(rule, {"number": number, "id": 1, "shipment": world["shipment"]})
        _Recorder.seen = set()
        _post(client, url, f"csrf_token={token}&" + "&".join(f"{n}=1" for n in FIELDS), failures)
        read = sorted(_Recorder.seen & set(FIELDS))
        for name in read:
            for payload in PAYLOADS.values():
                body = f"{name}=a&{name}=b" if payload is None else f"{name}={payload}"
                _post(client, url, f"csrf_token={token}&{body}", failures, payload)
                cells += 1
    return cells, failures


def _post(client, url: str, body: str, failures: list[str], payload: str | None = None) -> None:  # noqa: ANN001
    try:
        # Followed: where the answer leads (the form again, with its message) is checked too.
        response = client.post(url, data=body, content_type="application/x-www-form-urlencoded",
                               follow_redirects=True)
    except Exception as exc:  # noqa: BLE001  (TESTING propagates a crash: it is the 500 we look for)
        failures.append(f"500 POST {url[:120]} {body[:120]} {type(exc).__name__}: {str(exc)[:160]}")
        return
    _check_body(response, f"POST {url[:120]} {body[:80]}", failures, payload)


@pytest.mark.parametrize("role", ROLES)
def test_hostile_form_bodies_never_crash_or_leak(app, client, world, role) -> None:  # noqa: ANN001, F811
    cells, failures = sweep(app, client, world, role)
    print(f"\n{role.value}: {cells} route x field x payload cells, {len(failures)} failures")
    assert cells > 100
    assert failures == [], "\n".join(failures[:60])
