"""Заказ-наряд (work order), A4: printed at intake, signed by the customer and the clerk."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepInFrame, PageBreak, Spacer
from reportlab.platypus.flowables import HRFlowable, _listWrapOn

from printing.a4 import (
    FRAME_PAD,
    FRAME_W,
    MARGIN,
    PAGE_H,
    build_pdf,
    build_pdf_parts,
    customer_rows,
    fields_table,
    header,
    markup,
    paragraphs,
    section,
    signatures,
    text,
    unit_rows,
)
from printing.documents import WorkOrderDoc
from printing.formatting import format_datetime

COPY_NAMES = ("Экземпляр клиента", "Экземпляр сервисного центра")
CUT_H = 6 * mm
# Two copies share a sheet only while each still reads at 70 % of full size; a longer order
# prints its two copies on two pages instead of shrinking into fine print.
MIN_SCALE = 0.7


def render_work_order(doc: WorkOrderDoc) -> bytes:
    """The work order as A4 PDF; `doc.copies == 2` puts the customer's and the center's copy on one sheet."""
    title = _title(doc)
    return build_pdf(_story(doc), title=title, footer=title)


def render_work_orders(docs: Iterable[WorkOrderDoc], on_drawn: Callable[[int], None] | None = None) -> bytes:
    """Several work orders as one A4 PDF, each from a new page and with its own footer and page count, as
    each would print alone; `on_drawn(n)` as the first n are laid out."""
    return build_pdf_parts(((_title(doc), _story(doc)) for doc in docs), title="Заказ-наряды", on_part=on_drawn)


def _title(doc: WorkOrderDoc) -> str:
    return f"Заказ-наряд № {doc.number}"


def _story(doc: WorkOrderDoc) -> list[Flowable]:
    if doc.copies == 1:
        return _copy(doc)
    half_h = (PAGE_H - 2 * MARGIN - 2 * FRAME_PAD - CUT_H) / 2 - 1
    halves = [_Shrunk(FRAME_W, half_h, _copy(doc, name)) for name in COPY_NAMES]
    canvas = Canvas(io.BytesIO())  # only for measuring; never saved
    if all(half.wrapOn(canvas, FRAME_W, half_h) and half.scale >= MIN_SCALE for half in halves):
        first, second = halves
        story = [first, Spacer(1, half_h - first.height), _cut_line(), second]
    else:
        story = _copy(doc, COPY_NAMES[0]) + [PageBreak()] + _copy(doc, COPY_NAMES[1])
    return story


class _Shrunk(KeepInFrame):
    """The content laid out at full width, then scaled down as a whole to fit the height.

    (KeepInFrame's own "shrink" re-wraps paragraphs at a wider measure, so fixed-width tables
    and free text no longer line up.)
    """

    def __init__(self, width: float, height: float, content: list[Flowable]) -> None:
        super().__init__(width, height, content, mode="shrink", hAlign="CENTER")

    @property
    def scale(self) -> float:
        return 1 / self._scale

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if getattr(self, "_natural_h", None) is not None:  # the content is laid out at a fixed width: once is enough
            return self.width, self.height
        _, natural_h = _listWrapOn(self._content, self.maxWidth, self.canv)
        self._natural_h = natural_h
        self._scale = max(1.0, natural_h / self.maxHeight)
        self.width, self.height = self.maxWidth / self._scale, natural_h / self._scale
        return self.width, self.height


def _cut_line() -> Flowable:
    return HRFlowable(width="100%", thickness=0.5, dash=(3, 3), spaceBefore=CUT_H / 2, spaceAfter=CUT_H / 2 - 0.5)


def _warranty(doc: WorkOrderDoc) -> str:
    decision = "Гарантийный ремонт" if doc.warranty_covered else "Не гарантийный (платный) ремонт"
    return f"{decision}. {doc.warranty_reason.strip()}" if doc.warranty_reason.strip() else decision


def _copy(doc: WorkOrderDoc, copy_name: str = "") -> list[Flowable]:
    story: list[Flowable] = []
    if copy_name:
        story.append(markup(copy_name, "copy"))
    story += [
        header(doc.center, doc.number),
        Spacer(1, 2 * mm),
        markup(f"Заказ-наряд № {text(doc.number)}", "title"),
        markup(f"от {format_datetime(doc.created)}", "subtitle"),
        Spacer(1, 2 * mm),
    ]
    rows = customer_rows(doc.customer) + unit_rows(doc.unit)
    rows.append(("Гарантия", _warranty(doc)))
    if doc.order_type:
        rows.append(("Вид обращения", doc.order_type))
    if doc.priority:
        rows.append(("Срочность", doc.priority))
    story.append(fields_table(rows))
    story += section("Заявленная неисправность", doc.fault)
    story += section("Внешний вид и состояние при приёме", doc.condition, empty="Без видимых повреждений")
    story += section("Комплектность", "; ".join(a.strip() for a in doc.accessories if a.strip()),
                     empty="Только изделие, без принадлежностей")
    if doc.terms.strip():
        story.append(markup("Условия обслуживания", "heading"))
        story += paragraphs(doc.terms)
    story += signatures([
        ("Изделие сдал, с условиями обслуживания ознакомлен и согласен. Подпись клиента", doc.customer.name),
        ("Приёмщик", doc.clerk),
    ])
    return story
