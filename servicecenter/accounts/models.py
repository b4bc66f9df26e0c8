"""Users, their login sessions and login attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicecenter.accounts.roles import NETWORK_ROLES, WALLED_ROLES, Role
from servicecenter.centers.models import ServiceCenter
from servicecenter.clock import utcnow
from servicecenter.db import Base, notify_principals_on_change, str_enum
from servicecenter.scoping import center_owned, network_wide


@center_owned(lambda cls, cid: cls.center_id == cid)
class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    center_id: Mapped[int] = mapped_column(ForeignKey("service_centers.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str] = mapped_column(String(8), default="ru")
    phone: Mapped[str] = mapped_column(String(32), default="")
    skills: Mapped[str] = mapped_column(String(300), default="")  # categories/brands, comma separated
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    center: Mapped[ServiceCenter] = relationship()

    @property
    def works_network_wide(self) -> bool:
        return self.role in NETWORK_ROLES

    @property
    def is_walled(self) -> bool:
        return self.role in WALLED_ROLES

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


@network_wide("internal to authentication; never listed to users")
class UserSession(Base):
    """A server-side login: the cookie holds its random token, so logout really ends it."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    remote_addr: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User] = relationship()


# What a login session's principal is made of: a change here reaches every process's cache at once.
notify_principals_on_change(User.__table__, ["name", "role", "center_id", "locale", "active"])
notify_principals_on_change(UserSession.__table__, ["revoked_at", "token_hash", "user_id"])


@network_wide("internal to authentication; never listed to users")
class LoginAttempt(Base):
    """A failed login, counted to throttle guessing (per address and per e-mail)."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    email: Mapped[str] = mapped_column(String(200), index=True)
    remote_addr: Mapped[str] = mapped_column(String(64), index=True)


@network_wide("internal to rate limiting; never listed to users")
class ThrottleHit(Base):
    """One counted request of a rate-limited kind (e.g. a public status lookup) from one client."""

    __tablename__ = "throttle_hits"
    __table_args__ = (Index("ix_throttle_hits_scope_key_at", "scope", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
