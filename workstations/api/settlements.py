"""Settlements: partner statements and manufacturer warranty claims — the settlements workstation's lists,
pages and head-office actions (workstations/settlements/views.py), on the same services and roles.

A partner reads its own center's statements (another's is 404, like a missing one) and nothing else here;
every change is the head office's (administrators). Rate cards: workstations/api/settlement_cards.py.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import jsonify, request
from flask_babel import gettext
from sqlalchemy import select
from werkzeug.wrappers import Response

from servicecenter.accounts.roles import PARTNER_ROLES, Role
from servicecenter.catalog.models import Manufacturer
from servicecenter.centers.models import ServiceCenter
from servicecenter.errors import N_
from servicecenter.paging import COUNT_LIMIT, Page
from servicecenter.settlements import claims, queries, statements
from servicecenter.settlements.documents import claim_number, statement_number
from servicecenter.settlements.models import (
    ClaimState,
    DisputeState,
    ManufacturerClaim,
    PartnerStatement,
    PricedLine,
    StatementLine,
    StatementState,
    Verdict,
)
from servicecenter.settlements.periods import parse_period
from workstations.api import bp, present
from workstations.api.order_actions import _version
from workstations.api.payload import Fields, json_body, paged, query_page
from workstations.api.problems import Problem
from workstations.api.shipments import _shipment
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
    ref,
    register,
)
from workstations.web.access import allow
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

READERS = (Role.ADMIN, *PARTNER_ROLES)  # the settlements blueprint's policy: partners read their own statements
MAX_REASON = 2000
DECISIONS = ("accept", "reject")


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def _wrong(errors: dict[str, str]) -> Problem:
    return Problem(422, gettext("Some fields are wrong: nothing was changed."), errors)


# ---------------------------------------------------------------- what is answered
def _figures(line: PricedLine) -> dict[str, Any]:
    order = line.order  # type: ignore[attr-defined]
    unit = order.unit
    return {
        "id": line.id, "order": order.number,  # type: ignore[attr-defined]
        "unit": None if unit is None else {"manufacturer": unit.manufacturer.name, "model": unit.model.name,
                                           "serial": unit.serial},
        "completed_at": present.moment(line.completed_at), "completed_on": present.day(line.completed_on),
        "category": line.category, "rate_card": line.rate_card_id, "no_rate": line.no_rate,
        "labour_minutes": line.labour_minutes, "labour": _money(line.labour), "travel": _money(line.travel),
        "parts": _money(line.parts), "net": _money(line.net), "vat_rate": _money(line.vat_rate),
        "vat": _money(line.vat), "total": _money(line.total),
        "parts_detail": [{"sku": str(p.get("sku", "")), "name": str(p.get("name", "")),
                          "quantity": int(p.get("quantity") or 0), "unit_price": _money(Decimal(p["unit_price"])),
                          "amount": _money(Decimal(p["amount"]))} for p in (line.parts_detail or [])],
    }


def _statement_line(line: StatementLine) -> dict[str, Any]:
    return {**_figures(line), "counts": line.counts, "dispute": line.dispute.value,
            "dispute_reason": line.dispute_reason, "disputed_at": present.moment(line.disputed_at),
            "resolution_note": line.resolution_note, "resolved_at": present.moment(line.resolved_at)}


def _statement_head(s: PartnerStatement) -> dict[str, Any]:
    return {"id": s.id, "number": statement_number(s), "center": s.center.code, "center_name": s.center.name,
            "period": s.period, "state": s.state.value}


def _statement(s: PartnerStatement) -> dict[str, Any]:
    t = statements.totals(s)
    return {**_statement_head(s), "version": s.version, "created_at": present.moment(s.created_at),
            "approved_at": present.moment(s.approved_at), "paid_at": present.moment(s.paid_at),
            "payment_date": present.day(s.payment_date), "payment_reference": s.payment_reference,
            "totals": {"net": _money(t.net), "vat": _money(t.vat), "total": _money(t.total), "lines": t.lines,
                       "counted": t.counted, "disputed": t.disputed, "rejected": t.rejected,
                       "no_rate": t.no_rate},
            "lines": [_statement_line(line) for line in s.lines]}


def _claim_head(c: ManufacturerClaim) -> dict[str, Any]:
    return {"id": c.id, "number": claim_number(c), "manufacturer": c.manufacturer.name, "period": c.period,
            "state": c.state.value}


def _claim(c: ManufacturerClaim) -> dict[str, Any]:
    t = claims.totals(c)
    lines = list(c.lines)
    defective = claims.defective_parts(db(), lines)
    return {**_claim_head(c), "version": c.version, "created_at": present.moment(c.created_at),
            "submitted_at": present.moment(c.submitted_at), "paid_at": present.moment(c.paid_at),
            "payment_date": present.day(c.payment_date), "payment_reference": c.payment_reference,
            "paid_amount": _money(c.paid_amount),
            "totals": {"net": _money(t.net), "vat": _money(t.vat), "total": _money(t.total),
                       "accepted": _money(t.accepted), "rejected": _money(t.rejected), "pending": t.pending,
                       "lines": t.lines, "no_rate": t.no_rate},
            "lines": [{**_figures(line), "center": line.center.code, "verdict": line.verdict.value,
                       "verdict_reason": line.verdict_reason, "verdict_at": present.moment(line.verdict_at),
                       "defective_parts": [{"sku": d.part.sku, "name": d.part.name, "quantity": d.quantity,
                                            "location": d.location.code if d.location is not None else None,
                                            "shipment": d.shipment.number if d.shipment is not None else None}
                                           for d in defective.get(line.id, [])]}
                      for line in lines]}


# ---------------------------------------------------------------- lists
def _page(rows: list[Any], page: int, per_page: int, ceiling: int) -> Page[Any]:
    """A page of a list the query returned up to `ceiling` + 1 rows of (past that: "more than")."""
    offset = (page - 1) * per_page
    items = rows[offset:offset + per_page]
    if len(rows) > ceiling:
        return Page(items=items, page=page, per_page=per_page, total=ceiling, exact=False)
    return Page(items=items, page=page, per_page=per_page, total=len(rows))


def _period_and_state(states: type) -> tuple[str, str, dict[str, str]]:
    errors: dict[str, str] = {}
    period = (request.args.get("period") or "").strip()
    if period and parse_period(period) is None:
        errors["period"] = gettext("A month, YYYY-MM")
    state = (request.args.get("state") or "").strip()
    if state and state not in {s.value for s in states}:
        errors["state"] = gettext("Unknown state")
    return period, state, errors


@bp.route("/settlements/statements")
@allow(*READERS)
def statements_list() -> Response:
    """Partner statements, newest month first, by partner (center code), period and state; a partner
    sees its own."""
    page, per_page = query_page()
    period, state, errors = _period_and_state(StatementState)
    center_id = None
    code = (request.args.get("partner") or "").strip().upper()
    if code:
        center = db().scalar(select(ServiceCenter).where(ServiceCenter.code == code))
        if center is None:
            errors["partner"] = gettext("Unknown service center")
        else:
            center_id = center.id
    if errors:
        raise _wrong(errors)
    ceiling = (page - 1) * per_page + per_page + COUNT_LIMIT
    rows = queries.list_statements(db(), center_id=center_id, period=period, state=state, limit=ceiling + 1)
    result = _page(rows, page, per_page, ceiling)
    return jsonify(paged(result, [{**_statement_head(r.statement), "lines": r.lines, "disputed": r.disputed,
                                   "total": _money(r.total)} for r in result.items]))


def _manufacturer(name: str) -> Manufacturer | None:
    """A manufacturer by name, any case (a deactivated one too: its claims are still settled)."""
    wanted = name.strip().casefold()
    return next((m for m in db().scalars(select(Manufacturer).order_by(Manufacturer.id))
                 if m.name.casefold() == wanted), None)


@bp.route("/settlements/claims")
@allow(Role.ADMIN)
def claims_list() -> Response:
    """Warranty claims to manufacturers, newest month first, by manufacturer (name), period and state."""
    page, per_page = query_page()
    period, state, errors = _period_and_state(ClaimState)
    manufacturer_id = None
    name = request.args.get("manufacturer") or ""
    if name.strip():
        found = _manufacturer(name)
        if found is None:
            errors["manufacturer"] = gettext("Unknown manufacturer")
        else:
            manufacturer_id = found.id
    if errors:
        raise _wrong(errors)
    ceiling = (page - 1) * per_page + per_page + COUNT_LIMIT
    rows = queries.list_claims(db(), manufacturer_id=manufacturer_id, period=period, state=state, limit=ceiling + 1)
    result = _page(rows, page, per_page, ceiling)
    return jsonify(paged(result, [{**_claim_head(r.claim), "lines": r.lines, "pending": r.pending,
                                   "total": _money(r.total), "accepted": _money(r.accepted)}
                                  for r in result.items]))


# ---------------------------------------------------------------- statements
@bp.route("/settlements/statements/<int:statement_id>")
@allow(*READERS)
def statement(statement_id: int) -> Response:
    """A statement with its lines and totals (a partner: its own center's only)."""
    return jsonify(_statement(queries.get_statement(db(), statement_id)))


def _action_fields() -> tuple[Fields, dict[str, Any], int | None]:
    data = json_body()
    f = Fields(data)
    return f, data, _version(f, data)


def _decision(f: Fields, data: dict[str, Any]) -> bool:
    decision = f.choice("decision", list(DECISIONS), "")
    if "decision" not in data:
        f.fail("decision", N_("Required"))
    return decision == "accept"


@bp.route("/settlements/statements/<int:statement_id>/reprice", methods=["POST"])
@allow(Role.ADMIN)
def statement_reprice(statement_id: int) -> Response:
    """Price every line of an open statement again at the partner's card valid on its completion date."""
    found = queries.get_statement(db(), statement_id)
    f, _data, version = _action_fields()
    f.check()
    statements.reprice_statement(db(), actor(), found, expected_version=version)
    return jsonify(_statement(found))


@bp.route("/settlements/statements/<int:statement_id>/approve", methods=["POST"])
@allow(Role.ADMIN)
def statement_approve(statement_id: int) -> Response:
    """Approve a statement: its month is over in the partner's time zone and no line is disputed."""
    found = queries.get_statement(db(), statement_id)
    f, _data, version = _action_fields()
    f.check()
    statements.approve_statement(db(), actor(), found, expected_version=version)
    return jsonify(_statement(found))


def _payment(f: Fields) -> tuple[str, str]:
    return f.text("payment_date", max_len=20), f.text("payment_reference", max_len=100)


@bp.route("/settlements/statements/<int:statement_id>/pay", methods=["POST"])
@allow(Role.ADMIN)
def statement_pay(statement_id: int) -> Response:
    """Record the payment of an approved statement: the payment order's date and reference."""
    found = queries.get_statement(db(), statement_id)
    f, _data, version = _action_fields()
    day, reference = _payment(f)
    f.check()
    statements.record_statement_payment(db(), actor(), found, payment_date=day, reference=reference,
                                        expected_version=version)
    return jsonify(_statement(found))


@bp.route("/settlements/statements/<int:statement_id>/lines/<int:line_id>/dispute", methods=["POST"])
@allow(Role.ADMIN)
def statement_dispute(statement_id: int, line_id: int) -> Response:
    """Question a line of an open statement; the reason is required and shown to the partner."""
    found = queries.get_statement(db(), statement_id)
    line = queries.get_statement_line(db(), line_id, statement_id)
    f, _data, version = _action_fields()
    reason = f.text("reason", max_len=MAX_REASON)
    f.check()
    statements.dispute_line(db(), actor(), line, reason, expected_version=version)
    return jsonify(_statement(found))


@bp.route("/settlements/statements/<int:statement_id>/lines/<int:line_id>/settle", methods=["POST"])
@allow(Role.ADMIN)
def statement_settle(statement_id: int, line_id: int) -> Response:
    """Settle a disputed line: accepted (it counts) or rejected with a reason (it leaves the total)."""
    found = queries.get_statement(db(), statement_id)
    line = queries.get_statement_line(db(), line_id, statement_id)
    f, data, version = _action_fields()
    accept = _decision(f, data)
    reason = f.text("reason", max_len=MAX_REASON)
    f.check()
    statements.settle_dispute(db(), actor(), line, accept=accept, note=reason, expected_version=version)
    return jsonify(_statement(found))


# ---------------------------------------------------------------- claims (head office only)
@bp.route("/settlements/claims/<int:claim_id>")
@allow(Role.ADMIN)
def claim(claim_id: int) -> Response:
    """A claim with its lines, verdicts, totals and the defective parts kept for the manufacturer."""
    return jsonify(_claim(queries.get_claim(db(), claim_id)))


@bp.route("/settlements/claims/<int:claim_id>/reprice", methods=["POST"])
@allow(Role.ADMIN)
def claim_reprice(claim_id: int) -> Response:
    """Price every line of an open claim again at the manufacturer's card valid on its completion date."""
    found = queries.get_claim(db(), claim_id)
    f, _data, version = _action_fields()
    f.check()
    claims.reprice_claim(db(), actor(), found, expected_version=version)
    return jsonify(_claim(found))


@bp.route("/settlements/claims/<int:claim_id>/submit", methods=["POST"])
@allow(Role.ADMIN)
def claim_submit(claim_id: int) -> Response:
    """Send the claim to the manufacturer: its month is over everywhere, every line is priced."""
    found = queries.get_claim(db(), claim_id)
    f, _data, version = _action_fields()
    f.check()
    claims.submit_claim(db(), actor(), found, expected_version=version)
    return jsonify(_claim(found))


@bp.route("/settlements/claims/<int:claim_id>/lines/<int:line_id>/verdict", methods=["POST"])
@allow(Role.ADMIN)
def claim_verdict(claim_id: int, line_id: int) -> Response:
    """The manufacturer's verdict on a line of a submitted claim: accepted, or rejected with its reason."""
    found = queries.get_claim(db(), claim_id)
    line = queries.get_claim_line(db(), line_id, claim_id)
    f, data, version = _action_fields()
    accept = _decision(f, data)
    reason = f.text("reason", max_len=MAX_REASON)
    f.check()
    claims.record_verdict(db(), actor(), line, accepted=accept, reason=reason, expected_version=version)
    return jsonify(_claim(found))


@bp.route("/settlements/claims/<int:claim_id>/pay", methods=["POST"])
@allow(Role.ADMIN)
def claim_pay(claim_id: int) -> Response:
    """The manufacturer paid: every line has its verdict; the paid amount is the accepted lines' sum."""
    found = queries.get_claim(db(), claim_id)
    f, _data, version = _action_fields()
    day, reference = _payment(f)
    f.check()
    claims.record_claim_payment(db(), actor(), found, payment_date=day, reference=reference,
                                expected_version=version)
    return jsonify(_claim(found))


@bp.route("/settlements/claims/<int:claim_id>/ship-defective", methods=["POST"])
@allow(Role.ADMIN)
def claim_ship_defective(claim_id: int) -> Response:
    """Open a shipment to the manufacturer per center holding the claim's defective parts, with them on it."""
    found = queries.get_claim(db(), claim_id)
    f = Fields(json_body())
    note = f.text("note", max_len=MAX_REASON)
    f.check()
    opened = claims.ship_defective_parts(db(), actor(), found, note=note)
    response = jsonify({"claim": _claim(found), "shipments": [_shipment(s) for s in opened]})
    response.status_code = 201
    return response


# ---------------------------------------------------------------- the OpenAPI description
STATEMENT_ID = {"name": "statement_id", "in": "path", "required": True, "schema": INT}
CLAIM_ID = {"name": "claim_id", "in": "path", "required": True, "schema": INT}
LINE_ID = {"name": "line_id", "in": "path", "required": True, "schema": INT}
PERIOD = {"name": "period", "in": "query", "schema": {**STR, "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"},
          "description": "Only this month, YYYY-MM"}
VERSION = {**INT, "description": "The version of the statement or claim you saw; 409 when it changed meanwhile"}
ACTION = ("400", "403", "404", "409", "413", "415", "422")

_line_figures = {
    "id": INT, "order": {**STR, "description": "The repair order's number"},
    "unit": {"oneOf": [obj({"manufacturer": STR, "model": STR, "serial": STR}), {"type": "null"}]},
    "completed_at": MOMENT, "completed_on": {"type": "string", "format": "date",
                                             "description": "In the repairing center's time zone"},
    "category": STR, "rate_card": {**nullable(INT), "description": "The rate card it was priced at"},
    "no_rate": {"type": "boolean", "description": "No card was valid: zero amounts until re-priced"},
    "labour_minutes": INT, "labour": MONEY, "travel": MONEY, "parts": MONEY,
    "net": {**MONEY, "description": "labour + travel + parts, without VAT"},
    "vat_rate": {**MONEY, "description": "Percent"}, "vat": MONEY, "total": {**MONEY, "description": "With VAT"},
    "parts_detail": {"type": "array", "items": obj({"sku": STR, "name": STR, "quantity": INT,
                                                    "unit_price": MONEY, "amount": MONEY})},
}
_head = {"id": INT, "number": STR, "period": {**STR, "description": "YYYY-MM"}}
SCHEMAS = {
    "StatementSummary": obj({**_head, "center": STR, "center_name": STR,
                             "state": {"type": "string", "enum": [s.value for s in StatementState]},
                             "lines": INT, "disputed": INT,
                             "total": {**MONEY, "description": "Of the lines that count, with VAT"}}),
    "StatementLine": obj({**_line_figures,
                          "counts": {"type": "boolean", "description": "false: a rejected dispute took it out"},
                          "dispute": {"type": "string", "enum": [d.value for d in DisputeState]},
                          "dispute_reason": STR, "disputed_at": nullable(MOMENT), "resolution_note": STR,
                          "resolved_at": nullable(MOMENT)}),
    "Statement": obj({**_head, "center": STR, "center_name": STR,
                      "state": {"type": "string", "enum": [s.value for s in StatementState]}, "version": INT,
                      "created_at": MOMENT, "approved_at": nullable(MOMENT), "paid_at": nullable(MOMENT),
                      "payment_date": nullable({"type": "string", "format": "date"}), "payment_reference": STR,
                      "totals": obj({"net": MONEY, "vat": MONEY, "total": MONEY, "lines": INT, "counted": INT,
                                     "disputed": INT, "rejected": INT, "no_rate": INT}),
                      "lines": {"type": "array", "items": ref("StatementLine")}}),
    "ClaimSummary": obj({**_head, "manufacturer": STR,
                         "state": {"type": "string", "enum": [s.value for s in ClaimState]},
                         "lines": INT, "pending": INT, "total": MONEY, "accepted": MONEY}),
    "ClaimLine": obj({**_line_figures, "center": {**STR, "description": "The repairing center's code"},
                      "verdict": {"type": "string", "enum": [v.value for v in Verdict]},
                      "verdict_reason": STR, "verdict_at": nullable(MOMENT),
                      "defective_parts": {"type": "array", "items": obj({
                          "sku": STR, "name": STR, "quantity": INT,
                          "location": {**nullable(STR), "description": "Where it is kept for the manufacturer"},
                          "shipment": {**nullable(STR), "description": "The shipment taking it there"}})}}),
    "Claim": obj({**_head, "manufacturer": STR, "state": {"type": "string", "enum": [s.value for s in ClaimState]},
                  "version": INT, "created_at": MOMENT, "submitted_at": nullable(MOMENT), "paid_at": nullable(MOMENT),
                  "payment_date": nullable({"type": "string", "format": "date"}), "payment_reference": STR,
                  "paid_amount": {**nullable(MONEY), "description": "The accepted lines' sum, once paid"},
                  "totals": obj({"net": MONEY, "vat": MONEY, "total": MONEY, "accepted": MONEY, "rejected": MONEY,
                                 "pending": INT, "lines": INT, "no_rate": INT}),
                  "lines": {"type": "array", "items": ref("ClaimLine")}}),
    "DefectiveShipped": obj({"claim": ref("Claim"), "shipments": {"type": "array", "items": ref("Shipment")}}),
    "SettlementAction": obj({"version": VERSION}, required=[], extra=True),
    "SettlementPayment": obj({
        "payment_date": {**STR, "maxLength": 20, "description": "The payment order's date, YYYY-MM-DD"},
        "payment_reference": {**STR, "maxLength": 100, "description": "The payment order's number"},
        "version": VERSION}, required=["payment_date", "payment_reference"], extra=True),
    "DisputeRequest": obj({"reason": {**STR, "minLength": 1, "maxLength": MAX_REASON,
                                      "description": "Shown to the partner"}, "version": VERSION},
                          required=["reason"], extra=True),
    "DecisionRequest": obj({"decision": {"type": "string", "enum": list(DECISIONS)},
                            "reason": {**STR, "maxLength": MAX_REASON, "description": "Required to reject"},
                            "version": VERSION}, required=["decision"], extra=True),
    "ShipDefectiveRequest": obj({"note": {**STR, "maxLength": MAX_REASON,
                                          "description": "On each shipment (default: manufacturer, period)"}},
                                required=[], extra=True),
    "StatementSummaryPage": page_of("StatementSummary"),
    "ClaimSummaryPage": page_of("ClaimSummary"),
}


def _post(op: str, summary: str, params: list[dict[str, Any]], request_schema: str, answer: str,
          status: str = "200") -> dict[str, Any]:
    return {"post": {"operationId": op, "summary": summary, "parameters": params,
                     "requestBody": body(request_schema),
                     "responses": {status: json_answer(answer, summary), **problems(*ACTION)}}}


PATHS = {
    "/settlements/statements": {"get": {
        "operationId": "listStatements", "summary": "Partner statements, newest month first (a partner: its own)",
        "parameters": [*PAGING, {"name": "partner", "in": "query", "schema": STR,
                                 "description": "Only this partner center's (by code)"}, PERIOD,
                       {"name": "state", "in": "query",
                        "schema": {"type": "string", "enum": [s.value for s in StatementState]}}],
        "responses": {"200": json_answer("StatementSummaryPage", "A page"), **problems("403", "404", "422")}}},
    "/settlements/statements/{statement_id}": {"get": {
        "operationId": "getStatement", "summary": "A statement with its lines", "parameters": [STATEMENT_ID],
        "responses": {"200": json_answer("Statement", "The statement"), **problems("403", "404")}}},
    "/settlements/statements/{statement_id}/reprice": _post(
        "repriceStatement", "Re-price an open statement at the valid rates", [STATEMENT_ID], "SettlementAction",
        "Statement"),
    "/settlements/statements/{statement_id}/approve": _post(
        "approveStatement", "Approve a statement (its month over, no line disputed)", [STATEMENT_ID],
        "SettlementAction", "Statement"),
    "/settlements/statements/{statement_id}/pay": _post(
        "payStatement", "Record the payment of an approved statement", [STATEMENT_ID], "SettlementPayment",
        "Statement"),
    "/settlements/statements/{statement_id}/lines/{line_id}/dispute": _post(
        "disputeStatementLine", "Dispute a line of an open statement", [STATEMENT_ID, LINE_ID], "DisputeRequest",
        "Statement"),
    "/settlements/statements/{statement_id}/lines/{line_id}/settle": _post(
        "settleStatementLine", "Settle a disputed line: accept or reject it", [STATEMENT_ID, LINE_ID],
        "DecisionRequest", "Statement"),
    "/settlements/claims": {"get": {
        "operationId": "listClaims", "summary": "Warranty claims to manufacturers, newest month first",
        "parameters": [*PAGING, {"name": "manufacturer", "in": "query", "schema": STR,
                                 "description": "Only this manufacturer's (by name, any case)"}, PERIOD,
                       {"name": "state", "in": "query",
                        "schema": {"type": "string", "enum": [s.value for s in ClaimState]}}],
        "responses": {"200": json_answer("ClaimSummaryPage", "A page"), **problems("403", "404", "422")}}},
    "/settlements/claims/{claim_id}": {"get": {
        "operationId": "getClaim", "summary": "A claim with its lines and defective parts", "parameters": [CLAIM_ID],
        "responses": {"200": json_answer("Claim", "The claim"), **problems("403", "404")}}},
    "/settlements/claims/{claim_id}/reprice": _post(
        "repriceClaim", "Re-price an open claim at the valid rates", [CLAIM_ID], "SettlementAction", "Claim"),
    "/settlements/claims/{claim_id}/submit": _post(
        "submitClaim", "Submit the claim to the manufacturer", [CLAIM_ID], "SettlementAction", "Claim"),
    "/settlements/claims/{claim_id}/lines/{line_id}/verdict": _post(
        "recordClaimVerdict", "The manufacturer's verdict on a line of a submitted claim", [CLAIM_ID, LINE_ID],
        "DecisionRequest", "Claim"),
    "/settlements/claims/{claim_id}/pay": _post(
        "payClaim", "Record the manufacturer's payment (every line has its verdict)", [CLAIM_ID],
        "SettlementPayment", "Claim"),
    "/settlements/claims/{claim_id}/ship-defective": _post(
        "shipClaimDefectiveParts", "Open shipments of the claim's defective parts to the manufacturer", [CLAIM_ID],
        "ShipDefectiveRequest", "DefectiveShipped", status="201"),
}
register(PATHS, SCHEMAS)
