"""Signed acts and documents of an order: real PDFs (opened by a parser, unencrypted, 1–200 pages, ≤20 MB) or
scans that pass the photo checks; anything else refused with nothing left behind, in the database or on disk."""

from __future__ import annotations

import io
import os
import time
import zlib

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, StreamObject
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from sqlalchemy import func, select

from printing.fonts import REGULAR, register_fonts
from servicecenter.accounts.roles import Role
from servicecenter.attachment_pdf import MAX_PDF_PAGES
from servicecenter.attachments import (
    MAX_DOCUMENT_BYTES,
    MAX_DOCUMENTS_PER_ORDER,
    MAX_PHOTOS_PER_ORDER,
    attachment_path,
    count_documents,
    count_photos,
    get_attachment,
    list_attachments,
    list_documents,
    store_document,
    store_documents,
    store_photo,
    store_photos,
    thumbnail_path,
)
from servicecenter.centers.models import CenterKind
from servicecenter.errors import NotFound, PermissionDenied, ValidationFailed
from servicecenter.repairs.models import Attachment, AttachmentKind, EventKind, RepairEvent
from servicecenter.repairs.queries import list_order_history
from servicecenter.repairs.states import RepairState
from servicecenter.scoping import Scope, set_scope
from tests.domain.test_attachments import HTML, SVG, files_under, image

# --- sample files ------------------------------------------------------------------------------


def pdf(pages: int = 1, text: str = "Акт выполненных работ № 15") -> bytes:
    """A real PDF made with ReportLab: `pages` pages, each saying `text` (Cyrillic: the vendored DejaVu font)."""
    register_fonts()
    out = io.BytesIO()
    sheet = canvas.Canvas(out)
    for n in range(1, pages + 1):
        sheet.setFont(REGULAR, 14)
        sheet.drawString(72, 760, f"{text} — {n}")
        sheet.showPage()
    sheet.save()
    return out.getvalue()


def scanned_pdf(side: int = 1900) -> bytes:
    """A one-page PDF holding a picture of random pixels (≈13 MB: they do not compress), like a big scan."""
    picture = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    sheet = canvas.Canvas(out)
    sheet.drawImage(ImageReader(picture), 0, 0, 595, 842)
    sheet.showPage()
    sheet.save()
    return out.getvalue()


def encrypted(data: bytes, user_password: str = "secret") -> bytes:  # noqa: S107
    """The same PDF, encrypted by pypdf (an empty user password: opens without asking, still encrypted)."""
    writer = PdfWriter(clone_from=io.BytesIO(data))
    writer.encrypt(user_password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def no_pages() -> bytes:
    out = io.BytesIO()
    PdfWriter().write(out)
    return out.getvalue()


def inflating(pages: int = MAX_PDF_PAGES, each_mb: int = 70) -> bytes:
    """A small PDF whose every page's drawing commands inflate to `each_mb` MB of blanks (a zip bomb)."""
    blanks = zlib.compress(b" " * (each_mb * 1024 * 1024), 9)
    writer = PdfWriter()
    for _ in range(pages):
        page = writer.add_blank_page(100, 100)
        stream = StreamObject()
        stream._data = blanks
        stream[NameObject("/Filter")] = NameObject("/FlateDecode")
        page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


ACT = pdf()
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + os.urandom(4000)  # a Windows program's first bytes


def _counts(session) -> tuple[int, int]:  # noqa: ANN001
    return (session.scalar(select(func.count()).select_from(Attachment)),
            session.scalar(select(func.count()).select_from(RepairEvent)))


@pytest.fixture
def desk(session, factory, tmp_path):  # noqa: ANN001, ANN201
    center = factory.center("MSK")
    return factory.order(center), factory.staff(center, Role.INTAKE), tmp_path / "uploads"


# --- accepted ----------------------------------------------------------------------------------


def test_a_real_pdf_is_kept_as_a_signed_act_with_a_history_event(session, desk) -> None:  # noqa: ANN001
    order, clerk, storage = desk
    att = store_document(session, clerk, order, "C:\\Сканы\\Акт № 15.pdf", ACT, storage, kind=AttachmentKind.SIGNED_ACT)
    assert (att.order_id, att.kind, att.content_type, att.size, att.uploaded_by_id) == (
        order.id, AttachmentKind.SIGNED_ACT, "application/pdf", len(ACT), clerk.id)
    assert att.original_name == "Акт № 15.pdf" and (att.width, att.height) == (None, None)
    # a random name of ours, not the user's; no thumbnail for a PDF
    assert att.stored_name.endswith(".pdf") and len(att.stored_name) == 32 + 4 and "Акт" not in att.stored_name
    assert attachment_path(storage, att).read_bytes() == ACT
    assert not thumbnail_path(storage, att).exists() and len(files_under(storage)) == 1
    assert "Акт выполненных работ № 15 — 1" in text_of(attachment_path(storage, att).read_bytes())
    event = list_order_history(session, order)[-1]
    assert (event.kind, event.actor_id) == (EventKind.FIELD, clerk.id)
    assert event.details["field"] == "documents" and event.details["attachment_kind"] == "signed_act"
    assert (event.details["file"], event.details["attachment"], event.details["pages"]) == ("Акт № 15.pdf", att.id, 1)
    assert event.details["message"] % event.details["params"] == "Signed act Акт № 15.pdf added"
    assert (count_documents(session, order), count_photos(session, order)) == (1, 0)


def test_a_scan_is_kept_as_a_document_through_the_photo_checks(session, desk) -> None:  # noqa: ANN001
    order, clerk, storage = desk
    scans = store_documents(session, clerk, order, [("паспорт.jpg", image("JPEG", (800, 1100))),
                                                    ("чек.png", image("PNG", color=(0, 0, 90)))], storage)
    assert [(a.kind, a.content_type, a.width) for a in scans] == [
        (AttachmentKind.DOCUMENT, "image/jpeg", 800), (AttachmentKind.DOCUMENT, "image/png", 64)]
    assert all(thumbnail_path(storage, a).exists() for a in scans)
    messages = [e.details["message"] % e.details["params"] for e in list_order_history(session, order)[-2:]]
    assert messages == ["Document паспорт.jpg added", "Document чек.png added"]
    # a scan kept as a document is not a photo: the photo section and its cap do not count it
    assert (count_documents(session, order), count_photos(session, order)) == (2, 0)
    assert [a.kind for a in list_documents_only(session, order)] == [AttachmentKind.DOCUMENT] * 2


def list_documents_only(session, order) -> list[Attachment]:  # noqa: ANN001
    return [a for a, _who in list_documents(session, order)]


@pytest.mark.parametrize("state", [RepairState.REGISTERED, RepairState.DIAGNOSIS, RepairState.READY_FOR_PICKUP,
                                   RepairState.ISSUED, RepairState.CANCELLED])
def test_a_signed_act_may_be_added_in_any_state(session, factory, tmp_path, state) -> None:  # noqa: ANN001
    center = factory.center("KZN", kind=CenterKind.PARTNER)
    order = factory.order(center, state=state)
    att = store_document(session, factory.staff(center, Role.PARTNER), order, "act.pdf", ACT, tmp_path,
                         kind=AttachmentKind.SIGNED_ACT)
    assert att.kind == AttachmentKind.SIGNED_ACT and order.state == state


def test_a_pdf_larger_than_a_photo_but_under_20_mb_and_200_pages_is_kept(session, desk) -> None:  # noqa: ANN001
    order, clerk, storage = desk
    big = scanned_pdf()
    assert 10 * 1024 * 1024 < len(big) < MAX_DOCUMENT_BYTES
    assert store_document(session, clerk, order, "big.pdf", big, storage).size == len(big)
    many = store_document(session, clerk, order, "many.pdf", pdf(MAX_PDF_PAGES), storage)
    assert list_order_history(session, order)[-1].details["pages"] == MAX_PDF_PAGES and many.size > 0


def test_the_same_document_sent_twice_is_kept_once_but_a_photo_of_it_is_another_thing(session, desk) -> None:  # noqa: ANN001
    order, clerk, storage = desk
    first = store_document(session, clerk, order, "act.pdf", ACT, storage)
    assert store_documents(session, clerk, order, [("act.pdf", ACT), ("copy.pdf", ACT)], storage) == [first]
    scan = image("JPEG", color=(1, 2, 3))
    photo = store_photo(session, clerk, order, "scan.jpg", scan, storage)
    doc = store_document(session, clerk, order, "scan.jpg", scan, storage, kind=AttachmentKind.SIGNED_ACT)
    assert doc.id != photo.id and doc.kind == AttachmentKind.SIGNED_ACT
    assert len(list_attachments(session, order)) == 3


# --- refused -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("act.jpg", ACT, "The file name does not match its content"),  # a PDF renamed .jpg
    ("act.png", ACT, "The file name does not match its content"),
    ("photo.pdf", image("JPEG"), "The file name does not match its content"),  # a photo renamed .pdf
    ("invoice.pdf", HTML, "Not a PDF file"),
    ("drawing.pdf", SVG, "Not a PDF file"),
    ("setup.pdf", EXE, "Not a PDF file"),
    ("drawing.svg", SVG, "Only PDF files or JPEG, PNG or WebP scans"),
    ("page.html", HTML, "Only PDF files or JPEG, PNG or WebP scans"),
    ("setup.exe", EXE, "Only PDF files or JPEG, PNG or WebP scans"),
    ("act.docx", b"PK\x03\x04" + b"\0" * 100, "Only PDF files or JPEG, PNG or WebP scans"),
    ("act", ACT, "Only PDF files or JPEG, PNG or WebP scans"),
    ("page.jpg", HTML, "Only PDF files or JPEG, PNG or WebP scans"),
    ("cut.pdf", ACT[: len(ACT) // 2], "Damaged or incomplete PDF"),
    ("almost.pdf", ACT[:-3], "Damaged or incomplete PDF"),  # only the end marker cut off
    ("cut-stream.pdf", ACT[: len(ACT) // 2] + b"\n%%EOF\n", "Damaged or incomplete PDF"),
    ("garbage.pdf", b"%PDF-1.7\n" + os.urandom(3000) + b"\n%%EOF\n", "Damaged or incomplete PDF"),
    ("locked.pdf", encrypted(ACT), "Encrypted PDF"),
    ("restricted.pdf", encrypted(ACT, user_password=""), "Encrypted PDF"),  # opens without a password
    ("blank.pdf", no_pages(), "The PDF has no pages"),
    ("book.pdf", pdf(MAX_PDF_PAGES + 1), "Too many pages"),
    ("huge.pdf", ACT + b"\0" * MAX_DOCUMENT_BYTES, "Too large"),
    ("huge-scan.jpg", image("JPEG") + b"\0" * (10 * 1024 * 1024), "Too large"),  # a scan keeps the photo cap
    ("empty.pdf", b"", "The file is empty"),
    ("cut.jpg", image("JPEG", (300, 200))[:300], "Damaged or incomplete image"),
])
def test_refused_documents_leave_nothing_behind(session, desk, name, data, reason) -> None:  # noqa: ANN001
    order, clerk, storage = desk
    store_document(session, clerk, order, "kept.pdf", pdf(text="kept"), storage)
    before, on_disk = _counts(session), files_under(storage)
    with pytest.raises(ValidationFailed) as refused:
        store_documents(session, clerk, order, [("fine.pdf", pdf(text="fine")), (name, data)], storage)
    assert refused.value.errors == {"documents": reason}
    assert refused.value.status == 422 and (name in str(refused.value) or name == "act")
    assert _counts(session) == before and files_under(storage) == on_disk  # not even the good file of the batch


def test_a_pdf_that_inflates_to_gigabytes_is_refused_at_once(session, desk) -> None:  # noqa: ANN001
    order, clerk, storage = desk
    bomb = inflating()  # 200 pages × 70 MB of drawing commands in a file of about 14 MB
    assert len(bomb) < MAX_DOCUMENT_BYTES
    started = time.monotonic()
    with pytest.raises(ValidationFailed) as refused:
        store_document(session, clerk, order, "bomb.pdf", bomb, storage)
    assert time.monotonic() - started < 10  # a minute and a half if every page were inflated
    assert refused.value.errors == {"documents": "Too much page content"}
    assert list_attachments(session, order) == [] and files_under(storage) == []


def test_the_reasons_name_the_file_and_say_what_to_do(session, desk) -> None:  # noqa: ANN001
    order, clerk, storage = desk
    said = {}
    for name, data in (("act.jpg", ACT), ("locked.pdf", encrypted(ACT)), ("book.pdf", pdf(MAX_PDF_PAGES + 1)),
                       ("huge.pdf", ACT + b"\0" * MAX_DOCUMENT_BYTES)):
        with pytest.raises(ValidationFailed) as refused:
            store_document(session, clerk, order, name, data, storage)
        said[name] = str(refused.value)
    assert said == {
        "act.jpg": "act.jpg is not what its name says: the content is PDF",
        "locked.pdf": "locked.pdf is password-protected or encrypted; save it without protection and upload it again",
        "book.pdf": "book.pdf has 201 pages (at most 200)",
        "huge.pdf": "huge.pdf is larger than 20 MB",
    }


def test_an_order_keeps_at_most_twenty_documents_apart_from_its_photos(session, desk) -> None:  # noqa: ANN001
    order, clerk, storage = desk
    store_photos(session, clerk, order, [(f"p{i}.png", image("PNG", (8, 8), color=(i, 1, 2)))
                                         for i in range(MAX_PHOTOS_PER_ORDER)], storage)
    store_documents(session, clerk, order, [(f"d{i}.pdf", pdf(text=f"doc {i}"))
                                            for i in range(MAX_DOCUMENTS_PER_ORDER - 1)], storage)
    before, on_disk = _counts(session), len(files_under(storage))
    with pytest.raises(ValidationFailed) as refused:
        store_documents(session, clerk, order, [("a.pdf", pdf(text="a")), ("b.pdf", pdf(text="b"))], storage)
    assert refused.value.errors == {"documents": "Too many documents"}
    assert _counts(session) == before and len(files_under(storage)) == on_disk
    store_document(session, clerk, order, "last.pdf", pdf(text="last"), storage)
    with pytest.raises(ValidationFailed):
        store_document(session, clerk, order, "one-too-many.jpg", image("JPEG", color=(9, 9, 9)), storage)
    assert (count_documents(session, order), count_photos(session, order)) == (20, 20)


def test_kinds_stay_on_their_own_shelf(session, desk) -> None:  # noqa: ANN001
    order, clerk, storage = desk
    with pytest.raises(ValidationFailed) as refused:
        store_document(session, clerk, order, "act.pdf", ACT, storage, kind=AttachmentKind.PART_PHOTO)
    assert refused.value.errors == {"kind": "Not a kind of document"}
    with pytest.raises(ValidationFailed) as refused:
        store_photo(session, clerk, order, "a.jpg", image(), storage, kind=AttachmentKind.SIGNED_ACT)
    assert refused.value.errors == {"kind": "Not a kind of photo"}
    with pytest.raises(ValidationFailed):  # the photo path still refuses a PDF
        store_photo(session, clerk, order, "act.pdf", ACT, storage)
    assert list_attachments(session, order) == [] and files_under(storage) == []


def test_only_staff_working_on_the_orders_center_may_add_documents(session, factory, desk) -> None:  # noqa: ANN001
    order, _clerk, storage = desk
    other = factory.center("SPB")
    partner = factory.center("KZN", kind=CenterKind.PARTNER)
    for actor in (factory.staff(order.center, Role.WAREHOUSE), factory.staff(order.center, Role.CALL_CENTER),
                  factory.staff(order.center, Role.LOGISTICS), factory.staff(other, Role.ENGINEER),
                  factory.staff(partner, Role.PARTNER), factory.staff(partner, Role.PARTNER_MANAGER)):
        with pytest.raises(PermissionDenied):
            store_document(session, actor, order, "act.pdf", ACT, storage)
    assert files_under(storage) == [] and list_attachments(session, order) == []
    for i, role in enumerate((Role.ENGINEER, Role.TEAM_LEAD)):
        store_document(session, factory.staff(order.center, role), order, "a.pdf", pdf(text=str(i)), storage)
    store_document(session, factory.staff(other, Role.ADMIN), order, "a.pdf", pdf(text="admin"), storage)
    partners_order = factory.order(partner)
    store_document(session, factory.staff(partner, Role.PARTNER_MANAGER), partners_order, "act.pdf", ACT, storage,
                   kind=AttachmentKind.SIGNED_ACT)


# --- the transaction and the wall --------------------------------------------------------------


def test_a_rolled_back_document_leaves_no_file(bound_db, factory, tmp_path) -> None:  # noqa: ANN001
    center = factory.center("NSK")
    order_id, clerk_id = factory.order(center).id, factory.staff(center, Role.INTAKE).id
    factory.session.commit()
    storage = tmp_path / "uploads"
    from servicecenter.accounts.models import User
    from servicecenter.repairs.models import RepairOrder

    with bound_db.session() as sess:
        att = store_document(sess, sess.get(User, clerk_id), sess.get(RepairOrder, order_id), "act.pdf", ACT, storage)
        path = attachment_path(storage, att)
        assert path.exists()
        sess.rollback()
    assert not path.exists() and files_under(storage) == []


def test_a_partner_sees_its_own_documents_only(bound_db, session, factory, tmp_path) -> None:  # noqa: ANN001
    kzn, ekb = factory.center("KZN", kind=CenterKind.PARTNER), factory.center("EKB", kind=CenterKind.PARTNER)
    head = factory.center("MSK")
    storage = tmp_path / "uploads"
    own_order = factory.order(kzn)
    own = store_document(session, factory.staff(kzn, Role.PARTNER), own_order, "own.pdf", ACT, storage,
                         kind=AttachmentKind.SIGNED_ACT)
    from_head = store_document(session, factory.staff(head, Role.ADMIN), own_order, "from-head.pdf", pdf(text="h"),
                               storage)
    foreign = store_document(session, factory.staff(ekb, Role.PARTNER), factory.order(ekb), "foreign.pdf",
                             pdf(text="f"), storage)
    session.commit()
    with bound_db.session() as walled:
        set_scope(walled, Scope(kzn.id))
        assert get_attachment(walled, own.id).id == own.id
        with pytest.raises(NotFound):
            get_attachment(walled, foreign.id)
        assert {a.id for a in walled.scalars(select(Attachment))} == {own.id, from_head.id}
        rows = list_documents(walled, walled.get(type(own_order), own_order.id))
        # the head office's admin is not a user the partner can see: no name, but the document is there
        assert [(a.id, who is not None) for a, who in rows] == [(own.id, True), (from_head.id, False)]
