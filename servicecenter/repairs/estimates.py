"""Estimates for paid work: lines from the price list with VAT, sending for approval, the customer's answer.

Prices are VAT-inclusive (what a Russian consumer is quoted); each line's VAT is extracted from its
gross amount and rounded to the kopeck, so net + VAT = gross on every line and in the totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.clock import utcnow
from servicecenter.errors import N_, NotFound, PermissionDenied, StateConflict, ValidationFailed
from servicecenter.pricing.models import DEFAULT_VAT_RATE, LabourItem
from servicecenter.repairs.estimate_models import (
    AnswerChannel,
    Estimate,
    EstimateLine,
    EstimateState,
    LineKind,
)
from servicecenter.repairs.models import Outcome, RepairOrder
from servicecenter.repairs.services import apply_transition, check_center
from servicecenter.repairs.states import BENCH, CUSTOMER_VOICE, RepairState
from servicecenter.stock import queries as stock_queries
from servicecenter.stock import services as stock
from servicecenter.stock.models import Part, PartRequest, PartRequestState, Reservation, ReservationState

KOPECK = Decimal("0.01")
MAX_PRICE = Decimal("10000000")
MAX_QUANTITY = Decimal("1000")


@dataclass(frozen=True)
class Amounts:
    net: Decimal
    vat: Decimal
    gross: Decimal


def line_amounts(quantity: Decimal, unit_price: Decimal, vat_rate: Decimal) -> Amounts:
    """One line's money: gross = qty × VAT-inclusive price, VAT extracted from it, each to the kopeck."""
    gross = (quantity * unit_price).quantize(KOPECK, ROUND_HALF_UP)
    vat = (gross * vat_rate / (Decimal(100) + vat_rate)).quantize(KOPECK, ROUND_HALF_UP)
    return Amounts(gross - vat, vat, gross)


def _decimal(raw: object, field: str, *, low: Decimal, high: Decimal, message: str) -> Decimal:
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(
            str(raw).replace(" ", "").replace("\u00a0", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or not low <= value <= high:
        raise ValidationFailed(message, errors={field: N_("Not a valid number")})
    return value


def _check(actor: User, order: RepairOrder, roles: frozenset) -> None:
    if actor.role not in roles:
        raise PermissionDenied(N_("Your role may not do this: %(action)s"), action=N_("Estimate"))
    check_center(actor, order.center_id)


def list_estimates(session: Session, order: RepairOrder) -> list[Estimate]:
    """Every version of an order's estimate, newest first."""
    return list(session.scalars(select(Estimate).where(Estimate.order_id == order.id)
                                .order_by(Estimate.version.desc())))


def current_estimate(session: Session, order: RepairOrder) -> Estimate | None:
    """The newest version of the order's estimate (a draft, or the one the customer saw)."""
    return session.scalar(select(Estimate).where(Estimate.order_id == order.id)
                          .order_by(Estimate.version.desc()).limit(1))


def _draft(session: Session, actor: User, order: RepairOrder) -> Estimate:
    """The order's draft; a new version (a copy of the last one's lines) when the last was sent."""
    if order.state != RepairState.DIAGNOSIS:
        raise StateConflict(N_("Order %(number)s is %(current)s; an estimate is drawn up during diagnosis"),
                            current=order.state.value, allowed=[RepairState.DIAGNOSIS.value], number=order.number)
    last = current_estimate(session, order)
    if last is not None and last.state == EstimateState.DRAFT:
        return last
    if last is not None and last.state == EstimateState.SENT:  # back in diagnosis: that version is done with
        last.state = EstimateState.SUPERSEDED
    version = (session.scalar(select(func.max(Estimate.version)).where(Estimate.order_id == order.id)) or 0) + 1
    draft = Estimate(order_id=order.id, version=version, created_by_id=actor.id)
    session.add(draft)
    if last is not None:
        for line in last.lines:
            draft.lines.append(EstimateLine(
                kind=line.kind, part_id=line.part_id, labour_item_id=line.labour_item_id,
                description=line.description, quantity=line.quantity, unit_price=line.unit_price,
                vat_rate=line.vat_rate, net=line.net, vat=line.vat, gross=line.gross))
    return draft


def _retotal(estimate: Estimate) -> None:
    estimate.net = sum((line.net for line in estimate.lines), Decimal("0.00"))
    estimate.vat = sum((line.vat for line in estimate.lines), Decimal("0.00"))
    estimate.gross = sum((line.gross for line in estimate.lines), Decimal("0.00"))


def add_line(session: Session, actor: User, order: RepairOrder, *, kind: LineKind | str, quantity: object,
             part: Part | None = None, labour_item: LabourItem | None = None, description: str = "",
             unit_price: object = None, vat_rate: object = None) -> EstimateLine:
    """Add a part, a price-list labour item or a free line to the order's draft estimate."""
    _check(actor, order, BENCH)
    try:
        kind = LineKind(kind)
    except ValueError as exc:
        raise ValidationFailed(N_("Unknown kind of line"), errors={"kind": N_("Unknown value")}) from exc
    qty = _decimal(quantity, "quantity", low=KOPECK, high=MAX_QUANTITY,
                   message=N_("The quantity must be a positive number up to 1000"))
    text = str(description or "").strip()[:300]
    if kind == LineKind.PART:
        if part is None or not part.active:
            raise ValidationFailed(N_("Choose a part"), errors={"part": N_("Required")})
        if qty != qty.to_integral_value():
            raise ValidationFailed(N_("Parts are counted in whole pieces"), errors={"quantity": N_("Whole pieces")})
        price, rate, text = part.price, DEFAULT_VAT_RATE, f"{part.name} ({part.sku})"
    elif kind == LineKind.LABOUR:
        if labour_item is None or not labour_item.active:
            raise ValidationFailed(N_("Choose a labour item from the price list"), errors={"labour_item": N_("Required")})
        price, rate, text = labour_item.price, labour_item.vat_rate, labour_item.name
    else:
        if not text:
            raise ValidationFailed(N_("Describe the line"), errors={"description": N_("Required")})
        price = _decimal(unit_price, "unit_price", low=Decimal(0), high=MAX_PRICE,
                         message=N_("The price must be a number from 0 to 10,000,000"))
        rate = DEFAULT_VAT_RATE if vat_rate in (None, "") else _decimal(
            vat_rate, "vat_rate", low=Decimal(0), high=Decimal(99), message=N_("The VAT rate must be 0 to 99 %"))
    price = price.quantize(KOPECK, ROUND_HALF_UP)
    draft = _draft(session, actor, order)
    amounts = line_amounts(qty, price, rate)
    line = EstimateLine(kind=kind, part_id=part.id if kind == LineKind.PART else None,
                        labour_item_id=labour_item.id if kind == LineKind.LABOUR else None, description=text,
                        quantity=qty, unit_price=price, vat_rate=rate,
                        net=amounts.net, vat=amounts.vat, gross=amounts.gross)
    draft.lines.append(line)
    _retotal(draft)
    session.flush()
    return line


def remove_line(session: Session, actor: User, order: RepairOrder, line_id: int) -> None:
    """Take a line off the draft (a sent estimate is frozen)."""
    _check(actor, order, BENCH)
    estimate = current_estimate(session, order)
    line = next((ln for ln in (estimate.lines if estimate else []) if ln.id == line_id), None)
    if estimate is None or line is None:
        # A line id that is not on this order's estimate names nothing (whoever's line it is): not found.
        raise NotFound(N_("No such line on this estimate"))
    if estimate.frozen:
        raise StateConflict(N_("Estimate version %(version)s was sent to the customer and cannot change"),
                            current=order.state.value, allowed=[], version=estimate.version)
    estimate.lines.remove(line)
    _retotal(estimate)
    session.flush()


def send_estimate(session: Session, actor: User, order: RepairOrder, *, diagnosis: str = "",
                  expected_version: int | None = None) -> Estimate:
    """Freeze the draft and ask the customer: the order goes to awaiting approval with the gross total."""
    _check(actor, order, BENCH)
    estimate = current_estimate(session, order)
    if estimate is None or estimate.state != EstimateState.DRAFT or not estimate.lines:
        raise ValidationFailed(N_("Add the estimate's lines before sending it"), errors={"estimate": N_("Empty")})
    fields = {"estimate_total": f"{estimate.gross:.2f}"}
    if str(diagnosis or "").strip():
        fields["diagnosis"] = diagnosis
    apply_transition(session, order, RepairState.AWAITING_APPROVAL, actor, expected_version=expected_version,
                     **fields)
    estimate.state, estimate.sent_at = EstimateState.SENT, utcnow()
    session.flush()
    return estimate


@dataclass(frozen=True)
class Answer:
    recorded: bool  # False: the same answer was already on record, nothing was written
    message: str  # an English template with %(number)s, translated at the edge
    number: str
    target: RepairState | None = None


def _channel(via: object) -> str:
    try:
        return AnswerChannel(str(via or "")).value
    except ValueError as exc:
        raise ValidationFailed(N_("Say how the customer answered: by phone, in person or by e-mail"),
                               errors={"via": N_("Required")}) from exc


def _shortages(session: Session, order: RepairOrder, estimate: Estimate | None) -> list[tuple[Part, int, int]]:
    """Per part line of the estimate: (part, quantity still to reserve, of which free now)."""
    if estimate is None:
        return []
    needs: dict[int, tuple[Part, int]] = {}
    for line in estimate.lines:
        if line.kind == LineKind.PART and line.part is not None:
            part, qty = needs.get(line.part_id, (line.part, 0))
            needs[line.part_id] = (part, qty + int(line.quantity))
    result = []
    for part_id, (part, qty) in needs.items():
        held = session.scalar(select(func.coalesce(func.sum(Reservation.quantity), 0)).where(
            Reservation.order_id == order.id, Reservation.part_id == part_id,
            Reservation.state.in_([ReservationState.ACTIVE, ReservationState.ISSUED]))) or 0
        asked = session.scalar(select(func.coalesce(func.sum(PartRequest.quantity), 0)).where(
            PartRequest.order_id == order.id, PartRequest.part_id == part_id,
            PartRequest.state == PartRequestState.OPEN)) or 0
        missing = qty - int(held) - int(asked)
        if missing > 0:
            result.append((part, missing, stock_queries.free_quantity(session, order.center_id, part_id)))
    return result


def _has_open_requests(session: Session, order: RepairOrder) -> bool:
    return session.scalar(select(PartRequest.id).where(
        PartRequest.order_id == order.id, PartRequest.state == PartRequestState.OPEN).limit(1)) is not None


def record_answer(session: Session, actor: User, order: RepairOrder, *, approved: bool, via: object,
                  note: str = "", expected_version: int | None = None) -> Answer:
    """The customer's answer to the estimate. Approved: parts on the estimate are reserved (the shortage
    requested) and the order goes to repair, or waits for parts while any request of it is open.
    Declined: handed back unrepaired, its parts given back.
    The same answer recorded again writes nothing."""
    _check(actor, order, CUSTOMER_VOICE)
    channel = _channel(via)
    # Two people recording the same answer at once: the second waits here and then finds it on record.
    session.scalars(select(RepairOrder).where(RepairOrder.id == order.id).with_for_update()
                    .execution_options(populate_existing=True)).one()
    if order.state != RepairState.AWAITING_APPROVAL:
        if approved and order.approved is True:
            return Answer(False, N_("The customer's approval of order %(number)s is already on record"), order.number)
        if not approved and order.approved is False and order.outcome == Outcome.REFUSED:
            return Answer(False, N_("The customer's refusal of order %(number)s is already on record"), order.number)
        raise StateConflict(N_("Order %(number)s is %(current)s; it is not waiting for the customer's answer"),
                            current=order.state.value, allowed=[], number=order.number)
    estimate = current_estimate(session, order)
    note = str(note or "").strip()[:500]
    if approved:
        for line in estimate.lines if estimate else []:
            if line.part is not None:
                stock.lock_part(session, line.part)
        short = _shortages(session, order, estimate)
        waits = any(free < missing for _, missing, free in short) or _has_open_requests(session, order)
        target = RepairState.AWAITING_PARTS if waits else RepairState.IN_REPAIR
        apply_transition(session, order, target, actor, expected_version=expected_version, via=channel)
        for part, missing, _free in short:
            stock.hold_parts(session, actor, order, part, missing)
    else:
        target = RepairState.READY_FOR_PICKUP
        apply_transition(session, order, target, actor, expected_version=expected_version, via=channel,
                         outcome=Outcome.REFUSED.value, outcome_note=note)
        stock.release_order_parts(session, order)
    if estimate is not None and estimate.state == EstimateState.SENT:
        estimate.state = EstimateState.APPROVED if approved else EstimateState.DECLINED
        estimate.decided_at, estimate.decided_by_id = utcnow(), actor.id
        estimate.answered_via, estimate.decision_note = channel, note
    session.flush()
    message = (N_("Order %(number)s: approved; waiting for parts") if target == RepairState.AWAITING_PARTS else
               N_("Order %(number)s: approved; repair can start") if approved else
               N_("Order %(number)s: the customer declined; the unit is ready to hand back"))
    return Answer(True, message, order.number, target)


def ask_new_estimate(session: Session, actor: User, order: RepairOrder, *, via: object, note: str = "",
                     expected_version: int | None = None) -> Estimate | None:
    """The customer wants a different estimate: the sent version is kept as it was, the order goes
    back to diagnosis and the next line starts a new version."""
    _check(actor, order, CUSTOMER_VOICE)
    channel = _channel(via)
    apply_transition(session, order, RepairState.DIAGNOSIS, actor, expected_version=expected_version, via=channel)
    estimate = current_estimate(session, order)
    if estimate is not None and estimate.state == EstimateState.SENT:
        estimate.state, estimate.decided_at, estimate.decided_by_id = EstimateState.SUPERSEDED, utcnow(), actor.id
        estimate.answered_via, estimate.decision_note = channel, str(note or "").strip()[:500]
    session.flush()
    return estimate
