"""Attachment views: thin — load through the request's (walled) session, call one service, send or redirect."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from flask import current_app, flash, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response
from wtforms import SelectField

from servicecenter.attachments import (
    MAX_PHOTO_BYTES,
    UPLOAD_ROLES,
    attachment_path,
    can_add_photos,
    get_attachment,
    list_attachments,
    store_photos,
    thumbnail_path,
)
from servicecenter.errors import N_, NotFound, ValidationFailed
from servicecenter.repairs import queries
from servicecenter.repairs.models import Attachment, AttachmentKind, RepairOrder
from servicecenter.repairs.states import RepairState
from workstations.attachments import bp
from workstations.web.access import allow, any_staff
from workstations.web.auth_session import actor
from workstations.web.dbsession import db
from workstations.web.errors import translate

KIND = {
    AttachmentKind.INTAKE_PHOTO: _l("Unit at intake"),
    AttachmentKind.PART_PHOTO: _l("Parts"),
    AttachmentKind.SIGNED_ACT: _l("Signed act"),
    AttachmentKind.DOCUMENT: _l("Document"),
}
PHOTO_KINDS = (AttachmentKind.INTAKE_PHOTO, AttachmentKind.PART_PHOTO)
ACCEPT = "image/jpeg,image/png,image/webp"
# The browser opens the file itself: nothing in it may run, whatever a crafted file contains.
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


class PhotoUploadForm(FlaskForm):
    max_mb = MAX_PHOTO_BYTES // (1024 * 1024)
    photos = MultipleFileField(_l("Photos"))
    kind = SelectField(_l("What is in them"), choices=[(k.value, KIND[k]) for k in PHOTO_KINDS],
                       default=AttachmentKind.INTAKE_PHOTO.value)


def storage_dir() -> Path:
    """Uploads live in the instance folder, never under static/."""
    return Path(current_app.config["SETTINGS"].instance_path) / "uploads"


def store_uploaded_photos(order: RepairOrder, files: Iterable[FileStorage] | None,
                          kind: AttachmentKind = AttachmentKind.INTAKE_PHOTO) -> list[Attachment]:
    """Store a form's uploaded files with the order, in the request's transaction (ValidationFailed if bad)."""
    # Reading one byte past the cap is enough for the domain to refuse a file as too large.
    uploads = [(f.filename, f.read(MAX_PHOTO_BYTES + 1)) for f in files or () if f and f.filename]
    return store_photos(db(), actor(), order, uploads, storage_dir(), kind)


@bp.app_template_global()
def order_attachments(order: RepairOrder) -> list[Attachment]:
    return list_attachments(db(), order)


@bp.app_template_global()
def may_add_photos(order: RepairOrder) -> bool:
    return current_user.is_authenticated and can_add_photos(current_user.principal, order)


@bp.app_template_global()
def attachment_kind_label(kind: AttachmentKind) -> str:
    return str(KIND.get(kind, kind))


@bp.app_template_global()
def photo_upload_form(order: RepairOrder) -> PhotoUploadForm:
    """The upload form, guessing what the photos show: the unit as received, or parts later on."""
    form = PhotoUploadForm(formdata=None)
    early = order.state in (RepairState.REGISTERED, RepairState.RECEIVED)
    form.kind.data = (AttachmentKind.INTAKE_PHOTO if early else AttachmentKind.PART_PHOTO).value
    return form


@bp.route("/orders/<number>/attachments", methods=["POST"])
@allow(*UPLOAD_ROLES)
def upload(number: str) -> Response:
    order = queries.get_order_by_number(db(), number)  # another center's order: 404, like a missing one
    back = url_for("orders.show", number=order.number, _anchor="photos")
    form = PhotoUploadForm()
    if not form.validate():
        flash(_("The form was incomplete; nothing was changed."), "error")
        return redirect(back)
    if not form.photos.data:
        flash(_("Choose one or more photos."), "error")
        return redirect(back)
    try:
        stored = store_uploaded_photos(order, form.photos.data, AttachmentKind(form.kind.data))
    except ValidationFailed as exc:  # the whole batch was refused before anything was written
        flash(translate(exc), "error")
        return redirect(back)
    flash(ngettext("%(num)s photo added.", "%(num)s photos added.", len(stored)), "success")
    return redirect(back)


def _send(path: Path, mimetype: str, name: str) -> Response:
    if not path.is_file():
        raise NotFound(N_("No such file"))
    response = send_file(path, mimetype=mimetype, download_name=name, as_attachment=False, conditional=True,
                         etag=True, max_age=None)
    response.headers["Content-Type"] = mimetype
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_CSP
    # Only this user's browser may keep it, and it asks again (ETag) so access is checked each time.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _name(attachment: Attachment, suffix: str = "") -> str:
    stem, _dot, ext = (attachment.original_name or "").rpartition(".")
    if not stem:
        stem, ext = "photo", attachment_path(storage_dir(), attachment).suffix.lstrip(".")
    return f"{stem}{suffix}.{ext}"


@bp.route("/attachments/<int:attachment_id>")
@any_staff()
def original(attachment_id: int) -> Response:
    attachment = get_attachment(db(), attachment_id)  # through the order: another center's is 404
    return _send(attachment_path(storage_dir(), attachment), attachment.content_type, _name(attachment))


@bp.route("/attachments/<int:attachment_id>/thumb")
@any_staff()
def thumbnail(attachment_id: int) -> Response:
    attachment = get_attachment(db(), attachment_id)
    stem = _name(attachment).rpartition(".")[0]
    return _send(thumbnail_path(storage_dir(), attachment), "image/jpeg", f"{stem}-thumb.jpg")
