"""The one wall between centers: every ORM query of a scoped session is filtered here.

Each mapped class declares how it belongs to a center (`center_owned`) or that it is shared
reference data (`network_wide`). A scoped session (a partner user's) gets the declared
criteria added to every SELECT, relationship load and ORM UPDATE/DELETE through
`with_loader_criteria`; a class that declared nothing cannot be queried from a scoped session
at all (default-deny), and a test fails when a model forgets its declaration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

T = TypeVar("T", bound=type)

# A rule gets the class and the center id and returns the criterion that keeps the rows
# of that center visible.
Rule = Callable[[Any, int], ColumnElement[bool]]

_CENTER_OWNED: dict[type, Rule] = {}
_NETWORK_WIDE: dict[type, str] = {}


class ScopeUndeclared(RuntimeError):
    """A model without a scope declaration was queried from a scoped session."""


@dataclass(frozen=True)
class Scope:
    """What a session may see: the whole network, or one center's records."""

    center_id: int | None = None

    @property
    def is_walled(self) -> bool:
        return self.center_id is not None


NETWORK = Scope()


def center_owned(rule: Rule) -> Callable[[T], T]:
    """Declare a model as belonging to a center; `rule(cls, center_id)` selects its rows."""

    def register(cls: T) -> T:
        _CENTER_OWNED[cls] = rule
        return cls

    return register


def network_wide(reason: str) -> Callable[[T], T]:
    """Declare a model as shared reference data every center may read (say why)."""

    def register(cls: T) -> T:
        _NETWORK_WIDE[cls] = reason
        return cls

    return register


def declared(cls: type) -> bool:
    return cls in _CENTER_OWNED or cls in _NETWORK_WIDE


def is_center_owned(cls: type) -> bool:
    return cls in _CENTER_OWNED


def set_scope(session: Session, scope: Scope) -> None:
    """Put a session behind a center's wall (or lift it with NETWORK)."""
    session.info["scope"] = scope


def get_scope(session: Session) -> Scope:
    return session.info.get("scope", NETWORK)


@contextmanager
def lifted(session: Session) -> Iterator[Scope]:
    """Lift the wall for a few statements the domain runs on the network's behalf (a shipment's own
    lines, settlement bookkeeping); yields the scope that was in force, restored afterwards. What
    was loaded meanwhile stays in the session's identity map: the caller keeps it from the user."""
    scope = get_scope(session)
    set_scope(session, NETWORK)
    try:
        yield scope
    finally:
        set_scope(session, scope)


def _criteria(cls: type, center_id: int) -> Any:
    # A plain expression, not a lambda: the center id travels as a bound parameter, so a
    # cached statement can never carry another center's id.
    return with_loader_criteria(cls, _CENTER_OWNED[cls](cls, center_id), include_aliases=True)


@event.listens_for(Session, "do_orm_execute")
def _apply_scope(state: ORMExecuteState) -> None:
    scope = get_scope(state.session)
    if not scope.is_walled or not (state.is_select or state.is_update or state.is_delete):
        return
    options = []
    for mapper in state.all_mappers:
        cls = mapper.class_
        if cls in _NETWORK_WIDE:
            continue
        if cls not in _CENTER_OWNED:
            raise ScopeUndeclared(f"{cls.__name__} declares no scope; register it in scoping")
    for cls in _CENTER_OWNED:
        options.append(_criteria(cls, scope.center_id))
    state.statement = state.statement.options(*options)
