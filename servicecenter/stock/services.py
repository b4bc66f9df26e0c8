"""Parts for orders: reserve free stock, request what is short, release, issue to the bench.

Free stock is read from the journal (`stock.queries`); reserving locks the part's row first, so
two reservations racing for the last unit are served one after the other and only one gets it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import PARTNER_ROLES, Role
from servicecenter.clock import utcnow
from servicecenter.errors import N_, PermissionDenied, StateConflict, ValidationFailed
from servicecenter.repairs.history import record_event
from servicecenter.repairs.models import EventKind, RepairOrder
from servicecenter.repairs.services import apply_transition, check_center
from servicecenter.repairs.states import BENCH, RepairState
from servicecenter.stock import journal, queries
from servicecenter.stock.models import (
    MoveReason,
    Part,
    PartRequest,
    PartRequestState,
    Reservation,
    ReservationState,
    StockMove,
)

RESERVE_ROLES = BENCH
ISSUE_ROLES = frozenset({Role.WAREHOUSE, *PARTNER_ROLES, Role.ADMIN})
RELEASE_ROLES = BENCH | {Role.WAREHOUSE}
PARTS_STATES = frozenset({RepairState.DIAGNOSIS, RepairState.AWAITING_APPROVAL, RepairState.AWAITING_PARTS,
                          RepairState.IN_REPAIR})
MAX_QUANTITY = 1000
# What the order's history says (translated when shown; the parameters are kept with the event).
PARTS_RESERVED = N_("Reserved %(count)s × %(part)s (%(name)s)")
PARTS_REQUESTED = N_("Needs %(count)s × %(part)s (%(name)s): %(short)s requested from the warehouse")
PARTS_RELEASED = N_("Reservation of %(count)s × %(part)s released")
PARTS_ISSUED = N_("%(count)s × %(part)s issued to the bench")


def _params(reservation: Reservation) -> dict[str, object]:
    return {"count": reservation.quantity, "part": reservation.part.sku}


def _check(actor: User, order: RepairOrder, roles: frozenset[Role], message: str) -> None:
    if actor.role not in roles:
        raise PermissionDenied(message)
    check_center(actor, order.center_id)


def _quantity(raw: object) -> int:
    try:
        qty = int(str(raw).strip())
    except (TypeError, ValueError):
        qty = 0
    if not 0 < qty <= MAX_QUANTITY:
        raise ValidationFailed(N_("The quantity must be a whole number from 1 to %(max)s"),
                               errors={"quantity": N_("From 1 to %(max)s")}, max=MAX_QUANTITY)
    return qty


def _check_order_state(order: RepairOrder) -> None:
    if order.state not in PARTS_STATES:
        raise StateConflict(N_("Order %(number)s is %(current)s; parts are reserved only while it is being "
                               "diagnosed or repaired"), current=order.state.value,
                            allowed=[s.value for s in PARTS_STATES], number=order.number)


def compatibility_warning(part: Part, order: RepairOrder) -> str | None:
    """A warning (not a refusal) when the part lists compatible models and the order's model is not one."""
    unit = order.unit
    if unit is None or not part.compatible_models:
        return None
    if any(model.id == unit.model_id for model in part.compatible_models):
        return None
    return N_("%(part)s is not listed as compatible with this model; check before fitting it")


def _take(session: Session, order: RepairOrder, part: Part, qty: int, free: dict[int, int]) -> list[Reservation]:
    """Hold `qty` from the locations with most free stock first."""
    made, left = [], qty
    for location_id, available in free.items():
        if left == 0:
            break
        take = min(left, available)
        reservation = Reservation(part_id=part.id, order_id=order.id, location_id=location_id, quantity=take)
        session.add(reservation)
        made.append(reservation)
        left -= take
    return made


def lock_part(session: Session, part: Part) -> None:
    """Serialise reservations of one part (SELECT ... FOR UPDATE on PostgreSQL; SQLite has one writer)."""
    session.execute(select(Part.id).where(Part.id == part.id).with_for_update())


def hold_parts(session: Session, actor: User, order: RepairOrder, part: Part, qty: int) -> PartRequest | None:
    """Reserve what is free of `qty` and request the rest from the warehouse (the caller locked the part
    and checked the actor; the order's state is the caller's business). The request, if any."""
    free = queries.free_by_location(session, order.center_id, part.id)
    short = qty - min(qty, sum(free.values()))
    if qty > short:
        _take(session, order, part, qty - short, free)
    request = None
    message, params = PARTS_RESERVED, {"count": qty, "part": part.sku, "name": part.name}
    if short:
        request = PartRequest(center_id=order.center_id, order_id=order.id, part_id=part.id, quantity=short,
                              requested_by_id=actor.id)
        session.add(request)
        message, params = PARTS_REQUESTED, {**params, "short": short}
    record_event(session, actor=actor, kind=EventKind.PARTS, order=order, to_value=f"{part.sku} × {qty}",
                 action="requested" if short else "reserved", message=message, params=params)
    session.flush()
    return request


def reserve_part(session: Session, actor: User, order: RepairOrder, part: Part, quantity: object) -> list[Reservation]:
    """Reserve free stock of the order's center for the order; refused with the free quantity when short.
    Returns the order's active reservations of the part (one per location the parts come from)."""
    _check(actor, order, RESERVE_ROLES, N_("Your role may not reserve parts"))
    _check_order_state(order)
    qty = _quantity(quantity)
    lock_part(session, part)
    available = queries.free_quantity(session, order.center_id, part.id)
    if available < qty:
        raise ValidationFailed(
            N_("Only %(free)s of %(part)s free at this center; request the shortage from the warehouse"),
            errors={"quantity": N_("Not enough free stock")}, free=available, part=part.sku)
    hold_parts(session, actor, order, part, qty)
    return list(session.scalars(select(Reservation).where(
        Reservation.order_id == order.id, Reservation.part_id == part.id,
        Reservation.state == ReservationState.ACTIVE).order_by(Reservation.id)))


def request_shortage(session: Session, actor: User, order: RepairOrder, part: Part, quantity: object) -> PartRequest:
    """Reserve what is free, ask the warehouse for the rest; the order waits for parts."""
    _check(actor, order, RESERVE_ROLES, N_("Your role may not request parts"))
    _check_order_state(order)
    qty = _quantity(quantity)
    lock_part(session, part)
    if queries.free_quantity(session, order.center_id, part.id) >= qty:
        raise ValidationFailed(N_("%(part)s is in stock: reserve it instead"), errors={"quantity": N_("In stock")},
                               part=part.sku)
    # The state first: a refused transition (e.g. paid work not approved yet) leaves nothing behind.
    if order.state in (RepairState.DIAGNOSIS, RepairState.IN_REPAIR):  # wait_for_parts / wait_for_more_parts
        apply_transition(session, order, RepairState.AWAITING_PARTS, actor)
    request = hold_parts(session, actor, order, part, qty)
    assert request is not None  # free < qty under the lock
    return request


def release_reservation(session: Session, actor: User, reservation: Reservation, order: RepairOrder) -> None:
    """Give a reservation's parts back to free stock (no longer needed)."""
    _check(actor, order, RELEASE_ROLES, N_("Your role may not release reservations"))
    if reservation.order_id != order.id or reservation.state != ReservationState.ACTIVE:
        raise StateConflict(N_("This reservation is no longer active"), current=reservation.state.value,
                            allowed=[])
    reservation.state = ReservationState.RELEASED
    record_event(session, actor=actor, kind=EventKind.PARTS, order=order,
                 to_value=f"{reservation.part.sku} × {reservation.quantity}", action="released",
                 message=PARTS_RELEASED, params=_params(reservation))
    session.flush()


def release_order_parts(session: Session, order: RepairOrder) -> None:
    """An order that ends without repair (cancelled, refused) gives its reservations and requests back."""
    now = utcnow()
    # Called from inside a transition: no autoflush, so the order is written once, with its new state.
    with session.no_autoflush:
        reservations = list(session.scalars(select(Reservation).where(
            Reservation.order_id == order.id, Reservation.state == ReservationState.ACTIVE)))
        requests = list(session.scalars(select(PartRequest).where(
            PartRequest.order_id == order.id, PartRequest.state == PartRequestState.OPEN)))
    for reservation in reservations:
        reservation.state = ReservationState.RELEASED
    for request in requests:
        request.state, request.closed_at = PartRequestState.CANCELLED, now


def issue_reservation(session: Session, actor: User, reservation: Reservation, order: RepairOrder) -> StockMove:
    """Hand reserved parts to the bench: a journal ISSUE out of the location, the reservation consumed."""
    _check(actor, order, ISSUE_ROLES, N_("Only the warehouse issues parts"))
    if reservation.order_id != order.id or reservation.state != ReservationState.ACTIVE:
        raise StateConflict(N_("This reservation is no longer active"), current=reservation.state.value,
                            allowed=[])
    move = journal.move_parts(session, actor, reservation.part, reservation.quantity,
                              source=reservation.location, target=None, reason=MoveReason.ISSUE, order=order)
    reservation.state = ReservationState.ISSUED
    record_event(session, actor=actor, kind=EventKind.PARTS, order=order,
                 to_value=f"{reservation.part.sku} × {reservation.quantity}", action="issued",
                 message=PARTS_ISSUED, params=_params(reservation))
    session.flush()
    return move
