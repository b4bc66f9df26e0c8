"""Unit labels: PDF at the stock's size, PNG at printer resolution, ZPL; every code scans."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest

from printing import (
    LABEL_58X40,
    PRESETS,
    LabelProfile,
    labels_with_accessories,
    render_label_pdf,
    render_label_png,
    render_label_zpl,
    render_labels_pdf,
    render_labels_zpl,
    samples,
)
from printing.barcodes import QUIET_MODULES, code128_bits
from tests.printing import readback

NUMBERS = ["MSK-2026-000123", "SPB1-2027-999999", "EKB-2026-000001", "NSK2-2030-100000", "LONGCODE-2026-000123",
           "KZN-2026-000010"]
PROFILES = list(PRESETS.values())
QR_URL = "https://sc.example.ru/o/{number}"


def _label(number: str = "MSK-2026-000123", **changes) -> object:
    return replace(samples.label(number), **changes)


@pytest.mark.parametrize("profile", PROFILES, ids=[p.name for p in PROFILES])
def test_the_pdf_page_is_the_label_stock_and_the_barcode_scans_at_300_dpi(profile: LabelProfile) -> None:
    pdf = render_label_pdf(_label(profile=profile))
    assert readback.page_count(pdf) == 1
    w, h = readback.page_size_mm(pdf)
    assert abs(w - profile.width_mm) < 0.01 and abs(h - profile.height_mm) < 0.01
    assert readback.code128(readback.raster(pdf, dpi=300)) == ["MSK-2026-000123"]
    assert readback.chars_outside_page(pdf) == []


def test_the_pdf_label_prints_the_number_under_the_code_and_the_fields() -> None:
    text = readback.text(render_label_pdf(_label()))
    assert text.startswith("MSK-2026-000123 S/N K9N0CV12345678 ASUS VivoBook 15 X515EA Не включается")
    assert "Принят 12.03.2026" in text


def test_long_fields_are_cut_to_the_label_never_drawn_off_it() -> None:
    doc = _label(model="Ноутбук " + "Очень-длинное-название-модели-" * 10, fault="Не включается " * 40,
                 serial="S" * 40, profile=PRESETS["50x30"])
    for pdf in (render_label_pdf(doc), render_label_pdf(replace(doc, profile=LABEL_58X40))):
        assert readback.chars_outside_page(pdf) == []
        assert "…" in readback.text(pdf)
        assert readback.code128(readback.raster(pdf, dpi=300)) == ["MSK-2026-000123"]


def test_a_qr_profile_adds_a_qr_code_that_opens_the_order() -> None:
    pdf = render_label_pdf(_label(profile=replace(LABEL_58X40, qr_url=QR_URL)))
    image = readback.raster(pdf, dpi=300)
    assert readback.code128(image) == ["MSK-2026-000123"]
    assert readback.qr(image) == ["https://sc.example.ru/o/MSK-2026-000123"]


def test_a_qr_only_profile_has_no_code_128() -> None:
    profile = LabelProfile(name="qr", width_mm=58, height_mm=40, code128=False,
                           qr_url="https://sc.example.ru/status/{number}")
    pdf = render_label_pdf(_label(profile=profile))
    image = readback.raster(pdf, dpi=300)
    assert readback.code128(image) == []
    assert readback.qr(image) == ["https://sc.example.ru/status/MSK-2026-000123"]
    assert "MSK-2026-000123" in readback.text(pdf)


def test_many_labels_make_one_pdf_one_label_a_page_each_scanning_as_its_own_number() -> None:
    docs = [_label(number) for number in NUMBERS]
    pdf = render_labels_pdf(docs)
    assert readback.page_count(pdf) == len(NUMBERS)
    for page, number in enumerate(NUMBERS):
        assert readback.code128(readback.raster(pdf, page, dpi=300)) == [number]


def test_a_shipment_of_500_labels_is_one_500_page_pdf() -> None:
    docs = [_label(f"MSK-2026-{i:06d}") for i in range(1, 501)]
    pdf = render_labels_pdf(docs)
    assert readback.page_count(pdf) == 500
    assert readback.code128(readback.raster(pdf, 499, dpi=300)) == ["MSK-2026-000500"]


def test_accessory_labels_carry_the_order_number_and_the_accessory() -> None:
    docs = labels_with_accessories(_label(), ["Зарядное устройство 65 Вт", "Кабель питания"])
    pdf = render_labels_pdf(docs)
    assert readback.page_count(pdf) == 3
    for page, accessory in enumerate(["", "Зарядное устройство 65 Вт", "Кабель питания"]):
        assert readback.code128(readback.raster(pdf, page, dpi=300)) == ["MSK-2026-000123"]
        page_text = " ".join(readback.pdf(pdf)[page].get_textpage().get_text_range().split())
        assert (f"+ {accessory}" in page_text) if accessory else ("+ " not in page_text)


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("profile", PROFILES, ids=[p.name for p in PROFILES])
def test_the_png_is_the_label_at_printer_resolution_and_scans(profile: LabelProfile, dpi: int) -> None:
    image = readback.png(render_label_png(_label(profile=profile), dpi=dpi))
    assert image.size == (round(profile.width_mm * dpi / 25.4), round(profile.height_mm * dpi / 25.4))
    assert round(image.info["dpi"][0]) == dpi
    assert readback.code128(image) == ["MSK-2026-000123"]


@pytest.mark.parametrize("number", NUMBERS)
def test_numbers_of_any_center_and_year_scan_from_the_png(number: str) -> None:
    for profile in (LABEL_58X40, PRESETS["2x1in"]):
        assert readback.code128(readback.png(render_label_png(_label(number, profile=profile)))) == [number]


def test_the_png_keeps_ten_modules_of_white_each_side_of_the_code() -> None:
    image = readback.png(render_label_png(_label(), dpi=203))
    row = [image.getpixel((x, 40)) for x in range(image.width)]  # through the bars
    dark = [x for x, value in enumerate(row) if value < 128]
    modules = len(code128_bits("MSK-2026-000123"))
    module_px = (dark[-1] - dark[0] + 1) / modules  # a Code 128 symbol starts and ends with a bar
    assert module_px == 2  # 0.25 mm on a 203 dpi head
    assert dark[0] >= QUIET_MODULES * module_px and image.width - 1 - dark[-1] >= QUIET_MODULES * module_px


def test_the_png_qr_code_opens_the_order() -> None:
    image = readback.png(render_label_png(_label(profile=replace(LABEL_58X40, qr_url=QR_URL)), dpi=300))
    assert readback.qr(image) == ["https://sc.example.ru/o/MSK-2026-000123"]
    assert readback.code128(image) == ["MSK-2026-000123"]


def test_a_number_too_long_for_the_stock_is_refused_rather_than_printed_unscannable() -> None:
    doc = _label("X" * 40, profile=PRESETS["2x1in"])
    for render in (render_label_pdf, render_label_png, render_label_zpl):
        with pytest.raises(ValueError, match="too long|needs"):
            render(doc)


def test_png_only_at_printer_resolutions() -> None:
    with pytest.raises(ValueError):
        render_label_png(_label(), dpi=96)


def test_zpl_is_one_utf8_format_with_a_code_128_of_the_number() -> None:
    zpl = render_label_zpl(_label()).decode("utf-8")
    assert zpl.startswith("^XA") and zpl.rstrip().endswith("^XZ")
    assert "^CI28" in zpl
    assert re.search(r"\^BY\d\^BCN,\d+,N,N,N,A\^FDMSK-2026-000123\^FS", zpl)
    assert re.search(r"\^CWZ,E:TT0003M_\.FNT", zpl)
    assert "^FX CW" in zpl  # says why the TrueType font is needed
    assert "^PW464^LL320" in zpl  # 58 × 40 mm at 8 dots/mm
    assert "^FDПринят 12.03.2026^FS" in zpl
    assert "^FDS/N K9N0CV12345678^FS" in zpl


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("profile", PROFILES, ids=[p.name for p in PROFILES])
def test_the_zpl_code_keeps_ten_modules_of_white_each_side(profile: LabelProfile, dpi: int) -> None:
    number = "SPB1-2027-999999"
    zpl = render_label_zpl(_label(number, profile=profile), dpi=dpi).decode("utf-8")
    width = int(re.search(r"\^PW(\d+)", zpl).group(1))
    x, module = map(int, re.search(r"\^FO(\d+),\d+\^BY(\d+)\^BC", zpl).groups())
    symbol = len(code128_bits(number)) * module
    assert x >= QUIET_MODULES * module and width - (x + symbol) >= QUIET_MODULES * module
    assert module == (2 if dpi == 203 else 3) or profile.width_mm < 55  # 10 mil where the stock allows


def test_zpl_escapes_what_would_end_a_field_or_the_label() -> None:
    zpl = render_label_zpl(_label(fault="^XZ~JA_x", serial="A^B")).decode("utf-8")
    assert zpl.count("^XA") == 1 and zpl.count("^XZ") == 1
    assert "~JA" not in zpl
    assert "_5EXZ_7EJA_5Fx" in zpl and "A_5EB" in zpl


def test_zpl_at_300_dpi_and_with_another_printer_font_and_qr() -> None:
    doc = _label(profile=replace(LABEL_58X40, qr_url=QR_URL))
    zpl = render_label_zpl(doc, dpi=300, font="E:DEJAVU.TTF").decode("utf-8")
    assert "^PW685^LL472" in zpl and "^CWZ,E:DEJAVU.TTF" in zpl
    assert "^BQN,2," in zpl and "^FDMA,https://sc.example.ru/o/MSK-2026-000123^FS" in zpl
    with pytest.raises(ValueError):
        render_label_zpl(doc, font="E:X.TTF^XZ")


def test_many_labels_as_one_zpl_stream() -> None:
    zpl = render_labels_zpl(labels_with_accessories(_label(), ["Кабель"])).decode("utf-8")
    assert zpl.count("^XA") == 2 and zpl.count("^XZ") == 2
    assert zpl.count("^FDMSK-2026-000123^FS") == 4  # the code and the printed number on each label
    assert "^FD+ Кабель^FS" in zpl


def test_same_label_same_bytes() -> None:
    doc = _label(intake_date=date(2026, 1, 31))
    assert render_label_pdf(doc) == render_label_pdf(doc)
    assert render_label_png(doc) == render_label_png(doc)
