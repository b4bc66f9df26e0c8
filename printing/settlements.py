"""Settlement documents: a partner's monthly statement (акт-отчёт) and a warranty claim to a
manufacturer (гарантийная претензия), as A4 PDF and as CSV for Excel.

Data in, bytes out: the domain builds `SettlementDoc` (servicecenter/settlements/documents.py)
with the lines' own rounded figures; the document refuses totals that are not the sums of the
lines that count, so a printed total always adds up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table

from printing.a4 import (
    FRAME_W,
    GRID,
    SHADE,
    build_pdf,
    fields_table,
    markup,
    para,
    signatures,
    table_style,
    text,
)
from printing.csv_export import to_csv
from printing.formatting import format_amount, format_date, format_money, format_quantity

CENT = Decimal("0.01")


@dataclass(frozen=True, kw_only=True)
class Party:
    """One side of a settlement: a partner center, the network's head office, a manufacturer."""

    name: str
    details: str = ""  # address, phone, tax details as one line


@dataclass(frozen=True, kw_only=True)
class SettlementRow:
    """One completed repair as settled."""

    order_number: str
    completed: date  # local date at the repairing center
    unit: str  # "Brand Model, s/n …"
    category: str = ""
    center: str = ""  # the repairing center (claims)
    labour: Decimal
    travel: Decimal
    parts: Decimal
    net: Decimal
    vat_rate: Decimal
    vat: Decimal
    total: Decimal
    counts: bool = True  # False: rejected, not in the total
    note: str = ""  # dispute or verdict and its reason, "no rate", parts used, defective parts' whereabouts

    def __post_init__(self) -> None:
        if (self.labour + self.travel + self.parts).quantize(CENT) != self.net.quantize(CENT) or \
                (self.net + self.vat).quantize(CENT) != self.total.quantize(CENT):
            raise ValueError(f"line {self.order_number}: the amounts do not add up")


@dataclass(frozen=True, kw_only=True)
class SettlementDoc:
    """A statement or a claim: who pays whom, for which month, the lines and their totals."""

    title: str  # "Акт-отчёт о выполненных гарантийных ремонтах", "Гарантийная претензия"
    number: str  # the document's reference, e.g. "ST-KZN-2026-03"
    period: str  # "03.2026"
    issued: date
    payer: Party
    payee: Party
    state: str  # in words, e.g. "утверждён"
    lines: tuple[SettlementRow, ...] = ()
    net: Decimal
    vat: Decimal
    total: Decimal
    extra: tuple[tuple[str, Decimal], ...] = ()  # further totals, e.g. ("Принято производителем", …)
    notes: tuple[tuple[str, str], ...] = ()  # (label, text) rows under the header: payment, approval
    signers: tuple[str, str] = ("", "")  # the payee's and the payer's signatory labels

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple(self.lines))
        counted = [line for line in self.lines if line.counts]
        for name in ("net", "vat", "total"):
            expected = sum((getattr(line, name) for line in counted), Decimal("0")).quantize(CENT)
            if getattr(self, name).quantize(CENT) != expected:
                raise ValueError(f"{name} {getattr(self, name)} is not the sum of the lines that count ({expected})")


COLUMNS = ("№", "Заказ-наряд, дата", "Изделие", "Работы", "Выезд", "Запчасти", "Без НДС", "НДС", "Итого")
WIDTHS = (7 * mm, 29 * mm, None, 17 * mm, 15 * mm, 17 * mm, 19 * mm, 16 * mm, 19 * mm)


def _vat_label(rate: Decimal) -> str:
    return "без НДС" if rate == 0 else f"{format_quantity(rate)} %"


def _unit_cell(line: SettlementRow) -> list[Flowable]:
    cells = [para(line.unit, "cell")]
    extra = " · ".join(p for p in (line.category, line.center) if p)
    if extra:
        cells.append(para(extra, "small"))
    if line.note:
        cells.append(para(("Не учтена: " if not line.counts else "") + line.note, "small"))
    return cells


def _amount(value: Decimal, counts: bool = True) -> Flowable:
    shown = format_amount(value)
    return markup(shown if counts else f"<strike>{shown}</strike>", "cell_right")


def _lines_table(lines: tuple[SettlementRow, ...]) -> Table:
    data: list[list] = [[markup(c, "cell_head") for c in COLUMNS]]
    for i, line in enumerate(lines, start=1):
        data.append([str(i), [para(line.order_number, "cell_mono"), para(format_date(line.completed), "small")],
                     _unit_cell(line), _amount(line.labour, line.counts), _amount(line.travel, line.counts),
                     _amount(line.parts, line.counts), _amount(line.net, line.counts),
                     [_amount(line.vat, line.counts), para(_vat_label(line.vat_rate), "small")],
                     _amount(line.total, line.counts)])
    fixed = sum(w for w in WIDTHS if w)
    widths = [w if w else FRAME_W - fixed for w in WIDTHS]
    table = Table(data, colWidths=widths, repeatRows=1, splitInRow=1)
    table.setStyle(table_style([("FONTSIZE", (0, 0), (-1, -1), 8), ("GRID", (0, 0), (-1, -1), 0.4, GRID),
                                ("BACKGROUND", (0, 0), (-1, 0), SHADE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)]))
    return table


def _totals(doc: SettlementDoc) -> Table:
    rows = [("Итого без НДС", doc.net), ("НДС", doc.vat), ("Итого с НДС", doc.total), *doc.extra]
    data = [[markup(text(label), "right"), markup(format_money(value), "right_bold")] for label, value in rows]
    table = Table(data, colWidths=[FRAME_W - 45 * mm, 45 * mm])
    table.setStyle(table_style([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    return table


def render_settlement_pdf(doc: SettlementDoc) -> bytes:
    """The statement or claim on A4: parties and period, the lines, totals with VAT, signatures."""
    story: list[Flowable] = [markup(text(f"{doc.title} № {doc.number}"), "title"),
                             markup(text(f"за {doc.period} · от {format_date(doc.issued)} · {doc.state}"), "subtitle"),
                             Spacer(1, 2 * mm)]
    rows = [("Исполнитель", ", ".join(p for p in (doc.payee.name, doc.payee.details) if p)),
            ("Заказчик", ", ".join(p for p in (doc.payer.name, doc.payer.details) if p)),
            ("Период", doc.period), ("Ремонтов", str(len(doc.lines))), *doc.notes]
    story.append(fields_table(rows))
    story += [markup("Выполненные ремонты", "heading"), _lines_table(doc.lines) if doc.lines else para("Нет строк"),
              Spacer(1, 2 * mm), _totals(doc)]
    story += signatures([(doc.signers[0] or "Исполнитель", ""), (doc.signers[1] or "Заказчик", "")])
    title = f"{doc.title} № {doc.number}"
    return build_pdf(story, title=title, footer=title)


CSV_HEAD = ("№", "Заказ-наряд", "Дата выполнения", "Изделие", "Категория", "Сервисный центр", "Работы", "Выезд",
            "Запчасти", "Без НДС", "Ставка НДС, %", "НДС", "Итого", "Учтена", "Примечание")


def render_settlement_csv(doc: SettlementDoc) -> bytes:
    """The lines and totals as CSV (UTF-8 with BOM, `;`): one row per line, then the totals."""
    rows: list[tuple[object, ...]] = [(f"{doc.title} № {doc.number}", f"за {doc.period}"),
                                      ("Исполнитель", doc.payee.name), ("Заказчик", doc.payer.name), (), CSV_HEAD]
    for i, line in enumerate(doc.lines, start=1):
        rows.append((i, line.order_number, line.completed, line.unit, line.category, line.center, line.labour,
                     line.travel, line.parts, line.net, line.vat_rate, line.vat, line.total, line.counts, line.note))
    rows += [(), ("Итого без НДС", doc.net), ("НДС", doc.vat), ("Итого с НДС", doc.total),
             *((label, value) for label, value in doc.extra)]
    return to_csv(rows)
