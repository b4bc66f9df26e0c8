"""Team leads and engineers hear about deadlines at risk or passed (once per order and level, however often
the watcher runs) and engineers about parts arriving for an order waiting for them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from servicecenter.accounts.roles import Role
from servicecenter.clock import utcnow
from servicecenter.db import Database
from servicecenter.jobs.dispatch import run_outbox_job
from servicecenter.jobs.models import OutboxJob, OutboxState
from servicecenter.jobs.periodic import PERIODIC
from servicecenter.jobs.registry import enqueue_after_commit
from servicecenter.notifications.jobs import WATCH_JOB
from servicecenter.notifications.models import Notification, NotificationKind, NotificationState
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.services import assign_engineer
from servicecenter.repairs.states import RepairState
from servicecenter.repairs.walk import advance_to, role_picker
from servicecenter.stock.models import Part
from servicecenter.stock.services import request_shortage
from servicecenter.stock.warehouse import receive_parts
from tests.factories import Factory
from tests.notifications.conftest import PUBLIC_URL, Inbox


def _drain(db: Database) -> None:
    """What a worker does: run every outbox job not done yet, including those the jobs requested."""
    while True:
        with db.unit_of_work() as s:
            ids = list(s.scalars(select(OutboxJob.id).where(OutboxJob.state != OutboxState.DONE,
                                                            OutboxJob.attempts == 0).order_by(OutboxJob.id)))
        if not ids:
            return
        for outbox_id in ids:
            run_outbox_job(db, outbox_id)


def _watch(db: Database) -> None:
    with db.unit_of_work() as s:
        enqueue_after_commit(s, WATCH_JOB)
    _drain(db)


def _order_with_people(db: Database) -> tuple[int, str, str, str]:
    """An order in repair with an engineer (English) and a team lead (Russian) at its center."""
    with db.unit_of_work() as s:
        f = Factory(s)
        center = f.center()
        lead = f.staff(center, Role.TEAM_LEAD)  # the center's one team lead (the factory's walk uses it too)
        engineer = f.user(center, Role.ENGINEER, name="Pavel Engineer")
        engineer.locale = "en"
        f.user(Factory(s).center(), Role.TEAM_LEAD)  # another center's lead hears nothing
        order = f.order(center, state=RepairState.DIAGNOSIS)
        assign_engineer(s, order, engineer, lead)
        return order.id, order.number, lead.email, engineer.email


def _set_deadline(db: Database, order_id: int, due_in: timedelta, risk_in: timedelta) -> None:
    with db.unit_of_work() as s:  # as the deadline rules would have computed them, days ago
        order = s.get(RepairOrder, order_id)
        order.due_at, order.risk_at = utcnow() + due_in, utcnow() + risk_in


def _staff_log(db: Database, order_id: int) -> list[tuple[NotificationKind, str, NotificationState]]:
    with db.unit_of_work() as s:
        return [(n.kind, n.address, n.state) for n in s.scalars(
            select(Notification).where(Notification.order_id == order_id, Notification.user_id.is_not(None))
            .order_by(Notification.id))]


def test_the_deadline_watcher_runs_every_five_minutes() -> None:
    assert PERIODIC[WATCH_JOB] == 300


def test_deadline_watcher_run_twice_gives_one_notice_per_level(committed_database: Database, inbox: Inbox) -> None:
    order_id, number, lead, engineer = _order_with_people(committed_database)
    _drain(committed_database)
    inbox.messages.clear()
    _set_deadline(committed_database, order_id, timedelta(hours=3), timedelta(hours=-1))
    _watch(committed_database)
    _watch(committed_database)
    mails = {m["To"]: m for m in inbox.messages}
    assert len(inbox.messages) == 2 and set(mails) == {lead, engineer}
    assert mails[lead]["Subject"] == f"Срок под угрозой: заказ {number}"
    assert mails[engineer]["Subject"] == f"Deadline at risk: order {number}"
    assert "Pavel Engineer" in mails[lead].get_body(("plain",)).get_content()
    assert f"{PUBLIC_URL}/orders/{number}" in mails[engineer].get_body(("plain",)).get_content()

    _set_deadline(committed_database, order_id, timedelta(minutes=-5), timedelta(hours=-5))  # now past due
    _watch(committed_database)
    _watch(committed_database)
    assert [m["Subject"] for m in inbox.messages[2:]] == [f"Срок просрочен: заказ {number}",
                                                          f"Deadline passed: order {number}"]
    assert _staff_log(committed_database, order_id) == [
        (NotificationKind.AT_RISK, lead, NotificationState.SENT),
        (NotificationKind.AT_RISK, engineer, NotificationState.SENT),
        (NotificationKind.OVERDUE, lead, NotificationState.SENT),
        (NotificationKind.OVERDUE, engineer, NotificationState.SENT),
    ]


def test_orders_on_time_or_finished_get_no_deadline_notice(committed_database: Database, inbox: Inbox) -> None:
    order_id, _number, _lead, _engineer = _order_with_people(committed_database)
    _set_deadline(committed_database, order_id, timedelta(days=3), timedelta(days=2))
    _watch(committed_database)
    assert _staff_log(committed_database, order_id) == []


def test_parts_arriving_for_an_order_waiting_for_them_tell_its_engineer(committed_database: Database,
                                                                        inbox: Inbox) -> None:
    order_id, number, _lead, engineer = _order_with_people(committed_database)
    with committed_database.unit_of_work() as s:
        order = s.get(RepairOrder, order_id)
        part = Part(sku="PUMP-01", name="Насос сливной")
        s.add(part)
        s.flush()
        request_shortage(s, order.engineer, order, part, 2)
        advance_to(s, order, RepairState.AWAITING_PARTS, role_picker({Role.ENGINEER: order.engineer}))
    _drain(committed_database)
    inbox.messages.clear()
    with committed_database.unit_of_work() as s:
        order = s.get(RepairOrder, order_id)
        clerk = Factory(s).user(order.center, Role.WAREHOUSE)
        receive_parts(s, clerk, order.center_id, s.scalar(select(Part).where(Part.sku == "PUMP-01")), 2)
    _drain(committed_database)
    [mail] = inbox.messages
    assert mail["To"] == engineer and mail["Subject"] == f"Parts arrived: order {number}"
    assert "PUMP-01 Насос сливной × 2" in mail.get_body(("plain",)).get_content()


def test_the_periodic_runner_s_watcher_mails_right_after_its_commit(embedded: Database, inbox: Inbox) -> None:
    from servicecenter.jobs.ticker import run_periodic_job

    order_id, number, lead, engineer = _order_with_people(embedded)
    _set_deadline(embedded, order_id, timedelta(minutes=-1), timedelta(hours=-2))
    assert run_periodic_job(embedded, WATCH_JOB)
    assert run_periodic_job(embedded, WATCH_JOB)  # the next tick finds everyone told
    assert sorted(m["To"] for m in inbox.messages) == sorted([lead, engineer])
    assert {m["Subject"] for m in inbox.messages} == {f"Срок просрочен: заказ {number}",
                                                      f"Deadline passed: order {number}"}


def test_parts_arriving_in_a_shipment_tell_the_engineer_waiting_for_them(committed_database: Database,
                                                                         inbox: Inbox) -> None:
    """The central warehouse ships the pump; when the waiting center scans it in, its engineer hears."""
    from servicecenter.centers.models import LocationKind
    from servicecenter.shipments.dispatch import dispatch_shipment
    from servicecenter.shipments.receiving import receive_scanned
    from servicecenter.shipments.services import add_scanned, create_shipment
    from servicecenter.stock import journal
    from servicecenter.stock.models import MoveReason

    def main_warehouse(center):  # noqa: ANN001, ANN202
        return next(loc for loc in center.locations if loc.kind == LocationKind.WAREHOUSE and loc.is_main)

    order_id, number, _lead, engineer = _order_with_people(committed_database)
    with committed_database.unit_of_work() as s:
        order = s.get(RepairOrder, order_id)
        part = Part(sku="PUMP-02", name="Насос циркуляционный")
        s.add(part)
        s.flush()
        request_shortage(s, order.engineer, order, part, 1)
        advance_to(s, order, RepairState.AWAITING_PARTS, role_picker({Role.ENGINEER: order.engineer}))
        hub = Factory(s).center()
        journal.move_parts(s, None, part, 5, source=None, target=main_warehouse(hub), reason=MoveReason.RECEIPT)
        sender = Factory(s).user(hub, Role.LOGISTICS)
        shipment = create_shipment(s, sender, origin=main_warehouse(hub), destination=main_warehouse(order.center))
        add_scanned(s, sender, shipment, "PUMP-02", 1)
        dispatch_shipment(s, sender, shipment, carrier="ПЭК")
        shipment_id = shipment.id
    _drain(committed_database)
    inbox.messages.clear()
    with committed_database.unit_of_work() as s:
        from servicecenter.shipments.models import Shipment

        order = s.get(RepairOrder, order_id)
        receiver = Factory(s).user(order.center, Role.WAREHOUSE)
        receive_scanned(s, receiver, s.get(Shipment, shipment_id), "PUMP-02", 1)
    _drain(committed_database)
    [mail] = inbox.messages
    assert mail["To"] == engineer and mail["Subject"] == f"Parts arrived: order {number}"
    assert "PUMP-02 Насос циркуляционный × 1" in mail.get_body(("plain",)).get_content()
