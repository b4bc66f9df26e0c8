"""The real app on loopback in threads, and a plain HTTP client for many at once (the fault and
concurrency tests): what a load balancer and several clients would send, nothing of Flask's test client."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from werkzeug.serving import make_server

from servicecenter.app import create_app
from servicecenter.db import Database
from tests.conftest import make_settings


@contextmanager
def serve(database: Database, database_url: str, tmp_path: Path) -> Iterator[str]:
    """The app on a free port in a threaded server; yields the API's base URL. Plain HTTP on loopback:
    the session cookie without its Secure flag, so that a real HTTP client sends it back."""
    settings = make_settings(database_url, tmp_path, secure_cookies=False)
    app = create_app(settings, overrides={"TESTING": True}, database=database)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/api/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def call(base: str, token: str, method: str, path: str, body: Any = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    """One request on a connection of its own; the status and the JSON answer."""
    address = urlsplit(base)
    conn = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    try:
        conn.request(method, address.path + path, body=None if body is None else json.dumps(body).encode(),
                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                              **(headers or {})})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


def at_once(count: int, action: Callable[[int], Any]) -> list[Any]:
    """`count` threads released together by a barrier; each one's result (or exception), in order."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = action(index)
        except Exception as exc:  # noqa: BLE001 - handed back to the test
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results
