"""The administrator's diagnosis codes and checklists per product category."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from servicecenter.accounts.roles import Role
from servicecenter.diagnostics.models import ChecklistItem, CodeKind, DiagnosisCode
from tests.factories import csrf_token, login


@pytest.fixture
def admin_client(client, factory):  # noqa: ANN001, ANN201
    admin = factory.user(factory.center(), Role.ADMIN)
    admin.locale = "en"
    factory.model(category="Стиральные машины")
    login(client, admin.email)
    return client


def test_admin_adds_lists_and_edits_codes(admin_client, session) -> None:  # noqa: ANN001
    html = admin_client.get("/admin/codes/new").get_data(as_text=True)
    assert 'list="category-list"' in html and "Стиральные машины" in html
    data = {"csrf_token": csrf_token(html), "category": "Стиральные машины", "kind": "symptom", "code": "s-01",
            "name": "Не сливает воду", "active": "y"}
    r = admin_client.post("/admin/codes/new", data=data, follow_redirects=True)
    assert "Code S-01 created." in r.get_data(as_text=True)
    r = admin_client.post("/admin/codes/new", data=data)
    assert r.status_code == 422 and "This category already has this code" in r.get_data(as_text=True)
    code = session.scalar(select(DiagnosisCode).where(DiagnosisCode.code == "S-01"))
    assert code.kind == CodeKind.SYMPTOM and code.active
    listing = admin_client.get("/admin/codes/", query_string={"category": "Стиральные"}).get_data(as_text=True)
    assert 'data-code="S-01"' in listing
    edit = admin_client.get(f"/admin/codes/{code.id}/edit").get_data(as_text=True)
    r = admin_client.post(f"/admin/codes/{code.id}/edit", data={**data, "csrf_token": csrf_token(edit),
                                                                "active": ""}, follow_redirects=True)
    assert "Code S-01 saved." in r.get_data(as_text=True)
    session.expire_all()
    assert not code.active


def test_admin_adds_checklist_items(admin_client, session) -> None:  # noqa: ANN001
    html = admin_client.get("/admin/checklists/new").get_data(as_text=True)
    r = admin_client.post("/admin/checklists/new", follow_redirects=True, data={
        "csrf_token": csrf_token(html), "category": "Стиральные машины", "text": "Проверка слива", "position": "1",
        "required": "y", "active": "y"})
    assert "Checklist item saved." in r.get_data(as_text=True) and "Проверка слива" in r.get_data(as_text=True)
    item = session.scalar(select(ChecklistItem))
    assert item.required and item.position == 1
    r = admin_client.post("/admin/checklists/new", data={"csrf_token": csrf_token(html), "category": "",
                                                         "text": "", "position": "5000"})
    assert r.status_code == 422
    assert session.scalar(select(ChecklistItem).where(ChecklistItem.id != item.id)) is None


def test_only_the_administrator_reaches_the_catalogue(client, factory) -> None:  # noqa: ANN001
    login(client, factory.user(factory.center(), Role.ENGINEER).email)
    assert client.get("/admin/codes/").status_code == 403
    assert client.get("/admin/checklists/").status_code == 403
