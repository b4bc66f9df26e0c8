"""Unit labels as PDF at the stock's exact size, one label a page, vectors and embedded fonts."""

from __future__ import annotations

import io
from collections.abc import Iterable

from reportlab.graphics import renderPDF
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from printing.barcodes import QUIET_MODULES, code128_flowable, code128_modules, module_mm_to_fit, qr_drawing
from printing.fonts import BOLD, REGULAR, register_fonts
from printing.label_layout import LabelLayout, layout_label
from printing.labels import LabelDoc

FAUX_BOLD_STROKE = 0.045  # stroke width as a share of the font size


def render_label_pdf(doc: LabelDoc) -> bytes:
    """One label, the page the size of the label stock."""
    return render_labels_pdf([doc])


def render_labels_pdf(docs: Iterable[LabelDoc]) -> bytes:
    """Many labels as one PDF, one label a page (each page the size of its own profile)."""
    register_fonts()
    buf = io.BytesIO()
    # invariant: no creation date or random id, so the same data gives the same bytes.
    canvas = Canvas(buf, invariant=1, pageCompression=1, initialFontName=REGULAR)
    canvas.setTitle("Этикетки")
    count = 0
    for doc in docs:
        _draw(canvas, layout_label(doc))
        canvas.showPage()
        count += 1
    if count == 0:
        raise ValueError("no labels to print")
    canvas.save()
    return buf.getvalue()


def _draw(canvas: Canvas, layout: LabelLayout) -> None:
    h = layout.height_mm
    canvas.setPageSize((layout.width_mm * mm, h * mm))
    if layout.barcode:
        box = layout.barcode
        module = module_mm_to_fit(box.value, box.width_mm)
        symbol = code128_flowable(box.value, module, box.height_mm)
        total_mm = (code128_modules(box.value) + 2 * QUIET_MODULES) * module
        x = box.left_mm + (box.width_mm - total_mm) / 2
        symbol.drawOn(canvas, x * mm, (h - box.top_mm - box.height_mm) * mm)
    if layout.qr:
        qr = layout.qr
        renderPDF.draw(qr_drawing(qr.data, qr.size_mm), canvas, qr.left_mm * mm, (h - qr.top_mm - qr.size_mm) * mm)
    for line in layout.lines:
        text = canvas.beginText()
        # One embedded face per label: each face costs ~3 ms of subsetting and compression, and
        # the label has a 10 ms budget. A bold line is the regular face filled and stroked.
        text.setFont(REGULAR, line.size_pt)
        width = stringWidth(line.text, REGULAR, line.size_pt)
        x = line.x_mm * mm - (width / 2 if line.centred else 0)
        text.setTextOrigin(x, (h - line.baseline_mm) * mm)
        bold = line.font == BOLD
        if bold:
            canvas.saveState()  # the render mode and line width are graphics state: restore them after
            canvas.setLineWidth(line.size_pt * FAUX_BOLD_STROKE)
            text.setTextRenderMode(2)
        text.textOut(line.text)
        canvas.drawText(text)
        if bold:
            canvas.restoreState()
