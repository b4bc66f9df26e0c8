"""API tokens: issued once (only the hash is kept), listed by prefix, revoked; a live token names its
user's Principal exactly as a login session does (role, center, wall)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.accounts.services import Principal
from servicecenter.accounts.token_models import ApiToken
from servicecenter.centers.models import ServiceCenter
from servicecenter.clock import utcnow
from servicecenter.errors import N_, NotFound, PermissionDenied, ValidationFailed

TOKEN_PREFIX = "sc_"  # noqa: S105  (the visible start of every token, not a secret)
MAX_NAME = 100
MAX_TOKEN = 200
# last_used_at is written at most this often per token: an API client's every GET is no write.
TOUCH_EVERY = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_owner(actor: User | None, user: User) -> None:
    """A user manages their own tokens; an administrator anyone's; the command line (None) too."""
    if actor is None:
        return
    if not actor.active or (actor.id != user.id and actor.role != Role.ADMIN):
        raise PermissionDenied(N_("Only the token's owner or an administrator manages it"))


def create_token(session: Session, actor: User | None, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Issue an API token for `user`; returns the row and the secret, which is shown this once."""
    _check_owner(actor, user)
    name = " ".join((name or "").split())
    if len(name) > MAX_NAME:
        raise ValidationFailed(N_("The token was not created"), errors={"name": N_("Too long")})
    if not user.active:
        raise ValidationFailed(N_("The token was not created"), errors={"user": N_("The user is deactivated")})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name or "API", prefix=secret[:10], token_hash=hash_token(secret))
    session.add(token)
    session.flush()
    return token, secret


def revoke_token(session: Session, actor: User | None, token_id: int, user: User | None = None) -> ApiToken:
    """Revoke a token (of `user`, when given): it stops working at once."""
    token = session.get(ApiToken, token_id)
    if token is None or (user is not None and token.user_id != user.id):
        raise NotFound(N_("No such token"))
    _check_owner(actor, token.user)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
    return token


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    """A user's tokens, newest first (revoked ones too, marked)."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def _principal_query() -> Select[Any]:
    users, centers, tokens = User.__table__.c, ServiceCenter.__table__.c, ApiToken.__table__.c
    return (select(users.id, users.name, users.role, users.center_id, centers.code, centers.timezone, users.locale,
                   tokens.id, tokens.last_used_at)
            .select_from(ApiToken.__table__.join(User.__table__, tokens.user_id == users.id)
                         .join(ServiceCenter.__table__, centers.id == users.center_id))
            .where(tokens.token_hash == bindparam("token_hash"), tokens.revoked_at.is_(None),
                   users.active.is_(True)))


_PRINCIPAL = _principal_query()


def token_principal(session: Session, token: str) -> Principal | None:
    """The active user of a live API token, or None (unknown, revoked, user deactivated).

    Read with Core on the session's connection, before any wall goes up (like a login session)."""
    if not token or len(token) > MAX_TOKEN or not token.startswith(TOKEN_PREFIX):
        return None
    conn = session.connection()
    row = conn.execute(_PRINCIPAL, {"token_hash": hash_token(token)}).first()
    if row is None:
        return None
    *fields, token_id, last_used = row
    now = utcnow()
    if last_used is None or now - last_used >= TOUCH_EVERY:
        conn.execute(update(ApiToken.__table__).where(ApiToken.__table__.c.id == token_id)
                     .values(last_used_at=now))
    return Principal(*fields)
