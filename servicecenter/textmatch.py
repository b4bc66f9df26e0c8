"""Matching what a clerk typed against stored names, in any case, Cyrillic included."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_
from sqlalchemy.orm import Session


def spellings(text: str) -> set[str]:
    """The usual spellings of a typed name: SQLite's lower() folds ASCII only, so Cyrillic names are
    matched as typed, lower case, upper case, capitalised and title case."""
    return {text, text.lower(), text.upper(), text.capitalize(), text.title()}


def contains_any_case(session: Session, expression: Any, typed: str) -> Any:
    """The condition "the expression contains what was typed, in any case" (LIKE wildcards are
    escaped). PostgreSQL's ILIKE folds Cyrillic itself (one condition, which a trigram index can
    serve); SQLite needs the usual spellings spelled out, except for ASCII, which its lower() folds."""
    dialect = session.get_bind().dialect.name
    variants = {typed} if dialect == "postgresql" or typed.isascii() else spellings(typed)
    return or_(*(expression.icontains(variant, autoescape=True) for variant in variants))
