"""The administrator's home page, and what every admin page shares: loading by id, form pages, filters."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from flask import render_template, request
from flask_wtf import FlaskForm
from sqlalchemy import ColumnElement, Select, func, or_, select

from servicecenter.accounts.models import User
from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.centers.models import Location, LocationKind, ServiceCenter
from servicecenter.errors import NotFound, ValidationFailed
from workstations.admin import bp
from workstations.admin.forms import apply_refusal
from workstations.web.dbsession import db

T = TypeVar("T")
PER_PAGE = 50


def get_or_404(model: type[T], ident: int, message: str) -> T:
    """The record with this id, or a 404 page saying `message`."""
    record = db().get(model, ident)
    if record is None:
        raise NotFound(message)
    return record


def page_number() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


def contains(column: Any, text: str | None) -> ColumnElement[bool] | None:
    """Case-insensitive 'contains', with the user's % and _ taken literally."""
    text = (text or "").strip()
    if not text:
        return None
    pattern = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{pattern}%", escape="\\")


def matching(stmt: Select[Any], text: str | None, *columns: Any) -> Select[Any]:
    """Keep the rows where any of `columns` contains `text` (all rows when it is blank)."""
    criteria = [c for c in (contains(col, text) for col in columns) if c is not None]
    if not criteria:
        return stmt
    return stmt.where(or_(*criteria))


def with_status(stmt: Select[Any], column: Any, status: str | None) -> Select[Any]:
    if status == "active":
        return stmt.where(column.is_(True))
    if status == "inactive":
        return stmt.where(column.is_(False))
    return stmt


def counts_by(column: Any, ids: Iterable[int], *where: Any) -> dict[int, int]:
    """How many rows each id has in `column`'s table (for the numbers in a list)."""
    ids = list(ids)
    if not ids:
        return {}
    rows = db().execute(select(column, func.count()).where(column.in_(ids), *where).group_by(column))
    return {key: n for key, n in rows}


def submitted_status(form: FlaskForm) -> int:
    """A form sent back with errors answers 422; the user sees their input again."""
    return 422 if form.is_submitted() else 200


def form_page(form: FlaskForm, *, title: str, cancel: str, status: int = 200, error: str | None = None,
              general: Iterable[str] = (), **context: Any) -> tuple[str, int]:
    """The one template every admin form uses (fields in a two-column grid, errors beside them)."""
    return render_template("admin/form.html", form=form, title=title, cancel=cancel, error=error,
                           general=list(general), **context), status


def refused(form: FlaskForm, exc: ValidationFailed, **page: Any) -> tuple[str, int]:
    """The form again, with the service's refusal beside the fields it names (422)."""
    error, general = apply_refusal(form, exc)
    return form_page(form, status=422, error=error, general=general, **page)


def _count(model: type, *where: Any) -> int:
    return db().scalar(select(func.count()).select_from(model).where(*where)) or 0


@bp.route("/")
def index() -> str:
    counts = {
        "centers": _count(ServiceCenter), "centers_active": _count(ServiceCenter, ServiceCenter.active.is_(True)),
        "warehouses": _count(Location, Location.kind == LocationKind.WAREHOUSE),
        "shelves": _count(Location, Location.kind == LocationKind.SHELF),
        "users": _count(User), "users_active": _count(User, User.active.is_(True)),
        "manufacturers": _count(Manufacturer), "models": _count(ProductModel),
    }
    return render_template("admin/index.html", counts=counts)
