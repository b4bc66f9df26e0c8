"""What the bench section of the order page (templates/orders/_work.html) shows and offers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_login import current_user

from servicecenter.diagnostics.catalogue import list_codes
from servicecenter.diagnostics.checklist import ChecklistLine, list_order_checklist, order_category
from servicecenter.diagnostics.models import CodeKind, DiagnosisCode, OrderDiagnosis, PartSwap
from servicecenter.repairs import outcomes, work, workbench
from servicecenter.repairs.models import Outcome, RepairOrder, WorkLog
from servicecenter.repairs.states import RepairState
from workstations.engineer import bp
from workstations.order_contents import once_per_request, order_has
from workstations.web.access import can_access
from workstations.web.auth_session import reader
from workstations.web.dbsession import db

FINISH_OUTCOMES = {
    RepairState.IN_REPAIR: [Outcome.REPAIRED, Outcome.REPLACED, Outcome.UNREPAIRABLE],
    RepairState.DIAGNOSIS: [Outcome.REFUSED, Outcome.UNREPAIRABLE],
}


@dataclass
class BenchPanel:
    repeats: list[workbench.EarlierRepair]
    category: str = ""
    can_take: bool = False
    taken_by_other: str | None = None
    on_bench: bool = False
    codes: dict[str, list[DiagnosisCode]] = field(default_factory=dict)
    diagnosis: OrderDiagnosis | None = None
    work: list[WorkLog] = field(default_factory=list)
    checklist: list[ChecklistLine] = field(default_factory=list)
    swaps: list[PartSwap] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    unit_repairs: list[workbench.UnitRepair] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return sum(w.minutes for w in self.work)

    @property
    def missing(self) -> list[str]:
        return [line.item.text for line in self.checklist if line.item.required and not line.ticked]

    @property
    def shown(self) -> bool:
        return bool(self.repeats or self.can_take or self.on_bench or self.diagnosis or self.work or self.swaps
                    or self.unit_repairs)


def _may_edit(user: Any, order: RepairOrder) -> bool:
    try:
        work.check_bench(user, order)
    except Exception:  # noqa: BLE001 — a refusal means: show, do not offer
        return False
    return True


def order_diagnosis(order: RepairOrder) -> OrderDiagnosis | None:
    """The order's coded diagnosis, read once per request: the bench shows it and the knowledge base
    suggests from its codes."""
    return once_per_request("order_diagnosis", order, lambda: work.get_order_diagnosis(db(), order)
                            if order_has(order).diagnosis else None)


@bp.app_template_global()
def bench_panel(order: RepairOrder) -> BenchPanel:
    """Everything the order page's bench section needs, for the logged-in user."""
    session = db()
    has = order_has(order)  # most orders have no swaps and their unit no other orders: not asked
    panel = BenchPanel(repeats=workbench.list_repeat_repairs(session, order) if has.unit_orders else [])
    user = reader() if current_user.is_authenticated else None  # role, center and id: no User loaded
    panel.diagnosis = order_diagnosis(order)
    panel.work = work.list_work(session, order) if has.work else []
    panel.swaps = outcomes.list_part_swaps(session, order) if has.swaps else []
    panel.unit_repairs = workbench.list_unit_repairs(session, order) if has.unit_orders else []
    if user is None or not can_access("engineer.take", user.role):
        return panel
    if order.state == RepairState.RECEIVED and user.role in work.BENCH_WORKERS:
        if order.engineer_id in (None, user.id):
            panel.can_take = user.works_network_wide or user.center_id == order.center_id
        else:
            panel.taken_by_other = order.engineer.name if order.engineer else None
    panel.on_bench = order.state in work.ON_BENCH and _may_edit(user, order)
    if panel.on_bench:
        panel.category = order_category(session, order)
        panel.codes = {kind.value: list_codes(session, panel.category, kind) for kind in CodeKind}
        panel.checklist = list_order_checklist(session, order)
        panel.outcomes = FINISH_OUTCOMES.get(order.state, [])
    return panel
