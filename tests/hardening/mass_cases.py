"""The valid bodies of test_mass_assignment_generated.py: how each operation with a JSON body is set up.

A body is generated from the schema's required properties (values by the property's name, else by its
enum, format or type); a Case adds what generation cannot know — the record in the path (an order in
the state the operation needs), a few values (a part on the shelf, a code of the unit's category), the
steps that bring a record into that state, and the properties that name another center's records
(re-parenting). A case is looked up by (method, path): an operation without one fails the test.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text

from servicecenter.demo import DEMO_DOMAIN
from tests.api.conftest import ApiClient

SOON = (date.today() + timedelta(days=40)).isoformat()
PAST = "2026-03"  # a month that has ended: its statements may be approved and paid, its claims sent
_n = itertools.count(1)


@dataclass
class Ctx:
    """The caller and the world of one operation's run."""
    app: Any
    client: Any
    connection: Any
    tokens: dict[str, str]
    who: str
    center: str  # the caller's center's code
    other: str  # another center's code, which the caller must not reach
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def api(self) -> ApiClient:
        return ApiClient(self.client, self.tokens[self.who])

    def one(self, sql: str, **params: Any) -> Any:
        row = self.connection.execute(text(sql), params).first()
        assert row is not None, (sql, params)
        return row[0] if len(row) == 1 else row

    def call(self, method: str, path: str, body: dict[str, Any] | None = None, who: str | None = None) -> Any:
        """A step of the setup, through the API; it must succeed."""
        api = ApiClient(self.client, self.tokens[who or self.who])
        response = api.open(method.upper(), "/api/v1" + path, **({} if body is None else {"json": body}))
        assert response.status_code < 300, (method, path, body, response.status_code, response.get_json())
        return response.get_json()

    # --- records, by what they are for -------------------------------------------------------------
    def order(self, state: str, center: str | None = None, skip: int = 0) -> str:
        """An order of the center in this state, not assigned to another engineer than the caller."""
        return self.one("SELECT o.number FROM repair_orders o JOIN service_centers c ON c.id = o.center_id "
                        "LEFT JOIN users e ON e.id = o.engineer_id WHERE c.code = :c AND o.state = :s "
                        "AND (:anyone OR e.id IS NULL OR e.email = :me) ORDER BY o.id LIMIT 1 OFFSET :k",
                        c=center or self.center, s=state, k=skip, me=self.email(self.who),
                        anyone=self.who != "engineer")

    def order_with_unit_at_home(self, center: str | None = None, skip: int = 0) -> str:
        """An open order whose unit is in its center's warehouse (it can be put on a shipment)."""
        return self.one("SELECT o.number FROM repair_orders o JOIN service_centers c ON c.id = o.center_id "
                        "JOIN units u ON u.id = o.unit_id JOIN locations l ON l.id = u.location_id "
                        "WHERE c.code = :c AND l.center_id = c.id AND o.state IN ('received', 'diagnosis', "
                        "'awaiting_parts', 'in_repair') ORDER BY o.id LIMIT 1 OFFSET :k", c=center or self.center,
                        k=skip)

    def email(self, who: str) -> str:
        from tests.hardening.test_mass_assignment_generated import CALLERS
        return f"{CALLERS[who][0]}@{DEMO_DOMAIN}"

    @property
    def admin_id(self) -> int:
        return self.one("SELECT id FROM users WHERE email = :e", e=self.email("admin"))

    @property
    def admin_email(self) -> str:
        return self.email("admin")

    def other_records(self) -> dict[str, Any]:
        if "other" not in self.cache:
            center_id = self.one("SELECT id FROM service_centers WHERE code = :c", c=self.other)
            order_id, customer_id, unit_id = self.one(
                "SELECT id, customer_id, unit_id FROM repair_orders WHERE center_id = :c AND unit_id IS NOT NULL "
                "ORDER BY id LIMIT 1", c=center_id)
            user_id, email = self.one("SELECT id, email FROM users WHERE center_id = :c ORDER BY id LIMIT 1",
                                      c=center_id)
            location_id = self.one("SELECT id FROM locations WHERE center_id = :c AND is_main", c=center_id)
            self.cache["other"] = {"center_id": center_id, "order_id": order_id, "customer_id": customer_id,
                                   "unit_id": unit_id, "user_id": user_id, "email": email, "location_id": location_id}
        return self.cache["other"]

    def brand_model(self, center: str | None = None) -> tuple[str, str]:
        """A manufacturer the center is authorised for, and one of its models."""
        return self.one("SELECT m.name, pm.name FROM center_brands cb JOIN service_centers c ON c.id = cb.center_id "
                        "JOIN manufacturers m ON m.id = cb.manufacturer_id JOIN product_models pm "
                        "ON pm.manufacturer_id = m.id WHERE c.code = :c ORDER BY m.name, pm.name LIMIT 1",
                        c=center or self.center)

    def stocked_part(self, center: str | None = None) -> str:
        return self.one("SELECT p.sku FROM stock_levels s JOIN locations l ON l.id = s.location_id "
                        "JOIN parts p ON p.id = s.part_id JOIN service_centers c ON c.id = l.center_id "
                        "WHERE c.code = :c AND s.quantity > 2 ORDER BY p.sku LIMIT 1", c=center or self.center)

    # --- the run's URL and body --------------------------------------------------------------------
    def prepare(self, path: str, schema: dict[str, Any], case: Case) -> tuple[str, dict[str, Any]]:
        params = case.params(self) if case.params else {}
        self.cache.update(params)
        url = "/api/v1" + path.format(**params)
        given = case.body(self) if callable(case.body) else dict(case.body)
        return url, {**generate(schema, self, skip=set(given)), **given}


def _text(_ctx: Ctx) -> str:
    return "Проверка полей"


# Values of required properties, by the property's name; the caller's own center's records.
BY_NAME: dict[str, Callable[[Ctx], Any]] = {
    "center": lambda c: c.center, "from": lambda c: c.center, "to": lambda c: "MSK" if c.center != "MSK" else "SPB",
    "engineer": lambda c: c.email(c.who), "email": lambda c: f"mass{next(_n)}@example.test",
    "password": lambda c: "Mass-Assign-2026!", "phone": lambda c: "+79161234567",
    "manufacturer": lambda c: c.brand_model()[0], "model": lambda c: c.brand_model()[1],
    "category": lambda c: "Стиральные машины", "url": lambda c: "https://hooks.example.test/mass",
    "part": lambda c: c.stocked_part(), "warehouse": lambda c: f"{c.center}-WH", "location": lambda c: f"{c.center}-WH",
    "serial": lambda c: f"MASS{next(_n):06d}", "number": lambda c: c.order("diagnosis"),
    "quantity": lambda c: 1, "minutes": lambda c: 30, "diagnosis_days": lambda c: 2, "repair_days": lambda c: 10,
    "payment_reference": lambda c: "ПП 123",
}


def generate(schema: dict[str, Any], ctx: Ctx, skip: set[str] = frozenset()) -> dict[str, Any]:
    """A body of the schema's required properties (but those in `skip`)."""
    props = schema.get("properties", {})
    return {name: _value(name, props.get(name, {}), ctx) for name in schema.get("required", []) if name not in skip}


def _value(name: str, schema: dict[str, Any], ctx: Ctx) -> Any:
    if name in BY_NAME:
        return BY_NAME[name](ctx)
    if "enum" in schema:
        return schema["enum"][0]
    kinds = schema.get("type", "string")
    kind = kinds if isinstance(kinds, str) else next(k for k in kinds if k != "null")
    if schema.get("format") == "date":
        return SOON
    return {"string": _text(ctx), "integer": 1, "number": 1, "boolean": True, "array": [],
            "object": generate(schema, ctx) if schema.get("properties") else {}}[kind]


@dataclass
class Case:
    """What generation cannot know about one operation."""
    params: Callable[[Ctx], dict[str, Any]] | None = None
    body: dict[str, Any] | Callable[[Ctx], dict[str, Any]] = field(default_factory=dict)
    who: str | None = None  # the only caller, when not the partner and the first of PREFERENCE admitted
    staff: str | None = None  # our staff's caller, when not the first of PREFERENCE admitted
    reparent: Callable[[Ctx], dict[str, tuple[Any, Any]]] | None = None  # property → (another's, unknown)

    def refs(self, ctx: Ctx) -> dict[str, tuple[Any, Any]]:
        return self.reparent(ctx) if self.reparent else {}


def order_in(state: str) -> Callable[[Ctx], dict[str, Any]]:
    return lambda c: {"number": c.order(state)}


FILL = {"reason": "Клиент передумал", "diagnosis": "Износ насоса", "via": "phone", "outcome": "repaired",
        "outcome_note": "Готово", "estimate_total": "100"}


def _movable(c: Ctx) -> dict[str, Any]:
    """An order the caller may move along the state table, where to, and the fields that move asks for
    (fewest first)."""
    for state in ("received", "diagnosis", "awaiting_parts", "in_repair", "awaiting_approval"):
        number = c.order(state)
        offered = sorted((len(t["fields"]), t["to"], t["fields"])
                         for t in c.call("get", f"/repair-orders/{number}")["transitions"] if set(t["fields"]) <= set(FILL))
        if offered:
            _n, to, fields = offered[0]
            c.cache["move"] = {"to": to, **{name: FILL[name] for name in fields}}
            return {"number": number}
    raise LookupError(f"no order of {c.center} that {c.who} may move")


def _routable(c: Ctx) -> dict[str, Any]:
    """A received order of the caller's center, and a partner authorised for its brand."""
    number, c.cache["to"] = c.one(
        "SELECT o.number, k.code FROM repair_orders o JOIN units u ON u.id = o.unit_id JOIN center_brands b "
        "ON b.manufacturer_id = u.manufacturer_id JOIN service_centers k ON k.id = b.center_id "
        "JOIN service_centers c ON c.id = o.center_id WHERE c.code = :c AND o.state = 'received' "
        "AND k.kind = 'partner' ORDER BY o.id, k.code LIMIT 1", c=c.center)
    return {"number": number}


def _warranty_repair(c: Ctx) -> dict[str, Any]:
    number = c.order("in_repair")
    c.call("post", f"/repair-orders/{number}/warranty", {"covered": True, "reason": "Гарантийный случай"})
    return {"number": number}


def _checked(c: Ctx) -> dict[str, Any]:
    """An order in repair with its checklist ticked (it may be finished)."""
    number = c.order("in_repair")
    for item in c.call("get", f"/repair-orders/{number}/checklist")["items"]:
        c.call("post", f"/repair-orders/{number}/checklist", {"item": item["id"]})
    return {"number": number}


def _shipment(c: Ctx, items: int = 1, who: str | None = None, to: str | None = None) -> str:
    """An open shipment from the caller's center (or `who`'s) holding `items` units."""
    who = who or c.who
    from tests.hardening.test_mass_assignment_generated import CALLERS
    home = CALLERS[who][1]
    number = c.call("post", "/shipments", {"from": home, "to": to or ("MSK" if home != "MSK" else "EKB")},
                    who=who)["number"]
    for k in range(items):
        c.call("post", f"/shipments/{number}/items", {"code": c.order_with_unit_at_home(home, k)}, who=who)
    return number


def _in_transit(c: Ctx, items: int = 1) -> str:
    """A shipment to the caller's center on its way: from MSK's logistics, or to MSK from the partner EKB."""
    sender = "logistics" if c.center != "MSK" else "partner"
    number = _shipment(c, items, who=sender, to=c.center)
    c.call("post", f"/shipments/{number}/dispatch", {"carrier": "СДЭК"}, who=sender)
    c.cache["shipment"] = number
    return number


def _unreceived_item(c: Ctx) -> dict[str, Any]:
    number = _in_transit(c, 2)
    sent = c.call("get", f"/shipments/{number}")
    codes = [line["code"] for line in sent["items"]]
    c.call("post", f"/shipments/{number}/receive", {"codes": codes[:1]})
    missing = next(line for line in c.call("get", f"/shipments/{number}")["items"] if line["code"] != codes[0])
    return {"number": number, "item_id": missing["id"]}


def _codes(c: Ctx, number: str) -> dict[str, str]:
    offered = c.call("get", f"/repair-orders/{number}/diagnosis")["codes"]
    return {kind: offered[kind][0]["code"] for kind in ("symptom", "cause")}


def _first_id(table: str) -> Callable[[Ctx], int]:
    return lambda c: c.one(f"SELECT min(id) FROM {table}")  # noqa: S608  (a table name of this file)


def _article(c: Ctx, revisions: int = 1) -> dict[str, Any]:
    made = c.call("post", "/knowledge/articles", {"title": "Статья проверки", "body": "Текст"}, who="engineer")
    for n in range(1, revisions):
        c.call("patch", f"/knowledge/articles/{made['id']}", {"body": f"Текст {n}"}, who="engineer")
    return {"article_id": made["id"]}


def _count(c: Ctx, scanned: bool = False) -> dict[str, Any]:
    count = c.call("post", "/stock-counts", {"location": "MSK-C-01"})
    params = {"count_id": count["id"]}
    if scanned:
        line = c.call("post", f"/stock-counts/{count['id']}/scan", {"code": "PH-USBC-01"})
        params["line_id"] = line["line"]["id"] if "line" in line else line["id"]
    return params


def _statement(c: Ctx, then: tuple[str, ...] = ()) -> dict[str, Any]:
    statement_id = c.one(f"SELECT min(id) FROM partner_statements WHERE period = '{PAST}'")  # noqa: S608
    line_id = c.one("SELECT min(id) FROM partner_statement_lines WHERE statement_id = :s", s=statement_id)
    for step in then:
        c.call("post", step.format(statement_id=statement_id, line_id=line_id), {})
    return {"statement_id": statement_id, "line_id": line_id}


def _claim(c: Ctx, then: tuple[str, ...] = ()) -> dict[str, Any]:
    claim_id = c.one(f"SELECT min(id) FROM manufacturer_claims WHERE period = '{PAST}'")  # noqa: S608
    line_id = c.one("SELECT min(id) FROM manufacturer_claim_lines WHERE claim_id = :s", s=claim_id)
    for step in then:
        c.call("post", step.format(claim_id=claim_id, line_id=line_id), {"decision": "accept"})
    return {"claim_id": claim_id, "line_id": line_id}


NOBODY = "nobody@example.test"
CASES: dict[tuple[str, str], Case] = {
    # --- the network's reference data (administrators) ---
    ("post", "/service-centers"): Case(body={"code": "MAS", "name": "Центр проверки"}),
    ("patch", "/service-centers/{center_id}"): Case(lambda c: {"center_id": c.one("SELECT id FROM service_centers "
                                                                                 "WHERE code = 'SPB'")},
                                                    {"hours": "9–18"}),
    ("post", "/service-centers/{center_id}/locations"): Case(
        lambda c: {"center_id": c.one("SELECT id FROM service_centers WHERE code = 'SPB'")},
        {"code": "SPB-M-01", "kind": "shelf", "parent": "SPB-WH"}),
    ("patch", "/locations/{location_id}"): Case(lambda c: {"location_id": c.one("SELECT id FROM locations "
                                                                               "WHERE code = 'SPB-A-01'")},
                                                {"notes": "У окна"}),
    ("post", "/manufacturers"): Case(),
    ("patch", "/manufacturers/{manufacturer_id}"): Case(lambda c: {"manufacturer_id": _first_id("manufacturers")(c)},
                                                        {"country": "Россия"}),
    ("post", "/models"): Case(body={"name": "MASS-1"}),
    ("patch", "/models/{model_id}"): Case(lambda c: {"model_id": _first_id("product_models")(c)},
                                          {"warranty_months": 18}),
    ("post", "/labour-items"): Case(body={"code": "MASS-L1", "price": "500"}),
    ("patch", "/labour-items/{item_id}"): Case(
        lambda c: {"item_id": c.call("post", "/labour-items", {"code": "MASS-L2", "name": "Работа",
                                                               "price": "500"})["id"]}, {"price": "600"}),
    ("post", "/diagnosis-codes"): Case(body={"code": "M99"}),
    ("patch", "/diagnosis-codes/{code_id}"): Case(lambda c: {"code_id": _first_id("diagnosis_codes")(c)},
                                                  {"name": "Новое имя"}),
    ("post", "/checklist-items"): Case(),
    ("patch", "/checklist-items/{item_id}"): Case(lambda c: {"item_id": _first_id("checklist_items")(c)},
                                                  {"text": "Новый текст"}),
    ("post", "/deadline-rules"): Case(body={"center": "EKB"}),
    ("patch", "/deadline-rules/{rule_id}"): Case(lambda c: {"rule_id": _first_id("deadline_rules")(c)},
                                                 {"repair_days": 9}),
    ("post", "/calendar-days"): Case(body={"name": "Перенос"}),
    ("post", "/webhooks"): Case(),
    ("patch", "/webhooks/{subscription_id}"): Case(
        lambda c: {"subscription_id": c.call("post", "/webhooks", {"name": "Hook", "url":
                                                                   "https://hooks.example.test/a"})["id"]},
        {"name": "Переименован"}),
    ("post", "/settlements/rate-cards"): Case(body={"center": "EKB", "lines": [{"category": "", "labour": "1000"}]}),
    ("patch", "/settlements/rate-cards/{card_id}"): Case(lambda c: {"card_id": _first_id("rate_cards")(c)},
                                                         {"note": "Уточнено"}),
    # --- accounts: a partner's manager over its own center's people ---
    ("post", "/users"): Case(body=lambda c: {} if c.who == "partner_manager" else {"role": "engineer",
                                                                                   "center": "MSK"},
                             reparent=lambda c: {"center": (c.other, "ZZZ")}),
    ("patch", "/users/{user_id}"): Case(lambda c: {"user_id": c.one("SELECT id FROM users WHERE email = :e",
                                                                    e=f"master.kzn@{DEMO_DOMAIN}")},
                                        {"name": "Айдар Галиев-Новый"},
                                        reparent=lambda c: {"center": (c.other, "ZZZ")}),
    ("post", "/users/{user_id}/password"): Case(lambda c: {"user_id": c.one("SELECT id FROM users WHERE email = :e",
                                                                            e=f"master.kzn@{DEMO_DOMAIN}")}),
    # --- the counter ---
    ("post", "/repair-orders"): Case(
        body=lambda c: {"customer": {"name": "Петров Пётр", "phone": "+79165550000"},
                        "unit": {"manufacturer": c.brand_model()[0], "model": c.brand_model()[1],
                                 "serial": f"MASS{next(_n):06d}", "purchase_date": date.today().isoformat()},
                        "fault": "Не включается"},
        reparent=lambda c: {"center": (c.other, "ZZZ")}),
    ("post", "/repair-orders/{number}/complete"): Case(
        order_in("registered"),
        lambda c: {"unit": {"manufacturer": c.brand_model()[0], "model": c.brand_model()[1],
                            "serial": f"MASS{next(_n):06d}", "purchase_date": date.today().isoformat()}}),
    ("post", "/repair-orders/{number}/handover"): Case(
        order_in("ready_for_pickup"),
        lambda c: {"amount_paid": c.call("get", f"/repair-orders/{c.cache['number']}/handover")["amount_due"] or "0",
                   "payment_method": "cash"}),
    ("post", "/repair-orders/{number}/transitions"): Case(lambda c: _movable(c), lambda c: c.cache["move"]),
    ("post", "/repair-orders/{number}/warranty"): Case(order_in("diagnosis"), {"covered": False}),
    ("post", "/repair-orders/{number}/comments"): Case(order_in("diagnosis")),
    ("post", "/repair-orders/{number}/assignment"): Case(
        order_in("diagnosis"), lambda c: {"engineer": c.email("engineer" if c.center == "MSK" else c.who)},
        staff="team_lead", reparent=lambda c: {"engineer": (c.other_records()["email"], NOBODY)}),
    ("post", "/repair-orders/{number}/priority"): Case(order_in("diagnosis"), {"priority": "urgent"}),
    ("post", "/repair-orders/{number}/route"): Case(lambda c: _routable(c), lambda c: {"center": c.cache["to"]}),
    ("patch", "/customers/{customer_id}"): Case(
        lambda c: {"customer_id": c.one("SELECT o.customer_id FROM repair_orders o WHERE o.number = :n",
                                        n=c.order("diagnosis"))}, {"email": "new@example.test"}),
    ("post", "/customers/{customer_id}"): Case(
        lambda c: {"customer_id": c.one("SELECT o.customer_id FROM repair_orders o WHERE o.number = :n",
                                        n=c.order("diagnosis"))}, {"email": "new@example.test"}),
    ("post", "/call-center/notes"): Case(body=lambda c: {"number": c.order("diagnosis", "MSK")}),
    ("post", "/call-center/visits"): Case(body={"center": "MSK", "customer": {"name": "Сидоров Иван",
                                                                               "phone": "+79160001111"}}),
    ("post", "/repair-orders/export"): Case(body={"format": "csv"}),
    # --- the bench ---
    ("post", "/repair-orders/{number}/take"): Case(order_in("received")),
    ("post", "/repair-orders/{number}/diagnosis"): Case(order_in("diagnosis"),
                                                        lambda c: _codes(c, c.order("diagnosis"))),
    ("post", "/repair-orders/{number}/checklist"): Case(
        order_in("in_repair"),
        lambda c: {"item": c.call("get", f"/repair-orders/{c.order('in_repair')}/checklist")["items"][0]["id"]}),
    ("post", "/repair-orders/{number}/work"): Case(order_in("in_repair")),
    ("post", "/repair-orders/{number}/finish"): Case(lambda c: _checked(c), {"outcome": "repaired"}),
    ("post", "/repair-orders/{number}/estimate/lines"): Case(order_in("diagnosis"),
                                                             {"kind": "free", "description": "Работа",
                                                              "unit_price": "100"}),
    ("post", "/repair-orders/{number}/estimate/send"): Case(
        lambda c: _with_line(c), {"diagnosis": "Насос"}),
    ("post", "/repair-orders/{number}/estimate/answer"): Case(order_in("awaiting_approval")),
    ("post", "/repair-orders/{number}/parts"): Case(order_in("diagnosis")),
    ("post", "/repair-orders/{number}/parts/defective"): Case(lambda c: _warranty_repair(c)),
    ("post", "/repair-orders/{number}/part-swaps"): Case(order_in("in_repair"),
                                                         {"part_name": "Плата", "old_serial": "OLD-1",
                                                          "new_serial": "NEW-1"}),
    # --- knowledge and maintenance ---
    ("post", "/knowledge/articles"): Case(),
    ("patch", "/knowledge/articles/{article_id}"): Case(_article, {"body": "Новый текст"}, who="engineer"),
    ("post", "/knowledge/articles/{article_id}/state"): Case(_article, {"state": "published"}),
    ("post", "/knowledge/articles/{article_id}/rollback"): Case(lambda c: _article(c, 2), {"number": 1}),
    ("post", "/maintenance-plans"): Case(body=lambda c: {
        "scope": "model", "manufacturer": c.brand_model()[0], "model": c.brand_model()[1],
        "schedule": "every_months", "every_months": 6, "start_on": date.today().isoformat()}),
    ("patch", "/maintenance-plans/{plan_id}"): Case(
        lambda c: {"plan_id": c.call("post", "/maintenance-plans", {
            "name": "План", "scope": "model", "manufacturer": c.brand_model()[0], "model": c.brand_model()[1],
            "schedule": "every_months", "every_months": 6, "start_on": date.today().isoformat()})["id"]},
        {"work": "Чистка"}),
    ("post", "/unit-dates"): Case(body=lambda c: {"unit_serial": c.one(
        "SELECT u.serial FROM repair_orders o JOIN units u ON u.id = o.unit_id WHERE o.number = :n",
        n=c.order("diagnosis"))}),
    # --- shipments ---
    ("post", "/shipments"): Case(reparent=lambda c: {"from": (c.other, "ZZZ")}),
    ("post", "/shipments/{number}/items"): Case(
        lambda c: {"number": _shipment(c, 0)}, lambda c: {"code": c.order_with_unit_at_home()},
        reparent=lambda c: {"code": (c.order_with_unit_at_home(c.other), f"{c.center}-2026-999999")}),
    ("post", "/shipments/{number}/dispatch"): Case(lambda c: {"number": _shipment(c, 1)}, {"carrier": "СДЭК"}),
    ("post", "/shipments/{number}/receive"): Case(
        lambda c: {"number": _in_transit(c)},
        lambda c: {"codes": [line["code"] for line in c.call("get", f"/shipments/{c.cache['shipment']}")["items"]]}),
    ("post", "/shipments/{number}/items/{item_id}/resolve"): Case(_unreceived_item, {"outcome": "found"}),
    # --- the warehouse ---
    ("post", "/warehouse/receipts"): Case(body={"code": "PH-USBC-01"}),
    ("post", "/warehouse/put-away"): Case(body={"shelf": "MSK-A-01", "code": "PH-USBC-01"},
                                          reparent=lambda c: {"shelf": ("SPB-A-01", "MSK-Z-99")}),
    ("post", "/shelves"): Case(body={"code": "MSK-M-01"}, reparent=lambda c: {"warehouse": ("SPB-WH", "ZZZ-WH")}),
    ("post", "/warehouse/picks/{number}/issue"): Case(lambda c: _reserved(c), lambda c: {"part": c.cache["part"]}),
    ("post", "/parts"): Case(body={"sku": "MASS-SKU-1", "name": "Деталь"}),
    ("patch", "/parts/{code}"): Case(lambda c: {"code": "PH-USBC-01"}, {"name": "Разъём USB-C"}),
    ("post", "/stock-counts"): Case(body={"location": "MSK-C-01"},
                                    reparent=lambda c: {"location": ("SPB-C-01", "MSK-Z-99")}),
    ("post", "/stock-counts/{count_id}/scan"): Case(_count, {"code": "PH-USBC-01", "at": "MSK-C-01"},
                                                    reparent=lambda c: {"at": ("SPB-C-01", "MSK-Z-99")}),
    ("patch", "/stock-counts/{count_id}/lines/{line_id}"): Case(lambda c: _count(c, True), {"quantity": 2}),
    ("post", "/stock-counts/{count_id}/confirm"): Case(lambda c: _count(c, True), {"reason": "Пересчёт"}),
    # --- settlements (the head office) ---
    ("post", "/settlements/statements/{statement_id}/reprice"): Case(_statement),
    ("post", "/settlements/statements/{statement_id}/approve"): Case(_statement),
    ("post", "/settlements/statements/{statement_id}/pay"): Case(
        lambda c: _statement(c, ("/settlements/statements/{statement_id}/approve",)),
        {"payment_date": date.today().isoformat()}),
    ("post", "/settlements/statements/{statement_id}/lines/{line_id}/dispute"): Case(_statement),
    ("post", "/settlements/statements/{statement_id}/lines/{line_id}/settle"): Case(
        lambda c: _disputed(c), {"decision": "accept"}),
    ("post", "/settlements/claims/{claim_id}/reprice"): Case(_claim),
    ("post", "/settlements/claims/{claim_id}/submit"): Case(_claim),
    ("post", "/settlements/claims/{claim_id}/lines/{line_id}/verdict"): Case(
        lambda c: _claim(c, ("/settlements/claims/{claim_id}/submit",)), {"decision": "accept"}),
    ("post", "/settlements/claims/{claim_id}/pay"): Case(
        lambda c: _claim(c, ("/settlements/claims/{claim_id}/submit",
                             "/settlements/claims/{claim_id}/lines/{line_id}/verdict")),
        {"payment_date": date.today().isoformat()}),
    ("post", "/settlements/claims/{claim_id}/ship-defective"): Case(_claim),
}


def _with_line(c: Ctx) -> dict[str, Any]:
    number = c.order("diagnosis")
    c.call("post", f"/repair-orders/{number}/estimate/lines", {"kind": "free", "quantity": 1,
                                                                "description": "Работа", "unit_price": "100"})
    return {"number": number}


def _reserved(c: Ctx) -> dict[str, Any]:
    number = c.order("diagnosis")
    part = c.stocked_part()
    c.call("post", f"/repair-orders/{number}/parts", {"part": part, "quantity": 1}, who="engineer")
    c.cache["part"] = part
    return {"number": number}


def _disputed(c: Ctx) -> dict[str, Any]:
    params = _statement(c)
    c.call("post", "/settlements/statements/{statement_id}/lines/{line_id}/dispute".format(**params),
           {"reason": "Не согласны"})
    return params


def past_books(session: Any) -> None:
    """A March statement of EKB's and the manufacturer's claim for one of its warranty repairs, with a
    defective part kept for the manufacturer (the demo's own books are of the month under way)."""
    from decimal import Decimal

    from sqlalchemy import select

    from servicecenter.repairs.models import RepairOrder
    from servicecenter.settlements.completion import claim_for, statement_for
    from servicecenter.settlements.models import ClaimLine, StatementLine
    from servicecenter.stock import journal
    from servicecenter.stock.models import MoveReason, Part
    from servicecenter.stock.places import defective_location

    order = session.scalars(select(RepairOrder).where(RepairOrder.state == "issued", RepairOrder.unit_id.is_not(None))
                            .join(RepairOrder.center).where(text("service_centers.code = 'EKB'"))
                            .order_by(RepairOrder.id)).first()
    done = date(2026, 3, 10)
    money = {"category": "Стиральные машины", "labour": Decimal("1000.00"), "net": Decimal("1000.00"),
             "vat_rate": Decimal("20"), "vat": Decimal("200.00"), "total": Decimal("1200.00")}
    statement = statement_for(session, order.center_id, PAST)
    claim = claim_for(session, order.unit.manufacturer_id, PAST)
    for model, parent in ((StatementLine, {"statement_id": statement.id}), (ClaimLine, {"claim_id": claim.id})):
        session.add(model(order_id=order.id, center_id=order.center_id, completed_at=order.created_at,
                          completed_on=done, **money, **parent))
    part = session.scalars(select(Part).order_by(Part.sku)).first()
    journal.move_parts(session, None, part, 1, source=None, target=defective_location(session, order.center_id),
                       reason=MoveReason.DEFECTIVE, order=order)
    session.flush()
