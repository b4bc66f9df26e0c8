"""Finding catalogue models for the counter: by id, by what a clerk types, by the name in full."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, contains_eager

from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.textmatch import contains_any_case

MODEL_SUGGESTIONS = 20  # a screenful: more means the clerk should type on
MAX_WORDS = 6  # each word is a condition (five on SQLite); more words narrow nothing in practice
_NAME_CANDIDATES = 50
_TRAILING_PARENS = re.compile(r"(.+?)\s*\([^()]*\)")


def _active_models() -> Select[tuple[ProductModel]]:
    """Active models of active manufacturers, each with its manufacturer loaded by the same query."""
    return (select(ProductModel).join(ProductModel.manufacturer)
            .options(contains_eager(ProductModel.manufacturer))
            .where(ProductModel.active.is_(True), Manufacturer.active.is_(True)))


def _brand_and_name() -> Any:
    return Manufacturer.name + " " + ProductModel.name


def _words(typed: str | None) -> list[str]:
    return (typed or "").split()[:MAX_WORDS]


def get_active_model(session: Session, model_id: int | None) -> ProductModel | None:
    """The active model of an active manufacturer with this id (manufacturer loaded, one query), else None."""
    if not model_id:
        return None
    return session.scalar(_active_models().where(ProductModel.id == model_id))


def list_models_matching(session: Session, typed: str | None, limit: int = MODEL_SUGGESTIONS) -> list[ProductModel]:
    """Active models whose brand, name or category contain every typed word, in any case (2+ characters)."""
    words = _words(typed)
    if len(" ".join(words)) < 2:
        return []
    haystack = _brand_and_name() + " (" + ProductModel.category + ")"  # as labelled: an edited label still matches
    query = (_active_models().where(*(contains_any_case(session, haystack, word) for word in words))
             .order_by(Manufacturer.name, ProductModel.name).limit(limit))
    return list(session.scalars(query))


def find_model_by_name(session: Session, typed: str | None) -> ProductModel | None:
    """The active model named in full, "Brand Model" or "Brand Model (category)", in any case; None when
    no model or more than one has that name (for a clerk typing without the suggestion list)."""
    text = " ".join((typed or "").split())
    core = _TRAILING_PARENS.fullmatch(text)
    words = _words(core.group(1) if core else text)
    if not words:
        return None
    # Every word of the brand-and-name is in the model's brand and name; the shortest come first.
    candidates = session.scalars(
        _active_models().where(*(contains_any_case(session, _brand_and_name(), word) for word in words))
        .order_by(func.length(_brand_and_name()), ProductModel.id).limit(_NAME_CANDIDATES))
    wanted = text.casefold()
    found = []
    for model in candidates:
        short = " ".join(f"{model.manufacturer.name} {model.name}".split())
        if wanted in (short.casefold(), f"{short} ({model.category})".casefold()):
            found.append(model)
    return found[0] if len(found) == 1 else None
