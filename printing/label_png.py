"""Unit labels as PNG at the printer's resolution (203 or 300 dpi), for previews and raster printing.

Bars and QR modules are whole dots: a bar that is 2 dots here is 2 dots on a 203 dpi head.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from printing.barcodes import QR_QUIET_MODULES, QUIET_MODULES, code128_bits, module_dots_to_fit, qr_matrix
from printing.fonts import pillow_font
from printing.label_layout import BarcodeBox, QrBox, layout_label
from printing.labels import LabelDoc

DPIS = (203, 300)


def render_label_png(doc: LabelDoc, dpi: int = 203) -> bytes:
    """The label as a greyscale PNG of the profile's size at `dpi` (203 or 300), dpi recorded in the file."""
    if dpi not in DPIS:
        raise ValueError(f"dpi must be one of {DPIS}, not {dpi!r}")
    layout = layout_label(doc)

    def px(value_mm: float) -> int:
        return round(value_mm * dpi / 25.4)

    image = Image.new("L", (px(layout.width_mm), px(layout.height_mm)), 255)
    draw = ImageDraw.Draw(image)
    if layout.barcode:
        _draw_code128(draw, layout.barcode, dpi, px)
    if layout.qr:
        _draw_qr(draw, layout.qr, px)
    for line in layout.lines:
        font = pillow_font(line.font, max(1, round(line.size_pt * dpi / 72)))
        anchor = "ms" if line.centred else "ls"
        draw.text((px(line.x_mm), px(line.baseline_mm)), line.text, font=font, fill=0, anchor=anchor)
    buf = io.BytesIO()
    image.save(buf, format="PNG", dpi=(dpi, dpi), compress_level=1)
    return buf.getvalue()


def _draw_code128(draw: ImageDraw.ImageDraw, box: BarcodeBox, dpi: int, px) -> None:
    bits = code128_bits(box.value)
    room = px(box.right_mm) - px(box.left_mm)
    dots = module_dots_to_fit(box.value, room, dpi)
    x = px(box.left_mm) + (room - (len(bits) + 2 * QUIET_MODULES) * dots) // 2 + QUIET_MODULES * dots
    top, bottom = px(box.top_mm), px(box.top_mm + box.height_mm) - 1
    start = None
    for i, bit in enumerate(bits + "0"):
        if bit == "1" and start is None:
            start = i
        elif bit == "0" and start is not None:
            draw.rectangle((x + start * dots, top, x + i * dots - 1, bottom), fill=0)
            start = None


def _draw_qr(draw: ImageDraw.ImageDraw, box: QrBox, px) -> None:
    matrix = qr_matrix(box.data)
    side = px(box.size_mm)
    dot = side // (len(matrix) + 2 * QR_QUIET_MODULES)
    if dot < 1:
        raise ValueError(f"QR code for {box.data!r} does not fit {box.size_mm:.1f} mm at this resolution")
    x0 = px(box.left_mm) + (side - len(matrix) * dot) // 2
    y0 = px(box.top_mm) + (side - len(matrix) * dot) // 2
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                draw.rectangle((x0 + c * dot, y0 + r * dot, x0 + (c + 1) * dot - 1, y0 + (r + 1) * dot - 1), fill=0)
