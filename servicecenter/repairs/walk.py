"""Walking an order through the state table to a given state (demo data, tests, benchmarks).

Every step is a real `apply_transition`, so the history is what a real order would have.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.services import apply_transition
from servicecenter.repairs.states import RepairState, Transition, path_to

# Plausible operation fields for each action (what a person would have typed).
SAMPLE_FIELDS: dict[str, dict[str, Any]] = {
    "request_approval": {"estimate_total": "3500.00", "diagnosis": "Неисправен блок питания"},
    "start_repair": {"diagnosis": "Замена разъёма питания"},
    "wait_for_parts": {"diagnosis": "Требуется замена платы управления"},
    "close_without_repair": {"outcome": "unrepairable", "outcome_note": "Ремонт нецелесообразен"},
    "decline": {"outcome": "refused", "outcome_note": "Клиент отказался от платного ремонта"},
    "finish": {"outcome": "repaired", "outcome_note": "Заменён блок питания, проверено 2 часа"},
    "cancel": {"reason": "Клиент передумал"},
}

ActorFor = Callable[[Transition], User]


def advance_to(session: Session, order: RepairOrder, target: RepairState, actor_for: ActorFor,
               fields: dict[str, dict[str, Any]] | None = None) -> RepairOrder:
    """Take `order` along the shortest path of the table to `target`."""
    chosen = {**SAMPLE_FIELDS, **(fields or {})}
    for step in path_to(target, order.state):
        apply_transition(session, order, step.target, actor_for(step), **chosen.get(step.action, {}))
    return order


def role_picker(users: dict[Role, User]) -> ActorFor:
    """Choose, for each step, the first of `users` whose role may take it (admin last)."""

    def pick(step: Transition) -> User:
        for role, user in users.items():
            if role in step.roles and role != Role.ADMIN:
                return user
        if Role.ADMIN in users and Role.ADMIN in step.roles:
            return users[Role.ADMIN]
        raise LookupError(f"no user may take {step.action}")

    return pick
