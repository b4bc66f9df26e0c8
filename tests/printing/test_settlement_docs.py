"""Statement and claim documents: the PDF read back shows the parties, lines and totals; the CSV opens
in Russian Excel and defuses formulas; a total that is not the sum of its lines is refused."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from printing.csv_export import cell, safe_text, to_csv
from printing.settlements import (
    Party,
    SettlementDoc,
    SettlementRow,
    render_settlement_csv,
    render_settlement_pdf,
)
from tests.printing import readback

D = Decimal


def row(number: str, labour: str, vat_rate: str = "20", counts: bool = True, note: str = "",
        unit: str = "Bosch WAN24260, с/н WAS123") -> SettlementRow:
    net = D(labour) + D("300.00")
    vat = (net * D(vat_rate) / 100).quantize(D("0.01"))
    return SettlementRow(order_number=number, completed=date(2026, 3, 31), unit=unit, category="Стиральные машины",
                         labour=D(labour), travel=D("300.00"), parts=D("0.00"), net=net, vat_rate=D(vat_rate), vat=vat,
                         total=net + vat, counts=counts, note=note)


def sample(**changes: object) -> SettlementDoc:
    lines = (row("KZN-2026-000001", "1500.00"),
             row("KZN-2026-000002", "1000.00", counts=False, note="Отклонена: нет акта"))
    counted = [line for line in lines if line.counts]
    doc = SettlementDoc(
        title="Акт-отчёт о гарантийных ремонтах", number="ST-KZN-2026-03", period="03.2026", issued=date(2026, 4, 2),
        payee=Party(name="ООО «Сервис Казань»", details="ул. Баумана, 1"), payer=Party(name="Головной офис"),
        state="утверждён", lines=lines, net=sum(line.net for line in counted), vat=sum(line.vat for line in counted),
        total=sum(line.total for line in counted), notes=(("Утверждён", "02.04.2026"),))
    return replace(doc, **changes)


def test_the_statement_pdf_shows_parties_lines_and_totals() -> None:
    text = readback.text(render_settlement_pdf(sample()))
    for expected in ("Акт-отчёт о гарантийных ремонтах № ST-KZN-2026-03", "за 03.2026", "ООО «Сервис Казань»",
                     "Головной офис", "KZN-2026-000001", "KZN-2026-000002", "31.03.2026", "Стиральные машины",
                     "Не учтена: Отклонена: нет акта", "1 800,00", "360,00", "2 160,00",
                     "Итого без НДС 1 800,00 ₽", "НДС 360,00 ₽", "Итого с НДС 2 160,00 ₽", "20 %"):
        assert expected in text, expected


def test_a_long_statement_runs_over_pages_and_stays_on_the_paper() -> None:
    lines = tuple(row(f"KZN-2026-{i:06d}", "999.99", vat_rate="0", unit="Модель <b>&</b> " * 3) for i in range(1, 201))
    doc = sample(lines=lines, net=sum(line.net for line in lines), vat=D("0"), total=sum(line.total for line in lines))
    pdf = render_settlement_pdf(doc)
    assert readback.page_count(pdf) > 3 and readback.chars_outside_page(pdf) == []
    text = readback.text(pdf)
    assert "KZN-2026-000200" in text and "без НДС" in text and "Итого с НДС 259 998,00 ₽" in text


def test_totals_that_are_not_the_sum_of_the_lines_are_refused() -> None:
    with pytest.raises(ValueError):
        sample(total=D("2160.01"))
    with pytest.raises(ValueError):
        row("X", "100").__class__(order_number="X", completed=date(2026, 1, 1), unit="u", labour=D("1"),
                                  travel=D("0"), parts=D("0"), net=D("2"), vat_rate=D("0"), vat=D("0"), total=D("2"))


def test_the_csv_opens_in_russian_excel() -> None:
    data = render_settlement_csv(sample())
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    header = rows.index(["№", "Заказ-наряд", "Дата выполнения", "Изделие", "Категория", "Сервисный центр", "Работы",
                         "Выезд", "Запчасти", "Без НДС", "Ставка НДС, %", "НДС", "Итого", "Учтена", "Примечание"])
    first = rows[header + 1]
    assert first[:3] == ["1", "KZN-2026-000001", "31.03.2026"] and first[9:14] == [
        "1800,00", "20,00", "360,00", "2160,00", "да"]
    assert rows[header + 2][13] == "нет"
    assert ["Итого с НДС", "2160,00"] in rows


@pytest.mark.parametrize("evil", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_formulas_in_text_cells_are_defused(evil: str) -> None:
    assert safe_text(evil) == "'" + evil
    doc = sample(lines=(row("KZN-1", "1500.00", note=evil, unit=evil),), net=D("1800.00"), vat=D("360.00"),
                 total=D("2160.00"))
    rows = list(csv.reader(io.StringIO(render_settlement_csv(doc).decode("utf-8-sig")), delimiter=";"))
    cells = [c for r in rows for c in r]
    assert "'" + evil in cells and evil not in cells


def test_numbers_are_not_defused_and_plain_text_is_untouched() -> None:
    assert cell(D("-5.00")) == "-5,00" and cell("Иванов") == "Иванов" and cell(None) == ""
    assert to_csv([("a;b", "c\"d")]).decode("utf-8-sig") == '"a;b";"c""d"\r\n'
