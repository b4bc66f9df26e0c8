"""The knowledge base on the web: staff pages, the public help section, the order page's suggestions,
the status page's articles; hostile Markdown never becomes markup; bad input is refused, never a 500."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import func, select

from servicecenter.accounts.roles import PARTNER_ROLES, Role
from servicecenter.centers.models import CenterKind
from servicecenter.diagnostics.models import CodeKind, DiagnosisCode
from servicecenter.knowledge import services
from servicecenter.knowledge.models import Article, ArticleState, ArticleVersion
from servicecenter.repairs.states import RepairState
from servicecenter.repairs.work import record_diagnosis
from tests.factories import csrf_token, login

CATEGORY = "Стиральные машины"
PHONE = "+79161234567"

# Hostile inputs as elsewhere in the suite (status page, team lead, charts), and the classic XSS vectors.
HOSTILE_MARKDOWN = [
    "<script>alert('xss-1')</script>",
    '<img src=x onerror="alert(\'xss-2\')">',
    '"><svg onload=alert(\'xss-3\')>',
    "[click](javascript:alert('xss-4'))",
    "[click](JAVASCRIPT:alert('xss-5'))",
    "[click](java\tscript:alert('xss-6'))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgneHNzLTcnKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox('xss-8'))",
    '![x" onerror="alert(\'xss-9\')](/help/files/1)',
    "[x](https://example.com \"title\\\" onmouseover=\\\"alert('xss-10')\")",
    '<a href="javascript:alert(\'xss-11\')">a</a>',
    "<iframe src=\"https://evil.example\"></iframe><style>body{display:none}</style>",
    "![tracker](https://evil.example/pixel.png)",
    "<div onmouseover=\"alert('xss-12')\">hover</div>",
    "[x](//evil.example/steal)",
]


def _page(client, url: str, status: int = 200) -> str:  # noqa: ANN001
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code)
    return r.get_data(as_text=True)


@pytest.fixture
def world(factory, session):  # noqa: ANN001, ANN201
    msk = factory.center("KWM")
    kzn = factory.center("KWK", kind=CenterKind.PARTNER)
    users = {role: factory.user(msk, role) for role in Role if role not in PARTNER_ROLES}
    users[Role.PARTNER] = factory.user(kzn, Role.PARTNER)
    users[Role.PARTNER_MANAGER] = factory.user(kzn, Role.PARTNER_MANAGER)
    for user in users.values():
        user.locale = "en"
    model = factory.model(factory.manufacturer("Атлант"), category=CATEGORY, name="СМА 50У")
    customer = factory.customer("Петров Пётр", phone=PHONE)
    lead = users[Role.TEAM_LEAD]
    public = services.create_article(session, lead, title="Машина не сливает воду: почистите фильтр",
                                     body="Откройте лючок внизу справа и **открутите фильтр**.", visibility="public",
                                     model_ids=[model.id], state="published")
    internal = services.create_article(session, lead, title="Внутреннее: замена платы управления", body="Секрет мастера",
                                       visibility="internal", model_ids=[model.id], state="published")
    private = services.create_article(session, lead, title="Схема сети на объекте Петрова", body="VLAN 10",
                                      visibility="customer", customer_id=customer.id, state="published")
    session.flush()
    return {"users": users, "model": model, "customer": customer, "public": public, "internal": internal,
            "private": private, "msk": msk, "kzn": kzn, "session": session}


# --- the public help section --------------------------------------------------------------------

def test_help_needs_no_login_and_shows_public_articles_only(client, world) -> None:  # noqa: ANN001
    html = _page(client, "/help/")
    assert world["public"].title in html
    assert world["internal"].title not in html and world["private"].title not in html
    page = _page(client, f"/help/{world['public'].id}")
    assert "<strong>открутите фильтр</strong>" in page
    for hidden in (world["internal"], world["private"]):
        assert "Секрет" not in _page(client, f"/help/{hidden.id}", 404)
    assert _page(client, "/help/999999", 404)


def test_help_search_finds_other_word_forms(client, world) -> None:  # noqa: ANN001
    html = _page(client, "/help/?q=фильтра")
    assert f'data-article="{world["public"].id}"' in html
    assert "Секрет" not in _page(client, "/help/?q=платы")


def test_a_logged_in_partner_sees_only_public_articles_in_help(client, world) -> None:  # noqa: ANN001
    login(client, world["users"][Role.PARTNER].email)
    assert world["internal"].title not in _page(client, "/help/?q=плата")
    _page(client, f"/help/{world['internal'].id}", 404)


@pytest.mark.parametrize("query", ["", "a" * 5000, "'; DROP TABLE knowledge_articles; --", "& | ! :* <->",
                                   "\x00\x01", "фильтр" + "!" * 300])
def test_any_search_text_is_answered_never_a_500(client, world, query) -> None:  # noqa: ANN001
    expected = 400 if "\x00" in query else 200  # a NUL is refused before any view (workstations/web/security.py)
    assert client.get("/help/", query_string={"q": query, "page": "abc"}).status_code == expected
    login(client, world["users"][Role.ENGINEER].email)
    assert client.get("/knowledge/", query_string={"q": query, "page": "-5"}).status_code == expected


# --- Markdown sanitising ------------------------------------------------------------------------

@pytest.mark.parametrize("payload", HOSTILE_MARKDOWN)
def test_hostile_markdown_never_becomes_markup(client, world, payload) -> None:  # noqa: ANN001
    s, lead = world["session"], world["users"][Role.TEAM_LEAD]
    article = services.create_article(s, lead, title=f"Статья {payload}", body=f"Текст до.\n\n{payload}\n\nТекст после.",
                                      visibility="public", tags=payload[:40], state="published")
    s.flush()
    pages = [_page(client, f"/help/{article.id}"), _page(client, "/help/?q=Статья")]
    login(client, lead.email)
    pages += [_page(client, f"/knowledge/{article.id}"), _page(client, f"/knowledge/{article.id}/versions?number=1"),
              _page(client, f"/knowledge/{article.id}/edit")]
    for html in pages:
        tags = _tags(html.split("<main>", 1)[1])
        assert not [t for t, _a in tags if t in ("script", "iframe", "style", "svg", "object", "embed")], payload
        assert not [(t, a) for t, attrs in tags for a, _v in attrs if a.startswith("on")], payload
        urls = [v or "" for _t, attrs in tags for a, v in attrs if a in ("href", "src", "action")]
        assert not [u for u in urls if re.match(r"\s*(javascript|vbscript|data):", u, re.I)], payload
        assert not [u for u in urls if "evil.example" in u], payload


def _tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every real tag of the page with its attributes, as a browser's parser sees them."""
    found: list = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs) -> None:  # noqa: ANN001
            found.append((tag, attrs))

    Collector().feed(html)
    return found


# --- the staff pages ----------------------------------------------------------------------------

@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_what_it_may_and_never_more(client, world, role) -> None:  # noqa: ANN001
    login(client, world["users"][role].email)
    html = _page(client, "/knowledge/")
    assert world["public"].title in html
    if role in PARTNER_ROLES:
        assert world["internal"].title not in html and world["private"].title not in html
        _page(client, f"/knowledge/{world['internal'].id}", 404)
        _page(client, f"/knowledge/{world['private'].id}", 404)
        _page(client, f"/knowledge/{world['public'].id}/versions", 404)
    else:
        assert world["internal"].title in html and world["private"].title in html
        assert "Секрет мастера" in _page(client, f"/knowledge/{world['internal'].id}")
    writes = role in services.WRITER_ROLES
    assert client.get("/knowledge/new").status_code == (200 if writes else 404 if role in PARTNER_ROLES else 403)


def test_a_team_lead_writes_edits_and_rolls_back_through_the_forms(client, world) -> None:  # noqa: ANN001
    s, lead = world["session"], world["users"][Role.TEAM_LEAD]
    login(client, lead.email)
    token = csrf_token(_page(client, "/knowledge/new"))
    r = client.post("/knowledge/new", data={"csrf_token": token, "title": "Замена подшипника", "body": "Версия один",
                                            "visibility": "partner", "tags": "барабан, шум",
                                            "model_ids": [str(world["model"].id)], "categories": [CATEGORY]})
    assert r.status_code == 302
    article = s.scalar(select(Article).where(Article.title == "Замена подшипника"))
    assert article.state == ArticleState.DRAFT and article.tags == ["барабан", "шум"]
    assert [m.id for m in article.models] == [world["model"].id] and article.categories == [CATEGORY]
    page = _page(client, f"/knowledge/{article.id}/edit")
    r = client.post(f"/knowledge/{article.id}/edit", data={
        "csrf_token": csrf_token(page), "title": "Замена подшипника", "body": "Версия два", "visibility": "partner",
        "revision": "1"})
    s.expire_all()
    assert r.status_code == 302 and article.body == "Версия два" and article.revision == 2
    # a second tab still showing version 1: refused, nothing changed
    r = client.post(f"/knowledge/{article.id}/edit", data={
        "csrf_token": csrf_token(page), "title": "Замена подшипника", "body": "Версия из старой вкладки",
        "visibility": "partner", "revision": "1"})
    s.expire_all()
    assert r.status_code == 409 and article.body == "Версия два"
    versions = _page(client, f"/knowledge/{article.id}/versions")
    assert 'data-version="1"' in versions and 'data-version="2"' in versions and lead.name in versions
    r = client.post(f"/knowledge/{article.id}/rollback", data={"csrf_token": csrf_token(versions), "number": "1",
                                                                "revision": "2"})
    s.expire_all()
    assert r.status_code == 302 and article.body == "Версия один" and article.revision == 3
    r = client.post(f"/knowledge/{article.id}/state", data={"csrf_token": csrf_token(versions), "state": "published",
                                                             "revision": "3"})
    s.expire_all()
    assert r.status_code == 302 and article.state == ArticleState.PUBLISHED
    assert s.scalar(select(func.count()).select_from(ArticleVersion).where(ArticleVersion.article_id == article.id)) == 4


@pytest.mark.parametrize("data, field", [
    ({"title": "", "visibility": "internal"}, "title"),
    ({"title": "T", "visibility": "nobody"}, "visibility"),
    ({"title": "T", "visibility": "customer", "customer_phone": "+70000000000"}, "customer_phone"),
    ({"title": "T", "visibility": "customer", "customer_phone": "<script>"}, "customer_phone"),
    ({"title": "T", "visibility": "internal", "model_ids": ["999999"]}, "model_ids"),
    ({"title": "T", "visibility": "internal", "code_ids": ["x"]}, "code_ids"),
    ({"title": "x" * 300, "visibility": "internal"}, "title"),
])
def test_bad_form_input_is_refused_and_nothing_is_saved(client, world, data, field) -> None:  # noqa: ANN001
    s = world["session"]
    login(client, world["users"][Role.ADMIN].email)
    before = s.scalar(select(func.count()).select_from(Article))
    r = client.post("/knowledge/new", data={"csrf_token": csrf_token(_page(client, "/knowledge/new")), **data})
    assert r.status_code == 422
    assert "<script>" not in r.get_data(as_text=True).split("<main>", 1)[1]
    assert s.scalar(select(func.count()).select_from(Article)) == before


def test_a_customer_section_is_chosen_by_phone(client, world) -> None:  # noqa: ANN001
    s = world["session"]
    login(client, world["users"][Role.ADMIN].email)
    r = client.post("/knowledge/new", data={"csrf_token": csrf_token(_page(client, "/knowledge/new")),
                                            "title": "Пароли Wi-Fi", "visibility": "customer",
                                            "customer_phone": "8 916 123-45-67"})
    assert r.status_code == 302
    assert s.scalar(select(Article).where(Article.title == "Пароли Wi-Fi")).customer_id == world["customer"].id


def test_an_engineer_writes_drafts_but_cannot_publish_or_touch_others(client, world) -> None:  # noqa: ANN001
    s, engineer = world["session"], world["users"][Role.ENGINEER]
    login(client, engineer.email)
    page = _page(client, "/knowledge/new")
    assert "Save and publish" not in page
    r = client.post("/knowledge/new", data={"csrf_token": csrf_token(page), "title": "Мой черновик",
                                            "visibility": "public", "publish": "1"})
    assert r.status_code == 302
    draft = s.scalar(select(Article).where(Article.title == "Мой черновик"))
    assert draft.state == ArticleState.DRAFT
    assert client.post(f"/knowledge/{draft.id}/state", data={"csrf_token": csrf_token(page), "state": "published"}
                       ).status_code == 403
    assert client.get(f"/knowledge/{world['internal'].id}/edit").status_code == 403
    s.expire_all()
    assert draft.state == ArticleState.DRAFT


def _png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (20, 20), "blue").save(out, "PNG")
    return out.getvalue()


def test_files_are_uploaded_checked_and_served_by_visibility(client, world) -> None:  # noqa: ANN001
    lead = world["users"][Role.TEAM_LEAD]
    login(client, lead.email)
    page = _page(client, f"/knowledge/{world['internal'].id}")
    r = client.post(f"/knowledge/{world['internal'].id}/files", data={
        "csrf_token": csrf_token(page), "files": [(BytesIO(_png()), "плата.png")]},
        content_type="multipart/form-data")
    assert r.status_code == 302
    world["session"].expire_all()
    file_id = world["internal"].files[0].id
    r = client.get(f"/knowledge/files/{file_id}")
    assert r.status_code == 200 and r.mimetype == "image/png" and r.headers["X-Content-Type-Options"] == "nosniff"
    bad = client.post(f"/knowledge/{world['internal'].id}/files", data={
        "csrf_token": csrf_token(page), "files": [(BytesIO(b"<html><script>1</script>"), "x.html")]},
        content_type="multipart/form-data", follow_redirects=True)
    world["session"].expire_all()
    assert bad.status_code == 200 and len(world["internal"].files) == 1
    client.post("/logout", data={"csrf_token": csrf_token(page)})
    assert client.get(f"/help/files/{file_id}").status_code == 404  # an internal article's file is not public
    login(client, world["users"][Role.PARTNER].email)
    assert client.get(f"/knowledge/files/{file_id}").status_code == 404


def test_a_text_field_named_files_is_no_upload_and_no_crash(client, world) -> None:  # noqa: ANN001
    """`files=1` typed into the body (no file) used to reach `f.filename` on a string: a 500."""
    login(client, world["users"][Role.TEAM_LEAD].email)
    page = _page(client, f"/knowledge/{world['internal'].id}")
    r = client.post(f"/knowledge/{world['internal'].id}/files", data={"csrf_token": csrf_token(page), "files": "1"},
                    follow_redirects=True)
    world["session"].expire_all()
    assert r.status_code == 200 and world["internal"].files == []
    assert 'class="flash error"' in r.get_data(as_text=True)


# --- the order page and the status page ---------------------------------------------------------

def _codes(session) -> dict[str, DiagnosisCode]:  # noqa: ANN001
    rows = {}
    for kind, code, name in [(CodeKind.SYMPTOM, "S-PWR", "Не включается"), (CodeKind.CAUSE, "C12", "Плата питания")]:
        rows[code] = DiagnosisCode(category=CATEGORY, kind=kind, code=code, name=name)
        session.add(rows[code])
    session.flush()
    return rows


def test_the_order_page_suggests_known_faults_with_counts_and_drafts_from_the_diagnosis(client, world, factory) -> None:  # noqa: ANN001
    s, engineer, lead = world["session"], world["users"][Role.ENGINEER], world["users"][Role.TEAM_LEAD]
    codes = _codes(s)
    known = services.create_article(s, lead, title="Известная неисправность: плата питания C12", body="Мост",
                                    visibility="internal", code_ids=[codes["C12"].id], state="published")
    orders = []
    for _ in range(3):
        order = factory.order(world["msk"], state=RepairState.DIAGNOSIS, unit=factory.unit(world["model"]))
        order.engineer_id = engineer.id
        record_diagnosis(s, engineer, order, symptom_id=codes["S-PWR"].id, cause_id=codes["C12"].id,
                         text="Пробит мост")
        orders.append(order)
    s.flush()
    login(client, engineer.email)
    html = _page(client, f"/orders/{orders[-1].number}")
    assert f'data-suggested="{known.id}" data-reason="code"' in html
    assert 'data-repairs="3"' in html and "3 repairs of this model in the last 12 months" in html
    assert f'data-suggested="{world["internal"].id}"' in html  # the model's article too
    r = client.post(f"/knowledge/from-order/{orders[-1].number}", data={"csrf_token": csrf_token(html)})
    assert r.status_code == 302 and "/edit" in r.headers["Location"]
    draft = s.scalar(select(Article).where(Article.source_order_id == orders[-1].id))
    assert draft.state == ArticleState.DRAFT and draft.author_id == engineer.id and "Плата питания" in draft.title


def test_a_partner_order_page_never_suggests_internal_articles(client, world, factory) -> None:  # noqa: ANN001
    order = factory.order(world["kzn"], unit=factory.unit(world["model"]))
    login(client, world["users"][Role.PARTNER].email)
    html = _page(client, f"/orders/{order.number}")
    assert f'data-suggested="{world["public"].id}"' in html
    assert world["internal"].title not in html


def test_the_status_page_shows_public_articles_for_the_model_and_the_customers_own(client, world, factory) -> None:  # noqa: ANN001
    order = factory.order(world["msk"], customer=world["customer"],
                          unit=factory.unit(world["model"], owner=world["customer"]))
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = csrf_token(_page(client, "/status"))
    html = client.post("/status", data={"csrf_token": token, "number": order.number, "last_four": PHONE[-4:]}
                       ).get_data(as_text=True)
    assert "Helpful articles" in html
    assert f'href="/help/{world["public"].id}"' in html
    assert world["private"].title in html and "VLAN 10" in html  # the customer's own section, in full
    assert world["internal"].title not in html
