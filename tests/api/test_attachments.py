"""Photos and documents over the API: multipart uploads with the order page's checks, the list, the download
with the order page's headers, the bench's part photos, the partner wall."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from servicecenter.accounts.roles import Role
from servicecenter.attachments import MAX_PHOTO_BYTES, MAX_PHOTOS_PER_ORDER
from servicecenter.i18n import translator
from servicecenter.repairs.models import Attachment, AttachmentKind, EventKind, RepairEvent
from servicecenter.repairs.states import RepairState
from tests.domain.test_attachment_documents import pdf

SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
RU = translator("ru").gettext  # the token users' language: Russian by default
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def picture(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width × height pixels (a decompression bomb once decoded)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1024))
            + chunk(b"IEND", b""))


def uploads(app) -> Path:  # noqa: ANN001
    return Path(app.config["SETTINGS"].instance_path) / "uploads"


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _stored(session, order=None) -> list[Attachment]:  # noqa: ANN001
    session.expire_all()
    query = select(Attachment).order_by(Attachment.id)
    if order is not None:
        query = query.where(Attachment.order_id == order.id)
    return list(session.scalars(query))


def _events(session) -> int:  # noqa: ANN001
    return session.scalar(select(func.count()).select_from(RepairEvent))


def _send(api, who, order, *files, path="attachments", field="photos", **form):  # noqa: ANN001, ANN002, ANN003, ANN202
    data = {field: [(io.BytesIO(content), name) for content, name in files], **form}
    return api(who).post(f"/api/v1/repair-orders/{order.number}/{path}", data=data,
                         content_type="multipart/form-data")


# --- photos -----------------------------------------------------------------------------------------

def test_photos_are_stored_with_thumbnails_and_their_history(api, world, app, session) -> None:  # noqa: ANN001
    order = world.msk_order
    r = _send(api, "intake", order, (picture("JPEG", (800, 600)), "плата.jpg"),
              (picture("PNG", color=(0, 90, 0)), "seal.png"))
    assert r.status_code == 201, r.get_json()
    answer = r.get_json()
    assert answer["order"] == order.number
    assert [(a["name"], a["kind"], a["content_type"], a["width"]) for a in answer["stored"]] == [
        ("плата.jpg", "intake_photo", "image/jpeg", 800), ("seal.png", "intake_photo", "image/png", 64)]
    stored = _stored(session, order)
    assert [(a.original_name, a.kind, a.uploaded_by_id) for a in stored] == [
        ("плата.jpg", AttachmentKind.INTAKE_PHOTO, world.users["intake"].id),
        ("seal.png", AttachmentKind.INTAKE_PHOTO, world.users["intake"].id)]
    assert len(files_under(uploads(app))) == 4  # two originals, two thumbnails
    history = api("admin").get(f"/api/v1/repair-orders/{order.number}").get_json()["history"]
    assert [e["details"]["file"] for e in history if e["kind"] == "field"] == ["плата.jpg", "seal.png"]


def test_the_same_photo_sent_twice_is_kept_once(api, world, session) -> None:  # noqa: ANN001
    photo = picture()
    first = _send(api, "engineer", world.msk_order, (photo, "a.jpg"), kind="part_photo").get_json()["stored"]
    again = _send(api, "engineer", world.msk_order, (photo, "a.jpg"), kind="part_photo")
    assert again.status_code == 201 and again.get_json()["stored"] == first
    assert len(_stored(session)) == 1


@pytest.mark.parametrize("content,name,reason", [
    (SVG, "drawing.svg", "Only JPEG, PNG or WebP photos"),
    (SVG, "drawing.jpg", "Only JPEG, PNG or WebP photos"),
    (HTML, "invoice.jpg", "Only JPEG, PNG or WebP photos"),
    (picture("PNG"), "photo.jpg", "The file name does not match its content"),
    (png_declaring(7000, 6000), "big.png", "Too many pixels"),  # 42 MP: over our cap
    (png_declaring(20000, 20000), "bomb.png", "Too many pixels"),
    (b"", "empty.jpg", "The file is empty"),
    (picture() + b"\0" * MAX_PHOTO_BYTES, "huge.jpg", "Too large"),
])
def test_hostile_or_wrong_files_are_422_and_nothing_is_stored(api, world, app, session, content, name,
                                                              reason) -> None:  # noqa: ANN001
    before = _events(session)
    r = _send(api, "intake", world.msk_order, (picture(), "good.jpg"), (content, name))
    assert r.status_code == 422 and r.get_json()["errors"] == {"photos": RU(reason)}
    assert name in r.get_json()["detail"]
    assert _stored(session) == [] and files_under(uploads(app)) == []  # not even good.jpg
    assert _events(session) == before


def test_no_file_a_wrong_kind_or_not_multipart_is_refused(api, world, session) -> None:  # noqa: ANN001
    order = world.msk_order
    r = api("intake").post(f"/api/v1/repair-orders/{order.number}/attachments", data={"kind": "intake_photo"},
                           content_type="multipart/form-data")
    assert r.status_code == 422 and set(r.get_json()["errors"]) == {"photos"}
    r = _send(api, "intake", order, (picture(), "a.jpg"), kind="selfie")
    assert r.status_code == 422 and set(r.get_json()["errors"]) == {"kind"}
    r = _send(api, "intake", order, (picture(), "a.jpg"), kind="signed_act")  # a document kind, not a photo
    assert r.status_code == 422 and set(r.get_json()["errors"]) == {"kind"}
    r = api("intake").post(f"/api/v1/repair-orders/{order.number}/attachments", json={"photos": []})
    assert r.status_code == 415
    assert _stored(session) == []


def test_an_order_keeps_at_most_so_many_photos(api, world, session) -> None:  # noqa: ANN001
    files = [(picture("PNG", color=(n, 0, 0)), f"{n}.png") for n in range(MAX_PHOTOS_PER_ORDER)]
    assert _send(api, "intake", world.msk_order, *files).status_code == 201
    r = _send(api, "intake", world.msk_order, (picture(color=(0, 0, 99)), "one-more.jpg"))
    assert r.status_code == 422 and r.get_json()["errors"] == {"photos": RU("Too many photos")}
    assert len(_stored(session)) == MAX_PHOTOS_PER_ORDER


@pytest.mark.parametrize("who", ["call_center", "logistics"])
def test_roles_that_do_not_work_on_orders_may_not_upload(api, world, session, who) -> None:  # noqa: ANN001
    assert _send(api, who, world.msk_order, (picture(), "a.jpg")).status_code == 403
    assert _send(api, who, world.msk_order, (pdf(), "act.pdf"), path="documents", field="documents").status_code == 403
    assert _stored(session) == []


def test_the_partner_wall(api, world, session, factory) -> None:  # noqa: ANN001
    assert _send(api, "partner", world.ekb_order, (picture(), "a.jpg")).status_code == 201
    for order in (world.msk_order, world.nsk_order):  # another center's order does not exist for a partner
        assert _send(api, "partner", order, (picture(color=(1, 1, 1)), "b.jpg")).status_code == 404
    # staff of another own center see the order but may not add to it
    spb = factory.center("SPB")
    other = factory.order(spb)
    assert _send(api, "intake", other, (picture(color=(2, 2, 2)), "c.jpg")).status_code == 403
    assert [a.order_id for a in _stored(session)] == [world.ekb_order.id]


def test_without_a_token_it_is_401(api, world) -> None:  # noqa: ANN001
    assert _send(api, None, world.msk_order, (picture(), "a.jpg")).status_code == 401


# --- documents --------------------------------------------------------------------------------------

def test_a_signed_act_and_a_scan_are_stored_as_documents(api, world, session) -> None:  # noqa: ANN001
    r = _send(api, "partner", world.ekb_order, (pdf(2), "Акт №15.pdf"), (picture(), "паспорт.jpg"),
              path="documents", field="documents")
    assert r.status_code == 201
    assert [(a["name"], a["kind"], a["content_type"], a["thumbnail_url"] is None) for a in r.get_json()["stored"]] == [
        ("Акт №15.pdf", "signed_act", "application/pdf", True), ("паспорт.jpg", "signed_act", "image/jpeg", False)]
    r = _send(api, "partner", world.ekb_order, (pdf(text="гарантийный талон"), "талон.pdf"), path="documents",
              field="documents", kind="document")
    assert r.get_json()["stored"][0]["kind"] == "document"
    assert [a.kind for a in _stored(session)] == [AttachmentKind.SIGNED_ACT, AttachmentKind.SIGNED_ACT,
                                                   AttachmentKind.DOCUMENT]


@pytest.mark.parametrize("content,name", [
    (SVG, "drawing.svg"), (HTML, "invoice.pdf"), (HTML, "invoice.jpg"), (pdf(), "act.jpg"),
    (png_declaring(7000, 6000), "scan.png"), (b"MZ\x90\x00" + b"\0" * 500, "setup.pdf"),
])
def test_hostile_documents_are_422_and_nothing_is_stored(api, world, app, session, content, name) -> None:  # noqa: ANN001
    r = _send(api, "intake", world.msk_order, (pdf(), "good.pdf"), (content, name), path="documents",
              field="documents")
    assert r.status_code == 422 and set(r.get_json()["errors"]) == {"documents"}
    assert _stored(session) == [] and files_under(uploads(app)) == []


def test_documents_need_a_file_and_a_document_kind(api, world, session) -> None:  # noqa: ANN001
    r = api("intake").post(f"/api/v1/repair-orders/{world.msk_order.number}/documents", data={},
                           content_type="multipart/form-data")
    assert r.status_code == 422 and set(r.get_json()["errors"]) == {"documents"}
    r = _send(api, "intake", world.msk_order, (pdf(), "act.pdf"), path="documents", field="documents",
              kind="part_photo")
    assert r.status_code == 422 and set(r.get_json()["errors"]) == {"kind"}
    assert _stored(session) == []


# --- the bench's part photos ------------------------------------------------------------------------

@pytest.fixture
def bench(world, factory):  # noqa: ANN001, ANN201
    order = factory.order(world.msk, state=RepairState.DIAGNOSIS)
    order.engineer = world.users["engineer"]
    factory.session.flush()
    return order


def test_the_orders_engineer_adds_photos_of_parts(api, world, session, bench) -> None:  # noqa: ANN001
    r = _send(api, "engineer", bench, (picture(), "old-pump.jpg"), path="part-photos")
    assert r.status_code == 201 and r.get_json()["stored"][0]["kind"] == "part_photo"
    assert [(a.kind, a.uploaded_by_id) for a in _stored(session, bench)] == [
        (AttachmentKind.PART_PHOTO, world.users["engineer"].id)]
    event = session.scalars(select(RepairEvent).where(RepairEvent.order_id == bench.id,
                                                      RepairEvent.kind == EventKind.FIELD)).one()
    assert event.details["attachment_kind"] == "part_photo"


def test_part_photos_follow_the_benchs_rules(api, world, session, bench, factory) -> None:  # noqa: ANN001
    other = factory.staff(world.msk, Role.ENGINEER)
    from servicecenter.accounts.tokens import create_token
    token = create_token(session, None, other, "bench")[1]
    r = api("engineer").client.post(f"/api/v1/repair-orders/{bench.number}/part-photos",
                                    data={"photos": [(io.BytesIO(picture()), "a.jpg")]},
                                    headers={"Authorization": f"Bearer {token}"}, content_type="multipart/form-data")
    assert r.status_code == 403  # assigned to someone else
    assert _send(api, "intake", bench, (picture(), "a.jpg"), path="part-photos").status_code == 403  # not a bench role
    assert _send(api, "team_lead", bench, (picture(), "a.jpg"), path="part-photos").status_code == 201
    assert _send(api, "engineer", bench, (SVG, "a.jpg"), path="part-photos").status_code == 422
    assert _send(api, "engineer", bench, path="part-photos").status_code == 422  # no file
    assert _send(api, "partner", bench, (picture(color=(5, 5, 5)), "p.jpg"), path="part-photos").status_code == 404
    assert len(_stored(session, bench)) == 1


# --- list and download --------------------------------------------------------------------------------

def test_the_list_and_the_download_with_safe_headers(api, world, session) -> None:  # noqa: ANN001
    order = world.ekb_order
    photo, act = picture("PNG"), pdf()
    _send(api, "partner", order, (photo, "seal.png"))
    _send(api, "partner", order, (act, "act.pdf"), path="documents", field="documents")
    listed = api("partner").get(f"/api/v1/repair-orders/{order.number}/attachments")
    assert listed.status_code == 200
    items = listed.get_json()["items"]
    assert [i["name"] for i in items] == ["seal.png", "act.pdf"] and listed.get_json()["total"] == 2
    only = api("partner").get(f"/api/v1/repair-orders/{order.number}/attachments?kind=signed_act").get_json()
    assert [i["name"] for i in only["items"]] == ["act.pdf"]
    assert api("partner").get(f"/api/v1/repair-orders/{order.number}/attachments?kind=x").status_code == 422

    image = api("partner").get(items[0]["url"])
    assert image.status_code == 200 and image.data == photo and image.mimetype == "image/png"
    assert image.headers["Content-Disposition"].startswith("inline")
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in image.headers["Content-Security-Policy"] and image.headers["Cache-Control"] == "private, no-cache"
    document = api("partner").get(items[1]["url"])
    assert document.data == act and document.headers["Content-Disposition"].startswith("attachment")
    assert document.headers["X-Content-Type-Options"] == "nosniff"
    thumb = api("partner").get(items[0]["thumbnail_url"])
    assert thumb.status_code == 200 and Image.open(io.BytesIO(thumb.data)).format == "JPEG"
    assert api("partner").get(f"/api/v1/attachments/{items[1]['id']}/thumbnail").status_code == 404  # a PDF: none

    # another partner: the order and its files do not exist
    assert api("nsk_partner").get(f"/api/v1/repair-orders/{order.number}/attachments").status_code == 404
    assert api("nsk_partner").get(items[0]["url"]).status_code == 404
    assert api("nsk_partner").get(items[0]["thumbnail_url"]).status_code == 404
    assert api("partner").get("/api/v1/attachments/999999").status_code == 404
    assert api(None).get(items[0]["url"]).status_code == 401
