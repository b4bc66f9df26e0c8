"""Reading settlements: statement and claim lists with their totals, one statement or claim with its lines.

Totals in lists are summed by the database from the lines' own rounded figures, the same sums the
detail pages compute line by line. A partner's walled session sees only its own statements.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from servicecenter.centers.models import CenterKind, ServiceCenter
from servicecenter.equipment.models import Unit
from servicecenter.errors import N_, NotFound
from servicecenter.repairs.models import RepairOrder
from servicecenter.settlements.models import (
    ZERO,
    ClaimLine,
    ClaimState,
    DisputeState,
    ManufacturerClaim,
    PartnerStatement,
    StatementLine,
    StatementState,
    Verdict,
)
from servicecenter.settlements.periods import parse_period


@dataclass(frozen=True)
class StatementRow:
    statement: PartnerStatement
    lines: int
    disputed: int
    total: Decimal  # of the lines that count


@dataclass(frozen=True)
class ClaimRow:
    claim: ManufacturerClaim
    lines: int
    pending: int
    total: Decimal  # claimed
    accepted: Decimal


def _state(enum_cls: type, value: str | None) -> object | None:
    try:
        return enum_cls(value) if value else None
    except ValueError:
        return None


def list_statements(session: Session, *, center_id: int | None = None, period: str = "", state: str = "",
                    limit: int = 500) -> list[StatementRow]:
    """Statements, newest month first, filtered by partner, period ("YYYY-MM") and state."""
    counted = StatementLine.dispute != DisputeState.REJECTED
    figures = (select(StatementLine.statement_id.label("sid"), func.count().label("n"),
                      func.sum(case((StatementLine.dispute == DisputeState.DISPUTED, 1), else_=0)).label("disputed"),
                      func.sum(case((counted, StatementLine.total), else_=0)).label("total"))
               .group_by(StatementLine.statement_id).subquery())
    query = (select(PartnerStatement, figures.c.n, figures.c.disputed, figures.c.total)
             .outerjoin(figures, figures.c.sid == PartnerStatement.id)
             .options(joinedload(PartnerStatement.center))
             .order_by(PartnerStatement.period.desc(), PartnerStatement.center_id).limit(limit))
    if center_id:
        query = query.where(PartnerStatement.center_id == center_id)
    if parse_period(period):
        query = query.where(PartnerStatement.period == period)
    wanted = _state(StatementState, state)
    if wanted is not None:
        query = query.where(PartnerStatement.state == wanted)
    return [StatementRow(s, int(n or 0), int(d or 0), Decimal(t or 0).quantize(ZERO))
            for s, n, d, t in session.execute(query)]


def get_statement(session: Session, statement_id: int) -> PartnerStatement:
    """A statement with its lines, their orders and units (404 when unknown or behind the wall)."""
    statement = session.scalars(
        select(PartnerStatement).where(PartnerStatement.id == statement_id)
        .options(joinedload(PartnerStatement.center),
                 selectinload(PartnerStatement.lines).options(
                     joinedload(StatementLine.order).joinedload(RepairOrder.unit).options(
                         joinedload(Unit.model), joinedload(Unit.manufacturer)),
                     joinedload(StatementLine.rate_card)))).first()
    if statement is None:
        raise NotFound(N_("No such statement"))
    return statement


def get_statement_line(session: Session, line_id: int, statement_id: int) -> StatementLine:
    line = session.get(StatementLine, line_id)
    if line is None or line.statement_id != statement_id:
        raise NotFound(N_("No such statement line"))
    return line


def list_claims(session: Session, *, manufacturer_id: int | None = None, period: str = "", state: str = "",
                limit: int = 500) -> list[ClaimRow]:
    """Claims, newest month first, filtered by manufacturer, period and state."""
    figures = (select(ClaimLine.claim_id.label("cid"), func.count().label("n"),
                      func.sum(case((ClaimLine.verdict == Verdict.PENDING, 1), else_=0)).label("pending"),
                      func.sum(ClaimLine.total).label("total"),
                      func.sum(case((ClaimLine.verdict == Verdict.ACCEPTED, ClaimLine.total), else_=0)).label("ok"))
               .group_by(ClaimLine.claim_id).subquery())
    query = (select(ManufacturerClaim, figures.c.n, figures.c.pending, figures.c.total, figures.c.ok)
             .outerjoin(figures, figures.c.cid == ManufacturerClaim.id)
             .options(joinedload(ManufacturerClaim.manufacturer))
             .order_by(ManufacturerClaim.period.desc(), ManufacturerClaim.manufacturer_id).limit(limit))
    if manufacturer_id:
        query = query.where(ManufacturerClaim.manufacturer_id == manufacturer_id)
    if parse_period(period):
        query = query.where(ManufacturerClaim.period == period)
    wanted = _state(ClaimState, state)
    if wanted is not None:
        query = query.where(ManufacturerClaim.state == wanted)
    return [ClaimRow(c, int(n or 0), int(p or 0), Decimal(t or 0).quantize(ZERO), Decimal(ok or 0).quantize(ZERO))
            for c, n, p, t, ok in session.execute(query)]


def get_claim(session: Session, claim_id: int) -> ManufacturerClaim:
    """A claim with its lines, their centers, orders and units (404 when unknown or behind the wall)."""
    claim = session.scalars(
        select(ManufacturerClaim).where(ManufacturerClaim.id == claim_id)
        .options(joinedload(ManufacturerClaim.manufacturer),
                 selectinload(ManufacturerClaim.lines).options(
                     joinedload(ClaimLine.center), joinedload(ClaimLine.rate_card),
                     joinedload(ClaimLine.order).joinedload(RepairOrder.unit).options(
                         joinedload(Unit.model), joinedload(Unit.manufacturer))))).first()
    if claim is None:
        raise NotFound(N_("No such claim"))
    return claim


def get_claim_line(session: Session, line_id: int, claim_id: int) -> ClaimLine:
    line = session.get(ClaimLine, line_id)
    if line is None or line.claim_id != claim_id:
        raise NotFound(N_("No such claim line"))
    return line


def list_partner_centers(session: Session) -> list[ServiceCenter]:
    """Partner centers (for the statements filter and the rate card form)."""
    return list(session.scalars(select(ServiceCenter).where(ServiceCenter.kind == CenterKind.PARTNER)
                                .order_by(ServiceCenter.code)))
