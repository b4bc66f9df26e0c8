"""Manufacturer warranty claims (the head office's): list, read, re-price, submit, the manufacturer's verdict per
line, payment, shipping the defective parts — the settlements workstation's claim pages
(workstations/settlements/views.py) on the same services. Partners never see claims: 404 behind the wall."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import gettext
from sqlalchemy import select
from werkzeug.wrappers import Response

from servicecenter.accounts.roles import Role
from servicecenter.catalog.models import Manufacturer
from servicecenter.paging import COUNT_LIMIT
from servicecenter.settlements import claims, queries
from servicecenter.settlements.documents import claim_number
from servicecenter.settlements.models import ClaimState, ManufacturerClaim, Verdict
from workstations.api import bp, present
from workstations.api.payload import Fields, json_body, paged, query_page
from workstations.api.settlements import (
    LINE_FIGURES,
    LINE_ID,
    MAX_REASON,
    PERIOD,
    SUMMARY_HEAD,
    action_fields,
    action_op,
    decision,
    line_figures,
    money,
    payment_fields,
    period_and_state,
    rows_page,
    wrong,
)
from workstations.api.shipments import _shipment
from workstations.api.spec import (
    INT,
    MOMENT,
    MONEY,
    PAGING,
    STR,
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
            "paid_amount": money(c.paid_amount),
            "totals": {"net": money(t.net), "vat": money(t.vat), "total": money(t.total),
                       "accepted": money(t.accepted), "rejected": money(t.rejected), "pending": t.pending,
                       "lines": t.lines, "no_rate": t.no_rate},
            "lines": [{**line_figures(line), "center": line.center.code, "verdict": line.verdict.value,
                       "verdict_reason": line.verdict_reason, "verdict_at": present.moment(line.verdict_at),
                       "defective_parts": [{"sku": d.part.sku, "name": d.part.name, "quantity": d.quantity,
                                            "location": d.location.code if d.location is not None else None,
                                            "shipment": d.shipment.number if d.shipment is not None else None}
                                           for d in defective.get(line.id, [])]}
                      for line in lines]}


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
    period, state, errors = period_and_state(ClaimState)
    manufacturer_id = None
    name = request.args.get("manufacturer") or ""
    if name.strip():
        found = _manufacturer(name)
        if found is None:
            errors["manufacturer"] = gettext("Unknown manufacturer")
        else:
            manufacturer_id = found.id
    if errors:
        raise wrong(errors)
    ceiling = (page - 1) * per_page + per_page + COUNT_LIMIT
    rows = queries.list_claims(db(), manufacturer_id=manufacturer_id, period=period, state=state, limit=ceiling + 1)
    result = rows_page(rows, page, per_page, ceiling)
    return jsonify(paged(result, [{**_claim_head(r.claim), "lines": r.lines, "pending": r.pending,
                                   "total": money(r.total), "accepted": money(r.accepted)}
                                  for r in result.items]))


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
    f, _data, version = action_fields()
    f.check()
    claims.reprice_claim(db(), actor(), found, expected_version=version)
    return jsonify(_claim(found))


@bp.route("/settlements/claims/<int:claim_id>/submit", methods=["POST"])
@allow(Role.ADMIN)
def claim_submit(claim_id: int) -> Response:
    """Send the claim to the manufacturer: its month is over everywhere, every line is priced."""
    found = queries.get_claim(db(), claim_id)
    f, _data, version = action_fields()
    f.check()
    claims.submit_claim(db(), actor(), found, expected_version=version)
    return jsonify(_claim(found))


@bp.route("/settlements/claims/<int:claim_id>/lines/<int:line_id>/verdict", methods=["POST"])
@allow(Role.ADMIN)
def claim_verdict(claim_id: int, line_id: int) -> Response:
    """The manufacturer's verdict on a line of a submitted claim: accepted, or rejected with its reason."""
    found = queries.get_claim(db(), claim_id)
    line = queries.get_claim_line(db(), line_id, claim_id)
    f, data, version = action_fields()
    accept = decision(f, data)
    reason = f.text("reason", max_len=MAX_REASON)
    f.check()
    claims.record_verdict(db(), actor(), line, accepted=accept, reason=reason, expected_version=version)
    return jsonify(_claim(found))


@bp.route("/settlements/claims/<int:claim_id>/pay", methods=["POST"])
@allow(Role.ADMIN)
def claim_pay(claim_id: int) -> Response:
    """The manufacturer paid: every line has its verdict; the paid amount is the accepted lines' sum."""
    found = queries.get_claim(db(), claim_id)
    f, _data, version = action_fields()
    day, reference = payment_fields(f)
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
CLAIM_ID = {"name": "claim_id", "in": "path", "required": True, "schema": INT}
SCHEMAS = {
    "ClaimSummary": obj({**SUMMARY_HEAD, "manufacturer": STR,
                         "state": {"type": "string", "enum": [s.value for s in ClaimState]},
                         "lines": INT, "pending": INT, "total": MONEY, "accepted": MONEY}),
    "ClaimLine": obj({**LINE_FIGURES, "center": {**STR, "description": "The repairing center's code"},
                      "verdict": {"type": "string", "enum": [v.value for v in Verdict]},
                      "verdict_reason": STR, "verdict_at": nullable(MOMENT),
                      "defective_parts": {"type": "array", "items": obj({
                          "sku": STR, "name": STR, "quantity": INT,
                          "location": {**nullable(STR), "description": "Where it is kept for the manufacturer"},
                          "shipment": {**nullable(STR), "description": "The shipment taking it there"}})}}),
    "Claim": obj({**SUMMARY_HEAD, "manufacturer": STR, "state": {"type": "string", "enum": [s.value for s in ClaimState]},
                  "version": INT, "created_at": MOMENT, "submitted_at": nullable(MOMENT), "paid_at": nullable(MOMENT),
                  "payment_date": nullable({"type": "string", "format": "date"}), "payment_reference": STR,
                  "paid_amount": {**nullable(MONEY), "description": "The accepted lines' sum, once paid"},
                  "totals": obj({"net": MONEY, "vat": MONEY, "total": MONEY, "accepted": MONEY, "rejected": MONEY,
                                 "pending": INT, "lines": INT, "no_rate": INT}),
                  "lines": {"type": "array", "items": ref("ClaimLine")}}),
    "DefectiveShipped": obj({"claim": ref("Claim"), "shipments": {"type": "array", "items": ref("Shipment")}}),
    "ShipDefectiveRequest": obj({"note": {**STR, "maxLength": MAX_REASON,
                                          "description": "On each shipment (default: manufacturer, period)"}},
                                required=[], extra=True),
    "ClaimSummaryPage": page_of("ClaimSummary"),
}
PATHS = {
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
    "/settlements/claims/{claim_id}/reprice": action_op(
        "repriceClaim", "Re-price an open claim at the valid rates", [CLAIM_ID], "SettlementAction", "Claim"),
    "/settlements/claims/{claim_id}/submit": action_op(
        "submitClaim", "Submit the claim to the manufacturer", [CLAIM_ID], "SettlementAction", "Claim"),
    "/settlements/claims/{claim_id}/lines/{line_id}/verdict": action_op(
        "recordClaimVerdict", "The manufacturer's verdict on a line of a submitted claim", [CLAIM_ID, LINE_ID],
        "DecisionRequest", "Claim"),
    "/settlements/claims/{claim_id}/pay": action_op(
        "payClaim", "Record the manufacturer's payment (every line has its verdict)", [CLAIM_ID],
        "SettlementPayment", "Claim"),
    "/settlements/claims/{claim_id}/ship-defective": action_op(
        "shipClaimDefectiveParts", "Open shipments of the claim's defective parts to the manufacturer", [CLAIM_ID],
        "ShipDefectiveRequest", "DefectiveShipped", status="201"),
}
register(PATHS, SCHEMAS)
