"""The orders behind a report's figure: a Drill's params (strings, as in a URL) turned into one query.

Every key is checked: an unknown key or a value that does not parse is refused with a message that
names it (ValidationFailed), never a server error. Keys are those of base.Drill."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session

from servicecenter import clock
from servicecenter.catalog.models import ProductModel
from servicecenter.diagnostics.models import OrderDiagnosis
from servicecenter.errors import N_, ValidationFailed
from servicecenter.fields import parse_id
from servicecenter.paging import Page, paginate
from servicecenter.repairs.models import Outcome, Payer, RepairOrder
from servicecenter.repairs.states import OPEN_STATES, RepairState
from servicecenter.reports.base import ReportFilter
from servicecenter.reports.common import BASES, due_sql, payer_sql, period_of
from servicecenter.reports.deadlines import overdue_where
from servicecenter.stock.models import MoveReason, StockMove

Ord = RepairOrder
IDS = {"center": Ord.center_id, "model": Ord.model_id, "brand": Ord.manufacturer_id}
FLAGS = ("overdue", "repeat", "open", "billed")
KEYS = {"from", "to", "basis", "center", "brand", "category", "model", "engineer", "state", "outcome", "warranty",
        "payer", "overdue", "in_time", "repeat", "symptom", "cause", "part", "open", "billed"}
IGNORED = {"page"}  # the page travels beside the params in a URL


def _bad(key: str, value: str) -> ValidationFailed:
    return ValidationFailed(N_("This list of orders cannot be shown: %(key)s=%(value)s is not understood"),
                            errors={key: N_("Not understood")}, key=key, value=value[:40])


def _id(key: str, value: str) -> int:
    number = parse_id(value)
    if number is None:
        raise _bad(key, value)
    return number


def _date(key: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _bad(key, value) from None


def _choices(key: str, value: str, allowed: Callable[[str], Any]) -> list[Any]:
    try:
        return [allowed(v) for v in value.split(",")]
    except ValueError:
        raise _bad(key, value) from None


def drill_conditions(params: dict[str, str]) -> tuple[list[Any], bool]:
    """(where, needs the order's model joined) for the params; refuses what it cannot read."""
    params = {k: str(v).strip() for k, v in params.items() if k not in IGNORED and str(v or "").strip()}
    for key, value in params.items():  # a NUL byte or a control character is no filter value (PostgreSQL refuses NUL)
        if not value.isprintable():
            raise _bad(key, value.encode("unicode_escape").decode())
    unknown = sorted(set(params) - KEYS)
    if unknown:
        raise ValidationFailed(N_("This list of orders cannot be shown: unknown filter %(key)s"),
                               errors={unknown[0]: N_("Unknown filter")}, key=unknown[0][:40])
    where: list[Any] = []
    model = False
    if "from" in params or "to" in params or "basis" in params:
        basis = params.get("basis", "received")
        if basis not in BASES:
            raise _bad("basis", basis)
        first = _date("from", params["from"]) if "from" in params else date(1970, 1, 1)
        last = _date("to", params["to"]) if "to" in params else date(9999, 12, 30)
        if last < first:
            raise _bad("to", params["to"])
        where += period_of(BASES[basis], ReportFilter(first, last))
    for key, column in IDS.items():
        if key in params:
            where.append(column == _id(key, params[key]))
    if "category" in params:
        where.append(ProductModel.category == params["category"][:80])
        model = True
    if "engineer" in params:
        value = params["engineer"]
        where.append(Ord.engineer_id.is_(None) if value == "none" else Ord.engineer_id == _id("engineer", value))
    if "state" in params:
        where.append(Ord.state.in_(_choices("state", params["state"], RepairState)))
    if "outcome" in params:
        where.append(Ord.outcome.in_(_choices("outcome", params["outcome"], Outcome)))
    if "payer" in params:
        where.append(payer_sql().in_([p.value for p in _choices("payer", params["payer"], Payer)]))
    if "warranty" in params:
        value = params["warranty"]
        if value not in ("yes", "no"):
            raise _bad("warranty", value)
        where.append(Ord.warranty_covered.is_(True) if value == "yes" else Ord.warranty_covered.isnot(True))
    if "in_time" in params:
        value, due = params["in_time"], due_sql()
        if value not in ("yes", "no"):
            raise _bad("in_time", value)
        where += [Ord.ready_at.is_not(None), due.is_not(None), Ord.ready_at <= due if value == "yes" else Ord.ready_at > due]
    for flag in FLAGS:
        if flag in params and params[flag] != "yes":
            raise _bad(flag, params[flag])
    if "overdue" in params:
        where += overdue_where(clock.utcnow())
    if "open" in params:
        where.append(Ord.state.in_(OPEN_STATES))
    if "repeat" in params:
        where.append(Ord.repeat_of_id.is_not(None))
    if "billed" in params:
        where.append(Ord.amount_due > 0)
    for key, column in (("symptom", OrderDiagnosis.symptom_id), ("cause", OrderDiagnosis.cause_id)):
        if key in params:
            where.append(exists().where(OrderDiagnosis.order_id == Ord.id, column == _id(key, params[key])))
    if "part" in params:
        signed = case((StockMove.reason == MoveReason.RETURN, -StockMove.quantity), else_=StockMove.quantity)
        used = (select(func.coalesce(func.sum(signed), 0))
                .where(and_(StockMove.order_id == Ord.id, StockMove.part_id == _id("part", params["part"]),
                            StockMove.reason.in_([MoveReason.ISSUE, MoveReason.RETURN]))).scalar_subquery())
        where.append(used > 0)
    return where, model


def orders_behind_query(drill_params: dict[str, str]) -> Any:
    """The select of the orders behind a figure, newest first."""
    where, model = drill_conditions(drill_params)
    stmt = select(Ord)
    if model:
        stmt = stmt.join(ProductModel, ProductModel.id == Ord.model_id)
    return stmt.where(*where).order_by(Ord.id.desc())


def orders_behind(session: Session, drill_params: dict[str, str], page: int = 1) -> Page[RepairOrder]:
    """One page of the orders a report's figure counted (the session's wall applies)."""
    return paginate(session, orders_behind_query(drill_params), page)
