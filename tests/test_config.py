"""Configuration from the environment, and the refusal to start production without a secret."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from servicecenter.config import DEV_SECRET_KEY, ConfigError, Settings

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_to_an_sqlite_file_in_the_instance_folder(tmp_path: Path) -> None:
    s = Settings.from_env({"SERVICECENTER_INSTANCE": str(tmp_path)})
    assert s.database_url == f"sqlite:///{tmp_path / 'servicecenter.db'}"
    assert s.redis_url is None  # embedded jobs


def test_postgres_urls_use_psycopg3() -> None:
    s = Settings.from_env({"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test"})
    assert s.database_url == "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def test_production_without_secret_key_refuses_with_a_clear_message() -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        Settings.from_env({}).effective_secret_key()
    assert Settings.from_env({"SERVICECENTER_DEBUG": "1"}).effective_secret_key() == DEV_SECRET_KEY
    assert Settings.from_env({"SECRET_KEY": "s3cret"}).effective_secret_key() == "s3cret"


def test_production_cookies_are_secure_by_default() -> None:
    assert Settings.from_env({}).secure_cookies is True
    assert Settings.from_env({"SERVICECENTER_DEBUG": "1"}).secure_cookies is False


def test_the_wsgi_app_will_not_start_without_a_secret(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SERVICECENTER_DEBUG", "FLASK_DEBUG")}
    env.update(SERVICECENTER_INSTANCE=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    run = subprocess.run([sys.executable, "-c", "from servicecenter.app import create_app; create_app()"],
                         env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert "SECRET_KEY is not set" in run.stderr
