"""Hostile query parameters over the URL map: every GET route of every workstation, as an admin and as a
partner, with SQL-injection strings, overlong strings, NUL bytes, unicode oddities and absurd page numbers
in each parameter the route reads — never a 500, never SQL text or a traceback in the body.

The parameters a route reads are found by asking it: a first request carries every known parameter name
with a harmless value, and the request's args record which names the view looked up. The JSON API gets
its own sweep in the API's tests (tests/api/), so /api/ rules are skipped here.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from flask import Request
from werkzeug.datastructures import ImmutableMultiDict

from servicecenter.accounts.roles import Role
from tests.factories import login
from tests.workstations.test_access import _routes, _sample_url, world  # noqa: F401, F811  (the fixture)
from workstations.web.access import policy_for

ROOT = Path(__file__).resolve().parents[2]
# Names a view reads from the address (found in the source) and the usual suspects of list pages.
SOURCE_NAMES = set(re.findall(r'request\.args\.get(?:list)?\("(\w+)"',
                              "\n".join(p.read_text() for p in (ROOT / "workstations").rglob("*.py")
                                        if "api" not in p.parts)))
NAMES = sorted(SOURCE_NAMES | {"sort", "order", "dir", "direction", "filter", "q", "search", "page", "per_page",
                               "code", "barcode", "serial", "number", "state", "center", "center_id", "brand",
                               "manufacturer", "manufacturer_id", "category", "engineer", "engineer_id", "from",
                               "to", "basis", "model", "model_id", "part", "sku", "kind", "role", "active",
                               "priority", "payment", "deadline", "status", "outcome", "payer", "warranty", "city",
                               "symptom", "cause", "open", "billed", "repeat", "overdue", "in_time", "format",
                               "year", "month", "period", "limit", "offset", "id", "tab", "view", "shelf",
                               "location", "warehouse", "unit", "unit_id", "customer", "customer_id", "phone"})
# Each payload as it travels in a query string (already percent-encoded where it must be raw bytes).
PAYLOADS = {
    "sql-quote": quote("' OR '1'='1' --"),
    "sql-union": quote("1 UNION SELECT password_hash, email FROM users--"),
    "sql-stacked": quote("1; DROP TABLE repair_orders;--"),
    "sql-order-by": quote("id desc, (select 1)"),
    "like-wildcards": quote("%_%\\"),
    "overlong": "A" * 5000,
    "nul": "%00",
    "nul-inside": "MSK-2026-000123%00x",
    "lone-surrogate": "%ED%A0%80",
    "bad-utf8": "%FF%FE",
    "superscript-digit": quote("²"),
    "arabic-digits": quote("١٢٣"),
    "rtl-override": quote("\u202eabc"),
    "zero-width": quote("1\u200b2"),
    "negative": "-1",
    "zero": "0",
    "huge": "9" * 30,
    "int-overflow": "2147483648",
    "float": "1e309",
    "nan": "NaN",
    "path": quote("../../etc/passwd"),
    "xss": quote('"><script>alert(1)</script>'),
    "list-repeat": None,  # the parameter twice: name=a&name=b
}
# What a database error shows: the driver's or SQLAlchemy's name, a traceback, the statement. "SELECT"
# is looked for only after a payload that does not carry the word itself (pages echo what was typed,
# escaped, truncated or upper-cased), and "<select" is a form field, not SQL.
LEAKS = re.compile(r"\[SQL:|SELECT \w+\.\w+|\bFROM [a-z_]+ WHERE |(?i:sqlalchemy|traceback|psycopg|sqlite3\.)")
SELECT = re.compile(r"\bSELECT\b")


class _Recorder(ImmutableMultiDict):
    """Query args that remember which names the view looked up (in their class's `seen`: a subclass
    with a `seen` of its own records apart, e.g. the upload sweep's files)."""

    seen: set[str] = set()

    def get(self, key, default=None, type=None):  # noqa: A002, ANN001, ANN201
        self.__class__.seen.add(key)  # (`type` is the parameter here)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # noqa: A002, ANN001, ANN201
        self.__class__.seen.add(key)
        return super().getlist(key, type)

    def __getitem__(self, key):  # noqa: ANN001, ANN204
        self.__class__.seen.add(key)
        return super().__getitem__(key)

    def __contains__(self, key) -> bool:  # noqa: ANN001
        self.__class__.seen.add(key)
        return super().__contains__(key)


class _RecordingRequest(Request):
    parameter_storage_class = _Recorder


def _get_routes(app) -> list:  # noqa: ANN001
    # /api/: the JSON API has its own sweep in tests/api/.
    return [r for r in _routes(app) if "GET" in r.methods and not r.rule.startswith("/api/")
            and r.endpoint not in ("auth.logout",)]


def _check(client, url: str, failures: list[str], payload: str | None = None) -> None:  # noqa: ANN001
    try:
        # Followed: a redirect's flash message shows the payload on the next page, and is checked there.
        response = client.get(url, follow_redirects=True)
    except Exception as exc:  # noqa: BLE001  (TESTING propagates a crash: it is the 500 we look for)
        failures.append(f"500 {url[:160]} {type(exc).__name__}: {str(exc)[:160]}")
        return
    _check_body(response, url[:160], failures, payload)


def _check_body(response, what: str, failures: list[str], payload: str | None = None) -> None:  # noqa: ANN001
    """No server error, no SQL text or traceback, no payload markup unescaped."""
    body = response.get_data(as_text=True) if response.mimetype.startswith(("text/", "application/json")) else ""
    if response.status_code >= 500:
        failures.append(f"{response.status_code} {what}")
    elif LEAKS.search(body):
        failures.append(f"leak {what}: {LEAKS.search(body).group(0)}")
    elif "select" not in unquote(payload or "").lower() and SELECT.search(body):
        failures.append(f"leak {what}: SELECT")
    elif "<script>alert(1)</script>" in body:
        failures.append(f"unescaped {what}")


def sweep(app, client, world, role: Role) -> tuple[int, list[str]]:  # noqa: ANN001, F811
    login(client, world["users"][role].email)
    number = world["own"].number if role in (Role.PARTNER,) else world["foreign"].number
    app.request_class = _RecordingRequest
    cells, failures = 0, []
    for rule in _get_routes(app):
        if not policy_for(rule.endpoint, app).admits(role):
            continue  # refused before any parameter is read (the access matrix covers it)
        url = _sample_url(rule, {"number": number, "id": 1, "shipment": world["shipment"]})
        _Recorder.seen = set()
        _check(client, url + "?" + "&".join(f"{n}=1" for n in NAMES), failures)  # which names does it read?
        read = sorted(_Recorder.seen & set(NAMES))
        for name in read:
            for payload in PAYLOADS.values():
                query = f"{name}=a&{name}=b" if payload is None else f"{name}={payload}"
                _check(client, f"{url}?{query}", failures, payload)
                cells += 1
        if "<int:" in rule.rule:  # an id in the path that no integer column holds
            for huge in ("2147483648", "9" * 30):
                _check(client, re.sub(r"/1(?=/|$)", f"/{huge}", url, count=1), failures)
                cells += 1
    return cells, failures


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PARTNER])
def test_hostile_query_parameters_never_crash_or_leak(app, client, world, role) -> None:  # noqa: ANN001, F811
    cells, failures = sweep(app, client, world, role)
    print(f"\n{role.value}: {cells} route x parameter x payload cells, {len(failures)} failures")
    assert cells > 100
    assert failures == [], "\n".join(failures[:60])


def test_a_nul_byte_in_a_form_is_refused_with_a_message_and_nothing_is_saved(client, session, world) -> None:  # noqa: ANN001, F811
    from sqlalchemy import func, select

    from servicecenter.catalog.models import Manufacturer
    from tests.factories import csrf_token

    login(client, world["users"][Role.ADMIN].email)
    token = csrf_token(client.get("/admin/manufacturers/new").get_data(as_text=True))
    before = session.scalar(select(func.count()).select_from(Manufacturer))
    response = client.post("/admin/manufacturers/new", data={"csrf_token": token, "name": "Bo\x00sch", "country": "DE"})
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Manufacturer)) == before
    same = client.get("/admin/manufacturers/?q=Bo%00sch")
    assert same.status_code == 400 and "NUL" in same.get_data(as_text=True)
