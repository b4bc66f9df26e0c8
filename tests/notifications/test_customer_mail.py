"""Customers get an e-mail when their unit is received, an estimate waits, it is ready and handed back —
after the commit, once, and never when they opted out."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from servicecenter.accounts.roles import Role
from servicecenter.db import Database
from servicecenter.jobs.dispatch import run_outbox_job
from servicecenter.jobs.models import OutboxJob
from servicecenter.jobs.registry import enqueue_after_commit
from servicecenter.notifications.jobs import RETRY_JOB, SEND_JOB
from servicecenter.notifications.models import Notification, NotificationKind, NotificationState, SkipReason
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.states import RepairState
from servicecenter.repairs.walk import advance_to, role_picker
from tests.factories import Factory
from tests.notifications.conftest import PUBLIC_URL, SENDER, Inbox, free_port


def _receive(db: Database, email: str = "ivanov@example.test", opt_out: bool = False,
             state: RepairState = RepairState.RECEIVED) -> str:
    with db.unit_of_work() as s:
        f = Factory(s)
        customer = f.customer()
        customer.email, customer.notifications_opt_out = email, opt_out
        return f.order(f.center(), state=state, customer=customer).number


def _log(db: Database, number: str) -> list[Notification]:
    with db.unit_of_work() as s:
        order = s.scalar(select(RepairOrder).where(RepairOrder.number == number))
        rows = list(s.scalars(select(Notification).where(Notification.order_id == order.id)
                              .order_by(Notification.id)))
        s.expunge_all()
        return rows


def _text(message) -> str:  # noqa: ANN001
    return message.get_body(("plain",)).get_content()


def test_received_mail_arrives_right_after_the_commit_in_embedded_mode(embedded: Database, inbox: Inbox) -> None:
    with embedded.unit_of_work() as s:
        f = Factory(s)
        customer = f.customer(name="Иванов Иван")
        customer.email = "ivanov@example.test"
        order = f.order(f.center(), customer=customer)
        number = order.number
        assert inbox.messages == []  # nothing leaves before the commit
    [mail] = inbox.messages
    assert mail["To"] == "ivanov@example.test" and mail["From"] == SENDER
    assert number in mail["Subject"] and "принято в ремонт" in mail["Subject"]
    text = _text(mail)
    assert "Здравствуйте, Иванов Иван!" in text
    assert f"{PUBLIC_URL}/status?number={number}" in text
    html = mail.get_body(("html",)).get_content()
    assert f'href="{PUBLIC_URL}/status?number={number}"' in html
    [row] = _log(embedded, number)
    assert (row.kind, row.state, row.language, row.attempts) == (NotificationKind.RECEIVED, NotificationState.SENT,
                                                                 "ru", 1)
    assert row.subject == mail["Subject"] and row.sent_at is not None
    assert mail["Message-ID"] == row.message_id and row.message_id.startswith(f"<notification-{row.id}.")
    assert row.message_id.endswith("@sc.example.test>")


def test_a_rolled_back_intake_sends_nothing_and_logs_nothing(embedded: Database, inbox: Inbox) -> None:
    with pytest.raises(RuntimeError), embedded.unit_of_work() as s:
        f = Factory(s)
        customer = f.customer()
        customer.email = "petrov@example.test"
        f.order(f.center(), customer=customer)
        raise RuntimeError("the printer jammed and the clerk cancelled")
    assert inbox.messages == []
    with embedded.unit_of_work() as s:
        assert s.scalars(select(Notification)).all() == []
        assert s.scalars(select(OutboxJob)).all() == []


def test_an_opted_out_customer_gets_nothing_and_the_log_says_why(embedded: Database, inbox: Inbox) -> None:
    number = _receive(embedded, opt_out=True)
    no_email = _receive(embedded, email="")
    assert inbox.messages == []
    [row] = _log(embedded, number)
    assert (row.state, row.skip_reason) == (NotificationState.SKIPPED, SkipReason.OPTED_OUT)
    [row] = _log(embedded, no_email)
    assert (row.state, row.skip_reason) == (NotificationState.SKIPPED, SkipReason.NO_ADDRESS)


def test_a_job_run_twice_sends_one_mail(committed_database: Database, inbox: Inbox) -> None:
    number = _receive(committed_database)  # no dispatcher: the job waits in the outbox
    [row] = _log(committed_database, number)
    with committed_database.unit_of_work() as s:  # a duplicate request for the same notification
        enqueue_after_commit(s, SEND_JOB, notification_id=row.id)
    outbox = _outbox_ids(committed_database)
    assert len(outbox) == 2
    for outbox_id in outbox + outbox:
        run_outbox_job(committed_database, outbox_id)
    assert len(inbox.messages) == 1
    assert _log(committed_database, number)[0].state == NotificationState.SENT


def _outbox_ids(db: Database) -> list[int]:
    with db.unit_of_work() as s:
        return list(s.scalars(select(OutboxJob.id).where(OutboxJob.name == SEND_JOB).order_by(OutboxJob.id)))


def test_estimate_ready_and_issued_each_send_their_mail(embedded: Database, inbox: Inbox) -> None:
    number = _receive(embedded)
    with embedded.unit_of_work() as s:
        order = s.scalar(select(RepairOrder).where(RepairOrder.number == number))
        f = Factory(s)
        people = role_picker({r: f.staff(order.center, r) for r in (Role.ENGINEER, Role.INTAKE, Role.TEAM_LEAD)})
        advance_to(s, order, RepairState.AWAITING_APPROVAL, people)
    with embedded.unit_of_work() as s:
        order = s.scalar(select(RepairOrder).where(RepairOrder.number == number))
        f = Factory(s)
        people = role_picker({r: f.staff(order.center, r) for r in (Role.ENGINEER, Role.INTAKE, Role.TEAM_LEAD)})
        advance_to(s, order, RepairState.ISSUED, people)
    kinds = [row.kind for row in _log(embedded, number)]
    assert kinds[0] == NotificationKind.RECEIVED and kinds[1] == NotificationKind.ESTIMATE
    assert kinds[-2:] == [NotificationKind.READY, NotificationKind.ISSUED]
    subjects = [m["Subject"] for m in inbox.messages]
    assert len(subjects) == len(kinds)
    assert "смета ждёт вашего решения" in subjects[1]
    assert "можно забрать" in subjects[-2] and "выдано" in subjects[-1]


def test_a_mail_server_that_is_down_leaves_a_failed_row_that_the_retry_sends(
        committed_database: Database, inbox: Inbox, monkeypatch: pytest.MonkeyPatch) -> None:
    real_port = os.environ["MAIL_PORT"]
    monkeypatch.setenv("MAIL_PORT", str(free_port()))  # nothing listens there
    number = _receive(committed_database)
    run_outbox_job(committed_database, _outbox_ids(committed_database)[0])
    [row] = _log(committed_database, number)
    assert row.state == NotificationState.FAILED and "Connection" in row.error and inbox.messages == []

    monkeypatch.setenv("MAIL_PORT", real_port)  # the server is back
    with committed_database.unit_of_work() as s:
        enqueue_after_commit(s, RETRY_JOB)
    for outbox_id in _outbox_ids_all(committed_database):
        run_outbox_job(committed_database, outbox_id)
    for outbox_id in _outbox_ids(committed_database):
        run_outbox_job(committed_database, outbox_id)
    assert len(inbox.messages) == 1
    [row] = _log(committed_database, number)
    assert (row.state, row.attempts, row.error) == (NotificationState.SENT, 2, "")


def _outbox_ids_all(db: Database) -> list[int]:
    with db.unit_of_work() as s:
        return list(s.scalars(select(OutboxJob.id).order_by(OutboxJob.id)))


def test_loading_the_demo_network_writes_no_notifications(session) -> None:  # noqa: ANN001
    from servicecenter.demo import load_demo

    load_demo(session)  # thousands of orders for made-up customers at real mail providers
    assert session.scalars(select(Notification)).first() is None
    assert session.scalars(select(OutboxJob).where(OutboxJob.name == SEND_JOB)).first() is None
