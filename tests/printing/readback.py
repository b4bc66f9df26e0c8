"""Reading printed output back: PDF text, page sizes, rasters, barcodes, fonts.

In-process readers (pypdfium2 renders and extracts text, zxing-cpp decodes), so the printing
tests need no system tools; test_cross_check.py repeats the key checks with poppler and zbar.
"""

from __future__ import annotations

import io
import re

import pypdfium2 as pdfium
import zxingcpp
from PIL import Image

MM = 72 / 25.4


def pdf(data: bytes) -> pdfium.PdfDocument:
    assert data.startswith(b"%PDF-"), data[:20]
    return pdfium.PdfDocument(data)


def page_count(data: bytes) -> int:
    return len(pdf(data))


def text(data: bytes) -> str:
    """Text of every page, whitespace (no-break spaces and line ends included) collapsed to one space."""
    document = pdf(data)
    raw = " ".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    return " ".join(raw.replace("\u00a0", " ").split())


def page_size_mm(data: bytes, page: int = 0) -> tuple[float, float]:
    w, h = pdf(data)[page].get_size()
    return w / MM, h / MM


def chars_outside_page(data: bytes) -> list[str]:
    """Characters whose box is not inside their page (anything overflowing the paper)."""
    outside = []
    document = pdf(data)
    for i in range(len(document)):
        page = document[i]
        w, h = page.get_size()
        textpage = page.get_textpage()
        for c in range(textpage.count_chars()):
            left, bottom, right, top = textpage.get_charbox(c)
            if left < -0.5 or bottom < -0.5 or right > w + 0.5 or top > h + 0.5:
                outside.append(textpage.get_text_range(c, 1))
    return outside


def raster(data: bytes, page: int = 0, dpi: int = 300) -> Image.Image:
    """The page rendered to greyscale at `dpi`, as a printer driver would."""
    return pdf(data)[page].render(scale=dpi / 72, grayscale=True).to_pil()


def code128(image: Image.Image) -> list[str]:
    """Every Code 128 the decoder finds, top to bottom."""
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)]


def qr(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def png(data: bytes) -> Image.Image:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return Image.open(io.BytesIO(data))


def fonts(data: bytes) -> dict[str, bool]:
    """Each font the PDF names (subset prefix dropped) → whether its file is embedded.

    ReportLab writes font dictionaries uncompressed: a TrueType font is embedded when its
    descriptor carries /FontFile2.
    """
    found: dict[str, bool] = {}
    for match in re.finditer(rb"/BaseFont\s*/(?:[A-Z]{6}\+)?([\w.-]+)", data):
        found.setdefault(match.group(1).decode(), False)
    for match in re.finditer(rb"<<([^<>]*?/Type\s*/FontDescriptor[^<>]*?)>>", data):
        descriptor = match.group(1)
        name = re.search(rb"/FontName\s*/(?:[A-Z]{6}\+)?([\w.-]+)", descriptor)
        if name and b"/FontFile2" in descriptor:
            found[name.group(1).decode()] = True
    return found
