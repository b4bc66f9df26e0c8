"""Bulk actions on the orders a team lead checked: all of them or none.

Each action runs the ordinary one-order service on every order inside a SAVEPOINT; when any
order refuses, the savepoint is rolled back and `BulkRefused` names every order that blocked it
with its own reason, so the team lead sees the whole picture at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from servicecenter.accounts.models import User
from servicecenter.centers.models import ServiceCenter
from servicecenter.equipment.models import Unit
from servicecenter.errors import N_, ConcurrentUpdate, DomainError, ValidationFailed
from servicecenter.paging import MAX_PER_PAGE
from servicecenter.repairs import services
from servicecenter.repairs.models import Priority, RepairOrder
from servicecenter.repairs.routing import route_to_center


class BulkRefused(ValidationFailed):
    """A bulk action refused: nothing was changed. `blocked` holds (order number, its refusal)."""

    def __init__(self, message: str, blocked: Sequence[tuple[str, DomainError | None]] = (), **params: object) -> None:
        super().__init__(message, **params)
        self.blocked = list(blocked)


def _ids(order_ids: Iterable[object]) -> list[int]:
    out: list[int] = []
    for raw in order_ids:
        try:
            value = int(str(raw))
        except ValueError:
            continue
        if value not in out:
            out.append(value)
    return out


def load_checked_orders(session: Session, center_id: int, order_ids: Iterable[object]) -> list[RepairOrder]:
    """The checked orders, all of this center's, in the order given; refused (naming them) when
    any id is not an order of this center, e.g. another center's order slipped into the form."""
    ids = _ids(order_ids)
    if not ids:
        raise ValidationFailed(N_("Check at least one order"), errors={"order": N_("Required")})
    if len(ids) > MAX_PER_PAGE:
        raise ValidationFailed(N_("At most %(limit)s orders at once"), limit=MAX_PER_PAGE)
    found = {o.id: o for o in session.scalars(
        select(RepairOrder).where(RepairOrder.id.in_(ids), RepairOrder.center_id == center_id)
        .options(joinedload(RepairOrder.unit).joinedload(Unit.manufacturer),
                 joinedload(RepairOrder.unit).joinedload(Unit.model), joinedload(RepairOrder.center)))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise BulkRefused(N_("Not orders of this center: %(ids)s; nothing was changed"),
                          ids=", ".join(f"#{i}" for i in missing))
    return [found[i] for i in ids]


class _Undo(Exception):
    """Leaves the savepoint's block so that it rolls back."""


def _all_or_nothing(session: Session, orders: Sequence[RepairOrder], what: str,
                    operation: Callable[[RepairOrder], object]) -> list[RepairOrder]:
    blocked: list[tuple[str, DomainError | None]] = []
    try:
        with session.begin_nested():  # released when every order went through, rolled back otherwise
            for order in orders:
                number = order.number
                try:
                    operation(order)
                except ConcurrentUpdate as exc:  # a failed flush leaves nothing to go on with
                    blocked.append((number, exc))
                    break
                except DomainError as exc:
                    blocked.append((number, exc))
            if blocked:
                raise _Undo
    except _Undo:
        raise BulkRefused(N_("%(action)s: nothing was changed; blocked by %(orders)s"), blocked=blocked,
                          action=what, orders=", ".join(n for n, _ in blocked)) from None
    return list(orders)


def bulk_assign(session: Session, actor: User, center_id: int, order_ids: Iterable[object],
                engineer: User | None) -> list[RepairOrder]:
    """Assign every checked order to `engineer` (None: unassign), or none of them."""
    orders = load_checked_orders(session, center_id, order_ids)
    return _all_or_nothing(session, orders, N_("Assign"),
                           lambda o: services.assign_engineer(session, o, engineer, actor))


def bulk_set_priority(session: Session, actor: User, center_id: int, order_ids: Iterable[object],
                      priority: Priority | str) -> list[RepairOrder]:
    """Set the priority of every checked order, or of none."""
    orders = load_checked_orders(session, center_id, order_ids)
    return _all_or_nothing(session, orders, N_("Change priority"),
                           lambda o: services.set_priority(session, o, actor, priority))


def bulk_route(session: Session, actor: User, center_id: int, order_ids: Iterable[object],
               target: ServiceCenter) -> list[RepairOrder]:
    """Route every checked order to the partner center `target`, or none."""
    orders = load_checked_orders(session, center_id, order_ids)
    return _all_or_nothing(session, orders, N_("Route to a partner"),
                           lambda o: route_to_center(session, actor, o, target))
