"""Photos and documents kept with an order: checked by content and name, stored outside the database.

A photo is accepted only when its name ends in .jpg/.jpeg/.png/.webp, Pillow reads it as that same
format, it is under the size and pixel caps, and it decodes completely. A document (a signed act or
another paper of the order) is either a PDF — named .pdf, starting with %PDF-, opened by pypdf,
unencrypted, 1–200 pages, at most 20 MB (servicecenter/attachment_pdf.py) — or a scan that passes
the photo checks. Files are stored under a random name (no part of the user's name) in
`storage_dir/<first two characters>/`, images with a 320-px JPEG thumbnail beside them (EXIF
orientation applied, no metadata). Nothing is written before every file of a batch has been
checked; a file written in a transaction that is then rolled back is removed again, so a refused
or failed request leaves neither a row nor a file behind.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, SessionTransaction

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import PARTNER_ROLES, Role
from servicecenter.accounts.services import Principal
from servicecenter.attachment_pdf import PDF_MAGIC, check_pdf
from servicecenter.errors import N_, NotFound, PermissionDenied, ValidationFailed
from servicecenter.repairs.history import record_event
from servicecenter.repairs.models import Attachment, AttachmentKind, EventKind, RepairOrder

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000
MAX_PHOTOS_PER_ORDER = 20
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024  # a PDF; a scanned image keeps the photo caps
MAX_DOCUMENTS_PER_ORDER = 20
THUMBNAIL_PX = 320
MAX_NAME = 200

# Roles that work on orders and may add photos and documents to them (staff of the order's center, or admin).
UPLOAD_ROLES = frozenset({Role.INTAKE, Role.ENGINEER, Role.TEAM_LEAD, *PARTNER_ROLES, Role.ADMIN})

# The name's extension → the format Pillow must find in the content.
EXTENSIONS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
# The only decoders Pillow may try. Its JPEG plugin hands phone photos carrying several pictures
# back as "MPO": still a JPEG.
_DECODERS = ["JPEG", "PNG", "WEBP"]
_FORMAT = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
_STORED_EXT = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
PDF_TYPE = "application/pdf"
_STORED_NAME = re.compile(r"^([0-9a-f]{32})\.(jpg|png|webp|pdf)$")

PHOTO_KINDS = frozenset({AttachmentKind.INTAKE_PHOTO, AttachmentKind.PART_PHOTO})
DOCUMENT_KINDS = frozenset({AttachmentKind.SIGNED_ACT, AttachmentKind.DOCUMENT})

NOT_A_PHOTO = N_("Only JPEG, PNG or WebP photos")
NOT_A_DOCUMENT = N_("Only PDF files or JPEG, PNG or WebP scans")
MISMATCH = N_("The file name does not match its content")


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed every check, with what is stored for it (nothing written yet)."""

    name: str  # the cleaned name shown to people
    data: bytes
    content_type: str
    extension: str
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None  # images only
    pages: int | None = None  # PDFs only

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def clean_display_name(filename: str | None) -> str:
    """The user's file name as shown to people: the last path part, no control characters, ≤200 chars.

    It is only ever displayed; files are stored under random names, so a name like
    "../../etc/passwd.jpg" is harmless and becomes "passwd.jpg".
    """
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[\\/]", name)[-1]
    # Cc/Cf/Cs/Co/Cn: control characters, bidi overrides that disguise an extension, and the like.
    name = "".join(" " if ch.isspace() else ch for ch in name if ch.isspace()
                   or not unicodedata.category(ch).startswith("C"))
    name = " ".join(name.split()).strip(" .")
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:MAX_NAME - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:MAX_NAME]
    return name


def _refuse(message: str, reason: str, field: str = "photos", **params: object) -> ValidationFailed:
    return ValidationFailed(message, errors={field: reason}, **params)


class _TooManyPixels(Exception):
    pass


def check_photo(filename: str | None, data: bytes) -> CheckedFile:
    """Check one file by its name and its content; ValidationFailed (field "photos") says why not."""
    name = clean_display_name(filename)
    shown = name or "—"
    if not data:
        raise _refuse(N_("%(name)s is empty"), N_("The file is empty"), name=shown)
    if len(data) > MAX_PHOTO_BYTES:
        raise _refuse(N_("%(name)s is larger than %(limit)s MB"), N_("Too large"), name=shown,
                      limit=MAX_PHOTO_BYTES // (1024 * 1024))
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    if ext not in EXTENSIONS:
        raise _refuse(N_("%(name)s is not a JPEG, PNG or WebP photo"), NOT_A_PHOTO, name=shown)
    try:
        # Only these three decoders are tried: SVG, HTML, PDF, text… are never even parsed. Pillow
        # itself refuses a header declaring far too many pixels (DecompressionBombError).
        with Image.open(BytesIO(data), formats=_DECODERS) as image:
            fmt = _FORMAT[image.format or ""]
            width, height = image.size
            if fmt != EXTENSIONS[ext]:
                raise _refuse(N_("%(name)s is not what its name says: the content is %(actual)s"), MISMATCH,
                              name=shown, actual=fmt)
            if width * height > MAX_PHOTO_PIXELS:  # checked on the header, before anything is decoded
                raise _TooManyPixels
            image.verify()
        thumbnail = make_thumbnail(data)  # decodes the whole image: a truncated file fails here
    except (_TooManyPixels, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(N_("%(name)s has too many pixels (at most %(limit)s megapixels)"),
                      N_("Too many pixels"), name=shown, limit=MAX_PHOTO_PIXELS // 1_000_000) from None
    except UnidentifiedImageError:
        raise _refuse(N_("%(name)s is not a JPEG, PNG or WebP photo"), NOT_A_PHOTO, name=shown) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError):
        raise _refuse(N_("%(name)s could not be read as a photo (damaged or incomplete)"),
                      N_("Damaged or incomplete image"), name=shown) from None
    return CheckedFile(name=name, data=data, content_type=CONTENT_TYPES[fmt], extension=_STORED_EXT[fmt],
                       width=width, height=height, thumbnail=thumbnail)


def _sniff(data: bytes) -> str | None:
    """What the first bytes say the file is (only to word a refusal; the checks decide)."""
    if data.startswith(PDF_MAGIC):
        return "PDF"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def check_document(filename: str | None, data: bytes) -> CheckedFile:
    """Check a document by name and content: a PDF (see attachment_pdf) or a scan that passes check_photo.

    ValidationFailed (field "documents") says why not: SVG, HTML, a program renamed .pdf, a PDF
    renamed .jpg, a damaged, encrypted or empty PDF…
    """
    name = clean_display_name(filename)
    shown = name or "—"
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    if not data:
        raise _refuse(N_("%(name)s is empty"), N_("The file is empty"), "documents", name=shown)
    if ext != "pdf" and ext not in EXTENSIONS:
        raise _refuse(N_("%(name)s is not a PDF file or a JPEG, PNG or WebP scan"), NOT_A_DOCUMENT, "documents",
                      name=shown)
    limit = MAX_DOCUMENT_BYTES if ext == "pdf" else MAX_PHOTO_BYTES
    if len(data) > limit:
        raise _refuse(N_("%(name)s is larger than %(limit)s MB"), N_("Too large"), "documents", name=shown,
                      limit=limit // (1024 * 1024))
    actual = _sniff(data)
    if actual is not None and (actual == "PDF") != (ext == "pdf"):
        raise _refuse(N_("%(name)s is not what its name says: the content is %(actual)s"), MISMATCH, "documents",
                      name=shown, actual=actual)
    if ext == "pdf":
        pages = check_pdf(shown, data)
        return CheckedFile(name=name, data=data, content_type=PDF_TYPE, extension="pdf", pages=pages)
    try:
        return check_photo(filename, data)
    except ValidationFailed as exc:  # the same refusal, on the documents form's field
        reason = exc.errors.get("photos", "")
        raise ValidationFailed(exc.message, errors={"documents": NOT_A_DOCUMENT if reason == NOT_A_PHOTO else reason},
                               **exc.params) from None


def make_thumbnail(data: bytes) -> bytes:
    """A JPEG at most 320 px on its longer side, upright (EXIF orientation applied), no metadata."""
    with Image.open(BytesIO(data), formats=_DECODERS) as image:
        if image.format in ("JPEG", "MPO"):
            image.draft("RGB", (THUMBNAIL_PX * 2, THUMBNAIL_PX * 2))  # decode a big JPEG at a fraction
        upright = ImageOps.exif_transpose(image)
    if upright.mode in ("I", "F") or upright.mode.startswith("I;16"):  # 16-bit scans: scale, do not clip
        upright = upright.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info):
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
    else:
        flat = upright.convert("RGB")
    flat.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX), Image.Resampling.LANCZOS)
    clean = Image.new("RGB", flat.size)  # a fresh image: no EXIF, ICC, comments or GPS carried over
    clean.paste(flat)
    out = BytesIO()
    clean.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue()


# --- storage -----------------------------------------------------------------------------------

def _parts(stored_name: str) -> tuple[str, str]:
    match = _STORED_NAME.match(stored_name or "")
    if match is None:  # never one of ours: refuse to turn it into a path
        raise NotFound(N_("No such file"))
    return match.group(1), match.group(2)


def attachment_path(storage_dir: Path, attachment: Attachment) -> Path:
    """Where the original file of an attachment lives."""
    token, ext = _parts(attachment.stored_name)
    return Path(storage_dir) / token[:2] / f"{token}.{ext}"


def thumbnail_path(storage_dir: Path, attachment: Attachment) -> Path:
    """Where the attachment's thumbnail (a JPEG) lives."""
    token, _ext = _parts(attachment.stored_name)
    return Path(storage_dir) / token[:2] / f"{token}.thumb.jpg"


_WRITTEN = "servicecenter.attachments.written"


def _write_new(session: Session, path: Path, data: bytes) -> None:
    """Create the file (never overwrite one) and remember it until the transaction commits."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o640)
    session.info.setdefault(_WRITTEN, []).append(path)  # a rollback removes it from now on
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    except BaseException:
        _remove([path])
        raise


def _remove(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_commit")
def _keep_written_files(session: Session) -> None:
    if not session.in_nested_transaction():  # a released SAVEPOINT is not the commit yet
        session.info.pop(_WRITTEN, None)


@event.listens_for(Session, "after_transaction_end")
def _remove_files_of_a_rolled_back_transaction(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended without a commit
        _remove(session.info.pop(_WRITTEN, []))


# --- operations --------------------------------------------------------------------------------

def can_add_photos(actor: User | Principal, order: RepairOrder) -> bool:
    """Whether the actor may add photos and documents to this order (a staff role on orders, of its center).

    In any state: a signed act comes back after the hand-back, and a photo or a paper may be needed
    on a closed order too (a complaint, a claim to the manufacturer).
    """
    return actor.role in UPLOAD_ROLES and (actor.works_network_wide or actor.center_id == order.center_id)


can_add_documents = can_add_photos


def list_attachments(session: Session, order: RepairOrder,
                     kinds: Iterable[AttachmentKind] | None = None) -> list[Attachment]:
    """The order's files (of these kinds, or all), oldest first."""
    query = select(Attachment).where(Attachment.order_id == order.id)
    if kinds is not None:
        query = query.where(Attachment.kind.in_(list(kinds)))
    return list(session.scalars(query.order_by(Attachment.id)))


def list_documents(session: Session, order: RepairOrder,
                   among: list[Attachment] | None = None) -> list[tuple[Attachment, str | None]]:
    """The order's signed acts and documents, oldest first, each with the name of who uploaded it
    (picked from `among`, the order's files already read, when given).

    The name is None when the session may not see that user (a partner does not see head-office staff).
    """
    documents = list_attachments(session, order, DOCUMENT_KINDS) if among is None else \
        [a for a in among if a.kind in DOCUMENT_KINDS]
    ids = {a.uploaded_by_id for a in documents if a.uploaded_by_id is not None}
    names: dict[int, str] = {}
    if ids:
        names = {uid: name for uid, name in session.execute(select(User.id, User.name).where(User.id.in_(ids)))}
    return [(a, names.get(a.uploaded_by_id) if a.uploaded_by_id is not None else None) for a in documents]


def _count(session: Session, order: RepairOrder, kinds: Iterable[AttachmentKind]) -> int:
    return session.scalar(select(func.count()).select_from(Attachment).where(
        Attachment.order_id == order.id, Attachment.kind.in_(list(kinds)))) or 0


def count_photos(session: Session, order: RepairOrder) -> int:
    """How many photos the order keeps (scans kept as documents are not photos)."""
    return _count(session, order, PHOTO_KINDS)


def count_documents(session: Session, order: RepairOrder) -> int:
    """How many signed acts and other documents the order keeps."""
    return _count(session, order, DOCUMENT_KINDS)


def get_attachment(session: Session, attachment_id: int) -> Attachment:
    """The attachment with its order, as the session's scope sees both; NotFound otherwise."""
    attachment = session.scalar(select(Attachment).where(Attachment.id == attachment_id))
    if attachment is None or session.scalar(
            select(RepairOrder).where(RepairOrder.id == attachment.order_id)) is None:
        raise NotFound(N_("No such file"))
    return attachment


def _same_file_attached(session: Session, order: RepairOrder, checked: CheckedFile, storage_dir: Path,
                        kinds: frozenset[AttachmentKind]) -> Attachment | None:
    for existing in session.scalars(select(Attachment).where(
            Attachment.order_id == order.id, Attachment.size == len(checked.data), Attachment.kind.in_(list(kinds)))):
        path = attachment_path(storage_dir, existing)
        if path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == checked.digest:
            return existing
    return None


@dataclass(frozen=True)
class _Shelf:
    """What a batch of files is: its kinds, how many an order keeps, the words for a refusal and the event."""

    kinds: frozenset[AttachmentKind]
    limit: int
    field: str
    too_many: str
    too_many_reason: str


_PHOTOS = _Shelf(PHOTO_KINDS, MAX_PHOTOS_PER_ORDER, "photos", N_("An order keeps at most %(limit)s photos"),
                 N_("Too many photos"))
_DOCUMENTS = _Shelf(DOCUMENT_KINDS, MAX_DOCUMENTS_PER_ORDER, "documents",
                    N_("An order keeps at most %(limit)s documents"), N_("Too many documents"))
_ADDED = {
    AttachmentKind.INTAKE_PHOTO: N_("Photo %(name)s added"),
    AttachmentKind.PART_PHOTO: N_("Photo %(name)s added"),
    AttachmentKind.SIGNED_ACT: N_("Signed act %(name)s added"),
    AttachmentKind.DOCUMENT: N_("Document %(name)s added"),
}


def store_photos(session: Session, actor: User, order: RepairOrder, files: Sequence[tuple[str | None, bytes]],
                 storage_dir: Path, kind: AttachmentKind = AttachmentKind.INTAKE_PHOTO) -> list[Attachment]:
    """Check every (file name, bytes) first, then store them all with the order, one history event each.

    One bad file refuses the whole batch and nothing is written. A file already attached to the
    order (the same bytes: a form sent twice) is not stored again; its attachment is returned.
    """
    if not can_add_photos(actor, order):
        raise PermissionDenied(N_("You may not add photos to this order"))
    if kind not in PHOTO_KINDS:
        raise _refuse(N_("Not a kind of photo: %(kind)s"), N_("Not a kind of photo"), "kind", kind=str(kind))
    return _store_batch(session, actor, order, [check_photo(name, data) for name, data in files],
                        Path(storage_dir), kind, _PHOTOS)


def store_photo(session: Session, actor: User, order: RepairOrder, filename: str | None, data: bytes,
                storage_dir: Path, kind: AttachmentKind = AttachmentKind.INTAKE_PHOTO) -> Attachment:
    """Check one photo and store it with the order (see store_photos)."""
    return store_photos(session, actor, order, [(filename, data)], storage_dir, kind)[0]


def store_documents(session: Session, actor: User, order: RepairOrder, files: Sequence[tuple[str | None, bytes]],
                    storage_dir: Path, kind: AttachmentKind = AttachmentKind.DOCUMENT) -> list[Attachment]:
    """Check every file as a PDF or a scan, then store them all as signed acts or documents, one event each.

    In any state of the order; one bad file refuses the whole batch and nothing is written; the same
    file sent twice is kept once (as store_photos).
    """
    if not can_add_documents(actor, order):
        raise PermissionDenied(N_("You may not add documents to this order"))
    if kind not in DOCUMENT_KINDS:
        raise _refuse(N_("Not a kind of document: %(kind)s"), N_("Not a kind of document"), "kind", kind=str(kind))
    return _store_batch(session, actor, order, [check_document(name, data) for name, data in files],
                        Path(storage_dir), kind, _DOCUMENTS)


def store_document(session: Session, actor: User, order: RepairOrder, filename: str | None, data: bytes,
                   storage_dir: Path, kind: AttachmentKind = AttachmentKind.DOCUMENT) -> Attachment:
    """Check one document and store it with the order (see store_documents)."""
    return store_documents(session, actor, order, [(filename, data)], storage_dir, kind)[0]


def _store_batch(session: Session, actor: User, order: RepairOrder, checked: list[CheckedFile], storage_dir: Path,
                 kind: AttachmentKind, shelf: _Shelf) -> list[Attachment]:
    """Store files that all passed their checks, under the shelf's cap, skipping ones already attached."""
    if not checked:
        return []
    # One upload at a time per order, so two at once cannot pass the cap together (PostgreSQL:
    # FOR NO KEY UPDATE, which still lets others add events to the order; SQLite serialises writers).
    session.execute(select(RepairOrder.id).where(RepairOrder.id == order.id).with_for_update(key_share=True))
    result: list[Attachment | None] = []
    fresh: list[CheckedFile] = []
    seen: set[str] = set()
    for file in checked:
        if file.digest in seen:
            continue
        seen.add(file.digest)
        existing = _same_file_attached(session, order, file, storage_dir, shelf.kinds)
        result.append(existing)
        if existing is None:
            fresh.append(file)
    if _count(session, order, shelf.kinds) + len(fresh) > shelf.limit:
        raise _refuse(shelf.too_many, shelf.too_many_reason, shelf.field, limit=shelf.limit)
    stored = iter([_store(session, actor, order, file, storage_dir, kind, shelf.field) for file in fresh])
    return [existing if existing is not None else next(stored) for existing in result]


def _store(session: Session, actor: User, order: RepairOrder, file: CheckedFile, storage_dir: Path,
           kind: AttachmentKind, field: str) -> Attachment:
    attachment = Attachment(order_id=order.id, kind=kind, stored_name=f"{secrets.token_hex(16)}.{file.extension}",
                            original_name=file.name, content_type=file.content_type, size=len(file.data),
                            width=file.width, height=file.height, uploaded_by_id=actor.id)
    session.add(attachment)
    session.flush()
    record_event(session, actor=actor, kind=EventKind.FIELD, order=order, field=field, file=file.name,
                 attachment=attachment.id, attachment_kind=kind.value, pages=file.pages,
                 message=_ADDED[kind], params={"name": file.name})
    session.flush()
    _write_new(session, attachment_path(storage_dir, attachment), file.data)
    if file.thumbnail is not None:
        _write_new(session, thumbnail_path(storage_dir, attachment), file.thumbnail)
    return attachment
