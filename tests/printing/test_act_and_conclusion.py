"""Акт выполненных работ and техническое заключение: rendered, read back, scanned."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from printing import ActLine, render_act, render_conclusion, samples
from tests.printing import readback

HOSTILE = "<b>&amp; </para> & <unknown/>"


def test_the_act_lists_the_work_and_states_the_total_and_vat() -> None:
    pdf = render_act(samples.act())
    assert readback.page_count(pdf) == 1
    text = readback.text(pdf)
    for expected in (
        "Акт выполненных работ № MSK-2026-000123",
        "от 20.03.2026 · к заказу-наряду № MSK-2026-000123 от 12.03.2026",
        "ООО «ТехноМир», ИНН 7701234567",
        "Иванов Иван Иванович",
        "K9N0CV12345678",
        "Восстановление BIOS программатором",
        "2 200,50",
        "Термопаста Arctic MX-4, 4 г уп. 0,5 899,00 449,50",
        "Итого: 6 000,00 ₽",
        "В том числе НДС 20 %: 1 000,00 ₽",
        "Оплачено банковской картой",
        "BIOS восстановлен",
        "90 дней на выполненные работы",
        "Претензий по объёму, качеству и срокам выполнения работ заказчик не имеет.",
        "Сидоров П. П.",
    ):
        assert expected in text, expected
    assert readback.code128(readback.raster(pdf, 0, dpi=200)) == ["MSK-2026-000123"]


def test_an_act_without_vat_says_so_and_a_warranty_act_may_total_zero() -> None:
    free = ActLine(description="Замена материнской платы по гарантии", qty=Decimal("1"), price=Decimal("0"),
                   amount=Decimal("0"))
    doc = replace(samples.act(), works=(free,), parts=(), total=Decimal("0"), vat=None, vat_rate=None,
                  payment="Гарантийный ремонт, оплачивает производитель.")
    text = readback.text(render_act(doc))
    assert "Итого: 0,00 ₽" in text and "Без НДС" in text


def test_a_long_act_repeats_the_table_header_on_every_page() -> None:
    lines = tuple(ActLine(description=f"Работа № {i}: " + "пайка, прогрев, проверка " * 6, qty=Decimal("1"),
                          price=Decimal("100"), amount=Decimal("100")) for i in range(1, 81))
    doc = replace(samples.act(), works=lines, parts=(), total=Decimal("8000"), vat=None, vat_rate=None)
    pdf = render_act(doc)
    pages = readback.page_count(pdf)
    assert pages >= 3
    assert readback.chars_outside_page(pdf) == []
    for page in range(pages - 1):
        assert "Наименование" in readback.pdf(pdf)[page].get_textpage().get_text_range()
    assert "Итого: 8 000,00 ₽" in readback.text(pdf)


def test_markup_in_the_act_prints_literally() -> None:
    line = ActLine(description=HOSTILE, qty=Decimal("1"), price=Decimal("10"), amount=Decimal("10"))
    doc = replace(samples.act(), works=(line,), parts=(), total=Decimal("10"), outcome=HOSTILE,
                  customer=replace(samples.customer(), name=HOSTILE))
    assert readback.text(render_act(doc)).count(HOSTILE) >= 3


def test_the_conclusion_states_findings_and_decision() -> None:
    pdf = render_conclusion(samples.conclusion())
    text = readback.text(pdf)
    for expected in (
        "Техническое заключение № ТЗ-MSK-2026-000123",
        "к заказу-наряду № MSK-2026-000123 от 12.03.2026",
        "Иванов Иван Иванович",
        "Заявленная неисправность",
        "Результаты диагностики",
        "Следы попадания жидкости на материнскую плату",
        "Заключение",
        "Ремонт экономически нецелесообразен",
        "Рекомендации",
        "Кузнецов Д. А.",
        "Смирнова Е. В.",
    ):
        assert expected in text, expected
    assert readback.code128(readback.raster(pdf, 0, dpi=200)) == ["MSK-2026-000123"]


def test_a_long_conclusion_stays_on_the_paper_and_markup_is_literal() -> None:
    doc = replace(samples.conclusion(), findings=(HOSTILE + " ") + "Коррозия. " * 400)
    pdf = render_conclusion(doc)
    assert readback.page_count(pdf) >= 2
    assert readback.chars_outside_page(pdf) == []
    assert HOSTILE in readback.text(pdf)
