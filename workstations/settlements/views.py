"""Statements and claims: lists with filters, detail pages, PDF and CSV, and the head office's actions.

Thin views: load through the session (a partner's is walled, so another center's statement is a
404 like a missing one), check the form's shape, call one service, flash and redirect. A refusal
re-renders the page with the reason and its 4xx status (the request's transaction rolls back).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from printing.settlements import render_settlement_csv, render_settlement_pdf
from servicecenter.accounts.roles import Role
from servicecenter.catalog.models import Manufacturer
from servicecenter.errors import DomainError
from servicecenter.fields import parse_id
from servicecenter.settlements import claims, queries, statements
from servicecenter.settlements.documents import (
    build_claim_doc,
    build_statement_doc,
    claim_number,
    statement_number,
)
from servicecenter.settlements.models import ClaimState, DisputeState, StatementState, Verdict
from workstations.settlements import bp
from workstations.settlements.forms import ActionForm, DecisionForm, PaymentForm, ReasonForm
from workstations.web.access import allow
from workstations.web.auth_session import actor
from workstations.web.dbsession import db
from workstations.web.errors import translate

STATEMENT_STATE = {StatementState.OPEN: _l("Open"), StatementState.APPROVED: _l("Approved"),
                   StatementState.PAID: _l("Paid")}
DISPUTE_STATE = {DisputeState.NONE: "", DisputeState.DISPUTED: _l("Disputed"),
                 DisputeState.ACCEPTED: _l("Dispute settled: accepted"),
                 DisputeState.REJECTED: _l("Dispute settled: rejected")}
CLAIM_STATE = {ClaimState.OPEN: _l("Being prepared"), ClaimState.SUBMITTED: _l("Submitted"),
               ClaimState.PAID: _l("Paid")}
VERDICT = {Verdict.PENDING: _l("Awaiting verdict"), Verdict.ACCEPTED: _l("Accepted"), Verdict.REJECTED: _l("Rejected")}


@bp.context_processor
def _words() -> dict[str, Any]:
    return {"STATEMENT_STATE": STATEMENT_STATE, "DISPUTE_STATE": DISPUTE_STATE, "CLAIM_STATE": CLAIM_STATE,
            "VERDICT": VERDICT, "is_admin": current_user.is_authenticated and actor().role == Role.ADMIN}


def _file(data: bytes, mimetype: str, filename: str, inline: bool = True) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _version(form: ActionForm) -> int | None:
    try:
        return int(form.version.data) if form.version.data else None
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- statements
@bp.route("/")
def index() -> Response:
    return redirect(url_for("settlements.statements"))


@bp.route("/statements/", endpoint="statements")
def statements_list() -> str:
    me = actor()
    center_id = request.args.get("partner", type=parse_id) if me.role == Role.ADMIN else None
    period, state = (request.args.get("period") or "")[:7], request.args.get("state") or ""
    return render_template("settlements/statements.html",
                           rows=queries.list_statements(db(), center_id=center_id, period=period, state=state),
                           partners=queries.list_partner_centers(db()) if me.role == Role.ADMIN else [],
                           partner=center_id, period=period, state=state, states=list(StatementState))


def _statement_page(statement_id: int, status: int = 200, error: str | None = None) -> tuple[str, int]:
    statement = queries.get_statement(db(), statement_id)
    return render_template("settlements/statement.html", statement=statement, totals=statements.totals(statement),
                           number=statement_number(statement), error=error, form=ActionForm(),
                           reason_form=ReasonForm(), decision_form=DecisionForm(), payment_form=PaymentForm()), status


@bp.route("/statements/<int:statement_id>")
def statement(statement_id: int) -> tuple[str, int]:
    return _statement_page(statement_id)


def _statement_action(statement_id: int, form: ActionForm, call: Callable[[Any], object], done: str) -> Any:
    statement = queries.get_statement(db(), statement_id)
    if not form.validate():
        return _statement_page(statement_id, 400, _("The form was incomplete; nothing was changed."))
    try:
        call(statement)
    except DomainError as exc:
        db().rollback()
        return _statement_page(statement_id, exc.status, translate(exc))
    flash(done, "success")
    return redirect(url_for("settlements.statement", statement_id=statement_id), 303)


@bp.route("/statements/<int:statement_id>/reprice", methods=["POST"])
@allow(Role.ADMIN)
def statement_reprice(statement_id: int) -> Any:
    form = ActionForm()
    return _statement_action(statement_id, form, lambda s: statements.reprice_statement(
        db(), actor(), s, expected_version=_version(form)), _("The statement was re-priced at the valid rates."))


@bp.route("/statements/<int:statement_id>/approve", methods=["POST"])
@allow(Role.ADMIN)
def statement_approve(statement_id: int) -> Any:
    form = ActionForm()
    return _statement_action(statement_id, form, lambda s: statements.approve_statement(
        db(), actor(), s, expected_version=_version(form)), _("The statement was approved."))


@bp.route("/statements/<int:statement_id>/pay", methods=["POST"])
@allow(Role.ADMIN)
def statement_pay(statement_id: int) -> Any:
    form = PaymentForm()
    return _statement_action(statement_id, form, lambda s: statements.record_statement_payment(
        db(), actor(), s, payment_date=form.payment_date.data, reference=form.reference.data,
        expected_version=_version(form)), _("The payment was recorded."))


@bp.route("/statements/<int:statement_id>/lines/<int:line_id>/dispute", methods=["POST"])
@allow(Role.ADMIN)
def statement_dispute(statement_id: int, line_id: int) -> Any:
    form = ReasonForm()
    line = queries.get_statement_line(db(), line_id, statement_id)
    return _statement_action(statement_id, form, lambda s: statements.dispute_line(
        db(), actor(), line, form.reason.data, expected_version=_version(form)), _("The line is disputed."))


@bp.route("/statements/<int:statement_id>/lines/<int:line_id>/settle", methods=["POST"])
@allow(Role.ADMIN)
def statement_settle(statement_id: int, line_id: int) -> Any:
    form = DecisionForm()
    line = queries.get_statement_line(db(), line_id, statement_id)
    return _statement_action(statement_id, form, lambda s: statements.settle_dispute(
        db(), actor(), line, accept=form.decision.data == "accept", note=form.reason.data,
        expected_version=_version(form)), _("The dispute was settled."))


@bp.route("/statements/<int:statement_id>/statement.pdf")
def statement_pdf(statement_id: int) -> Response:
    statement = queries.get_statement(db(), statement_id)
    return _file(render_settlement_pdf(build_statement_doc(db(), statement)), "application/pdf",
                 f"{statement_number(statement)}.pdf")


@bp.route("/statements/<int:statement_id>/statement.csv")
def statement_csv(statement_id: int) -> Response:
    statement = queries.get_statement(db(), statement_id)
    return _file(render_settlement_csv(build_statement_doc(db(), statement)), "text/csv; charset=utf-8",
                 f"{statement_number(statement)}.csv", inline=False)


# ---------------------------------------------------------------- claims (head office only)
@bp.route("/claims/")
@allow(Role.ADMIN)
def claims_list() -> str:
    period, state = (request.args.get("period") or "")[:7], request.args.get("state") or ""
    manufacturer_id = request.args.get("manufacturer", type=parse_id)
    manufacturers = list(db().scalars(select(Manufacturer).order_by(Manufacturer.name)))
    return render_template("settlements/claims.html",
                           rows=queries.list_claims(db(), manufacturer_id=manufacturer_id, period=period, state=state),
                           manufacturers=manufacturers, manufacturer=manufacturer_id, period=period, state=state,
                           states=list(ClaimState))


def _claim_page(claim_id: int, status: int = 200, error: str | None = None) -> tuple[str, int]:
    claim = queries.get_claim(db(), claim_id)
    return render_template("settlements/claim.html", claim=claim, totals=claims.totals(claim),
                           number=claim_number(claim), defective=claims.defective_parts(db(), list(claim.lines)),
                           error=error, form=ActionForm(), decision_form=DecisionForm(),
                           payment_form=PaymentForm()), status


@bp.route("/claims/<int:claim_id>")
@allow(Role.ADMIN)
def claim(claim_id: int) -> tuple[str, int]:
    return _claim_page(claim_id)


def _claim_action(claim_id: int, form: ActionForm, call: Callable[[Any], object], done: Callable[[Any], str]) -> Any:
    claim = queries.get_claim(db(), claim_id)
    if not form.validate():
        return _claim_page(claim_id, 400, _("The form was incomplete; nothing was changed."))
    try:
        result = call(claim)
    except DomainError as exc:
        db().rollback()
        return _claim_page(claim_id, exc.status, translate(exc))
    flash(done(result), "success")
    return redirect(url_for("settlements.claim", claim_id=claim_id), 303)


@bp.route("/claims/<int:claim_id>/reprice", methods=["POST"])
@allow(Role.ADMIN)
def claim_reprice(claim_id: int) -> Any:
    form = ActionForm()
    return _claim_action(claim_id, form, lambda c: claims.reprice_claim(db(), actor(), c, expected_version=_version(
        form)), lambda _r: _("The claim was re-priced at the valid rates."))


@bp.route("/claims/<int:claim_id>/submit", methods=["POST"])
@allow(Role.ADMIN)
def claim_submit(claim_id: int) -> Any:
    form = ActionForm()
    return _claim_action(claim_id, form, lambda c: claims.submit_claim(db(), actor(), c, expected_version=_version(
        form)), lambda _r: _("The claim was submitted to the manufacturer."))


@bp.route("/claims/<int:claim_id>/pay", methods=["POST"])
@allow(Role.ADMIN)
def claim_pay(claim_id: int) -> Any:
    form = PaymentForm()
    return _claim_action(claim_id, form, lambda c: claims.record_claim_payment(
        db(), actor(), c, payment_date=form.payment_date.data, reference=form.reference.data,
        expected_version=_version(form)), lambda _r: _("The payment was recorded."))


@bp.route("/claims/<int:claim_id>/lines/<int:line_id>/verdict", methods=["POST"])
@allow(Role.ADMIN)
def claim_verdict(claim_id: int, line_id: int) -> Any:
    form = DecisionForm()
    line = queries.get_claim_line(db(), line_id, claim_id)
    return _claim_action(claim_id, form, lambda c: claims.record_verdict(
        db(), actor(), line, accepted=form.decision.data == "accept", reason=form.reason.data,
        expected_version=_version(form)), lambda _r: _("The manufacturer's verdict was recorded."))


@bp.route("/claims/<int:claim_id>/ship-defective", methods=["POST"])
@allow(Role.ADMIN)
def claim_ship(claim_id: int) -> Any:
    form = ActionForm()
    return _claim_action(claim_id, form, lambda c: claims.ship_defective_parts(db(), actor(), c),
                         lambda shipments: _("Shipments opened for the defective parts: %(numbers)s. Logistics "
                                             "dispatches them as usual.",
                                             numbers=", ".join(s.number for s in shipments)))


@bp.route("/claims/<int:claim_id>/claim.pdf")
@allow(Role.ADMIN)
def claim_pdf(claim_id: int) -> Response:
    claim = queries.get_claim(db(), claim_id)
    return _file(render_settlement_pdf(build_claim_doc(db(), claim)), "application/pdf", f"{claim_number(claim)}.pdf")


@bp.route("/claims/<int:claim_id>/claim.csv")
@allow(Role.ADMIN)
def claim_csv(claim_id: int) -> Response:
    claim = queries.get_claim(db(), claim_id)
    return _file(render_settlement_csv(build_claim_doc(db(), claim)), "text/csv; charset=utf-8",
                 f"{claim_number(claim)}.csv", inline=False)
