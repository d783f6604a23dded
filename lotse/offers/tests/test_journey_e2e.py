"""A company and a person find offers without an account (journeys 4 and 5), in a browser.

The German catalogue may still lack the compass's labels, so they are looked up
with gettext rather than spelled out; the assertions rest on the demo offers.
"""

import re
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from lotse.core.tests.e2e import PageOpener, assert_accessible, in_language
from lotse.offers.models import Offer

pytest_plugins = ["lotse.core.tests.e2e"]
pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_site")]

COMPANIES = "Unternehmen und KMU"
FINDER_LINK = "Not sure what to search for? Answer three questions."
MISMATCH = "This need does not fit the answer to the first question."
BSW_OFFER = "Integration mit Individualität – berufliche Integration von Ausländern in Chemnitz"


def german(text: Any) -> str:
    return in_language("de", text)


def h1(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def results(page: Page) -> Locator:
    return page.locator("#results")


def hits(page: Page) -> Locator:
    return results(page).locator("ol.hit-list > li.card")


def result_count(page: Page) -> Locator:
    return results(page).get_by_role("heading", level=2).first


def counted(number: int) -> str:
    """The result heading ("19 Angebote") as the template's blocktranslate renders it."""
    with translation.override("de"):
        return translation.ngettext("%(counter)s offer", "%(counter)s offers", number) % {
            "counter": number
        }


def facet(page: Page, label: str) -> Locator:
    """A facet checkbox; its name is the label followed by the count, e.g. "Coaching (4)"."""
    return results(page).get_by_role("checkbox", name=re.compile(rf"^{re.escape(label)} \(\d+\)$"))


def count_of(checkbox: Locator) -> int:
    """The number a facet checkbox's label promises."""
    label = checkbox.locator("xpath=..").inner_text()
    match = re.search(r"\((\d+)\)\s*$", label)
    assert match, label
    return int(match[1])


def facet_count(page: Page, label: str) -> int:
    return count_of(facet(page, label))


def mark_document(page: Page) -> None:
    page.evaluate("window.stillTheSameDocument = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.stillTheSameDocument") is True, "the page was reloaded"


def open_compass_from_the_start_page(page: Page) -> None:
    page.goto("/")
    navigation = page.get_by_role("navigation", name=german("Main navigation"))
    navigation.get_by_role("link", name=german("Offer compass"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/offers/$"))
    expect(h1(page)).to_have_text(german("Offer compass"))
    expect(result_count(page)).to_have_text(counted(Offer.objects.published().count()))


def search(page: Page, text: str) -> None:
    page.get_by_label(german("What are you looking for?"), exact=True).fill(text)
    page.get_by_role("button", name=german("Search"), exact=True).click()


def test_a_company_finds_help_with_apprentices_in_the_compass(browser_page: Page) -> None:
    """Journey 4: start page, compass, "Ausbildung", only offers for companies, one offer."""
    page = browser_page
    open_compass_from_the_start_page(page)
    assert_accessible(page)
    mark_document(page)

    search(page, "Ausbildung")
    expect(page).to_have_url(re.compile(r"[?&]q=Ausbildung(&|$)"))
    expect(hits(page).first.locator("mark").first).to_be_visible()
    for_companies = facet_count(page, COMPANIES)

    facet(page, COMPANIES).check()
    expect(page).to_have_url(re.compile(r"[?&]target_group=companies(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]q=Ausbildung(&|$)"))
    expect(result_count(page)).to_have_text(counted(for_companies))
    expect(facet(page, COMPANIES)).to_be_checked()
    assert_not_reloaded(page)
    assert_accessible(page)

    first = hits(page).first.get_by_role("link").first
    title = first.inner_text()
    first.click()
    expect(h1(page)).to_have_text(title)
    expect(page.get_by_text(COMPANIES)).to_be_visible()
    assert_accessible(page)


def test_facets_update_the_list_in_place_again_and_again(browser_page: Page) -> None:
    """Each tick after a search swaps only the results and puts the filter into the URL."""
    page = browser_page
    page.goto("/offers/")
    mark_document(page)

    search(page, "Ausbildung")
    expect(page).to_have_url(re.compile(r"[?&]q=Ausbildung(&|$)"))
    advice = facet_count(page, german("Advice"))

    facet(page, german("Advice")).check()
    expect(page).to_have_url(re.compile(r"[?&]kind=advice(&|$)"))
    expect(result_count(page)).to_have_text(counted(advice))

    # After the swap the facets are new elements; ticking one must still be heard.
    field = results(page).locator("input[name=action_field]").first
    in_field = count_of(field)
    assert in_field < advice
    field.check()
    expect(page).to_have_url(re.compile(r"[?&]action_field=\d+(&|$)"))
    expect(result_count(page)).to_have_text(counted(in_field))

    page.get_by_label(german("Sort by"), exact=True).select_option("title")
    expect(page).to_have_url(re.compile(r"[?&]sort=title(&|$)"))
    expect(hits(page)).to_have_count(in_field)
    titles = hits(page).get_by_role("heading", level=3).all_inner_texts()
    assert titles == list(
        Offer.objects.filter(title__in=titles).order_by("title").values_list("title", flat=True)
    )
    assert_not_reloaded(page)

    page.go_back()  # the pushed URLs are real history entries
    expect(page).to_have_url(re.compile(r"[?&]action_field=\d+(&|$)"))
    expect(page).not_to_have_url(re.compile(r"sort=title"))


def test_the_compass_filters_without_javascript(open_page: PageOpener) -> None:
    page = open_page(java_script_enabled=False)
    page.goto("/offers/?q=Ausbildung")
    coaching = facet_count(page, german("Coaching"))

    facet(page, german("Coaching")).check()
    page.get_by_role("button", name=german("Apply filters"), exact=True).click()

    expect(page).to_have_url(re.compile(r"[?&]kind=coaching(&|$)"))
    expect(result_count(page)).to_have_text(counted(coaching))
    expect(facet(page, german("Coaching"))).to_be_checked()


def test_a_person_answers_the_finder_and_lands_on_matching_offers(browser_page: Page) -> None:
    """Journey 5: from the compass to the finder, a wrong answer explained, then offers."""
    page = browser_page
    open_compass_from_the_start_page(page)
    page.get_by_role("link", name=german(FINDER_LINK)).click()
    expect(page).to_have_url(re.compile(r"/offers/finder/$"))
    expect(h1(page)).to_have_text(german("Find the right offer"))
    assert_accessible(page)

    page.get_by_label(german("A person looking for work or training"), exact=True).check()
    page.get_by_label(german("Train apprentices"), exact=True).check()  # a company's need
    page.get_by_label(german("…or your postcode")).fill("09111")
    page.get_by_role("button", name=german("Show offers"), exact=True).click()
    expect(page.get_by_text(german(MISMATCH))).to_be_visible()
    assert_accessible(page)

    page.get_by_label(german("Find an apprenticeship or training"), exact=True).check()
    page.get_by_role("button", name=german("Show offers"), exact=True).click()

    expect(page).to_have_url(re.compile(r"/offers/\?q=Ausbildung&region=14511$"))
    expect(h1(page)).to_have_text(german("Offer compass"))
    expect(page.get_by_label(german("What are you looking for?"), exact=True)).to_have_value(
        "Ausbildung"
    )
    expect(hits(page).first).to_be_visible()
    hits(page).first.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/offers/[a-z0-9-]+/$"))


def test_offer_page_with_practice_figures_is_accessible(browser_page: Page) -> None:
    page = browser_page
    page.goto("/offers/?q=Integration+Individualit%C3%A4t")
    page.get_by_role("link", name=BSW_OFFER).click()
    expect(h1(page)).to_have_text(BSW_OFFER)
    example = page.get_by_role("region", name="Integration mit Individualität")
    expect(example.get_by_role("listitem")).to_have_text(
        [
            "200 aufgenommene Personen",
            "40 % Vermittlungsquote in Ausbildung/Qualifizierung (über)",
            "150 Partnerschaften zu Chemnitzer Betrieben",
        ]
    )
    assert_accessible(page)
