"""The repair-order state machine: states and the one table of allowed transitions.

Whatever the table does not list is refused. Each edge names the roles that may take it,
the operation fields it accepts and a guard that checks them; `services.apply_transition`
is the only code that writes an order's state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from servicecenter.accounts.roles import PARTNER_ROLES, Role
from servicecenter.errors import N_, ValidationFailed


class RepairState(StrEnum):
    REGISTERED = "registered"  # pre-registered by phone; the unit is not here yet
    RECEIVED = "received"
    DIAGNOSIS = "diagnosis"
    AWAITING_APPROVAL = "awaiting_approval"
    AWAITING_PARTS = "awaiting_parts"
    IN_REPAIR = "in_repair"
    READY_FOR_PICKUP = "ready_for_pickup"
    ISSUED = "issued"
    CANCELLED = "cancelled"


OPEN_STATES = frozenset(RepairState) - {RepairState.ISSUED, RepairState.CANCELLED}
FINAL_STATES = frozenset({RepairState.ISSUED, RepairState.CANCELLED})

# Plain-words help for each state, shown to staff and (the public ones) to customers.
STATE_HELP: dict[RepairState, str] = {
    RepairState.REGISTERED: N_("Visit pre-registered; the unit has not been handed in yet"),
    RepairState.RECEIVED: N_("Received at the counter, waiting for diagnosis"),
    RepairState.DIAGNOSIS: N_("An engineer is diagnosing the unit"),
    RepairState.AWAITING_APPROVAL: N_("Estimate sent; waiting for the customer's decision"),
    RepairState.AWAITING_PARTS: N_("Waiting for spare parts"),
    RepairState.IN_REPAIR: N_("Being repaired"),
    RepairState.READY_FOR_PICKUP: N_("Ready; the customer can collect the unit"),
    RepairState.ISSUED: N_("Handed back to the customer"),
    RepairState.CANCELLED: N_("Cancelled"),
}

Guard = Callable[[Any, Mapping[str, Any]], None]

BENCH = frozenset({Role.ENGINEER, Role.TEAM_LEAD, *PARTNER_ROLES, Role.ADMIN})
COUNTER = frozenset({Role.INTAKE, *PARTNER_ROLES, Role.ADMIN})
CUSTOMER_VOICE = frozenset({Role.CALL_CENTER, Role.INTAKE, Role.ENGINEER, Role.TEAM_LEAD, *PARTNER_ROLES, Role.ADMIN})
SUPERVISORS = frozenset({Role.INTAKE, Role.TEAM_LEAD, *PARTNER_ROLES, Role.ADMIN})
# Who decides on warranty (repairs.services.decide_warranty); a revision to paid during repair sends
# the order back to diagnosis for an estimate, in that decision's name.
WARRANTY_DECIDERS = COUNTER | {Role.ENGINEER, Role.TEAM_LEAD}


def _required(name: str, label: str) -> Guard:
    def guard(_order: Any, fields: Mapping[str, Any]) -> None:
        if not str(fields.get(name) or "").strip():
            raise ValidationFailed(N_("%(label)s is required"), errors={name: N_("Required")}, label=label)

    return guard


def _outcome_in(*allowed: str) -> Guard:
    def guard(_order: Any, fields: Mapping[str, Any]) -> None:
        outcome = fields.get("outcome")
        if outcome not in allowed:
            raise ValidationFailed(
                N_("Choose the outcome: %(allowed)s"),
                errors={"outcome": N_("Not allowed here")},
                allowed=", ".join(allowed),
            )

    return guard


def _estimate(_order: Any, fields: Mapping[str, Any]) -> None:
    raw = fields.get("estimate_total")
    try:
        value = Decimal(str(raw).replace(",", ".").replace(" ", "")) if raw not in (None, "") else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value <= 0 or value >= Decimal("10000000000"):
        raise ValidationFailed(
            N_("An estimate needs a positive total"), errors={"estimate_total": N_("A positive amount")}
        )


def _unit_present(order: Any, _fields: Mapping[str, Any]) -> None:
    if order.unit_id is None:
        raise ValidationFailed(N_("Record the unit (model and serial) before receiving it"),
                               errors={"unit": N_("Required")})


def _all(*guards: Guard) -> Guard:
    def guard(order: Any, fields: Mapping[str, Any]) -> None:
        for g in guards:
            g(order, fields)

    return guard


def _none(_order: Any, _fields: Mapping[str, Any]) -> None:
    return None


def _approval_given(order: Any, _fields: Mapping[str, Any]) -> None:
    """Revised from warranty to paid: the customer approves an estimate before any work goes on."""
    if getattr(order, "approval_required", False) and order.approved is not True:
        raise ValidationFailed(
            N_("Order %(number)s became paid work: send an estimate and record the customer's approval first"),
            errors={"estimate": N_("The customer's approval is needed")}, number=order.number)


def _estimate_needed(order: Any, _fields: Mapping[str, Any]) -> None:
    """Stop work for an estimate only when a warranty order became paid and is not yet approved."""
    if not getattr(order, "approval_required", False) or order.approved is True:
        raise ValidationFailed(
            N_("Order %(number)s needs no estimate: it is warranty work or the customer already approved"),
            errors={"estimate": N_("Not needed")}, number=order.number)


def _checklist_complete(order: Any, fields: Mapping[str, Any]) -> None:
    """The category's required checklist lines are ticked (read through the order's session)."""
    from servicecenter.diagnostics.checklist import require_checklist_complete

    require_checklist_complete(order, fields)


@dataclass(frozen=True)
class Transition:
    source: RepairState
    target: RepairState
    action: str  # a verb for the button and the API, e.g. "start_diagnosis"
    label: str
    roles: frozenset[Role]
    fields: tuple[str, ...] = ()
    guard: Guard = field(default=_none)
    help: str = ""


S = RepairState
_CANCEL_FIELDS = ("reason",)
_cancel_guard = _required("reason", N_("A reason"))

TRANSITIONS: dict[tuple[RepairState, RepairState], Transition] = {
    (t.source, t.target): t
    for t in [
        Transition(S.REGISTERED, S.RECEIVED, "receive", N_("Receive the unit"), COUNTER,
                   guard=_unit_present, help=N_("The customer brought the unit to the counter")),
        Transition(S.RECEIVED, S.DIAGNOSIS, "start_diagnosis", N_("Start diagnosis"), BENCH),
        Transition(S.DIAGNOSIS, S.AWAITING_APPROVAL, "request_approval", N_("Send estimate for approval"), BENCH,
                   fields=("estimate_total", "diagnosis"), guard=_estimate,
                   help=N_("Paid work starts only after the customer approves the estimate")),
        Transition(S.DIAGNOSIS, S.IN_REPAIR, "start_repair", N_("Start repair"), BENCH, fields=("diagnosis",),
                   guard=_approval_given),
        Transition(S.DIAGNOSIS, S.AWAITING_PARTS, "wait_for_parts", N_("Wait for parts"), BENCH,
                   fields=("diagnosis",), guard=_approval_given),
        Transition(S.DIAGNOSIS, S.READY_FOR_PICKUP, "close_without_repair", N_("Close without repair"), BENCH,
                   fields=("outcome", "outcome_note", "diagnosis"),
                   guard=_all(_outcome_in("refused", "unrepairable"), _required("outcome_note", N_("A conclusion"))),
                   help=N_("Unrepairable, or the customer refused the repair")),
        Transition(S.AWAITING_APPROVAL, S.IN_REPAIR, "approve", N_("Customer approved"), CUSTOMER_VOICE,
                   fields=("via",)),
        Transition(S.AWAITING_APPROVAL, S.AWAITING_PARTS, "approve_wait_parts",
                   N_("Customer approved; wait for parts"), CUSTOMER_VOICE, fields=("via",)),
        Transition(S.AWAITING_APPROVAL, S.READY_FOR_PICKUP, "decline", N_("Customer declined"), CUSTOMER_VOICE,
                   fields=("outcome", "outcome_note", "via"), guard=_outcome_in("refused")),
        Transition(S.AWAITING_APPROVAL, S.DIAGNOSIS, "revise_estimate", N_("Customer wants another estimate"),
                   CUSTOMER_VOICE, fields=("via",), help=N_("The sent estimate stays as it was; the engineer draws up a new version")),
        Transition(S.AWAITING_PARTS, S.IN_REPAIR, "parts_arrived", N_("Parts arrived"),
                   BENCH | {Role.WAREHOUSE}, guard=_approval_given),
        Transition(S.IN_REPAIR, S.AWAITING_PARTS, "wait_for_more_parts", N_("Wait for more parts"), BENCH),
        Transition(S.IN_REPAIR, S.READY_FOR_PICKUP, "finish", N_("Finish repair"), BENCH,
                   fields=("outcome", "outcome_note"),
                   guard=_all(_outcome_in("repaired", "replaced", "unrepairable"), _approval_given,
                              _checklist_complete)),
        Transition(S.IN_REPAIR, S.DIAGNOSIS, "stop_for_estimate", N_("Stop: estimate for paid work"),
                   WARRANTY_DECIDERS, fields=("reason",), guard=_estimate_needed,
                   help=N_("The order became paid work: the customer approves an estimate before work goes on")),
        Transition(S.AWAITING_PARTS, S.DIAGNOSIS, "stop_for_estimate", N_("Stop: estimate for paid work"),
                   WARRANTY_DECIDERS, fields=("reason",), guard=_estimate_needed,
                   help=N_("The order became paid work: the customer approves an estimate before work goes on")),
        Transition(S.READY_FOR_PICKUP, S.ISSUED, "issue", N_("Hand back to the customer"), COUNTER),
        Transition(S.REGISTERED, S.CANCELLED, "cancel", N_("Cancel"),
                   SUPERVISORS | {Role.CALL_CENTER}, fields=_CANCEL_FIELDS, guard=_cancel_guard),
        Transition(S.RECEIVED, S.CANCELLED, "cancel", N_("Cancel"), SUPERVISORS,
                   fields=_CANCEL_FIELDS, guard=_cancel_guard),
        Transition(S.DIAGNOSIS, S.CANCELLED, "cancel", N_("Cancel"), SUPERVISORS - {Role.INTAKE},
                   fields=_CANCEL_FIELDS, guard=_cancel_guard),
        Transition(S.AWAITING_APPROVAL, S.CANCELLED, "cancel", N_("Cancel"), SUPERVISORS - {Role.INTAKE},
                   fields=_CANCEL_FIELDS, guard=_cancel_guard),
        Transition(S.AWAITING_PARTS, S.CANCELLED, "cancel", N_("Cancel"), SUPERVISORS - {Role.INTAKE},
                   fields=_CANCEL_FIELDS, guard=_cancel_guard),
    ]
}


def get_transition(source: RepairState, target: RepairState) -> Transition | None:
    """The edge from `source` to `target`, or None when the table does not allow it."""
    return TRANSITIONS.get((source, target))


def transitions_from(source: RepairState, role: Role | None = None) -> list[Transition]:
    """Edges leaving `source`, optionally only those `role` may take (for buttons)."""
    return [t for (s, _), t in TRANSITIONS.items() if s == source and (role is None or role in t.roles)]


def allowed_targets(source: RepairState, role: Role | None = None) -> list[str]:
    return [t.target.value for t in transitions_from(source, role)]


def path_to(target: RepairState, start: RepairState = RepairState.RECEIVED) -> list[Transition]:
    """The shortest chain of edges from `start` to `target` (for demo data and tests)."""
    frontier: list[tuple[RepairState, list[Transition]]] = [(start, [])]
    seen = {start}
    while frontier:
        state, path = frontier.pop(0)
        if state == target:
            return path
        for t in transitions_from(state):
            if t.target not in seen:
                seen.add(t.target)
                frontier.append((t.target, [*path, t]))
    raise ValueError(f"{target} cannot be reached from {start}")
