"""Signed acts and documents over HTTP: the order page's Documents section, uploads refused with a reason and
nothing kept, PDFs always downloaded (never shown inline) with safe headers, and the partner wall."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from servicecenter.accounts.roles import Role
from servicecenter.attachment_pdf import MAX_PDF_PAGES
from servicecenter.attachments import MAX_DOCUMENT_BYTES, attachment_path, store_document
from servicecenter.centers.models import CenterKind
from servicecenter.repairs.models import Attachment, AttachmentKind, EventKind, RepairEvent
from servicecenter.repairs.states import RepairState
from tests.domain.test_attachment_documents import encrypted, pdf
from tests.domain.test_attachments import HTML, SVG, image
from tests.factories import csrf_token, login


def uploads(app) -> Path:  # noqa: ANN001
    return Path(app.config["SETTINGS"].instance_path) / "uploads"


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _counts(session) -> tuple[int, int]:  # noqa: ANN001
    return (session.scalar(select(func.count()).select_from(Attachment)),
            session.scalar(select(func.count()).select_from(RepairEvent)))


def _page(client, number: str) -> str:  # noqa: ANN001
    r = client.get(f"/orders/{number}")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def _section(html: str) -> str:
    match = re.search(r'<section class="attachments documents" id="documents">.*?</section>', html, re.S)
    return match.group(0) if match else ""


def _login(client, user) -> None:  # noqa: ANN001
    user.locale = "en"  # the assertions read the English texts (the default language is Russian)
    login(client, user.email)


def _upload(client, number: str, *files: tuple[bytes, str], kind: str = "signed_act"):  # noqa: ANN001, ANN202
    token = csrf_token(_page(client, number))
    return client.post(f"/orders/{number}/documents", content_type="multipart/form-data", data={
        "csrf_token": token, "kind": kind, "documents": [(io.BytesIO(data), name) for data, name in files]})


ACT_NAME = "Акт выполненных работ №15.pdf"
# what a browser sends for it: RFC 5987, UTF-8, percent-encoded
ACT_NAME_5987 = ("filename*=UTF-8''%D0%90%D0%BA%D1%82%20%D0%B2%D1%8B%D0%BF%D0%BE%D0%BB%D0%BD%D0%B5%D0%BD%D0%BD%D1%8B"
                 "%D1%85%20%D1%80%D0%B0%D0%B1%D0%BE%D1%82%20%E2%84%9615.pdf")


@pytest.fixture
def partner(factory):  # noqa: ANN001, ANN201
    return factory.center("KZN", kind=CenterKind.PARTNER)


# --- the order page ----------------------------------------------------------------------------


def test_a_partner_uploads_the_signed_act_of_an_issued_order_and_downloads_it(app, client, factory, partner,
                                                                              session) -> None:  # noqa: ANN001
    order = factory.order(partner, state=RepairState.ISSUED)
    user = factory.staff(partner, Role.PARTNER)
    _login(client, user)
    form = _section(_page(client, order.number))
    assert 'enctype="multipart/form-data"' in form and 'name="csrf_token"' in form
    assert 'accept=".pdf,.jpg,.jpeg,.png,.webp"' in form
    assert '<option selected value="signed_act">' in form  # after the hand-back the paper is the signed act
    act = pdf(2, text="Акт выполненных работ № 15, подпись клиента")
    r = _upload(client, order.number, (act, ACT_NAME))
    assert r.status_code == 302 and r.headers["Location"] == f"/orders/{order.number}#documents"
    att = session.scalars(select(Attachment).where(Attachment.order_id == order.id)).one()
    assert (att.kind, att.content_type, att.original_name, att.uploaded_by_id) == (
        AttachmentKind.SIGNED_ACT, "application/pdf", ACT_NAME, user.id)
    assert attachment_path(uploads(app), att).read_bytes() == act and len(files_under(uploads(app))) == 1
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert 'class="flash success"' in html
    row = re.search(rf'<tr data-attachment="{att.id}".*?</tr>', _section(html), re.S).group(0)
    for shown in ("Signed act", ACT_NAME, user.name, f'href="/attachments/{att.id}"', " KB"):
        assert shown in row, shown
    # the history says who added which act
    event = session.scalars(select(RepairEvent).where(RepairEvent.order_id == order.id,
                                                      RepairEvent.kind == EventKind.FIELD)).one()
    assert (event.actor_id, event.details["file"], event.details["attachment_kind"]) == (
        user.id, ACT_NAME, "signed_act")
    assert f"Signed act {ACT_NAME} added" in html.split('class="list history"')[1]

    r = client.get(f"/attachments/{att.id}")
    assert r.status_code == 200 and r.data == act
    assert r.headers["Content-Type"] == "application/pdf"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    disposition = r.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and ACT_NAME_5987 in disposition
    assert "private" in r.headers["Cache-Control"] and "sandbox" in r.headers["Content-Security-Policy"]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(r.data)).pages)
    assert "Акт выполненных работ № 15, подпись клиента" in text and len(PdfReader(io.BytesIO(r.data)).pages) == 2
    poppler = subprocess.run(["pdftotext", "-", "-"], input=r.data, capture_output=True, check=True)
    assert "подпись клиента" in poppler.stdout.decode()
    assert client.get(f"/attachments/{att.id}/thumb").status_code == 404  # a PDF has no thumbnail


def test_a_scan_is_a_document_shown_inline_like_a_photo(app, client, factory, session) -> None:  # noqa: ANN001
    center = factory.center("MSK")
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    _login(client, factory.staff(center, Role.ENGINEER))
    assert '<option selected value="document">' in _section(_page(client, order.number))
    scan = image("JPEG", (600, 800))
    r = _upload(client, order.number, (scan, "гарантийный талон.jpg"), kind="document")
    assert r.status_code == 302
    att = session.scalars(select(Attachment)).one()
    assert (att.kind, att.content_type) == (AttachmentKind.DOCUMENT, "image/jpeg")
    html = _page(client, order.number)
    assert f'data-attachment="{att.id}" data-kind="document"' in _section(html)
    # the photos section keeps only photos
    photos = re.search(r'<section class="attachments" id="photos">.*?</section>', html, re.S)
    assert photos is None or f"/attachments/{att.id}" not in photos.group(0)
    r = client.get(f"/attachments/{att.id}")
    assert r.status_code == 200 and r.data == scan and r.headers["Content-Type"] == "image/jpeg"
    assert r.headers["Content-Disposition"].startswith("inline;") and r.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("data", "name", "says"), [
    (pdf(), "act.jpg", "act.jpg is not what its name says: the content is PDF"),
    (HTML, "invoice.pdf", "invoice.pdf is not a PDF file"),
    (SVG, "drawing.svg", "drawing.svg is not a PDF file or a JPEG, PNG or WebP scan"),
    (SVG, "drawing.pdf", "drawing.pdf is not a PDF file"),
    (b"MZ\x90\x00" + b"\0" * 500, "setup.pdf", "setup.pdf is not a PDF file"),
    (pdf()[:900], "cut.pdf", "cut.pdf could not be read as a PDF (damaged or incomplete)"),
    (encrypted(pdf()), "locked.pdf", "locked.pdf is password-protected or encrypted"),
    (pdf(MAX_PDF_PAGES + 1), "book.pdf", "book.pdf has 201 pages (at most 200)"),
    (pdf() + b"\0" * MAX_DOCUMENT_BYTES, "huge.pdf", "huge.pdf is larger than 20 MB"),
])
def test_a_bad_document_is_refused_with_the_reason_and_nothing_kept(app, client, factory, session, data, name,
                                                                    says) -> None:  # noqa: ANN001
    center = factory.center("MSK")
    order = factory.order(center, state=RepairState.READY_FOR_PICKUP)
    _login(client, factory.staff(center, Role.INTAKE))
    before = _counts(session)
    r = _upload(client, order.number, (pdf(text="good"), "good.pdf"), (data, name))
    assert r.status_code == 302 and r.headers["Location"].endswith("#documents")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    flash = re.search(r'class="flash error"[^>]*>(.*?)<', page, re.S)
    assert flash and says in flash.group(1).replace("&#39;", "'")
    assert _counts(session) == before and files_under(uploads(app)) == []  # not even good.pdf


def test_an_upload_needs_a_file_and_the_csrf_token(app, client, factory, session) -> None:  # noqa: ANN001
    center = factory.center("MSK")
    order = factory.order(center)
    login(client, factory.staff(center, Role.INTAKE).email)
    r = client.post(f"/orders/{order.number}/documents", content_type="multipart/form-data",
                    data={"kind": "signed_act", "documents": [(io.BytesIO(pdf()), "act.pdf")]})
    assert r.status_code == 400 and _counts(session)[0] == 0
    r = client.post(f"/orders/{order.number}/documents", data={
        "csrf_token": csrf_token(_page(client, order.number)), "kind": "signed_act"})
    assert r.status_code == 302 and _counts(session)[0] == 0
    r = _upload(client, order.number, (pdf(), "act.pdf"), kind="part_photo")  # not a document kind
    assert r.status_code == 302 and _counts(session)[0] == 0 and files_under(uploads(app)) == []


def test_who_sees_the_form(app, client, factory, session) -> None:  # noqa: ANN001
    center = factory.center("MSK")
    order = factory.order(center)
    store_document(session, factory.staff(center, Role.INTAKE), order, "act.pdf", pdf(), uploads(app),
                   kind=AttachmentKind.SIGNED_ACT)
    login(client, factory.staff(center, Role.WAREHOUSE).email)  # sees the documents, may not add one
    section = _section(_page(client, order.number))
    assert "act.pdf" in section and 'class="upload"' not in section
    r = client.post(f"/orders/{order.number}/documents", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(_page(client, order.number)), "kind": "document",
        "documents": [(io.BytesIO(pdf(text="x")), "x.pdf")]})
    assert r.status_code == 403 and _counts(session)[0] == 1
    client = app.test_client()
    login(client, factory.staff(factory.center("SPB"), Role.ENGINEER).email)  # another center's engineer
    section = _section(_page(client, order.number))
    assert "act.pdf" in section and 'class="upload"' not in section
    r = client.post(f"/orders/{order.number}/documents", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(_page(client, order.number)), "kind": "document",
        "documents": [(io.BytesIO(pdf(text="y")), "y.pdf")]})
    assert r.status_code == 403 and _counts(session)[0] == 1 and len(files_under(uploads(app))) == 1


# --- the partner wall --------------------------------------------------------------------------


def _without_tokens(page: str) -> str:
    return re.sub(r"/attachments/\d+", "/attachments/N", re.sub(r'name="csrf_token" value="[^"]+"', "", page))


def test_a_partner_gets_404_for_another_centers_documents(app, client, factory, partner, session) -> None:  # noqa: ANN001
    ekb = factory.center("EKB", kind=CenterKind.PARTNER)
    own_order, foreign_order = factory.order(partner), factory.order(ekb, state=RepairState.ISSUED)
    foreign = store_document(session, factory.staff(ekb, Role.PARTNER), foreign_order, "Акт ЕКБ секрет.pdf",
                             pdf(text="foreign"), uploads(app), kind=AttachmentKind.SIGNED_ACT)
    manager = factory.staff(partner, Role.PARTNER_MANAGER)
    login(client, manager.email)
    r = client.get(f"/attachments/{foreign.id}")
    missing = client.get("/attachments/999999999")
    assert r.status_code == missing.status_code == 404
    assert _without_tokens(r.get_data(as_text=True)) == _without_tokens(missing.get_data(as_text=True))
    assert "ЕКБ" not in r.get_data(as_text=True) and foreign_order.number not in r.get_data(as_text=True)
    # uploading to the other center's order: 404, nothing kept
    token = csrf_token(_page(client, own_order.number))
    r = client.post(f"/orders/{foreign_order.number}/documents", content_type="multipart/form-data", data={
        "csrf_token": token, "kind": "signed_act", "documents": [(io.BytesIO(pdf(text="z")), "z.pdf")]})
    assert r.status_code == 404 and "ЕКБ" not in r.get_data(as_text=True)
    assert [a.id for a in session.scalars(select(Attachment))] == [foreign.id]
    # its own order: the manager adds and reads its act
    assert _upload(client, own_order.number, (pdf(text="own"), "own.pdf")).status_code == 302
    own = session.scalars(select(Attachment).where(Attachment.order_id == own_order.id)).one()
    assert client.get(f"/attachments/{own.id}").status_code == 200
