"""Sending one message through the SMTP server of the settings (MAIL_SERVER, MAIL_PORT, ...)."""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from servicecenter.config import Settings
from servicecenter.notifications.render import RenderedMail

TIMEOUT_SECONDS = 30


def message_id(settings: Settings, notification_id: int, unique_key: str) -> str:
    """The same Message-ID for every attempt of one notification: a mail client or server that got a
    message twice (a worker killed after the server accepted it) can tell it is one message."""
    domain = settings.mail_sender.rpartition("@")[2].strip("> ") or "servicecenter.localhost"
    digest = hashlib.sha256(unique_key.encode()).hexdigest()[:16]
    return f"<notification-{notification_id}.{digest}@{domain}>"


def build_message(settings: Settings, to: str, mail: RenderedMail, msg_id: str) -> EmailMessage:
    """A multipart/alternative message: plain text first, then the HTML part."""
    msg = EmailMessage()
    msg["From"] = settings.mail_sender
    msg["To"] = to
    msg["Subject"] = mail.subject
    msg["Message-ID"] = msg_id
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to us
    msg.set_content(mail.text)
    msg.add_alternative(mail.html, subtype="html")
    return msg


def send_message(settings: Settings, msg: EmailMessage) -> None:
    """Hand the message to the SMTP server (STARTTLS when MAIL_USE_TLS, implicit TLS on port 465)."""
    context = ssl.create_default_context()
    if settings.mail_port == 465:
        client: smtplib.SMTP = smtplib.SMTP_SSL(settings.mail_server, settings.mail_port, timeout=TIMEOUT_SECONDS,
                                                context=context)
    else:
        client = smtplib.SMTP(settings.mail_server, settings.mail_port, timeout=TIMEOUT_SECONDS)
    with client:
        if settings.mail_use_tls and settings.mail_port != 465:
            client.starttls(context=context)
        if settings.mail_username:
            client.login(settings.mail_username, settings.mail_password or "")
        client.send_message(msg)
