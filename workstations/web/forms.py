"""Form fields shared by the workstations: row ids typed or picked in a form.

A form's id field reaches the database (`session.get(User, form.engineer_id.data)`), so what it holds
must be a row id the database can take: ASCII digits from 1 to 2^31-1. Anything else — letters, "²",
a 40-digit number that overflows the integer column — becomes -1, an id no row has, so the lookup finds
nothing and the view says "no such …" instead of failing; empty or "0" stays "none chosen" (0).
"""

from __future__ import annotations

from typing import Any

from wtforms import IntegerField

from servicecenter.fields import parse_id

NO_ROW = -1


def form_id(value: Any) -> int:
    """A picked or typed id: the id, 0 when none was chosen, NO_ROW when it cannot be one."""
    if value is None or str(value).strip() in ("", "0"):
        return 0
    found = parse_id(value)
    return NO_ROW if found is None else found


class IdField(IntegerField):
    """An id in a form (hidden or typed): `form_id` of what was sent, never a value the database refuses."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or str(valuelist[0]).strip() == "":
            self.data = None
            return
        self.data = form_id(valuelist[0]) or None
