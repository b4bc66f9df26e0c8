"""All unit labels of a shipment in Chromium: the button queues a background file (Redis), the page
polls its progress with our static script (no inline script under the CSP) and offers the download
once a real worker process has made it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from servicecenter.accounts.roles import Role
from servicecenter.app import create_app
from servicecenter.db import Database
from tests.browser.conftest import LiveServer
from tests.browser.pages import LoginPage
from tests.conftest import make_settings
from tests.factories import PASSWORD, Factory
from tests.filejobs.conftest import shipment_of_units
from tests.printing import readback

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL not set")
UNITS = 5


@pytest.fixture
def queued_server(committed_database: Database, database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """The live app with a Redis queue: jobs wait for a worker instead of running in the request."""
    from redis import Redis

    Redis.from_url(REDIS_URL).flushdb()
    app = create_app(make_settings(database_url, tmp_path, redis_url=REDIS_URL), overrides={"TESTING": True},
                     database=committed_database)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        committed_database.session_factory.kw.get("info", {}).pop("dispatcher", None)


def test_print_all_labels_waits_for_the_worker_then_offers_the_pdf(
        page: Page, queued_server: LiveServer, committed_database: Database, tmp_path: Path) -> None:
    with committed_database.unit_of_work() as s:
        f = Factory(s)
        a, b = f.center("BRA"), f.center("BRB")
        clerk = f.user(a, Role.LOGISTICS, email="log@bra.test")
        shipment, orders = shipment_of_units(s, f, a, b, clerk, UNITS)
        number, first = shipment.number, orders[0].number
    LoginPage(page, queued_server.url).goto().log_in("log@bra.test", PASSWORD)
    page.goto(f"{queued_server.url}/logistics/shipments/{number}")
    page.locator("[data-form=unit-labels] button").click()
    section = page.locator("[data-page=file-job]")
    expect(section).to_have_attribute("data-state", "queued")
    expect(page.locator("[data-file-download]")).to_be_hidden()

    env = {**os.environ, "DATABASE_URL": committed_database.engine.url.render_as_string(hide_password=False),
           "REDIS_URL": REDIS_URL, "SERVICECENTER_INSTANCE": str(tmp_path / "instance"), "PYTHONPATH": str(ROOT)}
    worker = subprocess.run([sys.executable, "-m", "servicecenter", "worker", "--burst"], cwd=ROOT, env=env,
                            capture_output=True, timeout=300)
    assert worker.returncode == 0, worker.stderr.decode(errors="replace")

    # No reload: the page's script sees the job finish and shows the link.
    expect(section).to_have_attribute("data-state", "done")
    expect(page.locator("[data-file-count]")).to_have_text(f"{UNITS} / {UNITS}")
    with page.expect_download() as download:
        page.locator("[data-file-link]").click()
    data = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename == f"{number}-unit-labels.pdf"
    assert readback.page_count(data) == UNITS
    assert readback.code128(readback.raster(data, 0, dpi=203)) == [first]
