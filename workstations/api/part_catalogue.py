"""The parts catalogue over the API — the warehouse's catalogue pages: list and search parts, read one with
its stock at the caller's center, add a part, change one (`stock.catalogue.save_part`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import jsonify, request
from flask_babel import gettext
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from servicecenter.accounts.roles import PARTNER_ROLES
from servicecenter.catalog.models import ProductModel
from servicecenter.errors import N_, NotFound
from servicecenter.paging import paginate
from servicecenter.stock import catalogue
from servicecenter.stock.models import Part
from servicecenter.textmatch import contains_any_case
from workstations.api import bp
from workstations.api.parts import WRONG
from workstations.api.payload import Fields, json_body, paged, query_page
from workstations.api.problems import Problem
from workstations.api.spec import (
    STR,
    body,
    json_answer,
    list_op,
    nullable,
    obj,
    page_of,
    problems,
    ref,
    register,
)
from workstations.api.warehouse import find_part, part_stock, stock_center
from workstations.web.access import allow, any_staff
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

MAX_MODELS = 200


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def present_part(p: Part) -> dict[str, Any]:
    # What the network pays for a part is its own business: a partner center sees the price, not the cost.
    cost = None if actor().role in PARTNER_ROLES else _money(p.unit_cost)
    return {"sku": p.sku, "barcode": p.barcode, "name": p.name, "unit_cost": cost,
            "price": _money(p.price), "serialised": p.serialised, "active": p.active,
            "models": [f"{m.manufacturer.name} {m.name}" for m in p.compatible_models]}


def _found(code: str) -> Part:
    part = find_part(code)
    if part is None:
        raise NotFound(N_("No such part"))
    return part


@bp.route("/parts")
@any_staff()
def parts_list() -> Response:
    """The catalogue by SKU; `q` finds a part by SKU, barcode or name, `active` keeps one kind."""
    page, per_page = query_page()
    stmt = select(Part).options(selectinload(Part.compatible_models).selectinload(ProductModel.manufacturer)) \
        .order_by(Part.sku)
    q = (request.args.get("q") or "").strip()
    if len(q) > 100:
        raise Problem(422, gettext(WRONG), {"q": gettext("Too long")})
    if q:
        stmt = stmt.where(or_(*(contains_any_case(db(), column, q) for column in (Part.sku, Part.barcode, Part.name))))
    active = request.args.get("active")
    if active not in (None, "", "true", "false"):
        raise Problem(422, gettext(WRONG), {"active": gettext("true or false")})
    if active:
        stmt = stmt.where(Part.active.is_(active == "true"))
    result = paginate(db(), stmt, page, per_page)
    return jsonify(paged(result, [present_part(p) for p in result.items]))


@bp.route("/parts/<path:code>")
@any_staff()
def part_get(code: str) -> Response:
    """One part (by SKU or barcode) and where the center has it: on hand, reserved, free per location."""
    part = _found(code)
    center = stock_center()
    lines = part_stock(center.id, part)
    return jsonify({**present_part(part), "stock": {
        "center": center.code, "on_hand": sum(x["on_hand"] for x in lines if x["kind"] in ("warehouse", "shelf")),
        "reserved": sum(x["reserved"] for x in lines), "free": sum(x["free"] for x in lines), "locations": lines}})


def _values(body: dict[str, Any], f: Fields) -> dict[str, Any]:
    """The members sent, checked for their type only (their meaning is `save_part`'s business)."""
    values: dict[str, Any] = {}
    for name, top in (("sku", 64), ("barcode", 64), ("name", 200)):
        if name in body and not (name == "barcode" and body[name] is None):
            values[name] = f.text(name, max_len=top)
        elif name == "barcode" and name in body:
            values[name] = ""
    for name in ("unit_cost", "price"):
        if name in body:
            value = body[name]
            if isinstance(value, bool) or not isinstance(value, str | int | float) or len(str(value)) > 40:
                f.fail(name, N_("A number"))
            else:
                values[name] = value
    for name in ("serialised", "active"):
        if name in body:
            flag = f.flag(name)
            if flag is None:
                f.fail(name, N_("true or false"))
            values[name] = bool(flag)
    if "models" in body:
        values["models"] = "\n".join(f.strings("models", max_items=MAX_MODELS, max_len=200))
    return values


@bp.route("/parts", methods=["POST"])
@allow(*catalogue.CATALOGUE_ROLES)
def part_create() -> Response:
    """Add a part to the catalogue (warehouse, administrators)."""
    body = json_body()
    f = Fields(body)
    values = _values(body, f)
    f.check()
    part = catalogue.save_part(db(), actor(), None, **values)
    response = jsonify(present_part(part))
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/parts/{part.sku}"
    return response


@bp.route("/parts/<path:code>", methods=["PATCH"])
@allow(*catalogue.CATALOGUE_ROLES)
def part_edit(code: str) -> Response:
    """Change a part: the members sent replace the part's values, the rest stay as they are."""
    part = _found(code)
    body = json_body()
    f = Fields(body)
    values = _values(body, f)
    f.check()
    current = {"sku": part.sku, "barcode": part.barcode or "", "name": part.name, "unit_cost": part.unit_cost,
               "price": part.price, "serialised": part.serialised, "active": part.active,
               "models": catalogue.models_text(part)}
    catalogue.save_part(db(), actor(), part, **{**current, **values})
    return jsonify(present_part(part))


# --- The OpenAPI description ---------------------------------------------------------------------------

_MONEY = {"type": ["string", "number"], "description": "Roubles, 0 to 10,000,000"}
_FIELDS = {
    "sku": {**STR, "maxLength": 64, "description": "Kept upper case without blanks: letters, digits, . _ / -"},
    "barcode": {"type": ["string", "null"], "maxLength": 64, "description": "Another scannable code (null: none)"},
    "name": {**STR, "maxLength": 200}, "unit_cost": _MONEY, "price": {**_MONEY, "description": "With VAT"},
    "serialised": {"type": "boolean", "description": "Each piece has its own serial"},
    "active": {"type": "boolean", "description": "false: no longer in the catalogue (not reserved or received)"},
    "models": {"type": "array", "maxItems": MAX_MODELS, "items": {**STR, "maxLength": 200},
               "description": "The models it fits: the brand and the model, e.g. \"Bosch WAN28281OE\""},
}
SCHEMAS = {
    "Part": obj({"sku": STR, "barcode": nullable(STR), "name": STR,
                 "unit_cost": {**nullable(STR), "description": "What the network pays; null for partner centers"},
                 "price": STR,
                 "serialised": {"type": "boolean"}, "active": {"type": "boolean"},
                 "models": {"type": "array", "items": STR}}),
    "PartCreateRequest": obj(_FIELDS, required=["sku", "name"], extra=True),
    "PartChangeRequest": obj(_FIELDS, required=[], extra=True),
}
SCHEMAS["PartPage"] = page_of("Part")
SCHEMAS["PartWithStock"] = obj({**SCHEMAS["Part"]["properties"], "stock": obj({
    "center": STR, "on_hand": {"type": "integer", "description": "In the center's warehouses and shelves"},
    "reserved": {"type": "integer"}, "free": {"type": "integer"},
    "locations": {"type": "array", "items": ref("StockLine")}})})
_CODE = [{"name": "code", "in": "path", "required": True, "schema": STR, "description": "SKU or barcode"}]

register({
    "/parts": {
        **list_op("listParts", "The parts catalogue, by SKU", "PartPage", [
            {"name": "q", "in": "query", "schema": {**STR, "maxLength": 100},
             "description": "Part of the SKU, barcode or name"},
            {"name": "active", "in": "query", "schema": {"type": "string", "enum": ["true", "false"]}}]),
        "post": {"operationId": "createPart", "summary": "Add a part to the catalogue (warehouse, admins)",
                 "requestBody": body("PartCreateRequest"),
                 "responses": {"201": {**json_answer("Part", "Added"), "headers": {"Location": {"schema": STR}}},
                               **problems("400", "403", "404", "413", "415", "422")}},
    },
    "/parts/{code}": {
        "get": {"operationId": "getPart", "summary": "A part and its stock at your center, per location",
                "parameters": [*_CODE, {"name": "center", "in": "query", "schema": STR,
                                        "description": "A center's code: your own (the default); "
                                                       "network-wide roles any"}],
                "responses": {"200": json_answer("PartWithStock", "The part"), **problems("404", "422")}},
        "patch": {"operationId": "changePart", "summary": "Change a part: the members sent replace its values",
                  "parameters": _CODE, "requestBody": body("PartChangeRequest"),
                  "responses": {"200": json_answer("Part", "Saved"),
                                **problems("400", "403", "404", "413", "415", "422")}},
    },
}, SCHEMAS)
