"""The orders behind a figure, whole: as CSV or XLSX, or their work orders as one PDF. Each is made in the
background (a list may hold a hundred thousand orders); the request only checks and queues it, then goes
on to the file's page with its progress."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from werkzeug.wrappers import Response

from servicecenter.errors import DomainError
from servicecenter.filejobs.services import (
    CSV,
    MAX_WORK_ORDERS,
    XLSX,
    request_orders_export,
    request_work_orders,
)
from servicecenter.reports.drill import orders_behind_query
from workstations.reports import bp
from workstations.reports.filters import FilterRefused
from workstations.reports.views import drill_params
from workstations.web.auth_session import actor
from workstations.web.dbsession import db
from workstations.web.errors import translate

WORK_ORDERS = "work_orders"


@bp.route("/orders/export", methods=["POST"])
def export_orders() -> Response:
    """The list's filter travels in the address, as on the list itself; the format in the form."""
    what = request.form.get("format", "")
    back = url_for("reports.orders", **request.args)
    try:
        params = drill_params()
        if what == WORK_ORDERS:
            # One more than allowed is read, so that too long a list is refused rather than cut short.
            orders = list(db().scalars(orders_behind_query(params).limit(MAX_WORK_ORDERS + 1)))
            job = request_work_orders(db(), actor(), orders, "work-orders.pdf")
        else:
            job = request_orders_export(db(), actor(), params, what if what in (CSV, XLSX) else "")
    except FilterRefused as exc:
        flash(exc.message, "error")
        return redirect(back, 303)
    except DomainError as exc:
        db().rollback()
        flash(translate(exc), "error")
        return redirect(back, 303)
    return redirect(url_for("files.show", job_id=job.id), 303)
