"""The staff knowledge base: search and read (every staff role, as visible_to allows), write and
publish (see servicecenter/knowledge/services.py for who), versions and rollback, files."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup
from werkzeug.wrappers import Response

from servicecenter.accounts.roles import STAFF_ROLES, WALLED_ROLES
from servicecenter.attachments import MAX_DOCUMENT_BYTES, PDF_TYPE
from servicecenter.errors import ValidationFailed
from servicecenter.knowledge import queries, services
from servicecenter.knowledge.markdown import plain_text, render_markdown
from servicecenter.knowledge.models import Article, ArticleFile
from servicecenter.repairs import queries as order_queries
from workstations.knowledge import bp
from workstations.knowledge.forms import (
    SHORT_VISIBILITY,
    STATE_LABELS,
    ArticleForm,
    FilesForm,
    RollbackForm,
    StateForm,
)
from workstations.web.access import allow
from workstations.web.auth_session import actor
from workstations.web.dbsession import db
from workstations.web.errors import translate

PAGE_SIZE = 20
# Earlier versions may hold text from before the article was opened up: our own staff only.
VERSION_READERS = STAFF_ROLES - WALLED_ROLES
FILE_CSP = "default-src 'none'; sandbox"


@bp.app_template_global()
def render_article(text: str | None) -> Markup:
    """An article's Markdown as safe HTML (markdown.py escapes every piece of user text)."""
    return Markup(render_markdown(text))  # nosec B704  # noqa: S704 — rendered with html=False and a link allow-list


def _article(article_id: int) -> Article:
    return queries.get_article(db(), article_id, actor())


def storage_dir() -> Path:
    """Article files live beside the order uploads, in the instance folder (never under static/)."""
    return Path(current_app.config["SETTINGS"].instance_path) / "uploads"


@bp.route("/")
def index() -> str:
    """Search the articles this user may see (every word must match; Russian forms on PostgreSQL)."""
    text = (request.args.get("q") or "")[:queries.MAX_QUERY]
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 500))
    hits = queries.search_articles(db(), actor(), text, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return render_template("knowledge/index.html", hits=hits[:PAGE_SIZE], has_next=len(hits) > PAGE_SIZE, page=page,
                           q=text, can_write=services.can_write(actor()), excerpt=plain_text,
                           visibility=SHORT_VISIBILITY, states=STATE_LABELS)


@bp.route("/<int:article_id>")
def show(article_id: int) -> str:
    article = _article(article_id)
    me = actor()
    return render_template("knowledge/show.html", article=article, html=render_markdown(article.body),
                           can_edit=services.can_edit(me, article), is_editor=services.is_editor(me),
                           state_form=StateForm(), files_form=FilesForm(), visibility=SHORT_VISIBILITY,
                           can_read_versions=me.role in VERSION_READERS, states=STATE_LABELS)


def _field_errors(exc: ValidationFailed) -> dict[str, str]:
    """The service's refusals by form field name, translated."""
    return {name: _(message) for name, message in exc.errors.items()}


def _form_page(form: ArticleForm, article: Article | None, status: int = 200, errors: dict | None = None,
               message: str = "") -> tuple[str, int]:
    return render_template("knowledge/form.html", form=form, article=article, errors=errors or {},
                           message=message), status


@bp.route("/new", methods=["GET", "POST"])
@allow(*services.WRITER_ROLES)
def new() -> Response | tuple[str, int]:
    form = ArticleForm()
    form.fill_choices(db())
    if not form.validate_on_submit():
        return _form_page(form, None, 422 if request.method == "POST" else 200)
    publish = request.form.get("publish") == "1"
    try:
        article = services.create_article(db(), actor(), state="published" if publish else "draft",
                                          **form.service_values())
    except ValidationFailed as exc:
        return _form_page(form, None, 422, _field_errors(exc), translate(exc))
    flash(_("Article saved."), "success")
    return redirect(url_for("knowledge.show", article_id=article.id))


@bp.route("/<int:article_id>/edit", methods=["GET", "POST"])
@allow(*services.WRITER_ROLES)
def edit(article_id: int) -> Response | tuple[str, int]:
    article = _article(article_id)
    if not services.can_edit(actor(), article):
        abort(403)
    form = ArticleForm() if request.method == "POST" else ArticleForm.for_article(article)
    form.fill_choices(db())
    if not form.validate_on_submit():
        return _form_page(form, article, 422 if request.method == "POST" else 200)
    try:
        services.edit_article(db(), actor(), article, expected_revision=form.revision.data, **form.service_values())
    except ValidationFailed as exc:
        return _form_page(form, article, 422, _field_errors(exc), translate(exc))
    flash(_("Article saved (version %(number)s).", number=article.revision), "success")
    return redirect(url_for("knowledge.show", article_id=article.id))


@bp.route("/<int:article_id>/state", methods=["POST"])
@allow(*services.EDITOR_ROLES)
def set_state(article_id: int) -> Response:
    article = _article(article_id)
    form = StateForm()
    if not form.validate():
        flash(_("The form was incomplete; nothing was changed."), "error")
        return redirect(url_for("knowledge.show", article_id=article.id))
    services.set_article_state(db(), actor(), article, form.state.data, expected_revision=form.revision.data)
    flash(_("Article saved (version %(number)s).", number=article.revision), "success")
    return redirect(url_for("knowledge.show", article_id=article.id))


@bp.route("/<int:article_id>/versions")
@allow(*VERSION_READERS)
def versions(article_id: int) -> str:
    article = _article(article_id)
    chosen = request.args.get("number", type=int)
    listed = services.list_versions(db(), article)
    shown = next((v for v in listed if v.number == chosen), None)
    return render_template("knowledge/versions.html", article=article, versions=listed, shown=shown,
                           shown_html=render_markdown(shown.body) if shown else "",
                           can_roll_back=services.is_editor(actor()), form=RollbackForm(),
                           visibility=SHORT_VISIBILITY, states=STATE_LABELS)


@bp.route("/<int:article_id>/rollback", methods=["POST"])
@allow(*services.EDITOR_ROLES)
def rollback(article_id: int) -> Response:
    article = _article(article_id)
    form = RollbackForm()
    if not form.validate():
        flash(_("The form was incomplete; nothing was changed."), "error")
        return redirect(url_for("knowledge.versions", article_id=article.id))
    number = form.number.data
    services.rollback_article(db(), actor(), article, number, expected_revision=form.revision.data)
    flash(_("Rolled back to version %(number)s; saved as version %(revision)s.", number=number,
            revision=article.revision), "success")
    return redirect(url_for("knowledge.show", article_id=article.id))


@bp.route("/<int:article_id>/files", methods=["POST"])
@allow(*services.WRITER_ROLES)
def upload(article_id: int) -> Response:
    article = _article(article_id)
    form = FilesForm()
    back = url_for("knowledge.show", article_id=article.id)
    if not form.validate():
        flash(_("The form was incomplete; nothing was changed."), "error")
        return redirect(back)
    uploads = [(f.filename, f.read(MAX_DOCUMENT_BYTES + 1)) for f in form.files.data or () if f and f.filename]
    if not uploads:
        flash(_("Choose a file."), "error")
        return redirect(back)
    try:
        stored = services.add_article_files(db(), actor(), article, uploads, storage_dir())
    except ValidationFailed as exc:
        flash(translate(exc), "error")
        return redirect(back)
    flash(ngettext("%(num)s file added.", "%(num)s files added.", len(stored)), "success")
    return redirect(back)


def send_article_file(row: ArticleFile) -> Response:
    """The file with the order attachments' headers: its own type, nosniff, a sandbox; a PDF is saved."""
    path = services.file_path(storage_dir(), row.stored_name)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=row.content_type, download_name=row.original_name or path.name,
                         as_attachment=row.content_type == PDF_TYPE, conditional=True, etag=True, max_age=None)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/files/<int:file_id>")
def file(file_id: int) -> Response:
    return send_article_file(queries.get_article_file(db(), file_id, actor()))


@bp.route("/from-order/<number>", methods=["POST"])
@allow(*services.WRITER_ROLES)
def from_order(number: str) -> Response:
    """Turn the order's recorded diagnosis into a draft article and open it for editing."""
    order = order_queries.get_order_by_number(db(), number)
    article = services.draft_from_diagnosis(db(), actor(), order)
    flash(_("Draft article made from order %(number)s; check it and save.", number=order.number), "success")
    return redirect(url_for("knowledge.edit", article_id=article.id))
