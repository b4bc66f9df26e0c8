"""Writing articles: create, edit (every save keeps a version), publish or archive, roll back, draft
one from an order's coded diagnosis, attach files. Services flush only; the actor is an argument.

Who writes: team leads and administrators write, publish, archive and roll back any article;
engineers write drafts (their own, or from a diagnosis) that an editor then publishes.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.attachments import CheckedFile, check_document
from servicecenter.attachments import _write_new as write_new_file  # the rollback-safe writer of uploads
from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.clock import utcnow
from servicecenter.customers.models import Customer
from servicecenter.customers.services import find_customers_by_phone
from servicecenter.diagnostics.models import DiagnosisCode, OrderDiagnosis
from servicecenter.errors import N_, ConcurrentUpdate, NotFound, PermissionDenied, ValidationFailed
from servicecenter.fields import parse_id
from servicecenter.knowledge.models import (
    Article,
    ArticleCategory,
    ArticleFile,
    ArticleState,
    ArticleVersion,
    Visibility,
)
from servicecenter.repairs.models import RepairOrder, WorkLog

EDITOR_ROLES = frozenset({Role.TEAM_LEAD, Role.ADMIN})  # write, publish, archive, roll back any article
DRAFT_ROLES = frozenset({Role.ENGINEER})  # write drafts: their own, or from an order's diagnosis
WRITER_ROLES = EDITOR_ROLES | DRAFT_ROLES
MAX_TITLE, MAX_BODY, MAX_TAGS = 200, 100_000, 500
MAX_FILES_PER_ARTICLE = 20
ARTICLE_FIELDS = ("title", "body", "visibility", "customer_id", "tags", "model_ids", "manufacturer_ids",
                  "categories", "code_ids")


def is_editor(actor: User | Any) -> bool:
    return actor is not None and actor.role in EDITOR_ROLES


def can_write(actor: User | Any) -> bool:
    """Whether the actor may write articles at all (an engineer: drafts only)."""
    return actor is not None and actor.role in WRITER_ROLES


def can_edit(actor: User | Any, article: Article) -> bool:
    """Editors edit any article; an engineer only a draft of their own."""
    if is_editor(actor):
        return True
    return (actor is not None and actor.role in DRAFT_ROLES and article.state == ArticleState.DRAFT
            and article.author_id == actor.id)


def _clean(value: Any, limit: int) -> str:
    return " ".join(str(value or "").split())[:limit]


def _tags(raw: Any) -> str:
    items = raw if isinstance(raw, list | tuple) else str(raw or "").split(",")
    seen: dict[str, str] = {}
    for item in items:
        tag = _clean(item, 40)
        if tag and tag.casefold() not in seen:
            seen[tag.casefold()] = tag
    return ", ".join(seen.values())[:MAX_TAGS]


def _ids(raw: Any) -> list[int]:
    if raw in (None, ""):
        return []
    items = raw if isinstance(raw, list | tuple | set) else str(raw).replace(",", " ").split()
    out: list[int] = []
    for item in items:
        try:
            value = int(str(item).strip())
        except (TypeError, ValueError):
            raise ValidationFailed(N_("Not a valid choice"), errors={"links": N_("Not a valid choice")}) from None
        if value not in out:
            out.append(value)
    return out


def _load(session: Session, cls: type, ids: list[int], field: str) -> list[Any]:
    if not ids:
        return []
    found = {row.id: row for row in session.scalars(select(cls).where(cls.id.in_(ids)))}
    if len(found) != len(ids):
        raise ValidationFailed(N_("Some of the chosen links do not exist"), errors={field: N_("Not a valid choice")})
    return [found[i] for i in ids]


def search_text(title: str, tags: str, body: str) -> str:
    """What the SQLite fallback search matches: case-folded title, tags and body."""
    return f"{title}\n{tags}\n{body}".casefold()


def _values(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    """Checked field values (ValidationFailed naming every bad field)."""
    errors: dict[str, str] = {}
    title = _clean(values.get("title"), MAX_TITLE + 1)
    if not title:
        errors["title"] = N_("Give the article a title")
    elif len(title) > MAX_TITLE:
        errors["title"] = N_("The title is too long")
    body = str(values.get("body") or "").replace("\r\n", "\n").strip()
    if len(body) > MAX_BODY:
        errors["body"] = N_("The text is too long")
    try:
        visibility = Visibility(values.get("visibility") or Visibility.INTERNAL)
    except ValueError:
        errors["visibility"] = N_("Unknown value")
        visibility = Visibility.INTERNAL
    customer = None
    if visibility == Visibility.CUSTOMER:
        cid, phone = values.get("customer_id"), str(values.get("customer_phone") or "").strip()
        customer = session.get(Customer, parse_id(cid)) if parse_id(cid) else None
        if customer is None and phone:
            try:
                found = find_customers_by_phone(session, phone)
            except ValidationFailed:
                found = []
            customer = found[0] if len(found) == 1 else None
        if customer is None:
            errors["customer_phone"] = N_("Give the phone of the customer whose section this is")
    categories = sorted({_clean(c, 80) for c in (values.get("categories") or []) if _clean(c, 80)})
    if errors:
        raise ValidationFailed(N_("The article was not saved: check the marked fields"), errors=errors)
    return {
        "title": title, "body": body, "visibility": visibility, "customer": customer,
        "tags_text": _tags(values.get("tags")), "categories": categories,
        "models": _load(session, ProductModel, _ids(values.get("model_ids")), "model_ids"),
        "manufacturers": _load(session, Manufacturer, _ids(values.get("manufacturer_ids")), "manufacturer_ids"),
        "codes": _load(session, DiagnosisCode, _ids(values.get("code_ids")), "code_ids"),
    }


def _apply(article: Article, v: dict[str, Any]) -> None:
    article.title, article.body, article.visibility = v["title"], v["body"], v["visibility"]
    article.customer = v["customer"]
    article.customer_id = v["customer"].id if v["customer"] is not None else None
    article.tags_text = v["tags_text"]
    article.models, article.manufacturers, article.codes = v["models"], v["manufacturers"], v["codes"]
    kept = {link.category: link for link in article.category_links}
    article.category_links = [kept.get(c) or ArticleCategory(category=c) for c in v["categories"]]
    article.search_text = search_text(article.title, article.tags_text, article.body)


def _snapshot(article: Article) -> dict[str, Any]:
    return {"visibility": article.visibility.value, "customer_id": article.customer_id,
            "state": article.state.value, "tags": article.tags_text,
            "model_ids": [m.id for m in article.models], "manufacturer_ids": [m.id for m in article.manufacturers],
            "categories": article.categories, "code_ids": [c.id for c in article.codes]}


def _keep_version(session: Session, article: Article, actor: User, note: str = "",
                  params: dict[str, Any] | None = None) -> ArticleVersion:
    # The note is an English msgid, translated when shown, with its parameters kept beside it.
    version = ArticleVersion(article_id=article.id, number=article.revision, title=article.title, body=article.body,
                             fields={**_snapshot(article), "note_params": params or {}}, note=note, author_id=actor.id, created_at=article.updated_at)
    session.add(version)
    session.flush()
    return version


def create_article(session: Session, actor: User, **values: Any) -> Article:
    """Write a new article: a draft (an editor may publish it at once with state="published")."""
    if not can_write(actor):
        raise PermissionDenied(N_("You may not write knowledge base articles"))
    checked = _values(session, values)
    state = ArticleState.PUBLISHED if values.get("state") == ArticleState.PUBLISHED and is_editor(actor) \
        else ArticleState.DRAFT
    now = utcnow()
    article = Article(state=state, author_id=actor.id, updated_by_id=actor.id, created_at=now, updated_at=now,
                      revision=1, source_order_id=values.get("source_order_id"))
    _apply(article, checked)
    session.add(article)
    session.flush()
    _keep_version(session, article, actor, N_("article created"))
    return article


def _check_revision(article: Article, expected: int | None) -> None:
    if expected is not None and expected != article.revision:
        raise ConcurrentUpdate(N_("Someone else saved this article meanwhile (version %(revision)s); reload it and "
                                  "make your change again"), revision=article.revision)


def _lock(session: Session, article: Article) -> None:
    # One save at a time per article: two editors cannot both write version N+1.
    session.execute(select(Article.id).where(Article.id == article.id).with_for_update())
    session.refresh(article, ["revision"])


def _next_version(session: Session, article: Article, actor: User, note: str,
                  params: dict[str, Any] | None = None) -> ArticleVersion:
    article.revision += 1
    article.updated_at = utcnow()
    article.updated_by_id = actor.id
    article.search_text = search_text(article.title, article.tags_text, article.body)
    session.flush()
    return _keep_version(session, article, actor, note, params)


def edit_article(session: Session, actor: User, article: Article, expected_revision: int | None = None,
                 **values: Any) -> Article:
    """Save a new text; the previous one stays as a version. A save that changes nothing keeps no version."""
    if not can_edit(actor, article):
        raise PermissionDenied(N_("You may not edit this article"))
    _lock(session, article)
    _check_revision(article, expected_revision)
    checked = _values(session, values)
    before = (article.title, article.body, _snapshot(article))
    _apply(article, checked)
    if (article.title, article.body, _snapshot(article)) == before:
        return article
    _next_version(session, article, actor, "")
    return article


def set_article_state(session: Session, actor: User, article: Article, state: ArticleState | str,
                      expected_revision: int | None = None) -> Article:
    """Publish, archive or return an article to draft (editors only); kept as a version."""
    if not is_editor(actor):
        raise PermissionDenied(N_("Only a team lead or an administrator may publish or archive articles"))
    try:
        state = ArticleState(state)
    except ValueError:
        raise ValidationFailed(N_("Unknown value"), errors={"state": N_("Unknown value")}) from None
    _lock(session, article)
    _check_revision(article, expected_revision)
    if article.state == state:
        return article
    article.state = state
    _next_version(session, article, actor, {ArticleState.PUBLISHED: N_("published"),
                                            ArticleState.ARCHIVED: N_("archived"),
                                            ArticleState.DRAFT: N_("returned to draft")}[state])
    return article


def rollback_article(session: Session, actor: User, article: Article, number: int,
                     expected_revision: int | None = None) -> Article:
    """Make an earlier version the current text again, as a new version (nothing is lost)."""
    if not is_editor(actor):
        raise PermissionDenied(N_("Only a team lead or an administrator may roll an article back"))
    _lock(session, article)
    _check_revision(article, expected_revision)
    version = session.scalar(select(ArticleVersion).where(ArticleVersion.article_id == article.id,
                                                          ArticleVersion.number == number))
    if version is None:
        raise NotFound(N_("The article has no version %(number)s"), number=number)
    if version.number == article.revision:
        raise ValidationFailed(N_("Version %(number)s is already the current one"), number=number)
    fields = version.fields or {}
    customer_id = fields.get("customer_id")
    values = {"title": version.title, "body": version.body, "visibility": fields.get("visibility"),
              "customer_id": customer_id, "tags": fields.get("tags", ""),
              "model_ids": fields.get("model_ids", []), "manufacturer_ids": fields.get("manufacturer_ids", []),
              "categories": fields.get("categories", []), "code_ids": fields.get("code_ids", [])}
    _apply(article, _values(session, values))  # the text and links; whether it is published stays as it is
    _next_version(session, article, actor, N_("rolled back to version %(number)s"), {"number": number})
    return article


def list_versions(session: Session, article: Article) -> list[ArticleVersion]:
    """The article's saved texts, newest first."""
    return list(session.scalars(select(ArticleVersion).where(ArticleVersion.article_id == article.id)
                                .order_by(ArticleVersion.number.desc())))


# --- from a diagnosis ---------------------------------------------------------------------------

def draft_from_diagnosis(session: Session, actor: User, order: RepairOrder) -> Article:
    """A draft article from an order's recorded (coded) diagnosis: the fault, the finding, the work done,
    linked to the unit's model, brand, category and the diagnosis codes; internal until an editor decides."""
    if not can_write(actor):
        raise PermissionDenied(N_("You may not write knowledge base articles"))
    if not (actor.works_network_wide or actor.center_id == order.center_id):
        raise PermissionDenied(N_("You may not write articles from another center's orders"))
    diagnosis = session.scalar(select(OrderDiagnosis).where(OrderDiagnosis.order_id == order.id))
    if diagnosis is None:
        raise ValidationFailed(N_("Order %(number)s has no coded diagnosis yet: record one first"),
                               number=order.number)
    unit = order.unit
    model = unit.model if unit is not None else None
    works = [w.description for w in session.scalars(
        select(WorkLog).where(WorkLog.order_id == order.id).order_by(WorkLog.id)) if w.description]
    codes = [c for c in (diagnosis.symptom, diagnosis.cause, diagnosis.action) if c is not None]
    title = f"{model.manufacturer.name} {model.name}: " if model is not None else ""
    title += f"{diagnosis.symptom.name} — {diagnosis.cause.name}"
    lines = [f"**{diagnosis.symptom.code}** {diagnosis.symptom.name} → **{diagnosis.cause.code}** "
             f"{diagnosis.cause.name}" + (f" → **{diagnosis.action.code}** {diagnosis.action.name}"
                                          if diagnosis.action else ""), ""]
    if order.fault:
        lines += [f"> {' '.join(order.fault.split())}", ""]
    if order.diagnosis:
        lines += [order.diagnosis.strip(), ""]
    lines += [f"- {' '.join(w.split())}" for w in works]
    return create_article(
        session, actor, title=title[:MAX_TITLE], body="\n".join(lines).strip(), visibility=Visibility.INTERNAL,
        model_ids=[model.id] if model else [], manufacturer_ids=[model.manufacturer_id] if model else [],
        categories=[model.category] if model else [], code_ids=[c.id for c in codes],
        tags=[diagnosis.cause.code], source_order_id=order.id)


# --- files --------------------------------------------------------------------------------------

def file_path(storage_dir: Path, stored_name: str) -> Path:
    """Where an article's file lives (the same layout as order attachments)."""
    token, _dot, ext = stored_name.partition(".")
    if len(token) != 32 or not all(ch in "0123456789abcdef" for ch in token) or ext not in (
            "jpg", "png", "webp", "pdf"):
        raise NotFound(N_("No such file"))
    return Path(storage_dir) / token[:2] / f"{token}.{ext}"


def add_article_files(session: Session, actor: User, article: Article, files: Sequence[tuple[str | None, bytes]],
                      storage_dir: Path) -> list[ArticleFile]:
    """Check every file (images or PDFs, the order attachments' rules), then store them all; one bad file
    refuses the batch and nothing is written."""
    if not can_edit(actor, article):
        raise PermissionDenied(N_("You may not edit this article"))
    checked: list[CheckedFile] = []
    for name, data in files:
        try:
            checked.append(check_document(name, data))
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, errors={"files": next(iter(exc.errors.values()), "")},
                                   **exc.params) from None
    if not checked:
        return []
    _lock(session, article)
    count = session.scalar(select(func.count()).select_from(ArticleFile).where(ArticleFile.article_id == article.id))
    if (count or 0) + len(checked) > MAX_FILES_PER_ARTICLE:
        raise ValidationFailed(N_("An article keeps at most %(limit)s files"), errors={"files": N_("Too many files")},
                               limit=MAX_FILES_PER_ARTICLE)
    stored = []
    for file in checked:
        row = ArticleFile(article_id=article.id, stored_name=f"{secrets.token_hex(16)}.{file.extension}",
                          original_name=file.name, content_type=file.content_type, size=len(file.data),
                          width=file.width, height=file.height, uploaded_by_id=actor.id)
        session.add(row)
        session.flush()
        write_new_file(session, file_path(storage_dir, row.stored_name), file.data)
        stored.append(row)
    return stored
