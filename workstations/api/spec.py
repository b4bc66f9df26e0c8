"""The OpenAPI 3.1 document of /api/v1, written as data: every path, request and answer, with the
shared shapes once under components. Tests validate it and check every API answer against it.

The first endpoints are described here; later modules describe their own next to their routes with
`register(paths, schemas)`, using the helpers below (obj, ref, body, json_answer, problems…)."""

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


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema["type"]
    return {**schema, "type": [kind, "null"]} if isinstance(kind, str) else schema


def obj(props: dict[str, Any], required: list[str] | None = None, extra: bool = False,
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
ORDER_VERSION = {**INT, "description": "The order's version you saw; 409 when it changed meanwhile"}


def page_of(item: str) -> dict[str, Any]:
    return obj({"items": {"type": "array", "items": ref(item)}, "page": {"type": "integer", "minimum": 1},
                 "pages": {"type": "integer", "minimum": 1}, "total": {"type": "integer", "minimum": 0}},
                description="A page of a list; `total` counts every match (at most 10,000 past the page).")


SCHEMAS: dict[str, Any] = {
    "Problem": obj({
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
    "ServiceCenter": obj({"id": INT, "code": STR, "name": STR, "city": STR,
                           "kind": {"type": "string", "enum": [k.value for k in CenterKind]},
                           "brands": {"type": "array", "items": STR, "description": "Authorised manufacturers"},
                           "address": STR, "phone": STR, "hours": STR}),
    "Manufacturer": obj({"id": INT, "name": STR, "country": STR, "default_warranty_months": INT}),
    "ProductModel": obj({"id": INT, "manufacturer": STR, "name": STR, "category": STR, "warranty_months": INT}),
    "Warranty": obj({"covered": {"type": ["boolean", "null"]}, "until": nullable(DATE),
                      "reason": STR}),
    "HistoryEvent": obj({"at": MOMENT, "actor": nullable(STR),
                          "kind": {"type": "string", "enum": [k.value for k in EventKind]},
                          "from": nullable(STR), "to": nullable(STR),
                          "details": {"type": "object", "additionalProperties": True}}),
    "Transition": obj({"to": {"type": "string", "enum": STATES}, "action": STR,
                        "fields": {"type": "array", "items": STR}},
                       description="A move the caller's role may make from the current state."),
    "RepairOrderSummary": obj({
        "number": STR, "state": {"type": "string", "enum": STATES}, "center": STR,
        "order_type": {"type": "string", "enum": [t.value for t in OrderType]},
        "priority": {"type": "string", "enum": [p.value for p in Priority]},
        "customer": STR, "manufacturer": nullable(STR), "model": nullable(STR), "serial": nullable(STR),
        "created_at": MOMENT, "due_at": nullable(MOMENT)}),
}
_summary = SCHEMAS["RepairOrderSummary"]["properties"]
SCHEMAS["RepairOrder"] = obj({
    **_summary,
    "customer": obj({"name": STR, "phone": STR, "email": nullable(STR)}),
    "intake_center": STR,
    "unit": {"oneOf": [obj({"manufacturer": STR, "model": STR, "serial": STR, "purchase_date": nullable(DATE)}),
                       {"type": "null"}]},
    "fault": STR, "condition": STR, "accessories": {"type": "array", "items": STR},
    "warranty": ref("Warranty"), "diagnosis": STR,
    "outcome": {"type": ["string", "null"], "enum": [*(o.value for o in Outcome), None]},
    "engineer": nullable(STR), "received_at": nullable(MOMENT), "ready_at": nullable(MOMENT),
    "issued_at": nullable(MOMENT), "legal_due": nullable(MOMENT), "version": INT,
    "transitions": {"type": "array", "items": ref("Transition")},
    "history": {"type": "array", "items": ref("HistoryEvent")},
})
SCHEMAS["IntakeRequest"] = obj({
    "center": {**STR, "description": "The receiving center's code (your own, unless your role is network-wide)"},
    "customer": obj({"name": {**STR, "maxLength": 200}, "phone": {**STR, "maxLength": 40},
                      "email": {**STR, "maxLength": 200}}, required=["name", "phone"]),
    "unit": obj({"manufacturer": STR, "model": STR, "serial": {**STR, "maxLength": 64},
                  "purchase_date": DATE, "seller": {**STR, "maxLength": 200}},
                 required=["manufacturer", "model", "serial"]),
    "fault": {**STR, "maxLength": 4000}, "condition": {**STR, "maxLength": 4000},
    "accessories": {"type": "array", "items": {**STR, "maxLength": 100}, "maxItems": 50},
    "order_type": {"type": "string", "enum": [t.value for t in OrderType], "default": "paid"},
    "priority": {"type": "string", "enum": [p.value for p in Priority], "default": "normal"},
    "contract_number": {**STR, "maxLength": 40, "description": "An extended-warranty contract of the customer"},
    "warranty": obj({"covered": {"type": "boolean"}, "reason": {**STR, "maxLength": 500}},
                     required=["covered", "reason"],
                     description="Decide otherwise than the system (needed when there is no purchase date)"),
}, required=["center", "customer", "unit", "fault"], extra=True)
SCHEMAS["TransitionRequest"] = obj({
    "to": {"type": "string", "enum": STATES},
    "version": ORDER_VERSION,
    "diagnosis": STR, "estimate_total": {"type": ["string", "number"]},
    "outcome": {"type": "string", "enum": [o.value for o in Outcome]}, "outcome_note": STR,
    "reason": STR, "via": STR, "amount_paid": {"type": ["string", "number"]},
    "payment_method": {"type": "string", "enum": list(PAYMENT_METHODS)},
}, required=["to"], extra=True, description="Which fields an edge takes: the order's `transitions`.")
MONEY = {"type": "string", "pattern": "^-?[0-9]+\\.[0-9]{2}$", "description": "Roubles, two decimals"}
SCHEMAS["EstimateLine"] = obj({
    "id": INT, "kind": {"type": "string", "enum": [k.value for k in LineKind]},
    "part": {**nullable(STR), "description": "The part's SKU (part lines)"},
    "labour_item": {**nullable(INT), "description": "The price list's labour item (labour lines)"},
    "description": STR, "quantity": MONEY, "unit_price": {**MONEY, "description": "VAT included"},
    "vat_rate": {**MONEY, "description": "Percent"}, "net": MONEY, "vat": MONEY, "gross": MONEY})
SCHEMAS["Estimate"] = obj({
    "version": INT, "state": {"type": "string", "enum": [s.value for s in EstimateState]},
    "net": MONEY, "vat": MONEY, "gross": MONEY, "created_at": MOMENT, "sent_at": nullable(MOMENT),
    "decided_at": nullable(MOMENT),
    "answered_via": {"type": ["string", "null"], "enum": [*(c.value for c in AnswerChannel), None]},
    "decision_note": STR, "lines": {"type": "array", "items": ref("EstimateLine")}})
SCHEMAS["OrderEstimate"] = obj({
    "order": STR, "current": {"oneOf": [ref("Estimate"), {"type": "null"}],
                              "description": "The newest version: a draft, or what the customer saw"},
    "earlier": {"type": "array", "items": ref("Estimate"), "description": "Older versions, newest first"}})
SCHEMAS["EstimateLineRequest"] = obj({
    "kind": {"type": "string", "enum": [k.value for k in LineKind]},
    "quantity": {"type": ["string", "number"], "description": "Over 0, up to 1000; parts in whole pieces"},
    "part": {**STR, "maxLength": 64, "description": "part lines: the part's SKU or barcode"},
    "labour_item": {**INT, "description": "labour lines: the price list's item id"},
    "description": {**STR, "maxLength": 300, "description": "free lines: what is done"},
    "unit_price": {"type": ["string", "number"], "description": "free lines: 0 to 10,000,000, VAT included"},
    "vat_rate": {"type": ["string", "number"], "description": "free lines: percent, 0 to 99 (default 20)"},
}, required=["kind", "quantity"], extra=True)
SCHEMAS["EstimateSendRequest"] = obj({
    "diagnosis": STR, "version": ORDER_VERSION,
}, required=[], extra=True)
SCHEMAS["EstimateAnswerRequest"] = obj({
    "answer": {"type": "string", "enum": ["approve", "decline", "revise"],
               "description": "revise: the customer wants another estimate (back to diagnosis)"},
    "via": {"type": "string", "enum": [c.value for c in AnswerChannel], "description": "How the customer answered"},
    "note": {**STR, "maxLength": 500},
    "version": ORDER_VERSION,
}, required=["answer", "via"], extra=True)
SCHEMAS["WarrantyRequest"] = obj({
    "covered": {"type": "boolean", "description": "true: warranty repair; false: paid work"},
    "reason": {**STR, "minLength": 1, "maxLength": 500, "description": "Kept in the order's history"},
    "version": ORDER_VERSION,
}, required=["covered", "reason"], extra=True)
SCHEMAS["CommentRequest"] = obj({"text": {**STR, "minLength": 1, "maxLength": 4000}}, extra=True)
SCHEMAS["AssignmentRequest"] = obj({
    "engineer": {"type": ["string", "null"], "maxLength": 200,
                 "description": "The e-mail of an engineer (or team lead) of the order's center; null unassigns"},
    "version": ORDER_VERSION,
}, required=["engineer"], extra=True)
SCHEMAS["ScanResult"] = obj({
    "kind": {"type": "string", "enum": [k.value for k in ScanKind]}, "code": {**STR, "description": "As read"},
    "ref": {**STR, "description": "Order or shipment number, shelf code, part SKU, or unit id"},
    "url": {**STR, "description": "The API resource, or the workstation page where there is none yet"},
    "candidates": {"type": "array", "items": INT, "description": "Units: every unit with this serial"}})
SCHEMAS["Unit"] = obj({
    "id": INT, "manufacturer": STR, "model": STR, "category": STR, "serial": STR,
    "production_date": nullable(DATE), "purchase_date": nullable(DATE), "seller": STR,
    "warranty": {**ref("Warranty"), "description": "As it would be decided at your center today"}})
SCHEMAS["UnitEvent"] = obj({**SCHEMAS["HistoryEvent"]["properties"], "order": nullable(STR)})
SCHEMAS["ShipmentItem"] = obj({
    "id": {**INT, "description": "The line (to take it off, or to settle it when missing)"},
    "kind": {"type": "string", "enum": ["unit", "part"]}, "code": {**STR, "description": "Serial or part SKU"},
    "order": nullable(STR), "quantity": INT, "received": INT,
    "state": {"type": "string", "enum": [i.value for i in ItemState]},
    "note": {**STR, "description": "Why a lost line was written off"}})
SCHEMAS["Shipment"] = obj({
    "number": STR, "state": {"type": "string", "enum": [x.value for x in ShipmentState]},
    "from": {**STR, "description": "Location code"}, "to": {**STR, "description": "Location code"},
    "carrier": STR, "tracking": STR, "places": nullable(INT), "weight_kg": nullable(STR),
    "created_at": MOMENT, "dispatched_at": nullable(MOMENT), "received_at": nullable(MOMENT),
    "items": {"type": "array", "items": ref("ShipmentItem")}})
SCHEMAS["ShipmentScan"] = obj({**SCHEMAS["Shipment"]["properties"], "added": {
    "type": "boolean", "description": "false: the code was already on the shipment (the same line)"}})
SCHEMAS["ShipmentReceipt"] = obj({**SCHEMAS["Shipment"]["properties"],
                                   **{k: {"type": "array", "items": STR} for k in ("accepted", "missing", "unexpected")}})
SCHEMAS["ShipmentRequest"] = obj({
    "from": {**STR, "description": "A warehouse of your center (location code, or the center's code for its "
                                   "main warehouse)"},
    "to": {**STR, "description": "Another center's warehouse (or its center's code) or a manufacturer's location"},
    "note": {**STR, "maxLength": 2000}}, required=["from", "to"], extra=True)
SCHEMAS["ShipmentItemRequest"] = obj({"code": {**STR, "maxLength": 80, "description": "Serial, unit label "
                                                "(order number), part SKU or barcode"},
                                       "quantity": {**INT, "minimum": 1, "default": 1}},
                                      required=["code"], extra=True)
SCHEMAS["DispatchRequest"] = obj({"carrier": {**STR, "maxLength": 100, "description": "Required by the "
                                               "dispatch rule: who carries it"},
                                   "tracking": {**STR, "maxLength": 100}, "places": {**INT, "minimum": 1},
                                   "weight_kg": {"type": ["number", "string"]}}, required=[], extra=True)
SCHEMAS["ReceiveRequest"] = obj({"codes": {"type": "array", "maxItems": 2000,
                                            "items": {**STR, "minLength": 1, "maxLength": 80}}},
                                 required=["codes"], extra=True)
SCHEMAS["ImportResult"] = obj({
    "rows": INT, "created": INT, "updated": INT, "unchanged": INT, "rejected": INT,
    "rejected_rows": {"type": "array", "items": obj({"row": {**INT, "description": "1-based, the header not "
                                                                                 "counted"},
                                                      "serial": STR, "reason": STR})}})
for _name in ("ServiceCenter", "Manufacturer", "ProductModel", "RepairOrderSummary", "Unit", "UnitEvent"):
    SCHEMAS[f"{_name}Page"] = page_of(_name)

_PROBLEMS = {
    "400": "The body is not a JSON object",
    "401": "No valid API token",
    "403": "Your role may not do this",
    "404": "Unknown, or outside your service center's records",
    "409": "State conflict, or the order changed meanwhile",
    "413": "The request is too large",
    "415": "The body is not application/json",
    "422": "Invalid field values (see `errors`)",
    "503": "The database did not answer (restarting): nothing was saved, retry after `Retry-After` seconds",
}
RESPONSES = {code: {"description": text, "content": {"application/problem+json": {"schema": ref("Problem")}}}
             for code, text in _PROBLEMS.items()}


def problems(*codes: str) -> dict[str, Any]:
    return {code: {"$ref": f"#/components/responses/{code}"} for code in ("401", *codes, "503")}


def json_answer(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ref(schema)}}}


PARAMETERS = {
    "page": {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    "per_page": {"name": "per_page", "in": "query",
                 "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}},
    "number": {"name": "number", "in": "path", "required": True, "schema": STR,
               "description": "The order number (also its barcode), e.g. MSK-2026-000123"},
}
PAGING = [{"$ref": "#/components/parameters/page"}, {"$ref": "#/components/parameters/per_page"}]
NUMBER = [{"$ref": "#/components/parameters/number"}]
SHIPMENT = [{"name": "number", "in": "path", "required": True, "schema": STR,
              "description": "The shipment number (its barcode), e.g. SHP-MSK-2026-000042"}]


def list_op(op: str, summary: str, schema: str, extra_params: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"get": {"operationId": op, "summary": summary, "parameters": [*PAGING, *(extra_params or [])],
                    "responses": {"200": json_answer(schema, "A page"), **problems("422")}}}


def body(schema: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": ref(schema)}}}


def document(op: str, summary: str, media: str) -> dict[str, Any]:
    # OpenAPI 3.1: a binary body is described by its media type alone (no JSON type to check)
    binary = {"contentMediaType": media} if media != "text/plain" else STR
    return {"get": {"operationId": op, "summary": summary, "parameters": NUMBER,
                    "responses": {"200": {"description": summary, "content": {media: {"schema": binary}}},
                                  **problems("404")}}}


PATHS: dict[str, Any] = {
    "/service-centers": list_op("listServiceCenters", "Active service centers and their brands", "ServiceCenterPage"),
    "/manufacturers": list_op("listManufacturers", "Active manufacturers", "ManufacturerPage"),
    "/models": list_op("listModels", "Active product models, with their warranty terms", "ProductModelPage", [
        {"name": "manufacturer", "in": "query", "schema": STR, "description": "Only this manufacturer's (by name)"}]),
    "/repair-orders": {
        **list_op("listRepairOrders", "Repair orders, newest first", "RepairOrderSummaryPage", [
            {"name": "state", "in": "query", "schema": {"type": "array", "items": {"type": "string", "enum": STATES}},
             "style": "form", "explode": True, "description": "Only these states (repeat, or comma-separate)"},
            {"name": "center", "in": "query", "schema": STR, "description": "Only this center's (by code)"},
            {"name": "q", "in": "query", "schema": {**STR, "maxLength": 32}, "description": "Number prefix"}]),
        "post": {
            "operationId": "createRepairOrder",
            "summary": "Receive a unit at a center (the intake counter's operation)",
            "parameters": [{"name": "Idempotency-Key", "in": "header", "schema": {**STR, "maxLength": 100},
                            "description": "A retry with the same key (and body) returns the first answer"}],
            "requestBody": body("IntakeRequest"),
            "responses": {
                "201": {**json_answer("RepairOrder", "Received; the order with its warranty decision"),
                        "headers": {"Location": {"schema": STR}}},
                **problems("400", "403", "409", "413", "415", "422")},
        },
    },
    "/repair-orders/{number}": {
        "get": {"operationId": "getRepairOrder", "summary": "One order with its history", "parameters": NUMBER,
                "responses": {"200": json_answer("RepairOrder", "The order"), **problems("404")}},
    },
    "/repair-orders/{number}/transitions": {
        "post": {"operationId": "transitionRepairOrder", "summary": "Move the order along the state table",
                 "parameters": NUMBER, "requestBody": body("TransitionRequest"),
                 "responses": {"200": json_answer("RepairOrder", "Moved; the order in its new state"),
                               **problems("400", "403", "404", "409", "413", "415", "422")}},
    },
    "/repair-orders/{number}/estimate": {
        "get": {"operationId": "getRepairOrderEstimate", "summary": "The order's estimate, every version",
                "parameters": NUMBER, "responses": {"200": json_answer("OrderEstimate", "The estimate"), **problems("404")}},
    },
    "/repair-orders/{number}/estimate/lines": {
        "post": {"operationId": "addEstimateLine",
                 "summary": "Add a line to the draft estimate (in diagnosis; engineers, team leads, partners, admins)",
                 "parameters": NUMBER, "requestBody": body("EstimateLineRequest"),
                 "responses": {"201": json_answer("OrderEstimate", "Added; the estimate with its new line"),
                               **problems("400", "403", "404", "409", "413", "415", "422")}},
    },
    "/repair-orders/{number}/estimate/send": {
        "post": {"operationId": "sendEstimate", "summary": "Freeze the draft and ask the customer (awaiting approval)",
                 "parameters": NUMBER, "requestBody": body("EstimateSendRequest"),
                 "responses": {"200": json_answer("RepairOrder", "Sent; the order awaits the customer's approval"),
                               **problems("400", "403", "404", "409", "413", "415", "422")}},
    },
    "/repair-orders/{number}/estimate/lines/{line_id}": {
        "delete": {"operationId": "removeEstimateLine", "summary": "Take a line off the draft estimate",
                   "parameters": [*NUMBER, {"name": "line_id", "in": "path", "required": True, "schema": INT}],
                   "responses": {"200": json_answer("OrderEstimate", "Removed; the estimate without it"),
                                 **problems("403", "404", "409")}},
    },
    "/repair-orders/{number}/estimate/answer": {
        "post": {"operationId": "answerEstimate",
                 "summary": "Record the customer's answer to the sent estimate (approve, decline, revise)",
                 "parameters": NUMBER, "requestBody": body("EstimateAnswerRequest"),
                 "responses": {"200": json_answer("RepairOrder", "Recorded; the order in its new state"),
                               **problems("400", "403", "404", "409", "413", "415", "422")}},
    },
    "/repair-orders/{number}/warranty": {
        "post": {"operationId": "reviseWarranty",
                 "summary": "Revise the warranty decision (counter staff, engineers, team leads, admins)",
                 "parameters": NUMBER, "requestBody": body("WarrantyRequest"),
                 "responses": {"200": json_answer("RepairOrder", "Saved; paid now, the order needs the customer's "
                                                           "approval of an estimate"),
                               **problems("400", "403", "404", "409", "413", "415", "422")}},
    },
    "/repair-orders/{number}/comments": {
        "post": {"operationId": "commentRepairOrder", "summary": "Add a comment to the order's history",
                 "parameters": NUMBER, "requestBody": body("CommentRequest"),
                 "responses": {"201": json_answer("RepairOrder", "Added; the order with the comment last in its history"),
                               **problems("400", "403", "404", "413", "415", "422")}},
    },
    "/repair-orders/{number}/assignment": {
        "post": {"operationId": "assignRepairOrder",
                 "summary": "Assign the order to an engineer, or unassign it (team leads, partners, admins)",
                 "parameters": NUMBER, "requestBody": body("AssignmentRequest"),
                 "responses": {"200": json_answer("RepairOrder", "Saved; the order with its engineer"),
                               **problems("400", "403", "404", "409", "413", "415", "422")}},
    },
    "/repair-orders/{number}/work-order.pdf": document("getWorkOrderPdf", "The work order (заказ-наряд), A4 PDF",
                                                       "application/pdf"),
    "/repair-orders/{number}/label.pdf": document("getLabelPdf", "The unit's label and one per accessory, PDF",
                                                   "application/pdf"),
    "/repair-orders/{number}/label.png": document("getLabelPng", "The unit's label, PNG", "image/png"),
    "/repair-orders/{number}/label.zpl": document("getLabelZpl", "The unit's label, ZPL for a Zebra printer",
                                                   "text/plain"),
    "/scan/{code}": {
        "get": {"operationId": "scan", "summary": "What a scanned code is",
                "parameters": [{"name": "code", "in": "path", "required": True, "schema": STR,
                                "description": "What the scanner read (a Russian keyboard layout is undone)"}],
                "responses": {"200": json_answer("ScanResult", "Found"), **problems("404", "422")}},
    },
    "/units": list_op("listUnits", "Units by manufacturer and serial, with today's warranty verdict", "UnitPage", [
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
            "responses": {"200": json_answer("ImportResult", "What was done with each row"),
                          **problems("400", "403", "404", "413", "415", "422")},
        },
    },
    "/units/{unit_id}/history": {
        "get": {"operationId": "getUnitHistory", "summary": "Every event about a unit across its orders",
                "parameters": [{"name": "unit_id", "in": "path", "required": True, "schema": INT}, *PAGING],
                "responses": {"200": json_answer("UnitEventPage", "A page of events, oldest first"),
                              **problems("404", "422")}},
    },
    "/shipments": {
        "post": {"operationId": "createShipment", "summary": "Open a shipment", "requestBody": body("ShipmentRequest"),
                 "responses": {"201": json_answer("Shipment", "Opened; its number is its barcode"),
                               **problems("400", "403", "409", "413", "415", "422")}},
    },
    "/shipments/{number}": {
        "get": {"operationId": "getShipment", "summary": "A shipment and its lines", "parameters": SHIPMENT,
                "responses": {"200": json_answer("Shipment", "The shipment"), **problems("403", "404")}},
    },
    "/shipments/{number}/items": {
        "post": {"operationId": "addShipmentItem", "summary": "Put a scanned unit or part into an open shipment",
                 "parameters": SHIPMENT, "requestBody": body("ShipmentItemRequest"),
                 "responses": {"201": json_answer("ShipmentScan", "Added as a new line"),
                               "200": json_answer("ShipmentScan", "Already on the shipment (the same line)"),
                               **problems("400", "403", "404", "409", "413", "415", "422")}},
    },
    "/shipments/{number}/dispatch": {
        "post": {"operationId": "dispatchShipment", "summary": "Hand the shipment to the carrier",
                 "parameters": SHIPMENT, "requestBody": body("DispatchRequest"),
                 "responses": {"200": json_answer("Shipment", "In transit"),
                               **problems("400", "403", "404", "409", "413", "415", "422")}},
    },
    "/shipments/{number}/receive": {
        "post": {"operationId": "receiveShipment", "summary": "Receive by the codes that arrived, and close",
                 "parameters": SHIPMENT, "requestBody": body("ReceiveRequest"),
                 "responses": {"200": json_answer("ShipmentReceipt", "Received: what arrived against what was sent"),
                               **problems("400", "403", "404", "409", "413", "415", "422")}},
    },
    "/openapi.json": {
        "get": {"operationId": "getOpenApi", "summary": "This document", "security": [],
                "responses": {"200": {"description": "OpenAPI 3.1",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}}},
    },
}


def register(paths: dict[str, Any], schemas: dict[str, Any] | None = None) -> None:
    """Add a module's endpoints (and the shapes only they use) to the document; a path or schema
    described twice is a mistake caught at import."""
    for name, schema in (schemas or {}).items():
        if name in SCHEMAS:
            raise ValueError(f"schema {name} is described twice")
        SCHEMAS[name] = schema
    for path, operations in paths.items():
        taken = set(PATHS.get(path, {})) & set(operations)
        if taken:
            raise ValueError(f"{path} {sorted(taken)} described twice")
        PATHS[path] = {**PATHS.get(path, {}), **operations}


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
