"""One signed POST to a subscriber (stdlib urllib; no redirects followed, a 3xx is a failure)."""

from __future__ import annotations

import hashlib
import hmac
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

TIMEOUT_SECONDS = 10
EXCERPT_CHARS = 2000
USER_AGENT = "servicecenter-webhooks/1"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256(secret, "<timestamp>." + body) — the timestamp is signed too,
    so a captured request cannot be replayed later with a fresh timestamp."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no HTTP answer at all
    excerpt: str
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the 3xx comes back as an HTTPError: not delivered


_opener = urllib.request.build_opener(_NoRedirect)


def _excerpt(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")[:EXCERPT_CHARS]


def post(url: str, body: bytes, headers: dict[str, str], timeout: float = TIMEOUT_SECONDS) -> Answer:
    """POST `body`; never raises for what the network or the receiver does."""
    if not url.startswith(("http://", "https://")):  # the services allow nothing else; never file: etc.
        return Answer(None, "", "not an http(s) address", 0)
    request = urllib.request.Request(url, data=body, method="POST",  # noqa: S310 (scheme checked above)
                                     headers={"User-Agent": USER_AGENT, **headers})
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        with _opener.open(request, timeout=timeout) as response:
            raw = response.read(EXCERPT_CHARS * 4)
            return Answer(response.status, _excerpt(raw), "", took())
    except urllib.error.HTTPError as exc:
        raw = exc.read(EXCERPT_CHARS * 4) if exc.fp is not None else b""
        return Answer(exc.code, _excerpt(raw), f"HTTP {exc.code} {exc.reason}"[:500], took())
    except (urllib.error.URLError, OSError, ValueError) as exc:  # refused, DNS, timeout, TLS
        reason = getattr(exc, "reason", exc)
        return Answer(None, "", f"{type(exc).__name__}: {reason}"[:500], took())
