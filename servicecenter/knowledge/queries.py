"""Reading articles: who may see what (one criterion, `visible_to`), search, and what the order page and
the status page suggest. Every list and search here goes through `visible_to`.

| reader | sees |
| --- | --- |
| anonymous visitor (help section) | published public articles |
| a customer proved on the status page | published public articles and that customer's private section |
| partner, partner_manager | published public and partner articles, and the private sections of the customers of its own orders |
| our own staff (any other role) | every published article; drafts: their own, and all of them for editors |
| editors (team_lead, admin) | also drafts and archived articles |
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    case,
    distinct,
    false,
    func,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, selectinload

from servicecenter.accounts.roles import WALLED_ROLES
from servicecenter.clock import utcnow
from servicecenter.customers.models import Customer
from servicecenter.diagnostics.models import OrderDiagnosis
from servicecenter.equipment.models import Unit
from servicecenter.errors import N_, NotFound
from servicecenter.knowledge.models import (
    Article,
    ArticleCategory,
    ArticleFile,
    ArticleState,
    Visibility,
    article_codes,
    article_manufacturers,
    article_models,
    partner_visible,
)
from servicecenter.knowledge.services import EDITOR_ROLES
from servicecenter.repairs.models import RepairOrder
from servicecenter.scoping import lifted

MAX_QUERY = 200
KNOWN_FAULT_WINDOW = timedelta(days=365)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# The SQLite fallback's stemming: Russian case and number endings cut off a word of 5+ letters, so
# "ремонта", "ремонту", "ремонтом" all look for "ремонт". PostgreSQL's `russian` dictionary does it properly.
_ENDINGS = sorted(("иями", "ями", "ами", "ией", "ого", "его", "ому", "ему", "ыми", "ими", "ов", "ев", "ей", "ий",
                   "ый", "ой", "ая", "яя", "ое", "ее", "ые", "ие", "ам", "ям", "ах", "ях", "ом", "ем", "ую", "юю",
                   "ть", "а", "я", "о", "е", "ы", "и", "у", "ю", "ь", "й"), key=len, reverse=True)


def visible_to(actor: Any | None, customer: Customer | None = None) -> ColumnElement[bool]:
    """The one criterion on Article of what this reader may see (`actor` None: an anonymous visitor,
    or the `customer` proved on the status page)."""
    published = Article.state == ArticleState.PUBLISHED
    if actor is None:
        own = (Article.visibility == Visibility.CUSTOMER) & (Article.customer_id == customer.id) \
            if customer is not None else false()
        return published & ((Article.visibility == Visibility.PUBLIC) | own)
    if actor.role in WALLED_ROLES:
        return partner_visible(Article, actor.center_id)
    if actor.role in EDITOR_ROLES:
        return true()
    mine = (Article.state == ArticleState.DRAFT) & (Article.author_id == actor.id)
    return published | mine


def get_article(session: Session, article_id: int, actor: Any | None, customer: Customer | None = None) -> Article:
    """The article if this reader may see it; NotFound otherwise (the same answer as a missing one)."""
    article = session.scalar(select(Article).where(Article.id == article_id, visible_to(actor, customer)))
    if article is None:
        raise NotFound(N_("No such article"))
    return article


def get_article_file(session: Session, file_id: int, actor: Any | None) -> ArticleFile:
    """A file of an article this reader may see; NotFound otherwise."""
    row = session.scalar(select(ArticleFile).join(Article, Article.id == ArticleFile.article_id)
                         .where(ArticleFile.id == file_id, visible_to(actor)))
    if row is None:
        raise NotFound(N_("No such file"))
    return row


@dataclass(frozen=True)
class SearchHit:
    article: Article
    rank: float


def _words(text: str) -> list[str]:
    return _WORD.findall((text or "")[:MAX_QUERY].casefold())[:12]


def crude_stem(word: str) -> str:
    """The SQLite fallback's stem of a case-folded word (see _ENDINGS)."""
    if len(word) >= 5:
        for ending in _ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 4:
                return word[: -len(ending)]
    return word


def _tsquery(words: list[str]) -> str:
    # Only letters and digits reach to_tsquery (no operators from the user); every word must match.
    # No prefix matching (word:*): it doubled the time of a word found in every article (bench/knowledge.py),
    # and the Russian stemmer already brings the forms of a word together.
    return " & ".join(words)


def _search(session: Session, actor: Any | None, text: str, customer: Customer | None,
            states: list[ArticleState] | None) -> Any:
    where = [visible_to(actor, customer)]
    if states:
        where.append(Article.state.in_(states))
    words = _words(text)
    if not words:
        return select(Article, literal_column("0.0")).where(*where).order_by(Article.updated_at.desc(), Article.id)
    if session.get_bind().dialect.name == "postgresql":
        query = func.to_tsquery(literal_column("'russian'::regconfig"), _tsquery(words))
        vector = literal_column("knowledge_articles.search_vector")
        rank = func.ts_rank(vector, query)  # ts_rank_cd cost twice as much over 10,000 matches
        return (select(Article, rank).where(*where, vector.op("@@")(query))
                .order_by(rank.desc(), Article.updated_at.desc(), Article.id))
    stems = [crude_stem(w) for w in words]
    newline = func.instr(Article.search_text, "\n")
    rank = sum((case((and_(func.instr(Article.search_text, s) > 0, func.instr(Article.search_text, s) < newline),
                      2.0), else_=1.0) for s in stems), literal_column("0.0"))
    return (select(Article, rank).where(*where, *(Article.search_text.contains(s, autoescape=True) for s in stems))
            .order_by(rank.desc(), Article.updated_at.desc(), Article.id))


def search_articles(session: Session, actor: Any | None, text: str, *, customer: Customer | None = None,
                    states: list[ArticleState] | None = None, limit: int = 20,
                    offset: int = 0) -> list[SearchHit]:
    """Articles this reader may see, matching every word typed, best first (PostgreSQL: full-text search
    with Russian stemming, title and tags weighing more than the text; SQLite: a case-folded substring
    match with crude stemming). No words: the most recently updated."""
    rows = session.execute(_search(session, actor, text, customer, states).limit(limit).offset(offset)).all()
    return [SearchHit(article, float(score or 0)) for article, score in rows]


def count_search_hits(session: Session, actor: Any | None, text: str, *, customer: Customer | None = None,
                      states: list[ArticleState] | None = None, limit: int = 10_000) -> int:
    """How many articles `search_articles` finds (counting stops at `limit`)."""
    stmt = _search(session, actor, text, customer, states).order_by(None).limit(limit)
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


# --- what the order page suggests ---------------------------------------------------------------

@dataclass(frozen=True)
class Suggestion:
    article: Article
    reason: str  # "code", "model", "brand" or "category": why it is suggested
    repairs: int | None  # orders of this model with the article's codes in the last 12 months
    codes: tuple[str, ...]  # the article's codes the order's diagnosis shares


READ = object()  # "the order's diagnosis: read it" (a caller that has it passes it, or None for none)


def _order_context(session: Session, order: RepairOrder,
                   diagnosis: OrderDiagnosis | None | object = READ) -> tuple[int | None, int | None, str, set[int]]:
    """The unit's model, brand and category — from the order's unit and model as loaded with it (the
    order page loads them; anywhere else they load here) — and the codes of its diagnosis."""
    model_id = manufacturer_id = None
    category = ""
    unit = order.unit if order.unit_id is not None else None
    if unit is not None and unit.model is not None:
        model_id, manufacturer_id, category = unit.model_id, unit.manufacturer_id, unit.model.category
    if diagnosis is READ:
        diagnosis = session.scalar(select(OrderDiagnosis).where(OrderDiagnosis.order_id == order.id))
    codes = {c for c in (diagnosis.symptom_id, diagnosis.cause_id, diagnosis.action_id)} - {None} \
        if isinstance(diagnosis, OrderDiagnosis) else set()
    return model_id, manufacturer_id, category, codes  # type: ignore[return-value]


def count_repairs_by_article(session: Session, model_id: int, article_ids: list[int]) -> dict[int, int]:
    """For each article, the orders of the model whose coded diagnosis names one of the article's codes
    as symptom or cause, in the last 12 months, across the whole network (an aggregate: no partner learns
    which orders). One query for all the order page's suggestions; an article with none is left out."""
    if not article_ids:
        return {}
    since = utcnow() - KNOWN_FAULT_WINDOW
    with lifted(session):
        return dict(session.execute(
            select(article_codes.c.article_id, func.count(distinct(OrderDiagnosis.order_id)))
            .select_from(OrderDiagnosis)
            .join(RepairOrder, RepairOrder.id == OrderDiagnosis.order_id)
            .join(Unit, Unit.id == RepairOrder.unit_id)
            .join(article_codes, or_(article_codes.c.code_id == OrderDiagnosis.symptom_id,
                                     article_codes.c.code_id == OrderDiagnosis.cause_id))
            .where(Unit.model_id == model_id, OrderDiagnosis.recorded_at >= since,
                   article_codes.c.article_id.in_(article_ids))
            .group_by(article_codes.c.article_id)).tuples().all())


def _link(article_id: Any, priority: int) -> Any:
    return select(article_id.label("id"), literal_column(str(priority)).label("p"))


# The suggestion statement is built once per shape — with or without the diagnosis's codes, with or
# without the unit's model, and per kind of reader — with its values as parameters: building the
# union and its SQLAlchemy cache key was half of the knowledge section's time on every order page.
_SUGGESTIONS: dict[tuple[bool, bool, str, int], Any] = {}
_ROLE_OF_KIND = {"walled": next(iter(WALLED_ROLES)), "editor": next(iter(EDITOR_ROLES)), "staff": None}


def _reader_kind(actor: Any | None) -> str:
    if actor is None:
        return "anyone"
    return "walled" if actor.role in WALLED_ROLES else "editor" if actor.role in EDITOR_ROLES else "staff"


def _suggestion_statement(by_code: bool, by_unit: bool, reader: str, limit: int) -> Any:
    key = (by_code, by_unit, reader, limit)
    if key not in _SUGGESTIONS:
        linked = []
        if by_code:
            linked.append(_link(article_codes.c.article_id, 0)
                          .where(article_codes.c.code_id.in_(bindparam("codes", expanding=True))))
        if by_unit:
            linked.append(_link(article_models.c.article_id, 1).where(article_models.c.model_id == bindparam("model")))
            linked.append(_link(article_manufacturers.c.article_id, 2)
                          .where(article_manufacturers.c.manufacturer_id == bindparam("brand")))
            linked.append(_link(ArticleCategory.article_id, 3).where(ArticleCategory.category == bindparam("category")))
        union = linked[0].union_all(*linked[1:]).subquery()
        best = select(union.c.id, func.min(union.c.p).label("p")).group_by(union.c.id).subquery()
        # visible_to with the reader's id and center as parameters (its role picks the shape)
        stand_in = None if reader == "anyone" else SimpleNamespace(
            id=bindparam("reader_id"), center_id=bindparam("reader_center"), role=_ROLE_OF_KIND[reader])
        _SUGGESTIONS[key] = (
            select(Article, best.c.p).join(best, best.c.id == Article.id)
            .where(visible_to(stand_in), Article.state == ArticleState.PUBLISHED)
            .options(selectinload(Article.codes))
            .order_by(best.c.p, Article.updated_at.desc(), Article.id).limit(limit))
    return _SUGGESTIONS[key]


def list_order_suggestions(session: Session, actor: Any | None, order: RepairOrder, limit: int = 8, *,
                           diagnosis: OrderDiagnosis | None | object = READ) -> list[Suggestion]:
    """Published articles for the order's unit the reader may see: those sharing a code with the order's
    diagnosis first, then those of its model, its brand, its category — each code-linked one with how many
    repairs of this model found that fault in the last 12 months. `diagnosis`: the order's, when the
    caller has already read it."""
    model_id, manufacturer_id, category, codes = _order_context(session, order, diagnosis)
    if model_id is None and not codes:
        return []
    stmt = _suggestion_statement(bool(codes), model_id is not None, _reader_kind(actor), limit)
    values: dict[str, Any] = {"codes": sorted(codes), "model": model_id, "brand": manufacturer_id,
                              "category": category}
    if actor is not None:
        values |= {"reader_id": actor.id, "reader_center": actor.center_id}
    rows = session.execute(stmt, values).all()  # a value the shape does not use is left aside
    reasons = {0: "code", 1: "model", 2: "brand", 3: "category"}
    coded = [article.id for article, _p in rows if article.codes]
    counts = count_repairs_by_article(session, model_id, coded) if model_id is not None else {}
    out = []
    for article, priority in rows:
        repairs = counts.get(article.id, 0) if model_id is not None and article.codes else None
        shared = tuple(c.code for c in article.codes if c.id in codes)
        out.append(Suggestion(article, reasons[int(priority)], repairs, shared))
    return out


def list_public_for_order(session: Session, order: RepairOrder, customer: Customer | None,
                          limit: int = 5) -> list[Article]:
    """What the status page offers a customer for their order: published public articles of the unit's
    model, brand or category, and their own private section."""
    model_id, manufacturer_id, category, _codes = _order_context(session, order)
    about_unit = [Article.id.in_(select(article_models.c.article_id).where(article_models.c.model_id == model_id))]
    if manufacturer_id is not None:
        about_unit.append(Article.id.in_(select(article_manufacturers.c.article_id)
                                         .where(article_manufacturers.c.manufacturer_id == manufacturer_id)))
    if category:
        about_unit.append(Article.id.in_(select(ArticleCategory.article_id).where(ArticleCategory.category == category)))
    own = (Article.visibility == Visibility.CUSTOMER) & (Article.customer_id == customer.id) \
        if customer is not None else false()
    return list(session.scalars(
        select(Article).where(visible_to(None, customer), or_(own, *about_unit) if model_id is not None else own)
        .order_by((Article.visibility == Visibility.CUSTOMER).desc(), Article.updated_at.desc()).limit(limit)))


def count_articles(session: Session, actor: Any | None) -> int:
    """How many articles this reader may see."""
    return session.scalar(select(func.count()).select_from(Article).where(visible_to(actor))) or 0
