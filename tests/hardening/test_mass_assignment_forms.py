"""Mass assignment over every writing form of the workstations (issue 11).

Every writing route, as the roles of the hostile-form sweep (an administrator, an engineer, a warehouse
clerk, a partner): a first POST carries every field name the templates and views know (test_hostile_forms'
recording request tells which the view reads); the same POST then carries, besides, fields nobody sets
through a form — id, center_id, state, warranty, author_id, role, number, version, unit_cost,
engineer_id, customer_id, created_at... The view may read one of them only where the route's purpose
is to set it (LEGIT below, each with its reason). And the post with them must do exactly what the post
without them does (the rows written, compared run against run in a rolled-back SAVEPOINT each, as
test_mass_assignment_generated.py does for the JSON API).
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import date
from urllib.parse import quote

import pytest

from servicecenter.accounts.roles import PARTNER_ROLES, Role
from tests.factories import csrf_token, login
from tests.hardening.effects import Run, changes, differences, is_planted_value, rolled_back, snapshot
from tests.hardening.test_hostile_forms import FIELDS, _writing_routes
from tests.hardening.test_hostile_params import _Recorder, _RecordingRequest
from tests.workstations.test_access import _sample_url, world  # noqa: F401  (the fixture)
from workstations.web.access import policy_for

# Fields nobody sets through a form, each with a value that would show if it were taken.
EXTRAS = {"id": "777777", "center_id": "777777", "center": "ZZZ", "intake_center": "ZZZ", "state": "issued",
          "status": "issued", "warranty": "1", "warranty_covered": "1", "author_id": "777777",
          "created_by": "777777", "actor_id": "777777", "user_id": "777777", "role": "admin", "is_active": "0",
          "active": "0", "number": "PLANTED-2000-000001", "version": "987654", "unit_cost": "0.01",
          "price": "0.01", "engineer_id": "777777", "customer_id": "777777", "unit_id": "777777",
          "order_id": "777777", "location_id": "777777", "deleted": "1", "kind": "partner",
          "created_at": "2000-01-01T00:00:00", "is_head_office": "1", "password_hash": "planted"}
PLANTED = is_planted_value({"777777", "PLANTED-2000-000001", "987654", "0.01", "0.0100", "planted", "ZZZ"})
# Where a view legitimately reads one of those names: the field is what the form is for. The post with
# the extras keeps such a field at the plain post's value; only the others are planted.
ANYWHERE = {"version": "the version the page was drawn from (an optimistic lock): compared, never stored"}
ACTIVE = {"active": "the record's on/off switch is one of the form's fields"}
LEGIT: dict[str, dict[str, str]] = {
    "orders.assign": {"engineer_id": "the engineer the order is assigned to"},
    "orders.route": {"center_id": "the partner center the order is handed to"},
    "team_lead.bulk": {"center_id": "the center the chosen orders are routed to",
                       "engineer_id": "the engineer the chosen orders are assigned to"},
    "orders.estimate_add_line": {"kind": "the estimate line's kind: a part, labour or a free line"},
    "attachments.upload": {"kind": "the photo's kind (at intake, at the bench...)"},
    "attachments.upload_documents": {"kind": "the document's kind"},
    "call_center.note": {"number": "the order the call is about"},
    "call_center.new_visit": {"center_id": "the center the visit is booked at (the call center is network-wide)"},
    "intake.new": {"customer_id": "a known customer picked at the counter (their own center's, checked)",
                   "warranty": "the counter's warranty decision where it differs from the system's"},
    "reports.export_orders": {"center": "a filter of the exported list", "state": "a filter of the exported list",
                              "warranty": "a filter of the exported list"},
    "warehouse.part_new": {**ACTIVE, "price": "the catalogue's price", "unit_cost": "the catalogue's cost"},
    "warehouse.part_edit": {**ACTIVE, "price": "the catalogue's price", "unit_cost": "the catalogue's cost"},
    "settlements.card_new": {"center_id": "the partner whose rate card it is", "kind": "a partner's or a maker's"},
    "team_lead.maintenance_new": ACTIVE, "admin.manufacturer_new": ACTIVE, "admin.manufacturer_edit": ACTIVE,
    "admin.model_new": ACTIVE, "admin.model_edit": ACTIVE, "admin.checklist_new": ACTIVE,
    "admin.webhook_new": ACTIVE,
    "admin.center_new": {**ACTIVE, "kind": "own center or partner"},
    "admin.center_edit": {**ACTIVE, "kind": "own center or partner"},
    "admin.location_new": {**ACTIVE, "kind": "a warehouse or a shelf"},
    "admin.location_edit": {**ACTIVE, "kind": "a warehouse or a shelf"},
    "admin.code_new": {**ACTIVE, "kind": "a symptom, a cause or an action"},
    "admin.deadline_new": {**ACTIVE, "center_id": "the center the deadline rule is for (the administrator's "
                                                  "network-wide rule book)"},
    "admin.deadline_calendar": {"center": "the center whose calendar day it is (empty: the whole network)"},
    "admin.price_new": {**ACTIVE, "price": "the price list's price"},
    "admin.user_new": {"center_id": "the new user's center", "role": "the new user's role (ceilings: "
                                                                    "tests/api/test_admin_users.py)"},
    "admin.user_edit": {**ACTIVE, "center_id": "the user's center", "role": "the user's role (ceilings tested)"},
}
# Values that make the plain post a valid one more often than "1" would.
VALUES = {"phone": "+79161234567", "text": "Проверка полей", "note": "Проверка полей", "reason": "Проверка полей",
          "description": "Проверка полей", "diagnosis": "Проверка полей", "serial": "MASS000001",
          "performed_on": date.today().isoformat(), "minutes": "30", "quantity": "1", "qty": "1"}
BOOKKEEPING = {"user_sessions", "throttle_hits", "login_attempts", "api_tokens"}
ROLES = [Role.ADMIN, Role.ENGINEER, Role.WAREHOUSE, Role.PARTNER]


def _post(client, url: str, fields: dict[str, str], token: str):  # noqa: ANN001, ANN202
    body = "&".join([f"csrf_token={quote(token)}", *(f"{n}={quote(v)}" for n, v in fields.items())])
    return client.post(url, data=body, content_type="application/x-www-form-urlencoded")


def _run(client, connection, url: str, fields: dict[str, str], token: str, before) -> Run:  # noqa: ANN001
    with rolled_back(connection):
        response = _post(client, url, fields, token)
        after = snapshot(connection)
    rows = {t: c for t, c in changes(before, after).items() if t not in BOOKKEEPING}
    return Run(response.status_code, {"location": response.headers.get("Location", "")}, rows)


def sweep(app, client, connection, world, role: Role, tally: Counter, findings: list[str]) -> None:  # noqa: ANN001, F811
    email = world["users"][role].email
    login(client, email)
    token = csrf_token(client.get("/profile").get_data(as_text=True))
    number = world["own"].number if role in PARTNER_ROLES else world["foreign"].number
    app.request_class = _RecordingRequest
    base_names = [n for n in FIELDS if n not in EXTRAS]
    for rule in _writing_routes(app):
        if not policy_for(rule.endpoint, app).admits(role):
            continue
        url = _sample_url(rule, {"number": number, "id": 1, "shipment": world["shipment"]})
        with rolled_back(connection):  # which fields does it read, with and without the extras?
            _Recorder.seen = set()
            _post(client, url, dict.fromkeys(base_names, "1"), token)
            read = sorted(_Recorder.seen & set(base_names))
        with rolled_back(connection):
            _Recorder.seen = set()
            _post(client, url, {**dict.fromkeys(base_names, "1"), **EXTRAS}, token)
            taken = _Recorder.seen & set(EXTRAS)
        tally["routes"] += 1
        tally["extra fields tried"] += len(EXTRAS)
        legit = {**ANYWHERE, **LEGIT.get(rule.endpoint, {})}
        unexpected = sorted(taken - set(legit))
        tally["extras read, legitimately"] += len(taken) - len(unexpected)
        if unexpected:
            findings.append(f"{role.value} {rule.endpoint} reads {unexpected}")
        # the plain post: the fields it reads, and its own fields of the extras' names at one value in both
        plain = {**{n: VALUES.get(n, "1") for n in read}, **{n: EXTRAS[n] for n in taken & set(legit)}}
        before = snapshot(connection)
        first = _run(client, connection, url, plain, token, before)
        second = _run(client, connection, url, plain, token, before)
        loaded = _run(client, connection, url, {**EXTRAS, **plain}, token, before)
        tally["posts"] += 3
        tally["plain posts that wrote"] += bool(first.rows)
        found = differences(first, second, loaded, PLANTED)
        if found:
            findings.append(f"{role.value} POST {url}: " + "; ".join(found[:6]))
        if client.get("/profile").status_code != 200:  # a rolled-back login session: log in again
            login(client, email)
            token = csrf_token(client.get("/profile").get_data(as_text=True))


@pytest.mark.parametrize("role", ROLES)
def test_extra_fields_in_every_form_are_not_read_and_change_nothing(app, client, connection, world,  # noqa: F811
                                                                     role) -> None:  # noqa: ANN001
    started = time.monotonic()
    tally, findings = Counter(), []
    sweep(app, client, connection, world, role, tally, findings)
    print(f"\nmass assignment over the forms, {role.value}: {dict(tally)}, {len(findings)} findings, "
          f"{time.monotonic() - started:.1f} s")
    assert tally["routes"] > 10
    assert findings == [], "\n".join(findings)
