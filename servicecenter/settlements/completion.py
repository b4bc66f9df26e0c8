"""A completed warranty repair becomes settlement lines, in the transaction that completes it.

Called from the `finish` edge of the state machine (servicecenter/repairs/services.py): an order
that reaches ready_for_pickup with a repair (repaired, or the unit replaced) and that the
manufacturer pays for gets a manufacturer claim line, and — when a partner center did the work —
a partner statement line. Each line is priced at the card valid on the completion date in the
repairing center's time zone; without one the line is kept with zero amounts, flagged "no rate",
and priced when its statement or claim is re-priced.

A partner finishing its own order works behind the partner wall, but claims and the
manufacturer's rates are not for its eyes: the lines are written past the wall and what the wall
would hide is dropped from the session afterwards, so the partner's request cannot read it back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from servicecenter.centers.models import CenterKind, ServiceCenter
from servicecenter.clock import local_date
from servicecenter.repairs.models import Outcome, Payer, RepairOrder, initial_payer
from servicecenter.scoping import lifted
from servicecenter.settlements.models import (
    ClaimLine,
    ClaimState,
    ManufacturerClaim,
    PartnerStatement,
    RateCard,
    RateCardKind,
    RateCardLine,
    StatementLine,
    StatementState,
)
from servicecenter.settlements.periods import period_of
from servicecenter.settlements.pricing import apply_priced, price_order
from servicecenter.settlements.rates import card_valid_on

REPAIR_OUTCOMES = frozenset({Outcome.REPAIRED, Outcome.REPLACED})


def is_settled_repair(order: RepairOrder) -> bool:
    """A repair (not a refusal, not unrepairable) that the manufacturer pays for."""
    return (order.outcome in REPAIR_OUTCOMES
            and initial_payer(order.order_type, order.warranty_covered) == Payer.MANUFACTURER)


@contextmanager
def past_the_wall(session: Session) -> Iterator[None]:
    """Write settlement bookkeeping for the whole network; afterwards forget what the wall hides."""
    with lifted(session) as scope:
        try:
            yield
        finally:
            if scope.is_walled:
                _forget_hidden(session, scope.center_id)


def _forget_hidden(session: Session, center_id: int | None) -> None:
    """Drop from the session what a walled user may not read back: claims and their lines, and rate
    cards other than the partner's own (the next query would load them only through the wall)."""
    session.flush()
    hidden_cards = {obj.id for obj in session.identity_map.values()
                    if isinstance(obj, RateCard) and obj.center_id != center_id}
    for obj in list(session.identity_map.values()):
        if obj not in session:  # already gone with its parent (a card's lines, a claim's lines cascade)
            continue
        if (isinstance(obj, (ManufacturerClaim, ClaimLine))
                or (isinstance(obj, RateCard) and obj.id in hidden_cards)
                or (isinstance(obj, RateCardLine) and obj.card_id in hidden_cards)):
            session.expunge(obj)


def _insert_ignore(session: Session, model: type, **values: object) -> None:
    """INSERT … ON CONFLICT DO NOTHING: two completions opening the same month's document at once
    are serialised by the database; the second finds the first's row."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(model.__table__).values(**values).on_conflict_do_nothing())


def statement_for(session: Session, center_id: int, period: str) -> PartnerStatement:
    """The partner's statement for the month, opened on its first line."""
    query = select(PartnerStatement).where(PartnerStatement.center_id == center_id, PartnerStatement.period == period)
    statement = session.scalars(query).first()
    if statement is None:
        _insert_ignore(session, PartnerStatement, center_id=center_id, period=period, state=StatementState.OPEN,
                       version=1)
        statement = session.scalars(query).one()
    return statement


def claim_for(session: Session, manufacturer_id: int, period: str) -> ManufacturerClaim:
    """The manufacturer's claim for the month, opened on its first line."""
    query = select(ManufacturerClaim).where(ManufacturerClaim.manufacturer_id == manufacturer_id,
                                            ManufacturerClaim.period == period)
    claim = session.scalars(query).first()
    if claim is None:
        _insert_ignore(session, ManufacturerClaim, manufacturer_id=manufacturer_id, period=period,
                       state=ClaimState.OPEN, version=1)
        claim = session.scalars(query).one()
    return claim


def record_completion(session: Session, order: RepairOrder, at: datetime) -> None:
    """Turn a just-completed warranty repair into its statement and claim lines (nothing otherwise)."""
    if not is_settled_repair(order) or order.unit is None:
        return
    with past_the_wall(session):
        center = session.get(ServiceCenter, order.center_id)
        assert center is not None
        day, period = local_date(at, center.timezone), period_of(at, center.timezone)
        if center.kind == CenterKind.PARTNER and session.scalar(
                select(StatementLine.id).where(StatementLine.order_id == order.id)) is None:
            statement = statement_for(session, center.id, period)
            line = StatementLine(statement=statement, center_id=center.id, order_id=order.id, completed_at=at,
                                 completed_on=day)
            session.add(line)
            apply_priced(line, price_order(session, order, card_valid_on(session, RateCardKind.PARTNER,
                                                                         center.id, day)), at)
        if session.scalar(select(ClaimLine.id).where(ClaimLine.order_id == order.id)) is None:
            manufacturer_id = order.unit.manufacturer_id
            claim = claim_for(session, manufacturer_id, period)
            line = ClaimLine(claim=claim, center_id=center.id, order_id=order.id, completed_at=at, completed_on=day)
            session.add(line)
            apply_priced(line, price_order(session, order, card_valid_on(session, RateCardKind.MANUFACTURER,
                                                                         manufacturer_id, day)), at)
        session.flush()
