"""Partner statements: dispute and settle lines, re-price, approve, record the payment.

open → approved → paid. Only the head office (an administrator) acts; a partner reads its own
statements. An approved statement is frozen: no re-pricing, no new disputes. Approval waits for
the month to end in the partner's time zone and for every dispute to be settled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from servicecenter.accounts.models import User
from servicecenter.accounts.services import require_admin
from servicecenter.clock import utcnow
from servicecenter.errors import N_, ConcurrentUpdate, StateConflict, ValidationFailed
from servicecenter.settlements.models import (
    DisputeState,
    PartnerStatement,
    RateCardKind,
    StatementLine,
    StatementState,
)
from servicecenter.settlements.periods import first_day_after, has_ended
from servicecenter.settlements.pricing import apply_priced, price_order, sums
from servicecenter.settlements.rates import card_valid_on

MAX_REASON = 2000
CHANGED = N_("Statement %(period)s was changed by someone else a moment ago; reload it and try again")


@dataclass(frozen=True)
class StatementTotals:
    """The sums of the lines that count (a rejected dispute takes a line out), and the counts."""

    net: Decimal
    vat: Decimal
    total: Decimal
    lines: int
    counted: int
    disputed: int
    rejected: int
    no_rate: int


def totals(statement: PartnerStatement) -> StatementTotals:
    """The statement's totals: sums of its counted lines' own (rounded) figures."""
    counted = [line for line in statement.lines if line.counts]
    net, vat, total = sums(counted)
    return StatementTotals(net, vat, total, len(statement.lines), len(counted),
                           sum(1 for line in statement.lines if line.dispute == DisputeState.DISPUTED),
                           sum(1 for line in statement.lines if line.dispute == DisputeState.REJECTED),
                           sum(1 for line in statement.lines if line.no_rate))


def _reason(value: Any, required: str | None = None) -> str:
    text = str(value or "").strip()[:MAX_REASON]
    if required and not text:
        raise ValidationFailed(required, errors={"reason": N_("Required")})
    return text


def _check(statement: PartnerStatement, expected_version: int | None, *states: StatementState,
           message: str) -> None:
    if statement.state not in states:
        raise StateConflict(message, current=statement.state.value, allowed=[s.value for s in states],
                            period=statement.period)
    if expected_version is not None and int(expected_version) != statement.version:
        raise ConcurrentUpdate(CHANGED, period=statement.period)


def _touch(session: Session, statement: PartnerStatement) -> None:
    """Every change of a line changes its statement's version too (a form saw the whole statement)."""
    statement.updated_at = utcnow()
    period = statement.period
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConcurrentUpdate(CHANGED, period=period) from exc


FROZEN = N_("Statement %(period)s is %(current)s; its lines can no longer change")


def dispute_line(session: Session, actor: User, line: StatementLine, reason: str, *,
                 expected_version: int | None = None) -> StatementLine:
    """The head office questions a line of an open statement; the reason is required and shown to the partner."""
    require_admin(actor)
    statement = line.statement
    _check(statement, expected_version, StatementState.OPEN, message=FROZEN)
    text = _reason(reason, N_("Say why the line is disputed"))
    if line.dispute == DisputeState.DISPUTED:
        raise StateConflict(N_("The line of order %(number)s is already disputed"), current=line.dispute.value,
                            allowed=[], number=line.order.number)
    line.dispute, line.dispute_reason = DisputeState.DISPUTED, text
    line.disputed_at, line.disputed_by_id = utcnow(), actor.id
    line.resolution_note, line.resolved_at, line.resolved_by_id = "", None, None
    _touch(session, statement)
    return line


def settle_dispute(session: Session, actor: User, line: StatementLine, *, accept: bool, note: str = "",
                   expected_version: int | None = None) -> StatementLine:
    """Settle a disputed line: accepted (it counts) or rejected with a reason (it leaves the total)."""
    require_admin(actor)
    statement = line.statement
    _check(statement, expected_version, StatementState.OPEN, message=FROZEN)
    if line.dispute != DisputeState.DISPUTED:
        raise StateConflict(N_("The line of order %(number)s is not disputed"), current=line.dispute.value,
                            allowed=[DisputeState.DISPUTED.value], number=line.order.number)
    text = _reason(note, None if accept else N_("Say why the line is rejected"))
    line.dispute = DisputeState.ACCEPTED if accept else DisputeState.REJECTED
    line.resolution_note, line.resolved_at, line.resolved_by_id = text, utcnow(), actor.id
    _touch(session, statement)
    return line


def reprice_statement(session: Session, actor: User, statement: PartnerStatement, *,
                      expected_version: int | None = None) -> int:
    """Price every line of an open statement again at the card valid on its completion date (after a
    card was added or corrected). The number of lines whose figures changed."""
    require_admin(actor)
    _check(statement, expected_version, StatementState.OPEN,
           message=N_("Statement %(period)s is %(current)s; only an open statement is re-priced"))
    now, changed = utcnow(), 0
    for line in statement.lines:
        before = (line.rate_card_id, line.total, line.no_rate)
        card = card_valid_on(session, RateCardKind.PARTNER, statement.center_id, line.completed_on)
        apply_priced(line, price_order(session, line.order, card), now)
        changed += before != (line.rate_card_id, line.total, line.no_rate)
    _touch(session, statement)
    return changed


def approve_statement(session: Session, actor: User, statement: PartnerStatement, *,
                      expected_version: int | None = None) -> PartnerStatement:
    """Approve a statement once its month is over in the partner's time zone and no line is disputed."""
    require_admin(actor)
    _check(statement, expected_version, StatementState.OPEN,
           message=N_("Statement %(period)s is %(current)s; only an open statement is approved"))
    now = utcnow()
    tz = statement.center.timezone
    if not has_ended(statement.period, tz, now):
        raise StateConflict(N_("The month %(period)s is not over yet at %(center)s: it can be approved from "
                               "%(end)s (%(tz)s)"), current=statement.state.value, allowed=[], period=statement.period,
                            center=statement.center.code, end=first_day_after(statement.period).strftime("%d.%m.%Y"),
                            tz=tz)
    figures = totals(statement)
    if figures.disputed:
        raise StateConflict(N_("%(count)s line(s) of statement %(period)s are still disputed; settle them first"),
                            current=statement.state.value, allowed=[], count=figures.disputed,
                            period=statement.period)
    statement.state, statement.approved_at, statement.approved_by_id = StatementState.APPROVED, now, actor.id
    _touch(session, statement)
    return statement


def clean_payment(payment_date: Any, reference: Any) -> tuple[date, str]:
    """A payment's date and reference (the payment order's number), both required."""
    errors: dict[str, str] = {}
    day = payment_date if isinstance(payment_date, date) else None
    if day is None:
        try:
            day = date.fromisoformat(str(payment_date or "").strip())
        except ValueError:
            errors["payment_date"] = N_("A date, e.g. 2026-03-01")
    text = str(reference or "").strip()
    if not text:
        errors["payment_reference"] = N_("Required")
    elif len(text) > 100:
        errors["payment_reference"] = N_("Too long")
    if errors:
        raise ValidationFailed(N_("The payment was not recorded"), errors=errors)
    assert day is not None
    return day, text


def record_statement_payment(session: Session, actor: User, statement: PartnerStatement, *, payment_date: Any,
                             reference: Any, expected_version: int | None = None) -> PartnerStatement:
    """An approved statement was paid: the payment's date and reference."""
    require_admin(actor)
    _check(statement, expected_version, StatementState.APPROVED,
           message=N_("Statement %(period)s is %(current)s; only an approved statement is paid"))
    day, reference = clean_payment(payment_date, reference)
    statement.state, statement.payment_date, statement.payment_reference = StatementState.PAID, day, reference
    statement.paid_at, statement.paid_by_id = utcnow(), actor.id
    _touch(session, statement)
    return statement
