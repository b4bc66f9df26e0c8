"""Background jobs (administrator): counts, failed jobs with their errors, retry; the periodic jobs."""

from __future__ import annotations

import logging

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from servicecenter.fields import parse_id
from servicecenter.jobs import queries
from servicecenter.jobs.services import requeue_queue_failure, retry_outbox_job
from workstations.admin import bp
from workstations.web.dbsession import db

log = logging.getLogger(__name__)


def _dispatcher():  # noqa: ANN202
    return current_app.extensions["servicecenter.jobs"]


@bp.route("/jobs/")
def jobs() -> str:
    dispatcher = _dispatcher()
    queue_failures, queue_failed_count, queue_error = [], 0, False
    if not dispatcher.embedded:
        try:
            queue = dispatcher.queue()
            queue_failures = queries.list_queue_failures(queue)
            queue_failed_count = queries.count_queue_failures(queue)
        except Exception:  # Redis away: say so, show what the database knows
            log.warning("could not read the failed job registry", exc_info=True)
            queue_error = True
    return render_template("admin/jobs.html", counts=queries.count_outbox(db()),
                           failed=queries.list_failed_outbox(db()), periodic=queries.list_periodic(db()),
                           queue_failures=queue_failures, queue_failed_count=queue_failed_count,
                           queue_error=queue_error, embedded=dispatcher.embedded, form=FlaskForm(),
                           error_summary=queries.error_summary, mask=queries.mask_personal,
                           payload_ids=queries.payload_ids)


@bp.route("/jobs/<int:outbox_id>/retry", methods=["POST"])
def job_retry(outbox_id: int) -> Response:
    if FlaskForm().validate_on_submit():
        row = retry_outbox_job(db(), outbox_id)
        flash(_("Job %(id)s (%(name)s) is queued again.", id=row.id, name=row.name), "success")
    else:
        flash(_("The form has expired; please try again."), "error")
    return redirect(url_for("admin.jobs"))


@bp.route("/jobs/queue/<job_id>/retry", methods=["POST"])
def job_queue_retry(job_id: str) -> Response:
    """A failure in RQ's registry: an outbox job is retried through its row, another one requeued."""
    if not FlaskForm().validate_on_submit():
        flash(_("The form has expired; please try again."), "error")
        return redirect(url_for("admin.jobs"))
    outbox_id = parse_id(job_id[7:]) if job_id.startswith("outbox-") else None
    if outbox_id is not None:
        return job_retry(outbox_id)
    dispatcher = _dispatcher()
    if dispatcher.embedded or not requeue_queue_failure(dispatcher.queue(), job_id):
        flash(_("No such failed job in the queue."), "error")
    else:
        flash(_("Job %(id)s is queued again.", id=job_id), "success")
    return redirect(url_for("admin.jobs"))
