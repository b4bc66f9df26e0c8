"""The knowledge base over the API: search and read as `visible_to` allows, write, edit, publish or archive,
roll back, draft from an order's diagnosis, attach files — the /knowledge/ pages' services and roles."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from servicecenter.diagnostics.models import CodeKind, DiagnosisCode
from servicecenter.knowledge import services
from servicecenter.knowledge.models import Article, ArticleFile, ArticleState, ArticleVersion
from servicecenter.repairs.states import RepairState
from servicecenter.repairs.work import record_diagnosis

URL = "/api/v1/knowledge/articles"


@pytest.fixture
def kb(world, session):  # noqa: ANN001, ANN201
    lead, engineer = world.users["team_lead"], world.users["engineer"]
    public = services.create_article(session, lead, title="Машина не сливает воду: почистите фильтр",
                                     body="Откройте лючок и **открутите фильтр**.", visibility="public",
                                     model_ids=[world.model.id], state="published")
    internal = services.create_article(session, lead, title="Внутреннее: замена платы управления",
                                       body="Секрет мастера", visibility="internal", state="published")
    draft = services.create_article(session, engineer, title="Черновик инженера про насос", body="Насос гудит")
    others = services.create_article(session, lead, title="Черновик руководителя", body="Пока не готово")
    session.flush()
    return {"public": public, "internal": internal, "draft": draft, "others": others}


def _ids(r) -> set[int]:  # noqa: ANN001
    assert r.status_code == 200, r.get_json()
    return {a["id"] for a in r.get_json()["items"]}


def _versions(session, article) -> int:  # noqa: ANN001
    return session.scalar(select(func.count()).select_from(ArticleVersion).where(ArticleVersion.article_id == article.id))


def test_search_and_list_show_each_reader_what_visible_to_allows(api, world, kb) -> None:  # noqa: ANN001
    every = {a.id for a in kb.values()}
    assert _ids(api("team_lead").get(URL)) == every  # editors: drafts of everyone too
    assert _ids(api("engineer").get(URL)) == {kb["public"].id, kb["internal"].id, kb["draft"].id}
    assert _ids(api("intake").get(URL)) == {kb["public"].id, kb["internal"].id}
    assert _ids(api("partner").get(URL)) == {kb["public"].id}
    found = api("engineer").get(f"{URL}?q=фильтр")
    assert _ids(found) == {kb["public"].id}
    hit = found.get_json()["items"][0]
    assert hit["excerpt"].startswith("Откройте лючок") and "**" not in hit["excerpt"]
    assert _ids(api("team_lead").get(f"{URL}?state=draft")) == {kb["draft"].id, kb["others"].id}
    paged = api("team_lead").get(f"{URL}?per_page=3&page=2").get_json()
    assert (len(paged["items"]), paged["total"], paged["pages"]) == (1, 4, 2)
    for query, field in (("state=gone", "state"), ("q=" + "я" * 201, "q"), ("page=x", "page")):
        r = api("intake").get(f"{URL}?{query}")
        assert r.status_code == 422 and field in r.get_json()["errors"]
    assert api(None).get(URL).status_code == 401


def test_read_one_article_with_its_versions(api, world, kb) -> None:  # noqa: ANN001
    r = api("intake").get(f"{URL}/{kb['public'].id}")
    assert r.status_code == 200
    body = r.get_json()
    assert (body["title"], body["visibility"], body["state"], body["can_edit"]) == \
        (kb["public"].title, "public", "published", False)
    assert body["models"] == [{"manufacturer": "Атлант", "model": "СМА 60"}]
    assert [v["number"] for v in body["versions"]] == [1] and body["versions"][0]["note"]  # "article created"
    partner = api("partner").get(f"{URL}/{kb['public'].id}").get_json()
    assert partner["versions"] is None  # earlier texts are our own staff's
    for who, article in (("partner", "internal"), ("intake", "draft"), ("engineer", "others")):
        assert api(who).get(f"{URL}/{kb[article].id}").status_code == 404, (who, article)
    assert api("intake").get(f"{URL}/999999").status_code == 404


def test_write_an_article_engineers_draft_editors_publish(api, world, kb, session) -> None:  # noqa: ANN001
    made = api("engineer").post(URL, json={
        "title": "Ошибка E21", "body": "Проверьте **насос**", "tags": ["насос", "E21", "насос"],
        "models": [{"manufacturer": "атлант", "model": "СМА 60"}], "manufacturers": ["Атлант"],
        "categories": ["Стиральные машины"], "publish": True})
    assert made.status_code == 201, made.get_json()
    article = made.get_json()
    assert (article["state"], article["tags"], article["manufacturers"], article["revision"]) == \
        ("draft", ["насос", "E21"], ["Атлант"], 1)  # an engineer cannot publish
    assert made.headers["Location"] == f"{URL}/{article['id']}"
    row = session.get(Article, article["id"])
    assert row.author_id == world.users["engineer"].id and [m.id for m in row.models] == [world.model.id]
    published = api("team_lead").post(URL, json={"title": "Сразу в печать", "publish": True,
                                                 "visibility": "partner"})
    assert published.status_code == 201 and published.get_json()["state"] == "published"
    assert published.get_json()["id"] in _ids(api("partner").get(URL))


@pytest.mark.parametrize(("body", "fields"), [
    ({}, {"title"}),
    ({"title": "  "}, {"title"}),
    ({"title": "X" * 201}, {"title"}),
    ({"title": "X", "visibility": "everyone"}, {"visibility"}),
    ({"title": "X", "visibility": "customer"}, {"customer_phone"}),
    ({"title": "X", "models": [{"manufacturer": "Атлант", "model": "Нет"}]}, {"models.0.model"}),
    ({"title": "X", "models": "СМА 60"}, {"models"}),
    ({"title": "X", "manufacturers": ["Никто"]}, {"manufacturers.0"}),
    ({"title": "X", "code_ids": [999999]}, {"code_ids"}),
    ({"title": "X", "code_ids": ["1"]}, {"code_ids"}),
    ({"title": 5, "tags": "a,b", "publish": "yes"}, {"title", "tags", "publish"}),
])
def test_a_wrong_article_is_422_and_nothing_is_saved(api, world, kb, session, body, fields) -> None:  # noqa: ANN001
    before = session.scalar(select(func.count()).select_from(Article))
    r = api("team_lead").post(URL, json=body)
    assert r.status_code == 422, r.get_json()
    assert fields <= set(r.get_json()["errors"]), r.get_json()["errors"]
    assert session.scalar(select(func.count()).select_from(Article)) == before


def test_roles_that_do_not_write_are_refused(api, world, kb, session) -> None:  # noqa: ANN001
    before = session.scalar(select(func.count()).select_from(Article))
    for who in ("intake", "call_center", "logistics"):
        assert api(who).post(URL, json={"title": "X"}).status_code == 403, who
    assert api("partner").post(URL, json={"title": "X"}).status_code == 404  # behind the wall: no such thing
    assert api("team_lead").post(URL, data="x").status_code == 415
    assert session.scalar(select(func.count()).select_from(Article)) == before


def test_edit_keeps_a_version_and_refuses_a_stale_revision(api, world, kb, session) -> None:  # noqa: ANN001
    url = f"{URL}/{kb['draft'].id}"
    r = api("engineer").open("PATCH", url, json={"body": "Насос гудит: замените подшипник", "revision": 1})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["revision"], body["title"], body["body"]) == (2, kb["draft"].title, "Насос гудит: замените подшипник")
    assert _versions(session, kb["draft"]) == 2
    stale = api("engineer").open("PATCH", url, json={"title": "Другое", "revision": 1})
    assert stale.status_code == 409
    bad = api("engineer").open("PATCH", url, json={"title": ""})
    assert bad.status_code == 422 and "title" in bad.get_json()["errors"]
    session.expire_all()
    assert (session.get(Article, kb["draft"].id).title, _versions(session, kb["draft"])) == (kb["draft"].title, 2)
    # an engineer edits only a draft of their own; intake never; a partner cannot see it
    assert api("engineer").open("PATCH", f"{URL}/{kb['public'].id}", json={"title": "Моё"}).status_code == 403
    assert api("intake").open("PATCH", url, json={"title": "Моё"}).status_code == 403
    assert api("partner").open("PATCH", f"{URL}/{kb['internal'].id}", json={"title": "Моё"}).status_code == 404
    assert api("partner").open("PATCH", f"{URL}/{kb['public'].id}", json={"title": "Моё"}).status_code == 404
    assert api("team_lead").open("PATCH", f"{URL}/99999999999", json={"title": "Моё"}).status_code == 404
    session.expire_all()
    assert session.get(Article, kb["public"].id).title == kb["public"].title


def test_publish_archive_and_roll_back(api, world, kb, session) -> None:  # noqa: ANN001
    url = f"{URL}/{kb['draft'].id}"
    assert api("engineer").post(f"{url}/state", json={"state": "published"}).status_code == 403
    assert api("team_lead").post(f"{url}/state", json={"state": "gone"}).status_code == 422
    assert api("team_lead").post(f"{url}/state", json={}).status_code == 422
    assert api("team_lead").post(f"{url}/state", json={"state": "published", "revision": 7}).status_code == 409
    session.expire_all()
    assert session.get(Article, kb["draft"].id).state == ArticleState.DRAFT
    r = api("team_lead").post(f"{url}/state", json={"state": "published", "revision": 1})
    assert r.status_code == 200 and (r.get_json()["state"], r.get_json()["revision"]) == ("published", 2)
    assert kb["draft"].id in _ids(api("intake").get(URL))  # published: every staff reader sees it now
    api("team_lead").open("PATCH", url, json={"title": "Новый заголовок"})
    back = api("team_lead").post(f"{url}/rollback", json={"number": 1})
    assert back.status_code == 200, back.get_json()
    body = back.get_json()
    assert (body["title"], body["revision"], body["state"]) == (kb["draft"].title, 4, "published")
    assert body["versions"][0]["number"] == 4 and "1" in body["versions"][0]["note"]
    assert api("team_lead").post(f"{url}/rollback", json={"number": 99}).status_code == 422
    assert api("team_lead").post(f"{url}/rollback", json={"number": 4}).status_code == 422  # already current
    assert api("team_lead").post(f"{url}/rollback", json={"number": "1"}).status_code == 422
    assert api("engineer").post(f"{url}/rollback", json={"number": 1}).status_code == 403
    assert _versions(session, kb["draft"]) == 4
    archived = api("admin").post(f"{url}/state", json={"state": "archived"})
    assert archived.status_code == 200 and kb["draft"].id not in _ids(api("intake").get(URL))


def test_a_draft_from_an_orders_diagnosis(api, world, factory, session) -> None:  # noqa: ANN001
    codes = {}
    for kind, code, name in [(CodeKind.SYMPTOM, "S-PWR", "Не включается"), (CodeKind.CAUSE, "C12", "Плата питания")]:
        codes[code] = DiagnosisCode(category=world.model.category, kind=kind, code=code, name=name)
        session.add(codes[code])
    session.flush()
    engineer = world.users["engineer"]
    order = factory.order(world.msk, state=RepairState.DIAGNOSIS, unit=factory.unit(world.model))
    bare = factory.order(world.msk, state=RepairState.DIAGNOSIS, unit=factory.unit(world.model))
    order.engineer_id = engineer.id
    record_diagnosis(session, engineer, order, symptom_id=codes["S-PWR"].id, cause_id=codes["C12"].id,
                     text="Пробит мост")
    session.flush()
    path = f"{URL}/from-order/{order.number}"
    assert api("intake").post(path).status_code == 403
    assert api("partner").post(path).status_code == 404
    assert api("engineer").post(f"{URL}/from-order/{bare.number}").status_code == 422  # no coded diagnosis
    assert api("engineer").post(f"{URL}/from-order/{world.ekb_order.number}").status_code == 403  # another center's
    assert api("engineer").post(f"{URL}/from-order/NOPE-1").status_code == 404
    assert session.scalar(select(func.count()).select_from(Article)) == 0
    r = api("engineer").post(path)
    assert r.status_code == 201, r.get_json()
    draft = r.get_json()
    assert draft["state"] == "draft" and "Плата питания" in draft["title"] and draft["source_order"] == order.number
    assert {c["code"] for c in draft["codes"]} == {"S-PWR", "C12"} and draft["tags"] == ["C12"]
    # the codes' ids the article shows are what a new article links by
    linked = api("team_lead").post(URL, json={"title": "C12 известная", "code_ids": [codes["C12"].id]})
    assert linked.status_code == 201 and [c["code"] for c in linked.get_json()["codes"]] == ["C12"]


def _png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return out.getvalue()


def test_files_are_checked_and_attached(api, world, kb, session, tmp_path: Path) -> None:  # noqa: ANN001
    url = f"{URL}/{kb['internal'].id}/files"
    r = api("team_lead").post(url, data={"files": [(BytesIO(_png()), "плата.png")]},
                              content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    assert [(f["name"], f["content_type"]) for f in r.get_json()["files"]] == [("плата.png", "image/png")]
    bad = api("team_lead").post(url, data={"files": [(BytesIO(_png()), "a.png"),
                                                     (BytesIO(b"<html><script>1</script>"), "x.html")]},
                                content_type="multipart/form-data")
    assert bad.status_code == 422 and "files" in bad.get_json()["errors"]
    assert session.scalar(select(func.count()).select_from(ArticleFile)) == 1  # one bad file: none taken
    assert api("team_lead").post(url, data={}, content_type="multipart/form-data").status_code == 422
    assert api("team_lead").post(url, json={"files": []}).status_code == 415
    assert api("intake").post(url, data={"files": [(BytesIO(_png()), "a.png")]},
                              content_type="multipart/form-data").status_code == 403
    assert api("engineer").post(f"{URL}/{kb['public'].id}/files", data={"files": [(BytesIO(_png()), "a.png")]},
                                content_type="multipart/form-data").status_code == 403  # not their draft
    assert session.scalar(select(func.count()).select_from(ArticleFile)) == 1
