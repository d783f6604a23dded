"""A visitor narrows the compass with facets, in a browser: no filter is lost unseen.

The form sends only the checkboxes it shows, and htmx swaps the facets with the
results; a chosen value must therefore always be shown, and the keyboard focus
must come back to the box just ticked (WCAG 2.4.3).
"""

import re
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from lotse.core.tests.e2e import PageOpener, assert_accessible, in_language

pytest_plugins = ["lotse.core.tests.e2e"]
pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_site")]


def german(text: Any) -> str:
    return in_language("de", text)


def results(page: Page) -> Locator:
    return page.locator("#results")


def facet(page: Page, label: str) -> Locator:
    return results(page).get_by_role("checkbox", name=re.compile(rf"^{re.escape(label)} \(\d+\)$"))


def focused_id(page: Page) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def test_a_filter_without_hits_for_the_query_survives_the_next_tick(browser_page: Page) -> None:
    page = browser_page
    page.goto("/offers/?target_group=works-councils&q=Deutschlandstipendium")
    expect(facet(page, "Betriebsräte")).to_be_checked()

    facet(page, "Studierende").check()

    expect(page).to_have_url(re.compile(r"[?&]target_group=students(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]target_group=works-councils(&|$)"))
    expect(facet(page, "Betriebsräte")).to_be_checked()


def test_the_keyboard_focus_stays_on_the_ticked_box_after_the_list_is_swapped(
    browser_page: Page,
) -> None:
    page = browser_page
    page.goto("/offers/?q=Ausbildung")
    coaching = facet(page, german("Coaching"))
    coaching.focus()

    page.keyboard.press("Space")

    expect(page).to_have_url(re.compile(r"[?&]kind=coaching(&|$)"))
    expect(facet(page, german("Coaching"))).to_be_checked()
    expect(facet(page, german("Coaching"))).to_be_focused()
    assert focused_id(page) == "f-kind-coaching"


def test_a_value_under_more_can_be_chosen_and_then_shows_among_the_first(
    browser_page: Page,
) -> None:
    page = browser_page
    page.goto("/offers/")
    providers = (
        results(page)
        .locator("fieldset")
        .filter(has=page.get_by_text(german("Provider"), exact=True))
    )
    more = providers.locator("details")
    more.locator("summary").click()
    folded = more.get_by_role("checkbox").last
    value = folded.get_attribute("value")
    assert value
    assert_accessible(page)

    folded.focus()
    page.keyboard.press("Space")

    expect(page).to_have_url(re.compile(rf"[?&]provider={re.escape(value)}(&|$)"))
    chosen = providers.locator(f'ul.choices > li input[value="{value}"]').first
    expect(chosen).to_be_visible()  # shown, although the "more" list is closed again
    expect(chosen).to_be_checked()
    expect(chosen).to_be_focused()


def test_the_rest_of_a_facet_opens_without_javascript(open_page: PageOpener) -> None:
    page = open_page(java_script_enabled=False)
    page.goto("/offers/")
    more = results(page).locator("details").first
    hidden = more.get_by_role("checkbox").first
    expect(hidden).to_be_hidden()

    more.locator("summary").click()
    expect(hidden).to_be_visible()
