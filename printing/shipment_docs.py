"""A shipment's papers: the packing list (упаковочный лист), the waybill (накладная) on A4, and the
shipment label (one per place) on a 100×70 mm thermal label, as PDF and ZPL.

Every one carries the shipment number as a Code 128: scanning it at the destination opens the
shipment for receiving. Data in, bytes out: the domain builds `ShipmentDoc` (servicecenter/
shipments/documents.py), times already local.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Spacer, Table

from printing.a4 import (
    FRAME_W,
    GRID,
    SHADE,
    build_pdf,
    fields_table,
    header,
    markup,
    para,
    signatures,
    table_style,
    text,
)
from printing.barcodes import (
    QUIET_MODULES,
    check_barcode_value,
    code128_flowable,
    code128_modules,
    module_dots_to_fit,
    module_mm_to_fit,
)
from printing.documents import CenterInfo
from printing.fonts import BOLD, REGULAR, register_fonts
from printing.formatting import format_date, format_quantity
from printing.label_zpl import DEFAULT_FONT, FONT_LETTER, _field


def _tuple(obj: object, name: str) -> None:
    object.__setattr__(obj, name, tuple(getattr(obj, name)))


@dataclass(frozen=True, kw_only=True)
class PartyInfo:
    """One end of a shipment as printed: the center (or manufacturer) and the warehouse."""

    name: str
    location: str = ""  # the warehouse, e.g. "MSK-WH Склад Москва"
    address: str = ""
    phone: str = ""


@dataclass(frozen=True, kw_only=True)
class ShipmentLine:
    """One line: a unit (its serial, its order) or a part (its SKU) and how many."""

    code: str  # serial number or SKU
    description: str
    order_number: str = ""
    quantity: int = 1


@dataclass(frozen=True, kw_only=True)
class ShipmentDoc:
    number: str
    created: date
    sender: PartyInfo
    receiver: PartyInfo
    lines: tuple[ShipmentLine, ...] = ()
    dispatched: date | None = None
    carrier: str = ""
    tracking: str = ""
    places: int | None = None
    weight_kg: str = ""  # as entered, "12.5"
    clerk: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        check_barcode_value(self.number)
        _tuple(self, "lines")

    @property
    def total_quantity(self) -> int:
        return sum(line.quantity for line in self.lines)


COLUMNS = ("№", "Серийный номер / артикул", "Наименование", "Заказ-наряд", "Кол-во")
WIDTHS = (8 * mm, 44 * mm, None, 38 * mm, 16 * mm)


def _weight(doc: ShipmentDoc) -> str:
    return f"{format_quantity(doc.weight_kg)} кг" if doc.weight_kg else "—"


def _heading(doc: ShipmentDoc, title: str) -> list[Flowable]:
    sender = CenterInfo(name=doc.sender.name, address=doc.sender.address or doc.sender.location,
                        phone=doc.sender.phone or "—")
    when = f"от {format_date(doc.dispatched or doc.created)}"
    return [header(sender, doc.number), Spacer(1, 2 * mm), markup(text(f"{title} № {doc.number}"), "title"),
            markup(text(when), "subtitle"), Spacer(1, 2 * mm)]


def _party(party: PartyInfo) -> str:
    return ", ".join(p for p in (party.name, party.location, party.address, party.phone and f"тел. {party.phone}") if p)


def _lines_table(lines: Sequence[ShipmentLine]) -> Table:
    data: list[list] = [[markup(c, "cell_head") for c in COLUMNS]]
    for i, line in enumerate(lines, start=1):
        data.append([str(i), para(line.code, "cell_mono"), para(line.description, "cell"),
                     para(line.order_number or "—", "cell_mono"), str(line.quantity)])
    fixed = sum(w for w in WIDTHS if w)
    widths = [w if w else FRAME_W - fixed for w in WIDTHS]
    table = Table(data, colWidths=widths, repeatRows=1, splitInRow=1)
    table.setStyle(table_style([
        ("FONTSIZE", (0, 0), (-1, -1), 8.5), ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (4, 1), (4, -1), "RIGHT"),
    ]))
    return table


def _totals(doc: ShipmentDoc) -> Flowable:
    places = str(doc.places) if doc.places else "—"
    return markup(text(f"Всего позиций: {len(doc.lines)}, единиц: {doc.total_quantity}. "
                       f"Мест: {places}, вес: {_weight(doc)}"), "right_bold")


def render_packing_list(doc: ShipmentDoc) -> bytes:
    """Упаковочный лист: what is in the boxes, line by line, to be checked at both ends."""
    title = "Упаковочный лист"
    story = _heading(doc, title)
    story.append(fields_table([("Отправитель", _party(doc.sender)), ("Получатель", _party(doc.receiver)),
                               ("Мест", str(doc.places) if doc.places else "—"), ("Вес", _weight(doc))]))
    story += [markup("Содержимое", "heading"), _lines_table(doc.lines) if doc.lines else para("—"), _totals(doc)]
    if doc.note.strip():
        story += [markup("Примечание", "heading"), para(doc.note)]
    story += signatures([("Упаковал", doc.clerk), ("Проверил", "")])
    return build_pdf(story, title=f"{title} № {doc.number}", footer=f"{title} № {doc.number}")


def render_waybill(doc: ShipmentDoc) -> bytes:
    """Накладная: sender and receiver, the carrier and tracking number, the items, three signatures."""
    title = "Накладная на перемещение"
    story = _heading(doc, title)
    story.append(fields_table([
        ("Отправитель", _party(doc.sender)), ("Получатель", _party(doc.receiver)),
        ("Перевозчик", doc.carrier), ("Трек-номер", doc.tracking, "cell_mono"),
        ("Мест", str(doc.places) if doc.places else "—"), ("Вес", _weight(doc)),
    ]))
    story += [markup("Перемещаемые ценности", "heading"), _lines_table(doc.lines) if doc.lines else para("—"),
              _totals(doc)]
    if doc.note.strip():
        story += [markup("Примечание", "heading"), para(doc.note)]
    story += signatures([("Отпустил", doc.clerk), ("Груз принял перевозчик", ""), ("Получил", "")])
    return build_pdf(story, title=f"{title} № {doc.number}", footer=f"{title} № {doc.number}")


@dataclass(frozen=True, kw_only=True)
class DiscrepancyDoc:
    """Акт о расхождении: what was sent against what arrived, signed at the destination."""

    number: str
    received: date
    sender: PartyInfo
    receiver: PartyInfo
    sent_lines: int
    accepted_lines: int
    missing: tuple[ShipmentLine, ...] = ()  # quantity: how many did not arrive; description may say "утеряно: …"
    unexpected: tuple[ShipmentLine, ...] = ()
    carrier: str = ""
    tracking: str = ""
    clerk: str = ""

    def __post_init__(self) -> None:
        check_barcode_value(self.number)
        _tuple(self, "missing")
        _tuple(self, "unexpected")


def render_discrepancy_report(doc: DiscrepancyDoc) -> bytes:
    """The discrepancy report of a received shipment: missing (недостача) and unexpected (излишек) lines."""
    title = "Акт о расхождении"
    heading = ShipmentDoc(number=doc.number, created=doc.received, sender=doc.sender, receiver=doc.receiver)
    story = _heading(heading, f"{title} по партии")
    story.append(fields_table([
        ("Отправитель", _party(doc.sender)), ("Получатель", _party(doc.receiver)),
        ("Перевозчик", " · ".join(p for p in (doc.carrier, doc.tracking) if p)),
        ("Позиций отправлено", str(doc.sent_lines)), ("Принято полностью", str(doc.accepted_lines)),
    ]))
    story += [markup("Недостача", "heading"), _lines_table(doc.missing) if doc.missing else para("Нет")]
    story += [markup("Излишки (не числились в партии)", "heading"),
              _lines_table(doc.unexpected) if doc.unexpected else para("Нет")]
    story += signatures([("Принял", doc.clerk), ("Представитель перевозчика", "")])
    return build_pdf(story, title=f"{title} № {doc.number}", footer=f"{title} № {doc.number}")


# ---------------------------------------------------------------- the label on each place
@dataclass(frozen=True, kw_only=True)
class ShipmentLabelDoc:
    number: str
    sender: str
    receiver: str
    place: int = 1
    places: int = 1
    carrier: str = ""
    tracking: str = ""
    width_mm: float = 100
    height_mm: float = 70

    def __post_init__(self) -> None:
        check_barcode_value(self.number)
        if not 1 <= self.place <= self.places:
            raise ValueError(f"place {self.place} of {self.places}")


def shipment_labels(doc: ShipmentDoc, width_mm: float = 100, height_mm: float = 70) -> list[ShipmentLabelDoc]:
    """One label per place (one when the places are not given)."""
    places = doc.places or 1
    return [ShipmentLabelDoc(number=doc.number, sender=_party(doc.sender), receiver=_party(doc.receiver),
                             place=i, places=places, carrier=doc.carrier, tracking=doc.tracking,
                             width_mm=width_mm, height_mm=height_mm) for i in range(1, places + 1)]


def _fit(value: str, font: str, size: float, width_pt: float) -> str:
    """Cut a line to the label's width with an ellipsis."""
    if stringWidth(value, font, size) <= width_pt:
        return value
    while value and stringWidth(value + "…", font, size) > width_pt:
        value = value[:-1]
    return value + "…"


def _label_lines(label: ShipmentLabelDoc) -> list[tuple[str, str, float]]:
    lines = [(BOLD, f"ПАРТИЯ · место {label.place} из {label.places}", 11), (REGULAR, f"От: {label.sender}", 8),
             (BOLD, f"Кому: {label.receiver}", 9)]
    if label.carrier or label.tracking:
        lines.append((REGULAR, " · ".join(p for p in (label.carrier, label.tracking) if p), 8))
    return lines


def render_shipment_labels_pdf(labels: Sequence[ShipmentLabelDoc]) -> bytes:
    """The labels as one PDF, a page per label at the stock's exact size."""
    if not labels:
        raise ValueError("no labels to print")
    register_fonts()
    buf = io.BytesIO()
    canvas = Canvas(buf, invariant=1, pageCompression=1, initialFontName=REGULAR)
    canvas.setTitle("Этикетки партии")
    for label in labels:
        w, h = label.width_mm, label.height_mm
        canvas.setPageSize((w * mm, h * mm))
        y = h - 4
        for font, value, size in _label_lines(label):
            y -= size * 0.3528 + 1.2
            canvas.setFont(font, size)
            canvas.drawString(4 * mm, y * mm, _fit(value, font, size, (w - 8) * mm))
        box_w, bar_h = w - 6, max(12.0, y - 12)
        module = module_mm_to_fit(label.number, box_w)
        total = (code128_modules(label.number) + 2 * QUIET_MODULES) * module
        code128_flowable(label.number, module, bar_h).drawOn(canvas, (w - total) / 2 * mm, 7 * mm)
        canvas.setFont(BOLD, 10)
        canvas.drawCentredString(w / 2 * mm, 2.5 * mm, label.number)
        canvas.showPage()
    canvas.save()
    return buf.getvalue()


def render_shipment_labels_zpl(labels: Sequence[ShipmentLabelDoc], dpi: int = 203, font: str = DEFAULT_FONT) -> bytes:
    """The labels for a Zebra thermal printer: UTF-8 (^CI28), the Cyrillic TrueType font as on unit labels."""
    if not labels:
        raise ValueError("no labels to print")
    dots = dpi / 25.4
    out = []
    for label in labels:
        width = round(label.width_mm * dots)
        module = module_dots_to_fit(label.number, width - round(6 * dots), dpi)
        symbol = (code128_modules(label.number) + 2 * QUIET_MODULES) * module
        out.append(f"^XA^CI28^PW{width}^LL{round(label.height_mm * dots)}^LH0,0^CW{FONT_LETTER},{font}")
        y = round(3 * dots)
        for _font, value, size in _label_lines(label):
            height = round(size * 0.3528 * dots * 1.1)
            out.append(f"^FO{round(4 * dots)},{y}^A{FONT_LETTER}N,{height},{height}"
                       f"^FB{width - round(8 * dots)},1,0,L" + _field(value))
            y += height + round(1.2 * dots)
        bar = max(round(12 * dots), round(label.height_mm * dots) - y - round(10 * dots))
        x = (width - symbol) // 2 + QUIET_MODULES * module
        # Y: the printer prints the number under the bars; A: automatic subsets.
        out.append(f"^FO{x},{y + round(1 * dots)}^BY{module}^BCN,{bar},Y,N,N,A^FD{label.number}^FS^XZ")
    return "\n".join(out).encode("utf-8")
