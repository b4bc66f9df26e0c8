"""Акт выполненных работ (act of completed works), A4: signed when the unit is issued."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table

from printing.a4 import (
    FRAME_W,
    GRID,
    SHADE,
    build_pdf,
    customer_rows,
    fields_table,
    markup,
    order_document_heading,
    para,
    section,
    signatures,
    table_style,
    unit_rows,
)
from printing.documents import ActDoc, ActLine
from printing.fonts import BOLD
from printing.formatting import format_amount, format_date, format_money, format_quantity

COLUMNS = ("№", "Наименование", "Ед.", "Кол-во", "Цена, ₽", "Сумма, ₽")
NARROW = (8 * mm, 12 * mm, 16 * mm, 25 * mm, 27 * mm)
ACCEPTANCE = (
    "Работы выполнены полностью. Изделие получено, проверено в присутствии заказчика, комплектность "
    "соответствует заказу-наряду. Претензий по объёму, качеству и срокам выполнения работ заказчик не имеет."
)


def render_act(doc: ActDoc) -> bytes:
    """The act of completed works as A4 PDF (works, parts, total with VAT, payment, our warranty)."""
    title = f"Акт выполненных работ № {doc.number}"
    story: list[Flowable] = [
        *order_document_heading(doc.center, title, doc.issued, doc.order_number, doc.order_date),
    ]
    rows = [("Исполнитель", doc.center.legal or doc.center.name)]
    rows += customer_rows(doc.customer, role="Заказчик")
    rows += unit_rows(doc.unit)
    rows.append(("Принято в ремонт", format_date(doc.received or doc.order_date)))
    story.append(fields_table(rows))
    story.append(markup("Выполненные работы", "heading"))
    story.append(_lines_table(doc.works) if doc.works else para("—"))
    if doc.parts:
        story.append(markup("Запчасти и материалы", "heading"))
        story.append(_lines_table(doc.parts))
    story.append(_totals(doc))
    if doc.payment.strip():
        story += section("Оплата", doc.payment)
    if doc.outcome.strip():
        story += section("Результат ремонта", doc.outcome)
    if doc.repair_warranty.strip():
        story += section("Гарантия на выполненные работы", doc.repair_warranty)
    story += [Spacer(1, 2 * mm), para(ACCEPTANCE, "small")]
    story += signatures([("Исполнитель", doc.executor), ("Заказчик", doc.customer.name)])
    return build_pdf(story, title=title, footer=title)


def _lines_table(lines: Sequence[ActLine]) -> Table:
    data: list[list] = [[markup(c, "cell_head") for c in COLUMNS]]
    for i, line in enumerate(lines, start=1):
        data.append([str(i), para(line.description, "cell"), para(line.measure, "cell"),
                     format_quantity(line.qty), format_amount(line.price), format_amount(line.amount)])
    first, *rest = NARROW
    table = Table(data, colWidths=[first, FRAME_W - sum(NARROW), *rest], repeatRows=1, splitInRow=1)
    table.setStyle(table_style([
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("GRID", (0, 0), (-1, -1), 0.4, GRID), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (3, 1), (-1, -1), "RIGHT"),
    ]))
    return table


def _totals(doc: ActDoc) -> Table:
    rows = [["Итого:", format_money(doc.total)]]
    if doc.vat is not None and doc.vat_rate is not None:
        rows.append([f"В том числе НДС {format_quantity(doc.vat_rate)} %:", format_money(doc.vat)])
    else:
        rows.append(["Без НДС", ""])
    table = Table(rows, colWidths=[FRAME_W - 40 * mm, 40 * mm])
    table.setStyle(table_style([
        ("FONTNAME", (0, 0), (-1, 0), BOLD),
        ("FONTSIZE", (0, 0), (-1, -1), 9.5), ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, 0), 2 * mm),
    ]))
    return table
