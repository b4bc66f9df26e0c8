"""Accounts: creating users, checking passwords, server-side login sessions, throttling."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, select, text
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from servicecenter.accounts.models import LoginAttempt, User, UserSession
from servicecenter.accounts.principal_cache import PrincipalCache
from servicecenter.accounts.roles import NETWORK_ROLES, PARTNER_ROLES, WALLED_ROLES, Role
from servicecenter.centers.models import ServiceCenter
from servicecenter.clock import utcnow
from servicecenter.errors import N_, NotFound, PermissionDenied, ValidationFailed

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_ADDRESS = 30
# werkzeug's scrypt (N=2^15, r=8, p=1). The test suite lowers the cost for speed.
PASSWORD_METHOD = "scrypt"  # noqa: S105  (a method name, not a password)


class LoginRefused(Exception):
    """Wrong e-mail or password, or an inactive account: one answer for all three."""


class LoginThrottled(Exception):
    """Too many failed attempts from this address or for this e-mail; try again later."""


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_METHOD)


_DUMMY_HASHES: dict[str, str] = {}


def _dummy_hash() -> str:
    """Checked against when the e-mail is unknown, so a miss costs as long as a wrong password."""
    if PASSWORD_METHOD not in _DUMMY_HASHES:
        _DUMMY_HASHES[PASSWORD_METHOD] = hash_password("not-a-real-password")
    return _DUMMY_HASHES[PASSWORD_METHOD]


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
    """Create a user of a center: an admin, a partner manager for its own engineers (check_manages),
    or the command line (actor None)."""
    if actor is not None:
        check_manages(actor, center, role)
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
    else:
        if not role_fits_center(role, center):
            errors["role"] = N_("A partner center's users have the partner role, and only they do")
    if errors:
        raise ValidationFailed(N_("The user was not created"), errors=errors)
    user = User(email=email, name=(name or email.split("@")[0]).strip(), password_hash=hash_password(password),
                role=role, center_id=center.id)
    session.add(user)
    session.flush()
    return user


def set_active(session: Session, actor: User, user: User, active: bool) -> None:
    """Activate or deactivate a user; deactivation ends all their sessions at once."""
    check_manages(actor, user.center, user.role, user)
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


def _one_at_a_time(session: Session, email: str, remote_addr: str) -> None:
    """Attempts at one account, or from one address, take turns until their transaction ends: fifty
    guesses sent at once would otherwise all count the failures before any of them is written, and all
    get through. PostgreSQL: transaction-scoped advisory locks (email's first, then the address's, so
    two attempts never wait for each other in a circle). SQLite already runs one writer at a time."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in (f"login-email:{email}", f"login-addr:{remote_addr}"):
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})


def authenticate(session: Session, email: str, password: str, remote_addr: str) -> User:
    """Check a login; raises LoginThrottled or LoginRefused, never says which part was wrong."""
    email = normalise_email(email)
    _one_at_a_time(session, email, remote_addr)
    now = utcnow()
    since = now - THROTTLE_WINDOW
    if (_failures(session, LoginAttempt.email, email, since) >= MAX_FAILURES_PER_EMAIL
            or _failures(session, LoginAttempt.remote_addr, remote_addr, since) >= MAX_FAILURES_PER_ADDRESS):
        raise LoginThrottled()
    user = session.scalar(select(User).where(User.email == email))
    ok = check_password_hash(user.password_hash if user else _dummy_hash(), password or "")
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


@dataclass(frozen=True)
class Principal:
    """Who is logged in, as every request needs it (access, wall, language, time zone), read in
    one query without loading the User; views that act load the User itself when they need it."""

    user_id: int
    name: str
    role: Role
    center_id: int
    center_code: str
    timezone: str
    locale: str

    @property
    def id(self) -> int:
        """The user's id: a principal stands for its user where a check only reads id, role and center."""
        return self.user_id

    @property
    def is_walled(self) -> bool:
        return self.role in WALLED_ROLES

    @property
    def works_network_wide(self) -> bool:
        return self.role in NETWORK_ROLES


def session_principal(session: Session, token: str, cache: PrincipalCache | None = None) -> Principal | None:
    """The active user of a live login session, or None (revoked, unknown, deactivated); from `cache`
    while nothing about it has changed (accounts/principal_cache.py)."""
    if not token:
        return None
    token_hash = _token_hash(token)

    def load() -> Principal | None:
        # Core on the session's connection: no ORM objects, no scope hook (users and login sessions
        # are read before any wall goes up) -- about half a millisecond less on every request.
        row = session.connection().execute(_PRINCIPAL, {"token_hash": token_hash}).first()
        return Principal(*row) if row is not None else None

    return cache.get(token_hash, load) if cache is not None else load()


def _principal_query() -> Select[Any]:
    users, centers, logins = User.__table__.c, ServiceCenter.__table__.c, UserSession.__table__.c
    return (select(users.id, users.name, users.role, users.center_id, centers.code, centers.timezone, users.locale)
            .select_from(UserSession.__table__.join(User.__table__, logins.user_id == users.id)
                         .join(ServiceCenter.__table__, centers.id == users.center_id))
            .where(logins.token_hash == bindparam("token_hash"), logins.revoked_at.is_(None),
                   users.active.is_(True)))


_PRINCIPAL = _principal_query()


def get_session_user(session: Session, token: str) -> User | None:
    """The User of a live login session, or None (revoked, unknown, deactivated)."""
    principal = session_principal(session, token)
    return session.get(User, principal.user_id) if principal is not None else None


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


# --- Administration of users (the administrator workstation) ----------------------------------

USER_LOCALES = ("ru", "en")
_USER_FIELDS = frozenset({"email", "name", "role", "center", "active", "locale", "phone"})


def require_admin(actor: User | None) -> None:
    """Refuse anyone but an active administrator (administration services call this first)."""
    if actor is None or actor.role != Role.ADMIN or not actor.active:
        raise PermissionDenied(N_("Only an administrator may do this"))


def _role_or_none(role: object) -> Role | None:
    try:
        return Role(role)
    except ValueError:
        return None


def check_manages(actor: User | None, center: ServiceCenter | None, role: Role | str | None,
                  user: User | None = None) -> None:
    """May `actor` create or change an account of `role` at `center` (the account `user`, if it exists)?

    An active administrator manages everyone. A partner manager manages its own center's engineers
    (the partner role) and nobody else: not another manager, not itself, not anyone elsewhere, and it
    cannot give a role other than partner, so nobody rises above the manager's rights.
    """
    if actor is None or not actor.active:
        raise PermissionDenied(N_("Only an administrator manages users"))
    if actor.role == Role.ADMIN:
        return
    if (actor.role == Role.PARTNER_MANAGER and center is not None and center.id == actor.center_id
            and _role_or_none(role) == Role.PARTNER
            and (user is None or user.center_id == actor.center_id and user.role == Role.PARTNER)):
        return
    if actor.role == Role.PARTNER_MANAGER:
        raise PermissionDenied(N_("A partner manager manages the engineer accounts of its own center only"))
    raise PermissionDenied(N_("Only an administrator manages users"))


def role_fits_center(role: Role, center: ServiceCenter) -> bool:
    """A partner center's people work behind its wall (the partner role), and only theirs do.

    A network role at a partner center would let another company read the whole network.
    """
    from servicecenter.centers.models import CenterKind

    return (role in PARTNER_ROLES) == (center.kind == CenterKind.PARTNER)


def _user_profile(session: Session, user: User | None, values: dict) -> tuple[dict, dict[str, str]]:
    """Clean the editable fields of a user; returns (clean values, field errors)."""
    errors: dict[str, str] = {}
    clean: dict = {}
    email = normalise_email(values["email"])
    if not EMAIL_RE.match(email) or len(email) > 200:
        errors["email"] = N_("Not an e-mail address")
    elif session.scalar(select(User.id).where(User.email == email,
                                              User.id != (user.id if user else -1))) is not None:
        errors["email"] = N_("A user with this e-mail already exists")
    clean["email"] = email
    name = (values["name"] or "").strip()
    if not name:
        errors["name"] = N_("Enter the name")
    elif len(name) > 200:
        errors["name"] = N_("Too long")
    clean["name"] = name
    phone = (values.get("phone") or "").strip()
    if len(phone) > 32:
        errors["phone"] = N_("Too long")
    clean["phone"] = phone
    if values["locale"] not in USER_LOCALES:
        errors["locale"] = N_("Unknown language")
    clean["locale"] = values["locale"]
    try:
        role = Role(values["role"])
    except ValueError:
        errors["role"] = N_("Unknown role")
        role = None
    clean["role"] = role
    center = values["center"]
    if not isinstance(center, ServiceCenter) or center.id is None:
        errors["center"] = N_("Choose a service center")
    else:
        if not center.active and (user is None or center.id != user.center_id):
            errors["center"] = N_("This service center is inactive")
        elif role is not None and not role_fits_center(role, center):
            errors["role"] = N_("A partner center's users have the partner role, and only they do")
    clean["center"] = center
    clean["active"] = bool(values.get("active", True))
    return clean, errors


def add_user(
    session: Session,
    actor: User,
    *,
    email: str,
    name: str,
    role: Role | str,
    center: ServiceCenter,
    password: str,
    locale: str = "ru",
    phone: str = "",
) -> User:
    """Create a user from the administrator's (or a partner manager's) form: profile, language and
    first password."""
    check_manages(actor, center if isinstance(center, ServiceCenter) else None, role)
    clean, errors = _user_profile(session, None, {"email": email, "name": name, "role": role, "center": center,
                                                  "locale": locale, "phone": phone})
    if len(password or "") < MIN_PASSWORD:
        errors["password"] = N_("At least 8 characters")
    if errors:
        raise ValidationFailed(N_("The user was not created"), errors=errors)
    user = create_user(session, actor, email=clean["email"], password=password, role=clean["role"],
                       center=clean["center"], name=clean["name"])
    user.locale = clean["locale"]
    user.phone = clean["phone"]
    session.flush()
    return user


def update_user(session: Session, actor: User, user: User, **changes: object) -> User:
    """Change a user's e-mail, name, role, center, language, phone or active flag.

    An administrator cannot change their own role or deactivate themself (nobody would be
    left to undo it); deactivation ends the user's sessions at once.
    """
    unknown = set(changes) - _USER_FIELDS
    if unknown:
        raise TypeError(f"update_user() got unknown fields: {', '.join(sorted(unknown))}")
    values = {"email": user.email, "name": user.name, "role": user.role, "center": user.center,
              "active": user.active, "locale": user.locale, "phone": user.phone, **changes}
    check_manages(actor, user.center, user.role, user)
    target = values["center"] if isinstance(values["center"], ServiceCenter) else None
    check_manages(actor, target, values["role"], user)  # and where it would end up
    clean, errors = _user_profile(session, user, values)
    if user.id == actor.id:
        if clean["role"] is not None and clean["role"] != user.role:
            errors["role"] = N_("You cannot change your own role")
        if not clean["active"]:
            errors["active"] = N_("You cannot deactivate yourself")
    if errors:
        raise ValidationFailed(N_("The user was not saved"), errors=errors)
    user.email = clean["email"]
    user.name = clean["name"]
    user.role = clean["role"]
    user.center = clean["center"]
    user.locale = clean["locale"]
    user.phone = clean["phone"]
    if clean["active"] != user.active:
        set_active(session, actor, user, clean["active"])
    session.flush()
    return user


def set_password(session: Session, actor: User, user: User, password: str) -> None:
    """Set (or reset) a user's password; their other open sessions end, so the old one is useless."""
    check_manages(actor, user.center, user.role, user)
    if len(password or "") < MIN_PASSWORD:
        raise ValidationFailed(N_("The password was not changed"),
                               errors={"password": N_("At least 8 characters")})
    user.password_hash = hash_password(password)
    if user.id != actor.id:
        revoke_user_sessions(session, user)
    session.flush()
