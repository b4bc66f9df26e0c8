"""The rest of the logistics workstation over the API: the list, cancel, close the receipt, take a line
off, settle a missing line, and the background PDFs (unit labels, work orders) with their file jobs."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from servicecenter.accounts.roles import Role
from servicecenter.accounts.tokens import create_token
from servicecenter.filejobs.models import FileJob, FileJobKind, FileJobState
from servicecenter.shipments import dispatch as dispatching
from servicecenter.shipments.models import Shipment, ShipmentItem, ShipmentState
from servicecenter.shipments.services import add_scanned, create_shipment
from servicecenter.stock import journal
from servicecenter.stock.models import MoveReason
from tests.api.conftest import ApiClient


def _warehouse(center):  # noqa: ANN001, ANN202
    return next(loc for loc in center.locations if loc.is_main)


def _shipment(session, world, factory, units: int = 2, *, to=None, send: bool = False) -> Shipment:  # noqa: ANN001
    """A shipment from MSK's warehouse to EKB's (or `to`) with `units` orders' units scanned in."""
    clerk = world.users["logistics"]
    made = create_shipment(session, clerk, origin=_warehouse(world.msk), destination=_warehouse(to or world.ekb))
    for _ in range(units):
        order = factory.order(world.msk)
        if order.unit.location_id != _warehouse(world.msk).id:
            journal.move_unit(session, None, order.unit, _warehouse(world.msk), MoveReason.INTAKE)
        add_scanned(session, clerk, made, order.number)
    if send:
        dispatching.dispatch_shipment(session, clerk, made, carrier="ПЭК")
    session.flush()
    return made


def _state(session, number: str) -> ShipmentState:  # noqa: ANN001
    session.expire_all()
    return session.scalar(select(Shipment.state).where(Shipment.number == number))


# --- the list -------------------------------------------------------------------------------------

def test_the_list_pages_filters_and_shows_each_center_only_its_own(api, world, factory, session) -> None:  # noqa: ANN001
    open_one = _shipment(session, world, factory, 1)
    sent = _shipment(session, world, factory, 2, send=True)
    listed = api("logistics").get("/api/v1/shipments")
    assert listed.status_code == 200
    body = listed.get_json()
    assert [r["number"] for r in body["items"]] == [sent.number, open_one.number] and body["total"] == 2
    first = body["items"][0]
    assert (first["state"], first["direction"], first["items"], first["missing"], first["carrier"]) == \
        ("dispatched", "out", 2, 0, "ПЭК")
    assert first["dispatched_at"] is not None and first["from"].startswith("MSK-WH")
    assert [r["number"] for r in api("logistics").get("/api/v1/shipments?state=open").get_json()["items"]] == \
        [open_one.number]
    assert api("logistics").get("/api/v1/shipments?direction=in").get_json()["items"] == []
    paged = api("logistics").get("/api/v1/shipments?per_page=1&page=2").get_json()
    assert ([r["number"] for r in paged["items"]], paged["pages"], paged["total"]) == ([open_one.number], 2, 2)
    found = api("logistics").get(f"/api/v1/shipments?q={sent.number[-4:]}").get_json()["items"]
    assert [r["number"] for r in found] == [sent.number]
    # the partner at the other end: both are coming in; another partner sees none
    incoming = api("partner").get("/api/v1/shipments?direction=in").get_json()
    assert {r["number"] for r in incoming["items"]} == {sent.number, open_one.number}
    assert all(r["direction"] == "in" for r in incoming["items"])
    assert api("nsk_partner").get("/api/v1/shipments").get_json() == {"items": [], "page": 1, "pages": 1, "total": 0}


def test_the_list_refuses_unknown_filters_and_roles_without_shipments(api, world) -> None:  # noqa: ANN001
    for query, field in (("state=lost", "state"), ("direction=up", "direction"), ("page=0", "page"),
                         ("q=" + "x" * 61, "q")):
        r = api("logistics").get(f"/api/v1/shipments?{query}")
        assert r.status_code == 422 and field in r.get_json()["errors"], query
    assert api("engineer").get("/api/v1/shipments").status_code == 403
    assert api("call_center").get("/api/v1/shipments").status_code == 403
    assert api(None).get("/api/v1/shipments").status_code == 401


# --- cancel, take a line off ----------------------------------------------------------------------

def test_cancel_an_open_shipment_frees_its_units(api, world, factory, session) -> None:  # noqa: ANN001
    made = _shipment(session, world, factory, 1)
    serial = made.items[0].unit.serial
    assert api("partner").post(f"/api/v1/shipments/{made.number}/cancel").status_code == 403  # not the sender
    assert api("nsk_partner").post(f"/api/v1/shipments/{made.number}/cancel").status_code == 404
    assert api("engineer").post(f"/api/v1/shipments/{made.number}/cancel").status_code == 403
    assert _state(session, made.number) == ShipmentState.OPEN
    r = api("logistics").post(f"/api/v1/shipments/{made.number}/cancel")
    assert r.status_code == 200 and r.get_json()["state"] == "cancelled"
    assert _state(session, made.number) == ShipmentState.CANCELLED
    again = api("logistics").post(f"/api/v1/shipments/{made.number}/cancel")
    assert again.status_code == 409 and again.get_json()["current"] == "cancelled"
    # the unit is free for another shipment
    other = api("logistics").post("/api/v1/shipments", json={"from": "MSK", "to": "EKB"}).get_json()["number"]
    assert api("logistics").post(f"/api/v1/shipments/{other}/items", json={"code": serial}).status_code == 201


def test_a_dispatched_shipment_is_not_cancelled(api, world, factory, session) -> None:  # noqa: ANN001
    sent = _shipment(session, world, factory, 1, send=True)
    r = api("logistics").post(f"/api/v1/shipments/{sent.number}/cancel")
    assert r.status_code == 409 and r.get_json()["current"] == "dispatched"
    assert _state(session, sent.number) == ShipmentState.DISPATCHED
    assert api("logistics").post("/api/v1/shipments/NOPE-1/cancel").status_code == 404


def test_take_a_line_off_an_open_shipment(api, world, factory, session) -> None:  # noqa: ANN001
    made = _shipment(session, world, factory, 2)
    first, second = (item.id for item in made.items)
    assert api("partner").open("DELETE", f"/api/v1/shipments/{made.number}/items/{first}").status_code == 403
    assert api("nsk_partner").open("DELETE", f"/api/v1/shipments/{made.number}/items/{first}").status_code == 404
    assert api("logistics").open("DELETE", f"/api/v1/shipments/{made.number}/items/999999").status_code == 404
    r = api("logistics").open("DELETE", f"/api/v1/shipments/{made.number}/items/{first}")
    assert r.status_code == 200 and [i["id"] for i in r.get_json()["items"]] == [second]
    assert session.scalar(select(func.count()).where(ShipmentItem.shipment_id == made.id)) == 1
    assert api("logistics").open("DELETE", f"/api/v1/shipments/{made.number}/items/{first}").status_code == 404
    dispatching.dispatch_shipment(session, world.users["logistics"], made, carrier="ПЭК")
    session.flush()
    frozen = api("logistics").open("DELETE", f"/api/v1/shipments/{made.number}/items/{second}")
    assert frozen.status_code == 409
    assert session.scalar(select(func.count()).where(ShipmentItem.shipment_id == made.id)) == 1


# --- close the receipt, settle what is missing ----------------------------------------------------

def test_close_the_receipt_then_settle_the_missing_lines(api, world, factory, session) -> None:  # noqa: ANN001
    sent = _shipment(session, world, factory, 2, send=True)
    lost_line, found_line = sent.items
    lost_serial, found_serial = lost_line.unit.serial, found_line.unit.serial
    assert api("logistics").post(f"/api/v1/shipments/{sent.number}/complete").status_code == 403  # the sender
    assert api("nsk_partner").post(f"/api/v1/shipments/{sent.number}/complete").status_code == 404
    assert _state(session, sent.number) == ShipmentState.DISPATCHED
    closed = api("partner").post(f"/api/v1/shipments/{sent.number}/complete")
    assert closed.status_code == 200, closed.get_json()
    body = closed.get_json()
    assert (body["state"], body["accepted"], sorted(body["missing"]), body["unexpected"]) == \
        ("received", [], sorted([lost_serial, found_serial]), [])
    assert _state(session, sent.number) == ShipmentState.RECEIVED
    assert api("partner").post(f"/api/v1/shipments/{sent.number}/complete").status_code == 409

    url = f"/api/v1/shipments/{sent.number}/items"
    # bad input changes nothing
    for bad in ({}, {"outcome": "stolen"}, {"outcome": "lost"}, {"outcome": "lost", "reason": "  "},
                {"outcome": "found", "reason": 5}):
        r = api("partner").post(f"{url}/{lost_line.id}/resolve", json=bad)
        assert r.status_code == 422, bad
    assert api("partner").post(f"{url}/{lost_line.id}/resolve", data="x").status_code == 415
    assert api("logistics").post(f"{url}/{lost_line.id}/resolve", json={"outcome": "found"}).status_code == 403
    assert api("nsk_partner").post(f"{url}/{lost_line.id}/resolve", json={"outcome": "found"}).status_code == 404
    assert api("partner").post(f"{url}/999999/resolve", json={"outcome": "found"}).status_code == 404
    session.expire_all()
    assert {i.state.value for i in session.scalars(select(ShipmentItem).where(ShipmentItem.shipment_id == sent.id))} \
        == {"missing"}

    lost = api("partner").post(f"{url}/{lost_line.id}/resolve", json={"outcome": "lost", "reason": "Разбита"})
    assert lost.status_code == 200
    line = next(i for i in lost.get_json()["items"] if i["id"] == lost_line.id)
    assert (line["state"], line["note"]) == ("lost", "Разбита")
    found = api("partner").post(f"{url}/{found_line.id}/resolve", json={"outcome": "found"})
    assert found.status_code == 200
    assert next(i for i in found.get_json()["items"] if i["id"] == found_line.id)["state"] == "found"
    session.expire_all()
    assert session.get(ShipmentItem, found_line.id).unit.location_id == _warehouse(world.ekb).id
    twice = api("partner").post(f"{url}/{found_line.id}/resolve", json={"outcome": "found"})
    assert twice.status_code == 409


# --- background files ------------------------------------------------------------------------------

@pytest.fixture
def exports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The instance directory the app uses; the job (run after the request's commit) reads the same."""
    monkeypatch.setenv("SERVICECENTER_INSTANCE", str(tmp_path / "instance"))
    return tmp_path / "instance" / "exports"


def test_unit_labels_are_made_in_the_background_and_downloaded(api, world, factory, session, exports) -> None:  # noqa: ANN001
    made = _shipment(session, world, factory, 2)
    asked = api("logistics").post(f"/api/v1/shipments/{made.number}/unit-labels")
    assert asked.status_code == 202, asked.get_json()
    job = asked.get_json()
    assert asked.headers["Location"] == f"/api/v1/file-jobs/{job['id']}"
    assert (job["kind"], job["total"], job["name"]) == ("shipment_unit_labels", 2, f"{made.number}-unit-labels.pdf")
    status = api("logistics").get(asked.headers["Location"]).get_json()
    assert status["state"] == "done" and status["done"] == 2  # embedded mode: made right after the commit
    assert status["download"] == f"/api/v1/file-jobs/{job['id']}/download"
    pdf = api("logistics").get(status["download"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    # the file is its requester's center's: the partner at the other end, another partner get 404
    assert api("partner").get(status["download"]).status_code == 404  # not its center's file
    assert api("nsk_partner").get(asked.headers["Location"]).status_code == 404
    assert api("engineer").get(asked.headers["Location"]).status_code == 200  # a colleague of the same center
    assert api("logistics").get("/api/v1/file-jobs/999999").status_code == 404


def test_work_orders_of_a_shipment_and_refusals(api, world, factory, session, exports) -> None:  # noqa: ANN001
    made = _shipment(session, world, factory, 1)
    # the partner at the other end does not print the sender's customers' work orders (its wall hides them)
    assert api("partner").post(f"/api/v1/shipments/{made.number}/work-orders").status_code == 422
    asked = api("logistics").post(f"/api/v1/shipments/{made.number}/work-orders")
    assert asked.status_code == 202
    assert asked.get_json()["kind"] == "work_orders"
    empty = api("logistics").post("/api/v1/shipments", json={"from": "MSK", "to": "EKB"}).get_json()["number"]
    before = session.scalar(select(func.count(FileJob.id)))
    for path in ("unit-labels", "work-orders"):
        assert api("logistics").post(f"/api/v1/shipments/{empty}/{path}").status_code == 422
        assert api("nsk_partner").post(f"/api/v1/shipments/{made.number}/{path}").status_code == 404
        assert api("engineer").post(f"/api/v1/shipments/{made.number}/{path}").status_code == 403
    assert session.scalar(select(func.count(FileJob.id))) == before


def test_a_file_still_being_made_is_not_downloaded_yet(api, world, session, exports) -> None:  # noqa: ANN001
    job = FileJob(kind=FileJobKind.SHIPMENT_UNIT_LABELS, parameters={}, requested_by_id=world.users["logistics"].id,
                  center_id=world.msk.id, state=FileJobState.RUNNING, progress_done=3, progress_total=10,
                  content_type="application/pdf", download_name="x.pdf", stored_name="ab" * 16 + ".pdf")
    session.add(job)
    session.flush()
    status = api("logistics").get(f"/api/v1/file-jobs/{job.id}").get_json()
    assert (status["state"], status["done"], status["total"], status["download"]) == ("running", 3, 10, None)
    r = api("logistics").get(f"/api/v1/file-jobs/{job.id}/download")
    assert r.status_code == 409 and r.get_json()["current"] == "running"
    job.state = FileJobState.FAILED
    job.error = "The file could not be made; please ask for it again"
    session.flush()
    assert api("logistics").get(f"/api/v1/file-jobs/{job.id}/download").status_code == 404
    assert api("logistics").get(f"/api/v1/file-jobs/{job.id}").get_json()["error"]


def test_staff_of_a_center_at_neither_end_get_404_as_on_the_workstation(api, world, factory, session, client) -> None:  # noqa: ANN001
    made = _shipment(session, world, factory, 1)
    stranger = factory.user(factory.center("SPB"), Role.LOGISTICS)
    token = create_token(session, None, stranger, "spb")[1]
    session.flush()
    spb = ApiClient(client, token)
    assert spb.get(f"/api/v1/shipments/{made.number}").status_code == 404
    assert spb.post(f"/api/v1/shipments/{made.number}/cancel").status_code == 404
    assert spb.post(f"/api/v1/shipments/{made.number}/unit-labels").status_code == 404
    assert made.number not in {r["number"] for r in spb.get("/api/v1/shipments").get_json()["items"]}
    assert _state(session, made.number) == ShipmentState.OPEN
    assert api("admin").get(f"/api/v1/shipments/{made.number}").status_code == 200
