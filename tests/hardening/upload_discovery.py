"""Finding every upload of the app for the upload sweep (tests/hardening/test_upload_attacks.py).

Web routes: a view reads files when its code (or a workstations function it calls) touches
`request.files` or the raw body, or names a form class with a file field — and, asked at run time,
when a first multipart POST with a file under every plausible name sees the request's files looked
up. API operations: every one whose request body in the OpenAPI document is not JSON; an API view that
reads files or a raw body without such a body in the document fails the discovery.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Request
from flask_wtf import FlaskForm
from wtforms.fields import FileField

from tests.hardening.test_hostile_params import _Recorder
from tests.hardening.upload_payloads import multipart, picture
from workstations.api.spec import build_spec

ROOT = Path(__file__).resolve().parents[2]
MARKERS = ("request.files", "request.get_data(", "request.stream", "request.data")
NOT_SWEPT = ("auth.login", "auth.logout", "auth.language")  # no file; their own tests


def file_forms() -> dict[str, set[str]]:
    """Every form class of the workstations with a file field: its name → its file fields' names."""
    found, todo = {}, list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        names = {name for name in dir(cls) if (f := getattr(cls, name, None)) is not None
                 and getattr(f, "field_class", None) is not None and issubclass(f.field_class, FileField)}
        if names and cls.__module__.startswith("workstations"):
            found[cls.__name__] = names
    return found


def _code_names(code: Any) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if inspect.iscode(const):  # functions and lambdas defined inside the view
            names |= _code_names(const)
    return names


def reads_files(func: Any, forms: dict[str, set[str]], seen: set | None = None) -> bool:
    """Whether the view (or a workstations function it calls) reads a raw body, request.files or a file form."""
    seen = set() if seen is None else seen
    func = inspect.unwrap(func)
    if not inspect.isfunction(func) or func in seen:
        return False
    seen.add(func)
    if any(marker in inspect.getsource(func) for marker in MARKERS):
        return True
    names = _code_names(func.__code__)
    if names & set(forms):
        return True
    return any(reads_files(value, forms, seen) for name in names
               if inspect.isfunction(value := func.__globals__.get(name))
               and value.__module__.startswith("workstations"))


class _SeenFiles(_Recorder):
    """A request's files that remember which names the view looked up."""

    seen: set[str] = set()


def _recording(request_class: type[Request]) -> type[Request]:
    """The app's request class, its files remembering the names looked up."""
    class FileRecordingRequest(request_class):  # type: ignore[valid-type, misc]
        def _load_form_data(self) -> None:
            super()._load_form_data()
            if "files" in self.__dict__ and not isinstance(self.__dict__["files"], _SeenFiles):
                self.__dict__["files"] = _SeenFiles(self.__dict__["files"])

    return FileRecordingRequest


def _candidate_names(forms: dict[str, set[str]]) -> list[str]:
    source = "\n".join(p.read_text() for p in (ROOT / "workstations").rglob("*.py"))
    named = set(re.findall(r'request\.files(?:\.get(?:list)?\(|\[)"(\w+)"', source))
    return sorted(set().union(*forms.values()) | named | {"file", "files", "upload", "image", "photo", "document"})


def web_uploads(app: Any, post: Callable[[Any, bytes, str], Any]) -> tuple[set[str], set[str]]:
    """(endpoints whose code reads files, endpoints whose first multipart POST looked files up) over the
    workstations' URL map; `post(rule, body, content_type)` sends the first POST (as someone it admits)."""
    forms = file_forms()
    rules = [r for r in app.url_map.iter_rules() if "POST" in r.methods and not r.rule.startswith("/api/")
             and r.endpoint not in NOT_SWEPT]
    in_code = {r.endpoint for r in rules if reads_files(app.view_functions[r.endpoint], forms)}
    names = _candidate_names(forms)
    files = [(name, f"x{n}.png", "image/png", picture(n)) for n, name in enumerate(names)]
    asked, usual = set(), app.request_class
    app.request_class = _recording(usual)
    try:
        for rule in rules:
            _SeenFiles.seen = set()
            post(rule, *multipart({}, files))
            if _SeenFiles.seen & set(names):
                asked.add(rule.endpoint)
    finally:
        app.request_class = usual
    return in_code, asked


def _binary(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "string" and (schema.get("format") == "binary" or "contentMediaType" in schema)


def api_uploads(app: Any) -> dict[str, tuple[str, str, list[str], list[str]]]:
    """operationId → (method, path, media types, file fields) for every operation whose body is not JSON."""
    found = {}
    for path, item in build_spec()["paths"].items():
        for method, op in item.items():
            content = (op.get("requestBody") or {}).get("content", {}) if isinstance(op, dict) else {}
            media = sorted(set(content) - {"application/json"})
            if media:
                props = content.get("multipart/form-data", {}).get("schema", {}).get("properties", {})
                fields = [name for name, schema in props.items() if _binary(schema.get("items", schema))]
                found[op["operationId"]] = (method, path, media, fields)
    forms = file_forms()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and reads_files(app.view_functions[rule.endpoint], forms):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            methods = {m.lower() for m in rule.methods} - {"head", "options"}
            assert any(p == path and m in methods for m, p, _media, _f in found.values()), (
                f"{rule.rule} reads files or a raw body but its operation declares no such request body")
    return found
