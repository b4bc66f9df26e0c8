"""The settlements pages over HTTP: rate cards, statements and claims for the head office, a partner's
read-only view of its own statements, documents, refusals."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from servicecenter.accounts.roles import Role
from servicecenter.settlements.models import ClaimState, RateCard, StatementState
from tests.domain.test_settlements import World
from tests.factories import csrf_token, login
from tests.printing import readback

D = Decimal
WORLD: list[World] = []


def text(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


@pytest.fixture
def w(factory, session, monkeypatch) -> World:  # noqa: ANN001
    world = World(factory, session, monkeypatch)
    world.admin.locale = "en"
    world.card("partner", lines=[("", "1000")])
    world.card("manufacturer", lines=[("", "800")])
    world.ekb = factory.center("EKB", kind="partner", name="Партнёр Екатеринбург")
    world.card("partner", center_id=world.ekb.id)
    world.mine = world.repair(at=datetime(2026, 3, 10, 9, tzinfo=UTC))
    world.theirs = world.repair(center=world.ekb, at=datetime(2026, 3, 11, 9, tzinfo=UTC))
    world.partner = factory.user(world.kzn, Role.PARTNER, email="partner@kzn.test")
    world.partner.locale = "en"
    session.flush()
    WORLD[:] = [world]
    return world


def post(client, page_url: str, url: str, data: dict | None = None):  # noqa: ANN001, ANN201
    """Send a form of the page with its CSRF token; the test's own session then reads afresh."""
    token = csrf_token(text(client.get(page_url)))
    response = client.post(url, data={**(data or {}), "csrf_token": token})
    WORLD[0].session.expire_all()
    return response


def test_the_head_office_disputes_rejects_approves_and_pays_a_statement(client, w) -> None:  # noqa: ANN001
    login(client, w.admin.email)
    line = w.statement_line(w.mine)
    statement = line.statement
    listing = client.get("/settlements/statements/?period=2026-03&state=open")
    assert listing.status_code == 200 and "KZN" in text(listing) and "EKB" in text(listing)
    assert 'href="/settlements/claims/"' in text(listing) and 'href="/settlements/rate-cards/"' in text(listing)
    filtered = text(client.get(f"/settlements/statements/?partner={w.kzn.id}"))
    assert filtered.count("data-statement=") == 1 and "<td>KZN — " in filtered
    page_url = f"/settlements/statements/{statement.id}"
    page = client.get(page_url)
    assert page.status_code == 200 and w.mine.number in text(page) and "1,200.00" in text(page)

    refused = post(client, page_url, f"{page_url}/lines/{line.id}/dispute", {"reason": ""})
    assert refused.status_code == 422 and line.dispute.value == "none"
    assert post(client, page_url, f"{page_url}/lines/{line.id}/dispute", {"reason": "Нет акта"}).status_code == 303
    refused = post(client, page_url, f"{page_url}/approve")
    assert refused.status_code == 409 and "disputed" in text(refused)
    settled = post(client, page_url, f"{page_url}/lines/{line.id}/settle", {"decision": "reject", "reason": "Нет акта"})
    assert settled.status_code == 303
    page = client.get(page_url)
    assert "Dispute settled: rejected" in text(page) and "Нет акта" in text(page)
    assert post(client, page_url, f"{page_url}/approve").status_code == 303
    assert statement.state == StatementState.APPROVED
    assert post(client, page_url, f"{page_url}/pay", {"payment_date": "2026-04-10", "reference": "П/п 7"}
                ).status_code == 303
    assert statement.state == StatementState.PAID

    pdf = client.get(f"{page_url}/statement.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    pdf_text = readback.text(pdf.data)
    assert w.mine.number in pdf_text and "Итого с НДС 0,00 ₽" in pdf_text and "Не учтена" in pdf_text
    sheet = client.get(f"{page_url}/statement.csv")
    assert sheet.data.startswith("\ufeff".encode()) and "attachment" in sheet.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(sheet.data.decode("utf-8-sig")), delimiter=";"))
    assert any(w.mine.number in r for r in rows)


def test_a_stale_form_is_refused(client, w) -> None:  # noqa: ANN001
    login(client, w.admin.email)
    line = w.statement_line(w.mine)
    page_url = f"/settlements/statements/{line.statement_id}"
    old = line.statement.version
    post(client, page_url, f"{page_url}/reprice", {"version": old})
    stale = post(client, page_url, f"{page_url}/lines/{line.id}/dispute", {"reason": "x", "version": old})
    assert stale.status_code == 409 and line.dispute.value == "none"


def test_a_partner_sees_its_own_statements_read_only_and_nothing_else(client, w, session) -> None:  # noqa: ANN001
    login(client, w.partner.email)
    mine, theirs = w.statement_line(w.mine).statement, w.statement_line(w.theirs).statement
    listing = client.get("/settlements/statements/")
    assert listing.status_code == 200 and "KZN" in text(listing) and "EKB" not in text(listing)
    assert "Партнёр Екатеринбург" not in text(listing) and "/settlements/claims/" not in text(listing)
    page = client.get(f"/settlements/statements/{mine.id}")
    assert page.status_code == 200 and w.mine.number in text(page)
    assert 'data-form="dispute"' not in text(page) and "/approve" not in text(page)
    for url in (f"/settlements/statements/{theirs.id}", f"/settlements/statements/{theirs.id}/statement.pdf",
                f"/settlements/statements/{theirs.id}/statement.csv"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert w.theirs.number not in text(response) and "EKB" not in text(response)
    claim = w.claim_line(w.mine).claim
    for url in ("/settlements/claims/", f"/settlements/claims/{claim.id}", f"/settlements/claims/{claim.id}/claim.pdf",
                "/settlements/rate-cards/"):
        # not for partners: 404 behind the wall (403 for our own staff's roles)
        assert client.get(url).status_code in (403, 404), url
    token = csrf_token(text(page))
    line = w.statement_line(w.mine)
    refused = client.post(f"/settlements/statements/{mine.id}/lines/{line.id}/dispute",
                          data={"reason": "x", "csrf_token": token})
    session.expire_all()
    assert refused.status_code in (403, 404) and line.dispute.value == "none"
    assert client.get(f"/settlements/statements/{mine.id}/statement.pdf").status_code == 200


def test_the_head_office_submits_a_claim_records_verdicts_and_the_payment(client, w) -> None:  # noqa: ANN001
    login(client, w.admin.email)
    claim = w.claim_line(w.mine).claim
    listing = client.get("/settlements/claims/?period=2026-03")
    assert listing.status_code == 200 and "Бренд-А" in text(listing)
    page_url = f"/settlements/claims/{claim.id}"
    assert post(client, page_url, f"{page_url}/submit").status_code == 303
    assert claim.state == ClaimState.SUBMITTED
    ok, bad = (w.claim_line(o) for o in (w.mine, w.theirs))
    refused = post(client, page_url, f"{page_url}/lines/{bad.id}/verdict", {"decision": "reject", "reason": ""})
    assert refused.status_code == 422
    post(client, page_url, f"{page_url}/lines/{ok.id}/verdict", {"decision": "accept"})
    post(client, page_url, f"{page_url}/lines/{bad.id}/verdict", {"decision": "reject", "reason": "Не гарантия"})
    assert post(client, page_url, f"{page_url}/pay", {"payment_date": "2026-05-02", "reference": "SWIFT"}
                ).status_code == 303
    assert (claim.state, claim.paid_amount) == (ClaimState.PAID, D("960.00"))
    page = client.get(page_url)
    assert "Не гарантия" in text(page) and "960.00" in text(page)
    pdf_text = readback.text(client.get(f"{page_url}/claim.pdf").data)
    assert "Гарантийная претензия" in pdf_text and "Отклонена производителем: Не гарантия" in pdf_text
    assert "Принято производителем 960,00 ₽" in pdf_text and "Итого с НДС 1 920,00 ₽" in pdf_text
    nothing = post(client, page_url, f"{page_url}/ship-defective")
    assert nothing.status_code == 422


def test_rate_cards_are_added_and_edited_by_the_head_office(client, w, session) -> None:  # noqa: ANN001
    login(client, w.admin.email)
    before = session.scalar(select(func.count()).select_from(RateCard))
    page = client.get("/settlements/rate-cards/new")
    assert page.status_code == 200
    data = {"csrf_token": csrf_token(text(page)), "kind": "partner", "center_id": str(w.kzn.id),
            "valid_from": "2026-04-01", "labour_basis": "per_repair", "hourly_rate": "0", "travel_allowance": "150",
            "parts_basis": "cost", "vat_rate": "0", "note": "",
            "lines-0-category": "", "lines-0-labour": "900", "lines-1-category": "Холодильники",
            "lines-1-labour": "1 400,50", "lines-2-category": "", "lines-2-labour": ""}
    bad = client.post("/settlements/rate-cards/new", data={**data, "vat_rate": "150", "valid_from": "завтра"})
    assert bad.status_code == 422 and session.scalar(select(func.count()).select_from(RateCard)) == before
    created = client.post("/settlements/rate-cards/new", data=data)
    assert created.status_code == 303
    session.expire_all()
    card = session.scalars(select(RateCard).order_by(RateCard.id.desc())).first()
    assert {(line.category, line.labour) for line in card.lines} == {("", D("900.00")),
                                                                     ("Холодильники", D("1400.50"))}
    listing = client.get("/settlements/rate-cards/")
    assert "Холодильники" in text(listing)
    edit_url = f"/settlements/rate-cards/{card.id}/edit"
    page = client.get(edit_url)
    assert page.status_code == 200 and "1400.50" in text(page)
    saved = client.post(edit_url, data={**data, "csrf_token": csrf_token(text(page)), "lines-1-labour": "1500"})
    assert saved.status_code == 303
    session.expire_all()
    assert {line.labour for line in card.lines} == {D("900.00"), D("1500.00")}
    assert client.get("/settlements/rate-cards/999999/edit").status_code == 404
