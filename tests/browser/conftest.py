"""The Playwright harness: a live server on a real (committed) database and headless Chromium.

Browser tests create their data with a session of `committed_database` and commit it before
driving the page; that fixture empties every table after the test. Chromium is Debian's
(`/usr/bin/chromium`, or `CHROMIUM_PATH`): Playwright never downloads a browser here. Without
it the browser tests are skipped, unless `SERVICECENTER_REQUIRE_BROWSER=1` (CI), where they fail.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from servicecenter.app import create_app
from servicecenter.db import Database
from tests.conftest import make_settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

HERE = Path(__file__).parent
DEFAULT_CHROMIUM = "/usr/bin/chromium"
# As root and on a closed network: no sandbox, and no background calls to Google's hosts.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1366, "height": 768}  # the counter's screen
LOCALE = "ru-RU"
TIMEOUT_MS = 10_000  # a page of ours answers in well under a second; fail fast, not after 30 s


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test under tests/browser/ is marked `browser` (select or drop with -m)."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    """Keep each phase's report on the item, so the page fixture knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


# --- the live server --------------------------------------------------------------------------

@dataclass
class LiveServer:
    url: str  # base URL, no trailing slash: f"{live_server.url}/login"
    app: Flask


@pytest.fixture
def live_server(committed_database: Database, database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """The real app on 127.0.0.1 (a free port), in a thread, on the committed test database."""
    app = create_app(make_settings(database_url, tmp_path), overrides={"TESTING": True},
                     database=committed_database)
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    # A short poll interval: shutdown() waits up to one interval (0.5 s by default) per test.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# --- the browser ------------------------------------------------------------------------------

def _require_browser() -> bool:
    return os.environ.get("SERVICECENTER_REQUIRE_BROWSER", "") == "1"


def _unavailable(reason: str) -> NoReturn:
    if _require_browser():
        pytest.fail(f"{reason} (SERVICECENTER_REQUIRE_BROWSER=1, so browser tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium, or the one named by CHROMIUM_PATH."""
    path = os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        _unavailable(f"Chromium not found at {path} (install Debian's 'chromium' or set CHROMIUM_PATH)")
    return path


@pytest.fixture(scope="session")
def playwright(chromium_path: str) -> Iterator[Playwright]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright, chromium_path: str) -> Iterator[Browser]:
    """One headless Chromium for the whole run; each test gets its own context."""
    chromium = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


def _artifact_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")[:180]


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh page in a fresh context (no cookies), Russian, 1366×768.

    When the test fails, a full-page screenshot goes to test-artifacts/<test id>.png.
    """
    context = browser.new_context(locale=LOCALE, viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    new_page = context.new_page()
    yield new_page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        artifacts = request.config.rootpath / "test-artifacts"
        artifacts.mkdir(exist_ok=True)
        target = artifacts / f"{_artifact_name(request.node.nodeid)}.png"
        try:
            new_page.screenshot(path=str(target), full_page=True)
            print(f"\nscreenshot of the failed page: {target}")
        except Exception as exc:  # a broken page must not hide the test's own failure
            print(f"\nno screenshot of the failed page: {exc}")
    context.close()
