"""Documents over the API (work order, labels) and the scan lookup, within the partner wall."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.workstations.test_printing_routes import decoded, pdf_pages, pdf_text


def test_the_work_order_pdf_reads_back_with_its_number(api, world) -> None:  # noqa: ANN001
    number = world.msk_order.number
    response = api("intake").get(f"/api/v1/repair-orders/{number}/work-order.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert number in pdf_text(response.data) and "Атлант" in pdf_text(response.data)
    assert number in decoded(pdf_pages(response.data, 200)[0])


def test_labels_as_pdf_png_and_zpl(api, world) -> None:  # noqa: ANN001
    number = world.msk_order.number
    pdf = api("intake").get(f"/api/v1/repair-orders/{number}/label.pdf")
    assert pdf.mimetype == "application/pdf" and number in pdf_text(pdf.data)
    png = api("intake").get(f"/api/v1/repair-orders/{number}/label.png")
    assert png.mimetype == "image/png" and number in decoded(Image.open(io.BytesIO(png.data)))
    zpl = api("intake").get(f"/api/v1/repair-orders/{number}/label.zpl")
    assert zpl.mimetype == "text/plain" and zpl.get_data(as_text=True).startswith("^XA") and number in zpl.get_data(
        as_text=True)
    assert "attachment" in zpl.headers["Content-Disposition"]


@pytest.mark.parametrize("document", ["work-order.pdf", "label.pdf", "label.png", "label.zpl"])
def test_another_centers_documents_are_404_for_a_partner(api, world, document) -> None:  # noqa: ANN001
    assert api("partner").get(f"/api/v1/repair-orders/{world.ekb_order.number}/{document}").status_code == 200
    for order in (world.msk_order, world.nsk_order):
        assert api("partner").get(f"/api/v1/repair-orders/{order.number}/{document}").status_code == 404
    assert api(None).get(f"/api/v1/repair-orders/{world.ekb_order.number}/{document}").status_code == 401


def test_a_scan_says_what_the_code_is(api, world, factory) -> None:  # noqa: ANN001
    number = world.msk_order.number
    order = api("engineer").get(f"/api/v1/scan/{number.lower()}").get_json()
    assert order == {"kind": "order", "code": number, "ref": number, "url": f"/api/v1/repair-orders/{number}",
                     "candidates": []}
    serial = world.msk_order.unit.serial
    unit = api("engineer").get(f"/api/v1/scan/{serial}").get_json()
    assert unit["kind"] == "unit" and unit["candidates"] == [world.msk_order.unit_id]
    shelf = api("engineer").get("/api/v1/scan/MSK-WH").get_json()
    assert shelf["kind"] == "shelf" and shelf["ref"] == "MSK-WH"


def test_a_russian_layout_scan_is_read_as_the_keys(api, world) -> None:  # noqa: ANN001
    number = world.msk_order.number  # MSK-… typed on a Russian layout: ЬЫЛ-…
    typed = number.replace("MSK", "ЬЫЛ")
    assert api("engineer").get(f"/api/v1/scan/{typed}").get_json()["ref"] == number


def test_unknown_and_foreign_codes_are_404_and_garbage_422(api, world) -> None:  # noqa: ANN001
    assert api("admin").get("/api/v1/scan/NOTHING-HERE").status_code == 404
    partner = api("partner")
    assert partner.get(f"/api/v1/scan/{world.ekb_order.number}").get_json()["kind"] == "order"
    for foreign in (world.msk_order.number, world.nsk_order.number, world.nsk_order.unit.serial):
        assert partner.get(f"/api/v1/scan/{foreign}").status_code == 404
    too_long = partner.get("/api/v1/scan/" + "A" * 100)
    assert too_long.status_code == 422 and "code" in too_long.get_json()["errors"]
