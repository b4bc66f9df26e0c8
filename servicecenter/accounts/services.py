"""Accounts: creating users, checking passwords, server-side login sessions, throttling."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from servicecenter.accounts.models import LoginAttempt, User, UserSession
from servicecenter.accounts.roles import Role
from servicecenter.centers.models import ServiceCenter
from servicecenter.clock import utcnow
from servicecenter.errors import N_, NotFound, PermissionDenied, ValidationFailed

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_ADDRESS = 30
# Checked against when the e-mail is unknown, so a miss costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


class LoginRefused(Exception):
    """Wrong e-mail or password, or an inactive account: one answer for all three."""


class LoginThrottled(Exception):
    """Too many failed attempts from this address or for this e-mail; try again later."""


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def create_user(
    session: Session,
    actor: User | None,
    *,
    email: str,
    password: str,
    role: Role | str,
    center: ServiceCenter,
    name: str = "",
) -> User:
    """Create a user of a center; only an admin (or the command line, actor None) may."""
    if actor is not None and actor.role != Role.ADMIN:
        raise PermissionDenied(N_("Only an administrator manages users"))
    errors: dict[str, str] = {}
    email = normalise_email(email)
    if not EMAIL_RE.match(email):
        errors["email"] = N_("Not an e-mail address")
    elif session.scalar(select(User.id).where(User.email == email)) is not None:
        errors["email"] = N_("A user with this e-mail already exists")
    if len(password or "") < MIN_PASSWORD:
        errors["password"] = N_("At least 8 characters")
    try:
        role = Role(role)
    except ValueError:
        errors["role"] = N_("Unknown role")
    if errors:
        raise ValidationFailed(N_("The user was not created"), errors=errors)
    user = User(email=email, name=(name or email.split("@")[0]).strip(), password_hash=hash_password(password),
                role=role, center_id=center.id)
    session.add(user)
    session.flush()
    return user


def set_active(session: Session, actor: User, user: User, active: bool) -> None:
    """Activate or deactivate a user; deactivation ends all their sessions at once."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied(N_("Only an administrator manages users"))
    if user.id == actor.id and not active:
        raise ValidationFailed(N_("You cannot deactivate yourself"))
    user.active = active
    if not active:
        revoke_user_sessions(session, user)
    session.flush()


def _failures(session: Session, column, value: str, since: datetime) -> int:  # noqa: ANN001
    return session.scalar(
        select(func.count()).select_from(LoginAttempt).where(column == value, LoginAttempt.at >= since)
    ) or 0


def authenticate(session: Session, email: str, password: str, remote_addr: str) -> User:
    """Check a login; raises LoginThrottled or LoginRefused, never says which part was wrong."""
    email = normalise_email(email)
    now = utcnow()
    since = now - THROTTLE_WINDOW
    if (_failures(session, LoginAttempt.email, email, since) >= MAX_FAILURES_PER_EMAIL
            or _failures(session, LoginAttempt.remote_addr, remote_addr, since) >= MAX_FAILURES_PER_ADDRESS):
        raise LoginThrottled()
    user = session.scalar(select(User).where(User.email == email))
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    if user is None or not ok or not user.active:
        session.add(LoginAttempt(at=now, email=email[:200], remote_addr=remote_addr[:64]))
        session.flush()
        raise LoginRefused()
    session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: User, remote_addr: str = "") -> str:
    """Open a login session for the user; returns the secret token the cookie carries."""
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token_hash=_token_hash(token), user_id=user.id, remote_addr=remote_addr[:64]))
    session.flush()
    return token


def get_session_user(session: Session, token: str) -> User | None:
    """The active user of a live login session, or None (revoked, unknown, deactivated)."""
    if not token:
        return None
    row = session.scalar(select(UserSession).where(UserSession.token_hash == _token_hash(token)))
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return user


def end_session(session: Session, token: str) -> None:
    """Log out: the session's token stops working at once."""
    row = session.scalar(select(UserSession).where(UserSession.token_hash == _token_hash(token)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()


def revoke_user_sessions(session: Session, user: User) -> None:
    for row in session.scalars(select(UserSession).where(UserSession.user_id == user.id,
                                                         UserSession.revoked_at.is_(None))):
        row.revoked_at = utcnow()


def get_user_by_email(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(N_("No user %(email)s"), email=email)
    return user
