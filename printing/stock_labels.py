"""Shelf and part labels: a Code 128 of the shelf code or the part's SKU/barcode, the code in words
and a line or two (the shelf's name, the part's name). PDF, PNG and ZPL from one layout, drawn by
the unit labels' renderers, so they print and scan the same way.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

from PIL import Image, ImageDraw
from reportlab.pdfgen.canvas import Canvas

from printing.barcodes import check_barcode_value
from printing.fonts import BOLD, REGULAR, pillow_font, register_fonts
from printing.label_layout import (
    GAP_MM,
    MARGIN_MM,
    MAX_BAR_MM,
    MIN_BAR_MM,
    PT_MM,
    BarcodeBox,
    LabelLayout,
    TextLine,
    wrap,
)
from printing.label_pdf import _draw as _draw_pdf
from printing.label_png import DPIS, _draw_code128
from printing.label_zpl import DEFAULT_FONT
from printing.label_zpl import DPIS as ZPL_DPIS
from printing.label_zpl import _label as _zpl_label

SHELF = "shelf"
PART = "part"


@dataclass(frozen=True, kw_only=True)
class StockLabelDoc:
    """One shelf or part label. `code` is what the barcode holds (shelf code, part SKU or barcode)."""

    kind: str  # SHELF or PART
    code: str
    title: str  # the shelf's or the part's name
    note: str = ""  # e.g. the warehouse of a shelf, the price or SKU of a part
    width_mm: float = 58
    height_mm: float = 40

    def __post_init__(self) -> None:
        check_barcode_value(self.code)
        if self.kind not in (SHELF, PART):
            raise ValueError(f"a stock label is a {SHELF} or a {PART} label, not {self.kind!r}")
        if not (25 <= self.width_mm <= 120 and 15 <= self.height_mm <= 120):
            raise ValueError(f"label {self.width_mm}×{self.height_mm} mm is outside 25–120 × 15–120 mm")


def layout_stock_label(doc: StockLabelDoc) -> LabelLayout:
    """Code 128 across the top, the code in bold under it, then the title and the note."""
    register_fonts()
    w, h = doc.width_mm, doc.height_mm
    text_pt = 8.0 if h >= 38 else 7.0
    number_pt = text_pt + (3.5 if doc.kind == SHELF else 1.5)  # a shelf's code is read from afar
    line_h, number_h = text_pt * PT_MM * 1.25, number_pt * PT_MM * 1.25
    wanted = [(doc.title, 2), (doc.note, 1)] if doc.note else [(doc.title, 2)]
    rows = sum(n for _, n in wanted)
    bar_h = max(MIN_BAR_MM, min(MAX_BAR_MM, h - 2 * MARGIN_MM - number_h - GAP_MM - rows * line_h))
    barcode = BarcodeBox(doc.code, 0.0, w, MARGIN_MM, bar_h)
    top = MARGIN_MM + bar_h
    lines = [TextLine(doc.code, BOLD, number_pt, w / 2, top + number_h * 0.8, w - 2 * MARGIN_MM, centred=True)]
    top += number_h + GAP_MM
    bottom, room = h - MARGIN_MM, w - 2 * MARGIN_MM
    for text, max_lines in wanted:
        fits = int((bottom - top) // line_h)
        if fits <= 0 or not text:
            continue
        for part in wrap(text, REGULAR, text_pt, room, min(max_lines, fits)):
            lines.append(TextLine(part, REGULAR, text_pt, MARGIN_MM, top + line_h * 0.8, room))
            top += line_h
    return LabelLayout(w, h, barcode, None, tuple(lines))


def render_stock_labels_pdf(docs: Iterable[StockLabelDoc]) -> bytes:
    """Shelf/part labels as one PDF, one label a page the size of the label stock."""
    register_fonts()
    buf = io.BytesIO()
    canvas = Canvas(buf, invariant=1, pageCompression=1, initialFontName=REGULAR)
    canvas.setTitle("Этикетки склада")
    count = 0
    for doc in docs:
        _draw_pdf(canvas, layout_stock_label(doc))
        canvas.showPage()
        count += 1
    if count == 0:
        raise ValueError("no labels to print")
    canvas.save()
    return buf.getvalue()


def render_stock_label_png(doc: StockLabelDoc, dpi: int = 203) -> bytes:
    """One label as a greyscale PNG at the printer's resolution (203 or 300 dpi)."""
    if dpi not in DPIS:
        raise ValueError(f"dpi must be one of {DPIS}, not {dpi!r}")
    layout = layout_stock_label(doc)

    def px(value_mm: float) -> int:
        return round(value_mm * dpi / 25.4)

    image = Image.new("L", (px(layout.width_mm), px(layout.height_mm)), 255)
    draw = ImageDraw.Draw(image)
    assert layout.barcode is not None
    _draw_code128(draw, layout.barcode, dpi, px)
    for line in layout.lines:
        font = pillow_font(line.font, max(1, round(line.size_pt * dpi / 72)))
        draw.text((px(line.x_mm), px(line.baseline_mm)), line.text, font=font, fill=0,
                  anchor="ms" if line.centred else "ls")
    buf = io.BytesIO()
    image.save(buf, format="PNG", dpi=(dpi, dpi), compress_level=1)
    return buf.getvalue()


def render_stock_labels_zpl(docs: Iterable[StockLabelDoc], dpi: int = 203, font: str = DEFAULT_FONT) -> bytes:
    """Shelf/part labels as one ZPL II stream (UTF-8, ^CI28), one ^XA … ^XZ format per label."""
    if dpi not in ZPL_DPIS:
        raise ValueError(f"dpi must be one of {ZPL_DPIS}, not {dpi!r}")
    if not font or any(ch in font for ch in "^~,\r\n"):
        raise ValueError(f"not a printer font name: {font!r}")
    labels = [_zpl_label(layout_stock_label(doc), dpi, font) for doc in docs]
    if not labels:
        raise ValueError("no labels to print")
    return "".join(labels).encode("utf-8")
