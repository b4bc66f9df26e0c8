"""Page objects: what a test may see and do on a page, named as the user would say it.

Tests talk to these, not to selectors, so a changed template means one change here. They
locate by structure, role and class (never by translated text): the Russian catalogue changes,
the page's structure should not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Locator, Page, Response


class BasePage:
    """Any page of the app: the top bar, the heading, the flashed messages."""

    path = "/"

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url.rstrip("/")

    def goto(self) -> Self:
        self.page.goto(self.base_url + self.path)
        return self

    @property
    def current_path(self) -> str:
        return urlsplit(self.page.url).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.page.url).query)

    @property
    def language(self) -> str | None:
        """The page's language (<html lang>)."""
        return self.page.locator("html").get_attribute("lang")

    @property
    def heading(self) -> Locator:
        return self.page.locator("main h1")

    def heading_text(self) -> str:
        return self.heading.inner_text().strip()

    @property
    def errors(self) -> Locator:
        """Error messages (role="alert")."""
        return self.page.locator("main [role=alert]")

    @property
    def flashes(self) -> Locator:
        return self.page.locator("main .flash")

    @property
    def whoami(self) -> Locator:
        """The logged-in user's name · role · center in the top bar (absent when logged out)."""
        return self.page.locator("header .whoami")

    def is_logged_in(self) -> bool:
        return self.whoami.count() > 0


class LoginPage(BasePage):
    path = "/login"

    @property
    def form(self) -> Locator:
        return self.page.locator("section.login form")

    @property
    def email(self) -> Locator:
        return self.form.locator("input[name=email]")

    @property
    def password(self) -> Locator:
        return self.form.locator("input[name=password]")

    def log_in(self, email: str, password: str) -> Response | None:
        """Type the e-mail and the password as a person would, and press Enter.

        Returns the response of the page the browser ends on (after any redirect).
        """
        self.email.press_sequentially(email)
        self.password.press_sequentially(password)
        with self.page.expect_navigation() as navigation:
            self.password.press("Enter")
        return navigation.value


@dataclass(frozen=True)
class MenuEntry:
    path: str
    text: str
    current: bool


class WorkstationPage(BasePage):
    """A role's workstation: the menu, the scan field that keeps focus, logging out.

    A workstation's page object sets `path` and `endpoint` (and adds its own queues and actions).
    """

    endpoint: str

    @property
    def menu(self) -> Locator:
        return self.page.locator("header nav.menu a")

    def menu_entries(self) -> list[MenuEntry]:
        return [MenuEntry(path=urlsplit(a.get_attribute("href") or "").path, text=a.inner_text().strip(),
                          current=a.get_attribute("aria-current") == "page")
                for a in self.menu.all()]

    def menu_paths(self) -> list[str]:
        return [entry.path for entry in self.menu_entries()]

    @property
    def scan_field(self) -> Locator:
        return self.page.locator("main .scan-input")

    def scan_field_focused(self) -> bool:
        """Whether the scan field has keyboard focus (document.activeElement), so a scanner can type."""
        return self.page.evaluate(
            "() => { const el = document.activeElement; return !!el && el.matches('main .scan-input'); }")

    def log_out(self) -> None:
        with self.page.expect_navigation():
            self.page.locator("header form[action$='/logout'] button[type=submit]").click()


class IntakePage(WorkstationPage):
    path = "/intake/"
    endpoint = "intake.index"


class IntakeFormPage(BasePage):
    """Receiving a unit: the form the scan of an unknown serial opens."""

    path = "/intake/new"

    def field(self, name: str) -> Locator:
        return self.page.locator(f"form.intake [name={name}]")

    def focused_field(self) -> str | None:
        return self.page.evaluate("() => document.activeElement && document.activeElement.name")

    @property
    def model_picker(self) -> Locator:
        """The model field the clerk types into; the chosen model's id travels in the hidden model_id."""
        return self.page.locator("form.intake [role=combobox]")

    @property
    def model_list(self) -> Locator:
        """The picker's drop-down list (hidden until there is something to say)."""
        return self.page.locator("form.intake [role=listbox]")

    @property
    def model_suggestions(self) -> Locator:
        """The suggestions shown under the picker (an empty answer shows a note, not an option)."""
        return self.model_list.locator("[role=option]:visible")

    def chosen_model_id(self) -> str:
        return self.field("model_id").input_value()

    def choose_model(self, typed: str, nth: int = 0) -> str:
        """Type part of a model's name, wait for its suggestions, go down to the nth and press Enter.

        Returns the label of the model chosen (what the picker now shows).
        """
        self.model_picker.press_sequentially(typed)
        # The answer to the last keystroke has come when a suggestion is highlighted again.
        self.model_list.locator("[role=option][aria-selected=true]").wait_for()
        for _ in range(nth):
            self.model_picker.press("ArrowDown")
        self.model_picker.press("Enter")
        return self.model_picker.input_value()


class OrderPage(BasePage):
    """The shared order page: number, state, print links, history."""

    @property
    def number(self) -> str:
        return self.page.locator("main h1 .number").inner_text().strip()

    def print_link(self, endpoint_suffix: str) -> str:
        href = self.page.locator(f"nav.print a[href$='{endpoint_suffix}']").first.get_attribute("href") or ""
        return self.base_url + href
