"""Money: paid repairs billed and collected, parts consumed at cost, partner statements and
manufacturer claims of the months the period touches.

Billed: the amount due on paid repairs handed back in the period; collected: what was paid in the
period. Parts at cost: parts issued to orders minus those returned (settlements.pricing.parts_used),
moved in the period, at the part's unit cost. Statements and claims: the sums of their lines, as the
settlement lists sum them (a line whose dispute was rejected is out of a statement's total)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from servicecenter.catalog.models import Manufacturer
from servicecenter.errors import N_
from servicecenter.repairs.models import RepairOrder
from servicecenter.reports.base import Cell, Chart, Column, Report, ReportFilter, Series, Table, report
from servicecenter.reports.common import center_names, count_cell, order_where, period_of, with_catalog
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
from servicecenter.stock.models import MoveReason, Part, StockMove

Ord = RepairOrder


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(ZERO)


def _months(flt: ReportFilter) -> tuple[str, str]:
    return f"{flt.date_from:%Y-%m}", f"{flt.date_to:%Y-%m}"


def _counter(session: Session, flt: ReportFilter) -> dict[int, list[Any]]:
    """Per center: [billed orders, billed, collected orders, collected, parts at cost]."""
    out: dict[int, list[Any]] = defaultdict(lambda: [0, ZERO, 0, ZERO, ZERO])
    billed = with_catalog(select(Ord.center_id, func.count(), func.sum(Ord.amount_due)).select_from(Ord), flt)
    for c, n, amount in session.execute(billed.where(*order_where(flt, "issued"), Ord.amount_due > 0)
                                        .group_by(Ord.center_id)):
        out[c][0], out[c][1] = int(n), _money(amount)
    paid = with_catalog(select(Ord.center_id, func.count(), func.sum(Ord.amount_paid)).select_from(Ord), flt)
    for c, n, amount in session.execute(paid.where(*order_where(flt, "paid"), Ord.amount_paid > 0)
                                        .group_by(Ord.center_id)):
        out[c][2], out[c][3] = int(n), _money(amount)
    signed = case((StockMove.reason == MoveReason.RETURN, -StockMove.quantity), else_=StockMove.quantity)
    parts = with_catalog(select(Ord.center_id, func.sum(signed * Part.unit_cost)).select_from(StockMove)
                         .join(Ord, Ord.id == StockMove.order_id).join(Part, Part.id == StockMove.part_id), flt)
    for c, cost in session.execute(parts.where(*order_where(flt), *period_of(StockMove.at, flt),
                                               StockMove.reason.in_([MoveReason.ISSUE, MoveReason.RETURN]))
                                   .group_by(Ord.center_id)):
        out[c][4] = _money(cost)
    return out


def _statements(session: Session, flt: ReportFilter) -> dict[int, dict[str, Any]]:
    first, last = _months(flt)
    counted = StatementLine.dispute != DisputeState.REJECTED
    stmt = (select(PartnerStatement.center_id, PartnerStatement.state, func.count(StatementLine.id),
                   func.count(case((counted, StatementLine.id))), func.sum(case((counted, StatementLine.total), else_=0)))
            .join(StatementLine, StatementLine.statement_id == PartnerStatement.id)
            .where(PartnerStatement.period >= first, PartnerStatement.period <= last))
    if flt.center_id:
        stmt = stmt.where(PartnerStatement.center_id == flt.center_id)
    if flt.category:
        stmt = stmt.where(StatementLine.category == flt.category)
    if flt.manufacturer_id:
        stmt = (stmt.join(Ord, Ord.id == StatementLine.order_id)
                .where(Ord.manufacturer_id == flt.manufacturer_id))
    # A line whose dispute was settled against the partner is no repair to pay for: it is counted
    # apart (rejected), and its amount is in neither column.
    out: dict[int, dict[str, Any]] = defaultdict(lambda: {"lines": 0, "rejected": 0, "owed": ZERO, "paid": ZERO})
    for c, state, n, kept, total in session.execute(stmt.group_by(PartnerStatement.center_id,
                                                                  PartnerStatement.state)):
        out[c]["lines"] += int(kept)
        out[c]["rejected"] += int(n) - int(kept)
        out[c]["paid" if state == StatementState.PAID else "owed"] += _money(total)
    return out


def _claims(session: Session, flt: ReportFilter) -> dict[int, dict[str, Any]]:
    first, last = _months(flt)
    stmt = (select(ManufacturerClaim.manufacturer_id, ManufacturerClaim.state, ClaimLine.verdict,
                   func.count(ClaimLine.id), func.sum(ClaimLine.total))
            .join(ClaimLine, ClaimLine.claim_id == ManufacturerClaim.id)
            .where(ManufacturerClaim.period >= first, ManufacturerClaim.period <= last))
    if flt.center_id:
        stmt = stmt.where(ClaimLine.center_id == flt.center_id)
    if flt.manufacturer_id:
        stmt = stmt.where(ManufacturerClaim.manufacturer_id == flt.manufacturer_id)
    if flt.category:
        stmt = stmt.where(ClaimLine.category == flt.category)
    keys = ("lines", "claimed", "open", "submitted", "accepted", "rejected", "paid")
    out: dict[int, dict[str, Any]] = defaultdict(lambda: dict.fromkeys(keys, ZERO))
    for m, state, verdict, n, total in session.execute(stmt.group_by(ManufacturerClaim.manufacturer_id,
                                                                      ManufacturerClaim.state, ClaimLine.verdict)):
        row, total = out[m], _money(total)
        row["lines"] += int(n)
        row["claimed"] += total
        bucket = {ClaimState.OPEN: "open", ClaimState.SUBMITTED: "submitted"}.get(state)
        if bucket:
            row[bucket] += total
        if verdict == Verdict.ACCEPTED:
            row["accepted"] += total
            if state == ClaimState.PAID:
                row["paid"] += total
        elif verdict == Verdict.REJECTED:
            row["rejected"] += total
    return out


@report("money", N_("Money"))
def money_report(session: Session, flt: ReportFilter) -> Report:
    """Paid repairs billed and collected, parts at cost, partner statements and manufacturer claims."""
    counter = _counter(session, flt)
    statements = _statements(session, flt)
    claims = _claims(session, flt)
    centers = center_names(session, set(counter) | set(statements))
    rows = sorted(([Cell(centers.get(c, str(c))), count_cell(v[0], flt, "issued", center=c, billed="yes"), Cell(v[1]),
                    count_cell(v[2], flt, "paid", center=c), Cell(v[3]), Cell(v[4])] for c, v in counter.items()),
                  key=lambda r: r[0].value)
    totals = [sum((r[i].value for r in rows), 0 if i in (1, 3) else ZERO) for i in range(1, 6)]
    rows.append([Cell(N_("Total")), count_cell(totals[0], flt, "issued", billed="yes"), Cell(totals[1]),
                 count_cell(totals[2], flt, "paid"), Cell(totals[3]), Cell(totals[4])])
    brands = {m: n for m, n in session.execute(select(Manufacturer.id, Manufacturer.name)
                                               .where(Manufacturer.id.in_(list(claims))))} if claims else {}
    tables = [
        Table(N_("Paid repairs and parts per center"),
              [Column("center", N_("Center")), Column("billed_orders", N_("Orders billed"), "int"),
               Column("billed", N_("Billed"), "money"), Column("paid_orders", N_("Orders paid"), "int"),
               Column("collected", N_("Collected"), "money"), Column("parts", N_("Parts at cost"), "money")], rows),
        Table(N_("Partner statements"),
              [Column("center", N_("Partner")), Column("lines", N_("Repairs"), "int"),
               Column("owed", N_("Owed (open and approved)"), "money"), Column("paid", N_("Paid"), "money"),
               Column("rejected", N_("Rejected in a dispute"), "int")],
              sorted(([Cell(centers.get(c, str(c))), Cell(v["lines"]), Cell(v["owed"]), Cell(v["paid"]),
                       Cell(v["rejected"])]
                      for c, v in statements.items()), key=lambda r: r[0].value)),
        Table(N_("Manufacturer claims"),
              [Column("brand", N_("Manufacturer")), Column("lines", N_("Repairs"), "int"),
               Column("claimed", N_("Claimed"), "money"), Column("open", N_("Not yet submitted"), "money"),
               Column("submitted", N_("Submitted"), "money"), Column("accepted", N_("Accepted"), "money"),
               Column("rejected", N_("Rejected"), "money"), Column("paid", N_("Paid"), "money")],
              sorted(([Cell(brands.get(m, str(m))), Cell(int(v["lines"])), Cell(v["claimed"]), Cell(v["open"]),
                       Cell(v["submitted"]), Cell(v["accepted"]), Cell(v["rejected"]), Cell(v["paid"])]
                      for m, v in claims.items()), key=lambda r: r[0].value)),
    ]
    named = rows[:-1]
    charts = [Chart(N_("Billed and collected per center"), "bar", [r[0].value for r in named],
                    [Series(N_("Billed"), [r[2].value for r in named]),
                     Series(N_("Collected"), [r[4].value for r in named])], unit="₽")] if named else []
    return Report("money", N_("Money"), tables, charts,
                  notes=[N_("Statements and claims of the months the period touches; amounts include VAT.")])
