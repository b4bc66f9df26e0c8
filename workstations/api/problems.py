"""Errors of the JSON API as RFC 9457 problem details (application/problem+json).

Every refusal has `type`, `title`, `status`, `detail` and `errors` (field → message, empty unless a
field is at fault); a state conflict adds `current` and `allowed`. Domain errors, HTTP errors
raised by routing or access, and the API's own request checks all come out here.
"""

from __future__ import annotations

from typing import Any

from flask import g, json
from flask_babel import gettext
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Response

from servicecenter.errors import N_, DomainError, StateConflict

PROBLEM_JSON = "application/problem+json"
# A stable, machine-readable kind per answer; `title` is the HTTP phrase, `detail` the explanation.
_TYPES = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "too-large",
    415: "unsupported-media-type",
    422: "validation",
    429: "too-many-requests",
    500: "server-error",
    503: "unavailable",
}


def problem_type(status: int, kind: str | None = None) -> str:
    return f"urn:servicecenter:problem:{kind or _TYPES.get(status, 'error')}"


class Problem(Exception):
    """A refusal of the API's own (a malformed body, a wrong query parameter): raised, answered here."""

    def __init__(self, status: int, detail: str, errors: dict[str, str] | None = None, kind: str | None = None,
                 **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.detail, self.errors, self.kind, self.extra = status, detail, errors or {}, kind, extra


def problem_response(status: int, detail: str, errors: dict[str, str] | None = None, kind: str | None = None,
                     headers: dict[str, str] | None = None, **extra: Any) -> Response:
    body = {"type": problem_type(status, kind), "title": HTTP_STATUS_CODES.get(status, "Error"), "status": status,
            "detail": detail, "errors": errors or {}, **extra}
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_JSON)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    response.headers["Cache-Control"] = "no-store"
    return response


def from_problem(exc: Problem) -> Response:
    return problem_response(exc.status, exc.detail, exc.errors, exc.kind, **exc.extra)


def api_field(name: str) -> str:
    """A domain field name as the request that is being answered spells it (e.g. customer.phone)."""
    return g.get("api_fields", {}).get(name, name)


def from_domain(exc: DomainError) -> Response:
    """A refused domain operation: its translated message, field errors named as in the request."""
    from workstations.web.errors import translate

    errors = {api_field(field): gettext(message) for field, message in getattr(exc, "errors", {}).items()}
    extra: dict[str, Any] = {}
    kind = None
    if isinstance(exc, StateConflict):
        extra = {"current": exc.current, "allowed": list(exc.allowed)}
        kind = "state-conflict"
    return problem_response(exc.status, translate(exc), errors, kind, **extra)


_HTTP_DETAILS = {
    400: N_("The request is malformed."),
    401: N_("No valid API token: send Authorization: Bearer <token>."),
    403: N_("Your role may not do this."),
    404: N_("Not found (or outside your service center's records)."),
    405: N_("This method is not allowed here."),
    413: N_("The request is too large."),
    415: N_("Send the body as application/json."),
    429: N_("Too many requests; try again later."),
    500: N_("Something went wrong on our side; the details are in the server log."),
}


def from_http(exc: HTTPException) -> Response:
    status = exc.code or 500
    headers = {"Allow": exc.response.headers["Allow"]} if exc.response is not None and "Allow" in exc.response.headers \
        else {}
    if status == 405 and not headers and hasattr(exc, "valid_methods") and exc.valid_methods:
        headers = {"Allow": ", ".join(exc.valid_methods)}
    return problem_response(status, gettext(_HTTP_DETAILS.get(status, N_("The request was refused."))), headers=headers)


def unauthorized() -> Response:
    return problem_response(401, gettext(_HTTP_DETAILS[401]), headers={"WWW-Authenticate": 'Bearer realm="api"'})


def server_error() -> Response:
    return problem_response(500, gettext(_HTTP_DETAILS[500]))


def unavailable() -> Response:
    """The database connection was lost mid-request: nothing was saved, a retry will do."""
    return problem_response(503, gettext(N_("The database did not answer. Nothing was saved; try again.")),
                            headers={"Retry-After": "1"})
