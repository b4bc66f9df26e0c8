"""The vendored DejaVu fonts, registered with ReportLab once per process.

The base-14 PDF fonts (Helvetica …) are WinAnsi and cannot show Cyrillic, so every
document embeds a subset of these TrueType files; they ship inside the package
(fonts/, licence in fonts/LICENSE) so a host without system fonts renders Russian.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
MONO = "DejaVuSansMono"

FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf", MONO: "DejaVuSansMono.ttf"}

_lock = threading.Lock()
_registered = False


def font_file(name: str) -> Path:
    """Path of a vendored font by its ReportLab name (REGULAR, BOLD or MONO)."""
    return FONT_DIR / FILES[name]


def register_fonts() -> None:
    """Register the fonts with ReportLab; later calls return at once (~30 ms the first time)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        for name in FILES:
            pdfmetrics.registerFont(TTFont(name, str(font_file(name))))
        # <b> inside a Paragraph picks the bold face; there is no italic, so it maps to upright.
        pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)
        _registered = True


@lru_cache(maxsize=64)
def pillow_font(name: str, size_px: int) -> ImageFont.FreeTypeFont:
    """The same font for Pillow (PNG labels), cached per size."""
    return ImageFont.truetype(str(font_file(name)), size_px)
