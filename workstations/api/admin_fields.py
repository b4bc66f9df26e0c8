"""Reading the administration endpoints' bodies: only the members sent (a PATCH changes just those),
typed, and references by the keys the API shows elsewhere (a center's code, a brand's name)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from flask import g, jsonify
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from servicecenter.catalog.models import Manufacturer
from servicecenter.centers.models import ServiceCenter
from servicecenter.errors import N_, NotFound
from servicecenter.fields import MAX_ID
from workstations.api.payload import Fields, json_body
from workstations.api.spec import list_op, problems
from workstations.web.dbsession import db

T = TypeVar("T")
# A record's GET and PATCH share one URL rule (the GET view hands a PATCH on): with two rules werkzeug
# answers a PATCH to an id past the id converter's range 405 (the GET rule's path matched) instead of 404.


def record(model: type[T], ident: int, message: str) -> T:
    """The record with this id, or 404 saying `message`."""
    found = db().get(model, ident) if 0 < ident <= MAX_ID else None
    if found is None:
        raise NotFound(message)
    return found


def created(body: dict[str, Any], location: str) -> Response:
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = location
    return response


def rename_fields(**names: str) -> None:
    """The domain's field names as this request spells them (domain → request), for its 422s."""
    g.api_fields = names


class Body(Fields):
    """The members a request sent, each checked for its JSON type; `values` keeps what was sent."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        super().__init__(json_body() if data is None else data)
        self.values: dict[str, Any] = {}

    def sent(self, name: str) -> bool:
        return name in self.data

    def string(self, name: str, max_len: int, *, key: str | None = None, null: bool = False) -> None:
        if not self.sent(name):
            return
        if self.data[name] is None and null:
            self.values[key or name] = None
            return
        if not isinstance(self.data[name], str):
            self.fail(name, N_("A string"))
            return
        self.values[key or name] = self.text(name, max_len=max_len)

    def integer(self, name: str, *, key: str | None = None, null: bool = False) -> None:
        if not self.sent(name):
            return
        value = self.data[name]
        if value is None and null:
            self.values[key or name] = None
        elif isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_ID:
            self.fail(name, N_("A whole number"))
        else:
            self.values[key or name] = value

    def boolean(self, name: str) -> None:
        if self.sent(name):
            if isinstance(self.data[name], bool):
                self.values[name] = self.data[name]
            else:
                self.fail(name, N_("true or false"))

    def one_of(self, name: str, allowed: Iterable[str]) -> None:
        if self.sent(name):
            if isinstance(self.data[name], str) and self.data[name] in set(allowed):
                self.values[name] = self.data[name]
            else:
                self.fail(name, N_("Unknown value"))

    def number(self, name: str) -> None:
        """An amount as a string ("1250.50") or a JSON number; the domain checks its range."""
        if self.sent(name):
            value = self.data[name]
            if isinstance(value, bool) or not isinstance(value, str | int | float) or len(str(value)) > 20:
                self.fail(name, N_("A number"))
            else:
                self.values[name] = str(value)

    def require(self, *names: str) -> None:
        for name in names:
            if self.data.get(name) is None:
                self.fail(name, N_("Required"))


def center_by_code(f: Fields, name: str, code: Any) -> ServiceCenter | None:
    """The center with this code (any case), or a field error."""
    found = None
    if isinstance(code, str) and code.strip():
        found = db().scalar(select(ServiceCenter).where(func.upper(ServiceCenter.code) == code.strip().upper()))
    if found is None:
        f.fail(name, N_("Unknown service center"))
    return found


def manufacturer_by_name(f: Fields, name: str, text: Any) -> Manufacturer | None:
    """A manufacturer by name (any case, active or not), or a field error."""
    found = None
    if isinstance(text, str) and text.strip():
        wanted = text.strip().casefold()
        found = db().scalar(select(Manufacturer).where(Manufacturer.name == text.strip())) or next(
            (m for m in db().scalars(select(Manufacturer)) if m.name.casefold() == wanted), None)
    if found is None:
        f.fail(name, N_("Unknown manufacturer"))
    return found


def guarded_list(op: str, summary: str, schema: str, params: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A list operation that some roles may not call (403; a partner: 404)."""
    described = list_op(op, summary, schema, params)
    described["get"]["responses"].update(problems("403", "404"))
    return described
