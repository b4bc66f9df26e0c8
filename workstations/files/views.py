"""File job views: thin — load the job through the services (another center's is 404), render or send."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, jsonify, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from servicecenter.clock import utcnow
from servicecenter.errors import N_, NotFound
from servicecenter.filejobs.models import FileJob, FileJobState
from servicecenter.filejobs.services import exports_dir, file_path, get_file_job, job_status, list_file_jobs
from workstations.files import bp
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

STATE = {
    FileJobState.QUEUED: _l("Waiting to start"),
    FileJobState.RUNNING: _l("Being made"),
    FileJobState.DONE: _l("Ready"),
    FileJobState.FAILED: _l("Not made"),
}
EXPIRED = N_("This file has been removed; please ask for it again")


def _dir() -> Path:
    return exports_dir(current_app.config["SETTINGS"])


def _expired(job: FileJob) -> bool:
    return job.expires_at is not None and job.expires_at <= utcnow()


def _status(job: FileJob) -> dict:
    state, error = job_status(db(), job)
    ready = state == FileJobState.DONE and not _expired(job)
    return {
        "id": job.id, "state": state.value, "state_label": str(STATE[state]),
        "done": job.progress_done, "total": job.progress_total,
        "error": _(error) if error else (_(EXPIRED) if state == FileJobState.DONE and not ready else ""),
        "download_url": url_for("files.download", job_id=job.id) if ready else None,
        "name": job.download_name,
    }


@bp.route("/")
def index() -> str:
    jobs = list_file_jobs(db(), actor())
    return render_template("files/index.html", jobs=[(job, _status(job)) for job in jobs])


@bp.route("/<int:job_id>")
def show(job_id: int) -> str:
    job = get_file_job(db(), actor(), job_id)
    return render_template("files/show.html", job=job, status=_status(job))


@bp.route("/<int:job_id>.json")
def status(job_id: int) -> Response:
    response = jsonify(_status(get_file_job(db(), actor(), job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:job_id>/download")
def download(job_id: int) -> Response:
    job = get_file_job(db(), actor(), job_id)
    path = file_path(_dir(), job)
    if job_status(db(), job)[0] != FileJobState.DONE or _expired(job) or not path.is_file():
        raise NotFound(EXPIRED if job.state == FileJobState.DONE else N_("No such file"))
    response = send_file(path, mimetype=job.content_type, as_attachment=True, download_name=job.download_name,
                         conditional=True, etag=True, max_age=None)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-cache"  # asked again each time: access is checked each time
    return response
