"""Photos over HTTP: upload on the order page and at intake, download with safe headers, the partner wall."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from servicecenter.accounts.roles import Role
from servicecenter.attachments import attachment_path, store_photo
from servicecenter.centers.models import CenterKind
from servicecenter.customers.models import Customer
from servicecenter.equipment.models import Unit
from servicecenter.repairs.models import Attachment, AttachmentKind, EventKind, RepairEvent, RepairOrder
from servicecenter.repairs.states import RepairState
from tests.domain.test_attachments import HTML, image
from tests.factories import csrf_token, login
from tests.workstations.test_intake import _form, _intake


def uploads(app) -> Path:  # noqa: ANN001
    return Path(app.config["SETTINGS"].instance_path) / "uploads"


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _count(session, model) -> int:  # noqa: ANN001
    return session.scalar(select(func.count()).select_from(model))


def _without_tokens(page: str) -> str:
    """The page minus what differs anyway: CSRF tokens (timestamp-signed) and the id echoed from the URL."""
    return re.sub(r"/attachments/\d+", "/attachments/N", re.sub(r'name="csrf_token" value="[^"]+"', "", page))


def _file(data: bytes, name: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(data), name


@pytest.fixture
def center(factory):  # noqa: ANN001, ANN201
    return factory.center("MSK")


def _page(client, number: str) -> str:  # noqa: ANN001
    r = client.get(f"/orders/{number}")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def _upload(client, number: str, *files: tuple[io.BytesIO, str], kind: str = "intake_photo"):  # noqa: ANN001, ANN202
    token = csrf_token(_page(client, number))
    return client.post(f"/orders/{number}/attachments", data={"csrf_token": token, "kind": kind, "photos": list(files)},
                       content_type="multipart/form-data")


# --- the order page ----------------------------------------------------------------------------


def test_an_engineer_adds_photos_on_the_order_page(app, client, factory, center, session) -> None:  # noqa: ANN001
    order = factory.order(center, state=RepairState.DIAGNOSIS)
    engineer = factory.staff(center, Role.ENGINEER)
    login(client, engineer.email)
    html = _page(client, order.number)
    assert 'enctype="multipart/form-data"' in html and 'accept="image/jpeg,image/png,image/webp"' in html
    assert '<option selected value="part_photo">' in html  # past intake, photos are usually of parts
    r = _upload(client, order.number, _file(image("JPEG", (800, 600)), "плата.jpg"),
                _file(image("PNG", color=(0, 90, 0)), "seal.png"), kind="part_photo")
    assert r.status_code == 302 and r.headers["Location"] == f"/orders/{order.number}#photos"
    stored = session.scalars(select(Attachment).where(Attachment.order_id == order.id).order_by(Attachment.id)).all()
    assert [(a.original_name, a.kind, a.uploaded_by_id) for a in stored] == [
        ("плата.jpg", AttachmentKind.PART_PHOTO, engineer.id), ("seal.png", AttachmentKind.PART_PHOTO, engineer.id)]
    assert len(files_under(uploads(app))) == 4  # two originals, two thumbnails
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    for a in stored:
        assert f'href="/attachments/{a.id}"' in html and f'src="/attachments/{a.id}/thumb"' in html
    # the history says who added which photo
    events = session.scalars(select(RepairEvent).where(RepairEvent.order_id == order.id,
                                                       RepairEvent.kind == EventKind.FIELD)).all()
    assert [(e.actor_id, e.details["file"]) for e in events] == [(engineer.id, "плата.jpg"), (engineer.id, "seal.png")]
    assert "плата.jpg" in html.split('class="list history"')[1]


def test_a_bad_upload_is_refused_with_the_reason_and_nothing_kept(app, client, factory, center, session) -> None:  # noqa: ANN001
    order = factory.order(center)
    login(client, factory.staff(center, Role.INTAKE).email)
    r = _upload(client, order.number, _file(image("JPEG"), "ok.jpg"), _file(HTML, "invoice.jpg"))
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "invoice.jpg" in page and 'class="flash error"' in page
    assert _count(session, Attachment) == 0 and files_under(uploads(app)) == []
    # nothing chosen at all: said so, nothing changes
    r = client.post(f"/orders/{order.number}/attachments", data={
        "csrf_token": csrf_token(_page(client, order.number)), "kind": "intake_photo"})
    assert r.status_code == 302 and _count(session, Attachment) == 0


def test_an_upload_needs_the_csrf_token(app, client, factory, center, session) -> None:  # noqa: ANN001
    order = factory.order(center)
    login(client, factory.staff(center, Role.INTAKE).email)
    r = client.post(f"/orders/{order.number}/attachments", data={"photos": [_file(image(), "a.jpg")]},
                    content_type="multipart/form-data")
    assert r.status_code == 400 and _count(session, Attachment) == 0


def test_a_warehouse_clerk_sees_photos_but_cannot_upload(app, client, factory, center, session) -> None:  # noqa: ANN001
    order = factory.order(center)
    store_photo(session, factory.staff(center, Role.INTAKE), order, "a.jpg", image(), uploads(app))
    login(client, factory.staff(center, Role.WAREHOUSE).email)
    html = _page(client, order.number)
    assert 'src="/attachments/' in html and 'class="upload"' not in html
    r = client.post(f"/orders/{order.number}/attachments", data={
        "csrf_token": csrf_token(html), "photos": [_file(image(color=(1, 2, 3)), "b.jpg")]},
        content_type="multipart/form-data")
    assert r.status_code == 403
    assert _count(session, Attachment) == 1


def test_another_centers_engineer_sees_the_order_but_cannot_add_photos(app, client, factory, center, session) -> None:  # noqa: ANN001
    order = factory.order(factory.center("SPB"))
    login(client, factory.staff(center, Role.ENGINEER).email)
    html = _page(client, order.number)
    assert 'class="upload"' not in html
    r = client.post(f"/orders/{order.number}/attachments", data={
        "csrf_token": csrf_token(html), "photos": [_file(image(), "a.jpg")]}, content_type="multipart/form-data")
    assert r.status_code == 403 and _count(session, Attachment) == 0 and files_under(uploads(app)) == []


# --- downloads ---------------------------------------------------------------------------------


def test_downloads_are_inline_raster_images_with_safe_headers(app, client, factory, center, session) -> None:  # noqa: ANN001
    order = factory.order(center)
    data = image("WEBP", (640, 480))
    att = store_photo(session, factory.staff(center, Role.INTAKE), order, "Шильдик насоса.webp", data, uploads(app))
    login(client, factory.staff(center, Role.ENGINEER).email)
    r = client.get(f"/attachments/{att.id}")
    assert r.status_code == 200 and r.data == data
    assert r.headers["Content-Type"] == "image/webp"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Disposition"].startswith("inline;")
    assert "filename*=UTF-8''%D0%A8%D0%B8%D0%BB%D1%8C%D0%B4%D0%B8%D0%BA" in r.headers["Content-Disposition"]
    assert "private" in r.headers["Cache-Control"] and "public" not in r.headers["Cache-Control"]
    assert "sandbox" in r.headers["Content-Security-Policy"]
    again = client.get(f"/attachments/{att.id}", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304
    thumb = client.get(f"/attachments/{att.id}/thumb")
    assert thumb.status_code == 200 and thumb.headers["Content-Type"] == "image/jpeg"
    assert thumb.headers["X-Content-Type-Options"] == "nosniff" and "private" in thumb.headers["Cache-Control"]
    assert thumb.headers["Content-Disposition"].startswith("inline;")
    with Image.open(io.BytesIO(thumb.data)) as t:
        assert t.format == "JPEG" and t.size == (320, 240)
    assert client.get("/attachments/999999999").status_code == 404
    attachment_path(uploads(app), att).unlink()  # the row outlived its file: still a clean 404
    assert client.get(f"/attachments/{att.id}").status_code == 404


def test_a_partner_gets_404_for_another_centers_photo_and_thumbnail(app, client, factory, session) -> None:  # noqa: ANN001
    kzn, ekb = factory.center("KZN", kind=CenterKind.PARTNER), factory.center("EKB", kind=CenterKind.PARTNER)
    own = store_photo(session, factory.staff(kzn, Role.PARTNER), factory.order(kzn), "own.jpg", image(), uploads(app))
    foreign = store_photo(session, factory.staff(ekb, Role.PARTNER), factory.order(ekb), "foreign.jpg",
                          image(color=(9, 9, 9)), uploads(app))
    login(client, factory.staff(kzn, Role.PARTNER).email)
    assert client.get(f"/attachments/{own.id}").status_code == 200
    assert client.get(f"/attachments/{own.id}/thumb").status_code == 200
    for url in (f"/attachments/{foreign.id}", f"/attachments/{foreign.id}/thumb"):
        r = client.get(url)
        missing = client.get(url.replace(str(foreign.id), "999999999"))  # the same answer as for no such file
        assert r.status_code == missing.status_code == 404
        assert _without_tokens(r.get_data(as_text=True)) == _without_tokens(missing.get_data(as_text=True))
        assert "foreign.jpg" not in r.get_data(as_text=True)


def test_a_partner_uploads_to_its_own_order_only(app, client, factory, session) -> None:  # noqa: ANN001
    kzn, ekb = factory.center("KZN", kind=CenterKind.PARTNER), factory.center("EKB", kind=CenterKind.PARTNER)
    own, foreign = factory.order(kzn), factory.order(ekb)
    login(client, factory.staff(kzn, Role.PARTNER).email)
    assert _upload(client, own.number, _file(image(), "a.jpg")).status_code == 302
    token = csrf_token(_page(client, own.number))
    r = client.post(f"/orders/{foreign.number}/attachments", data={
        "csrf_token": token, "photos": [_file(image(color=(5, 5, 5)), "b.jpg")]}, content_type="multipart/form-data")
    assert r.status_code == 404
    assert [a.order_id for a in session.scalars(select(Attachment))] == [own.id]


# --- at intake ---------------------------------------------------------------------------------


@pytest.fixture
def desk(client, factory):  # noqa: ANN001, ANN201
    counter = factory.center("MSK")
    clerk = factory.staff(counter, Role.INTAKE)
    login(client, clerk.email)
    return counter, clerk, factory.model(months=24, name="WW90T", category="Стиральные машины")


def _receive(client, model, *files: tuple[io.BytesIO, str], form: dict | None = None):  # noqa: ANN001, ANN202
    data = {**(form or _form(client)), **_intake(model), "photos": list(files)}
    return client.post("/intake/new", data=data, content_type="multipart/form-data")


def test_the_intake_form_takes_photos(client, desk) -> None:  # noqa: ANN001
    html = client.get("/intake/new").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    field = re.search(r'<input[^>]*name="photos"[^>]*>', html).group(0)
    assert 'type="file"' in field and "multiple" in field and 'accept="image/jpeg,image/png,image/webp"' in field


def test_intake_with_two_photos_makes_one_order_with_both(app, client, session, desk) -> None:  # noqa: ANN001
    _, clerk, model = desk
    form = _form(client)
    photos = (image("JPEG", (1200, 900)), image("PNG", color=(0, 0, 200)))
    r = _receive(client, model, _file(photos[0], "nameplate.jpg"), _file(photos[1], "seal.png"), form=form)
    assert r.status_code == 302, r.get_data(as_text=True)
    order = session.scalars(select(RepairOrder)).one()
    attachments = session.scalars(select(Attachment).where(Attachment.order_id == order.id)
                                  .order_by(Attachment.id)).all()
    assert [(a.original_name, a.kind, a.uploaded_by_id) for a in attachments] == [
        ("nameplate.jpg", AttachmentKind.INTAKE_PHOTO, clerk.id), ("seal.png", AttachmentKind.INTAKE_PHOTO, clerk.id)]
    assert [attachment_path(uploads(app), a).read_bytes() for a in attachments] == list(photos)
    events = [e for e in order.events if e.kind == EventKind.FIELD]
    assert [(e.actor_id, e.details["file"]) for e in events] == [(clerk.id, "nameplate.jpg"), (clerk.id, "seal.png")]
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert html.count('src="/attachments/') == 2
    # The same form sent twice (a double click): still one order, and the photos are not doubled.
    again = _receive(client, model, _file(photos[0], "nameplate.jpg"), _file(photos[1], "seal.png"), form=form)
    assert again.status_code == 302 and again.headers["Location"] == r.headers["Location"]
    assert _count(session, RepairOrder) == 1 and _count(session, Attachment) == 2
    assert len(files_under(uploads(app))) == 4


@pytest.mark.parametrize(("bad", "name"), [
    (HTML, "invoice.jpg"),
    (image("PNG"), "renamed.jpg"),
    (b"%PDF-1.4 not a photo", "scan.pdf"),
])
def test_intake_with_one_bad_photo_is_refused_and_keeps_nothing(app, client, session, desk, bad, name) -> None:  # noqa: ANN001
    _, _, model = desk
    counted = (RepairOrder, Attachment, RepairEvent, Customer, Unit)
    before = [_count(session, m) for m in counted]
    r = _receive(client, model, _file(image("JPEG"), "good.jpg"), _file(bad, name))
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert re.findall(r'class="[^"]*invalid[^"]*" data-field="(\w+)"', html) == ["photos"]
    assert name in html  # the reason names the file
    assert "Смирнова Ольга" in html  # the clerk's input is still there
    assert [_count(session, m) for m in counted] == before  # the whole intake was rolled back
    assert files_under(uploads(app)) == []


def test_intake_without_photos_still_works(client, session, desk) -> None:  # noqa: ANN001
    _, _, model = desk
    r = client.post("/intake/new", data={**_form(client), **_intake(model)})
    assert r.status_code == 302 and _count(session, RepairOrder) == 1 and _count(session, Attachment) == 0
