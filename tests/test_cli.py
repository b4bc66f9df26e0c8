"""The `servicecenter` command, run as an operator runs it (a separate process, DATABASE_URL set)."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.accounts.services import authenticate
from servicecenter.db import Database
from servicecenter.demo import DEMO_PASSWORD
from servicecenter.repairs.models import RepairOrder

ROOT = Path(__file__).resolve().parent.parent


def _cli(db_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": db_url, "SERVICECENTER_INSTANCE": str(tmp_path / "instance")}
    env.pop("REDIS_URL", None)
    return subprocess.run([sys.executable, "-m", "servicecenter", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    tmp = tmp_path_factory.mktemp("cli")
    url = f"sqlite:///{tmp / 'demo.db'}"
    init = _cli(url, tmp, "init-db")
    assert init.returncode == 0, init.stderr
    assert "newest schema" in init.stdout
    seed = _cli(url, tmp, "seed-demo", "--if-empty")
    assert seed.returncode == 0, seed.stderr
    assert "Demo logins" in seed.stdout and "admin@demo.servicecenter.ru" in seed.stdout
    return url, tmp


def test_seed_demo_gives_a_login_for_every_role(demo_db) -> None:  # noqa: ANN001
    url, _ = demo_db
    db = Database(url)
    with db.unit_of_work() as s:
        roles = set(s.scalars(select(User.role).where(User.active.is_(True))))
        assert roles == set(Role)
        assert authenticate(s, "intake.msk@demo.servicecenter.ru", DEMO_PASSWORD, "127.0.0.1").role == Role.INTAKE
        assert s.scalar(select(func.count()).select_from(RepairOrder)) >= 250
    db.dispose()


def test_seed_demo_if_empty_does_not_load_twice_but_still_prints_logins(demo_db) -> None:  # noqa: ANN001
    url, tmp = demo_db
    db = Database(url)
    with db.unit_of_work() as s:
        before = s.scalar(select(func.count()).select_from(RepairOrder))
    again = _cli(url, tmp, "seed-demo", "--if-empty")
    assert again.returncode == 0 and "already has data" in again.stdout
    assert "intake.msk@demo.servicecenter.ru" in again.stdout
    forced = _cli(url, tmp, "seed-demo")
    assert forced.returncode != 0 and "Traceback" not in forced.stderr
    with db.unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(RepairOrder)) == before
    db.dispose()


def test_create_user_then_log_in(demo_db) -> None:  # noqa: ANN001
    url, tmp = demo_db
    made = _cli(url, tmp, "create-user", "--email", "New.Clerk@Example.ru", "--password", "s3cure-pass",
                "--role", "intake", "--center", "msk")
    assert made.returncode == 0, made.stderr
    assert "new.clerk@example.ru" in made.stdout and "MSK" in made.stdout
    db = Database(url)
    with db.unit_of_work() as s:
        user = authenticate(s, "new.clerk@example.ru", "s3cure-pass", "127.0.0.1")
        assert user.role == Role.INTAKE and user.center.code == "MSK"
    db.dispose()


@pytest.mark.parametrize(("args", "message"), [
    (["--role", "intake", "--center", "NOPE"], "No service center with code"),
    (["--role", "wizard", "--center", "MSK"], "Invalid value for '--role'"),
    (["--role", "intake", "--center", "KZN"], "partner"),  # a partner center's users are partners
])
def test_create_user_refuses_clearly(demo_db, args, message) -> None:  # noqa: ANN001
    url, tmp = demo_db
    run = _cli(url, tmp, "create-user", "--email", "x@example.ru", "--password", "long-enough", *args)
    assert run.returncode != 0
    assert message in run.stderr and "Traceback" not in run.stderr


def test_create_user_refuses_a_short_password_and_a_duplicate(demo_db) -> None:  # noqa: ANN001
    url, tmp = demo_db
    short = _cli(url, tmp, "create-user", "--email", "y@example.ru", "--password", "short", "--role", "intake",
                 "--center", "MSK")
    assert short.returncode != 0 and "password" in short.stderr
    dup = _cli(url, tmp, "create-user", "--email", "admin@demo.servicecenter.ru", "--password", "long-enough",
               "--role", "intake", "--center", "MSK")
    assert dup.returncode != 0 and "already exists" in dup.stderr


def test_worker_without_redis_says_why(tmp_path: Path) -> None:
    run = _cli(f"sqlite:///{tmp_path / 'w.db'}", tmp_path, "worker", "--burst")
    assert run.returncode != 0 and "REDIS_URL is not set" in run.stderr


def test_every_demo_login_reaches_its_workstation(demo_db) -> None:  # noqa: ANN001
    """`make run`'s promise: a person can log in as each demo role."""
    from servicecenter.app import create_app
    from servicecenter.config import Settings
    from tests.factories import login

    url, tmp = demo_db
    settings = Settings.from_env({"DATABASE_URL": url, "SECRET_KEY": "x" * 32,
                                  "SERVICECENTER_INSTANCE": str(tmp / "instance")})
    app = create_app(settings)
    db = Database(url)
    with db.unit_of_work() as s:
        from servicecenter.demo import demo_logins

        logins = demo_logins(s)
    db.dispose()
    assert {role for role, _, _ in logins} == {r.value for r in Role}
    for _role, email, center in logins:
        client = app.test_client()
        landed = login(client, email, DEMO_PASSWORD)
        assert landed.status_code == 302, email
        page = client.get(landed.headers["Location"])
        assert page.status_code == 200, email
        assert f"· {center}</span>" in page.get_data(as_text=True)
    app.extensions["servicecenter.db"].dispose()


def test_backup_then_check_db_and_a_damaged_copy_is_named(demo_db, tmp_path: Path) -> None:  # noqa: ANN001
    url, tmp = demo_db
    copy = tmp_path / "copy.db"
    taken = _cli(url, tmp, "backup", str(copy))
    assert taken.returncode == 0 and "online backup" in taken.stdout, taken.stderr
    again = _cli(url, tmp, "backup", str(copy))
    assert again.returncode != 0 and "exists already" in again.stderr  # never overwrites a backup
    good = _cli(f"sqlite:///{copy}", tmp, "check-db")
    assert good.returncode == 0 and "consistent" in good.stdout, good.stdout + good.stderr
    assert re.search(r"[1-9][0-9]* orders, [1-9][0-9]* history events", good.stdout)
    with sqlite3.connect(copy) as conn:  # an order's history lost, a customer deleted under its orders
        conn.execute("DELETE FROM repair_events WHERE kind = 'created' AND order_id = "
                     "(SELECT min(id) FROM repair_orders)")
        conn.execute("DELETE FROM customers WHERE id = (SELECT customer_id FROM repair_orders LIMIT 1)")
    bad = _cli(f"sqlite:///{copy}", tmp, "check-db")
    assert bad.returncode == 1
    assert "1 order(s) without their creation in the history" in bad.stdout
    assert "row(s) of repair_orders(customer_id) point at no customers row" in bad.stdout
