"""CSV for Russian Excel: UTF-8 with a BOM, `;` between cells, decimal commas, formulas defused.

Excel opens a double-clicked CSV with the system's list separator (`;` in Russian Windows) and
reads it as UTF-8 only when the file starts with a BOM. A text cell starting with `=`, `+`, `-`,
`@`, a tab or a carriage return would be run as a formula (CSV injection): such a cell gets a
leading apostrophe, which Excel shows as text. Numbers we format ourselves are left as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """A text cell that no spreadsheet will take for a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def cell(value: object) -> str:
    """One cell: amounts with a decimal comma (no grouping), dates as 31.03.2026, text defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return safe_text(str(value))


def to_csv(rows: Iterable[Sequence[object]]) -> bytes:
    """The rows as a CSV file Russian Excel opens as it is."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return (BOM + buf.getvalue()).encode("utf-8")
