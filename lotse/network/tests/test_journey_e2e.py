"""A visitor's way through the public network pages, in a real browser.

The German catalogue may still be unwritten, so UI labels are looked up with
gettext rather than spelled out; the assertions rest on the demo data.
"""

import re
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from lotse.core.tests.e2e import PageOpener, assert_accessible, in_language
from lotse.network.demo import load_demo_data
from lotse.network.models import MembershipRole, OrganisationKind
from lotse.network.regions import load_regions

pytest_plugins = ["lotse.core.tests.e2e"]
pytestmark = pytest.mark.e2e

CHEMNITZ = "Fachkräfteallianz Chemnitz"
TALENT_FIELD = "Talente gewinnen – Fachkräfte gezielt rekrutieren"
AGENCY = "Agentur für Arbeit Chemnitz"
HOME_HEADING = "Lotse – skilled-labour alliances working together"


@pytest.fixture(autouse=True)
def demo_site(transactional_db: Any) -> None:
    """Live-server tests flush the database afterwards, so load the demo networks again."""
    load_regions()
    load_demo_data()


def german(text: Any) -> str:
    return in_language("de", text)


def h1(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def list_after_heading(page: Page, heading: str) -> Locator:
    """The list directly following the heading named ``heading``."""
    return page.get_by_role("heading", name=heading, exact=True).locator(
        "xpath=following-sibling::*[self::ul or self::ol][1]"
    )


def test_visitor_follows_start_page_to_network_action_field_and_organisation(
    browser_page: Page,
) -> None:
    """The main way in: start page, an alliance, one of its action fields, a member."""
    page = browser_page
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(h1(page)).to_have_text(german(HOME_HEADING))
    assert_accessible(page)

    page.get_by_role("link", name=CHEMNITZ, exact=True).click()
    expect(page).to_have_url(re.compile(r"/networks/fachkraefteallianz-chemnitz/$"))
    expect(h1(page)).to_have_text(CHEMNITZ)
    managing = list_after_heading(page, german(MembershipRole.MANAGING.label))
    expect(managing.get_by_role("link", name=AGENCY, exact=True)).to_be_visible()
    expect(managing.get_by_role("link", name="Stadt Chemnitz", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(TALENT_FIELD))).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=re.compile(TALENT_FIELD)).click()
    expect(page).to_have_url(re.compile(r"/networks/fachkraefteallianz-chemnitz/action-fields/2/$"))
    expect(h1(page)).to_have_text(TALENT_FIELD)
    expect(list_after_heading(page, german("Goals"))).to_contain_text(
        "deutschlandweite Gewinnung Rückkehrwilliger"
    )
    expect(list_after_heading(page, german("Implementation approaches"))).to_contain_text(
        "Etablierung des Welcome Centers"
    )
    assert_accessible(page)

    page.get_by_role("link", name=AGENCY, exact=True).click()
    expect(page).to_have_url(re.compile(r"/organisations/agentur-fuer-arbeit-chemnitz/$"))
    expect(h1(page)).to_have_text(AGENCY)
    expect(page.get_by_role("link", name=CHEMNITZ, exact=True)).to_be_visible()
    assert_accessible(page)


def _expect_only_employment_agencies(page: Page) -> None:
    rows = page.locator("#results tbody tr")
    expect(rows.filter(has_text=AGENCY)).to_have_count(1)
    expect(rows.filter(has_text="Stadt Chemnitz")).to_have_count(0)
    kinds = rows.locator("td:nth-child(2)")
    expect(kinds.first).to_have_text(german(OrganisationKind.EMPLOYMENT_AGENCY.label))
    assert set(kinds.all_inner_texts()) == {german(OrganisationKind.EMPLOYMENT_AGENCY.label)}


def test_organisation_filter_updates_in_place_with_a_shareable_url_and_works_without_javascript(
    browser_page: Page, open_page: PageOpener
) -> None:
    """htmx swaps only the results but puts the filter in the URL; the plain form works too."""
    page = browser_page
    page.goto("/networks/")
    expect(page.get_by_role("link", name=CHEMNITZ, exact=True)).to_be_visible()
    assert_accessible(page)

    page.goto("/organisations/")
    assert_accessible(page)
    page.evaluate("window.stillTheSameDocument = true")
    page.get_by_text(german("Kind"), exact=True).first.click()  # opens the kinds
    page.get_by_label(german(OrganisationKind.EMPLOYMENT_AGENCY.label), exact=True).check()
    expect(page).to_have_url(re.compile(r"[?&]kind=employment_agency(&|$)"))
    _expect_only_employment_agencies(page)
    assert page.evaluate("window.stillTheSameDocument") is True, "the page was reloaded"
    assert_accessible(page)

    plain = open_page(java_script_enabled=False)
    plain.goto("/organisations/")
    plain.get_by_text(german("Kind"), exact=True).first.click()
    plain.get_by_label(german(OrganisationKind.EMPLOYMENT_AGENCY.label), exact=True).check()
    plain.get_by_role("button", name=german("Show"), exact=True).click()
    expect(plain).to_have_url(re.compile(r"[?&]kind=employment_agency(&|$)"))
    _expect_only_employment_agencies(plain)


def test_keyboard_user_skips_to_content_and_switches_the_language_to_english(
    browser_page: Page,
) -> None:
    """The first Tab reaches the skip link to main; the language form needs no mouse."""
    page = browser_page
    page.goto("/")
    page.keyboard.press("Tab")
    skip_link = page.locator("a.skip-link")
    expect(skip_link).to_be_focused()
    box = skip_link.bounding_box()
    assert box is not None and box["x"] >= 0, "the focused skip link stays off-screen"
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()

    page.get_by_label(german("Language"), exact=True).select_option(label="English")
    page.get_by_role("button", name=german("Switch"), exact=True).press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(h1(page)).to_have_text(in_language("en", HOME_HEADING))
    assert_accessible(page)
