"""The knowledge base: search and read (as `knowledge.queries.visible_to` lets the caller see), write, edit,
publish or archive, roll back, draft from an order's diagnosis, attach files — the /knowledge/ pages'
services and roles. Links are named as elsewhere in the API: brands and models by name, diagnosis codes by
the ids the articles show."""

from __future__ import annotations

from typing import Any

from flask import abort, g, jsonify, request, url_for
from flask_babel import gettext
from sqlalchemy import select
from werkzeug.wrappers import Response

from servicecenter.attachments import MAX_DOCUMENT_BYTES
from servicecenter.catalog.models import ProductModel
from servicecenter.diagnostics.models import CodeKind
from servicecenter.errors import N_, NotFound
from servicecenter.knowledge import queries, services
from servicecenter.knowledge.markdown import plain_text
from servicecenter.knowledge.models import Article, ArticleState, ArticleVersion, Visibility
from servicecenter.paging import COUNT_LIMIT, Page
from servicecenter.repairs import queries as order_queries
from servicecenter.repairs.models import RepairOrder
from workstations.api import bp, present
from workstations.api.catalog import manufacturer_named
from workstations.api.payload import Fields, json_body, multipart_files, paged, query_page
from workstations.api.problems import Problem
from workstations.api.spec import (
    MOMENT,
    NUMBER,
    body,
    json_answer,
    nullable,
    obj,
    page_of,
    problems,
    ref,
    register,
)
from workstations.knowledge.views import VERSION_READERS, storage_dir
from workstations.web.access import allow, any_staff
from workstations.web.auth_session import actor
from workstations.web.dbsession import db
from workstations.web.errors import translate

WRONG = "Some fields are wrong: nothing was changed."
# The service's field names as the request spells them.
API_FIELDS = {"model_ids": "models", "manufacturer_ids": "manufacturers", "links": "code_ids"}
MAX_LINKS = 100


def _article(article_id: int) -> Article:
    return queries.get_article(db(), article_id, actor())  # NotFound (404) when the caller may not see it


def _summary(a: Article) -> dict[str, Any]:
    return {"id": a.id, "title": a.title, "state": a.state.value, "visibility": a.visibility.value,
            "tags": a.tags, "revision": a.revision, "excerpt": plain_text(a.body)[:300],
            "updated_at": present.moment(a.updated_at)}


def _version(v: ArticleVersion) -> dict[str, Any]:
    note = gettext(v.note, **(v.fields or {}).get("note_params", {})) if v.note else ""
    return {"number": v.number, "title": v.title, "state": (v.fields or {}).get("state"), "note": note,
            "author": v.author.name if v.author is not None else None, "created_at": present.moment(v.created_at)}


def _article_body(a: Article) -> dict[str, Any]:
    me = actor()
    source = db().scalar(select(RepairOrder.number).where(RepairOrder.id == a.source_order_id)) \
        if a.source_order_id is not None else None
    return {
        **_summary(a), "body": a.body,
        "customer_phone": a.customer.phone if a.customer is not None else None,
        "categories": a.categories, "manufacturers": [m.name for m in a.manufacturers],
        "models": [{"manufacturer": m.manufacturer.name, "model": m.name} for m in a.models],
        "codes": [{"id": c.id, "category": c.category, "kind": c.kind.value, "code": c.code, "name": c.name}
                  for c in a.codes],
        "author": a.author.name if a.author is not None else None, "created_at": present.moment(a.created_at),
        "source_order": source,
        "files": [{"id": f.id, "name": f.original_name, "content_type": f.content_type, "size": f.size}
                  for f in a.files],
        # Earlier versions may hold text from before the article was opened up: our own staff only.
        "versions": [_version(v) for v in services.list_versions(db(), a)] if me.role in VERSION_READERS else None,
        "can_edit": services.can_edit(me, a),
    }


def _current(a: Article) -> dict[str, Any]:
    """The article's values as the service takes them (what the edit form shows filled in)."""
    return {"title": a.title, "body": a.body, "visibility": a.visibility.value,
            "customer_phone": a.customer.phone if a.customer else "", "tags": a.tags_text,
            "manufacturer_ids": [m.id for m in a.manufacturers], "model_ids": [m.id for m in a.models],
            "categories": a.categories, "code_ids": [c.id for c in a.codes]}


def _revision(f: Fields) -> int | None:
    value = f.data.get("revision")
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        f.fail("revision", N_("A whole number"))
        return None
    return value


def _values(f: Fields, base: dict[str, Any]) -> dict[str, Any]:
    """The request's fields over `base`, typed and the names resolved; the service checks the rest."""
    data, values = f.data, dict(base)
    if "title" in data:
        values["title"] = f.text("title", max_len=services.MAX_TITLE)
    if "body" in data:
        values["body"] = f.text("body", max_len=services.MAX_BODY)
    if "visibility" in data:
        values["visibility"] = f.choice("visibility", [v.value for v in Visibility], Visibility.INTERNAL.value)
    if "customer_phone" in data:
        values["customer_phone"], values["customer_id"] = f.text("customer_phone", max_len=40), None
    for name in ("tags", "categories"):
        if name in data:
            values[name] = f.strings(name, max_items=MAX_LINKS, max_len=80)
    if "code_ids" in data:
        ids = data["code_ids"]
        if not isinstance(ids, list) or len(ids) > MAX_LINKS or not all(
                isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**31 for i in ids):
            f.fail("code_ids", N_("Not a valid choice"))
        else:
            values["code_ids"] = ids
    if "manufacturers" in data:
        names = f.strings("manufacturers", max_items=MAX_LINKS, max_len=120)
        found = []
        for i, name in enumerate(names):
            try:
                found.append(manufacturer_named(name, f"manufacturers.{i}").id)
            except Problem as exc:
                f.errors.update(exc.errors)
        values["manufacturer_ids"] = found
    if "models" in data:
        values["model_ids"] = _models(f)
    f.check()
    g.api_fields = API_FIELDS
    return values


def _models(f: Fields) -> list[int]:
    items = f.data.get("models")
    if not isinstance(items, list) or len(items) > MAX_LINKS:
        f.fail("models", N_("A list of objects"))
        return []
    ids = []
    for i, item in enumerate(items):
        one = Fields(item, f"models.{i}.", f.errors)
        if not isinstance(item, dict):
            f.fail(f"models.{i}", N_("An object"))
            continue
        brand, name = one.text("manufacturer", required=True, max_len=120), one.text("model", required=True,
                                                                                     max_len=120)
        if not (brand and name):
            continue
        try:
            maker = manufacturer_named(brand, f"models.{i}.manufacturer")
        except Problem as exc:
            f.errors.update(exc.errors)
            continue
        model = db().scalar(select(ProductModel).where(ProductModel.manufacturer_id == maker.id,
                                                       ProductModel.name == name))
        if model is None:
            one.fail("model", N_("Unknown model of this manufacturer"))
        else:
            ids.append(model.id)
    return ids


def _created(article: Article) -> Response:
    response = jsonify(_article_body(article))
    response.status_code = 201
    response.headers["Location"] = url_for("api.knowledge_article", article_id=article.id)
    return response


@bp.route("/knowledge/articles")
@any_staff()
def knowledge_articles() -> Response:
    """Search the articles you may see (every word must match), best first; no words: the newest."""
    page, per_page = query_page()
    text, state = request.args.get("q", ""), request.args.get("state", "")
    errors = {}
    if len(text) > queries.MAX_QUERY:
        errors["q"] = gettext("Too long")
    if state and state not in [s.value for s in ArticleState]:
        errors["state"] = gettext("Unknown value")
    if errors:
        raise Problem(422, gettext(WRONG), errors)
    states = [ArticleState(state)] if state else None
    offset = (page - 1) * per_page
    hits = queries.search_articles(db(), actor(), text, states=states, limit=per_page, offset=offset)
    total = queries.count_search_hits(db(), actor(), text, states=states, limit=offset + per_page + COUNT_LIMIT)
    found = Page([h.article for h in hits], page, per_page, total)
    return jsonify(paged(found, [_summary(a) for a in found.items]))


# One rule for both methods: with two, werkzeug answers a too-large id with 405 instead of 404.
@bp.route("/knowledge/articles/<int:article_id>", methods=["GET", "PATCH"])
@any_staff()
def knowledge_article(article_id: int) -> Response:
    """One article with its links, files and (our own staff) its versions (GET), or edit it (PATCH)."""
    if request.method == "PATCH":
        if actor().role not in services.WRITER_ROLES:  # what allow(*WRITER_ROLES) would answer
            abort(404 if actor().is_walled else 403)
        return edit_knowledge_article(article_id)
    return jsonify(_article_body(_article(article_id)))


@bp.route("/knowledge/articles", methods=["POST"])
@allow(*services.WRITER_ROLES)
def create_knowledge_article() -> Response:
    """Write an article: a draft, or (editors, `publish`) published at once."""
    f = Fields(json_body())
    publish = f.flag("publish")
    values = _values(f, {})
    if "title" not in f.data:
        values["title"] = ""
    article = services.create_article(db(), actor(), state="published" if publish else "draft", **values)
    return _created(article)


def edit_knowledge_article(article_id: int) -> Response:
    """Save a new text (the fields given; the others stay); the previous one stays as a version."""
    article = _article(article_id)
    f = Fields(json_body())
    revision = _revision(f)
    values = _values(f, _current(article))
    services.edit_article(db(), actor(), article, expected_revision=revision, **values)
    return jsonify(_article_body(article))


@bp.route("/knowledge/articles/<int:article_id>/state", methods=["POST"])
@allow(*services.EDITOR_ROLES)
def knowledge_article_state(article_id: int) -> Response:
    """Publish, archive or return to draft (editors); kept as a version."""
    article = _article(article_id)
    f = Fields(json_body())
    state = f.text("state", required=True, max_len=20)
    revision = _revision(f)
    f.check()
    services.set_article_state(db(), actor(), article, state, expected_revision=revision)
    return jsonify(_article_body(article))


@bp.route("/knowledge/articles/<int:article_id>/rollback", methods=["POST"])
@allow(*services.EDITOR_ROLES)
def knowledge_article_rollback(article_id: int) -> Response:
    """Make an earlier version the current text again, as a new version (editors)."""
    article = _article(article_id)
    f = Fields(json_body())
    number = f.data.get("number")
    if isinstance(number, bool) or not isinstance(number, int) or not 0 < number < 2**31:
        f.fail("number", N_("A whole number"))
    revision = _revision(f)
    f.check()
    try:
        services.rollback_article(db(), actor(), article, number, expected_revision=revision)
    except NotFound as exc:  # no such version: a wrong field value, not a missing article
        raise Problem(422, gettext(WRONG), {"number": translate(exc)}) from exc
    return jsonify(_article_body(article))


@bp.route("/knowledge/articles/from-order/<number>", methods=["POST"])
@allow(*services.WRITER_ROLES)
def knowledge_draft_from_order(number: str) -> Response:
    """A draft article from the order's recorded (coded) diagnosis, linked to its model, brand and codes."""
    order = order_queries.get_order_by_number(db(), number)
    return _created(services.draft_from_diagnosis(db(), actor(), order))


@bp.route("/knowledge/articles/<int:article_id>/files", methods=["POST"])
@allow(*services.WRITER_ROLES)
def knowledge_article_files(article_id: int) -> Response:
    """Attach images or PDFs (multipart, field `files`, the order attachments' checks); one bad file
    refuses them all."""
    article = _article(article_id)
    uploads = [(f.filename, f.read(MAX_DOCUMENT_BYTES + 1)) for f in multipart_files("files")]
    if not uploads:
        raise Problem(422, gettext(WRONG), {"files": gettext("Choose a file.")})
    services.add_article_files(db(), actor(), article, uploads, storage_dir())
    db().refresh(article, ["files"])
    response = jsonify(_article_body(article))
    response.status_code = 201
    return response


_ID = [{"name": "article_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
_STATES = [s.value for s in ArticleState]
_VIS = [v.value for v in Visibility]
_STRS = {"type": "array", "items": {"type": "string"}}
_WRITE = problems("400", "403", "404", "409", "413", "415", "422")
_REVISION = {"type": "integer", "description": "The article's revision you saw; 409 when it changed meanwhile"}
_FIELDS = {
    "title": {"type": "string", "maxLength": services.MAX_TITLE},
    "body": {"type": "string", "maxLength": services.MAX_BODY, "description": "Markdown"},
    "visibility": {"type": "string", "enum": _VIS, "default": "internal"},
    "customer_phone": {"type": "string", "maxLength": 40, "description": "visibility customer: whose section"},
    "tags": {**_STRS, "maxItems": MAX_LINKS}, "categories": {**_STRS, "maxItems": MAX_LINKS},
    "manufacturers": {**_STRS, "maxItems": MAX_LINKS, "description": "Brands by name"},
    "models": {"type": "array", "maxItems": MAX_LINKS,
               "items": obj({"manufacturer": {"type": "string"}, "model": {"type": "string"}}, extra=True)},
    "code_ids": {"type": "array", "maxItems": MAX_LINKS, "items": {"type": "integer"},
                 "description": "Diagnosis codes by id (as the articles' `codes` show them)"},
}
register({
    "/knowledge/articles": {
        "get": {"operationId": "searchKnowledgeArticles",
                "summary": "Search the articles you may see (no words: the newest first)",
                "parameters": [{"$ref": "#/components/parameters/page"}, {"$ref": "#/components/parameters/per_page"},
                               {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200}},
                               {"name": "state", "in": "query", "schema": {"type": "string", "enum": _STATES}}],
                "responses": {"200": json_answer("KnowledgeArticleSummaryPage", "A page, best match first"),
                              **problems("422")}},
        "post": {"operationId": "createKnowledgeArticle", "summary": "Write an article (engineers: a draft)",
                 "requestBody": body("KnowledgeArticleRequest"),
                 "responses": {"201": {**json_answer("KnowledgeArticle", "Saved"),
                                       "headers": {"Location": {"schema": {"type": "string"}}}}, **_WRITE}},
    },
    "/knowledge/articles/{article_id}": {
        "get": {"operationId": "getKnowledgeArticle", "summary": "One article, its links, files and versions",
                "parameters": _ID, "responses": {"200": json_answer("KnowledgeArticle", "The article"),
                                                 **problems("404")}},
        "patch": {"operationId": "editKnowledgeArticle", "summary": "Save a new text (the fields given)",
                  "parameters": _ID, "requestBody": body("KnowledgeArticlePatch"),
                  "responses": {"200": json_answer("KnowledgeArticle", "Saved as a new version"), **_WRITE}},
    },
    "/knowledge/articles/{article_id}/state": {"post": {
        "operationId": "setKnowledgeArticleState", "summary": "Publish, archive or return to draft (editors)",
        "parameters": _ID, "requestBody": body("KnowledgeStateRequest"),
        "responses": {"200": json_answer("KnowledgeArticle", "Saved"), **_WRITE}}},
    "/knowledge/articles/{article_id}/rollback": {"post": {
        "operationId": "rollbackKnowledgeArticle", "summary": "Make an earlier version current again (editors)",
        "parameters": _ID, "requestBody": body("KnowledgeRollbackRequest"),
        "responses": {"200": json_answer("KnowledgeArticle", "Rolled back, as a new version"), **_WRITE}}},
    "/knowledge/articles/from-order/{number}": {"post": {
        "operationId": "draftKnowledgeArticleFromOrder", "summary": "A draft article from an order's coded diagnosis",
        "parameters": NUMBER,
        "responses": {"201": {**json_answer("KnowledgeArticle", "The draft"),
                              "headers": {"Location": {"schema": {"type": "string"}}}},
                      **problems("403", "404", "422")}}},
    "/knowledge/articles/{article_id}/files": {"post": {
        "operationId": "addKnowledgeArticleFiles", "summary": "Attach images or PDFs (multipart, field `files`)",
        "parameters": _ID,
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "properties": {"files": {"type": "array", "items": {
                "type": "string", "contentMediaType": "application/octet-stream"}}}}}}},
        "responses": {"201": json_answer("KnowledgeArticle", "Attached"), **_WRITE}}},
}, {
    "KnowledgeArticleSummary": obj({
        "id": {"type": "integer"}, "title": {"type": "string"}, "state": {"type": "string", "enum": _STATES},
        "visibility": {"type": "string", "enum": _VIS}, "tags": _STRS, "revision": {"type": "integer"},
        "excerpt": {"type": "string", "description": "The text's start, without Markdown"}, "updated_at": MOMENT}),
    "KnowledgeArticleSummaryPage": page_of("KnowledgeArticleSummary"),
    "KnowledgeArticle": obj({
        "id": {"type": "integer"}, "title": {"type": "string"}, "state": {"type": "string", "enum": _STATES},
        "visibility": {"type": "string", "enum": _VIS}, "tags": _STRS, "revision": {"type": "integer"},
        "excerpt": {"type": "string"}, "updated_at": MOMENT, "body": {"type": "string", "description": "Markdown"},
        "customer_phone": nullable({"type": "string"}), "categories": _STRS, "manufacturers": _STRS,
        "models": {"type": "array", "items": obj({"manufacturer": {"type": "string"}, "model": {"type": "string"}})},
        "codes": {"type": "array", "items": obj({
            "id": {"type": "integer"}, "category": {"type": "string"},
            "kind": {"type": "string", "enum": [k.value for k in CodeKind]}, "code": {"type": "string"},
            "name": {"type": "string"}})},
        "author": nullable({"type": "string"}), "created_at": MOMENT,
        "source_order": {**nullable({"type": "string"}), "description": "The order it was drafted from"},
        "files": {"type": "array", "items": obj({"id": {"type": "integer"}, "name": {"type": "string"},
                                                 "content_type": {"type": "string"}, "size": {"type": "integer"}})},
        "versions": {"oneOf": [{"type": "array", "items": ref("KnowledgeArticleVersion")}, {"type": "null"}],
                     "description": "Newest first; null for partners (earlier texts are our own staff's)"},
        "can_edit": {"type": "boolean", "description": "Whether you may edit it"}}),
    "KnowledgeArticleVersion": obj({
        "number": {"type": "integer"}, "title": {"type": "string"},
        "state": {"type": ["string", "null"], "enum": [*_STATES, None]},
        "note": {"type": "string"}, "author": nullable({"type": "string"}), "created_at": MOMENT}),
    "KnowledgeArticleRequest": obj({**_FIELDS, "publish": {
        "type": "boolean", "default": False, "description": "Editors: publish at once (otherwise a draft)"}},
        required=["title"], extra=True),
    "KnowledgeArticlePatch": obj({**_FIELDS, "revision": _REVISION}, required=[], extra=True),
    "KnowledgeStateRequest": obj({"state": {"type": "string", "enum": _STATES}, "revision": _REVISION},
                                 required=["state"], extra=True),
    "KnowledgeRollbackRequest": obj({"number": {"type": "integer", "minimum": 1,
                                                "description": "The version to bring back"},
                                     "revision": _REVISION}, required=["number"], extra=True),
})
