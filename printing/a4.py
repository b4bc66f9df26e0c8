"""Building blocks shared by the A4 documents: styles, escaping, header, tables, signatures.

Every style names a vendored DejaVu face (never a base-14 font), so all text is Cyrillic-safe
and embedded. Every piece of user text goes through `text()`: platypus Paragraphs parse an
XML-like markup, so `<`, `>` and `&` in a customer's words must be escaped.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from printing.barcodes import QUIET_MODULES, code128_flowable, code128_modules
from printing.documents import CenterInfo, CustomerInfo, UnitInfo
from printing.fonts import BOLD, MONO, REGULAR, register_fonts
from printing.formatting import format_date

PAGE_W, PAGE_H = A4
MARGIN = 15 * mm
FRAME_PAD = 6  # SimpleDocTemplate's frame keeps 6 pt padding on every side
FRAME_W = PAGE_W - 2 * MARGIN - 2 * FRAME_PAD
GRID = colors.HexColor("#9a9a9a")
SHADE = colors.HexColor("#eeeeee")
BARCODE_MODULE_MM = 0.3
BARCODE_HEIGHT_MM = 11
# C0 controls other than tab and newline are not text; ReportLab would choke on some of them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@lru_cache(maxsize=1)
def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=9, leading=11.5, splitLongWords=1)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.3),
        "label": ParagraphStyle("label", parent=body, fontSize=8, leading=10, textColor=colors.HexColor("#444444")),
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=14, leading=17, spaceAfter=1 * mm),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=9.5, leading=12),
        "heading": ParagraphStyle("heading", parent=body, fontName=BOLD, fontSize=9.5, leading=12,
                                  spaceBefore=2.5 * mm, spaceAfter=0.8 * mm),
        "center": ParagraphStyle("center", parent=body, fontName=BOLD, fontSize=11, leading=13.5),
        "number": ParagraphStyle("number", parent=body, fontName=BOLD, fontSize=10, leading=12, alignment=TA_CENTER),
        "right": ParagraphStyle("right", parent=body, alignment=TA_RIGHT),
        "right_bold": ParagraphStyle("right_bold", parent=body, fontName=BOLD, alignment=TA_RIGHT),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5),
        # serial numbers: the monospace face tells 0 from O and 1 from l from I
        "cell_mono": ParagraphStyle("cell_mono", parent=body, fontName=MONO, fontSize=8.5, leading=10.5),
        "cell_right": ParagraphStyle("cell_right", parent=body, fontSize=8.5, leading=10.5, alignment=TA_RIGHT),
        "cell_head": ParagraphStyle("cell_head", parent=body, fontName=BOLD, fontSize=8, leading=10),
        "copy": ParagraphStyle("copy", parent=body, fontSize=7.5, leading=9, alignment=TA_RIGHT,
                               textColor=colors.HexColor("#444444")),
    }


def table_style(commands: list[tuple]) -> TableStyle:
    """A TableStyle whose cells default to DejaVu (ReportLab's default cell font is Helvetica)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), REGULAR), *commands])


def text(value: str) -> str:
    """User text as Paragraph markup: escaped, line breaks kept, control characters dropped."""
    return escape(_CONTROL.sub("", value)).replace("\r\n", "\n").replace("\n", "<br/>")


def para(value: str, style: str = "body") -> Paragraph:
    """A Paragraph of user text (escaped)."""
    return Paragraph(text(value), styles()[style])


def markup(value: str, style: str = "body") -> Paragraph:
    """A Paragraph of our own markup (never user text unescaped)."""
    return Paragraph(value, styles()[style])


def section(heading: str, body: str, style: str = "body", empty: str = "—") -> list[Flowable]:
    """A heading and a free-text paragraph that may run over pages (never inside a table)."""
    return [markup(heading, "heading"), para(body.strip() or empty, style)]


def paragraphs(value: str, style: str = "small") -> list[Flowable]:
    """Text with blank lines between paragraphs (terms of service) as separate Paragraphs."""
    return [para(chunk, style) for chunk in re.split(r"\n\s*\n", value.strip()) if chunk.strip()]


def barcode_width(value: str, module_mm: float = BARCODE_MODULE_MM) -> float:
    """Width in points of the symbol with its quiet zones."""
    return (code128_modules(value) + 2 * QUIET_MODULES) * module_mm * mm


def barcode_block(value: str, module_mm: float = BARCODE_MODULE_MM, height_mm: float = BARCODE_HEIGHT_MM) -> Table:
    """Code 128 (vectors, 10-module quiet zones) with the number printed under it."""
    symbol = code128_flowable(value, module_mm, height_mm)
    block = Table([[symbol], [markup(text(value), "number")]], colWidths=[barcode_width(value, module_mm)])
    block.setStyle(table_style([("ALIGN", (0, 0), (-1, -1), "CENTER"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    return block


def header(center: CenterInfo, barcode_value: str, width: float = FRAME_W) -> Table:
    """The center's name and contacts on the left, the order's barcode on the right."""
    lines = [markup(text(center.name), "center")]
    if center.legal:
        lines.append(para(center.legal, "label"))
    lines.append(para(center.address, "label"))
    contacts = "Тел.: " + center.phone + (f" · {center.hours}" if center.hours else "")
    lines.append(para(contacts, "label"))
    code_w = barcode_width(barcode_value) + 2 * mm
    table = Table([[lines, barcode_block(barcode_value)]], colWidths=[width - code_w, code_w])
    table.setStyle(table_style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * mm)]))
    return table


def order_document_heading(center: CenterInfo, title: str, issued: date, order_number: str,
                           order_date: date) -> list[Flowable]:
    """The top of a document issued for an order: header with the order's barcode, title, its dates."""
    return [
        header(center, order_number),
        Spacer(1, 2 * mm),
        markup(text(title), "title"),
        markup(f"от {format_date(issued)} · к заказу-наряду № {text(order_number)} от {format_date(order_date)}",
               "subtitle"),
        Spacer(1, 2 * mm),
    ]


def fields_table(rows: Sequence[tuple[str, ...]], width: float = FRAME_W, label_w: float = 42 * mm) -> Table:
    """(label, value[, style]) rows of short user values, escaped; a very long value splits inside its row."""
    data = [[markup(label, "label"), para(value.strip() or "—", style[0] if style else "cell")]
            for label, value, *style in rows]
    table = Table(data, colWidths=[label_w, width - label_w], splitInRow=1)
    table.setStyle(table_style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID)]))
    return table


def customer_rows(customer: CustomerInfo, role: str = "Клиент") -> list[tuple[str, ...]]:
    rows = [(role, customer.name), ("Телефон", customer.phone)]
    if customer.email:
        rows.append(("E-mail", customer.email))
    return rows


def unit_rows(unit: UnitInfo) -> list[tuple[str, ...]]:
    rows = [("Изделие", f"{unit.manufacturer} {unit.model}".strip()), ("Серийный номер", unit.serial, "cell_mono")]
    if unit.purchase_date is not None or unit.seller:
        rows.append(("Дата покупки", format_date(unit.purchase_date, "не указана")))
    if unit.seller:
        rows.append(("Продавец", unit.seller))
    return rows


def signatures(pairs: Sequence[tuple[str, str]], width: float = FRAME_W) -> list[Flowable]:
    """Signature lines: (role, name) → «Role ________ / name /», side by side in one unsplittable row."""
    line = "_" * (22 if len(pairs) <= 2 else 14)
    cells = []
    for role, name in pairs:
        cells.append([markup(text(role), "label"), Spacer(1, 7 * mm),
                      markup(f"{line} / {text(name) if name else '_' * 15} /", "small")])
    table = Table([cells], colWidths=[width / len(pairs)] * len(pairs))
    table.setStyle(table_style([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return [Spacer(1, 4 * mm), table]


def _doc_options(title: str) -> dict:
    return {"pagesize": A4, "leftMargin": MARGIN, "rightMargin": MARGIN, "topMargin": MARGIN,
            "bottomMargin": MARGIN, "title": title, "author": "", "creator": "servicecenter", "invariant": 1,
            "initialFontName": REGULAR}  # no unused, unembedded Helvetica


def _footer(canvas, line: str) -> None:  # noqa: ANN001
    canvas.saveState()
    canvas.setFont(REGULAR, 7)
    canvas.setFillColor(colors.HexColor("#666666"))
    canvas.drawRightString(PAGE_W - MARGIN, 8 * mm, line)
    canvas.restoreState()


def build_pdf(story: list[Flowable], title: str, footer: str) -> bytes:
    """Lay the story out on A4 pages with a footer «title · стр. N»; same data, same bytes."""
    register_fonts()
    buf = io.BytesIO()

    def on_page(canvas, doc) -> None:
        _footer(canvas, f"{footer} · стр. {doc.page}")

    doc = SimpleDocTemplate(buf, **_doc_options(title))
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buf.getvalue()


class _PartStart(Flowable):
    """The zero-size head of one document in a batch: from the page it lands on, the footer names this
    document and counts its own pages; `on_part(index)` is told once it is laid out."""

    def __init__(self, batch: dict, index: int, footer: str, on_part: Callable[[int], None] | None) -> None:
        super().__init__()
        self.batch, self.index, self.footer, self.on_part = batch, index, footer, on_part

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        if self.index > 0 and self.on_part is not None:
            self.on_part(self.index)  # the one before is on paper
        self.batch.update(footer=self.footer, first_page=self.canv.getPageNumber())


def build_pdf_parts(parts: Iterable[tuple[str, list[Flowable]]], title: str,
                    on_part: Callable[[int], None] | None = None) -> bytes:
    """Several documents as one PDF, each from a new page, each page's footer «its title · стр. N» counting
    that document's own pages. `on_part(n)` is called as n documents are laid out (progress)."""
    register_fonts()
    buf = io.BytesIO()
    batch: dict = {"footer": title, "first_page": 1}
    story: list[Flowable] = []
    for index, (footer, flowables) in enumerate(parts):
        if index:
            story.append(PageBreak())
        story += [_PartStart(batch, index, footer, on_part), *flowables]
    count = sum(isinstance(f, _PartStart) for f in story)

    def on_page_end(canvas, doc) -> None:  # noqa: ANN001
        _footer(canvas, f"{batch['footer']} · стр. {doc.page - batch['first_page'] + 1}")

    doc = BaseDocTemplate(buf, **_doc_options(title))
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="normal")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPageEnd=on_page_end, pagesize=A4)])
    doc.build(story)
    if on_part is not None and count:
        on_part(count)
    return buf.getvalue()

