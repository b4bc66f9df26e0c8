"""Unit labels as ZPL II for Zebra printers (and the TSC/Godex models that emulate ZPL).

ZPL is sent raw to the printer (CUPS raw queue, port 9100, QZ Tray, Zebra Browser Print),
skipping the driver. The PDF label stays the default: Russian text on a ZPL printer needs a
TrueType font with Cyrillic stored on the printer, because the built-in ^A0 has none on many
models. The layout is the PDF's and PNG's; text is fitted with DejaVu metrics, so a printer
font that runs wider may clip a line's end.
"""

from __future__ import annotations

from collections.abc import Iterable

from printing.barcodes import QR_QUIET_MODULES, QUIET_MODULES, code128_modules, module_dots_to_fit, qr_matrix
from printing.label_layout import LabelLayout, TextLine, layout_label, text_width_mm
from printing.labels import LabelDoc

DPIS = (203, 300)
# Zebra's Swiss 721 TrueType with Cyrillic as it ships on many printers' E: drive. A center
# that has uploaded another font (e.g. DejaVuSans.ttf as E:DEJAVU.TTF) passes that name.
DEFAULT_FONT = "E:TT0003M_.FNT"
FONT_LETTER = "Z"

_FIELD_ESCAPES = str.maketrans({"_": "_5F", "^": "_5E", "~": "_7E", "\r": " ", "\n": " ", "\t": " "})


def _field(text: str) -> str:
    """Field data for ^FH: `_`, `^` and `~` as hex escapes, so user text cannot end the field or the label."""
    return "^FH^FD" + text.translate(_FIELD_ESCAPES) + "^FS"


def render_label_zpl(doc: LabelDoc, dpi: int = 203, font: str = DEFAULT_FONT) -> bytes:
    """One label as ZPL II (UTF-8 bytes, ^CI28), for a `dpi` 203 or 300 printer."""
    return render_labels_zpl([doc], dpi=dpi, font=font)


def render_labels_zpl(docs: Iterable[LabelDoc], dpi: int = 203, font: str = DEFAULT_FONT) -> bytes:
    """Many labels as one ZPL stream, one ^XA … ^XZ format per label."""
    if dpi not in DPIS:
        raise ValueError(f"dpi must be one of {DPIS}, not {dpi!r}")
    if not font or any(ch in font for ch in "^~,\r\n"):
        raise ValueError(f"not a printer font name: {font!r}")
    labels = [_label(layout_label(doc), dpi, font) for doc in docs]
    if not labels:
        raise ValueError("no labels to print")
    return "".join(labels).encode("utf-8")


def _label(layout: LabelLayout, dpi: int, font: str) -> str:
    def dots(value_mm: float) -> int:
        return round(value_mm * dpi / 25.4)

    out = [
        "^XA",
        "^CI28",  # field data is UTF-8
        f"^PW{dots(layout.width_mm)}^LL{dots(layout.height_mm)}^LH0,0",
        # ^FX is a comment; it must not contain a caret or a tilde.
        f"^FX CW gives the letter {FONT_LETTER} to a TrueType font stored on the printer. The font must have "
        "Cyrillic glyphs (the built-in font 0 has none on many printers): upload one, e.g. DejaVuSans.ttf, "
        "and name it here. Without it Russian text prints as boxes or dots.^FS",
        f"^CW{FONT_LETTER},{font}",
    ]
    if layout.barcode:
        box = layout.barcode
        room = dots(box.right_mm) - dots(box.left_mm)
        module = module_dots_to_fit(box.value, room, dpi)
        total = (code128_modules(box.value) + 2 * QUIET_MODULES) * module
        x = dots(box.left_mm) + (room - total) // 2 + QUIET_MODULES * module
        # N: no printed interpretation line (we print the number ourselves), A: automatic subsets.
        out.append(f"^FO{x},{dots(box.top_mm)}^BY{module}^BCN,{dots(box.height_mm)},N,N,N,A^FD{box.value}^FS")
    if layout.qr:
        qr = layout.qr
        side = len(qr_matrix(qr.data)) + 2 * QR_QUIET_MODULES
        magnification = max(1, min(10, dots(qr.size_mm) // side))
        offset = (dots(qr.size_mm) - (side - 2 * QR_QUIET_MODULES) * magnification) // 2
        # ^BQ model 2; field data "MA,": error correction M, automatic input mode.
        out.append(f"^FO{dots(qr.left_mm) + offset},{dots(qr.top_mm) + offset}^BQN,2,{magnification}"
                   + _field("MA," + qr.data))
    out.extend(_text(line, dots) for line in layout.lines)
    out.append("^XZ")
    return "\n".join(out) + "\n"


def _text(line: TextLine, dots) -> str:
    height = max(10, dots(line.size_pt * 25.4 / 72))
    left = line.x_mm - text_width_mm(line.text, line.font, line.size_pt) / 2 if line.centred else line.x_mm
    # ^FT places the text's baseline, as the PDF and PNG renderers do.
    return f"^FT{dots(left)},{dots(line.baseline_mm)}^A{FONT_LETTER}N,{height},{height}" + _field(line.text)
