"""Fonts ship with the package and are embedded; money and dates print the Russian way."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from reportlab.pdfbase import pdfmetrics

from printing import (
    format_amount,
    format_date,
    format_datetime,
    format_money,
    format_quantity,
    register_fonts,
    render_act,
    render_conclusion,
    render_label_pdf,
    render_work_order,
    samples,
)
from printing.fonts import FILES, FONT_DIR, font_file
from tests.printing import readback

NBSP = "\u00a0"


def test_fonts_and_licence_ship_inside_the_package() -> None:
    for name in FILES:
        path = font_file(name)
        assert path.parent == FONT_DIR and path.stat().st_size > 100_000
    licence = (FONT_DIR / "LICENSE").read_text(encoding="utf-8")
    assert "Bitstream" in licence and "DejaVu" in licence


def test_registration_is_idempotent() -> None:
    register_fonts()
    register_fonts()
    assert set(FILES) <= set(pdfmetrics.getRegisteredFontNames())
    assert pdfmetrics.getFont("DejaVuSans").face.charToGlyph.get(ord("Ж"))


@pytest.mark.parametrize(
    "render, doc",
    [
        (render_work_order, samples.work_order()),
        (render_label_pdf, samples.label()),
        (render_act, samples.act()),
        (render_conclusion, samples.conclusion()),
    ],
    ids=["work_order", "label", "act", "conclusion"],
)
def test_every_font_in_every_pdf_is_embedded_dejavu(render, doc) -> None:
    used = readback.fonts(render(doc))
    assert "DejaVuSans" in used
    assert used == dict.fromkeys(used, True), f"not embedded: {used}"
    assert all(name.startswith("DejaVu") for name in used), used  # no base-14 Helvetica sneaking in


@pytest.mark.parametrize(
    "value, expected",
    [
        ("0", "0,00"),
        ("1234.5", f"1{NBSP}234,50"),
        ("1234567.891", f"1{NBSP}234{NBSP}567,89"),
        ("999.995", f"1{NBSP}000,00"),
        ("-150", "-150,00"),
        ("0.005", "0,01"),
    ],
)
def test_amounts_group_with_no_break_spaces(value: str, expected: str) -> None:
    assert format_amount(Decimal(value)) == expected


def test_money_has_a_no_break_space_before_the_ruble_sign() -> None:
    assert format_money(Decimal("1234.5")) == f"1{NBSP}234,50{NBSP}₽"


def test_quantities_and_dates() -> None:
    assert format_quantity(Decimal("2")) == "2"
    assert format_quantity(Decimal("2.000")) == "2"
    assert format_quantity(Decimal("0.50")) == "0,5"
    assert format_quantity(Decimal("1500")) == f"1{NBSP}500"
    assert format_date(date(2026, 3, 2)) == "02.03.2026"
    assert format_date(None) == "—"
    assert format_datetime(datetime(2026, 3, 12, 9, 5)) == "12.03.2026 09:05"
