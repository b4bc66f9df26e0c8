"""Settlements over the API: partner statements, manufacturer claims and rate cards — the settlements
workstation's services and roles (a partner reads its own statements; the head office does the rest)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

import servicecenter.repairs.services as repair_services
import servicecenter.settlements.claims as claims_module
import servicecenter.settlements.statements as statements_module
from servicecenter.accounts.roles import Role
from servicecenter.centers.models import CenterKind
from servicecenter.repairs.models import OrderType
from servicecenter.repairs.services import apply_transition
from servicecenter.repairs.states import RepairState
from servicecenter.settlements.models import (
    ClaimLine,
    ClaimState,
    DisputeState,
    ManufacturerClaim,
    PartnerStatement,
    RateCard,
    StatementLine,
    StatementState,
    Verdict,
)
from servicecenter.settlements.rates import create_rate_card, update_rate_card
from servicecenter.shipments.models import Shipment, ShipmentItem
from servicecenter.stock.models import Part
from servicecenter.stock.warehouse import keep_defective_part

D = Decimal
MARCH = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
V1 = "/api/v1/settlements"


class Books:
    """Rate cards, and a March warranty repair at MSK, EKB and NSK (statements for the partners, one claim)."""

    def __init__(self, factory, world, session, monkeypatch) -> None:  # noqa: ANN001
        self.factory, self.world, self.session, self.monkeypatch = factory, world, session, monkeypatch
        admin = world.users["admin"]
        self.cards = {
            "EKB": create_rate_card(session, admin, kind="partner", center_id=world.ekb.id,
                                    valid_from=date(2026, 1, 1), lines=[("", "1000")], vat_rate="20"),
            "NSK": create_rate_card(session, admin, kind="partner", center_id=world.nsk.id,
                                    valid_from=date(2026, 1, 1), lines=[("", "900")], vat_rate="0"),
            "brand": create_rate_card(session, admin, kind="manufacturer", manufacturer_id=world.brand.id,
                                      valid_from=date(2026, 1, 1), lines=[("", "800")], vat_rate="20"),
        }
        self.orders = {c.code: self.repair(c) for c in (world.msk, world.ekb, world.nsk)}
        session.flush()

    def repair(self, center, model=None, defective=None):  # noqa: ANN001, ANN201
        """A warranty order of `center` finished on 10 March 2026 (parts kept for the manufacturer: defective)."""
        order = self.factory.order(center, state=RepairState.IN_REPAIR,
                                   unit=self.factory.unit(model or self.world.model),
                                   order_type=OrderType.WARRANTY, warranty_covered=True)
        if defective:
            keep_defective_part(self.session, self.world.users["admin"], order, *defective)
        bench = self.factory.staff(center, Role.PARTNER if center.kind == CenterKind.PARTNER else Role.ENGINEER)
        self.monkeypatch.setattr(repair_services, "utcnow", lambda: MARCH)
        apply_transition(self.session, order, RepairState.READY_FOR_PICKUP, bench, outcome="repaired",
                         outcome_note="Готово")
        self.monkeypatch.undo()
        return order

    def statement(self, code: str) -> PartnerStatement:
        self.session.expire_all()
        return self.session.scalar(select(PartnerStatement).join(PartnerStatement.center)
                                   .where(PartnerStatement.center_id == getattr(self.world, code.lower()).id))

    def statement_line(self, code: str) -> StatementLine:
        self.session.expire_all()
        return self.session.scalar(select(StatementLine).where(StatementLine.order_id == self.orders[code].id))

    def claim(self) -> ManufacturerClaim:
        self.session.expire_all()
        return self.session.scalar(select(ManufacturerClaim).where(
            ManufacturerClaim.manufacturer_id == self.world.brand.id))

    def claim_line(self, code: str) -> ClaimLine:
        self.session.expire_all()
        return self.session.scalar(select(ClaimLine).where(ClaimLine.order_id == self.orders[code].id))


@pytest.fixture
def books(factory, world, session, monkeypatch) -> Books:  # noqa: ANN001
    return Books(factory, world, session, monkeypatch)


def at(monkeypatch, moment: datetime) -> None:  # noqa: ANN001
    monkeypatch.setattr(statements_module, "utcnow", lambda: moment)
    monkeypatch.setattr(claims_module, "utcnow", lambda: moment)


def _statement_url(books: Books, code: str = "EKB", tail: str = "") -> str:
    return f"{V1}/statements/{books.statement(code).id}{tail}"


def _claim_url(books: Books, tail: str = "") -> str:
    return f"{V1}/claims/{books.claim().id}{tail}"


# ---------------------------------------------------------------- statements: reading
def test_the_head_office_lists_statements_by_partner_period_and_state(api, books) -> None:  # noqa: ANN001
    listing = api("admin").get(f"{V1}/statements")
    assert listing.status_code == 200
    body = listing.get_json()
    rows = {row["center"]: row for row in body["items"]}
    assert set(rows) == {"EKB", "NSK"} and body["total"] == 2
    assert rows["EKB"] == {"id": books.statement("EKB").id, "number": "ST-EKB-2026-03", "center": "EKB",
                           "center_name": books.world.ekb.name, "period": "2026-03", "state": "open",
                           "lines": 1, "disputed": 0, "total": "1200.00"}
    assert rows["NSK"]["total"] == "900.00"  # no VAT on its card
    only = api("admin").get(f"{V1}/statements", query_string={"partner": "ekb", "period": "2026-03",
                                                               "state": "open"}).get_json()
    assert [row["center"] for row in only["items"]] == ["EKB"]
    assert api("admin").get(f"{V1}/statements", query_string={"period": "2026-02"}).get_json()["items"] == []
    assert api("admin").get(f"{V1}/statements", query_string={"state": "paid"}).get_json()["total"] == 0
    paged = api("admin").get(f"{V1}/statements", query_string={"per_page": 1, "page": 2}).get_json()
    assert (len(paged["items"]), paged["page"], paged["pages"], paged["total"]) == (1, 2, 2, 2)


@pytest.mark.parametrize("query,field", [({"period": "2026-13"}, "period"), ({"period": "март"}, "period"),
                                         ({"state": "closed"}, "state"), ({"partner": "ZZZ"}, "partner"),
                                         ({"per_page": "0"}, "per_page")])
def test_wrong_statement_filters_are_422(api, books, query, field) -> None:  # noqa: ANN001
    refused = api("admin").get(f"{V1}/statements", query_string=query)
    assert refused.status_code == 422 and set(refused.get_json()["errors"]) == {field}


def test_a_partner_reads_only_its_own_statements(api, books) -> None:  # noqa: ANN001
    listing = api("partner").get(f"{V1}/statements").get_json()
    assert [row["center"] for row in listing["items"]] == ["EKB"] and listing["total"] == 1
    own = api("partner").get(_statement_url(books))
    assert own.status_code == 200
    statement = own.get_json()
    assert (statement["number"], statement["state"], statement["version"]) == ("ST-EKB-2026-03", "open", 1)
    assert statement["totals"] == {"net": "1000.00", "vat": "200.00", "total": "1200.00", "lines": 1, "counted": 1,
                                   "disputed": 0, "rejected": 0, "no_rate": 0}
    [line] = statement["lines"]
    assert line["order"] == books.orders["EKB"].number and line["unit"]["serial"] == books.orders["EKB"].unit.serial
    assert (line["labour"], line["travel"], line["parts"], line["net"], line["vat_rate"], line["vat"],
            line["total"]) == ("1000.00", "0.00", "0.00", "1000.00", "20.00", "200.00", "1200.00")
    assert (line["completed_on"], line["rate_card"], line["dispute"], line["counts"]) == (
        "2026-03-10", books.cards["EKB"].id, "none", True)
    # another partner's statement is not there, exactly like a missing one
    foreign = api("partner").get(_statement_url(books, "NSK"))
    missing = api("partner").get(f"{V1}/statements/987654")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.get_json() == missing.get_json()
    assert books.orders["NSK"].number not in foreign.get_data(as_text=True)


def test_statements_are_not_for_the_networks_other_roles(api, books) -> None:  # noqa: ANN001
    for who in ("engineer", "intake", "call_center", "logistics"):
        assert api(who).get(f"{V1}/statements").status_code == 403, who
        assert api(who).get(_statement_url(books)).status_code == 403, who
    assert api(None).get(f"{V1}/statements").status_code == 401


# ---------------------------------------------------------------- statements: the head office's actions
def test_dispute_reject_approve_and_pay_a_statement(api, books) -> None:  # noqa: ANN001
    line = books.statement_line("EKB")
    url = _statement_url(books)
    empty = api("admin").post(f"{url}/lines/{line.id}/dispute", json={"reason": "  "})
    assert empty.status_code == 422 and set(empty.get_json()["errors"]) == {"reason"}
    assert books.statement_line("EKB").dispute == DisputeState.NONE
    disputed = api("admin").post(f"{url}/lines/{line.id}/dispute", json={"reason": "Нет акта", "version": 1})
    assert disputed.status_code == 200
    assert disputed.get_json()["lines"][0]["dispute"] == "disputed" and disputed.get_json()["version"] == 2
    assert (books.statement_line("EKB").dispute, books.statement_line("EKB").dispute_reason) == (
        DisputeState.DISPUTED, "Нет акта")
    assert api("admin").post(f"{url}/lines/{line.id}/dispute", json={"reason": "ещё раз"}).status_code == 409
    blocked = api("admin").post(f"{url}/approve", json={})
    assert blocked.status_code == 409 and books.statement("EKB").state == StatementState.OPEN
    no_reason = api("admin").post(f"{url}/lines/{line.id}/settle", json={"decision": "reject"})
    assert no_reason.status_code == 422 and set(no_reason.get_json()["errors"]) == {"reason"}
    no_decision = api("admin").post(f"{url}/lines/{line.id}/settle", json={"reason": "x"})
    assert no_decision.status_code == 422 and set(no_decision.get_json()["errors"]) == {"decision"}
    assert books.statement_line("EKB").dispute == DisputeState.DISPUTED
    settled = api("admin").post(f"{url}/lines/{line.id}/settle", json={"decision": "reject", "reason": "Не прислан"})
    assert settled.status_code == 200
    body = settled.get_json()
    assert body["lines"][0]["dispute"] == "rejected" and body["lines"][0]["counts"] is False
    assert body["lines"][0]["resolution_note"] == "Не прислан"
    assert (body["totals"]["total"], body["totals"]["rejected"]) == ("0.00", 1)
    approved = api("admin").post(f"{url}/approve", json={"version": body["version"]})
    assert approved.status_code == 200 and approved.get_json()["state"] == "approved"
    assert books.statement("EKB").state == StatementState.APPROVED
    frozen = api("admin").post(f"{url}/lines/{line.id}/dispute", json={"reason": "x"})
    assert frozen.status_code == 409 and frozen.get_json()["current"] == "approved"
    assert api("admin").post(f"{url}/reprice", json={}).status_code == 409
    bad = api("admin").post(f"{url}/pay", json={"payment_date": "10.04.2026", "payment_reference": ""})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"payment_date", "payment_reference"}
    assert books.statement("EKB").state == StatementState.APPROVED
    paid = api("admin").post(f"{url}/pay", json={"payment_date": "2026-04-10", "payment_reference": "П/п 7"})
    assert paid.status_code == 200
    assert (paid.get_json()["state"], paid.get_json()["payment_date"]) == ("paid", "2026-04-10")
    statement = books.statement("EKB")
    assert (statement.state, statement.payment_date, statement.payment_reference) == (
        StatementState.PAID, date(2026, 4, 10), "П/п 7")
    assert api("admin").post(f"{url}/pay", json={"payment_date": "2026-04-11",
                                                 "payment_reference": "again"}).status_code == 409


def test_an_accepted_dispute_keeps_the_line(api, books) -> None:  # noqa: ANN001
    line, url = books.statement_line("EKB"), _statement_url(books)
    api("admin").post(f"{url}/lines/{line.id}/dispute", json={"reason": "Проверить"})
    accepted = api("admin").post(f"{url}/lines/{line.id}/settle", json={"decision": "accept"})
    assert accepted.status_code == 200 and accepted.get_json()["totals"]["total"] == "1200.00"
    assert books.statement_line("EKB").dispute == DisputeState.ACCEPTED
    again = api("admin").post(f"{url}/lines/{line.id}/settle", json={"decision": "accept"})
    assert again.status_code == 409  # not disputed any more


def test_approval_waits_for_the_month_to_end_at_the_partner(api, books, monkeypatch) -> None:  # noqa: ANN001
    at(monkeypatch, datetime(2026, 3, 31, 12, 0, tzinfo=UTC))
    early = api("admin").post(_statement_url(books, tail="/approve"), json={})
    assert early.status_code == 409 and early.get_json()["type"].endswith("state-conflict")
    assert books.statement("EKB").state == StatementState.OPEN


def test_a_statement_is_repriced_at_the_corrected_card(api, books, session) -> None:  # noqa: ANN001
    update_rate_card(session, books.world.users["admin"], books.cards["EKB"], lines=[("", "1500")])
    session.flush()
    url = _statement_url(books)
    stale = api("admin").post(f"{url}/reprice", json={"version": 7})
    assert stale.status_code == 409 and books.statement_line("EKB").labour == D("1000.00")
    repriced = api("admin").post(f"{url}/reprice", json={"version": 1})
    assert repriced.status_code == 200
    assert repriced.get_json()["lines"][0]["labour"] == "1500.00" and repriced.get_json()["totals"]["total"] == "1800.00"
    assert books.statement_line("EKB").total == D("1800.00")


@pytest.mark.parametrize("tail,body", [("/approve", {}), ("/reprice", {}),
                                       ("/pay", {"payment_date": "2026-04-10", "payment_reference": "1"}),
                                       ("/lines/{line}/dispute", {"reason": "x"}),
                                       ("/lines/{line}/settle", {"decision": "accept"})])
def test_statement_actions_are_the_head_offices(api, books, tail, body) -> None:  # noqa: ANN001
    line = books.statement_line("EKB")
    url = _statement_url(books, tail=tail.format(line=line.id))
    # a partner, even on its own statement: the action does not exist for it; our other staff: 403
    assert api("partner").post(url, json=body).status_code == 404
    assert api("nsk_partner").post(url, json=body).status_code == 404
    assert api("engineer").post(url, json=body).status_code == 403
    assert api("call_center").post(url, json=body).status_code == 403
    statement = books.statement("EKB")
    assert (statement.state, statement.version, books.statement_line("EKB").dispute) == (
        StatementState.OPEN, 1, DisputeState.NONE)


def test_statement_actions_refuse_bad_requests_and_unknown_ids(api, books) -> None:  # noqa: ANN001
    url, line = _statement_url(books), books.statement_line("EKB")
    other = books.statement_line("NSK")
    assert api("admin").post(f"{url}/approve", data="{}", content_type="text/plain").status_code == 415
    assert api("admin").post(f"{url}/approve", json=[1]).status_code == 400
    wrong_version = api("admin").post(f"{url}/approve", json={"version": "1"})
    assert wrong_version.status_code == 422 and set(wrong_version.get_json()["errors"]) == {"version"}
    long = api("admin").post(f"{url}/lines/{line.id}/dispute", json={"reason": "x" * 2001})
    assert long.status_code == 422 and set(long.get_json()["errors"]) == {"reason"}
    bad_type = api("admin").post(f"{url}/pay", json={"payment_date": 20260410, "payment_reference": "1"})
    assert bad_type.status_code == 422 and set(bad_type.get_json()["errors"]) == {"payment_date"}
    # another statement's line under this statement, and a missing statement: 404
    assert api("admin").post(f"{url}/lines/{other.id}/dispute", json={"reason": "x"}).status_code == 404
    assert api("admin").post(f"{V1}/statements/987654/approve", json={}).status_code == 404
    assert api("admin").get(f"{V1}/statements/987654").status_code == 404
    assert books.statement_line("EKB").dispute == books.statement_line("NSK").dispute == DisputeState.NONE
    assert books.statement("EKB").state == StatementState.OPEN and books.statement("EKB").version == 1


# ---------------------------------------------------------------- claims
def test_the_head_office_lists_and_reads_claims(api, books) -> None:  # noqa: ANN001
    listing = api("admin").get(f"{V1}/claims", query_string={"manufacturer": "атлант", "period": "2026-03",
                                                             "state": "open"})
    assert listing.status_code == 200
    claim = books.claim()
    assert listing.get_json()["items"] == [{
        "id": claim.id, "number": f"WC-2026-03-{claim.id:04d}", "manufacturer": "Атлант", "period": "2026-03",
        "state": "open", "lines": 3, "pending": 3, "total": "2880.00", "accepted": "0.00"}]
    assert api("admin").get(f"{V1}/claims", query_string={"state": "paid"}).get_json()["items"] == []
    for query, field in (({"manufacturer": "Нет такого"}, "manufacturer"), ({"period": "2026-3"}, "period"),
                         ({"state": "approved"}, "state")):
        refused = api("admin").get(f"{V1}/claims", query_string=query)
        assert refused.status_code == 422 and set(refused.get_json()["errors"]) == {field}
    one = api("admin").get(_claim_url(books))
    assert one.status_code == 200
    body = one.get_json()
    assert {line["center"] for line in body["lines"]} == {"MSK", "EKB", "NSK"}
    assert body["totals"] == {"net": "2400.00", "vat": "480.00", "total": "2880.00", "accepted": "0.00",
                              "rejected": "0.00", "pending": 3, "lines": 3, "no_rate": 0}
    assert body["paid_amount"] is None and all(line["verdict"] == "pending" for line in body["lines"])


def test_claims_are_not_for_partners_nor_other_staff(api, books) -> None:  # noqa: ANN001
    url = _claim_url(books)
    for path in (f"{V1}/claims", url):
        assert api("partner").get(path).status_code == 404  # behind the wall: claims do not exist
        assert api("engineer").get(path).status_code == 403
    line = books.claim_line("EKB")
    for tail, body in (("/submit", {}), ("/reprice", {}), ("/ship-defective", {}),
                       ("/pay", {"payment_date": "2026-05-02", "payment_reference": "1"}),
                       (f"/lines/{line.id}/verdict", {"decision": "accept"})):
        assert api("partner").post(url + tail, json=body).status_code == 404, tail
        assert api("team_lead").post(url + tail, json=body).status_code == 403, tail
    assert books.claim().state == ClaimState.OPEN and books.claim().version == 1


def test_submit_record_verdicts_and_the_payment(api, books) -> None:  # noqa: ANN001
    url = _claim_url(books)
    msk, ekb, nsk = (books.claim_line(code) for code in ("MSK", "EKB", "NSK"))
    early = api("admin").post(f"{url}/lines/{msk.id}/verdict", json={"decision": "accept"})
    assert early.status_code == 409 and books.claim_line("MSK").verdict == Verdict.PENDING
    submitted = api("admin").post(f"{url}/submit", json={"version": 1})
    assert submitted.status_code == 200 and submitted.get_json()["state"] == "submitted"
    assert books.claim().state == ClaimState.SUBMITTED and books.claim().submitted_at is not None
    assert api("admin").post(f"{url}/submit", json={}).status_code == 409
    assert api("admin").post(f"{url}/reprice", json={}).status_code == 409
    unsaid = api("admin").post(f"{url}/lines/{ekb.id}/verdict", json={"decision": "reject", "reason": ""})
    assert unsaid.status_code == 422 and set(unsaid.get_json()["errors"]) == {"reason"}
    odd = api("admin").post(f"{url}/lines/{ekb.id}/verdict", json={"decision": "maybe"})
    assert odd.status_code == 422 and set(odd.get_json()["errors"]) == {"decision"}
    assert books.claim_line("EKB").verdict == Verdict.PENDING
    assert api("admin").post(f"{url}/lines/{msk.id}/verdict", json={"decision": "accept"}).status_code == 200
    rejected = api("admin").post(f"{url}/lines/{ekb.id}/verdict", json={"decision": "reject",
                                                                         "reason": "Не гарантия"})
    assert rejected.status_code == 200
    assert {(line["center"], line["verdict"]) for line in rejected.get_json()["lines"]} == {
        ("MSK", "accepted"), ("EKB", "rejected"), ("NSK", "pending")}
    assert (books.claim_line("EKB").verdict, books.claim_line("EKB").verdict_reason) == (Verdict.REJECTED,
                                                                                         "Не гарантия")
    pending = api("admin").post(f"{url}/pay", json={"payment_date": "2026-05-02", "payment_reference": "SWIFT"})
    assert pending.status_code == 409 and books.claim().state == ClaimState.SUBMITTED
    api("admin").post(f"{url}/lines/{nsk.id}/verdict", json={"decision": "accept"})
    unpaid = api("admin").post(f"{url}/pay", json={"payment_date": "", "payment_reference": "SWIFT"})
    assert unpaid.status_code == 422 and set(unpaid.get_json()["errors"]) == {"payment_date"}
    paid = api("admin").post(f"{url}/pay", json={"payment_date": "2026-05-02", "payment_reference": "SWIFT"})
    assert paid.status_code == 200
    assert (paid.get_json()["state"], paid.get_json()["paid_amount"]) == ("paid", "1920.00")
    claim = books.claim()
    assert (claim.state, claim.paid_amount, claim.payment_reference) == (ClaimState.PAID, D("1920.00"), "SWIFT")


def test_a_claim_is_submitted_only_after_the_month_and_with_every_line_priced(api, books, factory,
                                                                              monkeypatch) -> None:  # noqa: ANN001
    at(monkeypatch, datetime(2026, 3, 20, 12, 0, tzinfo=UTC))
    early = api("admin").post(_claim_url(books, "/submit"), json={})
    assert early.status_code == 409 and books.claim().state == ClaimState.OPEN
    monkeypatch.undo()
    # a brand without a rate card: its claim's line has no rate
    other = factory.model(factory.manufacturer("Безтарифный"), name="Х-1")
    books.world.msk.brands.append(other.manufacturer)
    books.repair(books.world.msk, model=other)
    claim_id = books.session.scalar(select(ManufacturerClaim.id).where(
        ManufacturerClaim.manufacturer_id == other.manufacturer_id))
    unpriced = api("admin").post(f"{V1}/claims/{claim_id}/submit", json={})
    assert unpriced.status_code == 422 and set(unpriced.get_json()["errors"]) == {"lines"}
    assert api("admin").get(f"{V1}/claims/{claim_id}").get_json()["totals"]["no_rate"] == 1
    books.session.expire_all()
    assert books.session.get(ManufacturerClaim, claim_id).state == ClaimState.OPEN


def test_a_claim_is_repriced_at_the_corrected_card(api, books, session) -> None:  # noqa: ANN001
    update_rate_card(session, books.world.users["admin"], books.cards["brand"], lines=[("", "1000")],
                     travel_allowance="100")
    session.flush()
    stale = api("admin").post(_claim_url(books, "/reprice"), json={"version": 3})
    assert stale.status_code == 409 and books.claim_line("MSK").total == D("960.00")
    repriced = api("admin").post(_claim_url(books, "/reprice"), json={"version": 1})
    assert repriced.status_code == 200
    assert {(line["labour"], line["travel"], line["total"]) for line in repriced.get_json()["lines"]} == {
        ("1000.00", "100.00", "1320.00")}
    assert books.claim_line("MSK").total == D("1320.00")


def test_the_claims_defective_parts_are_shipped_to_the_manufacturer(api, books, session) -> None:  # noqa: ANN001
    board = Part(sku="BOARD-9", name="Плата управления", unit_cost=D("1000"), price=D("2400"))
    session.add(board)
    session.flush()
    order = books.repair(books.world.ekb, defective=(board, 2))
    books.orders["EKB2"] = order
    url = _claim_url(books)
    before = api("admin").get(url).get_json()
    [with_part] = [line for line in before["lines"] if line["order"] == order.number]
    assert with_part["defective_parts"] == [{"sku": "BOARD-9", "name": "Плата управления", "quantity": 2,
                                             "location": "EKB-DEF", "shipment": None}]
    long = api("admin").post(f"{url}/ship-defective", json={"note": "x" * 2001})
    assert long.status_code == 422 and session.scalar(select(func.count()).select_from(Shipment)) == 0
    shipped = api("admin").post(f"{url}/ship-defective", json={"note": "Атлант, март"})
    assert shipped.status_code == 201, shipped.get_json()
    [shipment] = shipped.get_json()["shipments"]
    assert (shipment["from"], shipment["state"], shipment["items"][0]["code"], shipment["items"][0]["quantity"]) == (
        "EKB-DEF", "open", "BOARD-9", 2)
    [line] = [ln for ln in shipped.get_json()["claim"]["lines"] if ln["order"] == order.number]
    assert line["defective_parts"][0]["shipment"] == shipment["number"]
    session.expire_all()
    made = session.scalar(select(Shipment).where(Shipment.number == shipment["number"]))
    assert made.note == "Атлант, март" and made.to_location.kind.value == "manufacturer"
    assert session.scalar(select(func.count()).select_from(ShipmentItem).where(
        ShipmentItem.shipment_id == made.id)) == 1
    nothing_left = api("admin").post(f"{url}/ship-defective", json={})
    assert nothing_left.status_code == 422
    assert session.scalar(select(func.count()).select_from(Shipment)) == 1


def test_claims_and_claim_lines_that_are_not_there_are_404(api, books, factory) -> None:  # noqa: ANN001
    assert api("admin").get(f"{V1}/claims/987654").status_code == 404
    assert api("admin").post(f"{V1}/claims/987654/submit", json={}).status_code == 404
    assert api("admin").post(_claim_url(books, "/lines/987654/verdict"), json={"decision": "accept"}
                             ).status_code == 404
    # another claim's line under this claim
    other = factory.model(factory.manufacturer("Другой"), name="Д-1")
    books.world.msk.brands.append(other.manufacturer)
    foreign = books.repair(books.world.msk, model=other)
    books.session.flush()
    foreign_line = books.session.scalar(select(ClaimLine).where(ClaimLine.order_id == foreign.id))
    api("admin").post(_claim_url(books, "/submit"), json={})
    refused = api("admin").post(_claim_url(books, f"/lines/{foreign_line.id}/verdict"), json={"decision": "accept"})
    assert refused.status_code == 404
    books.session.expire_all()
    assert books.session.get(ClaimLine, foreign_line.id).verdict == Verdict.PENDING


# ---------------------------------------------------------------- rate cards
CARD = {"kind": "partner", "center": "ekb", "valid_from": "2026-04-01", "labour_basis": "per_repair",
        "travel_allowance": "150", "parts_basis": "cost", "vat_rate": 0,
        "lines": [{"category": "", "labour": 900}, {"category": "Холодильники", "labour": "1 400,50"}]}


def _count(session) -> int:  # noqa: ANN001
    session.expire_all()
    return session.scalar(select(func.count()).select_from(RateCard))


def test_the_head_office_lists_and_reads_rate_cards(api, books) -> None:  # noqa: ANN001
    listing = api("admin").get(f"{V1}/rate-cards")
    assert listing.status_code == 200 and listing.get_json()["total"] == 3
    by_id = {card["id"]: card for card in listing.get_json()["items"]}
    assert by_id[books.cards["EKB"].id]["center"] == "EKB" and by_id[books.cards["EKB"].id]["manufacturer"] is None
    brand = by_id[books.cards["brand"].id]
    assert (brand["kind"], brand["manufacturer"], brand["vat_rate"], brand["lines"]) == (
        "manufacturer", "Атлант", "20.00", [{"category": "", "labour": "800.00"}])
    partners = api("admin").get(f"{V1}/rate-cards", query_string={"kind": "partner"}).get_json()
    assert {card["kind"] for card in partners["items"]} == {"partner"} and partners["total"] == 2
    assert api("admin").get(f"{V1}/rate-cards", query_string={"kind": "x"}).status_code == 422
    one = api("admin").get(f"{V1}/rate-cards/{books.cards['NSK'].id}")
    assert one.status_code == 200 and one.get_json()["lines"] == [{"category": "", "labour": "900.00"}]
    assert api("admin").get(f"{V1}/rate-cards/987654").status_code == 404
    # the head office's: a partner does not see them (not even its own card), our other staff are refused
    assert api("partner").get(f"{V1}/rate-cards").status_code == 404
    assert api("partner").get(f"{V1}/rate-cards/{books.cards['EKB'].id}").status_code == 404
    assert api("engineer").get(f"{V1}/rate-cards").status_code == 403


def test_a_rate_card_is_added(api, books, session) -> None:  # noqa: ANN001
    before = _count(session)
    created = api("admin").post(f"{V1}/rate-cards", json={**CARD, "note": "Доп. соглашение 3"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["center"], body["valid_from"], body["travel_allowance"], body["vat_rate"], body["parts_basis"]) == (
        "EKB", "2026-04-01", "150.00", "0.00", "cost")
    assert _count(session) == before + 1
    card = session.get(RateCard, body["id"])
    assert card.center_id == books.world.ekb.id and card.note == "Доп. соглашение 3"
    assert {(line.category, line.labour) for line in card.lines} == {("", D("900.00")), ("Холодильники",
                                                                                        D("1400.50"))}
    maker = api("admin").post(f"{V1}/rate-cards", json={"kind": "manufacturer", "manufacturer": "АТЛАНТ",
                                                        "valid_from": "2026-06-01", "labour_basis": "per_hour",
                                                        "hourly_rate": 1200.5})
    assert maker.status_code == 201, maker.get_json()
    assert (maker.get_json()["manufacturer"], maker.get_json()["hourly_rate"]) == ("Атлант", "1200.50")


@pytest.mark.parametrize("change,fields", [
    ({"vat_rate": 150, "valid_from": "завтра"}, {"vat_rate", "valid_from"}),
    ({"valid_from": "2026-01-01"}, {"valid_from"}),  # the partner already has a card from that day
    ({"center": "MSK"}, {"center"}),  # not a partner center
    ({"center": "ZZZ"}, {"center"}),
    ({"kind": "manufacturer", "manufacturer": "Нет такого"}, {"manufacturer"}),
    ({"kind": None}, {"kind"}),
    ({"kind": "barter"}, {"kind"}),
    ({"lines": "900"}, {"lines"}),
    ({"lines": [{"category": "", "labour": "-1"}]}, {"lines"}),
    ({"lines": []}, {"lines"}),  # a per-repair card needs a line
    ({"hourly_rate": True}, {"hourly_rate"}),
    ({"labour_basis": "per_day"}, {"labour_basis"}),
])
def test_a_wrong_rate_card_is_refused_and_nothing_is_added(api, books, session, change, fields) -> None:  # noqa: ANN001
    before = _count(session)
    refused = api("admin").post(f"{V1}/rate-cards", json={**CARD, **change})
    assert refused.status_code == 422 and set(refused.get_json()["errors"]) == fields, refused.get_json()
    assert _count(session) == before


def test_rate_cards_are_kept_by_the_head_office_only(api, books, session) -> None:  # noqa: ANN001
    before = _count(session)
    card = books.cards["EKB"]
    for who, status in (("partner", 404), ("nsk_partner", 404), ("engineer", 403), ("call_center", 403)):
        assert api(who).post(f"{V1}/rate-cards", json=CARD).status_code == status, who
        assert api(who).open("PATCH", f"{V1}/rate-cards/{card.id}", json={"vat_rate": 0}).status_code == status
    assert _count(session) == before and session.get(RateCard, card.id).vat_rate == D("20.00")
    assert api("admin").post(f"{V1}/rate-cards", data="x", content_type="text/plain").status_code == 415
    assert api("admin").post(f"{V1}/rate-cards", json=["x"]).status_code == 400


def test_a_rate_card_is_changed(api, books, session) -> None:  # noqa: ANN001
    card = books.cards["EKB"]
    url = f"{V1}/rate-cards/{card.id}"
    changed = api("admin").open("PATCH", url, json={"lines": [{"category": "", "labour": "1500"}], "note": "с апреля"})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["lines"] == [{"category": "", "labour": "1500.00"}]
    assert changed.get_json()["vat_rate"] == "20.00" and changed.get_json()["valid_from"] == "2026-01-01"  # kept
    session.expire_all()
    assert [line.labour for line in session.get(RateCard, card.id).lines] == [D("1500.00")]
    assert session.get(RateCard, card.id).note == "с апреля"
    # what was priced keeps its figures until it is re-priced
    assert books.statement_line("EKB").labour == D("1000.00")
    refused = api("admin").open("PATCH", url, json={"vat_rate": "сто", "kind": "manufacturer"})
    assert refused.status_code == 422 and set(refused.get_json()["errors"]) == {"vat_rate", "manufacturer"}
    session.expire_all()
    assert session.get(RateCard, card.id).kind.value == "partner"
    assert session.get(RateCard, card.id).vat_rate == D("20.00")
    assert api("admin").open("PATCH", f"{V1}/rate-cards/987654", json={}).status_code == 404
    assert api("admin").open("PATCH", f"{V1}/rate-cards/{2**38}", json={}).status_code == 404  # past an id's range
