"""Demo diagnosis codes and checklists, made from the demo's own fault → diagnosis → repair cases."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from servicecenter.diagnostics.models import ChecklistItem, CodeKind, DiagnosisCode

# Every category's bench checklist (the last line is optional).
CHECKLIST = (
    ("Проверена работа во всех режимах не менее 30 минут", True),
    ("Корпус собран, все винты и заглушки на месте", True),
    ("Изделие очищено, комплектация сверена с заказ-нарядом", True),
    ("Сфотографированы заменённые детали", False),
)


def load_demo_codes(session: Session, cases: Mapping[str, tuple[tuple[str, str, str], ...]]) -> int:
    """Symptom, cause and action codes per category from (fault, diagnosis, repair) cases; returns how many."""
    made = 0
    for category, rows in cases.items():
        for n, texts in enumerate(rows, start=1):
            for kind, prefix, text in zip((CodeKind.SYMPTOM, CodeKind.CAUSE, CodeKind.ACTION), "SCA", texts,
                                          strict=True):
                session.add(DiagnosisCode(category=category, kind=kind, code=f"{prefix}{n:02d}", name=text[:200]))
                made += 1
        for position, (text, required) in enumerate(CHECKLIST, start=1):
            session.add(ChecklistItem(category=category, text=text, position=position, required=required))
    session.flush()
    return made
