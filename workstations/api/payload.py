"""Reading API requests: the JSON body and query parameters, every field error at once (422)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import request
from flask_babel import gettext
from werkzeug.datastructures import FileStorage

from servicecenter.errors import N_
from workstations.api.problems import Problem

MAX_BODY = 1024 * 1024
_SURROGATE = re.compile("[\ud800-\udfff]")


def json_body() -> dict[str, Any]:
    """The request's JSON object; 415 for another media type, 400 when it is not a JSON object."""
    if request.mimetype != "application/json":
        raise Problem(415, gettext("Send the body as application/json."))
    if (request.content_length or 0) > MAX_BODY:
        raise Problem(413, gettext("The request is too large."))
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than a parser should follow
        data = None
    if not isinstance(data, dict):
        raise Problem(400, gettext("The body must be a JSON object."))
    where = _nul_in(data)
    if where is not None:  # no text column takes a NUL or half a surrogate pair (PostgreSQL refuses them)
        raise Problem(422, gettext("Some fields are wrong: nothing was changed."),
                      {where or "body": gettext("Contains a character that cannot be stored")})
    return data


def multipart_files(field: str) -> list[FileStorage]:
    """The files sent under `field` (those with a name) in a multipart/form-data body; 415 for another media
    type, 400 when the body cannot be read as multipart at all — werkzeug then drops every part without a
    word (a part's headers not in UTF-8, a boundary other than the one Content-Type names), and the
    caller would otherwise answer that no file was chosen."""
    if request.mimetype != "multipart/form-data":
        raise Problem(415, gettext("Send the files as multipart/form-data."))
    if getattr(request, "body_unreadable", False):
        raise Problem(400, gettext("The multipart body could not be read: its parts need UTF-8 headers (file "
                                   "names) and the boundary named in Content-Type. Nothing was saved."))
    return [file for file in request.files.getlist(field) if file and file.filename]


def _unstorable(text: str) -> bool:
    return "\x00" in text or _SURROGATE.search(text) is not None


def _nul_in(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string (or key) holding a NUL or a lone surrogate (JSON's "\\ud800"), or None."""
    if isinstance(value, str):
        return path if _unstorable(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if _unstorable(str(key)):
                return path or "body"
            found = _nul_in(item, here)
            if found is not None:
                return found
    if isinstance(value, list):
        for item in value:
            found = _nul_in(item, path)
            if found is not None:
                return found
    return None


REPEATABLE = {"state"}  # the query parameters the document declares as arrays


def refuse_nul_in_url() -> None:
    """A path or query parameter holding a NUL names nothing and matches nothing: 404 / 422."""
    if "\x00" in request.path:
        raise Problem(404, gettext("Not found (or outside your service center's records)."))
    bad = sorted({name for name, value in request.args.items(multi=True) if "\x00" in value or "\x00" in name})
    if bad:
        raise Problem(422, gettext("Some fields are wrong: nothing was changed."),
                      {name.replace("\x00", ""): gettext("Contains a character that cannot be stored") for name in bad})
    # A query parameter of one value given twice (?page=1&page=2) is refused rather than half read.
    twice = sorted({name for name in request.args if name not in REPEATABLE and len(request.args.getlist(name)) > 1})
    if twice:
        raise Problem(422, gettext("Some fields are wrong: nothing was changed."),
                      {name: gettext("Give it once") for name in twice})


class Fields:
    """Typed reads of a JSON object's members; errors gather under dotted names (customer.phone)."""

    def __init__(self, data: Any, prefix: str = "", errors: dict[str, str] | None = None) -> None:
        self.data = data if isinstance(data, dict) else {}
        self.prefix = prefix
        self.errors: dict[str, str] = {} if errors is None else errors

    def _name(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(self._name(name), gettext(message))

    def text(self, name: str, *, required: bool = False, max_len: int = 4000) -> str:
        value = self.data.get(name)
        if value is None:
            if required:
                self.fail(name, N_("Required"))
            return ""
        if not isinstance(value, str):
            self.fail(name, N_("A string"))
            return ""
        value = value.strip()
        if required and not value:
            self.fail(name, N_("Required"))
        elif len(value) > max_len:
            self.fail(name, N_("Too long"))
            return ""
        return value

    def day(self, name: str) -> date | None:
        value = self.data.get(name)
        if value is None:
            return None
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError(value)
            return date.fromisoformat(value)
        except ValueError:
            self.fail(name, N_("A date, YYYY-MM-DD"))
            return None

    def flag(self, name: str) -> bool | None:
        value = self.data.get(name)
        if value is None or isinstance(value, bool):
            return value
        self.fail(name, N_("true or false"))
        return None

    def strings(self, name: str, *, max_items: int = 50, max_len: int = 100) -> list[str]:
        value = self.data.get(name)
        if value is None:
            return []
        if (not isinstance(value, list) or len(value) > max_items
                or not all(isinstance(v, str) and len(v) <= max_len for v in value)):
            self.fail(name, N_("A list of short strings"))
            return []
        return [v.strip() for v in value if v.strip()]

    def choice(self, name: str, allowed: list[str], default: str) -> str:
        value = self.data.get(name, default)
        if value is None:
            return default
        if not isinstance(value, str) or value not in allowed:
            self.fail(name, N_("Unknown value"))
            return default
        return value

    def obj(self, name: str, *, required: bool = False) -> Fields | None:
        value = self.data.get(name)
        if value is None:
            if required:
                self.fail(name, N_("Required"))
            return None
        if not isinstance(value, dict):
            self.fail(name, N_("An object"))
            return None
        return Fields(value, f"{self._name(name)}.", self.errors)

    def check(self, detail: str | None = None) -> None:
        """Refuse (422) when any field was wrong."""
        if self.errors:
            raise Problem(422, detail or gettext("Some fields are wrong: nothing was changed."), self.errors)


def query_page() -> tuple[int, int]:
    """`page` (from 1) and `per_page` (1–200) from the query string; 422 when they are not numbers."""
    errors: dict[str, str] = {}
    values = {}
    for name, default, top in (("page", 1, 1_000_000), ("per_page", 50, 200)):
        raw = request.args.get(name)
        if raw is None or raw == "":
            values[name] = default
            continue
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 7 or not 1 <= int(raw) <= top:
            errors[name] = gettext("A whole number from 1 to %(top)s", top=top)
        else:
            values[name] = int(raw)
    if errors:
        raise Problem(422, gettext("Some fields are wrong: nothing was changed."), errors)
    return values["page"], values["per_page"]


def paged(page: Any, items: list[Any]) -> dict[str, Any]:
    """The API's list envelope."""
    return {"items": items, "page": page.page, "pages": page.pages, "total": page.total}
