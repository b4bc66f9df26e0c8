"""A real SMTP server on loopback (aiosmtpd) that keeps what it accepts, and the mail settings pointing at it."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

import pytest
from aiosmtpd.controller import Controller

from servicecenter.db import Database
from servicecenter.jobs.dispatch import Dispatcher

SENDER = "service@sc.example.test"
PUBLIC_URL = "https://sc.example.test"


class Inbox:
    """What the server accepted. `hold()` makes the next message wait inside DATA until `release()`,
    then refuses it (451): a sender that dies meanwhile has delivered nothing."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._held = threading.Event()
        self._release: threading.Event | None = None

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802
        release = self._release
        if release is not None and not release.is_set():
            self._held.set()
            while not release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 Try again later"
        message = message_from_bytes(envelope.content, policy=default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def hold(self) -> None:
        self._release, self._held = threading.Event(), threading.Event()

    def wait_held(self, timeout: float = 60) -> bool:
        return self._held.wait(timeout)

    def release(self) -> None:
        if self._release is not None:
            self._release.set()

    def wait_for(self, count: int, timeout: float = 60) -> list[EmailMessage]:
        """Wait until `count` messages arrived (or the timeout), then return all of them."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return list(self.messages)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Inbox, int]]:
    """An SMTP server on a free loopback port; MAIL_* and PUBLIC_URL point every process at it."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    for key, value in {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port), "MAIL_SENDER": SENDER,
                       "MAIL_USE_TLS": "", "MAIL_USERNAME": "", "PUBLIC_URL": PUBLIC_URL}.items():
        monkeypatch.setenv(key, value)
    yield inbox, port
    inbox.release()
    controller.stop()


@pytest.fixture
def inbox(smtp: tuple[Inbox, int]) -> Inbox:
    return smtp[0]


@pytest.fixture
def embedded(committed_database: Database) -> Iterator[Database]:
    """The committed database with the embedded dispatcher: jobs run in-process right after the commit."""
    Dispatcher(committed_database, redis_url=None)
    yield committed_database
    committed_database.session_factory.kw.get("info", {}).pop("dispatcher", None)
