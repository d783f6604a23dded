"""Someone fills in a vacancy's job title with the occupation autocomplete, in a browser.

The code must follow the title: a chosen suggestion puts its code in the form,
typing again takes it away, and the keyboard alone can do all of it (WCAG 2.1.1)
and comes back to the field after a choice (WCAG 2.4.3).
"""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from lotse.core.tests.e2e import assert_accessible
from lotse.occupations.coder import get_coder

pytest_plugins = ["lotse.core.tests.e2e"]
pytestmark = [pytest.mark.e2e, pytest.mark.urls("lotse.occupations.tests.widget_page")]


@pytest.fixture
def vacancy_page(browser_page: Page, transactional_db: Any) -> Page:
    get_coder()  # fitted before the first keystroke, not during it
    browser_page.goto("/test/stelle/")
    return browser_page


def chosen_code(page: Page) -> str:
    return page.locator("input[name=job_kldb5]").input_value()


def test_choosing_a_suggestion_by_keyboard_fills_the_code_and_returns_to_the_field(
    vacancy_page: Page,
) -> None:
    page = vacancy_page
    field = page.get_by_label("Berufsbezeichnung")
    field.press_sequentially("Mechatroniker/in (m/w/d)")
    first = page.locator("#id_job-suggestions button").first
    expect(first).to_contain_text("26112")
    assert_accessible(page)

    field.press("ArrowDown")
    expect(first).to_be_focused()
    page.keyboard.press("Enter")

    assert chosen_code(page) == "26112"
    expect(field).to_be_focused()
    expect(field).to_have_value("Mechatroniker/in")
    expect(page.locator("#id_job-suggestions")).to_contain_text("Gewählt: 26112")
    expect(page.locator("#id_job-suggestions button")).to_have_count(0)


def test_typing_after_a_choice_takes_the_code_away(vacancy_page: Page) -> None:
    page = vacancy_page
    field = page.get_by_label("Berufsbezeichnung")
    field.press_sequentially("Schweißer WIG")
    page.locator("#id_job-suggestions button", has_text="24422").first.click()
    assert chosen_code(page) == "24422"

    field.press("End")
    field.press_sequentially(" und MAG")

    assert chosen_code(page) == ""
    expect(page.locator("#id_job-suggestions button").first).to_be_visible()


def test_escape_closes_the_suggestions_and_keeps_the_title(vacancy_page: Page) -> None:
    page = vacancy_page
    field = page.get_by_label("Berufsbezeichnung")
    field.press_sequentially("Koch")
    expect(page.locator("#id_job-suggestions button").first).to_be_visible()
    field.press("ArrowDown")

    page.keyboard.press("Escape")

    expect(page.locator("#id_job-suggestions button")).to_have_count(0)
    expect(field).to_be_focused()
    expect(field).to_have_value("Koch")
    assert chosen_code(page) == ""


def test_the_search_field_is_marked_invalid_while_its_title_is(
    browser_page: Page, transactional_db: Any
) -> None:
    get_coder()
    page = browser_page
    page.goto("/berufe/")
    field = page.get_by_role("searchbox", name="Berufsbezeichnung")

    field.press_sequentially("1001")
    expect(page.get_by_role("alert")).to_contain_text("nur Ziffern")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile("nur Ziffern"))
    assert_accessible(page)

    field.fill("")
    field.press_sequentially("Koch")
    expect(page.locator("#results")).to_contain_text("29302")
    expect(field).not_to_have_attribute("aria-invalid", "true")
