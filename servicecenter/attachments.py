"""Photos kept with an order: checked by content and name, stored outside the database, thumbnailed.

A photo is accepted only when its name ends in .jpg/.jpeg/.png/.webp, Pillow reads it as that same
format, it is under the size and pixel caps, and it decodes completely. Files are stored under a
random name (no part of the user's name) in `storage_dir/<first two characters>/`, with a 320-px
JPEG thumbnail beside them (EXIF orientation applied, no metadata). Nothing is written before every
file of a batch has been checked; a file written in a transaction that is then rolled back is
removed again, so a refused or failed request leaves neither a row nor a file behind.
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
from servicecenter.accounts.roles import Role
from servicecenter.accounts.services import Principal
from servicecenter.errors import N_, NotFound, PermissionDenied, ValidationFailed
from servicecenter.repairs.history import record_event
from servicecenter.repairs.models import Attachment, AttachmentKind, EventKind, RepairOrder

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000
MAX_PHOTOS_PER_ORDER = 20
THUMBNAIL_PX = 320
MAX_NAME = 200

# Roles that work on orders and may add photos to them (staff of the order's center, or admin).
UPLOAD_ROLES = frozenset({Role.INTAKE, Role.ENGINEER, Role.TEAM_LEAD, Role.PARTNER, Role.ADMIN})

# The name's extension → the format Pillow must find in the content.
EXTENSIONS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
# The only decoders Pillow may try. Its JPEG plugin hands phone photos carrying several pictures
# back as "MPO": still a JPEG.
_DECODERS = ["JPEG", "PNG", "WEBP"]
_FORMAT = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
_STORED_EXT = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
PHOTO_TYPES = frozenset(CONTENT_TYPES.values())
_STORED_NAME = re.compile(r"^([0-9a-f]{32})\.(jpg|png|webp)$")

NOT_A_PHOTO = N_("Only JPEG, PNG or WebP photos")


@dataclass(frozen=True)
class CheckedPhoto:
    """A file that passed every check, with what is stored for it (nothing written yet)."""

    name: str  # the cleaned name shown to people
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int
    thumbnail: bytes

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


def _refuse(message: str, reason: str, **params: object) -> ValidationFailed:
    return ValidationFailed(message, errors={"photos": reason}, **params)


class _TooManyPixels(Exception):
    pass


def check_photo(filename: str | None, data: bytes) -> CheckedPhoto:
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
                raise _refuse(N_("%(name)s is not what its name says: the content is %(actual)s"),
                              N_("The file name does not match its content"), name=shown, actual=fmt)
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
    return CheckedPhoto(name=name, data=data, content_type=CONTENT_TYPES[fmt], extension=_STORED_EXT[fmt],
                        width=width, height=height, thumbnail=thumbnail)


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
    """Whether the actor may add photos to this order (a staff role on orders, of its center)."""
    return actor.role in UPLOAD_ROLES and (actor.works_network_wide or actor.center_id == order.center_id)


def list_attachments(session: Session, order: RepairOrder) -> list[Attachment]:
    """The order's files, oldest first."""
    return list(session.scalars(select(Attachment).where(Attachment.order_id == order.id).order_by(Attachment.id)))


def count_photos(session: Session, order: RepairOrder) -> int:
    """How many photos the order keeps."""
    return session.scalar(select(func.count()).select_from(Attachment).where(
        Attachment.order_id == order.id, Attachment.content_type.in_(PHOTO_TYPES))) or 0


def get_attachment(session: Session, attachment_id: int) -> Attachment:
    """The attachment with its order, as the session's scope sees both; NotFound otherwise."""
    attachment = session.scalar(select(Attachment).where(Attachment.id == attachment_id))
    if attachment is None or session.scalar(
            select(RepairOrder).where(RepairOrder.id == attachment.order_id)) is None:
        raise NotFound(N_("No such file"))
    return attachment


def _same_file_attached(session: Session, order: RepairOrder, photo: CheckedPhoto,
                        storage_dir: Path) -> Attachment | None:
    for existing in session.scalars(select(Attachment).where(
            Attachment.order_id == order.id, Attachment.size == len(photo.data))):
        path = attachment_path(storage_dir, existing)
        if path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == photo.digest:
            return existing
    return None


def store_photos(session: Session, actor: User, order: RepairOrder, files: Sequence[tuple[str | None, bytes]],
                 storage_dir: Path, kind: AttachmentKind = AttachmentKind.INTAKE_PHOTO) -> list[Attachment]:
    """Check every (file name, bytes) first, then store them all with the order, one history event each.

    One bad file refuses the whole batch and nothing is written. A file already attached to the
    order (the same bytes: a form sent twice) is not stored again; its attachment is returned.
    """
    if not can_add_photos(actor, order):
        raise PermissionDenied(N_("You may not add photos to this order"))
    checked = [check_photo(filename, data) for filename, data in files]
    if not checked:
        return []
    # One upload at a time per order, so two at once cannot pass the cap together (PostgreSQL:
    # FOR NO KEY UPDATE, which still lets others add events to the order; SQLite serialises writers).
    session.execute(select(RepairOrder.id).where(RepairOrder.id == order.id).with_for_update(key_share=True))
    result: list[Attachment | None] = []
    fresh: list[CheckedPhoto] = []
    seen: set[str] = set()
    for photo in checked:
        if photo.digest in seen:
            continue
        seen.add(photo.digest)
        existing = _same_file_attached(session, order, photo, storage_dir)
        result.append(existing)
        if existing is None:
            fresh.append(photo)
    if count_photos(session, order) + len(fresh) > MAX_PHOTOS_PER_ORDER:
        raise _refuse(N_("An order keeps at most %(limit)s photos"), N_("Too many photos"),
                      limit=MAX_PHOTOS_PER_ORDER)
    stored = iter([_store(session, actor, order, photo, Path(storage_dir), kind) for photo in fresh])
    return [existing if existing is not None else next(stored) for existing in result]


def store_photo(session: Session, actor: User, order: RepairOrder, filename: str | None, data: bytes,
                storage_dir: Path, kind: AttachmentKind = AttachmentKind.INTAKE_PHOTO) -> Attachment:
    """Check one photo and store it with the order (see store_photos)."""
    return store_photos(session, actor, order, [(filename, data)], storage_dir, kind)[0]


def _store(session: Session, actor: User, order: RepairOrder, photo: CheckedPhoto, storage_dir: Path,
           kind: AttachmentKind) -> Attachment:
    attachment = Attachment(order_id=order.id, kind=kind, stored_name=f"{secrets.token_hex(16)}.{photo.extension}",
                            original_name=photo.name, content_type=photo.content_type, size=len(photo.data),
                            width=photo.width, height=photo.height, uploaded_by_id=actor.id)
    session.add(attachment)
    session.flush()
    record_event(session, actor=actor, kind=EventKind.FIELD, order=order, field="photos", file=photo.name,
                 attachment=attachment.id, attachment_kind=kind.value,
                 message=N_("Photo %(name)s added"), params={"name": photo.name})
    session.flush()
    _write_new(session, attachment_path(storage_dir, attachment), photo.data)
    _write_new(session, thumbnail_path(storage_dir, attachment), photo.thumbnail)
    return attachment
