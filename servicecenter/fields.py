"""Small checks shared by the administration services (clean text, known field names)."""

from __future__ import annotations

from typing import Any

from servicecenter.errors import N_


def clean_text(values: dict[str, Any], field: str, errors: dict[str, str], max_len: int,
               required: str | None = None) -> str:
    """The field's text, stripped; a missing required value or an over-long one goes into `errors`."""
    value = str(values.get(field) or "").strip()
    if required and not value:
        errors[field] = required
    elif len(value) > max_len:
        errors[field] = N_("Too long")
    return value


def check_known(fields: frozenset[str], changes: dict[str, Any], name: str) -> None:
    """A programming error, not user input: an update service was given a field it does not have."""
    unknown = set(changes) - fields
    if unknown:
        raise TypeError(f"{name}() got unknown fields: {', '.join(sorted(unknown))}")
