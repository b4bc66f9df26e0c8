"""Where things go on a label, in millimetres from the top-left corner.

One layout serves the PDF, the PNG and the ZPL renderers so the three look alike. Text is
measured with the vendored DejaVu metrics and cut to the room it has (an ellipsis marks a cut):
nothing is drawn outside the label.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.pdfbase.pdfmetrics import stringWidth

from printing.fonts import BOLD, REGULAR, register_fonts
from printing.formatting import format_date
from printing.labels import FAULT, INTAKE_DATE, MODEL, SERIAL, LabelDoc

PT_MM = 25.4 / 72
MARGIN_MM = 1.5
GAP_MM = 1.0
MIN_BAR_MM = 7.0
MAX_BAR_MM = 15.0
MIN_QR_MM = 10.0
ELLIPSIS = "…"


@dataclass(frozen=True)
class TextLine:
    text: str
    font: str
    size_pt: float
    x_mm: float  # left edge; for centred lines the centre
    baseline_mm: float
    width_mm: float  # the room the text was fitted into
    centred: bool = False


@dataclass(frozen=True)
class BarcodeBox:
    value: str
    left_mm: float  # the room for symbol + quiet zones, centred in it
    right_mm: float
    top_mm: float
    height_mm: float

    @property
    def width_mm(self) -> float:
        return self.right_mm - self.left_mm


@dataclass(frozen=True)
class QrBox:
    data: str
    left_mm: float
    top_mm: float
    size_mm: float


@dataclass(frozen=True)
class LabelLayout:
    width_mm: float
    height_mm: float
    barcode: BarcodeBox | None
    qr: QrBox | None
    lines: tuple[TextLine, ...]  # the number first


def text_width_mm(text: str, font: str, size_pt: float) -> float:
    return stringWidth(text, font, size_pt) * PT_MM


def _cut(text: str, font: str, size_pt: float, width_mm: float) -> str:
    """The longest prefix of `text` that fits with an ellipsis."""
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if text_width_mm(text[:mid].rstrip() + ELLIPSIS, font, size_pt) <= width_mm:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + ELLIPSIS


def wrap(text: str, font: str, size_pt: float, width_mm: float, max_lines: int) -> list[str]:
    """Greedy word wrap into at most `max_lines` lines; over-long words are broken; the rest is cut."""
    words = text.split()
    lines: list[str] = []
    current = ""
    while words:
        candidate = f"{current} {words[0]}" if current else words[0]
        if text_width_mm(candidate, font, size_pt) <= width_mm:
            current = candidate
            words.pop(0)
            continue
        if current:
            lines.append(current)
            current = ""
        else:  # one word wider than the line: break it
            cut = len(words[0]) - 1
            while cut > 1 and text_width_mm(words[0][:cut], font, size_pt) > width_mm:
                cut -= 1
            lines.append(words[0][:cut])
            words[0] = words[0][cut:]
        if len(lines) == max_lines:
            lines[-1] = _cut(" ".join([lines[-1], *words]), font, size_pt, width_mm)
            return lines
    if current:
        lines.append(current)
    return lines


def _wanted(doc: LabelDoc, tall: bool) -> list[tuple[str, str, int]]:
    """(text, font, max lines) for each optional line, in the profile's order."""
    wanted: list[tuple[str, str, int]] = []
    if doc.accessory:
        wanted.append((f"+ {doc.accessory}", BOLD, 2))
    for name in doc.profile.fields:
        if name == SERIAL and doc.serial:
            # DejaVu Sans, not Mono: each embedded face costs ~3 ms per label PDF (10 ms budget).
            wanted.append((f"S/N {doc.serial}", REGULAR, 1))
        elif name == MODEL and doc.model:
            wanted.append((doc.model, REGULAR, 1))
        elif name == FAULT and doc.fault and not doc.accessory:
            wanted.append((doc.fault, REGULAR, 2 if tall else 1))
        elif name == INTAKE_DATE:
            wanted.append((f"Принят {format_date(doc.intake_date)}", REGULAR, 1))
    return wanted


def layout_label(doc: LabelDoc) -> LabelLayout:
    """Place the barcode, the QR code and the text lines of `doc` on its profile's stock."""
    register_fonts()
    profile = doc.profile
    w, h = profile.width_mm, profile.height_mm
    text_pt = 8.0 if h >= 38 else 7.0 if h >= 29 else 6.5
    number_pt = text_pt + 1.5
    line_h = text_pt * PT_MM * 1.25
    number_h = number_pt * PT_MM * 1.25
    wanted = _wanted(doc, tall=h >= 38)
    qr_data = profile.qr_target(doc.number)
    bottom = h - MARGIN_MM

    if profile.code128:
        rows = sum(n for _, _, n in wanted)
        bar_h = h - 2 * MARGIN_MM - number_h - GAP_MM - rows * line_h
        if qr_data:
            bar_h = min(bar_h, h - 2 * MARGIN_MM - number_h - GAP_MM - MIN_QR_MM)
        bar_h = max(MIN_BAR_MM, min(MAX_BAR_MM, bar_h))
        # The code may use the whole width: its quiet zones are white anyway, and every dot of
        # width lets a 203 dpi head keep 2-dot modules (1-dot modules are hard to scan).
        barcode = BarcodeBox(doc.number, 0.0, w, MARGIN_MM, bar_h)
        number_top = MARGIN_MM + bar_h
        number = TextLine(doc.number, BOLD, number_pt, w / 2, number_top + number_h * 0.8, w - 2 * MARGIN_MM,
                          centred=True)
        top = number_top + number_h + GAP_MM
        qr = None
        text_left, text_right = MARGIN_MM, w - MARGIN_MM
        if qr_data:
            size = min(bottom - top, 0.45 * w)
            qr = QrBox(qr_data, w - MARGIN_MM - size, top, size)
            text_right = qr.left_mm - GAP_MM
    else:  # QR only: the code on the left, the number and the lines beside it
        assert qr_data is not None  # the profile guarantees a code
        barcode = None
        size = min(h - 2 * MARGIN_MM, 0.4 * w)
        qr = QrBox(qr_data, MARGIN_MM, MARGIN_MM, size)
        text_left, text_right = qr.left_mm + size + GAP_MM, w - MARGIN_MM
        number_pt = min(number_pt, _fit_size(doc.number, BOLD, number_pt, text_right - text_left))
        number_h = number_pt * PT_MM * 1.25
        number = TextLine(doc.number, BOLD, number_pt, text_left, MARGIN_MM + number_h * 0.8,
                          text_right - text_left)
        top = MARGIN_MM + number_h + GAP_MM

    lines = [number]
    room = text_right - text_left
    for text, font, max_lines in wanted:
        fits = int((bottom - top) // line_h)
        if fits <= 0:
            break
        for part in wrap(text, font, text_pt, room, min(max_lines, fits)):
            lines.append(TextLine(part, font, text_pt, text_left, top + line_h * 0.8, room))
            top += line_h
    return LabelLayout(w, h, barcode, qr, tuple(lines))


def _fit_size(text: str, font: str, size_pt: float, width_mm: float) -> float:
    width = text_width_mm(text, font, size_pt)
    return size_pt if width <= width_mm else size_pt * width_mm / width
