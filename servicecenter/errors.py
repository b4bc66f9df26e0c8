"""Domain errors: what interfaces turn into a clear message (and an HTTP status)."""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Mark a message for translation; the interface translates it when shown."""
    return message


class DomainError(Exception):
    """A refused operation. `message` is an English template translated at the edge."""

    status = 400

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


class NotFound(DomainError):
    """Unknown, or outside the caller's scope: the two look exactly the same."""

    status = 404


class PermissionDenied(DomainError):
    """The actor's role may not do this."""

    status = 403


class StateConflict(DomainError):
    """The transition is not allowed from the order's current state."""

    status = 409

    def __init__(self, message: str, *, current: str, allowed: list[str], **params: Any) -> None:
        super().__init__(message, current=current, allowed=", ".join(allowed) or "—", **params)
        self.current = current
        self.allowed = allowed


class ConcurrentUpdate(DomainError):
    """Someone else changed the record first; reload and try again."""

    status = 409


class ValidationFailed(DomainError):
    """Field values are wrong; `errors` maps field names to messages."""

    status = 422

    def __init__(self, message: str, errors: dict[str, str] | None = None, **params: Any) -> None:
        super().__init__(message, **params)
        self.errors = errors or {}
