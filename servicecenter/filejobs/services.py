"""Requesting a background file, finding it again, and where its file lives."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.clock import utcnow
from servicecenter.config import Settings
from servicecenter.errors import N_, NotFound, ValidationFailed
from servicecenter.filejobs.models import FileJob, FileJobKind, FileJobState
from servicecenter.jobs.models import OutboxJob, OutboxState
from servicecenter.jobs.registry import enqueue_after_commit
from servicecenter.repairs.models import RepairOrder
from servicecenter.reports.drill import orders_behind_query
from servicecenter.scoping import lifted
from servicecenter.shipments.models import Shipment, ShipmentItem
from servicecenter.shipments.queries import get_shipment

RENDER_JOB = "files.render"
PDF_TYPE = "application/pdf"
CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV, XLSX = "csv", "xlsx"
# A request larger than these is refused up front rather than left to run for many minutes
# (figures in docs/jobs.md: 5,000 labels, 1,000 work orders or 100,000 XLSX rows take about a minute).
MAX_LABELS = 5000
MAX_WORK_ORDERS = 1000
MAX_EXPORT_ROWS = 100_000


def settings_of(session: Session) -> Settings:
    """The settings a caller put in the session's info, else the environment's (worker and web read the same)."""
    settings = session.info.get("settings")
    return settings if isinstance(settings, Settings) else Settings.from_env()


def exports_dir(settings: Settings) -> Path:
    """Where made files are kept: the instance directory, beside the uploads, outside the static root."""
    return Path(settings.instance_path) / "exports"


def file_path(directory: Path, job: FileJob) -> Path:
    """The file of a job: `<exports>/<first two characters>/<random name>`."""
    return Path(directory) / job.stored_name[:2] / job.stored_name


def label_items(shipment: Shipment):  # noqa: ANN201
    """The shipment's unit lines that carry an order (a unit label prints the order number), as packed
    (units found unexpected at the destination last, as they were scanned in)."""
    return (select(ShipmentItem.id).where(
        ShipmentItem.shipment_id == shipment.id, ShipmentItem.unit_id.is_not(None),
        ShipmentItem.order_id.is_not(None)).order_by(ShipmentItem.id))


def count_label_items(session: Session, shipment: Shipment) -> int:
    """How many unit labels the shipment's PDF has."""
    with lifted(session):  # the lines are the shipment's own: its ends see all of them
        return session.scalar(select(func.count()).select_from(label_items(shipment).subquery())) or 0


def _shipment_of(session: Session, actor: User, number: str) -> Shipment:
    """A shipment one of whose ends is the actor's center (any, for an admin)."""
    shipment = get_shipment(session, number or "", with_items=False)  # unknown or walled off: NotFound
    if actor.role != Role.ADMIN and actor.center_id not in (shipment.from_center_id, shipment.to_center_id):
        raise NotFound(N_("No shipment %(number)s"), number=shipment.number)
    return shipment


def request_shipment_labels(session: Session, actor: User, number: str) -> FileJob:
    """Ask for every unit label of a shipment as one PDF, made in the background after the commit."""
    shipment = _shipment_of(session, actor, number)
    total = count_label_items(session, shipment)
    if total == 0:
        raise ValidationFailed(N_("Shipment %(number)s has no units to label"), number=shipment.number)
    if total > MAX_LABELS:
        raise ValidationFailed(N_("At most %(limit)s labels can be printed at once"), limit=MAX_LABELS)
    parameters = {"shipment_id": shipment.id}
    waiting = _waiting(session, actor, FileJobKind.SHIPMENT_UNIT_LABELS, parameters)
    if waiting is not None:  # a second click while the first is still being made: the same file
        return waiting
    return _request(session, actor, FileJobKind.SHIPMENT_UNIT_LABELS, parameters,
                    PDF_TYPE, f"{shipment.number}-unit-labels.pdf", total)


def request_work_orders(session: Session, actor: User, orders: Sequence[RepairOrder], download_name: str,
                        copies: int = 1) -> FileJob:
    """Ask for the work orders of these orders (loaded under the caller's checks) as one PDF."""
    if not orders:
        raise ValidationFailed(N_("Check at least one order"), errors={"order": N_("Required")})
    if len(orders) > MAX_WORK_ORDERS:
        raise ValidationFailed(N_("At most %(limit)s work orders can be printed at once"), limit=MAX_WORK_ORDERS)
    parameters = {"order_ids": [order.id for order in orders], "copies": 2 if copies == 2 else 1}
    waiting = _waiting(session, actor, FileJobKind.WORK_ORDERS, parameters)
    if waiting is not None:
        return waiting
    return _request(session, actor, FileJobKind.WORK_ORDERS, parameters, PDF_TYPE, download_name, len(orders))


def request_shipment_work_orders(session: Session, actor: User, number: str) -> FileJob:
    """Ask for the work orders of a shipment's units as one PDF (the paper that travels with them)."""
    shipment = _shipment_of(session, actor, number)
    with lifted(session):  # the lines are the shipment's own: its ends see all of them
        ids = list(dict.fromkeys(session.scalars(label_items(shipment).with_only_columns(ShipmentItem.order_id))))
    # The orders themselves (the customer's name and phone are on the paper) only as far as the actor's wall
    # lets them see: a partner prints the work orders of the repairs routed to it, not the sender's others.
    visible = set(session.scalars(select(RepairOrder.id).where(RepairOrder.id.in_(ids)))) if ids else set()
    orders = [session.get(RepairOrder, order_id) for order_id in ids if order_id in visible]
    if not orders:
        raise ValidationFailed(N_("Shipment %(number)s has no units with an order"), number=shipment.number)
    return request_work_orders(session, actor, orders, f"{shipment.number}-work-orders.pdf")


def request_orders_export(session: Session, actor: User, params: dict[str, str], file_format: str) -> FileJob:
    """Ask for the orders behind a report's figure as CSV or XLSX. `params` are the drill-down's, already
    forced to the actor's center where they see only their own; the session's wall counts them here and
    is put up again around the job."""
    if file_format not in (CSV, XLSX):
        raise ValidationFailed(N_("Choose CSV or XLSX"), errors={"format": N_("Not understood")})
    ids = orders_behind_query(params).with_only_columns(RepairOrder.id).order_by(None)
    total = session.scalar(select(func.count()).select_from(ids.limit(MAX_EXPORT_ROWS + 1).subquery())) or 0
    if total == 0:
        raise ValidationFailed(N_("There are no orders to export"))
    if total > MAX_EXPORT_ROWS:
        raise ValidationFailed(N_("At most %(limit)s orders can be exported at once: narrow the filter"),
                               limit=MAX_EXPORT_ROWS)
    parameters = {"params": dict(sorted(params.items())), "format": file_format}
    waiting = _waiting(session, actor, FileJobKind.ORDERS_EXPORT, parameters)
    if waiting is not None:
        return waiting
    name = f"orders-{utcnow():%Y-%m-%d}.{file_format}"
    return _request(session, actor, FileJobKind.ORDERS_EXPORT, parameters,
                    CSV_TYPE if file_format == CSV else XLSX_TYPE, name, total)


def _waiting(session: Session, actor: User, kind: FileJobKind, parameters: dict) -> FileJob | None:
    recent = session.scalars(select(FileJob).where(
        FileJob.requested_by_id == actor.id, FileJob.kind == kind,
        FileJob.state.in_((FileJobState.QUEUED, FileJobState.RUNNING))).order_by(FileJob.id.desc()).limit(20))
    return next((job for job in recent if job.parameters == parameters
                 and job_status(session, job)[0] != FileJobState.FAILED), None)


def _request(session: Session, actor: User, kind: FileJobKind, parameters: dict, content_type: str,
             download_name: str, total: int) -> FileJob:
    extension = {PDF_TYPE: "pdf", CSV_TYPE: "csv", XLSX_TYPE: "xlsx"}[content_type]
    job = FileJob(kind=kind, parameters=parameters, requested_by_id=actor.id, center_id=actor.center_id,
                  state=FileJobState.QUEUED, progress_total=total, content_type=content_type,
                  download_name=download_name, stored_name=f"{secrets.token_hex(16)}.{extension}")
    session.add(job)
    session.flush()
    outbox = enqueue_after_commit(session, RENDER_JOB, file_job_id=job.id)
    session.flush()
    job.outbox_job_id = outbox.id
    return job


def may_see(actor: User, job: FileJob) -> bool:
    """The requester, their center's colleagues and an admin see a file; nobody else."""
    return actor.role == Role.ADMIN or job.requested_by_id == actor.id or job.center_id == actor.center_id


def get_file_job(session: Session, actor: User, job_id: int) -> FileJob:
    """A file job the actor may see; NotFound otherwise (another center's looks like a missing one)."""
    job = session.get(FileJob, job_id)
    if job is None or not may_see(actor, job):
        raise NotFound(N_("No such file"))
    return job


GAVE_UP = N_("The file could not be made; please ask for it again")


def job_status(session: Session, job: FileJob) -> tuple[FileJobState, str]:
    """The state to show and its error (an English msgid). A job whose outbox run failed outright
    (a crash the handler could not record) shows as failed rather than running for ever."""
    if job.state in (FileJobState.DONE, FileJobState.FAILED) or job.outbox_job_id is None:
        return job.state, job.error
    outbox = session.get(OutboxJob, job.outbox_job_id)
    if outbox is not None and outbox.state == OutboxState.FAILED:
        return FileJobState.FAILED, GAVE_UP
    return job.state, job.error


def list_file_jobs(session: Session, actor: User, limit: int = 50) -> list[FileJob]:
    """The actor's own files, newest first."""
    return list(session.scalars(select(FileJob).where(FileJob.requested_by_id == actor.id)
                                .order_by(FileJob.id.desc()).limit(limit)))
