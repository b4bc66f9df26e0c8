"""Units from production: a 10,000-row file with bad rows mixed in gives exact counts and reasons."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

from sqlalchemy import func, select

from servicecenter.customers.models import Customer
from servicecenter.equipment.models import Unit

HEADER = ["manufacturer", "model", "serial", "production_date", "warranty_start", "owner_name", "owner_phone"]


def _csv(rows: list[list[str]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


def _units(session) -> int:  # noqa: ANN001
    return session.scalar(select(func.count()).select_from(Unit))


def test_ten_thousand_rows_with_bad_ones_mixed_in(api, world, factory, session) -> None:  # noqa: ANN001
    other = factory.model(world.brand, name="СМА 80")
    known = factory.unit(world.model, serial="KNOWN-0001")  # registered at a counter: no production date
    clash = factory.unit(other, serial="CLASH-0001")  # the same serial registered as another model
    world.users["admin"].locale = "en"  # the reasons below in English (the user's language)
    before = _units(session)
    future = (date.today() + timedelta(days=3)).isoformat()
    rows, expected = [], {}
    for i in range(1, 10_001):
        serial = f"LN3-{i:06d}"
        row = ["атлант", "СМА 60", serial, "2026-01-15", "", "", ""]
        bad = {  # every 97th row goes wrong in one of seven ways
            0: (["Nobody", "X", serial, "", "", "", ""], "Unknown manufacturer Nobody"),
            1: (["Атлант", "СМА 99", serial, "", "", "", ""], "Unknown model СМА 99 of this manufacturer"),
            2: (["Атлант", "СМА 60", "серийный №1", "", "", "", ""], "Not a serial number"),
            3: (["Атлант", "СМА 60", serial, "15.01.2026", "", "", ""], "production_date is not a date (YYYY-MM-DD)"),
            4: (["Атлант", "СМА 60", serial, future, "", "", ""], "production_date is in the future"),
            5: (["Атлант", "СМА 60", "LN3-000001", "", "", "", ""], "The same serial as row 1"),
            6: (["Атлант", "СМА 60", serial, "", "", "Иванов", "позвоните"], "Not a phone number"),
        }
        if i % 97 == 0:
            row, reason = bad[(i // 97) % 7]
            expected[i] = reason
        rows.append(row)
    rows[4999] = ["Атлант", "СМА 60", "known-0001", "2025-11-30", "2026-02-01", "", ""]  # completes a known unit
    rows[5999] = ["Атлант", "СМА 60", "CLASH-0001", "", "", "", ""]
    expected[6000] = "Serial CLASH-0001 is registered as another model"
    rows[6999] = ["Атлант", "СМА 60", "OWNED-0001", "", "2026-03-01", "Петрова Анна", "8 916 700-00-01"]
    response = api("admin").post("/api/v1/units/import", data=_csv(rows), content_type="text/csv")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["rows"] == 10_000 and body["rejected"] == len(expected)
    assert body["created"] == 10_000 - len(expected) - 1 and body["updated"] == 1 and body["unchanged"] == 0
    assert {r["row"]: r["reason"] for r in body["rejected_rows"]} == expected
    assert _units(session) == before + body["created"]
    session.refresh(known)
    assert (known.production_date, known.purchase_date) == (date(2025, 11, 30), date(2026, 2, 1))
    session.refresh(clash)
    assert clash.model_id == other.id
    owned = session.scalar(select(Unit).where(Unit.serial == "OWNED-0001"))
    assert session.get(Customer, owned.owner_id).phone == "+79167000001"
    assert owned.purchase_date == date(2026, 3, 1)
    # the same file again changes nothing
    again = api("admin").post("/api/v1/units/import", data=_csv(rows), content_type="text/csv").get_json()
    assert (again["created"], again["updated"], again["unchanged"], again["rejected"]) == (
        0, 0, 10_000 - len(expected), len(expected))


def test_json_lines_and_a_semicolon_csv(api, world, session) -> None:  # noqa: ANN001
    lines = [json.dumps({"manufacturer": "Атлант", "model": "СМА 60", "serial": "JL-1"}), "",
             "{not json", json.dumps(["a", "list"]), json.dumps({"manufacturer": "Атлант", "model": "СМА 60",
                                                                  "serial": "JL-2", "production_date": 20260101}),
             json.dumps({"manufacturer": "Атлант", "model": "СМА 60", "serial": "JL-3", "owner_name": "x\u0000"})]
    body = api("admin").post("/api/v1/units/import", data="\n".join(lines).encode(),
                             content_type="application/x-ndjson").get_json()
    assert (body["rows"], body["created"], body["rejected"]) == (5, 1, 4)
    assert [r["row"] for r in body["rejected_rows"]] == [2, 3, 4, 5]
    excel = _csv([["Атлант", "СМА 60", "SEMI-1", "", "", "", ""]], delimiter=";")
    assert api("admin").post("/api/v1/units/import", data=b"\xef\xbb\xbf" + excel,
                             content_type="text/csv").get_json()["created"] == 1


def test_a_file_that_is_not_one_is_refused_and_nothing_changes(api, session) -> None:  # noqa: ANN001
    before = _units(session)
    admin = api("admin")
    assert admin.post("/api/v1/units/import", data=b"serial\nX1\n", content_type="text/csv").status_code == 422
    assert admin.post("/api/v1/units/import", data=b"\xff\xfe", content_type="text/csv").status_code == 400
    assert admin.post("/api/v1/units/import", json={"serial": "X"}).status_code == 415
    nul = admin.post("/api/v1/units/import", data=b"manufacturer,model,serial\nA,B,\x00\n", content_type="text/csv")
    assert nul.status_code == 200 and (nul.get_json()["rejected"], nul.get_json()["created"]) == (1, 0)
    assert _units(session) == before


def test_only_administrators_import(api) -> None:  # noqa: ANN001
    data = _csv([["Атлант", "СМА 60", "ROLE-1", "", "", "", ""]])
    for who in ("intake", "logistics", "engineer"):
        assert api(who).post("/api/v1/units/import", data=data, content_type="text/csv").status_code == 403
    assert api("partner").post("/api/v1/units/import", data=data, content_type="text/csv").status_code == 404


def test_each_unit_the_import_registers_or_completes_has_it_in_its_history(api, world, factory, session) -> None:  # noqa: ANN001
    known = factory.unit(world.model, serial="HIST-KNOWN")  # registered at a counter, no dates yet
    session.flush()
    rows = [["Атлант", "СМА 60", "HIST-NEW", "2026-01-15", "", "Петрова Анна", "8 916 700-00-02"],
            ["Атлант", "СМА 60", "HIST-KNOWN", "2025-12-01", "2026-02-01", "", ""],
            ["Nobody", "X", "HIST-BAD", "", "", "", ""]]
    assert api("admin").post("/api/v1/units/import", data=_csv(rows), content_type="text/csv").status_code == 200
    new = session.scalar(select(Unit).where(Unit.serial == "HIST-NEW"))
    admin = world.users["admin"].name
    [registered] = api("admin").get(f"/api/v1/units/{new.id}/history").get_json()["items"]
    assert (registered["actor"], registered["kind"], registered["to"]) == (admin, "field", "registered")
    assert registered["details"] == {"field": "registration", "via": "import", "production_date": "2026-01-15",
                                     "owner_phone": "+79167000002"}
    [completed] = api("admin").get(f"/api/v1/units/{known.id}/history").get_json()["items"]
    assert (completed["actor"], completed["to"]) == (admin, "completed")
    assert completed["details"]["changed"] == {"production_date": [None, "2025-12-01"],
                                               "warranty_start": [None, "2026-02-01"]}
    # the same file again changes nothing, so it adds no entries either
    api("admin").post("/api/v1/units/import", data=_csv(rows), content_type="text/csv")
    assert len(api("admin").get(f"/api/v1/units/{new.id}/history").get_json()["items"]) == 1
    assert len(api("admin").get(f"/api/v1/units/{known.id}/history").get_json()["items"]) == 1
