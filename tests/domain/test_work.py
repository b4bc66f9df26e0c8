"""The engineer's operations: take, coded diagnosis, labour, checklist, replaced parts, finish, repeats."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from servicecenter.accounts.roles import Role
from servicecenter.clock import local_date, utcnow
from servicecenter.diagnostics.catalogue import create_checklist_item, create_code, update_code
from servicecenter.diagnostics.checklist import list_order_checklist
from servicecenter.diagnostics.models import CodeKind
from servicecenter.equipment.models import Unit
from servicecenter.errors import NotFound, PermissionDenied, StateConflict, ValidationFailed
from servicecenter.repairs.models import EventKind, Outcome, WorkLog
from servicecenter.repairs.outcomes import finish_order, list_part_swaps, record_part_swap
from servicecenter.repairs.queries import list_order_history, list_unit_history
from servicecenter.repairs.services import apply_transition, assign_engineer
from servicecenter.repairs.states import RepairState
from servicecenter.repairs.work import (
    get_order_diagnosis,
    list_work,
    log_work,
    record_diagnosis,
    take_order,
    tick_checklist_item,
)
from servicecenter.repairs.workbench import (
    count_hours,
    find_scanned_order,
    list_my_queue,
    list_repeat_repairs,
    list_unassigned,
)

WASHERS = "Стиральные машины"


@pytest.fixture
def bench(factory):  # noqa: ANN001, ANN201
    center = factory.center()
    admin = factory.staff(center, Role.ADMIN)
    codes = {
        "symptom": create_code(factory.session, admin, category=WASHERS, kind="symptom", code="S01", name="Не сливает"),
        "cause": create_code(factory.session, admin, category=WASHERS, kind="cause", code="C01", name="Засор помпы"),
        "action": create_code(factory.session, admin, category=WASHERS, kind="action", code="A01", name="Чистка"),
        "tv": create_code(factory.session, admin, category="Телевизоры", kind="cause", code="C01", name="Подсветка"),
    }

    class Bench:
        pass

    b = Bench()
    b.f, b.s, b.center, b.admin, b.codes = factory, factory.session, center, admin, codes
    b.eng = factory.staff(center, Role.ENGINEER)
    b.other = factory.user(center, Role.ENGINEER, name="Петров П.")
    b.lead = factory.staff(center, Role.TEAM_LEAD)
    return b


def _mine(b, state=RepairState.IN_REPAIR):  # noqa: ANN001, ANN202
    order = b.f.order(b.center, state)
    assign_engineer(b.s, order, b.eng, b.lead)
    return order


# --- take -------------------------------------------------------------------------------------

def test_an_engineer_takes_an_unassigned_order_into_diagnosis(bench) -> None:  # noqa: ANN001
    order = bench.f.order(bench.center)
    assert order in list_unassigned(bench.s, bench.center.id)
    take_order(bench.s, bench.eng, order)
    assert order.state == RepairState.DIAGNOSIS and order.engineer_id == bench.eng.id
    kinds = [e.kind for e in list_order_history(bench.s, order)]
    assert kinds == [EventKind.CREATED, EventKind.ASSIGNMENT, EventKind.STATE]
    assert order in list_my_queue(bench.s, bench.eng.id)
    assert order not in list_unassigned(bench.s, bench.center.id)


def test_an_order_assigned_to_him_is_started_the_same_way(bench) -> None:  # noqa: ANN001
    order = bench.f.order(bench.center)
    assign_engineer(bench.s, order, bench.eng, bench.lead)
    take_order(bench.s, bench.eng, order)
    assert order.state == RepairState.DIAGNOSIS
    assert [e.kind for e in list_order_history(bench.s, order)].count(EventKind.ASSIGNMENT) == 1


def test_an_order_someone_else_has_is_refused_naming_him(bench) -> None:  # noqa: ANN001
    order = bench.f.order(bench.center)
    take_order(bench.s, bench.other, order)
    with pytest.raises(StateConflict, match="Петров П."):
        take_order(bench.s, bench.eng, order)
    assert order.engineer_id == bench.other.id


def test_a_duplicate_take_is_refused(bench) -> None:  # noqa: ANN001
    order = bench.f.order(bench.center)
    take_order(bench.s, bench.eng, order)
    with pytest.raises(StateConflict, match="only a received order"):
        take_order(bench.s, bench.eng, order)
    assert [e.kind for e in list_order_history(bench.s, order)].count(EventKind.STATE) == 1


def test_take_is_refused_for_other_roles_and_other_centers(bench) -> None:  # noqa: ANN001
    order = bench.f.order(bench.center)
    with pytest.raises(PermissionDenied):
        take_order(bench.s, bench.f.staff(bench.center, Role.INTAKE), order)
    with pytest.raises(PermissionDenied, match="another service center"):
        take_order(bench.s, bench.f.staff(bench.f.center(), Role.ENGINEER), order)
    assert order.state == RepairState.RECEIVED and order.engineer_id is None


# --- diagnosis --------------------------------------------------------------------------------

def test_a_coded_diagnosis_is_stored_with_its_text(bench) -> None:  # noqa: ANN001
    order = bench.f.order(bench.center)
    take_order(bench.s, bench.eng, order)
    c = bench.codes
    row = record_diagnosis(bench.s, bench.eng, order, symptom_id=c["symptom"].id, cause_id=str(c["cause"].id),
                           action_id=c["action"].id, text="Помпа забита ворсом")
    assert (row.symptom, row.cause, row.action) == (c["symptom"], c["cause"], c["action"])
    assert order.diagnosis == "Помпа забита ворсом"
    assert get_order_diagnosis(bench.s, order) is row
    last = list_order_history(bench.s, order)[-1]
    assert last.details["field"] == "diagnosis" and "S01" in last.to_value
    # Recording again replaces the codes, and history keeps what was before.
    record_diagnosis(bench.s, bench.eng, order, symptom_id=c["symptom"].id, cause_id=c["cause"].id)
    assert get_order_diagnosis(bench.s, order).action_id is None
    assert "A01" in list_order_history(bench.s, order)[-1].from_value


def test_codes_of_another_category_inactive_or_wrong_kind_are_refused(bench) -> None:  # noqa: ANN001
    order = bench.f.order(bench.center)
    take_order(bench.s, bench.eng, order)
    c = bench.codes
    with pytest.raises(ValidationFailed) as err:
        record_diagnosis(bench.s, bench.eng, order, symptom_id=c["symptom"].id, cause_id=c["tv"].id)
    assert err.value.errors == {"cause": "This code belongs to another product category"}
    with pytest.raises(ValidationFailed) as err:
        record_diagnosis(bench.s, bench.eng, order, symptom_id=c["cause"].id, cause_id=None)
    assert set(err.value.errors) == {"symptom", "cause"}
    update_code(bench.s, bench.admin, c["symptom"], category=WASHERS, kind="symptom", code="S01", name="x",
                active=False)
    with pytest.raises(ValidationFailed) as err:
        record_diagnosis(bench.s, bench.eng, order, symptom_id=c["symptom"].id, cause_id=c["cause"].id)
    assert err.value.errors == {"symptom": "This code is no longer in use"}
    assert get_order_diagnosis(bench.s, order) is None


def test_diagnosis_needs_the_order_on_the_bench_and_assigned(bench) -> None:  # noqa: ANN001
    c = bench.codes
    received = bench.f.order(bench.center)
    assign_engineer(bench.s, received, bench.eng, bench.lead)
    with pytest.raises(StateConflict):
        record_diagnosis(bench.s, bench.eng, received, symptom_id=c["symptom"].id, cause_id=c["cause"].id)
    other = bench.f.order(bench.center)
    take_order(bench.s, bench.other, other)
    with pytest.raises(PermissionDenied, match="assigned to Петров П."):
        record_diagnosis(bench.s, bench.eng, other, symptom_id=c["symptom"].id, cause_id=c["cause"].id)
    # A team lead may record on any order of the center.
    record_diagnosis(bench.s, bench.lead, other, symptom_id=c["symptom"].id, cause_id=c["cause"].id)


# --- labour -----------------------------------------------------------------------------------

def test_labour_is_logged_and_counted(bench) -> None:  # noqa: ANN001
    order = _mine(bench)
    entry = log_work(bench.s, bench.eng, order, 90, "Замена помпы")
    log_work(bench.s, bench.eng, order, "30", "Проверка")
    assert entry.minutes == 90 and list_work(bench.s, order)[0] is entry
    hours = count_hours(bench.s, bench.eng.id, bench.center.timezone)
    assert (hours.today_minutes, hours.week_minutes) == (120, 120)
    assert list_order_history(bench.s, order)[-1].details["minutes"] == 30


@pytest.mark.parametrize(("minutes", "field_error"), [
    (0, "More than zero"), (-15, "More than zero"), (1441, "At most 1440"), ("abc", "Whole minutes"),
    (None, "Whole minutes")])
def test_absurd_labour_is_refused(bench, minutes, field_error) -> None:  # noqa: ANN001
    order = _mine(bench)
    with pytest.raises(ValidationFailed) as err:
        log_work(bench.s, bench.eng, order, minutes, "Работа")
    assert err.value.errors == {"minutes": field_error}
    assert bench.s.scalars(select(WorkLog).where(WorkLog.order_id == order.id)).all() == []


def test_labour_in_the_future_for_closed_orders_or_by_others_is_refused(bench) -> None:  # noqa: ANN001
    order = _mine(bench)
    today = local_date(utcnow(), bench.center.timezone)
    with pytest.raises(ValidationFailed, match="future"):
        log_work(bench.s, bench.eng, order, 30, "Работа", today + timedelta(days=1))
    with pytest.raises(ValidationFailed, match="Say what was done"):
        log_work(bench.s, bench.eng, order, 30, "  ")
    with pytest.raises(PermissionDenied):
        log_work(bench.s, bench.other, order, 30, "Работа")
    with pytest.raises(PermissionDenied):
        log_work(bench.s, bench.f.staff(bench.center, Role.INTAKE), order, 30, "Работа")
    ready = _mine(bench, RepairState.READY_FOR_PICKUP)
    with pytest.raises(StateConflict):
        log_work(bench.s, bench.eng, ready, 30, "Работа")
    log_work(bench.s, bench.eng, order, 30, "Вчера", today - timedelta(days=1))


# --- checklist and finish ---------------------------------------------------------------------

def test_finish_is_refused_while_required_items_are_unticked(bench) -> None:  # noqa: ANN001
    a = create_checklist_item(bench.s, bench.admin, category=WASHERS, text="Тест слива", position=1)
    create_checklist_item(bench.s, bench.admin, category=WASHERS, text="Фото", position=2, required=False)
    create_checklist_item(bench.s, bench.admin, category="Телевизоры", text="Не наше")
    order = _mine(bench)
    assert [line.item.text for line in list_order_checklist(bench.s, order)] == ["Тест слива", "Фото"]
    with pytest.raises(ValidationFailed, match="Complete the checklist first: Тест слива"):
        finish_order(bench.s, bench.eng, order, outcome="repaired")
    with pytest.raises(ValidationFailed, match="Complete the checklist"):  # the generic edge too
        apply_transition(bench.s, order, RepairState.READY_FOR_PICKUP, bench.eng, outcome="repaired")
    assert order.state == RepairState.IN_REPAIR
    assert tick_checklist_item(bench.s, bench.eng, order, a.id) is True
    assert tick_checklist_item(bench.s, bench.eng, order, a.id) is False  # twice: one tick, one event
    assert tick_checklist_item(bench.s, bench.eng, order, a.id, ticked=False) is True
    tick_checklist_item(bench.s, bench.eng, order, a.id)
    finish_order(bench.s, bench.eng, order, outcome="repaired", note="Помпа заменена")
    assert order.state == RepairState.READY_FOR_PICKUP and order.outcome == Outcome.REPAIRED
    with pytest.raises(ValidationFailed, match="not on the order's checklist"):
        tick_checklist_item(bench.s, bench.eng, _mine(bench), 999999)


def test_finish_from_diagnosis_only_without_repair(bench) -> None:  # noqa: ANN001
    order = _mine(bench, RepairState.DIAGNOSIS)
    with pytest.raises(ValidationFailed, match="refused, unrepairable"):
        finish_order(bench.s, bench.eng, order, outcome="repaired")
    with pytest.raises(ValidationFailed, match="conclusion"):
        finish_order(bench.s, bench.eng, order, outcome="unrepairable")
    with pytest.raises(ValidationFailed):
        finish_order(bench.s, bench.eng, order, outcome="fixed-ish")
    finish_order(bench.s, bench.eng, order, outcome="unrepairable", note="Трещина бака")
    assert order.outcome == Outcome.UNREPAIRABLE and order.state == RepairState.READY_FOR_PICKUP
    with pytest.raises(StateConflict):
        finish_order(bench.s, bench.eng, order, outcome="repaired")


def test_replaced_outcome_links_a_new_unit_to_the_old_one(bench) -> None:  # noqa: ANN001
    order = _mine(bench)
    old = order.unit
    with pytest.raises(ValidationFailed) as err:
        finish_order(bench.s, bench.eng, order, outcome="replaced", replacement_serial="")
    assert "replacement_serial" in err.value.errors and order.state == RepairState.IN_REPAIR
    with pytest.raises(ValidationFailed):
        finish_order(bench.s, bench.eng, order, outcome="replaced", replacement_serial=old.serial)
    finish_order(bench.s, bench.eng, order, outcome="replaced", replacement_serial="new-0001 ", note="Обмен")
    new = old.replaced_by
    assert new.serial == "NEW-0001" and new.model_id == old.model_id and new.owner_id == old.owner_id
    assert order.outcome == Outcome.REPLACED
    assert [e.details.get("field") for e in list_unit_history(bench.s, new.id)] == ["replacement"]


def test_a_replaced_serialised_part_becomes_two_linked_units(bench) -> None:  # noqa: ANN001
    order = _mine(bench)
    swap = record_part_swap(bench.s, bench.eng, order, part_name="Плата управления", old_serial="pcb-old-1",
                            new_serial="PCB-NEW-2")
    assert swap.old_unit.serial == "PCB-OLD-1" and swap.new_unit.serial == "PCB-NEW-2"
    assert swap.old_unit.component_of_id == order.unit_id == swap.new_unit.component_of_id
    assert swap.old_unit.replaced_by_id == swap.new_unit.id
    assert swap.new_unit.model.category == "Комплектующие" and not swap.new_unit.model.active
    assert list_part_swaps(bench.s, order) == [swap]
    assert list_order_history(bench.s, order)[-1].details["field"] == "parts"
    assert list_unit_history(bench.s, swap.old_unit.id)[-1].details["params"]["number"] == order.number
    with pytest.raises(ValidationFailed) as err:
        record_part_swap(bench.s, bench.eng, order, part_name="", old_serial="X1", new_serial="X1")
    assert set(err.value.errors) == {"part_name", "new_serial"}
    with pytest.raises(ValidationFailed):  # the part taken out cannot be taken out again
        record_part_swap(bench.s, bench.eng, order, part_name="Плата", old_serial="PCB-OLD-1", new_serial="PCB-3")
    assert bench.s.scalar(select(Unit).where(Unit.serial == "PCB-3")) is None


# --- reading ----------------------------------------------------------------------------------

def test_a_unit_back_within_90_days_is_a_repeat_repair(bench) -> None:  # noqa: ANN001
    first = _mine(bench, RepairState.ISSUED)
    unit = first.unit
    second = bench.f.order(bench.center, unit=unit, customer=first.customer)
    assert [r.number for r in list_repeat_repairs(bench.s, second)] == [first.number]
    first.ready_at = second.received_at - timedelta(days=91)
    bench.s.flush()
    assert list_repeat_repairs(bench.s, second) == []
    assert list_repeat_repairs(bench.s, first) == []


def test_a_scanned_serial_opens_the_units_open_order(bench) -> None:  # noqa: ANN001
    order = bench.f.order(bench.center)
    assert find_scanned_order(bench.s, order.unit.serial.lower(), bench.center.id) == order.number
    assert find_scanned_order(bench.s, order.number, bench.center.id) == order.number
    with pytest.raises(NotFound):
        find_scanned_order(bench.s, "NO-SUCH-THING", bench.center.id)


def test_the_queue_is_sorted_by_due_date_with_undated_last(bench) -> None:  # noqa: ANN001
    late, early, undated = (_mine(bench, RepairState.DIAGNOSIS) for _ in range(3))
    now = utcnow()
    late.due_at, early.due_at = now + timedelta(days=3), now + timedelta(days=1)
    bench.s.flush()
    assert list_my_queue(bench.s, bench.eng.id) == [early, late, undated]


def test_only_an_admin_manages_the_catalogue_and_codes_are_unique(bench) -> None:  # noqa: ANN001
    with pytest.raises(PermissionDenied):
        create_code(bench.s, bench.eng, category=WASHERS, kind="symptom", code="S02", name="Шумит")
    with pytest.raises(ValidationFailed) as err:
        create_code(bench.s, bench.admin, category=WASHERS, kind="symptom", code="s01", name="Дубль")
    assert err.value.errors == {"code": "This category already has this code"}
    with pytest.raises(ValidationFailed) as err:
        create_code(bench.s, bench.admin, category="", kind="nonsense", code="??", name="")
    assert set(err.value.errors) == {"category", "kind", "code", "name"}
    assert create_code(bench.s, bench.admin, category=WASHERS, kind=CodeKind.SYMPTOM, code="s02",
                       name="Шумит").code == "S02"


def test_failures_are_counted_from_coded_diagnoses(bench) -> None:  # noqa: ANN001
    from servicecenter.diagnostics.stats import count_failures

    c = bench.codes
    model = bench.f.model(category=WASHERS, name="WW-STAT")
    for _ in range(2):
        order = bench.f.order(bench.center, unit=bench.f.unit(model=model))
        take_order(bench.s, bench.eng, order)
        record_diagnosis(bench.s, bench.eng, order, symptom_id=c["symptom"].id, cause_id=c["cause"].id)
    rows = count_failures(bench.s, category=WASHERS, center_id=bench.center.id)
    assert [(r.model, r.symptom, r.cause, r.orders) for r in rows] == [("WW-STAT", "S01", "C01", 2)]
