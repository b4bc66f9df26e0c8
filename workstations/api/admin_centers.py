"""Administration: service centers and their warehouses and shelves — the admin workstation's services
(centers.services.create_center / update_center / create_location / update_location)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from printing.labels import PRESETS
from servicecenter.accounts.roles import Role
from servicecenter.centers import services
from servicecenter.centers.models import CenterKind, Location, ServiceCenter
from servicecenter.errors import N_, NotFound
from workstations.api import bp
from workstations.api.admin_fields import Body, created, manufacturer_by_name, record
from workstations.api.spec import INT, STR, body, json_answer, nullable, obj, problems, ref, register
from workstations.web.access import Reads, allow
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

ADMIN = allow(Role.ADMIN, reads=Reads.NETWORK)
NO_CENTER = N_("No such service center")
NO_LOCATION = N_("No such warehouse or shelf")


def location(loc: Location) -> dict[str, Any]:
    return {"id": loc.id, "code": loc.code, "name": loc.name, "kind": loc.kind.value,
            "center": loc.center.code if loc.center is not None else None,
            "parent": loc.parent.code if loc.parent is not None else None,
            "is_main": loc.is_main, "active": loc.active, "notes": loc.notes}


def center_record(c: ServiceCenter) -> dict[str, Any]:
    stock = sorted((loc for loc in c.locations if loc.kind in services.STOCK_KINDS),
                   key=lambda loc: (loc.parent.code if loc.parent is not None else loc.code, loc.parent_id is not None,
                                    loc.code))
    return {"id": c.id, "code": c.code, "name": c.name, "kind": c.kind.value, "city": c.city, "region": c.region,
            "address": c.address, "phone": c.phone, "email": c.email, "timezone": c.timezone, "hours": c.hours,
            "brands": [m.name for m in c.brands], "active": c.active,
            "repair_warranty_days": c.repair_warranty_days, "label_profile": c.label_profile,
            "label_qr": c.label_qr, "locations": [location(loc) for loc in stock]}


def _center_values(f: Body) -> dict[str, Any]:
    for name, max_len in (("code", 8), ("name", 200), ("city", 100), ("region", 100), ("address", 300),
                          ("phone", 32), ("email", 200), ("timezone", 64), ("hours", 200)):
        f.string(name, max_len)
    f.one_of("kind", [k.value for k in CenterKind])
    f.boolean("active")
    f.integer("repair_warranty_days")
    f.one_of("label_profile", PRESETS)
    f.one_of("label_qr", services.LABEL_QR_CHOICES)
    if f.sent("brands"):
        names = f.data["brands"]
        if not isinstance(names, list) or len(names) > 500 or not all(isinstance(n, str) for n in names):
            f.fail("brands", N_("A list of short strings"))
        else:
            brands = [manufacturer_by_name(f, "brands", n) for n in names]
            f.values["brands"] = list({b.id: b for b in brands if b is not None}.values())
    f.check()
    return f.values


@bp.route("/service-centers", methods=["POST"])
@ADMIN
def create_center() -> Response:
    """A new service center (own or partner) with the brands it is authorised for."""
    values = {"code": "", "name": "", **_center_values(Body())}
    center = services.create_center(db(), actor(), **values)
    return created(center_record(center), url_for("api.get_center", center_id=center.id))


@bp.route("/service-centers/<int:center_id>", methods=["GET", "PATCH"])  # one rule for both: see admin_fields
@ADMIN
def get_center(center_id: int) -> Response:
    """One center (active or not) with every field and its warehouses and shelves."""
    if request.method == "PATCH":
        return update_center(center_id)
    return jsonify(center_record(record(ServiceCenter, center_id, NO_CENTER)))


@ADMIN
def update_center(center_id: int) -> Response:
    center = record(ServiceCenter, center_id, NO_CENTER)
    services.update_center(db(), actor(), center, **_center_values(Body()))
    return jsonify(center_record(center))


def _location_values(f: Body) -> dict[str, Any]:
    f.string("code", 40)
    f.string("name", 200)
    f.string("notes", 2000)
    f.one_of("kind", [k.value for k in services.STOCK_KINDS])
    f.boolean("is_main")
    f.boolean("active")
    if f.sent("parent"):
        code = f.data["parent"]
        if code is None:
            f.values["parent"] = None
        else:
            parent = db().scalar(select(Location).where(func.upper(Location.code) == code.strip().upper())) \
                if isinstance(code, str) and code.strip() else None
            if parent is None:
                f.fail("parent", N_("No such warehouse"))
            f.values["parent"] = parent
    f.check()
    return f.values


def _stock_location(location_id: int) -> Location:
    found = record(Location, location_id, NO_LOCATION)
    if found.kind not in services.STOCK_KINDS or found.center is None:
        raise NotFound(NO_LOCATION)  # only warehouses and shelves are administered here
    return found


@bp.route("/service-centers/<int:center_id>/locations", methods=["POST"])
@ADMIN
def create_location(center_id: int) -> Response:
    """A warehouse of the center, or a shelf in one of its warehouses (`parent`)."""
    center = record(ServiceCenter, center_id, NO_CENTER)
    values = {"code": "", "name": "", "kind": "", **_location_values(Body())}
    made = services.create_location(db(), actor(), center, **values)
    return created(location(made), url_for("api.get_location", location_id=made.id))


@bp.route("/locations/<int:location_id>", methods=["GET", "PATCH"])  # one rule for both: see admin_fields
@ADMIN
def get_location(location_id: int) -> Response:
    if request.method == "PATCH":
        return update_location(location_id)
    return jsonify(location(_stock_location(location_id)))


@ADMIN
def update_location(location_id: int) -> Response:
    found = _stock_location(location_id)
    services.update_location(db(), actor(), found, **_location_values(Body()))
    return jsonify(location(found))


# --- The OpenAPI description ---------------------------------------------------------------------

CENTER_ID = [{"name": "center_id", "in": "path", "required": True, "schema": INT}]
LOCATION_ID = [{"name": "location_id", "in": "path", "required": True, "schema": INT}]
WRITE = problems("400", "403", "404", "409", "413", "415", "422")
_location_kinds = [k.value for k in services.STOCK_KINDS]
_center_fields = {
    "code": {**STR, "maxLength": 8, "description": "Latin letters, digits, dashes; starts its order numbers"},
    "name": {**STR, "maxLength": 200}, "kind": {"type": "string", "enum": [k.value for k in CenterKind]},
    "city": {**STR, "maxLength": 100}, "region": {**STR, "maxLength": 100}, "address": {**STR, "maxLength": 300},
    "phone": {**STR, "maxLength": 32}, "email": {**STR, "maxLength": 200},
    "timezone": {**STR, "maxLength": 64, "description": "IANA, e.g. Europe/Moscow"},
    "hours": {**STR, "maxLength": 200},
    "brands": {"type": "array", "items": STR, "description": "Authorised manufacturers, by name"},
    "active": {"type": "boolean"},
    "repair_warranty_days": {**INT, "description": "Our warranty on a repair, 0–3650 days"},
    "label_profile": {"type": "string", "enum": list(PRESETS)},
    "label_qr": {"type": "string", "enum": list(services.LABEL_QR_CHOICES)},
}
_location_fields = {
    "code": {**STR, "maxLength": 40, "description": "Printed on the shelf label"}, "name": {**STR, "maxLength": 200},
    "kind": {"type": "string", "enum": _location_kinds},
    "parent": {**nullable(STR), "description": "Shelves: the code of the warehouse it is in"},
    "is_main": {"type": "boolean"}, "active": {"type": "boolean"}, "notes": {**STR, "maxLength": 2000},
}
register({
    "/service-centers": {
        "post": {"operationId": "createServiceCenter", "summary": "Create a service center (administrators)",
                 "requestBody": body("ServiceCenterRequest"),
                 "responses": {"201": {**json_answer("ServiceCenterRecord", "Created"),
                                       "headers": {"Location": {"schema": STR}}},
                               **problems("400", "403", "404", "409", "413", "415", "422")}},
    },
    "/service-centers/{center_id}": {
        "get": {"operationId": "getServiceCenter", "summary": "A center with its warehouses and shelves "
                "(administrators)", "parameters": CENTER_ID,
                "responses": {"200": json_answer("ServiceCenterRecord", "The center"), **problems("403", "404")}},
        "patch": {"operationId": "updateServiceCenter", "summary": "Change the fields sent (administrators)",
                  "parameters": CENTER_ID, "requestBody": body("ServiceCenterChange"),
                  "responses": {"200": json_answer("ServiceCenterRecord", "Saved"), **WRITE}},
    },
    "/service-centers/{center_id}/locations": {
        "post": {"operationId": "createLocation", "summary": "Add a warehouse or a shelf (administrators)",
                 "parameters": CENTER_ID, "requestBody": body("LocationRequest"),
                 "responses": {"201": {**json_answer("Location", "Created"), "headers": {"Location": {"schema": STR}}},
                               **WRITE}},
    },
    "/locations/{location_id}": {
        "get": {"operationId": "getLocation", "summary": "A warehouse or shelf (administrators)",
                "parameters": LOCATION_ID,
                "responses": {"200": json_answer("Location", "The location"), **problems("403", "404")}},
        "patch": {"operationId": "updateLocation", "summary": "Change the fields sent (administrators)",
                  "parameters": LOCATION_ID, "requestBody": body("LocationChange"),
                  "responses": {"200": json_answer("Location", "Saved"), **WRITE}},
    },
}, {
    "Location": obj({"id": INT, "code": STR, "name": STR, "kind": {"type": "string", "enum": _location_kinds},
                     "center": nullable(STR), "parent": {**nullable(STR), "description": "The warehouse's code"},
                     "is_main": {"type": "boolean"}, "active": {"type": "boolean"}, "notes": STR}),
    "ServiceCenterRecord": obj({
        "id": INT, **{k: v for k, v in _center_fields.items()},
        "locations": {"type": "array", "items": ref("Location"), "description": "Warehouses, each before its shelves"},
    }),
    "ServiceCenterRequest": obj(_center_fields, required=["code", "name"], extra=True),
    "ServiceCenterChange": obj(_center_fields, required=[], extra=True),
    "LocationRequest": obj(_location_fields, required=["code", "name", "kind"], extra=True),
    "LocationChange": obj(_location_fields, required=[], extra=True),
})
