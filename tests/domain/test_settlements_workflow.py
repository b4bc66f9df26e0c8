"""Statements and claims after their lines: disputes, approval, verdicts, payment, the partner wall,
and shipping a claim's defective parts to the manufacturer."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

import servicecenter.settlements.claims as claims_module
import servicecenter.settlements.statements as statements_module
from servicecenter.accounts.roles import Role
from servicecenter.errors import PermissionDenied, StateConflict, ValidationFailed
from servicecenter.scoping import NETWORK, Scope, set_scope
from servicecenter.settlements import claims, statements
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
from servicecenter.settlements.queries import list_claims, list_statements
from servicecenter.shipments.models import ShipmentItem
from servicecenter.stock.models import Part
from servicecenter.stock.warehouse import keep_defective_part
from tests.domain.test_settlements import World

D = Decimal
AFTER_MARCH = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def w(factory, session, monkeypatch) -> World:  # noqa: ANN001
    world = World(factory, session, monkeypatch)
    world.card("partner", lines=[("", "1000")])
    world.card("manufacturer", lines=[("", "800")])
    return world


def at(monkeypatch, moment: datetime) -> None:  # noqa: ANN001
    monkeypatch.setattr(statements_module, "utcnow", lambda: moment)
    monkeypatch.setattr(claims_module, "utcnow", lambda: moment)


def test_a_disputed_then_rejected_line_leaves_the_total(w, monkeypatch) -> None:  # noqa: ANN001
    orders = [w.repair(at=datetime(2026, 3, d, 10, tzinfo=UTC)) for d in (2, 3)]
    first, second = (w.statement_line(o) for o in orders)
    statement = first.statement
    assert statements.totals(statement).total == D("2400.00")
    with pytest.raises(ValidationFailed):
        statements.dispute_line(w.session, w.admin, first, "  ")
    statements.dispute_line(w.session, w.admin, first, "Нет акта выполненных работ")
    assert first.dispute == DisputeState.DISPUTED and statements.totals(statement).total == D("2400.00")
    with pytest.raises(ValidationFailed):
        statements.settle_dispute(w.session, w.admin, first, accept=False, note="")
    statements.settle_dispute(w.session, w.admin, first, accept=False, note="Акт так и не прислан")
    figures = statements.totals(statement)
    assert (figures.total, figures.counted, figures.rejected) == (D("1200.00"), 1, 1)
    assert figures.total == second.total
    assert list_statements(w.session)[0].total == D("1200.00")  # the list sums the same lines
    # an accepted dispute keeps its line
    statements.dispute_line(w.session, w.admin, second, "Проверить")
    statements.settle_dispute(w.session, w.admin, second, accept=True)
    assert statements.totals(statement).total == D("1200.00")


def test_approve_is_refused_before_the_month_ends_or_while_a_line_is_disputed(w, monkeypatch) -> None:  # noqa: ANN001
    line = w.statement_line(w.repair(at=datetime(2026, 3, 31, 18, 0, tzinfo=UTC)))
    statement = line.statement
    at(monkeypatch, datetime(2026, 3, 31, 18, 59, 59, tzinfo=UTC))  # 23:59:59 in Yekaterinburg
    with pytest.raises(StateConflict):
        statements.approve_statement(w.session, w.admin, statement)
    at(monkeypatch, datetime(2026, 3, 31, 19, 0, tzinfo=UTC))  # 00:00 on 1 April there
    statements.dispute_line(w.session, w.admin, line, "Сомнительно")
    with pytest.raises(StateConflict):
        statements.approve_statement(w.session, w.admin, statement)
    statements.settle_dispute(w.session, w.admin, line, accept=True)
    with pytest.raises(PermissionDenied):
        statements.approve_statement(w.session, w.factory.staff(w.kzn, Role.PARTNER), statement)
    statements.approve_statement(w.session, w.admin, statement)
    assert statement.state == StatementState.APPROVED
    # frozen: no re-pricing, no new disputes
    with pytest.raises(StateConflict):
        statements.reprice_statement(w.session, w.admin, statement)
    with pytest.raises(StateConflict):
        statements.dispute_line(w.session, w.admin, line, "Поздно")
    with pytest.raises(ValidationFailed) as refused:
        statements.record_statement_payment(w.session, w.admin, statement, payment_date="", reference="")
    assert set(refused.value.errors) == {"payment_date", "payment_reference"}
    statements.record_statement_payment(w.session, w.admin, statement, payment_date="2026-04-10",
                                        reference="П/п 512")
    assert (statement.state, statement.payment_date, statement.payment_reference) == (
        StatementState.PAID, date(2026, 4, 10), "П/п 512")


def test_a_stale_version_is_refused(w) -> None:  # noqa: ANN001
    line = w.statement_line(w.repair())
    seen = line.statement.version
    statements.dispute_line(w.session, w.admin, line, "Проверить", expected_version=seen)
    from servicecenter.errors import ConcurrentUpdate

    with pytest.raises(ConcurrentUpdate):
        statements.settle_dispute(w.session, w.admin, line, accept=True, expected_version=seen)


def test_a_claim_line_rejected_with_a_reason_is_not_paid(w, monkeypatch) -> None:  # noqa: ANN001
    own = w.repair(center=w.hq, at=datetime(2026, 3, 5, 10, tzinfo=UTC))
    partner = w.repair(at=datetime(2026, 3, 6, 10, tzinfo=UTC))
    ok, bad = w.claim_line(own), w.claim_line(partner)
    claim = ok.claim
    assert claim is bad.claim and claims.totals(claim).total == D("1920.00")
    at(monkeypatch, datetime(2026, 3, 20, tzinfo=UTC))
    with pytest.raises(StateConflict):  # the month is not over
        claims.submit_claim(w.session, w.admin, claim)
    with pytest.raises(StateConflict):  # verdicts only on a submitted claim
        claims.record_verdict(w.session, w.admin, ok, accepted=True)
    at(monkeypatch, AFTER_MARCH)
    claims.submit_claim(w.session, w.admin, claim)
    assert claim.state == ClaimState.SUBMITTED
    with pytest.raises(StateConflict):
        claims.reprice_claim(w.session, w.admin, claim)
    claims.record_verdict(w.session, w.admin, ok, accepted=True)
    with pytest.raises(StateConflict):  # a line still waits for its verdict
        claims.record_claim_payment(w.session, w.admin, claim, payment_date="2026-05-01", reference="1")
    with pytest.raises(ValidationFailed):
        claims.record_verdict(w.session, w.admin, bad, accepted=False, reason="")
    claims.record_verdict(w.session, w.admin, bad, accepted=False, reason="Серийный номер не на гарантии")
    claims.record_claim_payment(w.session, w.admin, claim, payment_date="2026-05-01", reference="SWIFT 42")
    assert (claim.state, claim.paid_amount) == (ClaimState.PAID, D("960.00"))
    assert bad.verdict == Verdict.REJECTED and bad.verdict_reason == "Серийный номер не на гарантии"
    row = list_claims(w.session)[0]
    assert (row.total, row.accepted, row.pending) == (D("1920.00"), D("960.00"), 0)


def test_a_claim_with_no_rate_lines_is_repriced_then_submitted(w, monkeypatch) -> None:  # noqa: ANN001
    other = w.factory.manufacturer("Бренд-Б")
    order = w.repair(model=w.factory.model(other, category="Пылесосы"))
    line = w.claim_line(order)
    assert line.no_rate and line.total == D("0.00")
    at(monkeypatch, AFTER_MARCH)
    with pytest.raises(ValidationFailed):
        claims.submit_claim(w.session, w.admin, line.claim)
    w.session.add(RateCard(kind="manufacturer", manufacturer_id=other.id, valid_from=date(2026, 3, 1),
                           labour_basis="per_hour", hourly_rate=D("600"), vat_rate=D("20")))
    w.session.flush()
    assert claims.reprice_claim(w.session, w.admin, line.claim) == 1
    assert not line.no_rate
    claims.submit_claim(w.session, w.admin, line.claim)


def test_the_partner_wall_shows_its_own_statements_and_no_claims(w, session) -> None:  # noqa: ANN001
    ekb = w.factory.center("EKB", kind="partner")
    w.card("partner", center_id=ekb.id, valid_from=date(2026, 1, 1))
    w.repair()
    w.repair(center=ekb)
    w.repair(center=w.hq)
    kzn_id = w.kzn.id
    session.expunge_all()
    set_scope(session, Scope(kzn_id))
    assert {s.center_id for s in session.scalars(select(PartnerStatement))} == {kzn_id}
    assert {line.center_id for line in session.scalars(select(StatementLine))} == {kzn_id}
    assert session.scalars(select(ManufacturerClaim)).all() == []
    assert session.scalars(select(ClaimLine)).all() == []
    assert {c.center_id for c in session.scalars(select(RateCard))} == {kzn_id}  # its own rates only
    assert [row.statement.center_id for row in list_statements(session)] == [kzn_id]
    assert list_claims(session) == []
    set_scope(session, NETWORK)


def test_a_partner_finishing_its_order_cannot_read_the_claim_back(w, session) -> None:  # noqa: ANN001
    set_scope(session, Scope(w.kzn.id))
    order = w.repair()  # finished by the partner, inside its wall
    assert session.scalars(select(ClaimLine)).all() == []
    assert not any(isinstance(obj, (ManufacturerClaim, ClaimLine)) for obj in session.identity_map.values())
    assert w.statement_line(order) is not None
    set_scope(session, NETWORK)
    assert w.claim_line(order) is not None


def test_the_claims_defective_parts_are_shipped_to_the_manufacturer_per_center(w, session, monkeypatch) -> None:  # noqa: ANN001
    board = Part(sku="BOARD-9", name="Плата управления", unit_cost=D("1000"), price=D("2400"))
    motor = Part(sku="MOTOR-3", name="Мотор", unit_cost=D("3000"), price=D("6000"))
    session.add_all([board, motor])
    session.flush()
    shipped: list = []

    def repair_with_defect(center, part, qty):  # noqa: ANN001, ANN202
        order = w.factory.order(center, state="in_repair", unit=w.factory.unit(model=w.washer),
                                order_type="warranty", warranty_covered=True)
        keep_defective_part(session, w.admin, order, part, qty)
        from servicecenter.repairs.services import apply_transition

        apply_transition(session, order, "ready_for_pickup", w.admin, outcome="repaired", outcome_note="ok")
        shipped.append(order)
        return order

    repair_with_defect(w.hq, board, 1)
    repair_with_defect(w.hq, motor, 1)
    repair_with_defect(w.kzn, board, 2)
    claim = w.claim_line(shipped[0]).claim
    where = claims.defective_parts(session, list(claim.lines))
    assert {item.location.code for items in where.values() for item in items} == {"HQ-DEF", "KZN-DEF"}
    shipments = claims.ship_defective_parts(session, w.admin, claim)
    assert sorted(s.from_location.code for s in shipments) == ["HQ-DEF", "KZN-DEF"]
    assert {s.to_location.kind.value for s in shipments} == {"manufacturer"}
    contents = {(s.from_location.code, i.part.sku, i.quantity) for s in shipments
                for i in session.scalars(select(ShipmentItem).where(ShipmentItem.shipment_id == s.id))}
    assert contents == {("HQ-DEF", "BOARD-9", 1), ("HQ-DEF", "MOTOR-3", 1), ("KZN-DEF", "BOARD-9", 2)}
    assert all(line.defective_shipment_id for line in claim.lines)
    with pytest.raises(ValidationFailed):  # nothing left to ship
        claims.ship_defective_parts(session, w.admin, claim)
