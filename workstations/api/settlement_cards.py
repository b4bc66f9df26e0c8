"""Rate cards (the head office's): list, read, add, change — the settlements workstation's rate card pages
(workstations/settlements/cards.py) on the same services. A partner is the other party of its card but,
as on the workstation, the cards are the head office's to read and keep."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import g, jsonify, request
from flask_babel import gettext
from sqlalchemy import select
from werkzeug.wrappers import Response

from servicecenter.accounts.roles import Role
from servicecenter.catalog.models import Manufacturer
from servicecenter.centers.models import ServiceCenter
from servicecenter.errors import N_, NotFound
from servicecenter.paging import Page
from servicecenter.settlements.models import LabourBasis, PartsBasis, RateCard, RateCardKind
from servicecenter.settlements.rates import MAX_LINES, create_rate_card, list_rate_cards, update_rate_card
from workstations.api import bp, present
from workstations.api.payload import Fields, json_body, paged, query_page
from workstations.api.problems import Problem
from workstations.api.spec import (
    INT,
    MOMENT,
    MONEY,
    PAGING,
    STR,
    body,
    json_answer,
    nullable,
    obj,
    page_of,
    problems,
    register,
)
from workstations.web.access import allow
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

# The service's field names as the request spells them (for 422 `errors`).
CARD_FIELDS = {"center_id": "center", "manufacturer_id": "manufacturer"}
AMOUNTS = ("hourly_rate", "travel_allowance", "vat_rate")
MAX_AMOUNT_TEXT = 40


def _money(value: Decimal) -> str:
    return f"{Decimal(value):.2f}"


def _card(c: RateCard) -> dict[str, Any]:
    return {"id": c.id, "kind": c.kind.value, "center": c.center.code if c.center is not None else None,
            "manufacturer": c.manufacturer.name if c.manufacturer is not None else None,
            "valid_from": present.day(c.valid_from), "labour_basis": c.labour_basis.value,
            "hourly_rate": _money(c.hourly_rate), "travel_allowance": _money(c.travel_allowance),
            "parts_basis": c.parts_basis.value, "vat_rate": _money(c.vat_rate), "note": c.note,
            "lines": [{"category": line.category, "labour": _money(line.labour)} for line in c.lines],
            "created_at": present.moment(c.created_at), "updated_at": present.moment(c.updated_at)}


def _get(card_id: int) -> RateCard:
    card = db().get(RateCard, card_id)
    if card is None:
        raise NotFound(N_("No such rate card"))
    return card


@bp.route("/settlements/rate-cards")
@allow(Role.ADMIN)
def rate_cards() -> Response:
    """Every rate card, by party and newest first (of one kind with `kind`)."""
    page, per_page = query_page()
    kind = (request.args.get("kind") or "").strip()
    if kind and kind not in {k.value for k in RateCardKind}:
        raise Problem(422, gettext("Some fields are wrong: nothing was changed."), {"kind": gettext("Unknown value")})
    cards = list_rate_cards(db(), RateCardKind(kind) if kind else None)
    offset = (page - 1) * per_page
    result = Page(items=cards[offset:offset + per_page], page=page, per_page=per_page, total=len(cards))
    return jsonify(paged(result, [_card(c) for c in result.items]))


def _amount(f: Fields, data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        f.fail(name, N_("A number"))
        return None
    text = str(value)
    if len(text) > MAX_AMOUNT_TEXT:
        f.fail(name, N_("Too long"))
        return None
    return text  # "1 400,50" as the workstation's form takes it; the service checks the range


def _lines(f: Fields, data: dict[str, Any]) -> list[dict[str, str]] | None:
    value = data.get("lines")
    if value is None:
        return None
    ok = isinstance(value, list) and len(value) <= MAX_LINES and all(
        isinstance(row, dict)
        and isinstance(row.get("category", ""), str | type(None)) and len(row.get("category") or "") <= 200
        and not isinstance(row.get("labour"), bool) and isinstance(row.get("labour", ""), str | int | float)
        and len(str(row.get("labour", ""))) <= MAX_AMOUNT_TEXT
        for row in value)
    if not ok:
        f.fail("lines", N_("A list of {category, labour} objects"))
        return None
    return [{"category": row.get("category") or "", "labour": str(row.get("labour", ""))} for row in value]


def _values(data: dict[str, Any], creating: bool) -> dict[str, Any]:
    """The service's keyword arguments from the request: every field given (creating: the required ones too)."""
    f = Fields(data)
    values: dict[str, Any] = {}
    if data.get("kind") is not None or creating:  # null: unchanged, like a missing field
        values["kind"] = f.choice("kind", [k.value for k in RateCardKind], "")
        if data.get("kind") is None:
            f.fail("kind", N_("Required"))
    code = f.text("center", max_len=40)
    name = f.text("manufacturer", max_len=120)
    if data.get("valid_from") is not None or creating:
        values["valid_from"] = f.text("valid_from", max_len=20)  # the service reads the date
    for field, enum in (("labour_basis", LabourBasis), ("parts_basis", PartsBasis)):
        if data.get(field) is not None:
            values[field] = f.choice(field, [e.value for e in enum], "")
    for field in AMOUNTS:
        amount = _amount(f, data, field)
        if amount is not None:
            values[field] = amount
    if data.get("note") is not None:
        values["note"] = f.text("note", max_len=2000)
    lines = _lines(f, data)
    if lines is not None:
        values["lines"] = lines
    f.check()
    # A party named by its code or name; one that is not there is the service's "choose a partner center".
    if code:
        values["center_id"] = db().scalar(select(ServiceCenter.id).where(ServiceCenter.code == code.upper()))
    if name:
        wanted = name.casefold()
        values["manufacturer_id"] = next((m.id for m in db().scalars(select(Manufacturer).order_by(Manufacturer.id))
                                          if m.name.casefold() == wanted), None)
    g.api_fields = CARD_FIELDS
    return values


@bp.route("/settlements/rate-cards", methods=["POST"])
@allow(Role.ADMIN)
def rate_card_create() -> Response:
    """Add a partner's or a manufacturer's rate card."""
    card = create_rate_card(db(), actor(), **_values(json_body(), creating=True))
    response = jsonify(_card(card))
    response.status_code = 201
    return response


# One rule for both methods: with two, an id past the converter's range would answer PATCH with a 405
# naming GET (werkzeug counts the GET rule's path as matched before the converter refuses the number).
@bp.route("/settlements/rate-cards/<int:card_id>", methods=["GET", "PATCH"])
@allow(Role.ADMIN)
def rate_card(card_id: int) -> Response:
    """GET: the card. PATCH: change the fields given; lines already priced keep their figures until they are
    re-priced. `lines`, when given, is the whole new list."""
    card = _get(card_id)
    if request.method == "PATCH":
        update_rate_card(db(), actor(), card, **_values(json_body(), creating=False))
    return jsonify(_card(card))


# ---------------------------------------------------------------- the OpenAPI description
CARD_ID = [{"name": "card_id", "in": "path", "required": True, "schema": INT}]
AMOUNT_IN = {"type": ["string", "number"], "description": "Roubles without VAT, 0 to 10,000,000 (\"1 400,50\" too)"}
_request = {
    "kind": {"type": "string", "enum": [k.value for k in RateCardKind]},
    "center": {**STR, "maxLength": 40, "description": "partner cards: the partner center's code"},
    "manufacturer": {**STR, "maxLength": 120, "description": "manufacturer cards: the manufacturer's name"},
    "valid_from": {"type": "string", "format": "date",
                   "description": "The card prices repairs completed on this day and later; one card a party a day"},
    "labour_basis": {"type": "string", "enum": [b.value for b in LabourBasis]},
    "hourly_rate": {**AMOUNT_IN, "description": "per_hour cards: roubles an hour, without VAT"},
    "travel_allowance": AMOUNT_IN,
    "parts_basis": {"type": "string", "enum": [b.value for b in PartsBasis]},
    "vat_rate": {"type": ["string", "number"], "description": "Percent, 0 to 99 (default 20)"},
    "note": {**STR, "maxLength": 2000},
    "lines": {"type": "array", "maxItems": MAX_LINES, "description": "Labour per repair by product category "
              "(\"\" = any); per_repair cards need one; given, the whole new list",
              "items": obj({"category": {**STR, "maxLength": 80}, "labour": AMOUNT_IN}, required=["labour"],
                           extra=True)},
}
SCHEMAS = {
    "RateCard": obj({
        "id": INT, "kind": {"type": "string", "enum": [k.value for k in RateCardKind]},
        "center": {**nullable(STR), "description": "partner cards: the center's code"},
        "manufacturer": {**nullable(STR), "description": "manufacturer cards: its name"},
        "valid_from": {"type": "string", "format": "date"},
        "labour_basis": {"type": "string", "enum": [b.value for b in LabourBasis]},
        "hourly_rate": MONEY, "travel_allowance": MONEY,
        "parts_basis": {"type": "string", "enum": [b.value for b in PartsBasis]},
        "vat_rate": {**MONEY, "description": "Percent"}, "note": STR,
        "lines": {"type": "array", "items": obj({"category": STR, "labour": MONEY})},
        "created_at": MOMENT, "updated_at": MOMENT}),
    "RateCardRequest": obj(_request, required=["kind", "valid_from"], extra=True),
    "RateCardChange": obj(_request, required=[], extra=True),
    "RateCardPage": page_of("RateCard"),
}
WRITE = ("400", "403", "404", "409", "413", "415", "422")
register({
    "/settlements/rate-cards": {
        "get": {"operationId": "listRateCards", "summary": "Rate cards, by party and newest first",
                "parameters": [*PAGING, {"name": "kind", "in": "query",
                                         "schema": {"type": "string", "enum": [k.value for k in RateCardKind]}}],
                "responses": {"200": json_answer("RateCardPage", "A page"), **problems("403", "404", "422")}},
        "post": {"operationId": "createRateCard", "summary": "Add a rate card", "requestBody": body("RateCardRequest"),
                 "responses": {"201": json_answer("RateCard", "Added"), **problems(*WRITE)}},
    },
    "/settlements/rate-cards/{card_id}": {
        "get": {"operationId": "getRateCard", "summary": "A rate card", "parameters": CARD_ID,
                "responses": {"200": json_answer("RateCard", "The card"), **problems("403", "404")}},
        "patch": {"operationId": "changeRateCard", "summary": "Change a rate card (the fields given)",
                  "parameters": CARD_ID, "requestBody": body("RateCardChange"),
                  "responses": {"200": json_answer("RateCard", "Changed"), **problems(*WRITE)}},
    },
}, SCHEMAS)
