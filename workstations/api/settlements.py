"""Partner statements: list, read, dispute and settle lines, re-price, approve, pay — the settlements
workstation's statement pages (workstations/settlements/views.py) on the same services and roles; and what
the claims (workstations/api/settlement_claims.py) share with them: a line's figures, the request fields.

A partner reads its own center's statements (another's is 404, like a missing one) and nothing else in
settlements; every change is the head office's (administrators). Rate cards: settlement_cards.py.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import jsonify, request
from flask_babel import gettext
from sqlalchemy import select
from werkzeug.wrappers import Response

from servicecenter.accounts.roles import PARTNER_ROLES, Role
from servicecenter.centers.models import ServiceCenter
from servicecenter.errors import N_
from servicecenter.paging import COUNT_LIMIT, Page
from servicecenter.settlements import queries, statements
from servicecenter.settlements.documents import statement_number
from servicecenter.settlements.models import (
    DisputeState,
    PartnerStatement,
    PricedLine,
    StatementLine,
    StatementState,
)
from servicecenter.settlements.periods import parse_period
from workstations.api import bp, present
from workstations.api.order_actions import _version
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
    ref,
    register,
)
from workstations.web.access import allow
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

READERS = (Role.ADMIN, *PARTNER_ROLES)  # the settlements blueprint's policy: partners read their own statements
MAX_REASON = 2000
DECISIONS = ("accept", "reject")


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def wrong(errors: dict[str, str]) -> Problem:
    return Problem(422, gettext("Some fields are wrong: nothing was changed."), errors)


# ---------------------------------------------------------------- what is answered
def line_figures(line: PricedLine) -> dict[str, Any]:
    order = line.order  # type: ignore[attr-defined]
    unit = order.unit
    return {
        "id": line.id, "order": order.number,  # type: ignore[attr-defined]
        "unit": None if unit is None else {"manufacturer": unit.manufacturer.name, "model": unit.model.name,
                                           "serial": unit.serial},
        "completed_at": present.moment(line.completed_at), "completed_on": present.day(line.completed_on),
        "category": line.category, "rate_card": line.rate_card_id, "no_rate": line.no_rate,
        "labour_minutes": line.labour_minutes, "labour": money(line.labour), "travel": money(line.travel),
        "parts": money(line.parts), "net": money(line.net), "vat_rate": money(line.vat_rate),
        "vat": money(line.vat), "total": money(line.total),
        "parts_detail": [{"sku": str(p.get("sku", "")), "name": str(p.get("name", "")),
                          "quantity": int(p.get("quantity") or 0), "unit_price": money(Decimal(p["unit_price"])),
                          "amount": money(Decimal(p["amount"]))} for p in (line.parts_detail or [])],
    }


def _statement_line(line: StatementLine) -> dict[str, Any]:
    return {**line_figures(line), "counts": line.counts, "dispute": line.dispute.value,
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
            "totals": {"net": money(t.net), "vat": money(t.vat), "total": money(t.total), "lines": t.lines,
                       "counted": t.counted, "disputed": t.disputed, "rejected": t.rejected,
                       "no_rate": t.no_rate},
            "lines": [_statement_line(line) for line in s.lines]}


# ---------------------------------------------------------------- lists
def rows_page(rows: list[Any], page: int, per_page: int, ceiling: int) -> Page[Any]:
    """A page of a list the query returned up to `ceiling` + 1 rows of (past that: "more than")."""
    offset = (page - 1) * per_page
    items = rows[offset:offset + per_page]
    if len(rows) > ceiling:
        return Page(items=items, page=page, per_page=per_page, total=ceiling, exact=False)
    return Page(items=items, page=page, per_page=per_page, total=len(rows))


def period_and_state(states: type) -> tuple[str, str, dict[str, str]]:
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
    period, state, errors = period_and_state(StatementState)
    center_id = None
    code = (request.args.get("partner") or "").strip().upper()
    if code:
        center = db().scalar(select(ServiceCenter).where(ServiceCenter.code == code))
        if center is None:
            errors["partner"] = gettext("Unknown service center")
        else:
            center_id = center.id
    if errors:
        raise wrong(errors)
    ceiling = (page - 1) * per_page + per_page + COUNT_LIMIT
    rows = queries.list_statements(db(), center_id=center_id, period=period, state=state, limit=ceiling + 1)
    result = rows_page(rows, page, per_page, ceiling)
    return jsonify(paged(result, [{**_statement_head(r.statement), "lines": r.lines, "disputed": r.disputed,
                                   "total": money(r.total)} for r in result.items]))


# ---------------------------------------------------------------- statements
@bp.route("/settlements/statements/<int:statement_id>")
@allow(*READERS)
def statement(statement_id: int) -> Response:
    """A statement with its lines and totals (a partner: its own center's only)."""
    return jsonify(_statement(queries.get_statement(db(), statement_id)))


def action_fields() -> tuple[Fields, dict[str, Any], int | None]:
    data = json_body()
    f = Fields(data)
    return f, data, _version(f, data)


def decision(f: Fields, data: dict[str, Any]) -> bool:
    decision = f.choice("decision", list(DECISIONS), "")
    if "decision" not in data:
        f.fail("decision", N_("Required"))
    return decision == "accept"


@bp.route("/settlements/statements/<int:statement_id>/reprice", methods=["POST"])
@allow(Role.ADMIN)
def statement_reprice(statement_id: int) -> Response:
    """Price every line of an open statement again at the partner's card valid on its completion date."""
    found = queries.get_statement(db(), statement_id)
    f, _data, version = action_fields()
    f.check()
    statements.reprice_statement(db(), actor(), found, expected_version=version)
    return jsonify(_statement(found))


@bp.route("/settlements/statements/<int:statement_id>/approve", methods=["POST"])
@allow(Role.ADMIN)
def statement_approve(statement_id: int) -> Response:
    """Approve a statement: its month is over in the partner's time zone and no line is disputed."""
    found = queries.get_statement(db(), statement_id)
    f, _data, version = action_fields()
    f.check()
    statements.approve_statement(db(), actor(), found, expected_version=version)
    return jsonify(_statement(found))


def payment_fields(f: Fields) -> tuple[str, str]:
    return f.text("payment_date", max_len=20), f.text("payment_reference", max_len=100)


@bp.route("/settlements/statements/<int:statement_id>/pay", methods=["POST"])
@allow(Role.ADMIN)
def statement_pay(statement_id: int) -> Response:
    """Record the payment of an approved statement: the payment order's date and reference."""
    found = queries.get_statement(db(), statement_id)
    f, _data, version = action_fields()
    day, reference = payment_fields(f)
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
    f, _data, version = action_fields()
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
    f, data, version = action_fields()
    accept = decision(f, data)
    reason = f.text("reason", max_len=MAX_REASON)
    f.check()
    statements.settle_dispute(db(), actor(), line, accept=accept, note=reason, expected_version=version)
    return jsonify(_statement(found))


# ---------------------------------------------------------------- the OpenAPI description
STATEMENT_ID = {"name": "statement_id", "in": "path", "required": True, "schema": INT}
LINE_ID = {"name": "line_id", "in": "path", "required": True, "schema": INT}
PERIOD = {"name": "period", "in": "query", "schema": {**STR, "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"},
          "description": "Only this month, YYYY-MM"}
VERSION = {**INT, "description": "The version of the statement or claim you saw; 409 when it changed meanwhile"}
ACTION = ("400", "403", "404", "409", "413", "415", "422")

LINE_FIGURES = {
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
SUMMARY_HEAD = {"id": INT, "number": STR, "period": {**STR, "description": "YYYY-MM"}}
SCHEMAS = {
    "StatementSummary": obj({**SUMMARY_HEAD, "center": STR, "center_name": STR,
                             "state": {"type": "string", "enum": [s.value for s in StatementState]},
                             "lines": INT, "disputed": INT,
                             "total": {**MONEY, "description": "Of the lines that count, with VAT"}}),
    "StatementLine": obj({**LINE_FIGURES,
                          "counts": {"type": "boolean", "description": "false: a rejected dispute took it out"},
                          "dispute": {"type": "string", "enum": [d.value for d in DisputeState]},
                          "dispute_reason": STR, "disputed_at": nullable(MOMENT), "resolution_note": STR,
                          "resolved_at": nullable(MOMENT)}),
    "Statement": obj({**SUMMARY_HEAD, "center": STR, "center_name": STR,
                      "state": {"type": "string", "enum": [s.value for s in StatementState]}, "version": INT,
                      "created_at": MOMENT, "approved_at": nullable(MOMENT), "paid_at": nullable(MOMENT),
                      "payment_date": nullable({"type": "string", "format": "date"}), "payment_reference": STR,
                      "totals": obj({"net": MONEY, "vat": MONEY, "total": MONEY, "lines": INT, "counted": INT,
                                     "disputed": INT, "rejected": INT, "no_rate": INT}),
                      "lines": {"type": "array", "items": ref("StatementLine")}}),
    "SettlementAction": obj({"version": VERSION}, required=[], extra=True),
    "SettlementPayment": obj({
        "payment_date": {"type": "string", "format": "date", "description": "The payment order's date"},
        "payment_reference": {**STR, "maxLength": 100, "description": "The payment order's number"},
        "version": VERSION}, required=["payment_date", "payment_reference"], extra=True),
    "DisputeRequest": obj({"reason": {**STR, "minLength": 1, "maxLength": MAX_REASON,
                                      "description": "Shown to the partner"}, "version": VERSION},
                          required=["reason"], extra=True),
    "DecisionRequest": obj({"decision": {"type": "string", "enum": list(DECISIONS)},
                            "reason": {**STR, "maxLength": MAX_REASON, "description": "Required to reject"},
                            "version": VERSION}, required=["decision"], extra=True),
    "StatementSummaryPage": page_of("StatementSummary"),
}


def action_op(op: str, summary: str, params: list[dict[str, Any]], request_schema: str, answer: str,
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
    "/settlements/statements/{statement_id}/reprice": action_op(
        "repriceStatement", "Re-price an open statement at the valid rates", [STATEMENT_ID], "SettlementAction",
        "Statement"),
    "/settlements/statements/{statement_id}/approve": action_op(
        "approveStatement", "Approve a statement (its month over, no line disputed)", [STATEMENT_ID],
        "SettlementAction", "Statement"),
    "/settlements/statements/{statement_id}/pay": action_op(
        "payStatement", "Record the payment of an approved statement", [STATEMENT_ID], "SettlementPayment",
        "Statement"),
    "/settlements/statements/{statement_id}/lines/{line_id}/dispute": action_op(
        "disputeStatementLine", "Dispute a line of an open statement", [STATEMENT_ID, LINE_ID], "DisputeRequest",
        "Statement"),
    "/settlements/statements/{statement_id}/lines/{line_id}/settle": action_op(
        "settleStatementLine", "Settle a disputed line: accept or reject it", [STATEMENT_ID, LINE_ID],
        "DecisionRequest", "Statement"),
}
register(PATHS, SCHEMAS)
