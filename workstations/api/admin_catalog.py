"""Administration of the network's reference data: manufacturers and models (catalog.services), the
price list's labour items (pricing.services), diagnosis codes and bench checklists
(diagnostics.catalogue) — the admin workstation's services, one per endpoint."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from servicecenter.accounts.roles import Role
from servicecenter.catalog import services as catalog
from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.diagnostics import catalogue
from servicecenter.diagnostics.models import ChecklistItem, CodeKind, DiagnosisCode
from servicecenter.errors import N_
from servicecenter.paging import paginate
from servicecenter.pricing import services as pricing
from servicecenter.pricing.models import LabourItem
from workstations.api import bp, present
from workstations.api.admin_fields import Body, created, manufacturer_by_name, record
from workstations.api.payload import paged, query_page
from workstations.api.spec import (
    INT,
    MONEY,
    STR,
    body,
    json_answer,
    list_op,
    nullable,
    obj,
    page_of,
    problems,
    register,
)
from workstations.web.access import Reads, allow, any_staff
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

ADMIN = allow(Role.ADMIN, reads=Reads.NETWORK)


def _manufacturer(m: Manufacturer) -> dict[str, Any]:
    return {**present.manufacturer(m), "active": m.active}


def _model(pm: ProductModel) -> dict[str, Any]:
    return {**present.product_model(pm), "active": pm.active}


def _money(value: Any) -> str:
    return f"{value:.2f}"


def _labour(item: LabourItem) -> dict[str, Any]:
    return {"id": item.id, "code": item.code, "name": item.name, "category": item.category,
            "price": _money(item.price), "vat_rate": _money(item.vat_rate), "active": item.active}


def _code(c: DiagnosisCode) -> dict[str, Any]:
    return {"id": c.id, "category": c.category, "kind": c.kind.value, "code": c.code, "name": c.name,
            "active": c.active}


def _checklist(item: ChecklistItem) -> dict[str, Any]:
    return {"id": item.id, "category": item.category, "text": item.text, "position": item.position,
            "required": item.required, "active": item.active}


# --- Manufacturers and models ---------------------------------------------------------------------

def _manufacturer_values() -> dict[str, Any]:
    f = Body()
    f.string("name", 120)
    f.string("country", 80)
    f.integer("default_warranty_months")
    f.boolean("active")
    f.check()
    return f.values


@bp.route("/manufacturers", methods=["POST"])
@ADMIN
def create_manufacturer() -> Response:
    made = catalog.create_manufacturer(db(), actor(), **{"name": "", **_manufacturer_values()})
    return created(_manufacturer(made), url_for("api.get_manufacturer", manufacturer_id=made.id))


@bp.route("/manufacturers/<int:manufacturer_id>", methods=["GET", "PATCH"])  # one rule for both: see admin_fields
@ADMIN
def get_manufacturer(manufacturer_id: int) -> Response:
    if request.method == "PATCH":
        return update_manufacturer(manufacturer_id)
    return jsonify(_manufacturer(record(Manufacturer, manufacturer_id, N_("No such manufacturer"))))


@ADMIN
def update_manufacturer(manufacturer_id: int) -> Response:
    found = record(Manufacturer, manufacturer_id, N_("No such manufacturer"))
    catalog.update_manufacturer(db(), actor(), found, **_manufacturer_values())
    return jsonify(_manufacturer(found))


def _model_values() -> dict[str, Any]:
    f = Body()
    f.string("name", 120)
    f.string("category", 80)
    f.integer("warranty_months", null=True)
    f.boolean("active")
    if f.sent("manufacturer"):
        f.values["manufacturer"] = manufacturer_by_name(f, "manufacturer", f.data["manufacturer"])
    f.check()
    return f.values


@bp.route("/models", methods=["POST"])
@ADMIN
def create_model() -> Response:
    made = catalog.create_model(db(), actor(), **{"manufacturer": None, "name": "", "category": "",
                                                   **_model_values()})
    return created(_model(made), url_for("api.get_model", model_id=made.id))


@bp.route("/models/<int:model_id>", methods=["GET", "PATCH"])  # one rule for both: see admin_fields
@ADMIN
def get_model(model_id: int) -> Response:
    if request.method == "PATCH":
        return update_model(model_id)
    return jsonify(_model(record(ProductModel, model_id, N_("No such model"))))


@ADMIN
def update_model(model_id: int) -> Response:
    found = record(ProductModel, model_id, N_("No such model"))
    catalog.update_model(db(), actor(), found, **_model_values())
    return jsonify(_model(found))


# --- The price list -----------------------------------------------------------------------------

def _labour_values() -> dict[str, Any]:
    f = Body()
    f.string("code", 32)
    f.string("name", 200)
    f.string("category", 80)
    f.number("price")
    f.number("vat_rate")
    f.boolean("active")
    f.check()
    return f.values


@bp.route("/labour-items")
@any_staff(reads=Reads.NETWORK)
def labour_items() -> Response:
    """The price list's labour items (their ids go on estimate lines); inactive ones for administrators only."""
    page, per_page = query_page()
    stmt = select(LabourItem).order_by(LabourItem.category, LabourItem.code)
    if actor().role != Role.ADMIN:
        stmt = stmt.where(LabourItem.active.is_(True))
    result = paginate(db(), stmt, page, per_page)
    return jsonify(paged(result, [_labour(i) for i in result.items]))


@bp.route("/labour-items", methods=["POST"])
@ADMIN
def create_labour_item() -> Response:
    made = pricing.create_labour_item(db(), actor(), **{"code": "", "name": "", "price": None,
                                                        **_labour_values()})
    return created(_labour(made), url_for("api.get_labour_item", item_id=made.id))


@bp.route("/labour-items/<int:item_id>", methods=["GET", "PATCH"])  # one rule for both: see admin_fields
@ADMIN
def get_labour_item(item_id: int) -> Response:
    if request.method == "PATCH":
        return update_labour_item(item_id)
    return jsonify(_labour(record(LabourItem, item_id, N_("No such labour item"))))


@ADMIN
def update_labour_item(item_id: int) -> Response:
    found = record(LabourItem, item_id, N_("No such labour item"))
    pricing.update_labour_item(db(), actor(), found, **_labour_values())
    return jsonify(_labour(found))


# --- Diagnosis codes and checklists -------------------------------------------------------------
# Their services take every field (no partial update), so a PATCH is laid over the record's values.

def _code_values(current: DiagnosisCode | None) -> dict[str, Any]:
    f = Body()
    f.string("category", 80)
    f.string("code", 20)
    f.string("name", 200)
    f.one_of("kind", [k.value for k in CodeKind])
    f.boolean("active")
    f.check()
    base = _code(current) if current is not None else {"category": "", "code": "", "name": "", "kind": ""}
    base.pop("id", None)
    return {**base, **f.values}


@bp.route("/diagnosis-codes", methods=["POST"])
@ADMIN
def create_code() -> Response:
    made = catalogue.create_code(db(), actor(), **_code_values(None))
    return created(_code(made), url_for("api.get_code", code_id=made.id))


@bp.route("/diagnosis-codes/<int:code_id>", methods=["GET", "PATCH"])  # one rule for both: see admin_fields
@ADMIN
def get_code(code_id: int) -> Response:
    if request.method == "PATCH":
        return update_code(code_id)
    return jsonify(_code(record(DiagnosisCode, code_id, N_("No such code"))))


@ADMIN
def update_code(code_id: int) -> Response:
    found = record(DiagnosisCode, code_id, N_("No such code"))
    catalogue.update_code(db(), actor(), found, **_code_values(found))
    return jsonify(_code(found))


def _checklist_values(current: ChecklistItem | None) -> dict[str, Any]:
    f = Body()
    f.string("category", 80)
    f.string("text", 200)
    f.integer("position")
    f.boolean("required")
    f.boolean("active")
    f.check()
    base = _checklist(current) if current is not None else {"category": "", "text": ""}
    base.pop("id", None)
    return {**base, **f.values}


@bp.route("/checklist-items", methods=["POST"])
@ADMIN
def create_checklist_item() -> Response:
    made = catalogue.create_checklist_item(db(), actor(), **_checklist_values(None))
    return created(_checklist(made), url_for("api.get_checklist_item", item_id=made.id))


@bp.route("/checklist-items/<int:item_id>", methods=["GET", "PATCH"])  # one rule for both: see admin_fields
@ADMIN
def get_checklist_item(item_id: int) -> Response:
    if request.method == "PATCH":
        return update_checklist_item(item_id)
    return jsonify(_checklist(record(ChecklistItem, item_id, N_("No such checklist item"))))


@ADMIN
def update_checklist_item(item_id: int) -> Response:
    found = record(ChecklistItem, item_id, N_("No such checklist item"))
    catalogue.update_checklist_item(db(), actor(), found, **_checklist_values(found))
    return jsonify(_checklist(found))


# --- The OpenAPI description ---------------------------------------------------------------------

WRITE = problems("400", "403", "404", "409", "413", "415", "422")
CREATE = problems("400", "403", "404", "409", "413", "415", "422")
BOOL = {"type": "boolean"}


def _resource(path: str, param: str, name: str, what: str, request: str) -> dict[str, Any]:
    """POST on the collection, GET and PATCH on one record (by id), all for administrators."""
    ident = [{"name": param, "in": "path", "required": True, "schema": INT}]
    return {
        path: {"post": {"operationId": f"create{name}", "summary": f"Create {what} (administrators)",
                        "requestBody": body(f"{request}Request"),
                        "responses": {"201": {**json_answer(name, "Created"), "headers": {"Location": {"schema": STR}}},
                                      **CREATE}}},
        f"{path}/{{{param}}}": {
            "get": {"operationId": f"get{name}", "summary": f"One {what} (administrators)", "parameters": ident,
                    "responses": {"200": json_answer(name, "Found"), **problems("403", "404")}},
            "patch": {"operationId": f"update{name}", "summary": f"Change the fields sent of {what} (administrators)",
                      "parameters": ident, "requestBody": body(f"{request}Change"),
                      "responses": {"200": json_answer(name, "Saved"), **WRITE}}},
    }


def _requests(name: str, fields: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {f"{name}Request": obj(fields, required=required, extra=True),
            f"{name}Change": obj(fields, required=[], extra=True)}


_manufacturer_fields = {"name": {**STR, "maxLength": 120}, "country": {**STR, "maxLength": 80},
                        "default_warranty_months": {**INT, "description": "0–120"}, "active": BOOL}
_model_fields = {"manufacturer": {**STR, "description": "By name, any case"}, "name": {**STR, "maxLength": 120},
                 "category": {**STR, "maxLength": 80},
                 "warranty_months": {**nullable(INT), "description": "0–120; null: the manufacturer's default"},
                 "active": BOOL}
_amount = {"type": ["string", "number"]}
_labour_fields = {"code": {**STR, "maxLength": 32}, "name": {**STR, "maxLength": 200},
                  "category": {**STR, "maxLength": 80, "description": "Blank: any category"},
                  "price": {**_amount, "description": "VAT included, 0 to 10,000,000"},
                  "vat_rate": {**_amount, "description": "Percent, 0 to 99 (default 20)"}, "active": BOOL}
_kinds = {"type": "string", "enum": [k.value for k in CodeKind]}
_code_fields = {"category": {**STR, "maxLength": 80, "description": "As the product models' category is spelt"},
                "kind": _kinds, "code": {**STR, "maxLength": 20}, "name": {**STR, "maxLength": 200}, "active": BOOL}
_checklist_fields = {"category": {**STR, "maxLength": 80}, "text": {**STR, "maxLength": 200},
                     "position": {**INT, "description": "0–999"},
                     "required": {**BOOL, "description": "Must be ticked to finish the repair"}, "active": BOOL}

register({
    **_resource("/manufacturers", "manufacturer_id", "ManufacturerRecord", "a manufacturer", "Manufacturer"),
    **_resource("/models", "model_id", "ProductModelRecord", "a product model", "ProductModel"),
    **_resource("/labour-items", "item_id", "LabourItem", "a labour item of the price list", "LabourItem"),
    **_resource("/diagnosis-codes", "code_id", "DiagnosisCode", "a diagnosis code", "DiagnosisCode"),
    **_resource("/checklist-items", "item_id", "ChecklistItem", "a checklist item", "ChecklistItem"),
}, {
    "ManufacturerRecord": obj({"id": INT, "name": STR, "country": STR, "default_warranty_months": INT,
                               "active": BOOL}),
    "ProductModelRecord": obj({"id": INT, "manufacturer": STR, "name": STR, "category": STR,
                               "warranty_months": INT, "active": BOOL}),
    "LabourItem": obj({"id": INT, "code": STR, "name": STR, "category": STR, "price": MONEY, "vat_rate": MONEY,
                       "active": BOOL}),
    "LabourItemPage": page_of("LabourItem"),
    "DiagnosisCode": obj({"id": INT, "category": STR, "kind": _kinds, "code": STR, "name": STR, "active": BOOL}),
    "ChecklistItem": obj({"id": INT, "category": STR, "text": STR, "position": INT, "required": BOOL,
                          "active": BOOL}),
    **_requests("Manufacturer", _manufacturer_fields, ["name"]),
    **_requests("ProductModel", _model_fields, ["manufacturer", "name", "category"]),
    **_requests("LabourItem", _labour_fields, ["code", "name", "price"]),
    **_requests("DiagnosisCode", _code_fields, ["category", "kind", "code", "name"]),
    **_requests("ChecklistItem", _checklist_fields, ["category", "text"]),
})
register({"/labour-items": list_op("listLabourItems", "The price list's labour items", "LabourItemPage")})
