"""The reports section with the real reports: who sees which center's figures, the filter's refusals,
the orders behind each figure, and the CSV and XLSX matching the page.

The data set is small and built by hand; the expected figures are counted here from the orders the
test made, not by calling the report code.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest

from servicecenter.accounts.roles import Role
from servicecenter.centers.models import CenterKind
from servicecenter.clock import local_date, utcnow
from servicecenter.repairs.states import RepairState
from servicecenter.reports.base import REPORT_TZ
from tests.factories import login


# ---------------------------------------------------------------- reading pages
class _Page(HTMLParser):
    """The report tables (caption, column keys, rows of cells with text and link) and every link."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self.links: list[str] = []
        self.orders: list[str] = []
        self._table: dict | None = None
        self._row: list | None = None
        self._cell: dict | None = None
        self._in_caption = False
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
            if self._cell is not None:
                self._cell["href"] = a["href"]
        if tag == "tr" and a.get("data-order"):
            self.orders.append(a["data-order"])
        if tag == "table" and "data-table" in a:
            self._table = {"caption": "", "cols": [], "rows": []}
            self.tables.append(self._table)
        elif self._table is None:
            return
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tbody":
            self._in_body = True
        elif tag == "th" and not self._in_body:
            self._table["cols"].append(a.get("data-col"))
        elif tag == "tr" and self._in_body:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = {"text": "", "href": None}

    def handle_data(self, data: str) -> None:
        if self._in_caption and self._table is not None:
            self._table["caption"] += data
        elif self._cell is not None:
            self._cell["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if self._table is None:
            return
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._cell["text"] = self._cell["text"].strip()
            self._row.append(self._cell)
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table["rows"].append(self._row)
            self._row = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._table = None


def read_page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def table(page: _Page, caption: str) -> dict:
    return next(t for t in page.tables if t["caption"].strip() == caption)


def column(t: dict, key: str) -> dict[str, dict]:
    """Row name (first cell) → the cell of the column `key`."""
    i = t["cols"].index(key)
    return {row[0]["text"]: row[i] for row in t["rows"] if len(row) > i}


def number(text: str) -> float:
    return float(text.replace(",", "").replace("\u00a0", "").replace("%", "").split()[0])


def drill_numbers(client, href: str) -> set[str]:  # noqa: ANN001
    """Every order number the drill link lists (all pages)."""
    found, url = set(), href
    for _ in range(50):
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code, r.get_data(as_text=True)[:500])
        page = read_page(r.get_data(as_text=True))
        found |= set(page.orders)
        nxt = [link for link in page.links if "page=" in link and link.startswith("/reports/orders")
               and int(parse_qs(urlsplit(link).query)["page"][0]) > int(parse_qs(urlsplit(url).query).get(
                   "page", ["1"])[0])]
        if not nxt:
            return found
        url = nxt[0]
    raise AssertionError("too many pages")


# ---------------------------------------------------------------- the data set
@pytest.fixture
def world(factory, session):  # noqa: ANN001, ANN201
    msk = factory.center("MSK")
    spb = factory.center("SPB")
    kzn = factory.center("KZN", kind=CenterKind.PARTNER, name="Партнёр Казань")
    ekb = factory.center("EKB", kind=CenterKind.PARTNER, name="Маркерпартнёр Екатеринбург")
    bosch, lg = factory.manufacturer("Bosch"), factory.manufacturer("LG")
    washer = factory.model(bosch, category="Стиральные машины")
    fridge = factory.model(lg, category="Холодильники")
    unit = factory.unit
    orders = {
        "msk_diag": factory.order(msk, state=RepairState.DIAGNOSIS, unit=unit(washer)),
        "msk_ready": factory.order(msk, state=RepairState.READY_FOR_PICKUP, unit=unit(washer)),
        "msk_issued": factory.order(msk, state=RepairState.ISSUED, unit=unit(fridge)),
        "spb_received": factory.order(spb, state=RepairState.RECEIVED, unit=unit(fridge)),
        "kzn_repair": factory.order(kzn, state=RepairState.IN_REPAIR, unit=unit(washer)),
        "kzn_issued": factory.order(kzn, state=RepairState.ISSUED, unit=unit(fridge)),
        "ekb_diag": factory.order(ekb, state=RepairState.DIAGNOSIS, unit=unit(washer)),
    }
    users = {
        "admin": factory.user(msk, Role.ADMIN),
        "lead": factory.user(msk, Role.TEAM_LEAD),
        "partner": factory.user(kzn, Role.PARTNER),
        "manager": factory.user(kzn, Role.PARTNER_MANAGER),
        "engineer": factory.user(msk, Role.ENGINEER),
    }
    for user in users.values():
        user.locale = "en"  # the assertions read the English texts
    session.flush()
    day = local_date(utcnow(), REPORT_TZ)
    return {"centers": {"MSK": msk, "SPB": spb, "KZN": kzn, "EKB": ekb}, "brands": {"Bosch": bosch, "LG": lg},
            "orders": orders, "users": users, "period": f"from={(day - timedelta(days=6)).isoformat()}&to={day}",
            "day": day}


def _numbers(world, *keys: str) -> set[str]:  # noqa: ANN001
    return {world["orders"][k].number for k in keys}


def _get(client, url: str, status: int = 200) -> str:  # noqa: ANN001
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code, r.get_data(as_text=True)[:800])
    return r.get_data(as_text=True)


def _as(client, world, who: str):  # noqa: ANN001, ANN202
    login(client, world["users"][who].email)
    return client


# Per center, by hand: received in the period, issued in the period, the orders behind each.
RECEIVED = {"MSK": ("msk_diag", "msk_ready", "msk_issued"), "SPB": ("spb_received",),
            "KZN": ("kzn_repair", "kzn_issued"), "EKB": ("ekb_diag",)}
ISSUED = {"MSK": ("msk_issued",), "KZN": ("kzn_issued",)}


# ---------------------------------------------------------------- the list and access
def test_the_list_names_every_report_with_what_it_answers(client, world) -> None:  # noqa: ANN001
    html = _get(_as(client, world, "admin"), "/reports/")
    for key in ("repairs", "turnaround", "deadlines"):
        assert f'data-report="{key}"' in html and f'href="/reports/{key}"' in html
    assert "How many repairs each center received" in html
    assert 'href="/reports/"' in _get(client, "/reports/repairs")  # the menu entry


def test_an_unknown_report_is_not_found(client, world) -> None:  # noqa: ANN001
    _as(client, world, "admin")
    for url in ("/reports/no-such-report", "/reports/no-such-report.csv", "/reports/no-such-report.xlsx"):
        _get(client, url, 404)


def test_engineers_may_not_open_reports(client, world) -> None:  # noqa: ANN001
    _as(client, world, "engineer")
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/repairs").status_code == 403
    assert client.get("/reports/orders").status_code == 403


# ---------------------------------------------------------------- figures and drill links
def test_admin_sees_every_center_and_each_figure_links_to_exactly_its_orders(client, world) -> None:  # noqa: ANN001
    html = _get(_as(client, world, "admin"), f"/reports/repairs?{world['period']}")
    per_center = table(read_page(html), "Per center")
    received, issued = column(per_center, "received"), column(per_center, "issued")
    assert {c: number(cell["text"]) for c, cell in received.items()} == {c: len(v) for c, v in RECEIVED.items()}
    for code, keys in RECEIVED.items():
        assert drill_numbers(client, received[code]["href"]) == _numbers(world, *keys), code
    for code, keys in ISSUED.items():
        assert number(issued[code]["text"]) == len(keys)
        assert drill_numbers(client, issued[code]["href"]) == _numbers(world, *keys), code
    assert issued["SPB"]["href"] is None and number(issued["SPB"]["text"]) == 0  # nothing behind a zero


def test_admin_picks_one_center_and_a_brand(client, world) -> None:  # noqa: ANN001
    msk, bosch = world["centers"]["MSK"], world["brands"]["Bosch"]
    _as(client, world, "admin")
    page = read_page(_get(client, f"/reports/repairs?{world['period']}&center={msk.id}"))
    received = column(table(page, "Per center"), "received")
    assert set(received) == {"MSK"} and number(received["MSK"]["text"]) == 3
    page = read_page(_get(client, f"/reports/repairs?{world['period']}&brand={bosch.id}"))
    received = column(table(page, "Per center"), "received")
    # Bosch washers: two at MSK, one at KZN, one at EKB
    assert {c: number(v["text"]) for c, v in received.items()} == {"MSK": 2, "KZN": 1, "EKB": 1}
    assert drill_numbers(client, received["MSK"]["href"]) == _numbers(world, "msk_diag", "msk_ready")


def test_team_lead_sees_only_its_own_center(client, world) -> None:  # noqa: ANN001
    html = _get(_as(client, world, "lead"), f"/reports/repairs?{world['period']}")
    received = column(table(read_page(html), "Per center"), "received")
    assert set(received) == {"MSK"} and number(received["MSK"]["text"]) == 3
    assert 'name="center"' not in html  # no center picker: the center is fixed
    assert drill_numbers(client, received["MSK"]["href"]) == _numbers(world, *RECEIVED["MSK"])
    # a drill link with no center lists the own center's orders only
    day = world["day"].isoformat()
    assert drill_numbers(client, f"/reports/orders?from={day}&to={day}&basis=received") == _numbers(
        world, *RECEIVED["MSK"])


def test_team_lead_asking_for_another_center_is_refused_not_shown_other_figures(client, world) -> None:  # noqa: ANN001
    spb = world["centers"]["SPB"]
    _as(client, world, "lead")
    for url in (f"/reports/repairs?{world['period']}&center={spb.id}", f"/reports/repairs.csv?center={spb.id}",
                f"/reports/repairs.xlsx?center={spb.id}", f"/reports/orders?center={spb.id}&basis=received"):
        html = _get(client, url, 403)
        assert "You can see only your own center" in html
        assert "data-table" not in html and "data-order" not in html
        assert world["orders"]["spb_received"].number not in html
    # its own center's id is fine
    _get(client, f"/reports/repairs?{world['period']}&center={world['centers']['MSK'].id}")


@pytest.mark.parametrize("who", ["partner", "manager"])
def test_partner_sees_only_its_own_figures_and_orders(client, world, who) -> None:  # noqa: ANN001
    ekb, msk = world["centers"]["EKB"], world["centers"]["MSK"]
    html = _get(_as(client, world, who), f"/reports/repairs?{world['period']}")
    received = column(table(read_page(html), "Per center"), "received")
    assert set(received) == {"KZN"} and number(received["KZN"]["text"]) == 2
    assert "EKB" not in html and "Маркерпартнёр" not in html and 'name="center"' not in html
    assert drill_numbers(client, received["KZN"]["href"]) == _numbers(world, *RECEIVED["KZN"])
    day = world["day"].isoformat()
    # whatever the drill asks, another center's order never appears in the list
    listed = drill_numbers(client, f"/reports/orders?from={day}&to={day}&basis=received")
    assert listed == _numbers(world, *RECEIVED["KZN"])
    for other in (ekb, msk):
        body = _get(client, f"/reports/orders?center={other.id}&basis=received", 403)
        assert world["orders"]["ekb_diag"].number not in body and "data-order" not in body
    for fmt in ("csv", "xlsx"):
        data = client.get(f"/reports/repairs.{fmt}?{world['period']}").data
        assert b"EKB" not in data and b"MSK" not in data


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(("query", "message"), [
    ("from=2026-13-40&to=2026-12-01", "is not a date"),
    ("from=2026-11-01&to=yesterday", "is not a date"),
    ("from=2026-12-01&to=2026-11-01", "after it ends"),
    ("from=2020-01-01&to=2026-11-30", "longer than 3 years"),
    ("center=999999", "There is no service center"),
    ("center=abc", "There is no service center"),
    ("brand=999999", "There is no brand"),
    ("brand=1;DROP", "There is no brand"),
    ("category=Нет такой категории", "There is no product category"),
])
def test_bad_filter_input_is_a_clear_400_and_shows_no_figures(client, world, query, message) -> None:  # noqa: ANN001
    _as(client, world, "admin")
    for url in (f"/reports/repairs?{query}", f"/reports/repairs.csv?{query}", f"/reports/repairs.xlsx?{query}"):
        r = client.get(url)
        body = r.get_data(as_text=True)
        assert r.status_code == 400, (url, r.status_code)
        assert r.mimetype == "text/html" and message in body, (url, body[:600])
        assert "data-table" not in body and "<svg" not in body


def test_bad_drill_input_is_a_clear_400(client, world) -> None:  # noqa: ANN001
    _as(client, world, "admin")
    body = _get(client, "/reports/orders?from=2026-02-30&basis=received", 400)
    assert "is not a date" in body and "data-order" not in body
    body = _get(client, "/reports/orders?center=x", 400)
    assert "There is no service center" in body


def test_the_default_period_is_this_month_so_far_with_quick_links(client, world) -> None:  # noqa: ANN001
    day = world["day"]
    html = _get(_as(client, world, "admin"), "/reports/repairs")
    assert f'name="from" value="{day.replace(day=1).isoformat()}"' in html
    assert f'name="to" value="{day.isoformat()}"' in html
    for text in ("Last 7 days", "This month", "Last month", "This year"):
        assert f">{text}</a>" in html
    last = day.replace(day=1) - timedelta(days=1)
    assert f"from={last.replace(day=1).isoformat()}&amp;to={last.isoformat()}" in html


# ---------------------------------------------------------------- exports
def _csv_tables(data: bytes) -> dict[str, list[list[str]]]:
    """Title → [header, *rows] of each table in the export."""
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    tables, i = {}, 2  # the first row names the report and the filter, the second is blank
    while i < len(rows):
        if not rows[i]:
            i += 1
            continue
        title, j = rows[i][0], i + 1
        while j < len(rows) and rows[j]:
            j += 1
        tables[title] = rows[i + 1:j]
        i = j
    return tables


def test_csv_and_xlsx_show_the_page_figures(client, world) -> None:  # noqa: ANN001
    _as(client, world, "admin")
    page = read_page(_get(client, f"/reports/repairs?{world['period']}"))
    shown = {t["caption"].strip(): t for t in page.tables}

    r = client.get(f"/reports/repairs.csv?{world['period']}")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    day = world["day"]
    assert r.headers["Content-Disposition"] == (
        f'attachment; filename="repairs-{(day - timedelta(days=6)).isoformat()}-{day.isoformat()}.csv"')
    in_csv = _csv_tables(r.data)

    x = client.get(f"/reports/repairs.xlsx?{world['period']}")
    assert x.status_code == 200 and x.headers["Content-Disposition"].endswith('.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(x.data))
    assert len(book.sheetnames) == len(shown)

    for (caption, t), sheet in zip(shown.items(), book.worksheets, strict=True):
        assert caption in in_csv, caption
        header, *rows = in_csv[caption]
        assert len(rows) == len(t["rows"])
        xlsx_rows = [[c.value for c in row] for row in sheet.iter_rows()]
        assert sheet.cell(row=1, column=1).font.b
        assert xlsx_rows[0] == header
        for shown_row, csv_row, xlsx_row in zip(t["rows"], rows, xlsx_rows[1:], strict=True):
            assert csv_row[0] == shown_row[0]["text"] == xlsx_row[0]
            for cell, csv_cell, xlsx_cell in zip(shown_row[1:], csv_row[1:], xlsx_row[1:], strict=True):
                assert number(cell["text"]) == int(csv_cell) == xlsx_cell
                assert isinstance(xlsx_cell, int)  # a number Excel can sum, not text


def test_the_chart_draws_the_tables_figures(client, world) -> None:  # noqa: ANN001
    import xml.etree.ElementTree as ET

    html = _get(_as(client, world, "admin"), f"/reports/repairs?{world['period']}")
    received = column(table(read_page(html), "Per center"), "received")
    start = html.index("<svg")
    svg = ET.fromstring(html[start:html.index("</svg>", start) + 6])  # noqa: S314 — our own page's SVG
    assert svg.get("role") == "img" and svg.find("{http://www.w3.org/2000/svg}title").text
    rows = [g for g in svg.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "row"]
    bars = {g.get("data-label"): [float(r.get("data-value")) for r in g.iter("{http://www.w3.org/2000/svg}rect")
                                  if r.get("data-series") == "Received"] for g in rows}
    assert bars == {code: [number(cell["text"])] for code, cell in received.items()}
