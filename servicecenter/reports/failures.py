"""Failures: repairs per model and manufacturer against the units registered (failure rate), repeat
repairs within 90 days, and the top symptom and cause codes and replaced parts per model — what a
service business re-prices or refuses contracts by.

A repair counts in the period it was received. A repeat repair: an order whose unit had an earlier
order that became ready for pickup within the 90 days before this one was received (decided on
receipt and kept on the order: repairs/repeats.py)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.diagnostics.models import DiagnosisCode, OrderDiagnosis
from servicecenter.equipment.models import Unit
from servicecenter.errors import N_
from servicecenter.repairs.models import RepairOrder
from servicecenter.reports.base import Cell, Chart, Column, Report, ReportFilter, Series, Table, report
from servicecenter.reports.common import (
    count_cell,
    order_where,
    tune_for_aggregates,
    with_catalog,
)
from servicecenter.stock.models import MoveReason, Part, StockMove

Ord = RepairOrder
TOP_MODELS = 30
TOP_PER_MODEL = 3


def _repairs_per_model(session: Session, flt: ReportFilter) -> dict[int, tuple[int, int]]:
    """model -> (repairs received in the period, of which repeats)."""
    stmt = with_catalog(select(Ord.model_id, func.count(), func.count(Ord.repeat_of_id)).select_from(Ord), flt)
    return {m: (int(n), int(r)) for m, n, r in session.execute(
        stmt.where(*order_where(flt, "received"), Ord.model_id.is_not(None)).group_by(Ord.model_id))}


def _units(session: Session, flt: ReportFilter, models: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """Units registered per model (of `models`) and per manufacturer (under the brand/category filter)."""
    def scoped(stmt: Any) -> Any:
        if flt.manufacturer_id:
            stmt = stmt.where(Unit.manufacturer_id == flt.manufacturer_id)
        if flt.category:
            stmt = stmt.join(ProductModel, ProductModel.id == Unit.model_id).where(ProductModel.category == flt.category)
        return stmt
    per_brand = dict(session.execute(scoped(select(Unit.manufacturer_id, func.count()).group_by(Unit.manufacturer_id))
                                     ).all())
    per_model = dict(session.execute(scoped(select(Unit.model_id, func.count()).where(Unit.model_id.in_(models))
                                            .group_by(Unit.model_id))).all()) if models else {}
    return per_model, per_brand


def _top(rows: Any, models: set[int], label: dict[Any, str]) -> dict[int, list[tuple[Any, ...]]]:
    """Rows (model, key, n, ...) -> the first TOP_PER_MODEL per model, most frequent first; a tie goes
    to the key whose label (code, SKU) sorts first."""
    per: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (-r[2], label.get(r[1], ""), r[1])):
        if row[0] in models and len(per[row[0]]) < TOP_PER_MODEL:
            per[row[0]].append(tuple(row))
    return per


def _codes(session: Session, flt: ReportFilter, column: Any, models: set[int]) -> list[Any]:
    """(model, code id, orders) of the models' repairs in the period."""
    stmt = with_catalog(select(Ord.model_id, column, func.count()).select_from(Ord)
                        .join(OrderDiagnosis, OrderDiagnosis.order_id == Ord.id), flt)
    return session.execute(stmt.where(*order_where(flt, "received"), Ord.model_id.in_(models))
                           .group_by(Ord.model_id, column)).all()


def _parts(session: Session, flt: ReportFilter, models: set[int]) -> list[Any]:
    """(model, part id, orders, quantity) of the parts consumed net of returns by the models' repairs."""
    signed = case((StockMove.reason == MoveReason.RETURN, -StockMove.quantity), else_=StockMove.quantity)
    used = with_catalog(select(Ord.model_id.label("model"), StockMove.part_id.label("part"),
                               func.sum(signed).label("qty")).select_from(Ord)
                        .join(StockMove, StockMove.order_id == Ord.id), flt)
    used = (used.where(*order_where(flt, "received"), Ord.model_id.in_(models), StockMove.part_id.is_not(None),
                       StockMove.reason.in_([MoveReason.ISSUE, MoveReason.RETURN]))
            .group_by(Ord.model_id, StockMove.part_id, Ord.id).having(func.sum(signed) > 0).subquery())
    return session.execute(select(used.c.model, used.c.part, func.count(), func.sum(used.c.qty))
                           .group_by(used.c.model, used.c.part)).all()


def _rate(repairs: int, units: int) -> float | None:
    return repairs / units if units else None


@report("failures", N_("Failures per model and manufacturer"))
def failures_report(session: Session, flt: ReportFilter) -> Report:
    """Repairs per model and manufacturer, failure rate, repeats, top codes and parts per model."""
    tune_for_aggregates(session)
    per_model = _repairs_per_model(session, flt)
    top = sorted(per_model, key=lambda m: (-per_model[m][0], m))[:TOP_MODELS]
    units_per_model, units_per_brand = _units(session, flt, top)
    info = {m: (brand_id, brand, name, cat) for m, brand_id, brand, name, cat in session.execute(
        select(ProductModel.id, Manufacturer.id, Manufacturer.name, ProductModel.name, ProductModel.category)
        .join(Manufacturer, Manufacturer.id == ProductModel.manufacturer_id)
        .where(ProductModel.id.in_(list(per_model))))} if per_model else {}
    per_brand: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for m, (n, r) in per_model.items():
        per_brand[info[m][0]][0] += n
        per_brand[info[m][0]][1] += r
    brand_name = {b: name for b, name, *_ in info.values()}

    model_rows = [[Cell(info[m][1]), Cell(info[m][2]), Cell(info[m][3]), Cell(units_per_model.get(m, 0)),
                   count_cell(per_model[m][0], flt, "received", model=m),
                   Cell(_rate(per_model[m][0], units_per_model.get(m, 0))),
                   count_cell(per_model[m][1], flt, "received", model=m, repeat="yes")] for m in top]
    brands = sorted(per_brand, key=lambda b: (-per_brand[b][0], brand_name[b]))
    brand_rows = [[Cell(brand_name[b]), Cell(units_per_brand.get(b, 0)),
                   count_cell(per_brand[b][0], flt, "received", brand=b),
                   Cell(_rate(per_brand[b][0], units_per_brand.get(b, 0))),
                   count_cell(per_brand[b][1], flt, "received", brand=b, repeat="yes")] for b in brands]
    figures = [Column("units", N_("Units registered"), "int"), Column("repairs", N_("Repairs"), "int"),
               Column("rate", N_("Failure rate"), "share"), Column("repeats", N_("Repeat within 90 days"), "int")]
    tables = [Table(N_("Per manufacturer"), [Column("brand", N_("Brand")), *figures], brand_rows),
              Table(N_("Per model (most repaired)"), [Column("brand", N_("Brand")), Column("model", N_("Model")),
                                                      Column("category", N_("Category")), *figures], model_rows)]

    wanted = set(top)
    found = {kind: _codes(session, flt, column, wanted)
             for kind, column in (("symptom", OrderDiagnosis.symptom_id), ("cause", OrderDiagnosis.cause_id))}
    code_ids = {row[1] for rows in found.values() for row in rows}
    codes = {i: (c, n) for i, c, n in session.execute(
        select(DiagnosisCode.id, DiagnosisCode.code, DiagnosisCode.name).where(DiagnosisCode.id.in_(code_ids)))} \
        if code_ids else {}
    code_label = {i: c for i, (c, _) in codes.items()}
    tops = {kind: _top(rows, wanted, code_label) for kind, rows in found.items()}
    for kind, title in (("symptom", N_("Top symptoms per model")), ("cause", N_("Top causes per model"))):
        rows = [[Cell(info[m][2]), Cell(codes[i][0]), Cell(codes[i][1]), count_cell(n, flt, "received", model=m,
                                                                                     **{kind: i})]
                for m in top for _, i, n in tops[kind].get(m, [])]
        tables.append(Table(title, [Column("model", N_("Model")), Column("code", N_("Code")),
                                    Column("name", N_("Description")), Column("orders", N_("Orders"), "int")], rows))
    used = _parts(session, flt, wanted)
    part_ids = {row[1] for row in used}
    part_names = {i: (sku, name) for i, sku, name in session.execute(
        select(Part.id, Part.sku, Part.name).where(Part.id.in_(part_ids)))} if part_ids else {}
    parts = _top(used, wanted, {i: sku for i, (sku, _) in part_names.items()})
    tables.append(Table(N_("Top replaced parts per model"),
                        [Column("model", N_("Model")), Column("sku", N_("SKU")), Column("part", N_("Part")),
                         Column("orders", N_("Orders"), "int"), Column("quantity", N_("Quantity"), "int")],
                        [[Cell(info[m][2]), Cell(part_names[p][0]), Cell(part_names[p][1]),
                          count_cell(n, flt, "received", model=m, part=p), Cell(int(q))]
                         for m in top for _, p, n, q in parts.get(m, [])]))
    ranked = sorted((r for r in brand_rows if r[3].value is not None), key=lambda r: -r[3].value)[:10]
    charts = [Chart(N_("Failure rate per manufacturer (top 10)"), "bar", [r[0].value for r in ranked],
                    [Series(N_("Failure rate"), [round(r[3].value * 100, 2) for r in ranked])], unit="%")]
    return Report("failures", N_("Failures per model and manufacturer"), tables, charts,
                  notes=[N_("Repairs received in the period per unit registered of the model or manufacturer; "
                            "a repeat is a repair of a unit that was ready after another repair within 90 days.")])
