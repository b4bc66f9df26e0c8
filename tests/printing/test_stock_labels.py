"""Shelf and part labels: the Code 128 decodes to the shelf code / part code in PDF and PNG, the
ZPL carries it, Russian text is readable, nothing is drawn outside the label."""

from __future__ import annotations

import re

import pytest

from printing.stock_labels import (
    PART,
    SHELF,
    StockLabelDoc,
    render_stock_label_png,
    render_stock_labels_pdf,
    render_stock_labels_zpl,
)
from tests.printing import readback

SHELF_DOC = StockLabelDoc(kind=SHELF, code="MSK-A-01-3", title="Стеллаж A, ряд 1, ячейка 3", note="Склад MSK")
PART_DOC = StockLabelDoc(kind=PART, code="4601234567890", title="Насос сливной Askoll M231 XP для стиральных машин",
                         note="DRAIN-PUMP-7")


def test_pdf_labels_decode_and_read_back() -> None:
    data = render_stock_labels_pdf([SHELF_DOC, PART_DOC])
    assert readback.page_count(data) == 2
    assert readback.page_size_mm(data) == pytest.approx((58, 40), abs=0.1)
    assert readback.code128(readback.raster(data, 0)) == ["MSK-A-01-3"]
    assert readback.code128(readback.raster(data, 1)) == ["4601234567890"]
    text = readback.text(data)
    assert "Стеллаж A, ряд 1, ячейка 3" in text and "Насос сливной" in text and "DRAIN-PUMP-7" in text
    assert readback.chars_outside_page(data) == []


@pytest.mark.parametrize("dpi", [203, 300])
def test_png_label_decodes_at_printer_resolution(dpi: int) -> None:
    image = readback.png(render_stock_label_png(SHELF_DOC, dpi=dpi))
    assert readback.code128(image) == ["MSK-A-01-3"]
    assert image.size == (round(58 * dpi / 25.4), round(40 * dpi / 25.4))


def test_zpl_holds_a_code_128_of_each_label() -> None:
    zpl = render_stock_labels_zpl([SHELF_DOC, PART_DOC]).decode("utf-8")
    assert zpl.count("^XA") == 2 and "^CI28" in zpl
    assert re.search(r"\^BCN,\d+,N,N,N,A\^FDMSK-A-01-3\^FS", zpl)
    assert re.search(r"\^BCN,\d+,N,N,N,A\^FD4601234567890\^FS", zpl)


@pytest.mark.parametrize("code", ["", "ПОЛКА-1", "X" * 41])
def test_a_code_a_scanner_cannot_read_back_is_refused(code: str) -> None:
    with pytest.raises(ValueError):
        StockLabelDoc(kind=SHELF, code=code, title="Полка")
