"""The words of orders and their history, prepared once as COPY text and JSON fragments.

Everything a row needs is escaped here, so the generator's inner loop only joins strings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bench.gen_network import CATEGORIES
from bench.pgload import escape
from servicecenter.accounts.roles import Role
from servicecenter.demo import (
    ACCESSORIES,
    CANCEL_REASONS,
    CASES,
    CLOSINGS,
    COMMENTS,
    CONDITIONS,
    DECLINES,
    REVISIONS,
)
from servicecenter.repairs.states import RepairState


def jtext(value: str) -> str:
    """A JSON string literal, escaped for COPY."""
    return escape(json.dumps(value, ensure_ascii=False))


@dataclass(frozen=True)
class Case:
    fault: str  # COPY text
    diagnosis: str
    diagnosis_json: str
    note: str  # what the repair was
    note_json: str


@dataclass(frozen=True)
class Said:
    """A sentence as a column value and as a JSON string literal."""

    text: str
    json: str


def _said(value: str) -> Said:
    return Said(escape(value), jtext(value))


class Texts:
    def __init__(self) -> None:
        self.cases = [[Case(escape(f), escape(d), jtext(d), escape(n), jtext(n)) for f, d, n in CASES[cat]]
                      for cat in CATEGORIES]
        self.presale = Case(escape("Предпродажная проверка"), escape("Аппарат исправен, проверен во всех режимах"),
                            jtext("Аппарат исправен, проверен во всех режимах"),
                            escape("Проверка пройдена, замечаний нет"), jtext("Проверка пройдена, замечаний нет"))
        self.conditions = [escape(c) for c in CONDITIONS]
        self.accessories = [[json.dumps(a, ensure_ascii=False) for a in ACCESSORIES[cat]] for cat in CATEGORIES]
        self.comments = {role: [f'{{"text": {jtext(t)}}}' for t in texts] for role, texts in COMMENTS.items()}
        self.covered = [_said("Гарантийный талон и чек в наличии"), _said("Гарантия производителя, пломбы целы")]
        self.not_covered = {
            "unknown": _said("Нет документов о покупке, гарантия не подтверждена"),
            "expired": _said("Гарантийный срок истёк"),
            "presale": _said("Предпродажная проверка по договору с продавцом"),
        }
        self.revisions = [_said(r) for r in REVISIONS]
        self.cancel = {state: [_said(r) for r in reasons] for state, reasons in CANCEL_REASONS.items()}
        self.declines = [_said(d) for d in DECLINES]
        self.closings = [(c["outcome"], _said(c["outcome_note"])) for c in CLOSINGS]
        self.unrepairable = _said("Ремонт невозможен: запчасть снята с производства")
        self.replaced = _said("Аппарат заменён на новый по гарантии, оформлен акт замены")

    def cancel_reasons(self, state: RepairState) -> list[Said]:
        return self.cancel.get(state, self.cancel[None])

    def comment_roles(self, partner: bool, engineer_assigned: bool) -> tuple[Role, ...]:
        if partner:
            return (Role.PARTNER,)
        return (Role.INTAKE, Role.CALL_CENTER, Role.TEAM_LEAD) + ((Role.ENGINEER,) if engineer_assigned else ())


def details(action: str, *pairs: tuple[str, str]) -> str:
    """The details JSON of a state event: the action, then the edge's fields (JSON literals)."""
    return "".join((f'{{"action": "{action}"', *(f', "{k}": {v}' for k, v in pairs), "}"))
