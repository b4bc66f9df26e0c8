"""Bulk documents and large exports as background files: a team lead's checked orders, a shipment's units
and the orders behind a report's figure come back as one PDF of work orders, or as CSV/XLSX — made after
the request's commit (embedded mode here), behind the requester's wall, with progress and a download."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from sqlalchemy import func, select

from servicecenter.accounts.roles import Role
from servicecenter.centers.models import CenterKind
from servicecenter.filejobs.models import FileJob, FileJobState
from servicecenter.jobs.models import OutboxJob
from tests.factories import csrf_token, login
from tests.filejobs.conftest import UNITS
from tests.printing import readback

MARKER_OWN = "Стучит барабан"
MARKER_OTHER = "ЧУЖОЙ-МАРКЕР"


@pytest.fixture
def world(session, factory):  # noqa: ANN001, ANN201
    msk, spb = factory.center("BDM"), factory.center("BDS")
    partner = factory.center("BDP", kind=CenterKind.PARTNER)
    lead = factory.user(msk, Role.TEAM_LEAD, email="lead@bdm.test")
    lead.locale = "en"
    admin = factory.user(msk, Role.ADMIN, email="admin@bdm.test")
    admin.locale = "ru"
    manager = factory.user(partner, Role.PARTNER_MANAGER, email="pm@bdp.test")
    manager.locale = "en"
    own = [factory.order(msk, fault=MARKER_OWN, customer=factory.customer(name=f"Клиент Москва {i}"))
           for i in range(3)]
    own.append(factory.order(msk, fault="=HYPERLINK(\"http://evil.test\")", customer=factory.customer(name="Хакер")))
    other = [factory.order(spb, fault=MARKER_OTHER, customer=factory.customer(name=MARKER_OTHER)) for _ in range(2)]
    theirs = [factory.order(partner, fault="Партнёрский ремонт") for _ in range(2)]
    session.flush()
    return {"msk": msk, "spb": spb, "partner": partner, "lead": lead, "admin": admin, "manager": manager,
            "own": own, "other": other, "theirs": theirs}


def _counts(session) -> tuple[int, int]:  # noqa: ANN001
    return session.scalar(select(func.count(FileJob.id))), session.scalar(select(func.count(OutboxJob.id)))


def _finished(client, asked):  # noqa: ANN001, ANN202
    """From the 303 to the file's page, its finished status and the downloaded bytes."""
    assert asked.status_code == 303, asked.get_data(as_text=True)[:500]
    page_url = asked.headers["Location"]
    assert re.fullmatch(r"/files/\d+", page_url)
    status = client.get(f"{page_url}.json").get_json()
    assert status["state"] == "done" and status["error"] == "", status
    download = client.get(status["download_url"])
    assert download.status_code == 200 and download.headers["Content-Disposition"].startswith("attachment")
    return status, download


# ---------------------------------------------------------------- work orders
def test_a_team_lead_prints_the_checked_orders_work_orders_as_one_pdf(client, world, exports) -> None:  # noqa: ANN001
    login(client, world["lead"].email)
    queue = client.get("/team-lead/").get_data(as_text=True)
    assert "Print work orders" in queue
    picked = world["own"][:3]
    asked = client.post("/team-lead/bulk", data={
        "csrf_token": csrf_token(queue), "action": "work_orders", "order": [str(o.id) for o in picked],
        "next": "/team-lead/"})
    status, pdf = _finished(client, asked)
    assert status["name"] == "work-orders.pdf" and status["done"] == status["total"] == 3
    assert pdf.mimetype == "application/pdf" and readback.page_count(pdf.data) == 3
    for page, order in enumerate(picked):  # each work order on its own page, in the order checked
        assert readback.code128(readback.raster(pdf.data, page)) == [order.number]
    text = readback.text(pdf.data)
    # Paper is Russian even for a team lead who reads the screen in English; each page's footer counts its own.
    for order in picked:
        assert f"Заказ-наряд № {order.number}" in text and f"Заказ-наряд № {order.number} · стр. 1" in text
        assert order.customer.name in text
    assert "Гарантия" in text and "Warranty" not in text and MARKER_OWN in text
    assert world["lead"].name in text  # the one who printed signs as the clerk, as on a single print


def test_a_team_lead_cannot_slip_another_centers_order_into_the_batch(client, session, world, exports) -> None:  # noqa: ANN001
    login(client, world["lead"].email)
    queue = client.get("/team-lead/").get_data(as_text=True)
    before = _counts(session)
    refused = client.post("/team-lead/bulk", data={
        "csrf_token": csrf_token(queue), "action": "work_orders", "next": "/team-lead/",
        "order": [str(world["own"][0].id), str(world["other"][0].id)]}, follow_redirects=True)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 200 and f"#{world['other'][0].id}" in body and "nothing was changed" in body
    assert _counts(session) == before


def test_logistics_prints_every_work_order_of_a_shipment_for_the_units_it_carries(app, net, exports) -> None:  # noqa: ANN001
    clerk = app.test_client()
    login(clerk, net["clerk"].email)
    number = net["shipment"].number
    page = clerk.get(f"/logistics/shipments/{number}").get_data(as_text=True)
    assert "Print all work orders (PDF)" in page
    status, pdf = _finished(clerk, clerk.post(f"/logistics/shipments/{number}/work-orders",
                                              data={"csrf_token": csrf_token(page)}))
    assert status["name"] == f"{number}-work-orders.pdf" and status["total"] == UNITS
    assert readback.page_count(pdf.data) == UNITS
    assert [readback.code128(readback.raster(pdf.data, i)) for i in (0, UNITS - 1)] == [
        [net["orders"][0].number], [net["orders"][-1].number]]
    # A partner at neither end asking for it: no such shipment for them.
    stranger = app.test_client()
    login(stranger, net["partner"].email)
    token = csrf_token(stranger.get("/files/").get_data(as_text=True))
    assert stranger.post(f"/logistics/shipments/{number}/work-orders", data={"csrf_token": token}).status_code == 404


def test_a_shipment_without_units_is_refused_with_a_message_and_nothing_queued(client, session, net, exports) -> None:  # noqa: ANN001
    login(client, net["clerk"].email)
    number = net["empty"].number
    before = _counts(session)
    page = client.get(f"/logistics/shipments/{number}").get_data(as_text=True)
    refused = client.post(f"/logistics/shipments/{number}/work-orders", data={"csrf_token": csrf_token(page)})
    assert refused.status_code == 422
    assert f"Shipment {number} has no units with an order" in refused.get_data(as_text=True)
    assert _counts(session) == before


# ---------------------------------------------------------------- the orders behind a figure
def _export(client, query: str, fmt: str, follow: bool = False):  # noqa: ANN001, ANN202
    page = client.get(f"/reports/orders?{query}")
    assert page.status_code == 200, page.get_data(as_text=True)[:300]
    html = page.get_data(as_text=True)
    assert 'data-form="export-orders"' in html
    return client.post(f"/reports/orders/export?{query}", data={"csrf_token": csrf_token(html), "format": fmt},
                       follow_redirects=follow)


def test_the_orders_behind_a_figure_come_as_csv_in_the_readers_language_with_formulas_defused(
        client, world, exports) -> None:  # noqa: ANN001
    login(client, world["lead"].email)
    status, download = _finished(client, _export(client, "basis=received&open=yes", "csv"))
    assert download.mimetype == "text/csv" and status["name"].endswith(".csv")
    rows = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:5] == ["Number", "Center", "State", "Type", "Warranty"]  # the team lead reads English
    # A team lead sees their own center's orders only, newest first, whatever else the network holds.
    assert [r[0] for r in body] == [o.number for o in reversed(world["own"])]
    assert {r[1] for r in body} == {"BDM"} and all(r[2] == "Received" for r in body)
    fault = header.index("Fault")
    assert body[0][fault] == "'=HYPERLINK(\"http://evil.test\")"  # a spreadsheet shows it, never runs it
    assert MARKER_OTHER not in download.data.decode("utf-8-sig")


def test_an_admin_exports_xlsx_in_russian_with_real_dates_and_every_center(client, world, exports) -> None:  # noqa: ANN001
    login(client, world["admin"].email)
    status, download = _finished(client, _export(client, "basis=received", "xlsx"))
    assert status["name"].endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(download.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("Номер", "Центр", "Статус")
    numbers = {r[0] for r in rows[1:]}
    assert numbers == {o.number for o in world["own"] + world["other"] + world["theirs"]}
    received = header.index("Принят")
    assert all(r[received] is not None and r[received].year >= 2026 for r in rows[1:])
    assert any(r[header.index("Неисправность")] == "'=HYPERLINK(\"http://evil.test\")" for r in rows[1:])


def test_a_partner_manager_exports_only_its_own_centers_orders(client, world, exports) -> None:  # noqa: ANN001
    login(client, world["manager"].email)
    _status, download = _finished(client, _export(client, "basis=received", "csv"))
    text = download.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
    assert sorted(r[0] for r in rows) == sorted(o.number for o in world["theirs"])
    assert MARKER_OTHER not in text and MARKER_OWN not in text
    # Asking for another center's list in the address is refused, as the list itself is.
    token = csrf_token(client.get("/files/").get_data(as_text=True))
    refused = client.post(f"/reports/orders/export?basis=received&center={world['msk'].id}",
                          data={"csrf_token": token, "format": "csv"}, follow_redirects=True)
    assert refused.status_code == 403


def test_the_orders_behind_a_figure_print_as_work_orders(client, world, exports) -> None:  # noqa: ANN001
    login(client, world["lead"].email)
    status, pdf = _finished(client, _export(client, "basis=received", "work_orders"))
    assert status["total"] == len(world["own"]) and readback.page_count(pdf.data) == len(world["own"])
    assert MARKER_OTHER not in readback.text(pdf.data)


@pytest.mark.parametrize(("query", "fmt", "message"), [
    ("basis=received&state=broken", "csv", "state=broken is not understood"),
    ("basis=received&from=2001-01-01&to=2001-01-02", "csv", "There are no orders to export"),
    ("basis=received", "pdf", "Choose CSV or XLSX"),
])
def test_a_bad_or_empty_export_is_refused_with_a_message_and_nothing_queued(
        client, session, world, exports, query, fmt, message) -> None:  # noqa: ANN001
    login(client, world["lead"].email)
    before = _counts(session)
    token = csrf_token(client.get("/files/").get_data(as_text=True))
    refused = client.post(f"/reports/orders/export?{query}", data={"csrf_token": token, "format": fmt},
                          follow_redirects=True)
    assert message in refused.get_data(as_text=True)
    assert _counts(session) == before
    assert client.post("/reports/orders/export?basis=received", data={"format": "csv"}).status_code == 400  # no CSRF


def test_too_long_a_list_is_refused_up_front(client, session, world, exports, monkeypatch) -> None:  # noqa: ANN001
    from servicecenter.filejobs import services

    monkeypatch.setattr(services, "MAX_EXPORT_ROWS", 2)
    monkeypatch.setattr(services, "MAX_WORK_ORDERS", 2)
    login(client, world["lead"].email)
    before = _counts(session)
    body = _export(client, "basis=received", "csv", follow=True).get_data(as_text=True)
    assert "At most 2 orders can be exported at once: narrow the filter" in body
    body = _export(client, "basis=received", "work_orders", follow=True).get_data(as_text=True)
    assert "At most 2 work orders can be printed at once" in body
    assert _counts(session) == before


def test_an_export_whose_requester_left_fails_with_a_reason(session, bound_db, world, exports) -> None:  # noqa: ANN001
    from servicecenter.filejobs.services import request_orders_export
    from servicecenter.jobs.dispatch import run_outbox_job

    job = request_orders_export(session, world["admin"], {"basis": "received"}, "csv")
    world["admin"].active = False
    session.commit()
    run_outbox_job(bound_db, job.outbox_job_id)
    session.refresh(job)
    assert job.state == FileJobState.FAILED
    assert job.error == "The person who asked for this file can no longer see these orders"
    assert not exports.exists() or not any(p.is_file() for p in exports.rglob("*"))


def test_the_job_itself_puts_up_the_requesters_wall_whatever_the_filter_says(session, bound_db, world, exports) -> None:  # noqa: ANN001
    """Even a list asked for without the center forced (as the web forces it) holds only what the
    partner's own pages would show: the job reads behind the requester's wall."""
    from servicecenter.filejobs.services import exports_dir, file_path, request_orders_export, settings_of
    from servicecenter.jobs.dispatch import run_outbox_job

    job = request_orders_export(session, world["manager"], {"basis": "received"}, "csv")
    session.commit()
    run_outbox_job(bound_db, job.outbox_job_id)
    session.refresh(job)
    assert job.state == FileJobState.DONE, job.error
    text = file_path(exports_dir(settings_of(session)), job).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
    assert sorted(r[0] for r in rows) == sorted(o.number for o in world["theirs"])
    assert MARKER_OTHER not in text and MARKER_OWN not in text and "BDM" not in text
