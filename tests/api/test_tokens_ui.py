"""Tokens from the profile page (shown once, revocable) and from the command line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from servicecenter.accounts.roles import Role
from servicecenter.accounts.services import create_user
from servicecenter.accounts.token_models import ApiToken
from servicecenter.accounts.tokens import token_principal
from servicecenter.centers.models import ServiceCenter
from servicecenter.db import Base, Database
from tests.factories import csrf_token, login

ROOT = Path(__file__).resolve().parents[2]


def test_the_profile_page_creates_a_token_shown_once_and_revokes_it(client, session, world) -> None:  # noqa: ANN001
    user = world.users["engineer"]
    login(client, user.email)
    page = client.get("/profile").get_data(as_text=True)
    assert user.email in page and "engineer integration" in page
    made = client.post("/profile/tokens", data={"name": "Bench scanner", "csrf_token": csrf_token(page)})
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    secret = re.search(r'data-testid="new-token">(sc_[\w-]+)<', made.get_data(as_text=True)).group(1)
    response = client.get("/api/v1/manufacturers", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    again = client.get("/profile").get_data(as_text=True)
    assert "Bench scanner" in again and secret not in again and secret[:10] in again
    token = session.scalar(select(ApiToken).where(ApiToken.name == "Bench scanner"))
    revoked = client.post(f"/profile/tokens/{token.id}/revoke", data={"csrf_token": csrf_token(again)},
                          follow_redirects=True)
    assert revoked.status_code == 200
    assert client.get("/api/v1/manufacturers", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_someone_elses_token_cannot_be_revoked_from_ones_profile(client, session, world) -> None:  # noqa: ANN001
    other = session.scalar(select(ApiToken).where(ApiToken.user_id == world.users["intake"].id))
    login(client, world.users["engineer"].email)
    page = client.get("/profile").get_data(as_text=True)
    response = client.post(f"/profile/tokens/{other.id}/revoke", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 404
    session.refresh(other)
    assert other.revoked_at is None


def test_the_profile_needs_a_login(client) -> None:  # noqa: ANN001
    assert client.get("/profile").status_code == 302


def test_create_token_on_the_command_line_prints_it_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    database = Database(url)
    Base.metadata.create_all(database.engine)
    with database.unit_of_work() as s:
        center = ServiceCenter(code="MSK", name="Москва")
        s.add(center)
        s.flush()
        create_user(s, None, email="line@example.test", password="long-enough-1", role=Role.INTAKE, center=center)
    env = {**os.environ, "DATABASE_URL": url, "SERVICECENTER_INSTANCE": str(tmp_path / "instance")}
    env.pop("REDIS_URL", None)
    run = subprocess.run([sys.executable, "-m", "servicecenter", "create-token", "LINE@example.test",
                          "--name", "Production line 3"], env=env, cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    secret = run.stdout.strip()
    assert secret.startswith("sc_") and "Production line 3" in run.stderr and "shown only now" in run.stderr
    with database.unit_of_work() as s:
        assert token_principal(s, secret).role == Role.INTAKE
        assert s.scalar(select(ApiToken.name)) == "Production line 3"
    unknown = subprocess.run([sys.executable, "-m", "servicecenter", "create-token", "nobody@example.test"],
                             env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert unknown.returncode != 0 and "nobody@example.test" in unknown.stderr
    database.dispose()
