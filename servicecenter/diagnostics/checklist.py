"""An order's bench checklist: the lines of its unit's category, which are ticked, what is missing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from servicecenter.catalog.models import ProductModel
from servicecenter.diagnostics.catalogue import list_checklist
from servicecenter.diagnostics.models import ChecklistItem, ChecklistTick
from servicecenter.equipment.models import Unit
from servicecenter.errors import N_, ValidationFailed
from servicecenter.repairs.models import RepairOrder


@dataclass(frozen=True)
class ChecklistLine:
    item: ChecklistItem
    ticked_at: datetime | None
    ticked_by: str | None

    @property
    def ticked(self) -> bool:
        return self.ticked_at is not None


def order_category(session: Session, order: RepairOrder) -> str:
    """The product category of the order's unit ('' when the order has no unit yet)."""
    if order.unit_id is None:
        return ""
    return session.scalar(select(ProductModel.category).join(Unit, Unit.model_id == ProductModel.id)
                          .where(Unit.id == order.unit_id)) or ""


def list_order_checklist(session: Session, order: RepairOrder) -> list[ChecklistLine]:
    """The checklist of the order's category with each line's tick (who and when)."""
    items = list_checklist(session, order_category(session, order))
    ticks = {t.item_id: t for t in session.scalars(select(ChecklistTick).where(ChecklistTick.order_id == order.id))}
    return [ChecklistLine(item, ticks[item.id].at if item.id in ticks else None,
                          ticks[item.id].user.name if item.id in ticks and ticks[item.id].user else None)
            for item in items]


def missing_required(session: Session, order: RepairOrder) -> list[ChecklistItem]:
    """The required lines not ticked yet."""
    return [line.item for line in list_order_checklist(session, order) if line.item.required and not line.ticked]


def require_checklist_complete(order: Any, _fields: Any = None) -> None:
    """The guard of the `finish` edge: refuse while required lines are unticked, naming them."""
    session = object_session(order)
    if session is None:
        return
    missing = missing_required(session, order)
    if missing:
        raise ValidationFailed(N_("Complete the checklist first: %(items)s"),
                               errors={"checklist": N_("Required items are not ticked")},
                               items="; ".join(item.text for item in missing))
