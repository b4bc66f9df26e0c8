"""Photos of an order: only real JPEG/PNG/WebP under the caps are kept, under random names, with thumbnails;
a refusal leaves nothing behind, in the database or on disk."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from servicecenter.accounts.roles import Role
from servicecenter.attachments import (
    MAX_PHOTO_BYTES,
    MAX_PHOTOS_PER_ORDER,
    THUMBNAIL_PX,
    attachment_path,
    clean_display_name,
    get_attachment,
    list_attachments,
    store_photo,
    store_photos,
    thumbnail_path,
)
from servicecenter.centers.models import CenterKind
from servicecenter.errors import NotFound, PermissionDenied, ValidationFailed
from servicecenter.repairs.models import Attachment, AttachmentKind, EventKind, RepairEvent
from servicecenter.repairs.queries import list_order_history
from servicecenter.scoping import Scope, set_scope

# --- sample files ------------------------------------------------------------------------------


def image(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), color: object = (200, 30, 30), mode: str = "RGB",
          **save: object) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt, **save)
    return out.getvalue()


def noise(fmt: str, size: tuple[int, int] = (300, 200)) -> bytes:
    """A picture of random pixels: it does not compress, so cutting it off loses image data."""
    out = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(out, fmt)
    return out.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG file whose header declares width × height pixels (an image bomb when decoded)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"\0" * 1024))
            + _chunk(b"IEND", b""))


def jpeg_with_exif(size: tuple[int, int], orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "SecretCam Industries"  # Make: must not survive into the thumbnail
    exif[0x9286] = "GPS 55.7558 37.6173"  # UserComment
    return image("JPEG", size, exif=exif.tobytes())


def mpo() -> bytes:
    """What many phones save: a JPEG carrying a second picture (Pillow calls it MPO)."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, "MPO", save_all=True, append_images=[Image.new("RGB", (64, 48))])
    return out.getvalue()


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _count(session, model) -> int:  # noqa: ANN001
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def desk(session, factory, tmp_path):  # noqa: ANN001, ANN201
    center = factory.center("MSK")
    return factory.order(center), factory.staff(center, Role.INTAKE), tmp_path / "uploads"


# --- accepted ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "data", "content_type", "ext"), [
    ("nameplate.jpg", image("JPEG"), "image/jpeg", "jpg"),
    ("Шильдик.JPEG", image("JPEG"), "image/jpeg", "jpg"),
    ("phone.jpg", mpo(), "image/jpeg", "jpg"),
    ("seal.png", image("PNG"), "image/png", "png"),
    ("damage.webp", image("WEBP"), "image/webp", "webp"),
])
def test_jpeg_png_and_webp_are_stored_with_a_thumbnail_and_a_history_event(
        session, desk, name, data, content_type, ext) -> None:  # noqa: ANN001
    order, clerk, storage = desk
    att = store_photo(session, clerk, order, name, data, storage)
    assert (att.order_id, att.kind, att.content_type, att.size) == (order.id, AttachmentKind.INTAKE_PHOTO,
                                                                   content_type, len(data))
    assert (att.width, att.height, att.uploaded_by_id, att.original_name) == (64, 48, clerk.id, name)
    # a random name, no part of the user's; two levels: <first two characters>/<name>
    assert att.stored_name.endswith(f".{ext}") and len(att.stored_name) == 32 + 1 + len(ext)
    original = attachment_path(storage, att)
    assert original == storage / att.stored_name[:2] / att.stored_name
    assert original.read_bytes() == data
    with Image.open(thumbnail_path(storage, att)) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) <= THUMBNAIL_PX
    event = list_order_history(session, order)[-1]
    assert (event.kind, event.actor_id) == (EventKind.FIELD, clerk.id)
    assert event.details["file"] == name and event.details["attachment"] == att.id
    assert event.details["message"] % event.details["params"] == f"Photo {name} added"


def test_the_thumbnail_is_at_most_320_px_upright_and_carries_no_metadata(session, desk) -> None:  # noqa: ANN001
    order, clerk, storage = desk
    big = store_photo(session, clerk, order, "big.png", image("PNG", (1000, 500)), storage)
    with Image.open(thumbnail_path(storage, big)) as thumb:
        assert thumb.size == (320, 160)
    # A phone held upright stores a landscape picture and says "rotate 90°" in EXIF.
    rotated = store_photo(session, clerk, order, "upright.jpg", jpeg_with_exif((400, 200), orientation=6), storage)
    assert b"SecretCam" in attachment_path(storage, rotated).read_bytes()  # the original is kept as received
    raw = thumbnail_path(storage, rotated).read_bytes()
    with Image.open(io.BytesIO(raw)) as thumb:
        assert thumb.size == (160, 320)  # turned upright
        assert not thumb.getexif() and "exif" not in thumb.info and "icc_profile" not in thumb.info
    assert b"SecretCam" not in raw and b"GPS" not in raw and b"Exif" not in raw


def test_transparent_and_palette_images_get_a_white_background(session, desk) -> None:  # noqa: ANN001
    order, clerk, storage = desk
    att = store_photo(session, clerk, order, "clear.png", image("PNG", mode="RGBA", color=(0, 0, 0, 0)), storage)
    with Image.open(thumbnail_path(storage, att)) as thumb:
        assert thumb.mode == "RGB" and thumb.getpixel((5, 5)) == (255, 255, 255)
    store_photo(session, clerk, order, "palette.png", image("PNG", mode="P", color=3), storage)
    deep = store_photo(session, clerk, order, "scan16.png", image("PNG", mode="I;16", color=30000), storage)
    with Image.open(thumbnail_path(storage, deep)) as thumb:  # 16-bit grey is scaled down, not clipped to white
        assert thumb.getpixel((5, 5)) == (117, 117, 117)


def test_a_traversal_name_is_only_a_display_name(session, desk) -> None:  # noqa: ANN001
    order, clerk, storage = desk
    names = {"../../etc/passwd.jpg": "passwd.jpg", "..\\..\\Windows\\system.ini.png": "system.ini.png",
             "/abs/path/photo.webp": "photo.webp", "evil\u202egnp.jpg": "evilgnp.jpg",
             "  \x00\x1f..hidden .jpg": "hidden .jpg"}
    fmt = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}
    for i, (given, shown) in enumerate(names.items()):
        att = store_photo(session, clerk, order, given, image(fmt[shown.rsplit(".", 1)[1]], color=(i, 0, 0)), storage)
        assert att.original_name == shown
        assert attachment_path(storage, att).resolve().is_relative_to(storage.resolve())
    assert {p.parent.parent for p in files_under(storage)} == {storage}
    assert not (storage.parent / "etc").exists()


def test_clean_display_name() -> None:
    assert clean_display_name("C:\\Users\\Иван\\Фото шильдика.JPG") == "Фото шильдика.JPG"
    assert clean_display_name("a/b/../") == ""
    assert clean_display_name("...") == ""
    assert clean_display_name(None) == ""
    assert clean_display_name("x" * 500 + ".jpeg") == "x" * 195 + ".jpeg"
    assert clean_display_name("tab\tand\nnewline.png") == "tab and newline.png"


def test_the_same_file_sent_twice_is_kept_once(session, desk) -> None:  # noqa: ANN001
    order, clerk, storage = desk
    data = image("JPEG")
    first = store_photo(session, clerk, order, "a.jpg", data, storage)
    again = store_photos(session, clerk, order, [("a.jpg", data), ("copy.jpg", data)], storage)
    assert again == [first]
    assert len(list_attachments(session, order)) == 1 and len(files_under(storage)) == 2
    assert sum(e.kind == EventKind.FIELD for e in list_order_history(session, order)) == 1


# --- refused -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("photo.jpg", image("PNG"), "The file name does not match its content"),
    ("photo.png", image("JPEG"), "The file name does not match its content"),
    ("photo.webp", image("JPEG"), "The file name does not match its content"),
    ("drawing.svg", SVG, "Only JPEG, PNG or WebP photos"),
    ("drawing.jpg", SVG, "Only JPEG, PNG or WebP photos"),
    ("page.html", HTML, "Only JPEG, PNG or WebP photos"),
    ("page.jpg", HTML, "Only JPEG, PNG or WebP photos"),
    ("scan.jpg", PDF, "Only JPEG, PNG or WebP photos"),
    ("notes.jpg", "просто текст, не картинка\n".encode() * 20, "Only JPEG, PNG or WebP photos"),
    ("anim.gif", image("GIF"), "Only JPEG, PNG or WebP photos"),
    ("photo.bmp", image("BMP"), "Only JPEG, PNG or WebP photos"),
    ("photo.tiff.jpg", image("TIFF"), "Only JPEG, PNG or WebP photos"),
    ("no-extension", image("JPEG"), "Only JPEG, PNG or WebP photos"),
    ("empty.jpg", b"", "The file is empty"),
    ("huge.jpg", image("JPEG") + b"\0" * MAX_PHOTO_BYTES, "Too large"),
    ("bomb.png", png_declaring(20000, 20000), "Too many pixels"),  # Pillow's own bomb guard
    ("big.png", png_declaring(7000, 6000), "Too many pixels"),  # 42 MP: over our cap, under Pillow's
    ("cut.jpg", noise("JPEG")[:20_000], "Damaged or incomplete image"),
    ("cut.png", noise("PNG")[:20_000], "Damaged or incomplete image"),
    ("cut.webp", noise("WEBP")[:20_000], "Damaged or incomplete image"),
])
def test_refused_files_leave_nothing_behind(session, desk, name, data, reason) -> None:  # noqa: ANN001
    order, clerk, storage = desk
    before = (_count(session, Attachment), _count(session, RepairEvent))
    with pytest.raises(ValidationFailed) as refused:
        store_photo(session, clerk, order, name, data, storage)
    assert refused.value.errors == {"photos": reason}
    assert refused.value.status == 422
    assert (_count(session, Attachment), _count(session, RepairEvent)) == before
    assert files_under(storage) == []


def test_one_bad_file_refuses_the_whole_batch(session, desk) -> None:  # noqa: ANN001
    order, clerk, storage = desk
    with pytest.raises(ValidationFailed) as refused:
        store_photos(session, clerk, order, [("good.jpg", image("JPEG")), ("bad.jpg", HTML)], storage)
    assert "bad.jpg" in str(refused.value)
    assert list_attachments(session, order) == [] and files_under(storage) == []


def test_an_order_keeps_at_most_twenty_photos(session, desk) -> None:  # noqa: ANN001
    order, clerk, storage = desk
    store_photos(session, clerk, order, [(f"p{i}.png", image("PNG", (8, 8), color=(i, 1, 2)))
                                         for i in range(MAX_PHOTOS_PER_ORDER - 1)], storage)
    on_disk = len(files_under(storage))
    with pytest.raises(ValidationFailed) as refused:  # two more would make 21: neither is kept
        store_photos(session, clerk, order, [("a.png", image("PNG", color=(1, 1, 1))),
                                             ("b.png", image("PNG", color=(2, 2, 2)))], storage)
    assert refused.value.errors == {"photos": "Too many photos"}
    assert len(list_attachments(session, order)) == MAX_PHOTOS_PER_ORDER - 1 and len(files_under(storage)) == on_disk
    store_photo(session, clerk, order, "last.png", image("PNG", color=(3, 3, 3)), storage)
    with pytest.raises(ValidationFailed):
        store_photo(session, clerk, order, "one-too-many.png", image("PNG", color=(4, 4, 4)), storage)
    assert len(list_attachments(session, order)) == MAX_PHOTOS_PER_ORDER


def test_only_staff_working_on_the_orders_center_may_add_photos(session, factory, desk) -> None:  # noqa: ANN001
    order, _clerk, storage = desk
    other = factory.center("SPB")
    for actor in (factory.staff(order.center, Role.WAREHOUSE), factory.staff(order.center, Role.CALL_CENTER),
                  factory.staff(other, Role.ENGINEER)):
        with pytest.raises(PermissionDenied):
            store_photo(session, actor, order, "a.jpg", image("JPEG"), storage)
    assert files_under(storage) == []
    for i, role in enumerate((Role.ENGINEER, Role.TEAM_LEAD)):
        store_photo(session, factory.staff(order.center, role), order, "a.jpg", image("JPEG", color=(i, 9, 9)), storage)
    store_photo(session, factory.staff(other, Role.ADMIN), order, "a.jpg", image("JPEG", color=(7, 7, 7)), storage,
                kind=AttachmentKind.PART_PHOTO)


# --- the transaction and the wall --------------------------------------------------------------


def test_files_of_a_rolled_back_transaction_are_removed_and_committed_ones_kept(bound_db, factory, tmp_path) -> None:  # noqa: ANN001
    center = factory.center("NSK")
    order_id, clerk_id = factory.order(center).id, factory.staff(center, Role.INTAKE).id
    factory.session.commit()  # (a SAVEPOINT of the test's transaction) so other sessions see them
    storage = tmp_path / "uploads"
    from servicecenter.accounts.models import User
    from servicecenter.repairs.models import RepairOrder

    def attempt(commit: bool) -> Path:
        with bound_db.session() as sess:
            att = store_photo(sess, sess.get(User, clerk_id), sess.get(RepairOrder, order_id), "x.jpg",
                              image("JPEG", color=(int(commit), 0, 0)), storage)
            path = attachment_path(storage, att)
            assert path.exists() and thumbnail_path(storage, att).exists()
            sess.commit() if commit else sess.rollback()
            return path

    rolled_back = attempt(commit=False)
    assert not rolled_back.exists() and len(files_under(storage)) == 0
    kept = attempt(commit=True)
    assert kept.exists() and len(files_under(storage)) == 2


def test_a_partner_cannot_reach_another_centers_attachment(bound_db, session, factory, tmp_path) -> None:  # noqa: ANN001
    kzn, ekb = factory.center("KZN", kind=CenterKind.PARTNER), factory.center("EKB", kind=CenterKind.PARTNER)
    storage = tmp_path / "uploads"
    own = store_photo(session, factory.staff(kzn, Role.PARTNER), factory.order(kzn), "own.jpg", image(), storage)
    foreign = store_photo(session, factory.staff(ekb, Role.PARTNER), factory.order(ekb), "f.jpg", image(), storage)
    session.commit()
    with bound_db.session() as walled:
        set_scope(walled, Scope(kzn.id))
        assert get_attachment(walled, own.id).id == own.id
        with pytest.raises(NotFound):
            get_attachment(walled, foreign.id)
        assert walled.scalars(select(Attachment)).all() == [walled.get(Attachment, own.id)]


def test_a_stored_name_that_is_not_ours_never_becomes_a_path(tmp_path) -> None:  # noqa: ANN001
    for bad in ("../../etc/passwd", "ab/../../x.jpg", "0" * 32 + ".svg", ""):
        with pytest.raises(NotFound):
            attachment_path(tmp_path, Attachment(stored_name=bad))
