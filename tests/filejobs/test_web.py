"""Printing every unit label of a shipment from its page: a background file with progress, then the
download — embedded mode (no Redis): the job runs right after the request's commit."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from servicecenter.filejobs.models import FileJob
from servicecenter.jobs.models import OutboxJob
from tests.factories import csrf_token, login
from tests.filejobs.conftest import UNITS
from tests.printing import readback


def _ask(client, number: str):  # noqa: ANN001, ANN202
    page = client.get(f"/logistics/shipments/{number}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Print all labels (PDF)" in html
    return client.post(f"/logistics/shipments/{number}/unit-labels", data={"csrf_token": csrf_token(html)})


def test_all_unit_labels_of_a_shipment_come_as_one_pdf_a_label_a_page(client, net, exports) -> None:  # noqa: ANN001
    login(client, net["clerk"].email)
    shipment = net["shipment"]
    asked = _ask(client, shipment.number)
    assert asked.status_code == 303
    page_url = asked.headers["Location"]
    assert re.fullmatch(r"/files/\d+", page_url)
    page = client.get(page_url).get_data(as_text=True)
    assert "filejob.js" in page and "<script>" not in page  # the CSP allows our own script files only
    assert f"{shipment.number}-unit-labels.pdf" in page and "Ready" in page
    status = client.get(f"{page_url}.json").get_json()
    assert status["state"] == "done" and status["done"] == status["total"] == UNITS
    assert status["download_url"] == f"{page_url}/download"
    pdf = client.get(status["download_url"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith("attachment")
    assert pdf.headers["X-Content-Type-Options"] == "nosniff"
    assert readback.page_count(pdf.data) == UNITS
    decoded = [readback.code128(readback.raster(pdf.data, i, dpi=203)) for i in range(UNITS)]
    assert decoded == [[order.number] for order in net["orders"]]  # as packed, each its own unit's
    assert f"{shipment.number}-unit-labels.pdf" in client.get("/files/").get_data(as_text=True)


def test_a_colleague_sees_it_another_center_or_a_partner_gets_404(app, net, exports) -> None:  # noqa: ANN001
    clerk = app.test_client()
    login(clerk, net["clerk"].email)
    page_url = _ask(clerk, net["shipment"].number).headers["Location"]
    colleague = app.test_client()
    login(colleague, net["colleague"].email)
    assert colleague.get(f"{page_url}/download").status_code == 200
    for who in ("other", "partner"):
        stranger = app.test_client()
        login(stranger, net[who].email)
        for url in (page_url, f"{page_url}.json", f"{page_url}/download"):
            assert stranger.get(url).status_code == 404, (who, url)
        assert page_url not in stranger.get("/files/").get_data(as_text=True)
    # a partner cannot ask for the labels of a shipment that is not its own either
    partner = app.test_client()
    login(partner, net["partner"].email)
    token = csrf_token(partner.get("/files/").get_data(as_text=True))
    assert partner.post(f"/logistics/shipments/{net['shipment'].number}/unit-labels",
                        data={"csrf_token": token}).status_code == 404


def test_a_shipment_without_units_or_an_unknown_one_is_refused_and_nothing_is_written(
        client, session, net, exports) -> None:  # noqa: ANN001
    login(client, net["clerk"].email)
    before = (session.scalar(select(func.count(FileJob.id))), session.scalar(select(func.count(OutboxJob.id))))
    refused = _ask(client, net["empty"].number)
    assert refused.status_code == 422
    assert f"Shipment {net['empty'].number} has no units to label" in refused.get_data(as_text=True)
    token = csrf_token(client.get("/files/").get_data(as_text=True))
    unknown = client.post("/logistics/shipments/NOPE-1/unit-labels", data={"csrf_token": token})
    assert unknown.status_code == 404
    without_token = client.post(f"/logistics/shipments/{net['shipment'].number}/unit-labels")
    assert without_token.status_code == 400
    after = (session.scalar(select(func.count(FileJob.id))), session.scalar(select(func.count(OutboxJob.id))))
    assert after == before
    assert not exports.exists() or not any(exports.rglob("*"))


def test_a_waiting_file_shows_its_progress_page_and_nothing_to_download_yet(client, session, net, exports) -> None:  # noqa: ANN001
    from servicecenter.filejobs.services import request_shipment_labels

    job = request_shipment_labels(session, net["clerk"], net["shipment"].number)  # no dispatcher: it waits
    session.flush()
    login(client, net["clerk"].email)
    page = client.get(f"/files/{job.id}").get_data(as_text=True)
    assert "Waiting to start" in page and f'data-status-url="/files/{job.id}.json"' in page and "<noscript>" in page
    assert client.get(f"/files/{job.id}.json").get_json() == {
        "id": job.id, "state": "queued", "state_label": "Waiting to start", "done": 0, "total": UNITS,
        "error": "", "download_url": None, "name": f"{net['shipment'].number}-unit-labels.pdf"}
    assert client.get(f"/files/{job.id}/download").status_code == 404
    script = client.get("/static/filejob.js")
    assert script.status_code == 200 and b"statusUrl" in script.data  # what polls the JSON above
