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


class EngineerPage(WorkstationPage):
    """The bench: my queue (by due date), the center's unassigned orders with Take, hours logged, the scan."""

    path = "/engineer/"
    endpoint = "engineer.index"

    def my_queue(self) -> list[str]:
        """Order numbers of my queue, in the order shown."""
        return self.page.locator("table[data-queue=mine] tr[data-order]").evaluate_all(
            "rows => rows.map(r => r.dataset.order)")

    def waiting(self) -> list[str]:
        return self.page.locator("table[data-queue=waiting] tr[data-order]").evaluate_all(
            "rows => rows.map(r => r.dataset.order)")

    def take(self, number: str) -> None:
        """Take an unassigned order from the queue (the page reloads on the queue)."""
        with self.page.expect_navigation():
            self.page.locator(f"button[data-take='{number}']").click()

    def scan(self, code: str) -> None:
        """Type a code into the scan field as a scanner does (the code, then Enter)."""
        self.scan_field.fill(code)
        with self.page.expect_navigation():
            self.scan_field.press("Enter")

    @property
    def hours(self) -> Locator:
        return self.page.locator("[data-hours]")


class BenchSection(OrderPage):
    """The bench section of the order page (templates/orders/_work.html); located by ids and data- hooks."""

    def _submit(self, hook: str) -> None:
        with self.page.expect_navigation():
            self.page.locator(f"#bench [data-submit={hook}]").click()

    @property
    def repeat_warning(self) -> Locator:
        return self.page.locator("[data-repeat-repair]")

    @property
    def refusals(self) -> Locator:
        """Flashed refusals (bad input, wrong state, someone else was first)."""
        return self.page.locator("main .flash.error")

    def take(self) -> None:
        with self.page.expect_navigation():
            self.page.locator("#bench-take").click()

    def diagnose(self, symptom: str, cause: str, action: str | None = None, text: str = "") -> None:
        """Pick the codes (by their code, e.g. "S01") and record the diagnosis."""
        for kind, code in (("symptom", symptom), ("cause", cause), ("action", action)):
            if code:
                select = self.page.locator(f"#bench-{kind}")
                value = select.locator("option", has_text=f"{code} ·").first.get_attribute("value") or ""
                select.select_option(value)
        if text:
            self.page.locator("#bench-diagnosis-text").fill(text)
        self._submit("diagnosis")

    def diagnosis_codes(self) -> str:
        return self.page.locator("[data-diagnosis-codes]").inner_text().strip()

    def log_work(self, minutes: int | str, description: str) -> None:
        self.page.locator("#bench-minutes").fill(str(minutes))
        self.page.locator("#bench-work-text").fill(description)
        self._submit("work")

    def work_total(self) -> str:
        return self.page.locator("[data-work-total]").inner_text().strip()

    def checklist_items(self) -> dict[str, bool]:
        """Each checklist line's item id → ticked."""
        items = self.page.locator("#bench-checklist li[data-item]")
        return {li.get_attribute("data-item") or "": li.get_attribute("data-ticked") == "1" for li in items.all()}

    def tick(self, item_id: int | str) -> None:
        with self.page.expect_navigation():
            self.page.locator(f"#bench-item-{item_id}").click()

    def complete_checklist(self) -> None:
        for item_id, ticked in self.checklist_items().items():
            if not ticked:
                self.tick(item_id)

    def replace_part(self, part: str, old_serial: str, new_serial: str) -> None:
        self.page.locator("#bench-part").fill(part)
        self.page.locator("#bench-old-serial").fill(old_serial)
        self.page.locator("#bench-new-serial").fill(new_serial)
        self._submit("parts")

    def finish(self, outcome: str = "repaired", conclusion: str = "", replacement_serial: str = "") -> None:
        self.page.locator("#bench-outcome").select_option(outcome)
        if replacement_serial:
            self.page.locator("#bench-replacement").fill(replacement_serial)
        if conclusion:
            self.page.locator("#bench-conclusion").fill(conclusion)
        self._submit("finish")

    def state(self) -> str:
        """The order's state as its CSS class says (state-ready_for_pickup ...)."""
        classes = self.page.locator("main h1 .state").get_attribute("class") or ""
        return next((c.removeprefix("state-") for c in classes.split() if c.startswith("state-")), "")


class TeamLeadPage(WorkstationPage):
    """The team lead's queue: filters, rows (by order number), checking rows, bulk actions."""

    path = "/team-lead/"
    endpoint = "team_lead.index"

    def rows(self) -> list[str]:
        """The order numbers in the queue, top to bottom."""
        return [tr.get_attribute("data-order") or "" for tr in self.page.locator("table.queue tr[data-order]").all()]

    def filter(self, **values: str) -> None:
        """Set filters by field name (state, engineer, brand, category, payment, deadline, age_min,
        age_max, sort) and show the queue."""
        form = self.page.locator("form.queue-filters")
        for name, value in values.items():
            if name == "state":  # checkboxes in a drop-down
                form.locator("details.multi").evaluate("el => { el.open = true; }")
                form.locator(f"input[name=state][value={value}]").check()
                continue
            field = form.locator(f"[name={name}]")
            if field.evaluate("el => el.tagName") == "SELECT":
                field.select_option(value)
            else:
                field.fill(value)
        with self.page.expect_navigation():
            form.locator("button[type=submit]").click()

    def check(self, *numbers: str) -> None:
        for number in numbers:
            self.page.locator(f"table.queue tr[data-order='{number}'] input[name=order]").check()

    def check_all(self) -> None:
        self.page.locator("table.queue input[data-check-all]").check()

    def checked(self) -> list[str]:
        return [tr.get_attribute("data-order") or "" for tr in
                self.page.locator("table.queue tr[data-order]:has(input[name=order]:checked)").all()]

    def engineer_options(self) -> dict[str, str]:
        """The assign picker: engineer id -> the option's text (name, load, skills)."""
        options = self.page.locator("#bulk select[name=engineer_id] option")
        return {o.get_attribute("value") or "": o.inner_text().strip() for o in options.all()
                if (o.get_attribute("value") or "").isdigit()}

    def bulk_assign(self, engineer_id: int | str) -> None:
        self.page.locator("#bulk select[name=engineer_id]").select_option(str(engineer_id))
        with self.page.expect_navigation():
            self.page.locator("#bulk button[value=assign]").click()

    def accept_suggestion(self, number: str) -> None:
        with self.page.expect_navigation():
            self.page.locator(f"table.queue tr[data-order='{number}'] button.suggest").click()

    def engineer_of(self, number: str) -> str:
        return self.page.locator(f"table.queue tr[data-order='{number}'] td").nth(5).inner_text().strip()


class EstimateSection(OrderPage):
    """The estimate and parts sections of the order page (templates/orders/_estimate.html, _parts.html)."""

    def _submit(self, hook: str) -> None:
        with self.page.expect_navigation():
            self.page.locator(f"main [data-submit={hook}]").click()

    def state(self) -> str:
        classes = self.page.locator("main h1 .state").get_attribute("class") or ""
        return next((c.removeprefix("state-") for c in classes.split() if c.startswith("state-")), "")

    def add_labour(self, code: str, quantity: str = "1") -> None:
        select = self.page.locator("#estimate-labour")
        select.select_option(select.locator("option", has_text=f"{code} —").first.get_attribute("value") or "")
        self.page.locator("#estimate-labour-qty").fill(quantity)
        self._submit("estimate-labour")

    def add_part(self, code: str, quantity: str = "1") -> None:
        self.page.locator("#estimate-part").fill(code)
        self.page.locator("#estimate-part-qty").fill(quantity)
        self._submit("estimate-part")

    def gross(self) -> str:
        return self.page.locator("[data-estimate-gross]").get_attribute("data-estimate-gross") or ""

    def send(self) -> None:
        self._submit("estimate-send")

    def answer(self, answer: str, via: str = "phone", note: str = "") -> None:
        """The customer's answer: approve, decline or revise, and how it came (phone, in_person, email)."""
        self.page.locator("#estimate-via").select_option(via)
        if note:
            self.page.locator("#estimate-note").fill(note)
        self._submit(f"answer-{answer}")

    def reserve(self, code: str, quantity: str = "1") -> None:
        self.page.locator("#parts-code").fill(code)
        self.page.locator("#parts-qty").fill(str(quantity))
        self._submit("parts-reserve")

    def request_shortage(self) -> None:
        self._submit("parts-shortage")

    def reservations(self) -> dict[str, str]:
        rows = self.page.locator("main tr[data-reservation]")
        return {r.get_attribute("data-reservation") or "": r.get_attribute("data-state") or "" for r in rows.all()}

    def part_requests(self) -> dict[str, str]:
        rows = self.page.locator("main tr[data-part-request]")
        return {r.get_attribute("data-part-request") or "": r.get_attribute("data-state") or "" for r in rows.all()}

    @property
    def refusals(self) -> Locator:
        return self.page.locator("main .flash.error")


class JourneyOrderPage(EstimateSection, BenchSection):
    """The whole order page as one user sees it: the bench, estimate and parts sections, the history."""

    def _submit(self, hook: str) -> None:  # both sections' buttons carry data-submit hooks under main
        with self.page.expect_navigation():
            self.page.locator(f"main [data-submit={hook}]").click()

    def history(self) -> list[tuple[str, str, str]]:
        """The history table, oldest first as shown: (event kind, the value it went to, the row's text)."""
        return [(tr.get_attribute("data-event") or "", tr.get_attribute("data-to") or "",
                 " ".join(tr.inner_text().split())) for tr in self.page.locator("table.history tr[data-event]").all()]

    def state_label(self) -> str:
        """The order's state in words, as the heading shows it."""
        return self.page.locator("main h1 .state").inner_text().strip()

    def said(self) -> str:
        """The success messages flashed on this page, as one text."""
        return " ".join(t.strip() for t in self.page.locator("main .flash.success").all_inner_texts())

    def transition_buttons(self) -> list[str]:
        """The actions of the generic transition forms (beside the facts)."""
        return self.page.locator("main .actions form.transition").evaluate_all(
            "forms => forms.map(f => f.dataset.action)")

    @property
    def hand_back(self) -> Locator:
        return self.page.locator("nav.print a[href*='/issue/']")


class CounterPage(IntakePage):
    """The intake counter's lists: what is ready for pickup."""

    def ready(self) -> list[str]:
        return [a.inner_text().strip() for a in self.page.locator("[data-queue=ready] table a").all()]

    def open_ready(self, number: str) -> None:
        with self.page.expect_navigation():
            self.page.locator("[data-queue=ready] table a", has_text=number).click()


class LogisticsPage(WorkstationPage):
    """Shipments: the list with its filters, opening a new shipment, the shipment-label scan field."""

    path = "/logistics/"
    endpoint = "logistics.index"

    def open_shipment(self, origin_code: str, destination_code: str) -> None:
        """Open a new shipment from one warehouse to another (chosen by their codes)."""
        form = self.page.locator("form[data-form=new-shipment]")
        if not form.is_visible():
            self.page.locator("details.new-shipment summary").click()
        for name, code in (("origin", origin_code), ("destination", destination_code)):
            select = form.locator(f"select[name={name}]")
            value = select.locator("option", has_text=code).first.get_attribute("value")
            select.select_option(value)
        with self.page.expect_navigation():
            form.locator("button[type=submit]").click()

    def listed(self) -> list[str]:
        return [tr.get_attribute("data-shipment") or "" for tr in self.page.locator("table.shipments tr[data-shipment]").all()]

    def scan(self, code: str) -> None:
        """Type a shipment number as the scanner does, then Enter."""
        self.scan_field.press_sequentially(code)
        with self.page.expect_navigation():
            self.scan_field.press("Enter")


class ShipmentPage(WorkstationPage):
    """One shipment: scan items in (build or receive), its lines, dispatch, print, finish receiving, the report."""

    @property
    def number(self) -> str:
        return self.page.locator("section[data-page=shipment]").get_attribute("data-shipment") or ""

    @property
    def state(self) -> str:
        return self.page.locator("section[data-page=shipment]").get_attribute("data-state") or ""

    def scan(self, code: str) -> None:
        """Type a code into the focused scan field as a scanner does, and Enter."""
        self.scan_field.press_sequentially(code)
        with self.page.expect_navigation():
            self.scan_field.press("Enter")

    def lines(self) -> dict[str, str]:
        """Each line's serial/SKU → its state (packed, received, missing, unexpected...)."""
        return {tr.get_attribute("data-item") or "": tr.get_attribute("data-item-state") or ""
                for tr in self.page.locator("table.shipment-items tr[data-item]").all()}

    def print_link(self, doc: str) -> str:
        return self.base_url + (self.page.locator(f"a[data-doc={doc}]").get_attribute("href") or "")

    def dispatch(self, carrier: str, tracking: str = "", places: str = "") -> None:
        form = self.page.locator("form[data-form=dispatch]")
        form.locator("input[name=carrier]").fill(carrier)
        form.locator("input[name=tracking]").fill(tracking)
        form.locator("input[name=places]").fill(places)
        with self.page.expect_navigation():
            form.locator("button[type=submit]").click()

    def finish_receiving(self) -> None:
        with self.page.expect_navigation():
            self.page.locator("form[data-form=complete] button[type=submit]").click()

    def missing(self) -> list[str]:
        return [tr.get_attribute("data-missing") or "" for tr in self.page.locator("tr[data-missing]").all()]

    def unexpected(self) -> list[str]:
        return [tr.get_attribute("data-unexpected") or "" for tr in self.page.locator("tr[data-unexpected]").all()]


class WarehousePage(WorkstationPage):
    """The warehouse: one scan field for any code; receiving; shelf (put-away) and pick-list pages."""

    path = "/warehouse/"
    endpoint = "warehouse.index"

    def scan(self, code: str) -> None:
        """Type a code into the page's scan field as a scanner does, and Enter."""
        self.scan_field.first.press_sequentially(code)
        with self.page.expect_navigation():
            self.scan_field.first.press("Enter")

    def _submit(self, form: str, code: str, quantity: str) -> None:
        scope = self.page.locator(f"form[data-form={form}]")
        scope.locator("input[name=quantity]").fill(quantity)
        field = scope.locator("input[name=code]")
        field.press_sequentially(code)
        with self.page.expect_navigation():
            field.press("Enter")

    def receive(self, code: str, quantity: str = "1") -> None:
        self._submit("receive", code, quantity)

    def put_away(self, code: str, quantity: str = "1") -> None:
        """On a shelf's page: the quantity, then the item's code into the scan field."""
        self._submit("put-away", code, quantity)

    def issue(self, code: str, quantity: str = "1") -> None:
        """On an order's pick list: the quantity, then the part's code."""
        self._submit("issue", code, quantity)

    def shelf_parts(self) -> dict[str, int]:
        return {tr.get_attribute("data-sku") or "": int(tr.locator("td.num").inner_text())
                for tr in self.page.locator("table.shelf-parts tr[data-sku]").all()}

    def pick_lines(self) -> dict[str, tuple[int, int, int, int]]:
        """Each part's (reserved to pick, issued, requested, short) on the pick list."""
        def num(tr: Locator, cls: str) -> int:
            return int(tr.locator(f"td.{cls}").inner_text().strip())

        return {tr.get_attribute("data-sku") or "": (num(tr, "reserved"), num(tr, "issued"), num(tr, "requested"),
                                                     num(tr, "short"))
                for tr in self.page.locator("table.pick-list tr[data-sku]").all()}

    def pick_orders(self) -> list[str]:
        return [a.inner_text().strip() for a in self.page.locator("table.pick-orders td:first-child a").all()]
