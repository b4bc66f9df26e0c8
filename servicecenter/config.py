"""Settings read from the environment, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "development-only-secret-key-do-not-use-in-production"  # noqa: S105


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which and how to fix it."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass
class Settings:
    """Everything the app, the CLI and the workers read from the environment."""

    database_url: str
    redis_url: str | None
    secret_key: str | None
    debug: bool = False
    instance_path: Path = field(default_factory=lambda: PROJECT_ROOT / "instance")
    mail_server: str = "127.0.0.1"
    mail_port: int = 25
    mail_username: str | None = None
    mail_password: str | None = None
    mail_use_tls: bool = False
    mail_sender: str = "servicecenter@localhost"
    public_url: str = "http://127.0.0.1:5000"
    secure_cookies: bool = False
    # How many reverse proxies (nginx, a load balancer) stand in front of the app and set
    # X-Forwarded-For/-Proto; 0 trusts none. Login throttling counts by the client's address.
    proxy_count: int = 0
    # Seconds a process may keep a login session's principal between requests (PostgreSQL; a change
    # empties it at once, this bounds it if the change notice were ever lost); 0 turns it off.
    principal_cache_seconds: float = 60.0

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Read the settings from the environment (or a given mapping)."""
        env = dict(os.environ if env is None else env)
        instance = Path(env.get("SERVICECENTER_INSTANCE") or PROJECT_ROOT / "instance")
        database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'servicecenter.db'}"
        debug = _bool(env.get("SERVICECENTER_DEBUG")) or _bool(env.get("FLASK_DEBUG"))
        return cls(
            database_url=normalise_database_url(database_url),
            redis_url=env.get("REDIS_URL") or None,
            secret_key=env.get("SECRET_KEY") or None,
            debug=debug,
            instance_path=instance,
            mail_server=env.get("MAIL_SERVER", "127.0.0.1"),
            mail_port=int(env.get("MAIL_PORT", "25")),
            mail_username=env.get("MAIL_USERNAME") or None,
            mail_password=env.get("MAIL_PASSWORD") or None,
            mail_use_tls=_bool(env.get("MAIL_USE_TLS")),
            mail_sender=env.get("MAIL_SENDER", "servicecenter@localhost"),
            public_url=env.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/"),
            secure_cookies=_bool(env.get("SECURE_COOKIES"), default=not debug),
            proxy_count=int(env.get("PROXY_COUNT", "0") or 0),
            principal_cache_seconds=float(env.get("PRINCIPAL_CACHE_SECONDS", "60") or 0),
        )

    def effective_secret_key(self) -> str:
        """The signing key; refuses to run a production start without one."""
        if self.secret_key:
            return self.secret_key
        if self.debug:
            return DEV_SECRET_KEY
        raise ConfigError(
            "SECRET_KEY is not set. Set it to a long random value "
            "(e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`) before starting "
            "servicecenter in production, or set SERVICECENTER_DEBUG=1 for a development run."
        )


def normalise_database_url(url: str) -> str:
    """Map plain postgres URLs to the psycopg 3 driver SQLAlchemy should use."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
