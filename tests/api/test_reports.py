"""Reports and the orders behind them over the API: the reports workstation's figures, filter, roles and
wall, and its exports as file jobs."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest

from servicecenter.repairs.states import RepairState


@pytest.fixture
def exports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The instance directory the app uses; the job (run after the request's commit) reads the same."""
    monkeypatch.setenv("SERVICECENTER_INSTANCE", str(tmp_path / "instance"))
    return tmp_path / "instance" / "exports"


def _figure(report: dict, column: str) -> list:
    """One column's values over every table that has it."""
    values = []
    for table in report["tables"]:
        keys = [c["key"] for c in table["columns"]]
        if column in keys:
            values += [row[keys.index(column)]["value"] for row in table["rows"]]
    return values


def test_the_reports_are_listed_for_the_roles_that_read_them(api) -> None:  # noqa: ANN001
    listed = api("team_lead").get("/api/v1/reports")
    assert listed.status_code == 200
    keys = [r["key"] for r in listed.get_json()["items"]]
    assert keys[:2] == ["repairs", "turnaround"] and {"load", "money", "deadlines", "failures"} <= set(keys)
    assert api("partner").get("/api/v1/reports").status_code == 200
    for who in ("engineer", "intake", "call_center", "logistics"):
        assert api(who).get("/api/v1/reports").status_code == 403
    assert api(None).get("/api/v1/reports").status_code == 401


def test_a_report_counts_the_callers_center_only_and_names_the_orders_behind(api, world, factory, session) -> None:  # noqa: ANN001
    for _ in range(2):
        factory.order(world.msk)
    factory.order(world.ekb)
    session.flush()
    ours = api("team_lead").get("/api/v1/reports/repairs").get_json()
    assert ours["key"] == "repairs" and ours["filter"]["center"] == "MSK"  # a team lead: its center, forced
    assert ours["filter"]["from"] == date.today().replace(day=1).isoformat()
    theirs = api("partner").get("/api/v1/reports/repairs").get_json()
    assert theirs["filter"]["center"] == "EKB"
    # every figure that counts orders says which: its drill filter is the caller's center's
    drills = [cell["orders"] for t in ours["tables"] for row in t["rows"] for cell in row if cell["orders"]]
    assert drills and all(d.get("center") == str(world.msk.id) for d in drills)
    partner_drills = [c["orders"] for t in theirs["tables"] for row in t["rows"] for c in row if c["orders"]]
    assert all(d.get("center") == str(world.ekb.id) for d in partner_drills)
    # a team lead or a partner asking for another center is told it sees its own only; an administrator
    # gets what it asks
    for who, other in (("team_lead", world.nsk.id), ("partner", world.msk.id), ("partner", 999_999)):
        asked = api(who).get("/api/v1/reports/repairs", query_string={"center": other})
        assert asked.status_code == 403 and "только вашего" in asked.get_json()["detail"]
    admin = api("admin").get("/api/v1/reports/repairs", query_string={"center": world.ekb.id}).get_json()
    assert admin["filter"]["center"] == "EKB"


@pytest.mark.parametrize("query", [{"from": "2026-13-01"}, {"from": "2026-03-01", "to": "2026-02-01"},
                                   {"brand": "999999"}, {"category": "Самолёты"}, {"brand": "abc"}])
def test_a_filter_that_cannot_be_used_is_422(api, query) -> None:  # noqa: ANN001
    answer = api("team_lead").get("/api/v1/reports/repairs", query_string=query)
    assert answer.status_code == 422 and answer.get_json()["detail"]


def test_an_unknown_report_is_404(api) -> None:  # noqa: ANN001
    assert api("team_lead").get("/api/v1/reports/nope").status_code == 404


def test_the_orders_behind_a_figure_are_exported_in_the_background(api, world, factory, session, exports) -> None:  # noqa: ANN001
    made = [factory.order(world.msk, RepairState.DIAGNOSIS) for _ in range(3)]
    factory.order(world.ekb, RepairState.DIAGNOSIS)
    session.flush()
    # created within these days (the reports' calendar is Moscow's: a day either side of today's UTC date)
    query = {"state": "diagnosis", "from": (date.today() - timedelta(days=1)).isoformat(),
             "to": (date.today() + timedelta(days=1)).isoformat(), "basis": "created"}
    asked = api("team_lead").post("/api/v1/repair-orders/export", query_string=query, json={"format": "csv"})
    assert asked.status_code == 202, asked.get_json()
    job = asked.get_json()
    assert asked.headers["Location"] == f"/api/v1/file-jobs/{job['id']}"
    status = api("team_lead").get(asked.headers["Location"]).get_json()
    assert status["state"] == "done"  # embedded mode: made right after the commit
    rows = list(csv.reader(io.StringIO(api("team_lead").get(status["download"]).get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    numbers = {cell for row in rows[1:] for cell in row if cell.startswith("MSK-") or cell.startswith("EKB-")}
    assert numbers == {o.number for o in made}  # its own center's, however the filter is written
    # their work orders as one PDF
    pdf = api("team_lead").post("/api/v1/repair-orders/export", query_string=query, json={"format": "work_orders"})
    assert pdf.status_code == 202 and pdf.get_json()["total"] == 3
    # the partner exports its own only
    own = api("partner").post("/api/v1/repair-orders/export", query_string=query, json={"format": "work_orders"})
    assert own.status_code == 202 and own.get_json()["total"] == 1


def test_export_refusals_change_nothing(api, world, factory, session, exports) -> None:  # noqa: ANN001
    factory.order(world.msk, RepairState.DIAGNOSIS)
    session.flush()
    assert api("team_lead").post("/api/v1/repair-orders/export", json={"format": "pdf"}).status_code == 422
    none = api("team_lead").post("/api/v1/repair-orders/export", query_string={"state": "issued"},
                                 json={"format": "csv"})
    assert none.status_code == 422 and none.get_json()["detail"]
    bad = api("team_lead").post("/api/v1/repair-orders/export", query_string={"from": "вчера"},
                                json={"format": "csv"})
    assert bad.status_code == 422
    assert api("engineer").post("/api/v1/repair-orders/export", json={"format": "csv"}).status_code == 403
    assert api("team_lead").post("/api/v1/repair-orders/export", data="format=csv",
                                 content_type="application/x-www-form-urlencoded").status_code == 415
    assert api("team_lead").get("/api/v1/file-jobs/1").status_code == 404  # no job was made
