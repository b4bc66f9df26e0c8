"""How a report is shown and exported, with a report built in the test (registered under a test-only key):
every column kind, hostile names, formula-looking text, charts, and the filter each role's report gets."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from decimal import Decimal

import openpyxl
import pytest

from servicecenter.accounts.roles import Role
from servicecenter.centers.models import CenterKind
from servicecenter.reports.base import (
    REPORTS,
    Cell,
    Chart,
    Column,
    Drill,
    Report,
    ReportFilter,
    Series,
    Table,
)
from tests.factories import login
from tests.workstations.test_reports import number, read_page

KEY = "test-hostile"
SCRIPT, ONLOAD = "<script>alert(1)</script>", '"onload=alert(1)'
FORMULAS = ['=HYPERLINK("http://evil.test","x")', "+1+1", "-2+3", "@SUM(A1:A2)", "\tTAB", "\rCR"]
SEEN: list[ReportFilter] = []  # the filter each run got


def _hostile(session, flt: ReportFilter) -> Report:  # noqa: ANN001
    """Rows named by hostile and formula-looking texts, every kind of figure, a drill on the counts."""
    SEEN.append(flt)
    names = [SCRIPT, ONLOAD, *FORMULAS]
    rows = [[Cell(name), Cell(i + 1, Drill({"state": "diagnosis", "brand": str(i + 1)})),
             Cell(Decimal(f"{1000 * (i + 1)}.50")), Cell(0.875 if i == 0 else None), Cell(36.5), Cell(2.5)]
            for i, name in enumerate(names)]
    columns = [Column("name", "Brand"), Column("orders", "Orders", "int"), Column("billed", "Billed", "money"),
               Column("share", "In time", "share"), Column("hours", "Median", "hours"), Column("days", "Days", "days")]
    return Report(KEY, "Hostile report", [Table("Per brand", columns, rows),
                                          Table("Second = table", [Column("x", "X"), Column("n", "N", "int")],
                                                [[Cell("a"), Cell(7)]])],
                  charts=[Chart("Orders per brand", "bar", names, [Series("Orders", [r[1].value for r in rows])]),
                          Chart("In time by week", "line", ["2026-11-02", "2026-11-09", "2026-11-16"],
                                [Series("In time", [50, None, 75])], unit="%")],
                  notes=["Counted by hand."])


@pytest.fixture
def world(factory, session, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setitem(REPORTS, KEY, ("Hostile report", _hostile))
    SEEN.clear()
    msk, kzn = factory.center("MSK"), factory.center("KZN", kind=CenterKind.PARTNER)
    users = {"admin": factory.user(msk, Role.ADMIN), "lead": factory.user(msk, Role.TEAM_LEAD),
             "partner": factory.user(kzn, Role.PARTNER)}
    for user in users.values():
        user.locale = "en"
    session.flush()
    return {"msk": msk, "kzn": kzn, "users": users}


PERIOD = "from=2026-11-01&to=2026-11-30"


def _page(client, world, who: str = "admin", query: str = PERIOD) -> str:  # noqa: ANN001
    login(client, world["users"][who].email)
    r = client.get(f"/reports/{KEY}?{query}")
    assert r.status_code == 200, r.get_data(as_text=True)[:800]
    return r.get_data(as_text=True)


def test_hostile_names_are_escaped_everywhere_on_the_page(client, world) -> None:  # noqa: ANN001
    html = _page(client, world)
    assert SCRIPT not in html and "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '"onload=' not in html  # never closes an attribute
    assert 'onload="' not in html.lower().replace(" ", "")


def test_each_kind_is_formatted_and_counts_link_to_their_orders(client, world) -> None:  # noqa: ANN001
    t = read_page(_page(client, world)).tables[0]
    assert t["cols"] == ["name", "orders", "billed", "share", "hours", "days"]
    first = t["rows"][0]
    assert first[0]["text"] == SCRIPT  # shown as text
    assert first[1]["text"] == "1" and first[1]["href"] == "/reports/orders?state=diagnosis&brand=1"
    assert first[2]["text"] == "RUB1,000.50"
    assert first[3]["text"] == "87.5%"
    assert first[4]["text"] == "36.5 h" and first[5]["text"] == "2.5 d"
    assert t["rows"][1][3]["text"] == "—"  # no data is a dash, not a zero
    assert all(row[2]["href"] is None for row in t["rows"])  # money carries no drill here


def test_charts_are_inline_svg_that_parses_and_matches_the_data(client, world) -> None:  # noqa: ANN001
    html = _page(client, world)
    assert "<script" not in html.split("<main>")[1]
    svgs = [html[i:html.index("</svg>", i) + 6] for i in range(len(html)) if html.startswith("<svg", i)]
    assert len(svgs) == 2
    ns = {"s": "http://www.w3.org/2000/svg"}
    bar, line = (ET.fromstring(s) for s in svgs)  # noqa: S314 — our own page's SVG
    assert bar.find("s:title", ns).text == "Orders per brand" and bar.get("aria-label")
    bars = [r for r in bar.iter("{http://www.w3.org/2000/svg}rect") if "bar" in r.get("class", "").split()]
    assert [float(r.get("data-value")) for r in bars] == [1, 2, 3, 4, 5, 6, 7, 8]
    labels = [t.text for t in bar.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "label"]
    assert labels[:2] == [SCRIPT, ONLOAD]  # the parsed text is the name; the markup was escaped
    points = [float(c.get("data-value")) for c in line.iter("{http://www.w3.org/2000/svg}circle")]
    assert points == [50, 75]  # the missing week is a gap
    assert "75%" in [t.text for t in line.iter("{http://www.w3.org/2000/svg}title")][-1]
    assert "href" not in "".join(svgs) and "url(" not in "".join(svgs)  # nothing outside the page


def test_csv_export_defuses_formulas_and_carries_the_figures(client, world) -> None:  # noqa: ANN001
    login(client, world["users"]["admin"].email)
    r = client.get(f"/reports/{KEY}.csv?{PERIOD}")
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == f'attachment; filename="{KEY}-2026-11-01-2026-11-30.csv"'
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Hostile report" and "01.11.2026" in rows[0][1]
    start = rows.index(["Per brand"])
    assert rows[start + 1] == ["Brand", "Orders", "Billed", "In time", "Median", "Days"]
    body = rows[start + 2:start + 2 + 8]
    assert [row[0] for row in body] == [SCRIPT, ONLOAD, *["'" + f for f in FORMULAS]]
    assert body[0][1:] == ["1", "1000,50", "87,5%", "36,5", "2,5"]
    assert ["Second = table"] in rows


def test_xlsx_export_has_a_sheet_per_table_numbers_as_numbers_and_no_formulas(client, world) -> None:  # noqa: ANN001
    login(client, world["users"]["admin"].email)
    r = client.get(f"/reports/{KEY}.xlsx?{PERIOD}")
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == f'attachment; filename="{KEY}-2026-11-01-2026-11-30.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(r.data))
    assert book.sheetnames == ["Per brand", "Second = table"]
    sheet = book["Per brand"]
    assert [c.value for c in sheet[1]] == ["Brand", "Orders", "Billed", "In time", "Median", "Days"]
    assert all(c.font.b for c in sheet[1])
    assert [c.value for c in sheet[2]] == [SCRIPT, 1, 1000.5, 0.875, 36.5, 2.5]
    assert sheet["C2"].number_format == "#,##0.00" and sheet["D2"].number_format == "0.0%"
    names = [sheet.cell(row=i, column=1) for i in range(4, 10)]
    # (XML turns a carriage return into a line feed; the cell is still text behind an apostrophe)
    assert [c.value for c in names] == ["'" + f.replace("\r", "\n") for f in FORMULAS]
    assert all(c.data_type == "s" for col in sheet.iter_cols() for c in col if isinstance(c.value, str))


def test_page_and_exports_agree(client, world) -> None:  # noqa: ANN001
    t = read_page(_page(client, world)).tables[0]
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/reports/{KEY}.xlsx?{PERIOD}").data))
    for shown, row in zip(t["rows"], book["Per brand"].iter_rows(min_row=2, values_only=True), strict=True):
        assert number(shown[1]["text"]) == row[1]


@pytest.mark.parametrize("who", ["lead", "partner"])
def test_the_report_gets_the_users_own_center(client, world, who) -> None:  # noqa: ANN001
    html = _page(client, world, who)
    own = world["users"][who].center_id
    assert SEEN[-1].center_id == own
    assert 'name="center"' not in html
    assert "center=" not in "".join(link for link in read_page(html).links if ".csv" in link)


def test_admin_gets_all_centers_or_the_one_picked(client, world) -> None:  # noqa: ANN001
    _page(client, world)
    assert SEEN[-1].center_id is None
    assert client.get(f"/reports/{KEY}?{PERIOD}&center={world['kzn'].id}").status_code == 200
    assert SEEN[-1] == ReportFilter(date_from=SEEN[-1].date_from, date_to=SEEN[-1].date_to, center_id=world["kzn"].id)


def test_bad_input_never_runs_the_report(client, world) -> None:  # noqa: ANN001
    login(client, world["users"]["admin"].email)
    r = client.get(f"/reports/{KEY}?from=2026-13-40")
    assert r.status_code == 400 and SEEN == []
