"""Repairs per center: received, issued and finished in the period, outcomes, who pays, in work now."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from servicecenter.errors import N_
from servicecenter.repairs.models import Outcome, Payer, RepairOrder
from servicecenter.repairs.states import RepairState
from servicecenter.reports.base import Cell, Chart, Column, Report, ReportFilter, Series, Table, report
from servicecenter.reports.common import center_names, count_cell, order_where, payer_sql, with_catalog

Ord = RepairOrder
# In the workshop now: received and not yet handed back (a pre-registered visit is not here yet).
IN_WORK = [RepairState.RECEIVED, RepairState.DIAGNOSIS, RepairState.AWAITING_APPROVAL, RepairState.AWAITING_PARTS,
           RepairState.IN_REPAIR, RepairState.READY_FOR_PICKUP]
STATE_LABEL = {RepairState.RECEIVED: N_("Received"), RepairState.DIAGNOSIS: N_("Diagnosis"),
               RepairState.AWAITING_APPROVAL: N_("Awaiting approval"), RepairState.AWAITING_PARTS: N_("Awaiting parts"),
               RepairState.IN_REPAIR: N_("In repair"), RepairState.READY_FOR_PICKUP: N_("Ready for pickup")}
OUTCOME_LABEL = {Outcome.REPAIRED: N_("Repaired"), Outcome.REPLACED: N_("Replaced"), Outcome.REFUSED: N_("Refused"),
                 Outcome.UNREPAIRABLE: N_("Unrepairable")}
PAYER_LABEL = {Payer.MANUFACTURER: N_("Warranty (manufacturer)"), Payer.CUSTOMER: N_("Paid (customer)"),
               Payer.SERVICE_CENTER: N_("Our own warranty"), Payer.DEALER: N_("Pre-sale check (dealer)")}
OTHER_PAYERS = f"{Payer.SERVICE_CENTER.value},{Payer.DEALER.value}"


def _grouped(session: Session, flt: ReportFilter, key, basis: str | None, *extra) -> dict:  # noqa: ANN001
    """count(*) of the filter's orders per (center, key) — key an expression or None."""
    cols = [Ord.center_id] + ([key] if key is not None else [])
    stmt = with_catalog(select(*cols, func.count()).select_from(Ord), flt).where(*order_where(flt, basis), *extra)
    out: dict = {}
    for row in session.execute(stmt.group_by(*cols)):
        out[tuple(row[:-1]) if key is not None else row[0]] = int(row[-1])
    return out


@report("repairs", N_("Repairs per center"))
def repairs_report(session: Session, flt: ReportFilter) -> Report:
    """Received, issued and finished orders per center in the period, their outcomes and payers, and
    the orders in work now."""
    payer = payer_sql()
    received = _grouped(session, flt, payer, "received")
    issued = _grouped(session, flt, None, "issued")
    finished = _grouped(session, flt, Ord.outcome, "ready")
    in_work = _grouped(session, flt, Ord.state, None, Ord.state.in_(IN_WORK))
    centers = {c for c, *_ in received} | set(issued) | {c for c, _ in finished} | {c for c, _ in in_work}
    label = center_names(session, centers)
    order = sorted(centers, key=lambda c: label.get(c, ""))

    def total(data: dict, center: int, keys=None) -> int:  # noqa: ANN001
        return sum(n for (c, k), n in data.items() if c == center and (keys is None or k in keys))

    rows = []
    for c in order:
        by = {"center": c}
        rows.append([
            Cell(label.get(c, str(c))),
            count_cell(total(received, c), flt, "received", **by),
            count_cell(issued.get(c, 0), flt, "issued", **by),
            count_cell(total(finished, c), flt, "ready", **by),
            *[count_cell(total(finished, c, {o}), flt, "ready", outcome=o.value, **by) for o in Outcome],
            count_cell(total(in_work, c), flt, None, state=",".join(s.value for s in IN_WORK), **by),
            count_cell(total(received, c, {Payer.MANUFACTURER}), flt, "received", payer=Payer.MANUFACTURER.value, **by),
            count_cell(total(received, c, {Payer.CUSTOMER}), flt, "received", payer=Payer.CUSTOMER.value, **by),
            count_cell(total(received, c, {Payer.SERVICE_CENTER, Payer.DEALER}), flt, "received", payer=OTHER_PAYERS,
                       **by),
        ])
    columns = [Column("center", N_("Center")), Column("received", N_("Received"), "int"),
               Column("issued", N_("Issued"), "int"), Column("finished", N_("Finished"), "int"),
               *[Column(o.value, OUTCOME_LABEL[o], "int") for o in Outcome],
               Column("in_work", N_("In work now"), "int"), Column("warranty", N_("Warranty received"), "int"),
               Column("paid", N_("Paid received"), "int"), Column("other", N_("Other payers received"), "int")]
    tables = [Table(N_("Per center"), columns, rows)]

    states = [[Cell(STATE_LABEL[s]), count_cell(sum(n for (_, k), n in in_work.items() if k == s), flt, None,
                                                state=s.value)] for s in IN_WORK]
    tables.append(Table(N_("In work now, by state"), [Column("state", N_("State")), Column("orders", N_("Orders"), "int")],
                        states))
    outcomes = defaultdict(int)
    for (_, o), n in finished.items():
        outcomes[o] += n
    tables.append(Table(N_("Outcome of the orders finished in the period"),
                        [Column("outcome", N_("Outcome")), Column("orders", N_("Orders"), "int")],
                        [[Cell(OUTCOME_LABEL[o]), count_cell(outcomes.get(o, 0), flt, "ready", outcome=o.value)]
                         for o in Outcome]))
    payers = defaultdict(int)
    for (_, p), n in received.items():
        payers[Payer(p)] += n
    tables.append(Table(N_("Who pays, of the orders received in the period"),
                        [Column("payer", N_("Payer")), Column("orders", N_("Orders"), "int")],
                        [[Cell(PAYER_LABEL[p]), count_cell(payers.get(p, 0), flt, "received", payer=p.value)]
                         for p in (Payer.MANUFACTURER, Payer.CUSTOMER, Payer.SERVICE_CENTER, Payer.DEALER)]))
    charts = [Chart(N_("In work now, by state"), "bar", [STATE_LABEL[s] for s in IN_WORK],
                    [Series(N_("Orders"), [r[1].value for r in states])])]
    if len(order) > 1:
        charts.insert(0, Chart(N_("Received and issued per center"), "bar", [label.get(c, str(c)) for c in order],
                               [Series(N_("Received"), [r[1].value for r in rows]),
                                Series(N_("Issued"), [r[2].value for r in rows])]))
    return Report("repairs", N_("Repairs per center"), tables, charts,
                  notes=[N_("Received, issued and finished (ready for pickup) count by the date of that step; "
                            "in work now ignores the period; the payer is the one decided at intake.")])
