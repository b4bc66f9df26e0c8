"""Attachment views (photos, signed acts, documents): thin — load through the request's (walled) session, call one service, send or redirect."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from flask import current_app, flash, redirect, send_file, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response
from wtforms import SelectField

from servicecenter.attachment_pdf import MAX_PDF_PAGES
from servicecenter.attachments import (
    DOCUMENT_KINDS,
    MAX_DOCUMENT_BYTES,
    MAX_PHOTO_BYTES,
    PDF_TYPE,
    PHOTO_KINDS,
    UPLOAD_ROLES,
    attachment_path,
    can_add_documents,
    can_add_photos,
    get_attachment,
    list_attachments,
    list_documents,
    store_documents,
    store_photos,
    thumbnail_path,
)
from servicecenter.errors import N_, NotFound, ValidationFailed
from servicecenter.repairs import queries
from servicecenter.repairs.models import Attachment, AttachmentKind, RepairOrder
from servicecenter.repairs.states import RepairState
from workstations.attachments import bp
from workstations.order_contents import once_per_request, order_has
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
ACCEPT = "image/jpeg,image/png,image/webp"
DOCUMENT_ACCEPT = ".pdf,.jpg,.jpeg,.png,.webp"
# The browser opens the file itself: nothing in it may run, whatever a crafted file contains.
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


_PHOTO_CHOICES = (AttachmentKind.INTAKE_PHOTO, AttachmentKind.PART_PHOTO)
_DOCUMENT_CHOICES = (AttachmentKind.SIGNED_ACT, AttachmentKind.DOCUMENT)
assert set(_PHOTO_CHOICES) == PHOTO_KINDS and set(_DOCUMENT_CHOICES) == DOCUMENT_KINDS


class PhotoUploadForm(FlaskForm):
    max_mb = MAX_PHOTO_BYTES // (1024 * 1024)
    photos = MultipleFileField(_l("Photos"))
    kind = SelectField(_l("What is in them"), choices=[(k.value, KIND[k]) for k in _PHOTO_CHOICES],
                       default=AttachmentKind.INTAKE_PHOTO.value)


class DocumentUploadForm(FlaskForm):
    max_mb = MAX_DOCUMENT_BYTES // (1024 * 1024)
    photo_mb = MAX_PHOTO_BYTES // (1024 * 1024)
    max_pages = MAX_PDF_PAGES
    accept = DOCUMENT_ACCEPT
    documents = MultipleFileField(_l("Files"))
    kind = SelectField(_l("What it is"), choices=[(k.value, KIND[k]) for k in _DOCUMENT_CHOICES],
                       default=AttachmentKind.SIGNED_ACT.value)


def storage_dir() -> Path:
    """Uploads live in the instance folder, never under static/."""
    return Path(current_app.config["SETTINGS"].instance_path) / "uploads"


def store_uploaded_photos(order: RepairOrder, files: Iterable[FileStorage] | None,
                          kind: AttachmentKind = AttachmentKind.INTAKE_PHOTO) -> list[Attachment]:
    """Store a form's uploaded files with the order, in the request's transaction (ValidationFailed if bad)."""
    # Reading one byte past the cap is enough for the domain to refuse a file as too large.
    uploads = [(f.filename, f.read(MAX_PHOTO_BYTES + 1)) for f in files or () if f and f.filename]
    return store_photos(db(), actor(), order, uploads, storage_dir(), kind)


def store_uploaded_documents(order: RepairOrder, files: Iterable[FileStorage] | None,
                             kind: AttachmentKind) -> list[Attachment]:
    """Store a form's uploaded documents with the order, in the request's transaction (ValidationFailed if bad)."""
    uploads = [(f.filename, f.read(MAX_DOCUMENT_BYTES + 1)) for f in files or () if f and f.filename]
    return store_documents(db(), actor(), order, uploads, storage_dir(), kind)


@bp.app_template_global()
def order_attachments(order: RepairOrder) -> list[Attachment]:
    """The order's photos (signed acts and documents have their own section: order_documents)."""
    return [a for a in _order_files(order) if a.kind in PHOTO_KINDS]


@bp.app_template_global()
def order_documents(order: RepairOrder) -> list[tuple[Attachment, str]]:
    """The order's signed acts and documents, each with who uploaded it (as far as the user may see them)."""
    return [(a, who or "—") for a, who in list_documents(db(), order, among=_order_files(order))]


def _order_files(order: RepairOrder) -> list[Attachment]:
    """All of the order's files, read once per request (the page shows photos and documents apart)."""
    return once_per_request("order_files", order,
                            lambda: list_attachments(db(), order) if order_has(order).files else [])


@bp.app_template_global()
def file_size(size: int) -> str:
    """A file's size for people: kilobytes below a megabyte, else megabytes with one decimal."""
    if size < 1024 * 1024:
        return _("%(num)s KB", num=format_decimal(max(1, round(size / 1024))))
    return _("%(num)s MB", num=format_decimal(round(size / (1024 * 1024), 1)))


@bp.app_template_global()
def may_add_photos(order: RepairOrder) -> bool:
    return current_user.is_authenticated and can_add_photos(current_user.principal, order)


@bp.app_template_global()
def may_add_documents(order: RepairOrder) -> bool:
    return current_user.is_authenticated and can_add_documents(current_user.principal, order)


@bp.app_template_global()
def document_upload_form(order: RepairOrder) -> DocumentUploadForm:
    """The documents form: once the unit is ready or handed back, the paper is most likely the signed act."""
    form = DocumentUploadForm(formdata=None)
    late = order.state in (RepairState.READY_FOR_PICKUP, RepairState.ISSUED)
    form.kind.data = (AttachmentKind.SIGNED_ACT if late else AttachmentKind.DOCUMENT).value
    return form


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


@bp.route("/orders/<number>/documents", methods=["POST"])
@allow(*UPLOAD_ROLES)
def upload_documents(number: str) -> Response:
    order = queries.get_order_by_number(db(), number)  # another center's order: 404, like a missing one
    back = url_for("orders.show", number=order.number, _anchor="documents")
    form = DocumentUploadForm()
    if not form.validate():
        flash(_("The form was incomplete; nothing was changed."), "error")
        return redirect(back)
    if not form.documents.data or not any(f and f.filename for f in form.documents.data):
        flash(_("Choose one or more files."), "error")
        return redirect(back)
    try:
        stored = store_uploaded_documents(order, form.documents.data, AttachmentKind(form.kind.data))
    except ValidationFailed as exc:  # the whole batch was refused before anything was written
        flash(translate(exc), "error")
        return redirect(back)
    flash(ngettext("%(num)s document added.", "%(num)s documents added.", len(stored)), "success")
    return redirect(back)


def _send(path: Path, mimetype: str, name: str, download: bool = False) -> Response:
    if not path.is_file():
        raise NotFound(N_("No such file"))
    # A PDF is always saved, never shown in the browser: its viewer runs scripts and forms.
    response = send_file(path, mimetype=mimetype, download_name=name, as_attachment=download, conditional=True,
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
        stem = "document" if attachment.kind in DOCUMENT_KINDS else "photo"
        ext = attachment_path(storage_dir(), attachment).suffix.lstrip(".")
    return f"{stem}{suffix}.{ext}"


def serve_original(attachment_id: int) -> Response:
    """The original file (the order page's and the API's): images inline, PDFs as a download; nosniff,
    sandboxed. Found through its order: another center's is 404."""
    attachment = get_attachment(db(), attachment_id)
    return _send(attachment_path(storage_dir(), attachment), attachment.content_type, _name(attachment),
                 download=attachment.content_type == PDF_TYPE)


def serve_thumbnail(attachment_id: int) -> Response:
    """A JPEG at most 320 px on its longer side (images only; a PDF has none: 404)."""
    attachment = get_attachment(db(), attachment_id)
    stem = _name(attachment).rpartition(".")[0]
    return _send(thumbnail_path(storage_dir(), attachment), "image/jpeg", f"{stem}-thumb.jpg")


@bp.route("/attachments/<int:attachment_id>")
@any_staff()
def original(attachment_id: int) -> Response:
    return serve_original(attachment_id)


@bp.route("/attachments/<int:attachment_id>/thumb")
@any_staff()
def thumbnail(attachment_id: int) -> Response:
    return serve_thumbnail(attachment_id)
