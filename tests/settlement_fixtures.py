"""Settlement records of a partner and of other centers, for tests that walk every route with their ids
(the partner isolation test): statements, their lines, claims, claim lines and rate cards."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from servicecenter.repairs.models import RepairOrder
from servicecenter.settlements.completion import claim_for, statement_for
from servicecenter.settlements.models import ClaimLine, RateCard, RateCardLine, StatementLine

COMPLETED = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def _line(model: type, order: RepairOrder, **kw: object) -> object:
    return model(order_id=order.id, center_id=order.center_id, completed_at=COMPLETED, completed_on=COMPLETED.date(),
                 category="Стиральные машины", labour=Decimal("1000.00"), net=Decimal("1000.00"),
                 vat_rate=Decimal("20"), vat=Decimal("200.00"), total=Decimal("1200.00"), **kw)


def _card(session: Session, center_id: int) -> RateCard:
    card = RateCard(kind="partner", center_id=center_id, valid_from=date(2026, 1, 1), vat_rate=Decimal("20"),
                    lines=[RateCardLine(category="", labour=Decimal("1000"))])
    session.add(card)
    session.flush()
    return card


def settlement_world(session: Session, *, own: RepairOrder, foreign: list[RepairOrder], kzn: object,
                     ekb: object) -> dict[str, dict]:
    """Own (`kzn`'s) and foreign ids by route parameter: statement_id, statement_line_id, claim_id,
    claim_line_id, card_id. Partners never see claims, so even the claim of their own repair is foreign."""
    orders = [own, *foreign]
    statements, statement_lines, claims, claim_lines = [], [], [], []
    for order in orders:
        statement = statement_for(session, order.center_id, "2026-03")
        line = _line(StatementLine, order, statement_id=statement.id)
        session.add(line)
        claim = claim_for(session, order.unit.manufacturer_id, "2026-03")
        claim_line = _line(ClaimLine, order, claim_id=claim.id)
        session.add(claim_line)
        session.flush()
        statements.append(statement.id)
        statement_lines.append(line.id)
        claims.append(claim.id)
        claim_lines.append(claim_line.id)
    own_card, ekb_card = _card(session, kzn.id), _card(session, ekb.id)  # type: ignore[attr-defined]
    return {
        "own": {"statement_id": statements[0], "statement_line_id": statement_lines[0], "claim_id": claims[0],
                "claim_line_id": claim_lines[0], "card_id": own_card.id},
        "foreign": {"statement_id": [s for s in statements[1:] if s != statements[0]],
                    "statement_line_id": statement_lines[1:], "claim_id": claims, "claim_line_id": claim_lines,
                    "card_id": [ekb_card.id]},
    }
