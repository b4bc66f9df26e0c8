"""Fixtures: a database per run (SQLite or TEST_DATABASE_URL), a rolled-back transaction per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

import servicecenter.models  # noqa: F401
from servicecenter.app import create_app
from servicecenter.config import Settings, normalise_database_url
from servicecenter.db import Base, Database
from tests.factories import Factory


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """scrypt at a low cost: the same code path, a hundred times faster (tests make many users)."""
    import servicecenter.accounts.services as accounts

    saved = accounts.PASSWORD_METHOD
    accounts.PASSWORD_METHOD = "scrypt:1024:8:1"
    yield
    accounts.PASSWORD_METHOD = saved


def _database_url(tmp_root: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    return normalise_database_url(url) if url else f"sqlite:///{tmp_root / 'test.db'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """SQLite in a temp dir, or a fresh PostgreSQL database made for this run beside
    TEST_DATABASE_URL's (so two runs on one server never share tables); dropped after."""
    url = _database_url(tmp_path_factory.mktemp("db"))
    if not url.startswith("postgresql"):
        yield url
        return
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    run_db = f"{base.database}_run{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{run_db}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{run_db}"'))
    yield base.set(database=run_db).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{run_db}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database(database_url: str) -> Iterator[Database]:
    """The test database with the models' schema, created once per run."""
    db = Database(database_url)
    Base.metadata.create_all(db.engine)
    yield db
    db.dispose()


@pytest.fixture
def connection(database: Database) -> Iterator:
    conn = database.engine.connect()
    trans = conn.begin()
    yield conn
    trans.rollback()
    conn.close()


@pytest.fixture
def bound_db(connection) -> Database:  # noqa: ANN001
    """A Database whose sessions live inside the test's transaction."""
    return Database.bound_to(connection)


@pytest.fixture
def session(bound_db: Database) -> Iterator[Session]:
    """A session for domain tests; everything it writes is rolled back after the test."""
    sess = bound_db.session()
    yield sess
    sess.close()


@pytest.fixture
def factory(session: Session) -> Factory:
    return Factory(session)


def make_settings(database_url: str, tmp_path: Path, **overrides: object) -> Settings:
    # Mail and the public address come from the environment a test's SMTP server set up (the app's jobs
    # read the app's settings); nothing else does.
    outside = {k: v for k, v in os.environ.items() if k.startswith("MAIL_") or k == "PUBLIC_URL"}
    settings = Settings.from_env({**outside, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key-0123456789",
                                  "SERVICECENTER_INSTANCE": str(tmp_path / "instance")})
    settings.redis_url = None
    for key, value in overrides.items():
        setattr(settings, key, value)
    return settings


@pytest.fixture
def app(bound_db: Database, database_url: str, tmp_path: Path):  # noqa: ANN201
    """The app, its requests running inside the test's transaction (rolled back after)."""
    app = create_app(make_settings(database_url, tmp_path), overrides={"TESTING": True}, database=bound_db)
    return app


@pytest.fixture
def client(app):  # noqa: ANN001, ANN201
    return app.test_client()


@pytest.fixture
def committed_database(database: Database) -> Iterator[Database]:
    """The real database with real commits (threads, processes, a live server); emptied after, and
    forgetting what an app put on its sessions (the dispatcher, the app's settings)."""
    yield database
    info = database.session_factory.kw.get("info", {})
    info.pop("dispatcher", None)
    info.pop("settings", None)
    with database.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
