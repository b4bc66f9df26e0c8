"""Article bodies: Markdown to HTML that is safe to put in a page as it is.

markdown-it-py with `html=False`: any HTML typed into an article (a <script>, an <img onerror>, an
<iframe>) comes out as visible text, never as markup. Link targets pass an allow-list of schemes
(http, https, mailto, tel, or a path on this site); anything else (javascript:, data:, vbscript:,
file:...) leaves the link text without a link. Images may only come from this site (an article's
own files), so a page never makes a visitor's browser call another server. Attribute values are
escaped by the renderer, so a quote cannot break out of an href or an alt.
"""

from __future__ import annotations

import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
MAX_BODY = 100_000  # characters of Markdown in one article

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
# Characters browsers drop or ignore inside a URL before they read the scheme ("java\tscript:").
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def safe_link(url: str) -> bool:
    """Whether a link target may be rendered: an allowed scheme, or no scheme (a path or an anchor)."""
    compact = _INVISIBLE.sub("", url or "")
    if compact.startswith("//") or compact.startswith("\\"):  # another host, scheme-relative
        return False
    match = _SCHEME.match(compact)
    if match is None:
        return ":" not in compact.split("/", 1)[0] or compact.startswith(("/", "#", "?"))
    return match.group(1).lower() in ALLOWED_SCHEMES


def local_image(url: str) -> bool:
    """An image source on this site: a path, not another host."""
    compact = _INVISIBLE.sub("", url or "")
    return compact.startswith("/") and not compact.startswith(("//", "/\\"))


def _image(self: Any, tokens: list, idx: int, options: Any, env: Any) -> str:  # noqa: ARG001
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    if not local_image(str(token.attrGet("src") or "")):
        return escapeHtml(alt)  # an outside image: its description only
    token.attrSet("alt", alt)
    token.attrSet("loading", "lazy")
    return self.renderToken(tokens, idx, options, env)


def _link_open(self: Any, tokens: list, idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    href = str(token.attrGet("href") or "")
    if _SCHEME.match(href):  # another site: it learns nothing of where the reader came from
        token.attrSet("rel", "nofollow noopener noreferrer")
    return self.renderToken(tokens, idx, options, env)


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    md.validateLink = safe_link  # type: ignore[method-assign]
    md.add_render_rule("image", _image)
    md.add_render_rule("link_open", _link_open)
    return md


_MD = _parser()


def render_markdown(text: str | None) -> str:
    """The article's Markdown as HTML that needs no further escaping."""
    return _MD.render((text or "")[:MAX_BODY])


def plain_text(text: str | None, limit: int = 300) -> str:
    """A short plain-text excerpt of the Markdown (for lists and search results)."""
    words: list[str] = []
    for token in _MD.parse((text or "")[:5000]):
        if token.type == "inline":
            for child in token.children or []:
                if child.type in ("text", "code_inline"):
                    words.append(child.content)
    joined = " ".join(" ".join(words).split())
    return joined if len(joined) <= limit else joined[:limit].rsplit(" ", 1)[0] + "…"
