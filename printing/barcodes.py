"""Code 128 and QR building blocks shared by every document.

Code 128 for order numbers: every 1D keyboard-wedge scanner reads it. QR only where a phone
camera reads it (a link to the order or the status page). Every Code 128 keeps a quiet zone
of QUIET_MODULES modules on both sides, as ISO/IEC 15417 asks.
"""

from __future__ import annotations

from functools import lru_cache

from barcode.codex import Code128 as _PbCode128
from reportlab.graphics.barcode import qrencoder
from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm

QUIET_MODULES = 10
QR_QUIET_MODULES = 4
MAX_LENGTH = 40
# 10 mil: 2 dots on a 203 dpi head, 3 dots on a 300 dpi head, easy for any scanner.
PREFERRED_MODULE_MM = 0.254
MIN_MODULE_MM = 0.125


def check_barcode_value(value: str) -> str:
    """Refuse what Code 128 would silently drop: only printable ASCII, 1–40 characters."""
    if not value or len(value) > MAX_LENGTH or any(not (" " <= ch <= "~") for ch in value):
        raise ValueError(f"not printable as Code 128 (printable ASCII, 1–{MAX_LENGTH} characters): {value!r}")
    return value


@lru_cache(maxsize=1024)
def code128_bits(value: str) -> str:
    """The symbol as a string of modules, '1' bar and '0' space, without quiet zones.

    python-barcode's encoder (it switches to set C for digit runs). We paint the bits
    ourselves: its ImageWriter places bars at float millimetre positions, which gave
    3- and 5-pixel runs for 2-pixel modules at 203 dpi and failed outright at 1 pixel.
    """
    return _PbCode128(check_barcode_value(value)).build()[0]


def code128_modules(value: str) -> int:
    """Width of the symbol in modules, quiet zones excluded."""
    return len(code128_bits(value))


def module_mm_to_fit(value: str, width_mm: float, preferred_mm: float = PREFERRED_MODULE_MM) -> float:
    """The module width (mm) that fits symbol + both quiet zones into `width_mm`, at most `preferred_mm`.

    Refuses to go below MIN_MODULE_MM (one dot of a 203 dpi head): a thinner code would not print.
    """
    module = min(preferred_mm, width_mm / (code128_modules(value) + 2 * QUIET_MODULES))
    if module < MIN_MODULE_MM:
        raise ValueError(f"{value!r} is too long for a Code 128 on {width_mm:.1f} mm")
    return module


def module_dots_to_fit(value: str, width_dots: int, dpi: int) -> int:
    """The whole number of printer dots per module that fits symbol + quiet zones into `width_dots`.

    At most the dots nearest PREFERRED_MODULE_MM; at least one dot (raises if even that does not fit).
    """
    total = code128_modules(value) + 2 * QUIET_MODULES
    preferred = max(1, round(PREFERRED_MODULE_MM * dpi / 25.4))
    dots = min(preferred, width_dots // total)
    if dots < 1:
        raise ValueError(f"{value!r} needs {total} dots with quiet zones; the label has {width_dots}")
    return dots


def code128_flowable(value: str, module_mm: float, bar_height_mm: float) -> Code128:
    """A vector Code 128 (a platypus Flowable, also drawable with .drawOn) with 10-module quiet zones."""
    module = module_mm * mm
    return Code128(
        check_barcode_value(value),
        barWidth=module,
        barHeight=bar_height_mm * mm,
        quiet=1,
        lquiet=QUIET_MODULES * module,
        rquiet=QUIET_MODULES * module,
        humanReadable=False,
    )


def qr_drawing(data: str, size_mm: float) -> Drawing:
    """A vector QR code, `size_mm` square including its 4-module quiet zone (error correction M)."""
    side = size_mm * mm
    drawing = Drawing(side, side)
    drawing.add(QrCodeWidget(data, barLevel="M", barBorder=QR_QUIET_MODULES, barWidth=side, barHeight=side))
    return drawing


@lru_cache(maxsize=256)
def qr_matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    """The QR symbol's dark modules, row by row, without the quiet zone (for raster output)."""
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(data)
    qr.make()
    return tuple(tuple(bool(m) for m in row) for row in qr.modules)
