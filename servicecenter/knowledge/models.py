"""The knowledge base: articles (Markdown), their versions, files, tags and links to the catalogue.

Who sees an article is decided in one place (`queries.visible_to`); the partner wall repeats the
partner's part of it for every query a walled session runs, so a forgotten filter still cannot
show a partner an internal article.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DDL, JSON, Column, ForeignKey, Index, String, Table, Text, event, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicecenter.accounts.models import User
from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.clock import utcnow
from servicecenter.customers.models import Customer, _customers_of_center
from servicecenter.db import DDL_MANAGED, Base, str_enum
from servicecenter.diagnostics.models import DiagnosisCode
from servicecenter.scoping import center_owned


class Visibility(StrEnum):
    PUBLIC = "public"  # anyone, without login: the help section and the status page
    INTERNAL = "internal"  # our own staff only
    PARTNER = "partner"  # our staff and partner centers
    CUSTOMER = "customer"  # one customer's private section (and staff, and partners working for it)


class ArticleState(StrEnum):
    DRAFT = "draft"  # being written: its author and the editors see it
    PUBLISHED = "published"
    ARCHIVED = "archived"  # withdrawn: only editors see it


def partner_visible(cls: Any, cid: int) -> Any:
    """What a partner center may read: published public and partner articles, and the private
    sections of the customers whose orders it has (the wall's rule and visible_to's partner part)."""
    return (cls.state == ArticleState.PUBLISHED) & or_(
        cls.visibility.in_([Visibility.PUBLIC, Visibility.PARTNER]),
        (cls.visibility == Visibility.CUSTOMER) & cls.customer_id.in_(_customers_of_center(cid)))


def _of_partner_articles(cls: Any, cid: int) -> Any:
    return cls.article_id.in_(select(Article.id).where(partner_visible(Article, cid)).scalar_subquery())


article_models = Table(
    "knowledge_article_models", Base.metadata,
    Column("article_id", ForeignKey("knowledge_articles.id", ondelete="CASCADE"), primary_key=True),
    Column("model_id", ForeignKey("product_models.id"), primary_key=True, index=True),
)
article_manufacturers = Table(
    "knowledge_article_manufacturers", Base.metadata,
    Column("article_id", ForeignKey("knowledge_articles.id", ondelete="CASCADE"), primary_key=True),
    Column("manufacturer_id", ForeignKey("manufacturers.id"), primary_key=True, index=True),
)
article_codes = Table(
    "knowledge_article_codes", Base.metadata,
    Column("article_id", ForeignKey("knowledge_articles.id", ondelete="CASCADE"), primary_key=True),
    Column("code_id", ForeignKey("diagnosis_codes.id"), primary_key=True, index=True),
)


@center_owned(partner_visible)
class Article(Base):
    """One article: the current text; every saved text is also an ArticleVersion."""

    __tablename__ = "knowledge_articles"
    __table_args__ = (Index("ix_knowledge_articles_state_visibility", "state", "visibility"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown; rendered with markdown.render_markdown
    visibility: Mapped[Visibility] = mapped_column(str_enum(Visibility), default=Visibility.INTERNAL)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)  # CUSTOMER only
    state: Mapped[ArticleState] = mapped_column(str_enum(ArticleState), default=ArticleState.DRAFT)
    tags_text: Mapped[str] = mapped_column(String(500), default="")  # "tag1, tag2": shown and searched
    # The SQLite search reads this: title, tags and body, case-folded (PostgreSQL uses search_vector).
    search_text: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(default=1)  # the number of the current version
    source_order_id: Mapped[int | None] = mapped_column(ForeignKey("repair_orders.id"))  # drafted from it
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    customer: Mapped[Customer | None] = relationship()
    models: Mapped[list[ProductModel]] = relationship(secondary=article_models, order_by=ProductModel.name)
    manufacturers: Mapped[list[Manufacturer]] = relationship(secondary=article_manufacturers,
                                                             order_by=Manufacturer.name)
    codes: Mapped[list[DiagnosisCode]] = relationship(secondary=article_codes, order_by=DiagnosisCode.code)
    category_links: Mapped[list[ArticleCategory]] = relationship(cascade="all, delete-orphan",
                                                                 order_by="ArticleCategory.category")
    files: Mapped[list[ArticleFile]] = relationship(back_populates="article", order_by="ArticleFile.id",
                                                    cascade="all, delete-orphan")

    @property
    def tags(self) -> list[str]:
        return [t for t in (s.strip() for s in (self.tags_text or "").split(",")) if t]

    @property
    def categories(self) -> list[str]:
        return [link.category for link in self.category_links]

    def __repr__(self) -> str:
        return f"<Article {self.id} {self.title[:30]}>"


# PostgreSQL full-text search: a generated tsvector (Russian stemming; title and tags weigh more
# than the body) and its GIN index. Only PostgreSQL gets them: SQLite searches search_text.
SEARCH_VECTOR_SQL = ("setweight(to_tsvector('russian'::regconfig, coalesce(title, '') || ' ' || coalesce(tags_text, '')), 'A')"
                     " || setweight(to_tsvector('russian'::regconfig, coalesce(body, '')), 'B')")
DDL_MANAGED.update({"knowledge_articles.search_vector", "ix_knowledge_articles_search_vector"})
event.listen(Article.__table__, "after_create", DDL(
    f"ALTER TABLE knowledge_articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({SEARCH_VECTOR_SQL}) STORED;"
    " CREATE INDEX ix_knowledge_articles_search_vector ON knowledge_articles USING gin (search_vector)"
).execute_if(dialect="postgresql"))


@center_owned(_of_partner_articles)
class ArticleCategory(Base):
    """A product category (ProductModel.category) the article is about."""

    __tablename__ = "knowledge_article_categories"

    article_id: Mapped[int] = mapped_column(ForeignKey("knowledge_articles.id", ondelete="CASCADE"),
                                            primary_key=True)
    category: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)


@center_owned(_of_partner_articles)
class ArticleVersion(Base):
    """A saved text of an article: who saved it and when. The newest is the article's current text."""

    __tablename__ = "knowledge_article_versions"
    __table_args__ = (Index("uq_knowledge_article_versions_article_id_number", "article_id", "number", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("knowledge_articles.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    # visibility, customer, state, tags and links as they were (ids), so a rollback restores them too
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(String(200), default="")  # e.g. "rolled back to version 3"
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()


@center_owned(_of_partner_articles)
class ArticleFile(Base):
    """An image or a PDF kept with an article; stored like order attachments (random name, outside static/)."""

    __tablename__ = "knowledge_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("knowledge_articles.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    width: Mapped[int | None]
    height: Mapped[int | None]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[Article] = relationship(back_populates="files")

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
