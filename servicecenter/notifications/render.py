"""Mail texts: a Jinja text template per kind and language (first line: the subject) and one simple HTML
layout around the same paragraphs. Russian unless the recipient has another language we write in."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from servicecenter.i18n import DEFAULT_LOCALE, LOCALES, locale_for
from servicecenter.notifications.models import NotificationKind

LANGUAGES = LOCALES
DEFAULT_LANGUAGE = DEFAULT_LOCALE


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                       autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                       keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)


def language_for(preferred: str | None) -> str:
    """The recipient's language if we write in it, else Russian."""
    return locale_for(preferred)


def render_mail(kind: NotificationKind, language: str, context: dict[str, Any]) -> RenderedMail:
    """Subject, plain text and HTML of one notification."""
    env = _environment()
    lang = language_for(language)
    rendered = env.get_template(f"{kind.value}.{lang}.txt").render(**context).strip()
    subject, _, body = rendered.partition("\n")
    body = body.strip() + "\n" + env.get_template(f"_signature.{lang}.txt").render(**context)
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
    html = env.get_template("_layout.html").render(lang=lang, subject=subject.strip(), paragraphs=paragraphs,
                                                  link=context.get("link"), link_label=context.get("link_label"))
    return RenderedMail(subject=subject.strip()[:300], text=body, html=html)
