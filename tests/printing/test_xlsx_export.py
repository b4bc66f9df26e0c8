"""XLSX export: a sheet per table, bold header, numbers as numbers with their formats, no formula ever."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl

from printing.xlsx_export import SheetTable, render_xlsx, sheet_name

FORMULAS = ["=1+2", "+SUM(A1)", "-3+4", "@cmd", "\tx", '=HYPERLINK("http://evil.test")']


def _book(tables: list[SheetTable]) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(render_xlsx(tables)))


def test_one_sheet_per_table_with_a_bold_header_and_typed_numbers() -> None:
    book = _book([
        SheetTable("Per center", ("Center", "Orders", "Billed", "In time", "Median", "Days"),
                   ("text", "int", "money", "share", "hours", "days"),
                   (("MSK", 12, Decimal("1234.50"), 0.875, 36.5, 2.5), ("SPB", 0, Decimal("0.00"), None, None, None))),
        SheetTable("Outcomes", ("Outcome", "Orders"), ("text", "int"), (("Repaired", 7),)),
    ])
    assert book.sheetnames == ["Per center", "Outcomes"]
    sheet = book["Per center"]
    assert [c.value for c in sheet[1]] == ["Center", "Orders", "Billed", "In time", "Median", "Days"]
    assert all(c.font.b for c in sheet[1]) and not sheet["A2"].font.b
    assert [c.value for c in sheet[2]] == ["MSK", 12, 1234.5, 0.875, 36.5, 2.5]
    assert [c.value for c in sheet[3]] == ["SPB", 0, 0, None, None, None]
    assert sheet["B2"].data_type == "n" and sheet["C2"].data_type == "n"
    assert sheet["C2"].number_format == "#,##0.00" and sheet["D2"].number_format == "0.0%"
    assert sheet["E2"].number_format == "0.0" and sheet.freeze_panes == "A2"


def test_formula_text_is_defused_and_stored_as_text() -> None:
    book = _book([SheetTable("T", ("=Header", "N"), ("text", "int"), tuple((f, 1) for f in FORMULAS))])
    sheet = book.active
    assert sheet["A1"].value == "'=Header"
    values = [sheet.cell(row=r, column=1) for r in range(2, 2 + len(FORMULAS))]
    assert [c.value for c in values] == ["'" + f for f in FORMULAS]
    assert all(c.data_type == "s" for c in values)  # a string cell, never a formula


def test_control_characters_and_odd_titles_do_not_break_the_file() -> None:
    book = _book([SheetTable("Per brand: [A/B]*?", ("Name",), ("text",), (("bad\x01name\x1f",),)),
                  SheetTable("Per brand: [A/B]*?", ("Name",), ("text",), ()),
                  SheetTable("x" * 40, ("Name",), ("text",), ())])
    assert book.sheetnames == ["Per brand   A B", "Per brand   A B (2)", "x" * 31]
    assert book.worksheets[0]["A2"].value == "badname"


def test_sheet_names_are_unique_and_short() -> None:
    taken: set[str] = set()
    names = [sheet_name("Очень длинное название таблицы отчёта", taken) for _ in range(3)]
    assert len(set(names)) == 3 and all(len(n) <= 31 for n in names)
