"""The administrator's diagnosis-code catalogue and checklists per product category, and reading them."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.accounts.services import require_admin
from servicecenter.diagnostics.models import ChecklistItem, CodeKind, DiagnosisCode
from servicecenter.errors import N_, ValidationFailed
from servicecenter.fields import clean_text

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9.\-_]{0,19}$")


def _category(values: dict[str, Any], errors: dict[str, str]) -> str:
    return " ".join(clean_text(values, "category", errors, 80, N_("Enter the product category")).split())


def _clean_code(session: Session, code: DiagnosisCode | None, values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    category = _category(values, errors)
    raw = re.sub(r"\s+", "", str(values.get("code") or "")).upper()
    if not raw:
        errors["code"] = N_("Enter the code")
    elif not CODE_RE.match(raw):
        errors["code"] = N_("Letters, digits, dots and dashes; at most 20")
    try:
        kind = CodeKind(values.get("kind"))
    except ValueError:
        kind = None
        errors["kind"] = N_("Choose symptom, cause or action")
    name = clean_text(values, "name", errors, 200, N_("Enter the name"))
    if not errors and session.scalar(select(DiagnosisCode.id).where(
            DiagnosisCode.category == category, DiagnosisCode.kind == kind,
            DiagnosisCode.code == raw, DiagnosisCode.id != (code.id if code else -1))):
        errors["code"] = N_("This category already has this code")
    if errors:
        raise ValidationFailed(N_("The code was not saved"), errors=errors)
    return {"category": category, "kind": kind, "code": raw, "name": name, "active": bool(values.get("active", True))}


def create_code(session: Session, actor: User, **values: Any) -> DiagnosisCode:
    """Add a symptom, cause or action code to a product category's catalogue."""
    require_admin(actor)
    code = DiagnosisCode(**_clean_code(session, None, values))
    session.add(code)
    session.flush()
    return code


def update_code(session: Session, actor: User, record: DiagnosisCode, **values: Any) -> DiagnosisCode:
    """Change a code (deactivate it rather than delete: recorded diagnoses keep pointing at it)."""
    require_admin(actor)
    for key, value in _clean_code(session, record, values).items():
        setattr(record, key, value)
    session.flush()
    return record


def _clean_item(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    category = _category(values, errors)
    text = clean_text(values, "text", errors, 200, N_("Enter what to check"))
    position = values.get("position") or 0
    if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position <= 999:
        errors["position"] = N_("A whole number from 0 to 999")
    if errors:
        raise ValidationFailed(N_("The checklist item was not saved"), errors=errors)
    return {"category": category, "text": text, "position": position,
            "required": bool(values.get("required", True)), "active": bool(values.get("active", True))}


def create_checklist_item(session: Session, actor: User, **values: Any) -> ChecklistItem:
    """Add a line to a product category's bench checklist."""
    require_admin(actor)
    item = ChecklistItem(**_clean_item(values))
    session.add(item)
    session.flush()
    return item


def update_checklist_item(session: Session, actor: User, item: ChecklistItem, **values: Any) -> ChecklistItem:
    """Change a checklist line (deactivating it stops requiring it on open orders)."""
    require_admin(actor)
    for key, value in _clean_item(values).items():
        setattr(item, key, value)
    session.flush()
    return item


def _same_category(column: Any, category: str) -> Any:
    # Exactly as the model's category is spelt (SQLite's lower() knows no Cyrillic); blanks normalised.
    return column == " ".join((category or "").split())


def list_codes(session: Session, category: str, kind: CodeKind | None = None,
               active_only: bool = True) -> list[DiagnosisCode]:
    """The codes of a product category, by kind and code."""
    stmt = select(DiagnosisCode).where(_same_category(DiagnosisCode.category, category))
    if kind is not None:
        stmt = stmt.where(DiagnosisCode.kind == kind)
    if active_only:
        stmt = stmt.where(DiagnosisCode.active.is_(True))
    return list(session.scalars(stmt.order_by(DiagnosisCode.kind, DiagnosisCode.code)))


def list_checklist(session: Session, category: str) -> list[ChecklistItem]:
    """The active checklist lines of a product category, in order."""
    return list(session.scalars(select(ChecklistItem).where(
        _same_category(ChecklistItem.category, category), ChecklistItem.active.is_(True))
        .order_by(ChecklistItem.position, ChecklistItem.id)))
