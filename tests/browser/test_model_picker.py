"""The intake form's model picker in Chromium: suggestions as the clerk types, a pick by keyboard or
mouse, and the choice kept when the form comes back with an error."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from servicecenter.accounts.roles import Role
from servicecenter.db import Database
from tests.browser.conftest import LiveServer
from tests.browser.pages import IntakeFormPage, LoginPage
from tests.factories import PASSWORD, Factory

FIRST, SECOND = "Атлант ХМ-4021 (Холодильники)", "Атлант ХМ-4025 (Холодильники)"


def test_the_clerk_types_part_of_a_name_and_picks_a_model(page: Page, live_server: LiveServer,
                                                          committed_database: Database) -> None:
    with committed_database.unit_of_work() as s:
        f = Factory(s)
        f.user(f.center("MSK"), Role.INTAKE, email="counter@msk.test")
        atlant = f.manufacturer("Атлант")
        first = f.model(atlant, name="ХМ-4021", category="Холодильники")
        second = f.model(atlant, name="ХМ-4025", category="Холодильники")
        f.model(f.manufacturer("Bosch"), name="Serie 4")
        first_id, second_id = str(first.id), str(second.id)

    LoginPage(page, live_server.url).goto().log_in("counter@msk.test", PASSWORD)
    form = IntakeFormPage(page, live_server.url).goto()

    # Lower-case Cyrillic finds the brand; arrows move, Enter picks and does not submit the form.
    assert form.choose_model("атлант хм", nth=1) == SECOND
    assert form.chosen_model_id() == second_id and form.current_path == "/intake/new"
    expect(form.model_list).to_be_hidden()

    # Editing the text forgets the pick until the clerk picks again, here with the mouse.
    form.model_picker.press("Backspace")
    assert form.chosen_model_id() == ""
    expect(form.model_suggestions).to_have_text([SECOND])  # the edited label still finds its model
    form.model_picker.fill("")
    form.model_picker.press_sequentially("ХОЛОДИЛЬНИКИ")
    expect(form.model_suggestions).to_have_text([FIRST, SECOND])
    form.model_suggestions.first.click()
    assert form.model_picker.input_value() == FIRST and form.chosen_model_id() == first_id

    # Nothing in the catalogue: a note, no option to pick; Escape closes the list.
    form.model_picker.fill("")
    form.model_picker.press_sequentially("нет такой")
    expect(form.model_list.locator(".empty")).to_be_visible()
    assert form.model_suggestions.count() == 0 and form.chosen_model_id() == ""
    form.model_picker.press("Escape")
    expect(form.model_list).to_be_hidden()

    # The form comes back with an error elsewhere: the picker still names the chosen model.
    form.model_picker.fill("")
    assert form.choose_model("4021") == FIRST
    form.field("serial").fill("FR-1")
    with page.expect_navigation():
        page.locator("form.intake button[type=submit]").click()
    assert form.current_path == "/intake/new"
    expect(page.locator("form.intake [data-field=fault].invalid")).to_have_count(1)
    assert form.model_picker.input_value() == FIRST and form.chosen_model_id() == first_id
