"""A real HTTP receiver on loopback for the webhook tests: checks the signature like a vendor would
(docs/webhooks.md), answers 500 to the first `fail_first` good requests, 401 to a bad signature."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    signature_ok: bool

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Receiver:
    secret: str = ""
    fail_first: int = 0
    requests: list[Received] = field(default_factory=list)
    url: str = ""

    def accepted(self) -> list[Received]:
        return [r for r in self.requests if r.signature_ok]


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The vendor's side, as in docs/webhooks.md."""
    timestamp = headers.get("X-Servicecenter-Timestamp", "")
    expected = "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers.get("X-Servicecenter-Signature", ""))


@contextmanager
def running_receiver(secret: str = "", fail_first: int = 0) -> Iterator[Receiver]:
    receiver = Receiver(secret=secret, fail_first=fail_first)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items()}
            ok = verify(receiver.secret, headers, body)
            with lock:
                receiver.requests.append(Received(headers, body, ok))
                good = len(receiver.accepted())
            if not ok:
                status, answer = 401, b'{"error": "bad signature"}'
            elif good <= receiver.fail_first:
                status, answer = 500, b"temporarily broken " + b"x" * 5000
            else:
                status, answer = 200, b'{"ok": true}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/servicecenter"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
