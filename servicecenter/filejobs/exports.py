"""A long list of orders as CSV or XLSX: the orders behind a report's figure, read behind the requester's
wall, in the requester's language, streamed from one query with progress.

The rows are read as plain columns (no ORM objects: a hundred thousand orders, their units, centers and
engineers would cost more to build than the file); the session's wall still applies, since the scope's
loader criteria filter every mapped entity the statement names."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session, aliased

from printing.csv_export import to_csv
from printing.xlsx_export import render_xlsx_stream
from servicecenter.accounts.models import User
from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.centers.models import ServiceCenter
from servicecenter.clock import local_datetime
from servicecenter.equipment.models import Unit
from servicecenter.errors import N_, NotFound
from servicecenter.filejobs.models import FileJob
from servicecenter.filejobs.services import XLSX
from servicecenter.i18n import Translator, translator
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.words import ORDER_TYPE, OUTCOME, PRIORITY, STATE, word
from servicecenter.reports.drill import orders_behind_query
from servicecenter.scoping import NETWORK, Scope, get_scope, set_scope

REPORT_EVERY = 1000  # rows between two progress writes

Ord = RepairOrder
# The wall's criteria name the mapped tables themselves, so the walled ones are joined unaliased (the drill
# joins none of them); the catalogue is shared by the network, and the drill may join ProductModel already.
Center, Engineer, ItsUnit = ServiceCenter, User, Unit
Maker, Model = aliased(Manufacturer), aliased(ProductModel)
# (heading msgid, kind, what is read): the file's columns, in order; kinds as printing/xlsx_export's.
COLUMNS: list[tuple[str, str, Any]] = [
    (N_("Number"), "text", Ord.number),
    (N_("Center"), "text", Center.code),
    (N_("State"), "text", Ord.state),
    (N_("Type"), "text", Ord.order_type),
    (N_("Warranty"), "text", Ord.warranty_covered),
    (N_("Priority"), "text", Ord.priority),
    (N_("Brand"), "text", Maker.name),
    (N_("Model"), "text", Model.name),
    (N_("Serial number"), "text", ItsUnit.serial),
    (N_("Fault"), "text", Ord.fault),
    (N_("Engineer"), "text", Engineer.name),
    (N_("Received"), "datetime", Ord.received_at),
    (N_("Deadline"), "datetime", Ord.due_at),
    (N_("Ready"), "datetime", Ord.ready_at),
    (N_("Issued"), "datetime", Ord.issued_at),
    (N_("Outcome"), "text", Ord.outcome),
    (N_("Amount due, ₽"), "money", Ord.amount_due),
    (N_("Paid, ₽"), "money", Ord.amount_paid),
]


def orders_export(session: Session, job: FileJob, report: Callable[[int, int], None]) -> bytes:
    """The file: a header row, then one row per order, newest first."""
    requester = session.get(User, job.requested_by_id) if job.requested_by_id else None
    if requester is None or not requester.active:
        raise NotFound(N_("The person who asked for this file can no longer see these orders"))
    # The worker's session sees the whole network: put it behind the requester's wall, as their pages are,
    # for as long as the file is being made.
    outside = get_scope(session)
    set_scope(session, Scope(requester.center_id) if requester.is_walled else NETWORK)
    try:
        return _export(session, job, translator(requester.locale), report)
    finally:
        set_scope(session, outside)


def _export(session: Session, job: FileJob, t: Translator, report: Callable[[int, int], None]) -> bytes:
    params = dict((job.parameters or {}).get("params", {}))
    base = orders_behind_query(params)
    total = session.scalar(select(func.count()).select_from(
        base.with_only_columns(Ord.id).order_by(None).subquery())) or 0
    stmt = (base.with_only_columns(*(column for _h, _k, column in COLUMNS), Center.timezone)
            .join(Center, Center.id == Ord.center_id)
            .outerjoin(ItsUnit, ItsUnit.id == Ord.unit_id)
            .outerjoin(Maker, Maker.id == Ord.manufacturer_id)
            .outerjoin(Model, Model.id == Ord.model_id)
            .outerjoin(Engineer, Engineer.id == Ord.engineer_id))
    headings = [t.gettext(heading) for heading, _kind, _column in COLUMNS]
    kinds = [kind for _heading, kind, _column in COLUMNS]
    report(0, total)
    rows = _rows(session.execute(stmt, execution_options={"yield_per": REPORT_EVERY}), t, total, report)
    if (job.parameters or {}).get("format") == XLSX:
        return render_xlsx_stream(t.gettext("Orders"), headings, kinds, rows)
    return to_csv([headings, *rows])


def _rows(result: Any, t: Translator, total: int, report: Callable[[int, int], None]) -> Iterator[list[Any]]:
    done = 0
    for row in result:
        yield _cells(row, t)
        done += 1
        if done % REPORT_EVERY == 0:
            report(done, max(total, done))
    report(done, max(total, done))


def _cells(row: Row, t: Translator) -> list[Any]:
    (number, center, state, order_type, warranty, priority, maker, model, serial, fault, engineer,
     received, due, ready, issued, outcome, amount_due, amount_paid, timezone) = row

    def local(moment: datetime | None) -> datetime | None:
        return local_datetime(moment, timezone) if moment else None

    return [number, center, word(t.gettext, STATE, state), word(t.gettext, ORDER_TYPE, order_type),
            "" if warranty is None else t.gettext("yes") if warranty else t.gettext("no"),
            word(t.gettext, PRIORITY, priority), maker or "", model or "", serial or "", " ".join(fault.split()),
            engineer or "", local(received), local(due), local(ready), local(issued),
            word(t.gettext, OUTCOME, outcome), amount_due, amount_paid]
