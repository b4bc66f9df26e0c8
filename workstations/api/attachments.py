"""An order's photos and documents: upload (multipart/form-data), list, download — the order page's and the
bench's attachment services, with the same checks of every file (servicecenter/attachments.py)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from servicecenter.attachments import (
    MAX_DOCUMENT_BYTES,
    MAX_PHOTO_BYTES,
    MAX_PHOTO_PIXELS,
    PDF_TYPE,
    UPLOAD_ROLES,
    list_attachments,
)
from servicecenter.errors import N_
from servicecenter.paging import Page
from servicecenter.repairs import queries, work
from servicecenter.repairs.models import Attachment, AttachmentKind
from servicecenter.repairs.states import BENCH
from workstations.api import bp, present
from workstations.api.payload import Fields, multipart_files, paged, query_page
from workstations.api.spec import (
    INT,
    MOMENT,
    NUMBER,
    PAGING,
    STR,
    nullable,
    obj,
    page_of,
    problems,
    ref,
    register,
)
from workstations.attachments.views import (
    _name,
    serve_original,
    serve_thumbnail,
    store_uploaded_documents,
    store_uploaded_photos,
)
from workstations.web.access import allow, any_staff
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

KINDS = [k.value for k in AttachmentKind]
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")


def _item(a: Attachment) -> dict[str, Any]:
    image = a.content_type != PDF_TYPE
    return {"id": a.id, "kind": a.kind.value, "name": _name(a), "content_type": a.content_type, "size": a.size,
            "width": a.width, "height": a.height, "created_at": present.moment(a.created_at),
            "url": url_for("api.attachment", attachment_id=a.id),
            "thumbnail_url": url_for("api.attachment_thumbnail", attachment_id=a.id) if image else None}


def _files(field: str, empty: str, default: AttachmentKind | None = None) -> tuple[list[FileStorage], AttachmentKind]:
    """The multipart request's files under `field` and its `kind` (422 when none is chosen)."""
    files = multipart_files(field)
    f = Fields(dict(request.form))
    kind = f.choice("kind", KINDS, default.value) if default is not None else AttachmentKind.PART_PHOTO.value
    if not files:
        f.fail(field, empty)
    f.check()
    return files, AttachmentKind(kind)


def _stored(number: str, stored: list[Attachment]) -> Response:
    response = jsonify({"order": number, "stored": [_item(a) for a in stored]})
    response.status_code = 201
    return response


@bp.route("/repair-orders/<number>/attachments", methods=["POST"])
@allow(*UPLOAD_ROLES)
def upload_photos(number: str) -> Response:
    """Photos of the unit at intake or of parts — the order page's photo form (attachments.upload)."""
    order = queries.get_order_by_number(db(), number)  # another center's order: 404, like a missing one
    files, kind = _files("photos", N_("Choose one or more photos."), AttachmentKind.INTAKE_PHOTO)
    return _stored(order.number, store_uploaded_photos(order, files, kind))


@bp.route("/repair-orders/<number>/documents", methods=["POST"])
@allow(*UPLOAD_ROLES)
def upload_documents(number: str) -> Response:
    """Signed acts and other papers (PDF or scans) — the order page's documents form."""
    order = queries.get_order_by_number(db(), number)
    files, kind = _files("documents", N_("Choose one or more files."), AttachmentKind.SIGNED_ACT)
    return _stored(order.number, store_uploaded_documents(order, files, kind))


@bp.route("/repair-orders/<number>/part-photos", methods=["POST"])
@allow(*BENCH)
def upload_part_photos(number: str) -> Response:
    """Photos of replaced parts from the bench (engineer.part_photos): the order's engineer, its center's team."""
    order = queries.get_order_by_number(db(), number)
    files, _kind = _files("photos", N_("Choose one or more photos."))
    work.check_bench(actor(), order)
    return _stored(order.number, store_uploaded_photos(order, files, AttachmentKind.PART_PHOTO))


@bp.route("/repair-orders/<number>/attachments")
@any_staff()
def attachments(number: str) -> Response:
    """The order's photos and documents, oldest first (optionally of one kind)."""
    order = queries.get_order_by_number(db(), number)
    page, per_page = query_page()
    f = Fields(dict(request.args))
    kind = f.choice("kind", KINDS, "") if "kind" in request.args else ""
    f.check()
    found = list_attachments(db(), order, [AttachmentKind(kind)] if kind else None)
    start = (page - 1) * per_page
    return jsonify(paged(Page(found[start:start + per_page], page, per_page, len(found)),
                         [_item(a) for a in found[start:start + per_page]]))


@bp.route("/attachments/<int:attachment_id>")
@any_staff()
def attachment(attachment_id: int) -> Response:
    """The original file, as the order page serves it: images inline, PDFs as a download; nosniff, sandboxed."""
    return serve_original(attachment_id)


@bp.route("/attachments/<int:attachment_id>/thumbnail")
@any_staff()
def attachment_thumbnail(attachment_id: int) -> Response:
    """A JPEG at most 320 px on its longer side (images only; a PDF has none: 404)."""
    return serve_thumbnail(attachment_id)


# --- the OpenAPI description --------------------------------------------------------------------

BINARY = {"type": "string", "format": "binary", "contentMediaType": "application/octet-stream"}
FILE_PARAM = [{"name": "attachment_id", "in": "path", "required": True, "schema": INT}]
_LIMITS = (f"Photos: .jpg/.jpeg/.png/.webp whose content is that format, at most {MAX_PHOTO_BYTES // 2 ** 20} MB "
           f"and {MAX_PHOTO_PIXELS // 1_000_000} megapixels, decoding completely. Documents: a PDF (.pdf, "
           f"unencrypted, 1–200 pages, at most {MAX_DOCUMENT_BYTES // 2 ** 20} MB) or a scan passing the photo "
           "checks. One bad file refuses the whole batch (422, nothing stored); the same file sent again is "
           "kept once (its attachment is answered).")


def _upload(field: str, kinds: list[str], default: str | None) -> dict[str, Any]:
    props: dict[str, Any] = {field: {"type": "array", "items": BINARY, "minItems": 1,
                                     "description": "One part per file, each with its file name"}}
    if default is not None:
        props["kind"] = {"type": "string", "enum": kinds, "default": default}
    media = "image/jpeg, image/png, image/webp" + (", application/pdf" if field == "documents" else "")
    return {"required": True, "content": {"multipart/form-data": {
        "schema": obj(props, required=[field], extra=True), "encoding": {field: {"contentType": media}}}}}


def _upload_op(op: str, summary: str, field: str, kinds: list[str], default: str | None) -> dict[str, Any]:
    return {"post": {"operationId": op, "summary": summary, "description": _LIMITS, "parameters": NUMBER,
                     "requestBody": _upload(field, kinds, default),
                     "responses": {"201": {"description": "Stored (or already kept)",
                                           "content": {"application/json": {"schema": ref("StoredAttachments")}}},
                                   **problems("400", "403", "404", "413", "415", "422")}}}


_FILE_HEADERS = {"Content-Disposition": {"schema": STR, "description": "inline for images, attachment for PDFs"},
                 "X-Content-Type-Options": {"schema": {"type": "string", "enum": ["nosniff"]}}}

register({
    "/repair-orders/{number}/attachments": {
        **_upload_op("uploadPhotos", "Add photos to the order (counter, bench, partners, admins)", "photos",
                     [k.value for k in (AttachmentKind.INTAKE_PHOTO, AttachmentKind.PART_PHOTO)], "intake_photo"),
        "get": {"operationId": "listAttachments", "summary": "The order's photos and documents, oldest first",
                "parameters": [*NUMBER, *PAGING, {"name": "kind", "in": "query",
                                                  "schema": {"type": "string", "enum": KINDS}}],
                "responses": {"200": {"description": "A page", "content": {"application/json": {
                    "schema": ref("AttachmentPage")}}}, **problems("404", "422")}},
    },
    "/repair-orders/{number}/documents": _upload_op(
        "uploadDocuments", "Add signed acts or other documents (PDF or scans) to the order", "documents",
        [k.value for k in (AttachmentKind.SIGNED_ACT, AttachmentKind.DOCUMENT)], "signed_act"),
    "/repair-orders/{number}/part-photos": _upload_op(
        "uploadPartPhotos", "Photos of replaced parts from the bench (the order's engineer, team leads, partners, "
        "admins)", "photos", [], None),
    "/attachments/{attachment_id}": {"get": {
        "operationId": "getAttachment", "summary": "The original file", "parameters": FILE_PARAM,
        "responses": {"200": {"description": "The file", "headers": _FILE_HEADERS, "content": {
            media: {"schema": {"contentMediaType": media}} for media in (*IMAGE_TYPES, PDF_TYPE)}},
            **problems("404")}}},
    "/attachments/{attachment_id}/thumbnail": {"get": {
        "operationId": "getAttachmentThumbnail", "summary": "An image's thumbnail (JPEG, at most 320 px)",
        "parameters": FILE_PARAM,
        "responses": {"200": {"description": "The thumbnail", "headers": _FILE_HEADERS,
                              "content": {"image/jpeg": {"schema": {"contentMediaType": "image/jpeg"}}}},
                      **problems("404")}}},
}, {
    "Attachment": obj({
        "id": INT, "kind": {"type": "string", "enum": KINDS},
        "name": {**STR, "description": "The file's name as uploaded (cleaned); stored under a random one"},
        "content_type": {"type": "string", "enum": [*IMAGE_TYPES, PDF_TYPE]}, "size": INT,
        "width": nullable(INT), "height": nullable(INT), "created_at": MOMENT,
        "url": STR, "thumbnail_url": {**nullable(STR), "description": "Images only"}}),
    "AttachmentPage": page_of("Attachment"),
    "StoredAttachments": obj({"order": STR, "stored": {"type": "array", "items": ref("Attachment")}}),
})
