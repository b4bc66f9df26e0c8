"""Mass assignment and re-parenting over every JSON body of the API, generated from its OpenAPI document
(issue 11).

The demo network is loaded (orders of two own centers and two partners in every state, stock,
shipments, settlements). For every operation with a JSON request body a valid body is built from the
schema's required properties, its values resolved to real records of the caller's own center (an
operation whose body this test cannot build fails it: every later endpoint is covered). The body is
sent three times to the same world, each inside a SAVEPOINT rolled back after it: plainly twice, and
once with fields that are not in the operation's schema (id, center_id, state, warranty, author_id,
role, number, version, unit_cost, engineer_id, customer_id, created_at...). The third answer and the
rows it wrote must equal the first's, but for what differs between the two plain runs by itself (a
moment, a new row's id, a token) — and even there no planted value may appear. A refusal instead is
allowed only as a 4xx naming an unknown field. Then each property that names a center's record gets
another center's record: it must be refused exactly like a record that does not exist, with nothing
written.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest

from servicecenter.accounts.models import User
from servicecenter.accounts.tokens import create_token
from servicecenter.centers.models import ServiceCenter
from servicecenter.demo import DEMO_DOMAIN, load_demo
from servicecenter.stock import journal
from servicecenter.stock.models import MoveReason, Part
from tests.api.conftest import ApiClient
from tests.hardening.effects import (
    Run,
    changes,
    differences,
    flatten,
    is_planted_value,
    rolled_back,
    snapshot,
)
from tests.hardening.mass_cases import CASES, Case, Ctx, past_books
from tests.hardening.test_api_matrix import METHODS
from workstations.api.spec import build_spec
from workstations.web.access import policy_for

# Who calls: the login's local part at the demo's domain, its center, and "the other" center it must
# not reach (the other partner, or our other own center).
CALLERS = {"partner": ("partner.ekb", "EKB", "KZN"), "partner_manager": ("partner.kzn", "KZN", "EKB"),
           "intake": ("intake.msk", "MSK", "SPB"), "engineer": ("engineer.msk", "MSK", "SPB"),
           "team_lead": ("teamlead.msk", "MSK", "SPB"), "warehouse": ("warehouse.msk", "MSK", "SPB"),
           "logistics": ("logistics.msk", "MSK", "SPB"), "call_center": ("callcenter", "HQ", "SPB"),
           "admin": ("admin", "HQ", "SPB")}
# A walled partner first where it is admitted (its wall is what re-parenting attacks), then our staff.
PREFERENCE = ["partner", "partner_manager", "intake", "engineer", "team_lead", "warehouse", "logistics",
              "call_center", "admin"]
# Tables a request touches whatever it carries (the token's last use): not an effect of the body.
BOOKKEEPING = {"api_tokens", "user_sessions", "throttle_hits", "login_attempts"}


def _extras(ctx: Ctx) -> dict[str, Any]:
    """Fields nobody may set through a body, each with a value that would show if it were taken."""
    other = ctx.other_records()
    return {
        "id": other["order_id"], "center_id": other["center_id"], "center": ctx.other, "intake_center": ctx.other,
        "state": "issued", "status": "issued", "warranty": {"covered": True, "reason": "planted"},
        "warranty_covered": True, "author_id": ctx.admin_id, "created_by": ctx.admin_id, "actor_id": ctx.admin_id,
        "user_id": ctx.admin_id, "author": ctx.admin_email, "actor": ctx.admin_email, "role": "admin",
        "is_active": False, "active": False, "number": "PLANTED-2000-000001", "version": 987654,
        "revision": 987654, "unit_cost": "0.01", "price": "0.01", "total": "0.01", "engineer_id": other["user_id"],
        "engineer": other["email"], "customer_id": other["customer_id"], "unit_id": other["unit_id"],
        "order_id": other["order_id"], "location_id": other["location_id"], "deleted": True, "kind": "partner",
        "created_at": "2000-01-01T00:00:00Z", "updated_at": "2000-01-01T00:00:00Z", "is_head_office": True,
        "password_hash": "planted", "paid": True, "approved": True,
    }


def _planted_values(extras: dict[str, Any]) -> set[str]:
    # ids and words that occur anyway (1, "issued", "partner", True) would match by chance: only the
    # values that cannot be a coincidence count as planted
    return {"PLANTED-2000-000001", "987654", "0.01", "0.0100", "planted", extras["engineer"]}


@dataclass
class Tally:
    operations: int = 0
    bodies: int = 0
    extras: int = 0
    refusals: list[str] = field(default_factory=list)
    wrote: int = 0
    accepted: int = 0
    effects: list[str] = field(default_factory=list)
    reparent: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def _json_operations() -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, the request body's schema) of every operation that takes a JSON body."""
    spec = build_spec()
    schemas = spec["components"]["schemas"]
    found = []
    for path, item in spec["paths"].items():
        for method in METHODS:
            content = item.get(method, {}).get("requestBody", {}).get("content", {})
            if "application/json" in content:
                schema = content["application/json"]["schema"]
                found.append((method, path, schemas[schema["$ref"].rsplit("/", 1)[1]] if "$ref" in schema else schema))
    return found


def _endpoint(app, method: str, path: str) -> str:  # noqa: ANN001
    """The view behind an operation of the document (its path parameters filled with a 1)."""
    sample = "/api/v1" + "/".join("1" if "{" in part else part for part in path.split("/"))
    return app.url_map.bind("localhost").match(sample, method=method.upper())[0]


def _callers(app, method: str, path: str, case: Case) -> list[str]:  # noqa: ANN001
    """The partner where it is admitted, and the first of our own staff admitted too."""
    policy = policy_for(_endpoint(app, method, path), app)
    if case.who:
        assert policy.admits(case.who), (method, path, case.who)
        return [case.who]
    admitted = [who for who in PREFERENCE if policy.admits(who)]
    partner = [w for w in admitted[:1] if w in ("partner", "partner_manager")]
    staff = [case.staff] if case.staff else [w for w in admitted if w not in ("partner", "partner_manager")][:1]
    return partner + staff


@pytest.fixture
def demo(session, connection) -> dict[str, Any]:  # noqa: ANN001
    load_demo(session)
    for code in ("EKB", "KZN"):  # the demo's partners keep no parts: give them some to work with
        center = session.query(ServiceCenter).filter_by(code=code).one()
        warehouse = next(loc for loc in center.locations if loc.is_main)
        for part in session.query(Part).all():
            journal.move_parts(session, None, part, 5, source=None, target=warehouse, reason=MoveReason.RECEIPT)
    past_books(session)
    tokens = {}
    for who, (local, _center, _other) in CALLERS.items():
        user = session.query(User).filter_by(email=f"{local}@{DEMO_DOMAIN}").one()
        tokens[who] = create_token(session, None, user, "mass assignment")[1]
    session.flush()
    session.commit()  # the demo stays in the test's transaction (a SAVEPOINT released), rolled back after
    return {"tokens": tokens}


def _send(api: ApiClient, method: str, url: str, body: dict[str, Any]) -> Any:
    return api.client.open(url, method=method.upper(), json=body, headers=api._headers(None))


def _run(ctx: Ctx, method: str, url: str, body: dict[str, Any], before) -> Run:  # noqa: ANN001
    with rolled_back(ctx.connection):
        response = _send(ctx.api, method, url, body)
        after = snapshot(ctx.connection)
    answer = response.get_json(silent=True) if response.mimetype.endswith("json") else None
    rows = {t: c for t, c in changes(before, after).items() if t not in BOOKKEEPING}
    return Run(response.status_code, {} if answer is None else flatten(answer), rows)


def test_extra_fields_in_every_json_body_change_nothing(app, client, demo, connection) -> None:  # noqa: ANN001
    started = time.monotonic()
    tally = Tally()
    operations = _json_operations()
    missing = sorted(f"{m.upper()} {p}" for m, p, _s in operations if (m, p) not in CASES)
    assert not missing, f"operations with a JSON body this test cannot build yet: {missing}"
    for method, path, schema, who in [(m, p, s, w) for m, p, s in operations
                                       for w in _callers(app, m, p, CASES[(m, p)])]:
        case = CASES[(method, path)]
        _local, center, other = CALLERS[who]
        tally.operations += 1
        with rolled_back(connection):
            ctx = Ctx(app=app, client=client, connection=connection, tokens=demo["tokens"], who=who,
                      center=center, other=other)
            try:
                url, body = ctx.prepare(path, schema, case)
            except Exception as exc:  # noqa: BLE001  (a world this test cannot set up: said loudly below)
                tally.failures.append(f"{method.upper()} {path}: cannot prepare: {type(exc).__name__}: {exc}")
                continue
            extras = {k: v for k, v in _extras(ctx).items() if k not in schema.get("properties", {})}
            planted = is_planted_value(_planted_values(_extras(ctx)))
            before = snapshot(connection)
            try:
                plain = _run(ctx, method, url, body, before)
            except Exception as exc:  # noqa: BLE001  (TESTING propagates a crash: the 500 we look for)
                tally.failures.append(f"{method.upper()} {path} as {who}: 500 with a plain body: "
                                      f"{type(exc).__name__}: {exc}")
                continue
            if not 200 <= plain.status < 300:
                tally.failures.append(f"{method.upper()} {path} as {who}: the plain body {body} was refused: "
                                      f"{plain.status} {plain.answer}")
                continue
            tally.wrote += bool(plain.rows)
            again = _run(ctx, method, url, body, before)
            try:
                loaded = _run(ctx, method, url, {**body, **extras}, before)
            except Exception as exc:  # noqa: BLE001  (TESTING propagates a crash: the 500 we look for)
                tally.failures.append(f"{method.upper()} {path}: 500 with extra fields: {type(exc).__name__}: {exc}")
                continue
            tally.bodies += 3
            tally.extras += len(extras)
            if 400 <= loaded.status < 500:
                named = {k.removeprefix("errors.") for k in loaded.answer if k.startswith("errors.")}
                if named & set(extras):
                    tally.refusals.append(f"{method.upper()} {path}: {sorted(named & set(extras))}")
                else:
                    tally.failures.append(f"{method.upper()} {path}: refused with extra fields, naming none: "
                                          f"{loaded.status} {loaded.answer}")
                continue
            found = differences(plain, again, loaded, planted)
            if found:
                tally.effects.append(f"{method.upper()} {path} as {who}: " + "; ".join(found[:6]))
            else:
                tally.accepted += 1
            # the network's roles (the head office's administrator and call center) work across centers by
            # design: naming another center's record is their job, not re-parenting
            refs = {} if who in ("admin", "call_center") else case.refs(ctx)
            for name, (foreign, unknown) in refs.items():
                _reparent(ctx, tally, method, url, body, name, foreign, unknown, before)
    elapsed = time.monotonic() - started
    print(f"\nmass assignment over the API: {tally.operations} operations with a JSON body, {tally.bodies} bodies "
          f"sent ({tally.wrote} plain bodies wrote rows), {tally.extras} extra fields tried; {tally.accepted} accepted with no effect, "
          f"{len(tally.refusals)} refused naming the field {tally.refusals}, {len(tally.effects)} effects found; re-parenting: "
          f"{dict(tally.reparent)}; {elapsed:.1f} s")
    assert tally.failures + tally.effects == [], "\n".join(tally.failures + tally.effects)


def _reparent(ctx: Ctx, tally: Tally, method: str, url: str, body: dict[str, Any], name: str, foreign: Any,
              unknown: Any, before) -> None:  # noqa: ANN001
    """Another center's record in `name` must be refused like one that does not exist, writing nothing."""
    answers = []
    for value in (foreign, unknown):
        changed = dict(body)
        _set(changed, name, value)
        with rolled_back(ctx.connection):
            try:
                response = _send(ctx.api, method, url, changed)
            except Exception as exc:  # noqa: BLE001
                tally.failures.append(f"{method.upper()} {url} {name}={value!r}: 500 {type(exc).__name__}: {exc}")
                return
            after = snapshot(ctx.connection)
        problem = response.get_json(silent=True) or {}
        answers.append((response.status_code, problem.get("type"), sorted(problem.get("errors", {}))))
        written = sorted(t for t in changes(before, after) if t not in BOOKKEEPING)
        if written:
            tally.failures.append(f"{method.upper()} {url} {name}={value!r}: wrote {written}")
    tally.reparent["tried"] += 1
    walled = ctx.who in ("partner", "partner_manager")
    if answers[0][0] < 400 or (walled and answers[0] != answers[1]):
        tally.failures.append(f"{method.upper()} {url} as {ctx.who}: another center's {name} {foreign!r} answered "
                              f"{answers[0]}, an unknown one {answers[1]}")
    else:  # our own staff see the network's centers: told it is not theirs rather than that it does not exist
        tally.reparent["refused like unknown" if answers[0] == answers[1] else "refused as not theirs"] += 1


def _set(body: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        body[part] = dict(body[part])
        body = body[part]
    body[last] = value
