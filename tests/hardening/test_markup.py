"""The three places that hand HTML to a template as already safe (bandit B704: `Markup(...)`) — article
Markdown, report charts (SVG) and the fast select — checked by property: whatever text goes in, what
comes out has no script, no event handler, no dangerous link, and every piece of text is escaped."""

from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from printing.charts import ChartData, ChartSeries, render_chart
from servicecenter.knowledge.markdown import local_image, render_markdown, safe_link
from workstations.web.render import fast_select

VECTORS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>', "'", '"',
           "[a](javascript:alert(1))", "[a](java\tscript:alert(1))", "[a](JaVaScRiPt:alert(1))",
           "[a](data:text/html,<script>alert(1)</script>)", "[a](//evil.example)", "[a](\\\\evil.example)",
           "![x](https://evil.example/x.png)", '![x" onerror="alert(1)](/help/files/1)', "<iframe src=//evil>",
           "[a](vbscript:msgbox(1))", "\u202e", "&lt;script&gt;", "<!--", "]]>", "<![CDATA[", "\x00", "`<b>`",
           "<a href='javascript:alert(1)'>x</a>", "[a](&#106;avascript:alert(1))", "<style>*{}</style>"]
hostile = st.lists(st.one_of(st.sampled_from(VECTORS), st.text(max_size=20)), max_size=8).map(" ".join)
FORBIDDEN_TAGS = {"script", "iframe", "object", "embed", "style", "base", "form", "meta", "link", "foreignobject"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def _tags(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def _assert_inert(html: str, allowed_tags: set[str] | None = None) -> None:
    for tag, attrs in _tags(html):
        assert tag not in FORBIDDEN_TAGS, (tag, html)
        assert allowed_tags is None or tag in allowed_tags, (tag, html)
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, html)
            if name == "href":
                assert safe_link(value), (value, html)
            if name == "src":
                assert local_image(value), (value, html)


@settings(max_examples=400, deadline=None)
@given(hostile)
def test_article_markdown_is_inert_html(text: str) -> None:
    _assert_inert(render_markdown(text))


@settings(max_examples=200, deadline=None)
@given(st.lists(hostile, min_size=1, max_size=4), hostile, hostile)
def test_a_chart_escapes_every_label_title_and_unit(labels: list[str], title: str, unit: str) -> None:
    values = tuple(Decimal(i) for i in range(len(labels)))
    chart = ChartData(title, "bar", tuple(labels), (ChartSeries(title or "s", values),), unit=unit[:5],
                      description=title)
    svg = render_chart(chart)
    _assert_inert(svg)
    assert "<script" not in svg.lower()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(hostile, hostile), max_size=5), hostile)
def test_the_fast_select_escapes_values_labels_and_attributes(choices: list[tuple[str, str]], attr: str) -> None:
    field = SimpleNamespace(id="f", name='n"><script>', type="SelectField",
                            iter_choices=lambda: [SimpleNamespace(value=v, label=label, selected=False)
                                                  for v, label in choices])
    html = str(fast_select(field, title=attr))
    _assert_inert(html, {"select", "option"})
    assert len(_tags(html)) == 1 + len(choices)  # nothing broke out of an attribute into a new tag
