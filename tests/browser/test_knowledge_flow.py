"""The knowledge base in Chromium: an engineer opens an order, sees the known fault of the unit's model
with how often it was repaired, follows the suggested article, then writes up the diagnosis as a draft."""

from __future__ import annotations

from playwright.sync_api import Locator, Page
from sqlalchemy import select

from servicecenter.accounts.roles import Role
from servicecenter.db import Database
from servicecenter.diagnostics.catalogue import create_code
from servicecenter.knowledge.models import Article, ArticleState
from servicecenter.knowledge.services import create_article
from servicecenter.repairs.states import RepairState
from servicecenter.repairs.work import record_diagnosis
from tests.browser.conftest import LiveServer
from tests.browser.pages import BasePage, LoginPage
from tests.factories import PASSWORD, Factory


class KnowledgeSection(BasePage):
    """The order page's knowledge base section (located by structure, never by translated text)."""

    path = "/orders/"

    @property
    def section(self) -> Locator:
        return self.page.locator("section#knowledge")

    def suggested(self) -> list[str]:
        return self.section.locator("li[data-suggested]").evaluate_all("els => els.map(e => e.dataset.suggested)")

    def repairs(self, article_id: int) -> str | None:
        count = self.section.locator(f"li[data-suggested='{article_id}'] [data-repairs]")
        return count.get_attribute("data-repairs") if count.count() else None

    def follow(self, article_id: int) -> None:
        with self.page.expect_navigation():
            self.section.locator(f"li[data-suggested='{article_id}'] a").click()

    def draft_from_diagnosis(self) -> None:
        with self.page.expect_navigation():
            self.page.locator("#draft-from-diagnosis").click()


def test_engineer_follows_a_suggested_article_and_drafts_one(page: Page, live_server: LiveServer,
                                                            committed_database: Database) -> None:
    with committed_database.unit_of_work() as s:
        f = Factory(s)
        center = f.center("KBF")
        admin, lead = f.staff(center, Role.ADMIN), f.staff(center, Role.TEAM_LEAD)
        engineer = f.user(center, Role.ENGINEER, email="kb@kbf.test", name="Инженер Знаний")
        model = f.model(category="Стиральные машины", name="WW80")
        codes = {code: create_code(s, admin, category="Стиральные машины", kind=kind, code=code, name=name)
                 for kind, code, name in (("symptom", "S-PWR", "Не включается"), ("cause", "C12", "Плата питания"))}
        article = create_article(s, lead, title="Известная неисправность: плата питания C12",
                                 body="Проверьте **диодный мост** и предохранитель F1.", visibility="internal",
                                 code_ids=[codes["C12"].id], model_ids=[model.id], state="published")
        orders = []
        for n in range(3):
            order = f.order(center, state=RepairState.DIAGNOSIS, unit=f.unit(model=model, serial=f"WW80-{n}"))
            order.engineer_id = engineer.id
            record_diagnosis(s, engineer, order, symptom_id=codes["S-PWR"].id, cause_id=codes["C12"].id,
                             text="Пробит диодный мост")
            orders.append(order)
        number, article_id, email = orders[-1].number, article.id, engineer.email

    LoginPage(page, live_server.url).goto().log_in(email, PASSWORD)
    page.goto(f"{live_server.url}/orders/{number}")
    section = KnowledgeSection(page, live_server.url)
    assert section.suggested()[0] == str(article_id)
    assert section.repairs(article_id) == "3"  # three repairs of this model found C12 this year
    section.follow(article_id)
    assert page.url.endswith(f"/knowledge/{article_id}")
    assert page.locator("[data-article-body] strong").inner_text() == "диодный мост"

    page.go_back()
    section.draft_from_diagnosis()
    assert page.url.endswith("/edit")
    assert "Плата питания" in page.locator("input[name=title]").input_value()
    with page.expect_navigation():
        page.locator("#article-save").click()
    assert page.locator("[data-state]").get_attribute("data-state") == "draft"
    with committed_database.session() as s:
        draft = s.scalar(select(Article).where(Article.source_order_id.isnot(None)))
        assert draft.state == ArticleState.DRAFT and draft.author.email == email
