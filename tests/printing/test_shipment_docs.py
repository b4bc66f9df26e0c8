"""A shipment's packing list, waybill and labels: rendered, read back, their barcode decoded."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest

from printing.shipment_docs import (
    DiscrepancyDoc,
    PartyInfo,
    ShipmentDoc,
    ShipmentLine,
    render_discrepancy_report,
    render_packing_list,
    render_shipment_labels_pdf,
    render_shipment_labels_zpl,
    render_waybill,
    shipment_labels,
)
from tests.printing import readback

NUMBER = "SHP-MSK-2026-000042"


def sample(**changes: object) -> ShipmentDoc:
    doc = ShipmentDoc(
        number=NUMBER, created=date(2026, 3, 12), dispatched=date(2026, 3, 13),
        sender=PartyInfo(name="СЦ «ТехноМир» Москва", location="MSK-WH Склад Москва", address="ул. Ленина, 1",
                         phone="+7 495 123-45-67"),
        receiver=PartyInfo(name="СЦ Казань", location="KZN-WH Склад Казань", address="пр. Победы, 5"),
        lines=(ShipmentLine(code="K9N0CV12345678", description="ASUS X515EA", order_number="MSK-2026-000123"),
               ShipmentLine(code="PUMP-01", description="Насос сливной", quantity=4)),
        carrier="СДЭК", tracking="1234567890", places=2, weight_kg="12.5", clerk="Петров П. П.")
    return replace(doc, **changes)


def test_the_packing_list_lists_the_items_and_both_ends() -> None:
    pdf = render_packing_list(sample())
    text = readback.text(pdf)
    for expected in (f"Упаковочный лист № {NUMBER}", "от 13.03.2026", "СЦ Казань", "KZN-WH Склад Казань",
                     "K9N0CV12345678", "MSK-2026-000123", "Насос сливной", "Всего позиций: 2, единиц: 5",
                     "Мест: 2, вес: 12,5 кг", "Упаковал", "Петров П. П.", "Проверил"):
        assert expected in text, expected
    assert readback.code128(readback.raster(pdf, 0, dpi=200)) == [NUMBER]


def test_the_waybill_names_the_carrier_and_has_three_signatures() -> None:
    pdf = render_waybill(sample())
    text = readback.text(pdf)
    for expected in (f"Накладная на перемещение № {NUMBER}", "Перевозчик СДЭК", "Трек-номер 1234567890",
                     "Отправитель СЦ «ТехноМир» Москва", "Получатель СЦ Казань", "Отпустил",
                     "Груз принял перевозчик", "Получил"):
        assert expected in text, expected
    assert readback.code128(readback.raster(pdf, 0, dpi=200)) == [NUMBER]


def test_a_500_line_waybill_repeats_its_header_and_stays_on_the_paper() -> None:
    lines = tuple(ShipmentLine(code=f"SN{i:010d}", description="Стиральная машина <Bosch> & Co",
                               order_number=f"MSK-2026-{i:06d}") for i in range(1, 501))
    pdf = render_waybill(sample(lines=lines, note="Хрупкое </para> & <b>"))
    assert readback.page_count(pdf) > 10 and readback.chars_outside_page(pdf) == []
    text = readback.text(pdf)
    assert "SN0000000500" in text and "Всего позиций: 500, единиц: 500" in text and "</para> & <b>" in text


def test_one_label_per_place_each_decodable() -> None:
    labels = shipment_labels(sample(places=3))
    assert [label.place for label in labels] == [1, 2, 3]
    pdf = render_shipment_labels_pdf(labels)
    assert readback.page_count(pdf) == 3
    assert [round(v) for v in readback.page_size_mm(pdf)] == [100, 70]
    assert "место 2 из 3" in readback.text(pdf) and "Кому: СЦ Казань" in readback.text(pdf)
    for page in range(3):
        assert readback.code128(readback.raster(pdf, page, dpi=203)) == [NUMBER]
    assert readback.chars_outside_page(pdf) == []


def test_the_label_zpl_carries_the_number_and_escapes_user_text() -> None:
    labels = shipment_labels(sample(carrier="^XZ~JA_x"))
    zpl = render_shipment_labels_zpl(labels).decode("utf-8")
    assert zpl.count("^XA") == 2 and zpl.count("^XZ") == 2 and "^CI28" in zpl
    assert re.search(rf"\^BY\d\^BCN,\d+,Y,N,N,A\^FD{NUMBER}\^FS", zpl)
    assert "_5EXZ_7EJA_5Fx" in zpl


def test_a_number_that_is_not_printable_as_code_128_is_refused() -> None:
    with pytest.raises(ValueError):
        sample(number="ПАРТИЯ-1")


def test_the_discrepancy_report_lists_missing_and_unexpected_lines() -> None:
    base = sample()
    doc = DiscrepancyDoc(
        number=NUMBER, received=date(2026, 3, 16), sender=base.sender, receiver=base.receiver, sent_lines=3,
        accepted_lines=1, carrier="СДЭК", tracking="1234567890", clerk="Сидоров С. С.",
        missing=(ShipmentLine(code="K9N0CV12345678", description="ASUS X515EA — утеряно: коробка вскрыта",
                              order_number="MSK-2026-000123"),
                 ShipmentLine(code="PUMP-01", description="Насос сливной", quantity=2)),
        unexpected=(ShipmentLine(code="SN-STRAY-1", description="Bosch WAN24", order_number="MSK-2026-000200"),))
    pdf = render_discrepancy_report(doc)
    text = readback.text(pdf)
    for expected in (f"Акт о расхождении по партии № {NUMBER}", "от 16.03.2026", "Позиций отправлено 3",
                     "Принято полностью 1", "Недостача", "утеряно: коробка вскрыта", "PUMP-01",
                     "Излишки (не числились в партии)", "SN-STRAY-1", "Принял", "Сидоров С. С."):
        assert expected in text, expected
    assert readback.code128(readback.raster(pdf, 0, dpi=200)) == [NUMBER]
