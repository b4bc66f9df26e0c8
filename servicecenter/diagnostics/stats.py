"""Failure statistics from coded diagnoses: how often each cause was found, per model and manufacturer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.diagnostics.models import DiagnosisCode, OrderDiagnosis
from servicecenter.equipment.models import Unit
from servicecenter.repairs.models import RepairOrder


@dataclass(frozen=True)
class FailureCount:
    manufacturer: str
    model: str
    category: str
    symptom: str  # code
    cause: str  # code
    cause_name: str
    orders: int


def count_failures(session: Session, *, center_id: int | None = None, category: str | None = None,
                   since: datetime | None = None, until: datetime | None = None) -> list[FailureCount]:
    """Orders per (manufacturer, model, symptom, cause) from recorded diagnoses, most frequent first.
    Counted by the order's receipt date; a partner's scoped session counts only its own orders."""
    symptom, cause = aliased(DiagnosisCode), aliased(DiagnosisCode)
    n = func.count(OrderDiagnosis.id)
    stmt = (select(Manufacturer.name, ProductModel.name, ProductModel.category, symptom.code, cause.code, cause.name,
                   n)
            .select_from(OrderDiagnosis)
            .join(RepairOrder, RepairOrder.id == OrderDiagnosis.order_id)
            .join(Unit, Unit.id == RepairOrder.unit_id)
            .join(ProductModel, ProductModel.id == Unit.model_id)
            .join(Manufacturer, Manufacturer.id == ProductModel.manufacturer_id)
            .join(symptom, symptom.id == OrderDiagnosis.symptom_id)
            .join(cause, cause.id == OrderDiagnosis.cause_id)
            .group_by(Manufacturer.name, ProductModel.name, ProductModel.category, symptom.code, cause.code,
                      cause.name)
            .order_by(n.desc(), Manufacturer.name, ProductModel.name, symptom.code, cause.code))
    if center_id is not None:
        stmt = stmt.where(RepairOrder.center_id == center_id)
    if category:
        stmt = stmt.where(ProductModel.category == category)
    if since is not None:
        stmt = stmt.where(RepairOrder.created_at >= since)
    if until is not None:
        stmt = stmt.where(RepairOrder.created_at < until)
    return [FailureCount(*row) for row in session.execute(stmt)]
