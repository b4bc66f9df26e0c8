"""XLSX workbooks of report tables: one sheet per table, a bold header row, numbers as numbers.

Money is written as a number with two decimals, shares (0..1) as percentages, hours and days with
one decimal, so a manager can sum and chart them in Excel. A text cell that a spreadsheet would run
as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading apostrophe,
exactly as in our CSV files, and is stored as a string, never as a formula. Characters the XLSX
format cannot hold (control characters) are dropped instead of failing the export.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from printing.csv_export import safe_text

NUMBER_FORMATS = {"int": "0", "money": "#,##0.00", "share": "0.0%", "hours": "0.0", "days": "0.0"}
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
MAX_SHEET_NAME = 31


@dataclass(frozen=True)
class SheetTable:
    """One table: its title (the sheet's name), column headers and kinds, and rows of plain values."""

    title: str
    headers: tuple[str, ...]
    kinds: tuple[str, ...]  # text | int | money | share | hours | days
    rows: tuple[tuple[object, ...], ...]


def _text(value: object) -> str:
    return safe_text(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def sheet_name(title: str, taken: set[str]) -> str:
    """A valid, unique sheet name: no []:*?/\\, at most 31 characters, not blank."""
    base = _SHEET_FORBIDDEN.sub(" ", ILLEGAL_CHARACTERS_RE.sub("", title)).strip().strip("'") or "Sheet"
    base = base[:MAX_SHEET_NAME]
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: MAX_SHEET_NAME - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def _value(value: object, kind: str) -> object:
    """What goes into the cell: a number for numeric kinds, a date for dates, defused text otherwise."""
    if value is None:
        return None
    if isinstance(value, bool):
        return _text("yes" if value else "no")
    if isinstance(value, int | float | Decimal | datetime | date):
        return value  # openpyxl writes Decimal exactly; the column's kind picks the number format
    return _text(value)


def render_xlsx(tables: Sequence[SheetTable]) -> bytes:
    """The tables as an .xlsx workbook (bytes)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    bold = Font(bold=True)
    for table in tables or [SheetTable("—", (), (), ())]:
        sheet = workbook.create_sheet(sheet_name(table.title, taken))
        for col, header in enumerate(table.headers, start=1):
            cell = sheet.cell(row=1, column=col, value=_text(header))
            cell.font = bold
            cell.data_type = "s"
        widths = [len(str(h)) for h in table.headers]
        for r, row in enumerate(table.rows, start=2):
            for col, (value, kind) in enumerate(zip(row, table.kinds, strict=False), start=1):
                cell = sheet.cell(row=r, column=col, value=_value(value, kind))
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever it starts with
                elif kind in NUMBER_FORMATS and cell.value is not None:
                    cell.number_format = NUMBER_FORMATS[kind]
                if col <= len(widths):
                    widths[col - 1] = max(widths[col - 1], min(60, len(str(cell.value or "")) + 2))
        for col, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(col)].width = max(8, min(60, width + 2))
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def render_xlsx_stream(title: str, headers: Sequence[str], kinds: Sequence[str],
                       rows: Iterable[Sequence[object]]) -> bytes:
    """One long table as an .xlsx workbook, written row by row (openpyxl's write-only mode: memory stays
    flat for a hundred thousand rows); the same cells as `render_xlsx`, without fitted column widths."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name(title, set()))
    sheet.freeze_panes = "A2"
    for col, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = max(10, min(40, len(header) + 4))
    bold = Font(bold=True)
    sheet.append([_styled(sheet, _text(h), font=bold) for h in headers])
    for row in rows:
        sheet.append([_styled(sheet, _value(value, kind), kind) for value, kind in zip(row, kinds, strict=False)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _styled(sheet, value: object, kind: str = "text", font: Font | None = None) -> object:  # noqa: ANN001
    """A plain value where the default look will do (text is already defused, so never a formula);
    a styled cell for amounts, shares and dates, and for the bold header."""
    if font is None and (value is None or isinstance(value, str | int) and kind not in NUMBER_FORMATS):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    elif kind in NUMBER_FORMATS and value is not None:
        cell.number_format = NUMBER_FORMATS[kind]
    elif isinstance(value, datetime):
        cell.number_format = "DD.MM.YYYY HH:MM"
    elif isinstance(value, date):
        cell.number_format = "DD.MM.YYYY"
    if font is not None:
        cell.font = font
    return cell
