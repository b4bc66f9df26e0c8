"""Equipment units: find by manufacturer and serial (with today's warranty verdict), and a unit's history."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from flask import jsonify, request
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from servicecenter.accounts.roles import Role
from servicecenter.clock import local_date, utcnow
from servicecenter.equipment import imports
from servicecenter.equipment.models import Unit
from servicecenter.equipment.services import normalise_serial
from servicecenter.errors import N_, NotFound
from servicecenter.paging import paginate
from servicecenter.repairs.intake import warranty_verdict
from servicecenter.repairs.models import RepairEvent
from workstations.api import bp, present
from workstations.api.catalog import manufacturer_named
from workstations.api.payload import paged, query_page
from workstations.api.problems import Problem
from workstations.web.access import allow, any_staff
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

MAX_ID = 2**31 - 1


def _unit(u: Unit) -> dict[str, Any]:
    """The unit with the warranty it would get at the caller's center today."""
    center = actor().center
    verdict = warranty_verdict(db(), model=u.model, unit=u, purchase_date=None, center=center,
                               today=local_date(utcnow(), center.timezone))
    return {"id": u.id, "manufacturer": u.manufacturer.name, "model": u.model.name, "category": u.model.category,
            "serial": u.serial, "production_date": present.day(u.production_date),
            "purchase_date": present.day(u.purchase_date), "seller": u.seller,
            "warranty": {"covered": verdict.covered, "until": present.day(verdict.until), "reason": verdict.reason()}}


@bp.route("/units")
@any_staff()
def units() -> Response:
    """Units by manufacturer (name) and serial (exact, as the unit's label prints it), as the scope sees them."""
    page, per_page = query_page()
    stmt = (select(Unit).options(joinedload(Unit.manufacturer), joinedload(Unit.model), joinedload(Unit.contract))
            .order_by(Unit.serial, Unit.id))
    name = request.args.get("manufacturer", "")
    if name.strip():
        stmt = stmt.where(Unit.manufacturer_id == manufacturer_named(name).id)
    serial = request.args.get("serial", "")
    if serial.strip():
        stmt = stmt.where(Unit.serial == normalise_serial(serial))
    result = paginate(db(), stmt, page, per_page)
    return jsonify(paged(result, [_unit(u) for u in result.items]))


@bp.route("/units/<int:unit_id>/history")
@any_staff()
def unit_history(unit_id: int) -> Response:
    """Every event about the unit across its orders, oldest first (404 outside the caller's scope)."""
    page, per_page = query_page()
    if unit_id > MAX_ID or db().get(Unit, unit_id) is None:  # an id past the column's range names nothing
        raise NotFound(N_("No such unit"))
    stmt = (select(RepairEvent).where(RepairEvent.unit_id == unit_id)
            .options(joinedload(RepairEvent.actor), joinedload(RepairEvent.order)).order_by(RepairEvent.id))
    result = paginate(db(), stmt, page, per_page)
    return jsonify(paged(result, [{**present.event(ev), "order": ev.order.number if ev.order is not None else None}
                                  for ev in result.items]))


IMPORT_TYPES = {"text/csv": "csv", "application/x-ndjson": "jsonl", "application/jsonl": "jsonl",
                "application/x-jsonlines": "jsonl", "application/jsonlines": "jsonl"}


def _csv_rows(text: str) -> Iterator[dict[str, Any]]:
    """A CSV with a header row (comma or semicolon separated, as Excel saves it)."""
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = {(name or "").strip().lower() for name in (reader.fieldnames or [])}
    missing = [name for name in ("manufacturer", "model", "serial") if name not in header]
    if missing:
        raise Problem(422, gettext("Some fields are wrong: nothing was changed."),
                      {"file": gettext("The header row lacks: %(fields)s", fields=", ".join(missing))})
    for row in reader:
        yield {(k or "").strip().lower(): v for k, v in row.items() if isinstance(v, str)}


def _jsonl_rows(text: str) -> Iterator[Any]:
    """One JSON object per line; blank lines skipped, a line that is not JSON is a rejected row."""
    for line in text.splitlines():
        if line.strip():
            try:
                yield json.loads(line)
            except (ValueError, RecursionError):
                yield None


@bp.route("/units/import", methods=["POST"])
@allow(Role.ADMIN)
def import_units() -> Response:
    """Units from production (CSV or JSON Lines): created, updated, unchanged and each rejected row's reason."""
    kind = IMPORT_TYPES.get(request.mimetype)
    if kind is None:
        raise Problem(415, gettext("Send the file as text/csv or application/x-ndjson."))
    try:
        text = request.get_data().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Problem(400, gettext("The file is not UTF-8 text.")) from exc
    rows = _csv_rows(text) if kind == "csv" else _jsonl_rows(text)
    center = actor().center
    try:
        result = imports.import_units(db(), actor(), rows, local_date(utcnow(), center.timezone))
    except csv.Error as exc:
        raise Problem(400, gettext("The file is not CSV: %(error)s", error=str(exc)[:100])) from exc
    return jsonify({"rows": result.rows, "created": result.created, "updated": result.updated,
                    "unchanged": result.unchanged, "rejected": len(result.rejected),
                    "rejected_rows": [{"row": r.row, "serial": r.serial, "reason": gettext(r.reason, **r.params)}
                                      for r in result.rejected]})
