"""Manufacturer warranty claims: re-price, submit, the manufacturer's verdict per line, payment, and
shipping the claim's defective parts to the manufacturer.

open → submitted → paid. Only the head office (an administrator) acts; partners never see claims.
A claim is submitted once its month is over at every center of the network (a line may still
arrive from any of them until then); it is paid once every line has its verdict, for the sum of
the accepted lines.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from servicecenter.accounts.models import User
from servicecenter.accounts.services import require_admin
from servicecenter.centers.models import Location, ServiceCenter
from servicecenter.clock import utcnow
from servicecenter.errors import N_, ConcurrentUpdate, StateConflict, ValidationFailed
from servicecenter.settlements.models import (
    ClaimLine,
    ClaimState,
    ManufacturerClaim,
    RateCardKind,
    Verdict,
)
from servicecenter.settlements.periods import first_day_after, has_ended
from servicecenter.settlements.pricing import apply_priced, price_order, sums
from servicecenter.settlements.rates import card_valid_on
from servicecenter.settlements.statements import clean_payment
from servicecenter.shipments.models import Shipment
from servicecenter.shipments.services import add_scanned, create_shipment
from servicecenter.stock.models import MoveReason, Part, StockMove
from servicecenter.stock.places import defective_location, manufacturer_location

MAX_REASON = 2000
CHANGED = N_("Claim %(period)s was changed by someone else a moment ago; reload it and try again")


@dataclass(frozen=True)
class ClaimTotals:
    """What was claimed (every line), what the manufacturer accepted, rejected and has yet to decide."""

    net: Decimal
    vat: Decimal
    total: Decimal
    accepted: Decimal
    rejected: Decimal
    pending: int
    lines: int
    no_rate: int


def totals(claim: ManufacturerClaim) -> ClaimTotals:
    """The claim's totals: sums of its lines' own (rounded) figures."""
    net, vat, total = sums(list(claim.lines))
    accepted = sums([line for line in claim.lines if line.verdict == Verdict.ACCEPTED])[2]
    rejected = sums([line for line in claim.lines if line.verdict == Verdict.REJECTED])[2]
    return ClaimTotals(net, vat, total, accepted, rejected,
                       sum(1 for line in claim.lines if line.verdict == Verdict.PENDING), len(claim.lines),
                       sum(1 for line in claim.lines if line.no_rate))


def _check(claim: ManufacturerClaim, expected_version: int | None, *states: ClaimState, message: str) -> None:
    if claim.state not in states:
        raise StateConflict(message, current=claim.state.value, allowed=[s.value for s in states],
                            period=claim.period)
    if expected_version is not None and int(expected_version) != claim.version:
        raise ConcurrentUpdate(CHANGED, period=claim.period)


def _touch(session: Session, claim: ManufacturerClaim) -> None:
    claim.updated_at = utcnow()
    period = claim.period
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConcurrentUpdate(CHANGED, period=period) from exc


def reprice_claim(session: Session, actor: User, claim: ManufacturerClaim, *,
                  expected_version: int | None = None) -> int:
    """Price every line of an open claim again at the manufacturer's card valid on its completion date.
    The number of lines whose figures changed."""
    require_admin(actor)
    _check(claim, expected_version, ClaimState.OPEN,
           message=N_("Claim %(period)s is %(current)s; only an open claim is re-priced"))
    now, changed = utcnow(), 0
    for line in claim.lines:
        before = (line.rate_card_id, line.total, line.no_rate)
        card = card_valid_on(session, RateCardKind.MANUFACTURER, claim.manufacturer_id, line.completed_on)
        apply_priced(line, price_order(session, line.order, card), now)
        changed += before != (line.rate_card_id, line.total, line.no_rate)
    _touch(session, claim)
    return changed


def _network_zones(session: Session) -> set[str]:
    return set(session.scalars(select(ServiceCenter.timezone).where(ServiceCenter.active.is_(True)))) or {"UTC"}


def submit_claim(session: Session, actor: User, claim: ManufacturerClaim, *,
                 expected_version: int | None = None) -> ManufacturerClaim:
    """Send the claim to the manufacturer: its month is over everywhere, it has lines, every line is priced."""
    require_admin(actor)
    _check(claim, expected_version, ClaimState.OPEN,
           message=N_("Claim %(period)s is %(current)s; only an open claim is submitted"))
    now = utcnow()
    if not all(has_ended(claim.period, tz, now) for tz in _network_zones(session)):
        raise StateConflict(N_("The month %(period)s is not over yet at every center: the claim can be submitted "
                               "from %(end)s"), current=claim.state.value, allowed=[], period=claim.period,
                            end=first_day_after(claim.period).strftime("%d.%m.%Y"))
    figures = totals(claim)
    if not figures.lines:
        raise ValidationFailed(N_("Claim %(period)s has no lines"), period=claim.period)
    if figures.no_rate:
        raise ValidationFailed(N_("%(count)s line(s) have no rate: add the manufacturer's rate card and re-price "
                                  "the claim first"), errors={"lines": N_("No rate")}, count=figures.no_rate)
    claim.state, claim.submitted_at, claim.submitted_by_id = ClaimState.SUBMITTED, now, actor.id
    _touch(session, claim)
    return claim


def record_verdict(session: Session, actor: User, line: ClaimLine, *, accepted: bool, reason: str = "",
                   expected_version: int | None = None) -> ClaimLine:
    """The manufacturer's verdict on a line of a submitted claim: accepted, or rejected with its reason."""
    require_admin(actor)
    claim = line.claim
    _check(claim, expected_version, ClaimState.SUBMITTED,
           message=N_("Claim %(period)s is %(current)s; verdicts are recorded on a submitted claim"))
    text = str(reason or "").strip()[:MAX_REASON]
    if not accepted and not text:
        raise ValidationFailed(N_("Say why the manufacturer rejected the line"), errors={"reason": N_("Required")})
    line.verdict = Verdict.ACCEPTED if accepted else Verdict.REJECTED
    line.verdict_reason, line.verdict_at, line.verdict_by_id = text, utcnow(), actor.id
    _touch(session, claim)
    return line


def record_claim_payment(session: Session, actor: User, claim: ManufacturerClaim, *, payment_date: Any,
                         reference: Any, expected_version: int | None = None) -> ManufacturerClaim:
    """The manufacturer paid: every line has its verdict; the paid amount is the sum of the accepted lines."""
    require_admin(actor)
    _check(claim, expected_version, ClaimState.SUBMITTED,
           message=N_("Claim %(period)s is %(current)s; only a submitted claim is paid"))
    figures = totals(claim)
    if figures.pending:
        raise StateConflict(N_("%(count)s line(s) of claim %(period)s still wait for the manufacturer's verdict"),
                            current=claim.state.value, allowed=[], count=figures.pending, period=claim.period)
    day, reference = clean_payment(payment_date, reference)
    claim.state, claim.paid_amount = ClaimState.PAID, figures.accepted
    claim.payment_date, claim.payment_reference = day, reference
    claim.paid_at, claim.paid_by_id = utcnow(), actor.id
    _touch(session, claim)
    return claim


# ---------------------------------------------------------------- defective parts
@dataclass(frozen=True)
class DefectivePart:
    """A part removed from a claimed repair and kept for the manufacturer, and where it is now."""

    line_id: int
    part: Part
    quantity: int
    location: Location | None  # the center's "for the manufacturer" place it was put in
    shipment: Shipment | None  # the shipment that took it to the manufacturer, if any


def defective_parts(session: Session, lines: list[ClaimLine]) -> dict[int, list[DefectivePart]]:
    """For each claim line (by id): the parts removed from its unit and kept for the manufacturer."""
    by_order = {line.order_id: line for line in lines}
    found: dict[int, list[DefectivePart]] = defaultdict(list)
    if not by_order:
        return found
    moves = session.scalars(select(StockMove).where(
        StockMove.order_id.in_(by_order), StockMove.reason == MoveReason.DEFECTIVE, StockMove.part_id.is_not(None))
        .order_by(StockMove.id)).all()
    shipments = {s.id: s for s in session.scalars(select(Shipment).where(
        Shipment.id.in_({line.defective_shipment_id for line in lines if line.defective_shipment_id})))}
    for move in moves:
        line = by_order[move.order_id]
        found[line.id].append(DefectivePart(line.id, move.part, move.quantity, move.to_location,
                                            shipments.get(line.defective_shipment_id or -1)))
    return found


def ship_defective_parts(session: Session, actor: User, claim: ManufacturerClaim, *, note: str = "") -> list[Shipment]:
    """Open one shipment per center holding this claim's defective parts, from its "for the manufacturer"
    place to the manufacturer, with those parts on it (to be dispatched by logistics as usual)."""
    require_admin(actor)
    waiting = [line for line in claim.lines if line.defective_shipment_id is None]
    found = defective_parts(session, waiting)
    per_center: dict[int, dict[int, tuple[Part, int]]] = defaultdict(dict)
    lines_of: dict[int, list[ClaimLine]] = defaultdict(list)
    for line in waiting:
        if not found.get(line.id):
            continue
        lines_of[line.center_id].append(line)
        for item in found[line.id]:
            part, qty = per_center[line.center_id].get(item.part.id, (item.part, 0))
            per_center[line.center_id][item.part.id] = (part, qty + item.quantity)
    if not per_center:
        raise ValidationFailed(N_("Claim %(period)s has no defective parts waiting to be shipped"),
                               period=claim.period)
    destination = manufacturer_location(session)
    text = note.strip() or f"{claim.manufacturer.name}, {claim.period}"
    shipments = []
    for center_id in sorted(per_center):
        shipment = create_shipment(session, actor, origin=defective_location(session, center_id),
                                   destination=destination, note=text)
        for part, qty in sorted(per_center[center_id].values(), key=lambda pq: pq[0].sku):
            add_scanned(session, actor, shipment, part.sku, qty)
        for line in lines_of[center_id]:
            line.defective_shipment_id = shipment.id
        shipments.append(shipment)
    _touch(session, claim)
    return shipments
