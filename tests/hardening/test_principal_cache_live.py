"""The principal cache through the real stack (PostgreSQL, a live threaded server, real commits): what
an administrator changes about a logged-in user shows as soon as the commit's NOTIFY arrives
(milliseconds), though the server had that user's principal cached; a logged-out cookie replayed is
refused."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from sqlalchemy import event

from servicecenter.accounts.roles import Role
from servicecenter.db import Database
from tests.factories import PASSWORD, Factory, csrf_token
from tests.hardening.live import serve


@dataclass
class Site:
    root: str
    center_id: int
    clerk_id: int
    clerk_email: str
    admin_email: str
    principal_reads: list[int]


@pytest.fixture
def site(committed_database: Database, database_url: str, tmp_path: Path) -> Iterator[Site]:
    if committed_database.engine.dialect.name != "postgresql":
        pytest.skip("the principal cache is PostgreSQL's (LISTEN/NOTIFY)")
    with committed_database.unit_of_work() as s:
        f = Factory(s)
        msk = f.center("MSK")
        clerk, admin = f.user(msk, Role.INTAKE), f.user(msk, Role.ADMIN)
        ids = (msk.id, clerk.id, clerk.email, admin.email)
    reads: list[int] = []

    def count(_conn, _cursor, statement: str, *_rest) -> None:  # noqa: ANN001
        if "FROM user_sessions JOIN users" in statement:
            reads.append(1)

    event.listen(committed_database.engine, "before_cursor_execute", count)
    try:
        with serve(committed_database, database_url, tmp_path) as api:
            yield Site(api.removesuffix("/api/v1"), *ids, reads)
    finally:
        event.remove(committed_database.engine, "before_cursor_execute", count)


def _browser(site: Site, email: str) -> requests.Session:
    browser = requests.Session()
    token = csrf_token(browser.get(f"{site.root}/login", timeout=30).text)
    answer = browser.post(f"{site.root}/login", data={"email": email, "password": PASSWORD, "csrf_token": token},
                          allow_redirects=False, timeout=30)
    assert answer.status_code == 302 and not answer.headers["Location"].startswith("/login")
    return browser


def _status(browser: requests.Session, site: Site, path: str) -> tuple[int, str]:
    answer = browser.get(f"{site.root}{path}", allow_redirects=False, timeout=30)
    return answer.status_code, answer.headers.get("Location", "")


def _after_the_notice(browser: requests.Session, site: Site, path: str, expected: int,
                      seconds: float = 5.0) -> tuple[int, str]:
    """The clerk's requests after the administrator's commit until one answers `expected`: the NOTIFY
    reaches each worker's listener a moment (milliseconds) after the COMMIT returned."""
    deadline = time.monotonic() + seconds
    while True:
        status, where = _status(browser, site, path)
        if status == expected or time.monotonic() > deadline:
            return status, where
        time.sleep(0.005)


def _edit_clerk(admin: requests.Session, site: Site, **fields: str) -> None:
    page = admin.get(f"{site.root}/admin/users/{site.clerk_id}/edit", timeout=30).text
    form = {"csrf_token": csrf_token(page), "email": site.clerk_email, "name": "Клерк", "role": "intake",
            "center_id": str(site.center_id), "locale": "ru", "active": "y", **fields}
    form = {k: v for k, v in form.items() if v is not None}
    answer = admin.post(f"{site.root}/admin/users/{site.clerk_id}/edit", data=form, allow_redirects=False, timeout=30)
    assert answer.status_code == 302, answer.text[:500]


def test_a_deactivated_clerk_is_out_once_the_notice_arrives_though_the_server_had_them_cached(site: Site) -> None:
    clerk, admin = _browser(site, site.clerk_email), _browser(site, site.admin_email)
    assert _status(clerk, site, "/intake/new")[0] == 200
    before = len(site.principal_reads)
    assert [_status(clerk, site, "/intake/new")[0] for _ in range(3)] == [200] * 3
    assert len(site.principal_reads) == before  # served from the cache: no read of the login session

    _edit_clerk(admin, site, active=None)  # "active" unticked, in the administrator's own request
    status, where = _after_the_notice(clerk, site, "/intake/new", 302)
    assert status == 302 and where.startswith("/login")


def test_a_clerk_made_engineer_loses_the_counter_once_the_notice_arrives(site: Site) -> None:
    clerk, admin = _browser(site, site.clerk_email), _browser(site, site.admin_email)
    assert _status(clerk, site, "/intake/new")[0] == 200
    assert _status(clerk, site, "/intake/new")[0] == 200  # cached now
    _edit_clerk(admin, site, role="engineer")
    assert _after_the_notice(clerk, site, "/intake/new", 403)[0] == 403
    assert _status(clerk, site, "/engineer/")[0] == 200


def test_a_cookie_replayed_after_logout_is_refused(site: Site) -> None:
    clerk = _browser(site, site.clerk_email)
    assert _status(clerk, site, "/intake/new")[0] == 200
    copied = requests.Session()
    copied.cookies.update(clerk.cookies)  # someone kept a copy of the cookie
    assert _status(copied, site, "/intake/new")[0] == 200
    page = clerk.get(f"{site.root}/intake/new", timeout=30).text
    clerk.post(f"{site.root}/logout", data={"csrf_token": csrf_token(page)}, allow_redirects=False, timeout=30)
    status, where = _after_the_notice(copied, site, "/intake/new", 302)
    assert status == 302 and where.startswith("/login")
