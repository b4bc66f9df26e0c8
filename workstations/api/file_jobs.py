"""Files made in the background (a shipment's unit labels or work orders): the job's progress, then the file.
The requester, their center's colleagues and an administrator see a job (the web's files pages' rule,
`filejobs.services.get_file_job`); anyone else gets 404."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, send_file, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from servicecenter.clock import utcnow
from servicecenter.errors import N_, NotFound
from servicecenter.filejobs.models import FileJob, FileJobKind, FileJobState
from servicecenter.filejobs.services import exports_dir, file_path, get_file_job, job_status
from workstations.api import bp, present
from workstations.api.problems import Problem
from workstations.api.spec import MOMENT, json_answer, nullable, obj, problems, register
from workstations.files.views import EXPIRED
from workstations.web.access import any_staff
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

NOT_READY = N_("The file is not made yet: ask for the job's state again in a moment")


def _expired(job: FileJob) -> bool:
    return job.expires_at is not None and job.expires_at <= utcnow()


def file_job_body(job: FileJob) -> dict[str, Any]:
    """A file job as the API answers it: its state (a crashed run shows failed), progress and download."""
    state, error = job_status(db(), job)
    ready = state == FileJobState.DONE and not _expired(job)
    return {"id": job.id, "kind": job.kind.value, "state": state.value, "done": job.progress_done,
            "total": job.progress_total,
            "error": gettext(error) if error else (gettext(EXPIRED) if state == FileJobState.DONE and not ready else ""),
            "name": job.download_name, "content_type": job.content_type,
            "created_at": present.moment(job.created_at), "finished_at": present.moment(job.finished_at),
            "download": url_for("api.file_job_download", job_id=job.id) if ready else None}


@bp.route("/file-jobs/<int:job_id>")
@any_staff()
def file_job(job_id: int) -> Response:
    """How far the file is; `download` is its address once it is made."""
    response = jsonify(file_job_body(get_file_job(db(), actor(), job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/file-jobs/<int:job_id>/download")
@any_staff()
def file_job_download(job_id: int) -> Response:
    """The made file (404 once it has been removed; 409 while it is still being made)."""
    job = get_file_job(db(), actor(), job_id)
    state = job_status(db(), job)[0]
    if state in (FileJobState.QUEUED, FileJobState.RUNNING):
        raise Problem(409, gettext(NOT_READY), kind="state-conflict", current=state.value,
                      allowed=[FileJobState.DONE.value])
    path = file_path(exports_dir(current_app.config["SETTINGS"]), job)
    if state != FileJobState.DONE or _expired(job) or not path.is_file():
        raise NotFound(EXPIRED if state == FileJobState.DONE else N_("No such file"))
    response = send_file(path, mimetype=job.content_type, as_attachment=True, download_name=job.download_name,
                         conditional=True, etag=True, max_age=None)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"  # asked again each time: access is checked each time
    return response


_JOB = [{"name": "job_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
register({
    "/file-jobs/{job_id}": {"get": {
        "operationId": "getFileJob", "summary": "A file made in the background: its state and progress",
        "parameters": _JOB, "responses": {"200": json_answer("FileJob", "The job"), **problems("404")}}},
    "/file-jobs/{job_id}/download": {"get": {
        "operationId": "downloadFileJob", "summary": "The made file (PDF, CSV or XLSX)", "parameters": _JOB,
        "responses": {"200": {"description": "The file", "content": {
            "application/pdf": {"schema": {"contentMediaType": "application/pdf"}},
            "text/csv": {"schema": {"contentMediaType": "text/csv"}},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": {"contentMediaType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}}}},
            **problems("404", "409")}}},
}, {
    "FileJob": obj({
        "id": {"type": "integer"}, "kind": {"type": "string", "enum": [k.value for k in FileJobKind]},
        "state": {"type": "string", "enum": [s.value for s in FileJobState]},
        "done": {"type": "integer", "description": "Pages (or rows) made so far"},
        "total": {"type": "integer"}, "error": {"type": "string", "description": "Why it was not made, or removed"},
        "name": {"type": "string", "description": "The file's name"}, "content_type": {"type": "string"},
        "created_at": MOMENT, "finished_at": nullable(MOMENT),
        "download": {"type": ["string", "null"], "description": "The file's address once it is made (and kept)"}}),
})
