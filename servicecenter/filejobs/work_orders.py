"""The work orders of many orders as one PDF: each exactly as it prints alone (Russian, the requester as
the clerk), read a chunk of orders at a time, progress reported as the pages are laid out."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from printing import WorkOrderDoc, render_work_orders
from servicecenter.accounts.models import User
from servicecenter.equipment.models import Unit
from servicecenter.errors import N_, NotFound
from servicecenter.filejobs.models import FileJob
from servicecenter.i18n import translator
from servicecenter.repairs.documents import build_work_order
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.words import warranty_events, work_order_words

READ_CHUNK = 200  # orders read per query
REPORT_EVERY = 10  # work orders laid out between two progress writes


def work_orders_pdf(session: Session, job: FileJob, report: Callable[[int, int], None]) -> bytes:
    """The PDF of the job's orders, in the order they were chosen (orders gone since are left out)."""
    ids = [int(i) for i in (job.parameters or {}).get("order_ids", [])]
    copies = 2 if (job.parameters or {}).get("copies") == 2 else 1
    requester = session.get(User, job.requested_by_id) if job.requested_by_id else None
    docs = _docs(session, ids, copies, requester.name if requester else "")
    if not docs:
        raise NotFound(N_("None of these orders exists any more"))
    total = len(docs)
    report(0, total)

    def drawn(done: int) -> None:
        if done % REPORT_EVERY == 0 or done == total:
            report(done, total)

    return render_work_orders(docs, drawn)


def _docs(session: Session, ids: list[int], copies: int, clerk: str) -> list[WorkOrderDoc]:
    gettext = translator("ru").gettext  # paper is Russian, whatever the requester reads on screen
    docs: list[WorkOrderDoc] = []
    for start in range(0, len(ids), READ_CHUNK):
        part = ids[start:start + READ_CHUNK]
        found = {o.id: o for o in session.scalars(
            select(RepairOrder).where(RepairOrder.id.in_(part)).options(
                joinedload(RepairOrder.center), joinedload(RepairOrder.customer),
                joinedload(RepairOrder.unit).options(selectinload(Unit.manufacturer), selectinload(Unit.model))))}
        events = warranty_events(session, list(found))
        docs += [build_work_order(found[i], work_order_words(found[i], events[i], gettext), clerk=clerk, copies=copies)
                 for i in part if i in found]
    return docs
