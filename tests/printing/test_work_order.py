"""Заказ-наряд: rendered, then read back as text and scanned as a barcode."""

from __future__ import annotations

from dataclasses import replace

from printing import render_work_order, render_work_orders, samples
from tests.printing import readback

HOSTILE = '<b>&amp; </para> <font name="Helvetica">x</font> &#1046; ]]> <br/>'


def test_the_work_order_says_who_what_and_which_order() -> None:
    pdf = render_work_order(samples.work_order())
    assert readback.page_count(pdf) == 1
    assert _close(readback.page_size_mm(pdf), (210, 297))
    text = readback.text(pdf)
    for expected in (
        "Заказ-наряд № MSK-2026-000123",
        "от 12.03.2026 14:05",
        "Сервисный центр «ТехноМир» — Москва, Тверская",
        "+7 495 123-45-67",
        "Иванов Иван Иванович",
        "+7 900 123-45-67",
        "ASUS VivoBook 15 X515EA",
        "K9N0CV12345678",
        "Гарантийный ремонт. Гарантия до 14.03.2027 (24 мес. с даты покупки 14.03.2025).",
        "Не включается, индикатор питания не горит.",
        "Потёртости на крышке",
        "Зарядное устройство 65 Вт; Сумка",
        "Условия обслуживания",
        "Подпись клиента",
        "Приёмщик",
        "Петрова А. С.",
    ):
        assert expected in text, expected


def test_the_barcode_on_page_one_scans_as_the_number_at_200_dpi() -> None:
    pdf = render_work_order(samples.work_order("SPB1-2027-999999"))
    assert readback.code128(readback.raster(pdf, 0, dpi=200)) == ["SPB1-2027-999999"]


def test_a_paid_repair_says_so() -> None:
    doc = replace(samples.work_order(), warranty_covered=False, warranty_reason="Гарантия истекла 14.03.2026.")
    assert "Не гарантийный (платный) ремонт. Гарантия истекла 14.03.2026." in readback.text(render_work_order(doc))


def test_two_copies_share_one_sheet_and_both_barcodes_scan() -> None:
    pdf = render_work_order(samples.work_order(copies=2))
    assert readback.page_count(pdf) == 1
    text = readback.text(pdf)
    assert "Экземпляр клиента" in text and "Экземпляр сервисного центра" in text
    assert text.count("Иванов Иван Иванович") >= 4  # customer row and signature, in each copy
    assert readback.code128(readback.raster(pdf, 0, dpi=200)) == ["MSK-2026-000123"] * 2


def test_a_2000_character_fault_runs_over_pages_and_stays_on_the_paper() -> None:
    fault = ("Не включается; при нажатии кнопки питания слышен щелчок, экран остаётся тёмным. " * 30)[:2000]
    word = "Ы" * 300  # one word longer than a line
    doc = replace(samples.work_order(), fault=f"{fault} {word}", condition="Царапины. " * 80)
    pdf = render_work_order(doc)
    assert readback.page_count(pdf) >= 2
    assert readback.chars_outside_page(pdf) == []
    text = readback.text(pdf)
    assert " ".join(fault.split()) in text
    assert text.replace(" ", "").count("Ы") == 300
    assert readback.code128(readback.raster(pdf, 0, dpi=200)) == ["MSK-2026-000123"]


def test_two_copies_of_a_long_order_print_on_separate_pages_rather_than_in_fine_print() -> None:
    doc = replace(samples.work_order(copies=2), fault="Длинное описание неисправности. " * 60)
    pdf = render_work_order(doc)
    assert readback.page_count(pdf) >= 2
    assert readback.chars_outside_page(pdf) == []
    assert readback.code128(readback.raster(pdf, 0, dpi=200)) == ["MSK-2026-000123"]


def test_markup_in_user_text_prints_literally() -> None:
    customer = replace(samples.customer(), name=f"ООО «Рога & Копыта» {HOSTILE}")
    doc = replace(samples.work_order(), customer=customer, fault=HOSTILE, condition="a < b && c > d",
                  accessories=("<cable>", "&nbsp;"), clerk="<i>Петрова</i>")
    text = readback.text(render_work_order(doc))
    assert text.count(" ".join(HOSTILE.split())) >= 2
    assert "ООО «Рога & Копыта»" in text
    assert "a < b && c > d" in text
    assert "<cable>; &nbsp;" in text
    assert "<i>Петрова</i>" in text


def test_control_characters_in_user_text_do_not_break_rendering() -> None:
    doc = replace(samples.work_order(), fault="Не\x00 вклю\x07чается\r\nвторая строка\x1b")
    assert "Не включается вторая строка" in readback.text(render_work_order(doc))


def test_same_data_same_bytes() -> None:
    """No clock inside: no creation date, no random document id."""
    assert render_work_order(samples.work_order()) == render_work_order(samples.work_order())


def _close(a: tuple[float, float], b: tuple[float, float], tol: float = 0.5) -> bool:
    return abs(a[0] - b[0]) < tol and abs(a[1] - b[1]) < tol


def _page_text(pdf: bytes, page: int) -> str:
    return " ".join(readback.pdf(pdf)[page].get_textpage().get_text_range().replace("\u00a0", " ").split())


def test_a_batch_prints_each_work_order_as_it_prints_alone_each_from_a_new_page() -> None:
    long_fault = "Не включается после грозы, слышен щелчок в блоке питания. " * 40
    docs = [samples.work_order("MSK-2026-000001"),
            replace(samples.work_order("MSK-2026-000002"), fault=long_fault),  # runs onto a second page
            samples.work_order("MSK-2026-000003", copies=2)]
    drawn: list[int] = []
    pdf = render_work_orders(docs, drawn.append)
    alone = [readback.page_count(render_work_order(doc)) for doc in docs]
    assert readback.page_count(pdf) == sum(alone) and alone[1] == 2
    assert drawn == sorted(drawn) and drawn[-1] == 3  # progress as the work orders are laid out
    pages = [_page_text(pdf, i) for i in range(sum(alone))]
    # Each page's footer names its own work order and counts that work order's pages from 1.
    assert [p.rsplit("Заказ-наряд №", 1)[1].strip() for p in pages] == [
        "MSK-2026-000001 · стр. 1", "MSK-2026-000002 · стр. 1", "MSK-2026-000002 · стр. 2",
        "MSK-2026-000003 · стр. 1"]
    assert "Экземпляр клиента" in pages[3] and "Экземпляр сервисного центра" in pages[3]
    assert readback.code128(readback.raster(pdf, 0, dpi=200)) == ["MSK-2026-000001"]
    # Two copies on a sheet shrink to fit (modules of about 0.21 mm): read at 300 dpi, like a desk scanner.
    assert readback.code128(readback.raster(pdf, 3, dpi=300)) == ["MSK-2026-000003"] * 2
    assert all(embedded for embedded in readback.fonts(pdf).values())
