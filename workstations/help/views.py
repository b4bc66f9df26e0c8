"""Help for customers: search and read public articles. Whoever is logged in, only public articles show."""

from __future__ import annotations

from flask import render_template, request
from werkzeug.wrappers import Response

from servicecenter.knowledge import queries
from servicecenter.knowledge.markdown import plain_text, render_markdown
from servicecenter.scoping import NETWORK, set_scope
from workstations.help import bp
from workstations.knowledge.views import send_article_file
from workstations.web.access import public
from workstations.web.dbsession import db

PAGE_SIZE = 20


@bp.before_request
def _network_scope() -> None:
    # What the public may read does not depend on a staff login in the same browser.
    set_scope(db(), NETWORK)


@bp.route("/")
@public()
def index() -> str:
    text = (request.args.get("q") or "")[:queries.MAX_QUERY]
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 500))
    hits = queries.search_articles(db(), None, text, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return render_template("help/index.html", hits=hits[:PAGE_SIZE], has_next=len(hits) > PAGE_SIZE, page=page,
                           q=text, excerpt=plain_text)


@bp.route("/<int:article_id>")
@public()
def show(article_id: int) -> str:
    article = queries.get_article(db(), article_id, None)
    return render_template("help/show.html", article=article, html=render_markdown(article.body))


@bp.route("/files/<int:file_id>")
@public()
def file(file_id: int) -> Response:
    return send_article_file(queries.get_article_file(db(), file_id, None))
