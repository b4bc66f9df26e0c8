"""The OpenAPI 3.1 document of /api/v1, written as data: every path, request and answer, with the
shared shapes once under components. Tests validate it and check every API answer against it."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from werkzeug.wrappers import Response

from servicecenter.centers.models import CenterKind
from servicecenter.repairs.estimate_models import AnswerChannel, EstimateState, LineKind
from servicecenter.repairs.handover import PAYMENT_METHODS
from servicecenter.repairs.models import EventKind, OrderType, Outcome, Priority
from servicecenter.repairs.states import RepairState
from servicecenter.scanning import ScanKind
from servicecenter.shipments.models import ItemState, ShipmentState
from workstations.api import bp
from workstations.web.access import public

VERSION = "1.0.0"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema["type"]
    return {**schema, "type": [kind, "null"]} if isinstance(kind, str) else schema


def _obj(props: dict[str, Any], required: list[str] | None = None, extra: bool = False,
         description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props,
                              "required": list(props) if required is None else required,
                              "additionalProperties": extra}
    if description:
        schema["description"] = description
    return schema


STR = {"type": "string"}
INT = {"type": "integer"}
DATE = {"type": "string", "format": "date"}
MOMENT = {"type": "string", "format": "date-time"}
STATES = [s.value for s in RepairState]


def _page(item: str) -> dict[str, Any]:
    return _obj({"items": {"type": "array", "items": _ref(item)}, "page": {"type": "integer", "minimum": 1},
                 "pages": {"type": "integer", "minimum": 1}, "total": {"type": "integer", "minimum": 0}},
                description="A page of a list; `total` counts every match (at most 10,000 past the page).")


SCHEMAS: dict[str, Any] = {
    "Problem": _obj({
        "type": {**STR, "format": "uri", "description": "urn:servicecenter:problem:<kind>"},
        "title": STR, "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": STR,
        "errors": {"type": "object", "additionalProperties": STR,
                   "description": "Field (dotted path, as in the request) → message; empty unless a field is wrong."},
        "current": {"type": "string", "description": "State conflicts: the order's (or shipment's) state."},
        "allowed": {"type": "array", "items": STR,
                    "description": "State conflicts: where the caller may move it from there."},
    }, required=["type", "title", "status", "detail", "errors"],
        description="RFC 9457 problem details (application/problem+json)."),
    "ServiceCenter": _obj({"code": STR, "name": STR, "city": STR,
                           "kind": {"type": "string", "enum": [k.value for k in CenterKind]},
                           "brands": {"type": "array", "items": STR, "description": "Authorised manufacturers"},
                           "address": STR, "phone": STR, "hours": STR}),
    "Manufacturer": _obj({"name": STR, "country": STR, "default_warranty_months": INT}),
    "ProductModel": _obj({"manufacturer": STR, "name": STR, "category": STR, "warranty_months": INT}),
    "Warranty": _obj({"covered": {"type": ["boolean", "null"]}, "until": _nullable(DATE),
                      "reason": STR}),
    "HistoryEvent": _obj({"at": MOMENT, "actor": _nullable(STR),
                          "kind": {"type": "string", "enum": [k.value for k in EventKind]},
                          "from": _nullable(STR), "to": _nullable(STR),
                          "details": {"type": "object", "additionalProperties": True}}),
    "Transition": _obj({"to": {"type": "string", "enum": STATES}, "action": STR,
                        "fields": {"type": "array", "items": STR}},
                       description="A move the caller's role may make from the current state."),
    "RepairOrderSummary": _obj({
        "number": STR, "state": {"type": "string", "enum": STATES}, "center": STR,
        "order_type": {"type": "string", "enum": [t.value for t in OrderType]},
        "priority": {"type": "string", "enum": [p.value for p in Priority]},
        "customer": STR, "manufacturer": _nullable(STR), "model": _nullable(STR), "serial": _nullable(STR),
        "created_at": MOMENT, "due_at": _nullable(MOMENT)}),
}
_summary = SCHEMAS["RepairOrderSummary"]["properties"]
SCHEMAS["RepairOrder"] = _obj({
    **_summary,
    "customer": _obj({"name": STR, "phone": STR, "email": _nullable(STR)}),
    "intake_center": STR,
    "unit": {"oneOf": [_obj({"manufacturer": STR, "model": STR, "serial": STR, "purchase_date": _nullable(DATE)}),
                       {"type": "null"}]},
    "fault": STR, "condition": STR, "accessories": {"type": "array", "items": STR},
    "warranty": _ref("Warranty"), "diagnosis": STR,
    "outcome": {"type": ["string", "null"], "enum": [*(o.value for o in Outcome), None]},
    "engineer": _nullable(STR), "received_at": _nullable(MOMENT), "ready_at": _nullable(MOMENT),
    "issued_at": _nullable(MOMENT), "legal_due": _nullable(MOMENT), "version": INT,
    "transitions": {"type": "array", "items": _ref("Transition")},
    "history": {"type": "array", "items": _ref("HistoryEvent")},
})
SCHEMAS["IntakeRequest"] = _obj({
    "center": {**STR, "description": "The receiving center's code (your own, unless your role is network-wide)"},
    "customer": _obj({"name": {**STR, "maxLength": 200}, "phone": {**STR, "maxLength": 40},
                      "email": {**STR, "maxLength": 200}}, required=["name", "phone"]),
    "unit": _obj({"manufacturer": STR, "model": STR, "serial": {**STR, "maxLength": 64},
                  "purchase_date": DATE, "seller": {**STR, "maxLength": 200}},
                 required=["manufacturer", "model", "serial"]),
    "fault": {**STR, "maxLength": 4000}, "condition": {**STR, "maxLength": 4000},
    "accessories": {"type": "array", "items": {**STR, "maxLength": 100}, "maxItems": 50},
    "order_type": {"type": "string", "enum": [t.value for t in OrderType], "default": "paid"},
    "priority": {"type": "string", "enum": [p.value for p in Priority], "default": "normal"},
    "contract_number": {**STR, "maxLength": 40, "description": "An extended-warranty contract of the customer"},
    "warranty": _obj({"covered": {"type": "boolean"}, "reason": {**STR, "maxLength": 500}},
                     required=["covered", "reason"],
                     description="Decide otherwise than the system (needed when there is no purchase date)"),
}, required=["center", "customer", "unit", "fault"], extra=True)
SCHEMAS["TransitionRequest"] = _obj({
    "to": {"type": "string", "enum": STATES},
    "version": {**INT, "description": "The order's version you saw; 409 when it changed meanwhile"},
    "diagnosis": STR, "estimate_total": {"type": ["string", "number"]},
    "outcome": {"type": "string", "enum": [o.value for o in Outcome]}, "outcome_note": STR,
    "reason": STR, "via": STR, "amount_paid": {"type": ["string", "number"]},
    "payment_method": {"type": "string", "enum": list(PAYMENT_METHODS)},
}, required=["to"], extra=True, description="Which fields an edge takes: the order's `transitions`.")
MONEY = {"type": "string", "pattern": "^-?[0-9]+\\.[0-9]{2}$", "description": "Roubles, two decimals"}
SCHEMAS["EstimateLine"] = _obj({
    "id": INT, "kind": {"type": "string", "enum": [k.value for k in LineKind]},
    "part": {**_nullable(STR), "description": "The part's SKU (part lines)"},
    "labour_item": {**_nullable(INT), "description": "The price list's labour item (labour lines)"},
    "description": STR, "quantity": MONEY, "unit_price": {**MONEY, "description": "VAT included"},
    "vat_rate": {**MONEY, "description": "Percent"}, "net": MONEY, "vat": MONEY, "gross": MONEY})
SCHEMAS["Estimate"] = _obj({
    "version": INT, "state": {"type": "string", "enum": [s.value for s in EstimateState]},
    "net": MONEY, "vat": MONEY, "gross": MONEY, "created_at": MOMENT, "sent_at": _nullable(MOMENT),
    "decided_at": _nullable(MOMENT),
    "answered_via": {"type": ["string", "null"], "enum": [*(c.value for c in AnswerChannel), None]},
    "decision_note": STR, "lines": {"type": "array", "items": _ref("EstimateLine")}})
SCHEMAS["OrderEstimate"] = _obj({
    "order": STR, "current": {"oneOf": [_ref("Estimate"), {"type": "null"}],
                              "description": "The newest version: a draft, or what the customer saw"},
    "earlier": {"type": "array", "items": _ref("Estimate"), "description": "Older versions, newest first"}})
SCHEMAS["EstimateLineRequest"] = _obj({
    "kind": {"type": "string", "enum": [k.value for k in LineKind]},
    "quantity": {"type": ["string", "number"], "description": "Over 0, up to 1000; parts in whole pieces"},
    "part": {**STR, "maxLength": 64, "description": "part lines: the part's SKU or barcode"},
    "labour_item": {**INT, "description": "labour lines: the price list's item id"},
    "description": {**STR, "maxLength": 300, "description": "free lines: what is done"},
    "unit_price": {"type": ["string", "number"], "description": "free lines: 0 to 10,000,000, VAT included"},
    "vat_rate": {"type": ["string", "number"], "description": "free lines: percent, 0 to 99 (default 20)"},
}, required=["kind", "quantity"], extra=True)
SCHEMAS["EstimateSendRequest"] = _obj({
    "diagnosis": STR, "version": {**INT, "description": "The order's version you saw; 409 when it changed meanwhile"},
}, required=[], extra=True)
SCHEMAS["EstimateAnswerRequest"] = _obj({
    "answer": {"type": "string", "enum": ["approve", "decline", "revise"],
               "description": "revise: the customer wants another estimate (back to diagnosis)"},
    "via": {"type": "string", "enum": [c.value for c in AnswerChannel], "description": "How the customer answered"},
    "note": {**STR, "maxLength": 500},
    "version": {**INT, "description": "The order's version you saw; 409 when it changed meanwhile"},
}, required=["answer", "via"], extra=True)
SCHEMAS["WarrantyRequest"] = _obj({
    "covered": {"type": "boolean", "description": "true: warranty repair; false: paid work"},
    "reason": {**STR, "minLength": 1, "maxLength": 500, "description": "Kept in the order's history"},
    "version": {**INT, "description": "The order's version you saw; 409 when it changed meanwhile"},
}, required=["covered", "reason"], extra=True)
SCHEMAS["CommentRequest"] = _obj({"text": {**STR, "minLength": 1, "maxLength": 4000}}, extra=True)
SCHEMAS["AssignmentRequest"] = _obj({
    "engineer": {"type": ["string", "null"], "maxLength": 200,
                 "description": "The e-mail of an engineer (or team lead) of the order's center; null unassigns"},
    "version": {**INT, "description": "The order's version you saw; 409 when it changed meanwhile"},
}, required=["engineer"], extra=True)
SCHEMAS["ScanResult"] = _obj({
    "kind": {"type": "string", "enum": [k.value for k in ScanKind]}, "code": {**STR, "description": "As read"},
    "ref": {**STR, "description": "Order or shipment number, shelf code, part SKU, or unit id"},
    "url": {**STR, "description": "The API resource, or the workstation page where there is none yet"},
    "candidates": {"type": "array", "items": INT, "description": "Units: every unit with this serial"}})
SCHEMAS["Unit"] = _obj({
    "id": INT, "manufacturer": STR, "model": STR, "category": STR, "serial": STR,
    "production_date": _nullable(DATE), "purchase_date": _nullable(DATE), "seller": STR,
    "warranty": {**_ref("Warranty"), "description": "As it would be decided at your center today"}})
SCHEMAS["UnitEvent"] = _obj({**SCHEMAS["HistoryEvent"]["properties"], "order": _nullable(STR)})
SCHEMAS["ShipmentItem"] = _obj({
    "kind": {"type": "string", "enum": ["unit", "part"]}, "code": {**STR, "description": "Serial or part SKU"},
    "order": _nullable(STR), "quantity": INT, "received": INT,
    "state": {"type": "string", "enum": [i.value for i in ItemState]}})
SCHEMAS["Shipment"] = _obj({
    "number": STR, "state": {"type": "string", "enum": [x.value for x in ShipmentState]},
    "from": {**STR, "description": "Location code"}, "to": {**STR, "description": "Location code"},
    "carrier": STR, "tracking": STR, "places": _nullable(INT), "weight_kg": _nullable(STR),
    "created_at": MOMENT, "dispatched_at": _nullable(MOMENT), "received_at": _nullable(MOMENT),
    "items": {"type": "array", "items": _ref("ShipmentItem")}})
SCHEMAS["ShipmentScan"] = _obj({**SCHEMAS["Shipment"]["properties"], "added": {
    "type": "boolean", "description": "false: the code was already on the shipment (the same line)"}})
SCHEMAS["ShipmentReceipt"] = _obj({**SCHEMAS["Shipment"]["properties"],
                                   **{k: {"type": "array", "items": STR} for k in ("accepted", "missing", "unexpected")}})
SCHEMAS["ShipmentRequest"] = _obj({
    "from": {**STR, "description": "A warehouse of your center (location code, or the center's code for its "
                                   "main warehouse)"},
    "to": {**STR, "description": "Another center's warehouse (or its center's code) or a manufacturer's location"},
    "note": {**STR, "maxLength": 2000}}, required=["from", "to"], extra=True)
SCHEMAS["ShipmentItemRequest"] = _obj({"code": {**STR, "maxLength": 80, "description": "Serial, unit label "
                                                "(order number), part SKU or barcode"},
                                       "quantity": {**INT, "minimum": 1, "default": 1}},
                                      required=["code"], extra=True)
SCHEMAS["DispatchRequest"] = _obj({"carrier": {**STR, "maxLength": 100, "description": "Required by the "
                                               "dispatch rule: who carries it"},
                                   "tracking": {**STR, "maxLength": 100}, "places": {**INT, "minimum": 1},
                                   "weight_kg": {"type": ["number", "string"]}}, required=[], extra=True)
SCHEMAS["ReceiveRequest"] = _obj({"codes": {"type": "array", "maxItems": 2000,
                                            "items": {**STR, "minLength": 1, "maxLength": 80}}},
                                 required=["codes"], extra=True)
SCHEMAS["ImportResult"] = _obj({
    "rows": INT, "created": INT, "updated": INT, "unchanged": INT, "rejected": INT,
    "rejected_rows": {"type": "array", "items": _obj({"row": {**INT, "description": "1-based, the header not "
                                                                                 "counted"},
                                                      "serial": STR, "reason": STR})}})
for _name in ("ServiceCenter", "Manufacturer", "ProductModel", "RepairOrderSummary", "Unit", "UnitEvent"):
    SCHEMAS[f"{_name}Page"] = _page(_name)

_PROBLEMS = {
    "400": "The body is not a JSON object",
    "401": "No valid API token",
    "403": "Your role may not do this",
    "404": "Unknown, or outside your service center's records",
    "409": "State conflict, or the order changed meanwhile",
    "413": "The request is too large",
    "415": "The body is not application/json",
    "422": "Invalid field values (see `errors`)",
}
RESPONSES = {code: {"description": text, "content": {"application/problem+json": {"schema": _ref("Problem")}}}
             for code, text in _PROBLEMS.items()}


def _problems(*codes: str) -> dict[str, Any]:
    return {code: {"$ref": f"#/components/responses/{code}"} for code in ("401", *codes)}


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


PARAMETERS = {
    "page": {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    "per_page": {"name": "per_page", "in": "query",
                 "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}},
    "number": {"name": "number", "in": "path", "required": True, "schema": STR,
               "description": "The order number (also its barcode), e.g. MSK-2026-000123"},
}
_PAGING = [{"$ref": "#/components/parameters/page"}, {"$ref": "#/components/parameters/per_page"}]
_NUMBER = [{"$ref": "#/components/parameters/number"}]
_SHIPMENT = [{"name": "number", "in": "path", "required": True, "schema": STR,
              "description": "The shipment number (its barcode), e.g. SHP-MSK-2026-000042"}]


def _list(op: str, summary: str, schema: str, extra_params: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"get": {"operationId": op, "summary": summary, "parameters": [*_PAGING, *(extra_params or [])],
                    "responses": {"200": _json(schema, "A page"), **_problems("422")}}}


def _body(schema: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(schema)}}}


def _document(op: str, summary: str, media: str) -> dict[str, Any]:
    # OpenAPI 3.1: a binary body is described by its media type alone (no JSON type to check)
    binary = {"contentMediaType": media} if media != "text/plain" else STR
    return {"get": {"operationId": op, "summary": summary, "parameters": _NUMBER,
                    "responses": {"200": {"description": summary, "content": {media: {"schema": binary}}},
                                  **_problems("404")}}}


PATHS: dict[str, Any] = {
    "/service-centers": _list("listServiceCenters", "Active service centers and their brands", "ServiceCenterPage"),
    "/manufacturers": _list("listManufacturers", "Active manufacturers", "ManufacturerPage"),
    "/models": _list("listModels", "Active product models, with their warranty terms", "ProductModelPage", [
        {"name": "manufacturer", "in": "query", "schema": STR, "description": "Only this manufacturer's (by name)"}]),
    "/repair-orders": {
        **_list("listRepairOrders", "Repair orders, newest first", "RepairOrderSummaryPage", [
            {"name": "state", "in": "query", "schema": {"type": "array", "items": {"type": "string", "enum": STATES}},
             "style": "form", "explode": True, "description": "Only these states (repeat, or comma-separate)"},
            {"name": "center", "in": "query", "schema": STR, "description": "Only this center's (by code)"},
            {"name": "q", "in": "query", "schema": {**STR, "maxLength": 32}, "description": "Number prefix"}]),
        "post": {
            "operationId": "createRepairOrder",
            "summary": "Receive a unit at a center (the intake counter's operation)",
            "parameters": [{"name": "Idempotency-Key", "in": "header", "schema": {**STR, "maxLength": 100},
                            "description": "A retry with the same key (and body) returns the first answer"}],
            "requestBody": _body("IntakeRequest"),
            "responses": {
                "201": {**_json("RepairOrder", "Received; the order with its warranty decision"),
                        "headers": {"Location": {"schema": STR}}},
                **_problems("400", "403", "409", "413", "415", "422")},
        },
    },
    "/repair-orders/{number}": {
        "get": {"operationId": "getRepairOrder", "summary": "One order with its history", "parameters": _NUMBER,
                "responses": {"200": _json("RepairOrder", "The order"), **_problems("404")}},
    },
    "/repair-orders/{number}/transitions": {
        "post": {"operationId": "transitionRepairOrder", "summary": "Move the order along the state table",
                 "parameters": _NUMBER, "requestBody": _body("TransitionRequest"),
                 "responses": {"200": _json("RepairOrder", "Moved; the order in its new state"),
                               **_problems("400", "403", "404", "409", "413", "415", "422")}},
    },
    "/repair-orders/{number}/estimate": {
        "get": {"operationId": "getRepairOrderEstimate", "summary": "The order's estimate, every version",
                "parameters": _NUMBER, "responses": {"200": _json("OrderEstimate", "The estimate"), **_problems("404")}},
    },
    "/repair-orders/{number}/estimate/lines": {
        "post": {"operationId": "addEstimateLine",
                 "summary": "Add a line to the draft estimate (in diagnosis; engineers, team leads, partners, admins)",
                 "parameters": _NUMBER, "requestBody": _body("EstimateLineRequest"),
                 "responses": {"201": _json("OrderEstimate", "Added; the estimate with its new line"),
                               **_problems("400", "403", "404", "409", "413", "415", "422")}},
    },
    "/repair-orders/{number}/estimate/send": {
        "post": {"operationId": "sendEstimate", "summary": "Freeze the draft and ask the customer (awaiting approval)",
                 "parameters": _NUMBER, "requestBody": _body("EstimateSendRequest"),
                 "responses": {"200": _json("RepairOrder", "Sent; the order awaits the customer's approval"),
                               **_problems("400", "403", "404", "409", "413", "415", "422")}},
    },
    "/repair-orders/{number}/estimate/lines/{line_id}": {
        "delete": {"operationId": "removeEstimateLine", "summary": "Take a line off the draft estimate",
                   "parameters": [*_NUMBER, {"name": "line_id", "in": "path", "required": True, "schema": INT}],
                   "responses": {"200": _json("OrderEstimate", "Removed; the estimate without it"),
                                 **_problems("403", "404", "409")}},
    },
    "/repair-orders/{number}/estimate/answer": {
        "post": {"operationId": "answerEstimate",
                 "summary": "Record the customer's answer to the sent estimate (approve, decline, revise)",
                 "parameters": _NUMBER, "requestBody": _body("EstimateAnswerRequest"),
                 "responses": {"200": _json("RepairOrder", "Recorded; the order in its new state"),
                               **_problems("400", "403", "404", "409", "413", "415", "422")}},
    },
    "/repair-orders/{number}/warranty": {
        "post": {"operationId": "reviseWarranty",
                 "summary": "Revise the warranty decision (counter staff, engineers, team leads, admins)",
                 "parameters": _NUMBER, "requestBody": _body("WarrantyRequest"),
                 "responses": {"200": _json("RepairOrder", "Saved; paid now, the order needs the customer's "
                                                           "approval of an estimate"),
                               **_problems("400", "403", "404", "409", "413", "415", "422")}},
    },
    "/repair-orders/{number}/comments": {
        "post": {"operationId": "commentRepairOrder", "summary": "Add a comment to the order's history",
                 "parameters": _NUMBER, "requestBody": _body("CommentRequest"),
                 "responses": {"201": _json("RepairOrder", "Added; the order with the comment last in its history"),
                               **_problems("400", "403", "404", "413", "415", "422")}},
    },
    "/repair-orders/{number}/assignment": {
        "post": {"operationId": "assignRepairOrder",
                 "summary": "Assign the order to an engineer, or unassign it (team leads, partners, admins)",
                 "parameters": _NUMBER, "requestBody": _body("AssignmentRequest"),
                 "responses": {"200": _json("RepairOrder", "Saved; the order with its engineer"),
                               **_problems("400", "403", "404", "409", "413", "415", "422")}},
    },
    "/repair-orders/{number}/work-order.pdf": _document("getWorkOrderPdf", "The work order (заказ-наряд), A4 PDF",
                                                       "application/pdf"),
    "/repair-orders/{number}/label.pdf": _document("getLabelPdf", "The unit's label and one per accessory, PDF",
                                                   "application/pdf"),
    "/repair-orders/{number}/label.png": _document("getLabelPng", "The unit's label, PNG", "image/png"),
    "/repair-orders/{number}/label.zpl": _document("getLabelZpl", "The unit's label, ZPL for a Zebra printer",
                                                   "text/plain"),
    "/scan/{code}": {
        "get": {"operationId": "scan", "summary": "What a scanned code is",
                "parameters": [{"name": "code", "in": "path", "required": True, "schema": STR,
                                "description": "What the scanner read (a Russian keyboard layout is undone)"}],
                "responses": {"200": _json("ScanResult", "Found"), **_problems("404", "422")}},
    },
    "/units": _list("listUnits", "Units by manufacturer and serial, with today's warranty verdict", "UnitPage", [
        {"name": "manufacturer", "in": "query", "schema": STR, "description": "By name, any case"},
        {"name": "serial", "in": "query", "schema": {**STR, "maxLength": 64},
         "description": "Exact (blanks dropped, upper case)"}]),
    "/units/import": {
        "post": {
            "operationId": "importUnits",
            "summary": "Units from production, in bulk (administrators)",
            "description": "A CSV with a header row (comma or semicolon separated) or JSON Lines, one unit a row: "
                           "manufacturer, model, serial, production_date?, warranty_start? (the date the "
                           "warranty runs from), owner_name? with owner_phone?. A known serial of the same model "
                           "gets what it lacked; each bad row is rejected with its reason, the others are taken.",
            "requestBody": {"required": True, "content": {
                "text/csv": {"schema": STR}, "application/x-ndjson": {"schema": STR}}},
            "responses": {"200": _json("ImportResult", "What was done with each row"),
                          **_problems("400", "403", "404", "413", "415", "422")},
        },
    },
    "/units/{unit_id}/history": {
        "get": {"operationId": "getUnitHistory", "summary": "Every event about a unit across its orders",
                "parameters": [{"name": "unit_id", "in": "path", "required": True, "schema": INT}, *_PAGING],
                "responses": {"200": _json("UnitEventPage", "A page of events, oldest first"),
                              **_problems("404", "422")}},
    },
    "/shipments": {
        "post": {"operationId": "createShipment", "summary": "Open a shipment", "requestBody": _body("ShipmentRequest"),
                 "responses": {"201": _json("Shipment", "Opened; its number is its barcode"),
                               **_problems("400", "403", "409", "413", "415", "422")}},
    },
    "/shipments/{number}": {
        "get": {"operationId": "getShipment", "summary": "A shipment and its lines", "parameters": _SHIPMENT,
                "responses": {"200": _json("Shipment", "The shipment"), **_problems("403", "404")}},
    },
    "/shipments/{number}/items": {
        "post": {"operationId": "addShipmentItem", "summary": "Put a scanned unit or part into an open shipment",
                 "parameters": _SHIPMENT, "requestBody": _body("ShipmentItemRequest"),
                 "responses": {"201": _json("ShipmentScan", "Added as a new line"),
                               "200": _json("ShipmentScan", "Already on the shipment (the same line)"),
                               **_problems("400", "403", "404", "409", "413", "415", "422")}},
    },
    "/shipments/{number}/dispatch": {
        "post": {"operationId": "dispatchShipment", "summary": "Hand the shipment to the carrier",
                 "parameters": _SHIPMENT, "requestBody": _body("DispatchRequest"),
                 "responses": {"200": _json("Shipment", "In transit"),
                               **_problems("400", "403", "404", "409", "413", "415", "422")}},
    },
    "/shipments/{number}/receive": {
        "post": {"operationId": "receiveShipment", "summary": "Receive by the codes that arrived, and close",
                 "parameters": _SHIPMENT, "requestBody": _body("ReceiveRequest"),
                 "responses": {"200": _json("ShipmentReceipt", "Received: what arrived against what was sent"),
                               **_problems("400", "403", "404", "409", "413", "415", "422")}},
    },
    "/openapi.json": {
        "get": {"operationId": "getOpenApi", "summary": "This document", "security": [],
                "responses": {"200": {"description": "OpenAPI 3.1",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}}},
    },
}


def build_spec(server_url: str = "/api/v1") -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "servicecenter API", "version": VERSION,
                 "description": "Repair orders, reference data and their history for integrations. "
                                "Errors are RFC 9457 problem details; see docs/api.md."},
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": PATHS,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "A per-user token (servicecenter create-token EMAIL, "
                                                          "or the profile page)"}},
            "schemas": SCHEMAS, "responses": RESPONSES, "parameters": PARAMETERS,
        },
    }


@bp.route("/openapi.json")
@public()
def openapi() -> Response:
    return jsonify(build_spec())
