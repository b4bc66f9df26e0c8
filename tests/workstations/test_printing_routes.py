"""Printed documents through the app: the work order and labels of a real order, read back."""

from __future__ import annotations

import io
import subprocess

import pytest
import zxingcpp
from PIL import Image

from servicecenter.accounts.roles import Role
from servicecenter.centers.models import CenterKind
from tests.factories import login


def pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def decoded(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image)]


def pdf_pages(data: bytes, dpi: int) -> list[Image.Image]:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    return [pdf[i].render(scale=dpi / 72).to_pil() for i in range(len(pdf))]


@pytest.fixture
def received(client, factory):  # noqa: ANN001, ANN201
    center = factory.center("MSK", name="СЦ Москва — Савёловская")
    customer = factory.customer("Жукова Светлана Игоревна")
    order = factory.order(center, customer=customer, accessories=["Зарядное устройство", "Кабель"],
                          fault="Не заряжается, <b>&</b> греется")
    login(client, factory.staff(center, Role.INTAKE).email)
    return order


def test_work_order_pdf_reads_back_with_its_barcode(client, received) -> None:  # noqa: ANN001
    r = client.get(f"/orders/{received.number}/work-order.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = pdf_text(r.data)
    assert received.number in text and "Жукова Светлана Игоревна" in text and "<b>&</b>" in text
    assert received.number in decoded(pdf_pages(r.data, 200)[0])


def test_two_copies_on_one_sheet_both_scan(client, received) -> None:  # noqa: ANN001
    r = client.get(f"/orders/{received.number}/work-order.pdf?copies=2")
    assert decoded(pdf_pages(r.data, 200)[0]).count(received.number) == 2


def test_label_pdf_has_the_unit_and_each_accessory(client, received) -> None:  # noqa: ANN001
    r = client.get(f"/orders/{received.number}/label.pdf")
    pages = pdf_pages(r.data, 300)
    assert len(pages) == 3  # the unit, the charger, the cable
    for page in pages:
        assert decoded(page) == [received.number]
    assert "Кабель" in pdf_text(r.data)


def test_label_png_and_zpl(client, received) -> None:  # noqa: ANN001
    png = client.get(f"/orders/{received.number}/label.png")
    assert png.mimetype == "image/png" and decoded(Image.open(io.BytesIO(png.data))) == [received.number]
    zpl = client.get(f"/orders/{received.number}/label.zpl")
    body = zpl.data.decode()
    assert zpl.headers["Content-Disposition"].startswith("attachment")
    assert body.startswith("^XA") and "^CI28" in body and received.number in body and body.rstrip().endswith("^XZ")


def test_another_partners_documents_do_not_exist(client, factory, received) -> None:  # noqa: ANN001
    kzn = factory.center("KZN", kind=CenterKind.PARTNER)
    client.delete_cookie("sc_session")
    login(client, factory.staff(kzn, Role.PARTNER).email)
    for suffix in ("work-order.pdf", "label.pdf", "label.png", "label.zpl"):
        r = client.get(f"/orders/{received.number}/{suffix}")
        assert r.status_code == 404 and b"%PDF" not in r.data


def test_a_centers_label_stock_and_status_qr_are_used(client, factory, received, session) -> None:  # noqa: ANN001
    import pypdfium2

    center = received.center
    center.label_profile, center.label_qr = "50x30", "status"
    session.flush()
    data = client.get(f"/orders/{received.number}/label.pdf").data
    width, height = pypdfium2.PdfDocument(data)[0].get_size()
    assert round(width / 72 * 25.4) == 50 and round(height / 72 * 25.4) == 30
    texts = decoded(pdf_pages(data, 300)[0])
    assert received.number in texts
    assert any(t.endswith(f"/status?number={received.number}") for t in texts)
