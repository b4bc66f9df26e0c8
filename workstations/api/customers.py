"""Customers: find them by phone (as the call center does), read one with their orders, correct their details
(the customer edit page's update_customer) — the same reach as that page: network roles anyone, the others
the customers of orders their center took in or works on."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from werkzeug.wrappers import Response

from servicecenter.customers.models import CUSTOMER_LANGUAGES, Customer, CustomerKind
from servicecenter.customers.queries import list_customer_orders
from servicecenter.customers.services import (
    EDIT_ROLES,
    find_customers_by_phone,
    get_customer_for,
    update_customer,
)
from servicecenter.errors import N_, NotFound
from servicecenter.paging import Page
from workstations.api import bp, present
from workstations.api.payload import Fields, json_body, paged, query_page
from workstations.api.spec import (
    MOMENT,
    PAGING,
    STR,
    body,
    json_answer,
    obj,
    page_of,
    problems,
    ref,
    register,
)
from workstations.web.access import allow
from workstations.web.auth_session import actor
from workstations.web.dbsession import db


def customer_body(c: Customer) -> dict[str, Any]:
    return {"id": c.id, "kind": c.kind.value, "name": c.name, "phone": c.phone, "email": c.email,
            "language": c.language, "notifications_opt_out": c.notifications_opt_out,
            "created_at": present.moment(c.created_at)}


def _detail(c: Customer) -> dict[str, Any]:
    return {**customer_body(c), "orders": [present.order_summary(o) for o in list_customer_orders(db(), c)]}


@bp.route("/customers")
@allow(*EDIT_ROLES)
def customers() -> Response:
    """Customers with this phone (any spelling of it), as far as the caller reaches them."""
    page, per_page = query_page()
    f = Fields(dict(request.args))
    phone = f.text("phone", max_len=40)
    f.check()
    found = []
    # Nothing typed finds nothing (as the call center's empty search box); a phone that is not one: 422.
    for customer in find_customers_by_phone(db(), phone) if phone else []:
        try:
            found.append(get_customer_for(db(), actor(), customer.id))
        except NotFound:  # a customer the caller's center has no order of
            continue
    start = (page - 1) * per_page
    shown = found[start:start + per_page]
    return jsonify(paged(Page(shown, page, per_page, len(found)), [customer_body(c) for c in shown]))


# One rule for the three methods: with two, an id past the converter's cap is 405 for one of them
# (werkzeug checks the method before the converter), not the 404 it is.
@bp.route("/customers/<int:customer_id>", methods=["GET", "PATCH", "POST"])
@allow(*EDIT_ROLES)
def customer(customer_id: int) -> Response:
    """GET: one customer and their orders, newest first. PATCH (or POST): correct the customer's name,
    phone, e-mail and mail preferences; fields not sent keep their values."""
    found = get_customer_for(db(), actor(), customer_id)
    if request.method == "GET":
        return jsonify(_detail(found))
    data = json_body()
    f = Fields(data)
    name = f.text("name", max_len=4000) if "name" in data else found.name
    phone = f.text("phone", max_len=4000) if "phone" in data else found.phone
    email = f.text("email", max_len=4000) if "email" in data else found.email
    language = f.text("language", max_len=4000) if "language" in data else found.language
    opt_out = f.flag("notifications_opt_out")
    if "notifications_opt_out" in data and data["notifications_opt_out"] is None:
        f.fail("notifications_opt_out", N_("true or false"))
    f.check()
    update_customer(db(), actor(), found, name=name, phone=phone, email=email, language=language,
                    notifications_opt_out=found.notifications_opt_out if opt_out is None else opt_out)
    return jsonify(_detail(found))


BOOL = {"type": "boolean"}
_CUSTOMER_ID = [{"name": "customer_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
_EDIT = {"requestBody": body("CustomerEdit"), "parameters": _CUSTOMER_ID,
         "responses": {"200": json_answer("CustomerDetail", "Saved; the customer with their orders"),
                       **problems("400", "403", "404", "413", "415", "422")}}

CUSTOMER = {"id": {"type": "integer"}, "kind": {"type": "string", "enum": [k.value for k in CustomerKind]},
            "name": STR, "phone": {**STR, "description": "International form, +79161234567"},
            "email": {**STR, "description": "Empty when unknown"},
            "language": {"type": "string", "enum": list(CUSTOMER_LANGUAGES),
                         "description": "The language we write to them in"},
            "notifications_opt_out": BOOL, "created_at": MOMENT}

register({
    "/customers": {"get": {
        "operationId": "findCustomersByPhone",
        "summary": "Customers with this phone (intake, call center, team leads, partners, admins)",
        "parameters": [*PAGING, {"name": "phone", "in": "query",
                                 "schema": {**STR, "maxLength": 40},
                                 "description": "Any spelling: +7 916 555-12-34, 89165551234… (none: nothing is found)"}],
        "responses": {"200": json_answer("CustomerPage", "A page"), **problems("403", "422")}}},
    "/customers/{customer_id}": {
        "get": {"operationId": "getCustomer", "summary": "One customer with their orders",
                "parameters": _CUSTOMER_ID,
                "responses": {"200": json_answer("CustomerDetail", "The customer"), **problems("403", "404")}},
        "patch": {"operationId": "editCustomer", "summary": "Correct the customer's details", **_EDIT},
        "post": {"operationId": "editCustomerPost", "summary": "Correct the customer's details (as PATCH)", **_EDIT},
    },
}, {
    "Customer": obj(CUSTOMER),
    "CustomerPage": page_of("Customer"),
    "CustomerDetail": obj({**CUSTOMER, "orders": {"type": "array", "items": ref("RepairOrderSummary"),
                                                  "description": "Newest first (a partner: its own center's)"}}),
    "CustomerEdit": obj({"name": {**STR, "minLength": 1, "maxLength": 200}, "phone": {**STR, "maxLength": 40},
                          "email": {**STR, "maxLength": 200, "description": "Empty to forget it"},
                          "language": {"type": "string", "enum": list(CUSTOMER_LANGUAGES)},
                          "notifications_opt_out": BOOL}, required=[], extra=True,
                         description="Only the fields to change"),
})
