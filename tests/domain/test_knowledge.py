"""The knowledge base: who sees which article, versions and rollback, drafts from a diagnosis,
suggestions with real repair counts, search (Russian stemming on PostgreSQL), files."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from servicecenter.accounts.roles import PARTNER_ROLES, Role
from servicecenter.centers.models import CenterKind
from servicecenter.diagnostics.models import CodeKind, DiagnosisCode
from servicecenter.errors import ConcurrentUpdate, NotFound, PermissionDenied, ValidationFailed
from servicecenter.knowledge import queries, services
from servicecenter.knowledge.models import Article, ArticleState, ArticleVersion, Visibility
from servicecenter.repairs.states import RepairState
from servicecenter.repairs.work import record_diagnosis
from servicecenter.scoping import Scope, set_scope

CATEGORY = "Стиральные машины"


@pytest.fixture
def world(factory, session):  # noqa: ANN001, ANN201
    msk = factory.center("KBM")
    kzn = factory.center("KBK", kind=CenterKind.PARTNER)
    ekb = factory.center("KBE", kind=CenterKind.PARTNER)
    users = {role: factory.user(msk, role) for role in Role if role not in PARTNER_ROLES}
    users[Role.PARTNER] = factory.user(kzn, Role.PARTNER)
    users[Role.PARTNER_MANAGER] = factory.user(kzn, Role.PARTNER_MANAGER)
    model = factory.model(factory.manufacturer("Атлант"), category=CATEGORY, name="СМА 50У")
    ours, theirs = factory.customer("ООО Ромашка"), factory.customer("ООО Лютик")
    factory.order(kzn, customer=ours)  # KZN works for "Ромашка", not for "Лютик"
    factory.order(ekb, customer=theirs)
    lead = users[Role.TEAM_LEAD]

    def article(key: str, visibility: Visibility, state: ArticleState = ArticleState.PUBLISHED, **kw):  # noqa: ANN003, ANN202
        a = services.create_article(session, kw.pop("author", lead), title=f"Статья {key}", body=f"Текст {key}",
                                    visibility=visibility, **kw)
        if state != ArticleState.DRAFT:
            services.set_article_state(session, lead, a, state)
        return a

    articles = {
        "public": article("public", Visibility.PUBLIC, model_ids=[model.id]),
        "internal": article("internal", Visibility.INTERNAL, model_ids=[model.id]),
        "partner": article("partner", Visibility.PARTNER),
        "ours": article("ours", Visibility.CUSTOMER, customer_id=ours.id),
        "theirs": article("theirs", Visibility.CUSTOMER, customer_id=theirs.id),
        "archived": article("archived", Visibility.PUBLIC, ArticleState.ARCHIVED),
        "lead_draft": article("lead_draft", Visibility.PUBLIC, ArticleState.DRAFT),
        "eng_draft": article("eng_draft", Visibility.PUBLIC, ArticleState.DRAFT, author=users[Role.ENGINEER]),
    }
    return {"users": users, "articles": articles, "model": model, "ours": ours, "theirs": theirs, "msk": msk,
            "kzn": kzn, "session": session}


PUBLISHED_ALL = {"public", "internal", "partner", "ours", "theirs"}
EXPECTED = {
    Role.ADMIN: set(PUBLISHED_ALL | {"archived", "lead_draft", "eng_draft"}),
    Role.TEAM_LEAD: set(PUBLISHED_ALL | {"archived", "lead_draft", "eng_draft"}),
    Role.ENGINEER: PUBLISHED_ALL | {"eng_draft"},
    Role.CALL_CENTER: PUBLISHED_ALL,
    Role.INTAKE: PUBLISHED_ALL,
    Role.WAREHOUSE: PUBLISHED_ALL,
    Role.LOGISTICS: PUBLISHED_ALL,
    Role.PARTNER: {"public", "partner", "ours"},
    Role.PARTNER_MANAGER: {"public", "partner", "ours"},
}


def _seen(session, world, actor, customer=None) -> set[str]:  # noqa: ANN001
    ids = set(session.scalars(select(Article.id).where(queries.visible_to(actor, customer))))
    return {key for key, a in world["articles"].items() if a.id in ids}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_exactly_its_articles(world, role) -> None:  # noqa: ANN001
    assert set(EXPECTED) == set(Role)
    s, user = world["session"], world["users"][role]
    if role in PARTNER_ROLES:
        set_scope(s, Scope(user.center_id))  # as the web layer does for a partner's request
    assert _seen(s, world, user) == EXPECTED[role]
    # search and the single-article read go through the same rule
    found = {h.article.id for h in queries.search_articles(s, user, "Статья", limit=100)}
    assert found == {world["articles"][k].id for k in EXPECTED[role]}
    for key, article in world["articles"].items():
        if key in EXPECTED[role]:
            assert queries.get_article(s, article.id, user).id == article.id
        else:
            with pytest.raises(NotFound):
                queries.get_article(s, article.id, user)


def test_anonymous_visitors_and_customers_see_public_and_only_their_own_section(world) -> None:  # noqa: ANN001
    s = world["session"]
    assert _seen(s, world, None) == {"public"}
    assert _seen(s, world, None, world["ours"]) == {"public", "ours"}
    assert _seen(s, world, None, world["theirs"]) == {"public", "theirs"}


def test_the_partner_wall_hides_internal_articles_even_from_an_unfiltered_query(world) -> None:  # noqa: ANN001
    s, partner = world["session"], world["users"][Role.PARTNER]
    set_scope(s, Scope(partner.center_id))
    ids = set(s.scalars(select(Article.id)))  # no visible_to: the wall alone
    keys = {k for k, a in world["articles"].items() if a.id in ids}
    assert keys == {"public", "partner", "ours"}
    versions = set(s.scalars(select(ArticleVersion.article_id)))
    assert world["articles"]["internal"].id not in versions


def test_every_edit_keeps_the_previous_version_and_rollback_restores_it(world) -> None:  # noqa: ANN001
    s, lead, admin = world["session"], world["users"][Role.TEAM_LEAD], world["users"][Role.ADMIN]
    a = services.create_article(s, lead, title="Замена ТЭНа", body="Первый текст", visibility="internal",
                                tags="тэн, нагрев")
    services.edit_article(s, admin, a, expected_revision=1, title="Замена ТЭНа", body="Второй текст",
                          visibility="public", tags="тэн")
    assert (a.revision, a.body, a.visibility, a.tags) == (2, "Второй текст", Visibility.PUBLIC, ["тэн"])
    versions = services.list_versions(s, a)
    assert [(v.number, v.body, v.author_id) for v in versions] == [(2, "Второй текст", admin.id),
                                                                  (1, "Первый текст", lead.id)]
    assert all(v.created_at is not None for v in versions)
    # a save that changes nothing keeps no version
    services.edit_article(s, admin, a, title="Замена ТЭНа", body="Второй текст", visibility="public", tags="тэн")
    assert a.revision == 2
    services.rollback_article(s, lead, a, 1, expected_revision=2)
    assert (a.revision, a.body, a.visibility, a.tags) == (3, "Первый текст", Visibility.INTERNAL, ["тэн", "нагрев"])
    assert services.list_versions(s, a)[0].note == "rolled back to version %(number)s"
    assert len(services.list_versions(s, a)) == 3  # nothing lost


def test_a_stale_form_or_a_bad_rollback_changes_nothing(world) -> None:  # noqa: ANN001
    s, lead = world["session"], world["users"][Role.TEAM_LEAD]
    a = services.create_article(s, lead, title="Т", body="x", visibility="internal")
    services.edit_article(s, lead, a, title="Т", body="y", visibility="internal")
    with pytest.raises(ConcurrentUpdate):
        services.edit_article(s, lead, a, expected_revision=1, title="Т", body="z", visibility="internal")
    with pytest.raises(NotFound):
        services.rollback_article(s, lead, a, 99)
    with pytest.raises(ValidationFailed):
        services.rollback_article(s, lead, a, 2)  # already current
    assert (a.revision, a.body) == (2, "y")


@pytest.mark.parametrize("values", [
    {"title": "  "}, {"title": "x" * 201}, {"visibility": "everyone"}, {"visibility": "customer"},
    {"visibility": "customer", "customer_id": "999999"}, {"model_ids": "abc"}, {"code_ids": [999999]},
    {"body": "x" * 100_001},
])
def test_bad_input_is_refused_with_a_clear_message(world, values) -> None:  # noqa: ANN001
    s, lead = world["session"], world["users"][Role.TEAM_LEAD]
    before = s.scalar(select(func.count()).select_from(Article))
    with pytest.raises(ValidationFailed):
        services.create_article(s, lead, **{"title": "Заголовок", "body": "", "visibility": "internal", **values})
    assert s.scalar(select(func.count()).select_from(Article)) == before


def test_who_may_write_publish_and_roll_back(world) -> None:  # noqa: ANN001
    s, users = world["session"], world["users"]
    for role in (Role.INTAKE, Role.CALL_CENTER, Role.WAREHOUSE, Role.LOGISTICS, Role.PARTNER, Role.PARTNER_MANAGER):
        with pytest.raises(PermissionDenied):
            services.create_article(s, users[role], title="x", body="", visibility="internal")
    engineer = users[Role.ENGINEER]
    draft = services.create_article(s, engineer, title="Черновик", body="", visibility="public", state="published")
    assert draft.state == ArticleState.DRAFT  # an engineer cannot publish
    services.edit_article(s, engineer, draft, title="Черновик 2", body="", visibility="public")
    with pytest.raises(PermissionDenied):
        services.set_article_state(s, engineer, draft, "published")
    with pytest.raises(PermissionDenied):
        services.edit_article(s, engineer, world["articles"]["internal"], title="x", body="", visibility="internal")
    with pytest.raises(PermissionDenied):
        services.rollback_article(s, engineer, draft, 1)
    services.set_article_state(s, users[Role.TEAM_LEAD], draft, "published")
    with pytest.raises(PermissionDenied):  # published: the editors' from now on
        services.edit_article(s, engineer, draft, title="x", body="", visibility="public")


def _codes(factory_session, category: str = CATEGORY) -> dict[str, DiagnosisCode]:  # noqa: ANN001
    codes = {}
    for kind, code, name in [(CodeKind.SYMPTOM, "S-PWR", "Не включается"), (CodeKind.CAUSE, "C12", "Плата питания"),
                             (CodeKind.ACTION, "A-REP", "Замена платы"), (CodeKind.CAUSE, "C13", "Сетевой фильтр")]:
        row = DiagnosisCode(category=category, kind=kind, code=code, name=name)
        factory_session.add(row)
        codes[code] = row
    factory_session.flush()
    return codes


def _diagnosed(factory, world, codes, cause: str = "C12"):  # noqa: ANN001, ANN202
    s, engineer = world["session"], world["users"][Role.ENGINEER]
    order = factory.order(world["msk"], state=RepairState.DIAGNOSIS, unit=factory.unit(world["model"]))
    order.engineer_id = engineer.id
    record_diagnosis(s, engineer, order, symptom_id=codes["S-PWR"].id, cause_id=codes[cause].id,
                     action_id=codes["A-REP"].id, text="Пробит диодный мост")
    return order


def test_the_order_suggests_code_articles_first_with_real_repair_counts(world, factory) -> None:  # noqa: ANN001
    s, lead, engineer = world["session"], world["users"][Role.TEAM_LEAD], world["users"][Role.ENGINEER]
    codes = _codes(s)
    known = services.create_article(s, lead, title="Известная неисправность: плата питания C12", body="Меняем мост",
                                    visibility="internal", code_ids=[codes["C12"].id], state="published")
    other_fault = services.create_article(s, lead, title="Фильтр C13", body="", visibility="internal",
                                          code_ids=[codes["C13"].id], model_ids=[world["model"].id],
                                          state="published")
    for _ in range(3):
        _diagnosed(factory, world, codes)
    _diagnosed(factory, world, codes, cause="C13")
    order = _diagnosed(factory, world, codes)  # the order on the bench: C12 again
    suggestions = queries.list_order_suggestions(s, engineer, order)
    by_id = {sg.article.id: sg for sg in suggestions}
    assert suggestions[0].article.id == known.id and suggestions[0].reason == "code"
    assert suggestions[0].repairs == 4 and suggestions[0].codes == ("C12",)  # 3 earlier orders and this one
    assert by_id[other_fault.id].reason == "model" and by_id[other_fault.id].repairs == 1
    assert world["articles"]["public"].id in by_id and world["articles"]["internal"].id in by_id
    # a partner is never offered an internal article, even for its own order
    partner = world["users"][Role.PARTNER]
    set_scope(s, Scope(partner.center_id))
    assert {sg.article.id for sg in queries.list_order_suggestions(s, partner, order)} <= {
        world["articles"]["public"].id}


def test_an_engineer_turns_a_diagnosis_into_a_draft(world, factory) -> None:  # noqa: ANN001
    s, engineer = world["session"], world["users"][Role.ENGINEER]
    codes = _codes(s)
    order = _diagnosed(factory, world, codes)
    draft = services.draft_from_diagnosis(s, engineer, order)
    assert draft.state == ArticleState.DRAFT and draft.visibility == Visibility.INTERNAL
    assert draft.author_id == engineer.id and draft.source_order_id == order.id
    assert "Плата питания" in draft.title and "Пробит диодный мост" in draft.body
    assert {c.code for c in draft.codes} == {"S-PWR", "C12", "A-REP"}
    assert [m.id for m in draft.models] == [world["model"].id] and draft.categories == [CATEGORY]
    bare = factory.order(world["msk"], state=RepairState.DIAGNOSIS)
    with pytest.raises(ValidationFailed):
        services.draft_from_diagnosis(s, engineer, bare)
    with pytest.raises(PermissionDenied):
        services.draft_from_diagnosis(s, world["users"][Role.INTAKE], order)


def test_status_page_articles_are_public_ones_of_the_model_and_the_customers_own(world, factory) -> None:  # noqa: ANN001
    s = world["session"]
    order = factory.order(world["msk"], customer=world["ours"], unit=factory.unit(world["model"], owner=world["ours"]))
    keys = {a.id for a in queries.list_public_for_order(s, order, world["ours"])}
    assert keys == {world["articles"]["public"].id, world["articles"]["ours"].id}


def test_sqlite_or_postgres_search_ranks_title_hits_first(world) -> None:  # noqa: ANN001
    s, lead = world["session"], world["users"][Role.TEAM_LEAD]
    body_hit = services.create_article(s, lead, title="Разное", body="Здесь упоминается насос слива.",
                                       visibility="public", state="published")
    title_hit = services.create_article(s, lead, title="Насос слива гудит", body="Проверьте крыльчатку.",
                                        visibility="public", state="published")
    hits = queries.search_articles(s, None, "насос")
    assert [h.article.id for h in hits][:2] == [title_hit.id, body_hit.id]
    assert queries.search_articles(s, None, "насос пылесоса") == []  # every word must match
    assert queries.search_articles(s, None, "'; DROP TABLE x; -- & | !") == []  # operators are not passed on


def test_russian_stemming_finds_other_forms_of_a_word(world) -> None:  # noqa: ANN001
    s, lead = world["session"], world["users"][Role.TEAM_LEAD]
    a = services.create_article(s, lead, title="Ремонт блока питания", body="Порядок работ при ремонте.",
                                visibility="public", state="published")
    for typed in ("ремонта", "РЕМОНТУ", "блоков питания", "ремонт"):
        assert a.id in {h.article.id for h in queries.search_articles(s, None, typed)}, typed


def test_postgres_uses_the_russian_dictionary(world) -> None:  # noqa: ANN001
    s, lead = world["session"], world["users"][Role.TEAM_LEAD]
    if s.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL full-text search only")
    a = services.create_article(s, lead, title="Ремонт", body="Стиральная машина не сливает воду",
                                visibility="public", state="published")
    # forms the SQLite fallback's suffix list does not know, the Russian dictionary does
    for typed in ("ремонта", "ремонтами", "стиральной машины", "сливала", "вода"):
        assert a.id in {h.article.id for h in queries.search_articles(s, None, typed)}, typed
    plan = s.execute(select(func.pg_typeof(func.to_tsvector("russian", "ремонта")))).scalar()
    assert plan == "tsvector"


def _png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "PNG")
    return out.getvalue()


def test_files_follow_the_upload_rules_and_a_bad_one_stores_nothing(world, tmp_path: Path) -> None:  # noqa: ANN001
    s, lead = world["session"], world["users"][Role.TEAM_LEAD]
    a = world["articles"]["public"]
    with pytest.raises(ValidationFailed):
        services.add_article_files(s, lead, a, [("схема.png", _png()), ("x.svg", b"<svg onload=alert(1)>")],
                                   tmp_path)
    assert list(tmp_path.rglob("*")) == [] and a.files == []
    with pytest.raises(ValidationFailed):
        services.add_article_files(s, lead, a, [("script.pdf", b"<script>alert(1)</script>")], tmp_path)
    stored = services.add_article_files(s, lead, a, [("схема.png", _png())], tmp_path)
    assert stored[0].content_type == "image/png" and stored[0].original_name == "схема.png"
    assert services.file_path(tmp_path, stored[0].stored_name).read_bytes() == _png()
    with pytest.raises(PermissionDenied):
        services.add_article_files(s, world["users"][Role.INTAKE], a, [("a.png", _png())], tmp_path)
