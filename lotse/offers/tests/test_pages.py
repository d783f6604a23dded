"""The offer compass as a company or a person uses it without an account (journeys 4 and 5).

One query box, facets whose counts follow the query, a URL that can be shared,
offer pages with their practice examples, and a finder of three questions.
UI labels are looked up through gettext, so the assertions hold whether or
not the German catalogue has caught up; the data are the demo offers.
"""

import datetime
import re
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from conftest import client_for
from lotse.network.models import ContactPoint, Organisation
from lotse.offers import views
from lotse.offers.finder import NEEDS
from lotse.offers.models import Offer, OfferKind, TargetGroup
from lotse.offers.services import create_offer, update_offer

pytestmark = pytest.mark.django_db

COMPASS = reverse("offers:offer_list")
FINDER = reverse("offers:finder")
BSW_OFFER = "integration-mit-individualitaet"
CHEMNITZ_KREIS = "14511"

CHECKBOX = re.compile(
    r'<label for="(?P<for>[^"]+)"><input type="checkbox" id="(?P<id>[^"]+)" name="(?P<name>\w+)" '
    r'value="(?P<value>[^"]+)"(?P<checked> checked)?>'
    r'\s*(?P<label>.*?)\s*<span class="count">\((?P<count>\d+)\)</span>'
)


def german(msgid: str) -> str:
    with translation.override("de"):
        return translation.gettext(msgid)


def german_count(number: int) -> str:
    """The result heading ("19 Angebote") as the template's blocktranslate renders it."""
    with translation.override("de"):
        return translation.ngettext("%(counter)s offer", "%(counter)s offers", number) % {
            "counter": number
        }


def compass(client: Client, query: str = "", **headers: Any) -> Any:
    response = client.get(f"{COMPASS}?{query}" if query else COMPASS, headers=headers)
    assert response.status_code == 200, response.content[:500]
    return response


def listed(response: Any) -> list[str]:
    """The slugs of the offers on the page, in their order."""
    return [offer.slug for offer in response.context["page"]]


def every_page(client: Client, query: str) -> list[str]:
    """The whole result list, page after page, as a visitor following "next" gets it."""
    slugs: list[str] = []
    number = 1
    while True:
        response = compass(client, f"{query}&page={number}" if query else f"page={number}")
        slugs += listed(response)
        if not response.context["page"].has_next():
            return slugs
        number += 1


def checkboxes(html: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (match["name"], match["value"]): {
            "label": unescape(match["label"]),
            "count": int(match["count"]),
            "checked": bool(match["checked"]),
            "id": match["id"],
            "for": match["for"],
        }
        for match in CHECKBOX.finditer(html)
    }


def results_heading(html: str) -> str:
    match = re.search(r'<h2 id="hits-heading"[^>]*>(.*?)</h2>', html, re.S)
    assert match, "the result list has no heading"
    return unescape(match[1]).strip()


def published_slugs() -> set[str]:
    return set(Offer.objects.published().values_list("slug", flat=True))


@pytest.fixture
def new_offer(admin_user):
    """Create an offer of the Stadt Chemnitz (the coordinator's organisation) as an admin."""
    provider = Organisation.objects.get(slug="stadt-chemnitz")

    def make(slug: str, title: str, *, publish: bool = True, **extra: Any) -> Offer:
        return create_offer(
            actor=admin_user,
            publish=publish,
            slug=slug,
            title=title,
            kind=extra.pop("kind", OfferKind.ADVICE),
            summary=extra.pop("summary", "Beratung für Betriebe in Chemnitz."),
            provider=provider,
            target_groups=list(TargetGroup.objects.filter(slug="companies")),
            **extra,
        )

    return make


# --- The page itself ------------------------------------------------------------------


def test_the_compass_speaks_german_and_lists_every_published_offer(client):
    response = compass(client)
    html = response.content.decode()

    assert '<html lang="de">' in html
    assert response["Content-Language"] == "de"
    assert html.count("<h1>") == 1
    assert f"<h1>{german('Offer compass')}</h1>" in html
    assert german("What are you looking for?") in html
    total = len(published_slugs())
    assert total == Offer.objects.count() == 71, "every demo offer is published"
    assert results_heading(html) == german_count(total)
    assert len(listed(response)) == views.PAGE_SIZE


def test_a_query_shows_snippets_with_the_matching_words_highlighted(client):
    response = compass(client, "q=Ausbildung")
    html = response.content.decode()
    hits = re.findall(r'<li class="card">(.*?)</li>', html, re.S)

    assert hits, "no result for Ausbildung"
    assert len(hits) == min(response.context["page"].paginator.count, views.PAGE_SIZE)
    assert "<mark>" in hits[0], "the best hit shows why it matched"
    marked = {word.casefold() for word in re.findall(r"<mark>(.*?)</mark>", html)}
    assert "ausbildung" in marked
    assert results_heading(html) == german_count(response.context["page"].paginator.count)


def test_a_hit_shows_its_match_in_the_snippet_even_at_the_end_of_the_text(client):
    """Offers may match through a target group the list does not show; not these."""
    response = compass(client, "q=Ausbildung")
    html = response.content.decode()
    hits = re.findall(r'<li class="card">(.*?)</li>', html, re.S)

    for offer, hit in zip(response.context["page"], hits, strict=True):
        if "ausbildung" in f"{offer.title} {offer.summary} {offer.description}".casefold():
            assert "<mark>" in hit, f"{offer.slug} does not show why it matched"


def test_a_typo_is_corrected_and_the_correction_is_shown(client):
    html = compass(client, "q=Ausbildng").content.decode()

    assert german("Searched instead for:") in html
    assert "<strong>ausbildung</strong>" in html
    assert "<mark>" in html


def test_a_query_that_finds_nothing_says_so_and_offers_no_facets(client):
    response = compass(client, "q=Quastenflosser")
    html = response.content.decode()

    assert listed(response) == []
    assert results_heading(html) == german_count(0)
    assert german("No offer matches. Try fewer words or remove a filter.") in html
    assert checkboxes(html) == {}


def test_facets_are_checkboxes_whose_counts_follow_the_query(client):
    html = compass(client, "q=Ausbildung").content.decode()
    boxes = checkboxes(html)
    kinds = {value: box["count"] for (name, value), box in boxes.items() if name == "kind"}
    groups = {value: box for (name, value), box in boxes.items() if name == "target_group"}

    assert kinds, "the kinds are offered as checkboxes"
    assert sum(kinds.values()) == compass(client, "q=Ausbildung").context["page"].paginator.count
    assert groups["companies"]["label"] == TargetGroup.objects.get(slug="companies").name
    assert not any(box["checked"] for box in boxes.values())
    everything = {value: box["count"] for (name, value), box in checkboxes(
        compass(client).content.decode()
    ).items() if name == "kind"}  # fmt: skip
    assert all(kinds[kind] <= everything[kind] for kind in kinds)
    assert sum(everything.values()) == len(published_slugs())


@pytest.mark.parametrize(
    "facet",
    [
        "kind",
        "action_field",
        "target_group",
        "language",
        "provider",
    ],
)
def test_a_facet_count_is_the_number_of_offers_ticking_it_shows(client, facet):
    """Whatever a facet promises, ticking it delivers: count and list agree."""
    boxes = checkboxes(compass(client, "q=Ausbildung").content.decode())
    value, box = next((value, box) for (name, value), box in boxes.items() if name == facet)

    ticked = compass(client, urlencode({"q": "Ausbildung", facet: value}))
    html = ticked.content.decode()

    assert not ticked.context["filter"].errors, ticked.context["filter"].errors
    assert ticked.context["page"].paginator.count == box["count"]
    assert results_heading(html) == german_count(box["count"])
    assert checkboxes(html)[(facet, value)]["checked"]


def test_region_facets_are_links_that_keep_the_query(client):
    html = compass(client, "q=Ausbildung").content.decode()

    assert f'href="{COMPASS}?q=Ausbildung&amp;region={CHEMNITZ_KREIS}"' in html


def test_a_chosen_region_is_named_with_a_way_back_to_every_region(client):
    """The finder and the region links set a region the form only carries hidden."""
    html = unescape(
        compass(client, f"q=Ausbildung&region={CHEMNITZ_KREIS}&page=1").content.decode()
    )

    assert "<strong>Chemnitz, Stadt</strong>" in html
    assert f'<a href="{COMPASS}?q=Ausbildung">{german("Show offers for every region")}</a>' in html
    assert (
        german("Show offers for every region")
        not in compass(client, "q=Ausbildung").content.decode()
    )


def test_an_unknown_region_in_the_address_says_so_with_a_way_back(client):
    html = unescape(compass(client, "q=Ausbildung&region=123").content.decode())

    alert = html.split('role="alert"', 1)[1].split("</div>", 1)[0]
    assert f'<a href="{COMPASS}?q=Ausbildung">{german("Show offers for every region")}</a>' in alert


def facet_section(html: str, legend: str) -> str:
    """The fieldset of one facet, by its legend."""
    match = re.search(
        rf"<fieldset>\s*<legend>{re.escape(legend)}</legend>(.*?)</fieldset>", html, re.S
    )
    assert match, f"no facet {legend}"
    return match[1]


def behind_more(section: str) -> str:
    """The part of a facet folded away under "more" (empty if it has none)."""
    match = re.search(r"<details[^>]*>(.*?)</details>", section, re.S)
    return match[1] if match else ""


def test_a_chosen_filter_stays_ticked_when_the_query_leaves_it_no_offer(client):
    """Else the next change of the form sends it no more and the filter is gone unseen."""
    html = compass(client, "target_group=works-councils&q=Deutschlandstipendium").content.decode()
    box = checkboxes(html)[("target_group", "works-councils")]

    assert box["checked"]
    assert box["count"] == 0
    assert box["label"] == TargetGroup.objects.get(slug="works-councils").name


def test_a_chosen_kind_without_offers_for_the_query_stays_ticked(client):
    boxes = checkboxes(compass(client, "q=Welcome+Center").content.decode())
    offered = {value for (name, value) in boxes if name == "kind"}
    absent = next(kind for kind in OfferKind.values if kind not in offered)

    html = compass(client, urlencode({"q": "Welcome Center", "kind": absent})).content.decode()

    assert checkboxes(html)[("kind", absent)]["checked"]
    assert checkboxes(html)[("kind", absent)]["count"] == 0


def test_a_long_facet_shows_its_twelve_largest_values_and_the_rest_under_more(client):
    """Every value can be chosen, also without JavaScript: <details> needs none."""
    html = compass(client).content.decode()
    providers = facet_section(html, german("Provider"))
    more = behind_more(providers)
    listed_providers = {value for (name, value) in checkboxes(providers) if name == "provider"}

    assert len(listed_providers) == Offer.objects.published().values("provider").distinct().count()
    assert len(checkboxes(providers)) - len(checkboxes(more)) == 12
    assert checkboxes(more), "more than twelve providers have offers"


def test_a_chosen_value_beyond_the_first_twelve_is_shown_ticked(client):
    html = compass(client).content.decode()
    folded = list(checkboxes(behind_more(facet_section(html, german("Provider")))))
    assert folded, "more than twelve providers have offers"
    name, value = folded[-1]  # the provider with the fewest offers

    ticked = compass(client, urlencode({name: value})).content.decode()
    providers = facet_section(ticked, german("Provider"))

    assert checkboxes(providers)[(name, value)]["checked"]
    assert (name, value) not in checkboxes(behind_more(providers)), "shown, not folded away"
    assert len(checkboxes(providers)) - len(checkboxes(behind_more(providers))) == 13


def test_a_chosen_region_stays_listed_and_marked_when_the_query_leaves_it_no_offer(client):
    html = compass(client, "q=Deutschlandstipendium&region=15").content.decode()
    regions = facet_section(html, german("Region"))

    chosen = re.findall(r'<a href="[^"]*region=(\d+)[^"]*" aria-current="true">', regions)
    assert chosen == ["15"]
    assert '<input type="hidden" name="region" value="15">' in html


def test_every_facet_checkbox_has_a_stable_id_its_label_names(client):
    """htmx gives the keyboard focus back to the element of the same id after a swap."""
    before = checkboxes(compass(client, "q=Ausbildung").content.decode())
    after = checkboxes(compass(client, "q=Ausbildung&kind=advice").content.decode())
    ids = [box["id"] for box in before.values()]

    assert ids and len(set(ids)) == len(ids)
    assert all(box["for"] == box["id"] for box in before.values())
    assert all(re.fullmatch(r"[\w-]+", id_) for id_ in ids)
    assert all(after[key]["id"] == box["id"] for key, box in before.items() if key in after)
    assert after[("kind", "advice")]["id"] == before[("kind", "advice")]["id"]


def test_a_kreis_finds_its_own_its_lands_and_nationwide_offers_but_not_other_kreise(client):
    in_chemnitz = set(every_page(client, f"region={CHEMNITZ_KREIS}"))

    assert BSW_OFFER in in_chemnitz  # region 14511
    assert in_chemnitz >= set(Offer.objects.filter(nationwide=True).values_list("slug", flat=True))
    assert in_chemnitz >= set(
        Offer.objects.filter(regions__code="14").values_list("slug", flat=True)
    )
    assert "switch-verkuerzte-ausbildung-studienabbrecher" not in in_chemnitz  # Aachen


# --- Shareable URLs, htmx and plain forms ----------------------------------------------

SHARED_LISTS = [
    "q=Ausbildung",
    "q=Ausbildung&kind=advice&kind=coaching",
    f"q=Welcome+Center&region={CHEMNITZ_KREIS}",
    "kind=funding&sort=title",
    "action_field=1&sort=newest",
    "q=Ausbildung&target_group=companies",
]


@pytest.mark.parametrize("query", SHARED_LISTS)
def test_a_shared_url_gives_everyone_the_same_list(users, query):
    """The URL is the whole state: a colleague opening it sees exactly this list."""
    first = every_page(client_for(None), query)
    again = every_page(Client(), query)
    company = every_page(client_for(users["company"]), query)

    assert first, f"{query} finds nothing"
    assert first == again == company
    assert len(set(first)) == len(first), "no offer twice"


def test_htmx_gets_only_the_results_fragment_of_the_same_list(client):
    query = "q=Ausbildung&kind=advice"
    page = compass(client, query)
    fragment = compass(client, query, **{"HX-Request": "true"})
    html = fragment.content.decode()

    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html and "<h1>" not in html and 'role="search"' not in html
    assert listed(fragment) == listed(page)
    assert results_heading(html) == results_heading(page.content.decode())
    assert f'href="{reverse("offers:export_csv")}?{query.replace("&", "&amp;")}"' in html


def test_a_boosted_htmx_request_gets_the_whole_page(client):
    html = compass(client, "q=Ausbildung", **{"HX-Request": "true", "HX-Boosted": "true"}).content
    assert b"<h1>" in html


def test_the_form_pushes_its_state_into_the_url(client):
    html = compass(client).content.decode()
    form = re.search(r'<form method="get" action="([^"]+)"[^>]*role="search"[^>]*>', html, re.S)

    assert form and form[1] == COMPASS
    assert f'hx-get="{COMPASS}"' in html
    assert 'hx-target="#results"' in html
    assert 'hx-push-url="true"' in html
    # The facets and the sort are swapped with the results; a trigger bound to them with
    # "from:" would be lost after the first swap, so the form listens itself.
    trigger = re.search(r'hx-trigger="([^"]*)"', html)
    assert trigger and "from:" not in trigger[1] and "change" in trigger[1]


def test_filters_work_without_javascript(client):
    """A plain GET of the form, as a browser without JavaScript sends it."""
    response = compass(client, "q=&kind=funding&sort=title")
    html = response.content.decode()

    assert set(listed(response)) == set(
        Offer.objects.published().filter(kind="funding").values_list("slug", flat=True)
    )
    assert checkboxes(html)[("kind", "funding")]["checked"]
    assert '<option value="title" selected>' in html
    assert f'<noscript><button type="submit">{german("Apply filters")}</button></noscript>' in html


# --- Sorting and pages -------------------------------------------------------------------


def test_sorting_by_title_follows_the_databases_order(client):
    expected = list(Offer.objects.published().order_by("title").values_list("slug", flat=True))
    assert every_page(client, "sort=title") == expected


def test_without_a_query_the_newest_offer_comes_first(client, new_offer):
    offer = new_offer("brandneu-beratung", "Brandneue Beratung für Betriebe")

    assert listed(compass(client))[0] == offer.slug
    assert listed(compass(client, "sort=newest"))[0] == offer.slug
    assert listed(compass(client, "sort=title"))[0] != offer.slug


def test_a_query_ranks_by_relevance_unless_sorted_otherwise(client):
    relevant = compass(client, "q=Welcome+Center")
    by_title = compass(client, "q=Welcome+Center&sort=title")

    assert relevant.context["result"].sort == "relevance"
    default = r'<option value="" selected>\s*' + german("Relevance")
    assert re.search(default, relevant.content.decode())
    assert sorted(listed(relevant)) == sorted(listed(by_title))
    titles = [offer.title for offer in by_title.context["page"]]
    assert titles == list(
        Offer.objects.filter(slug__in=listed(by_title))
        .order_by("title")
        .values_list("title", flat=True)
    )


def test_a_new_search_from_the_unsorted_compass_is_ranked_by_relevance(client):
    """The form submits the default order as no value, so "newest" does not stick."""
    start = compass(client).content.decode()
    assert re.search(r'<option value="" selected>\s*' + german("Newest"), start)
    assert '<option value="relevance">' in start

    searched = compass(client, "q=Welcome+Center&sort=")
    assert searched.context["result"].sort == "relevance"
    assert listed(searched) == listed(compass(client, "q=Welcome+Center&sort=relevance"))

    chosen = compass(client, "q=Welcome+Center&sort=newest").content.decode()
    assert '<option value="newest" selected>' in chosen, "an explicit choice is kept"


NO_OFFER_HAS_EVERY_WORD = "No offer contains all words; showing offers with some of them."


def only_some_have_every_word(number: int) -> str:
    with translation.override("de"):
        return translation.ngettext(
            "Only %(counter)s offer contains all words; offers with some of them follow.",
            "Only %(counter)s offers contain all words; offers with some of them follow.",
            number,
        ) % {"counter": number}


@pytest.mark.parametrize("sort", ["", "title", "newest"])
def test_an_offer_with_every_word_is_listed_first_and_not_denied(client, sort):
    """ "Welcome Center Chemnitz" is an offer's name: the page must not say none has it."""
    response = compass(client, f"q=Welcome+Center+Chemnitz&sort={sort}")
    html = unescape(response.content.decode())
    result = response.context["result"]

    assert "welcome-center-chemnitz" in listed(response)[: result.with_every_word]
    assert german(NO_OFFER_HAS_EVERY_WORD) not in html
    assert only_some_have_every_word(result.with_every_word) in html
    assert 0 < result.with_every_word < response.context["page"].paginator.count


def test_a_query_no_offer_has_every_word_of_says_so(client):
    response = compass(client, "q=Deutschlandstipendium+Quastenflosser")
    html = unescape(response.content.decode())

    assert listed(response), "offers with some of the words are listed"
    assert german(NO_OFFER_HAS_EVERY_WORD) in html
    assert response.context["result"].with_every_word == 0
    assert only_some_have_every_word(0) not in html


def test_pages_split_the_list_without_gaps_or_repeats(client):
    first, second = compass(client, "page=1"), compass(client, "page=2")
    everything = every_page(client, "")

    assert len(listed(first)) == views.PAGE_SIZE
    assert not set(listed(first)) & set(listed(second))
    assert set(everything) == published_slugs()
    assert len(everything) == len(set(everything))
    assert 'href="?page=2"' in first.content.decode()


def test_page_links_keep_the_query_and_the_filters(client):
    html = compass(client, "kind=advice&kind=coaching&kind=qualification").content.decode()
    assert 'href="?kind=advice&amp;kind=coaching&amp;kind=qualification&amp;page=2"' in html


@pytest.mark.parametrize(("page", "shown"), [("999", "last"), ("abc", "first"), ("0", "last")])
def test_a_page_number_out_of_range_shows_a_page_not_an_error(client, page, shown):
    response = compass(client, f"page={page}")
    paginator = response.context["page"].paginator
    assert response.context["page"].number == (paginator.num_pages if shown == "last" else 1)


# --- Invalid filters ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("region=12x", "region"),
        ("region=123", "region"),
        ("kind=dragon", "kind"),
        ("target_group=dragons", "target_group"),
        ("sort=random", "sort"),
        ("action_field=abc", "action_field"),
    ],
)
def test_an_invalid_filter_is_explained_not_a_server_error(client, query, field):
    response = compass(client, query)
    html = response.content.decode()

    assert field in response.context["filter"].errors
    assert listed(response) == []
    alert = re.search(r'<div role="alert" class="errorlist">(.*?)</div>', html, re.S)
    assert alert, "the error is announced"
    if field == "region":
        assert german("Enter a Land or Kreis code.") in unescape(alert[1])


# --- Offer pages ---------------------------------------------------------------------


def test_an_offer_page_shows_provider_target_groups_regions_and_practice_figures(client):
    offer = Offer.objects.get(slug=BSW_OFFER)
    response = client.get(offer.get_absolute_url())
    html = unescape(response.content.decode())

    assert response.status_code == 200
    assert html.count("<h1>") == 1
    assert f"<h1>{offer.title}</h1>" in html
    assert offer.title.startswith("Integration mit Individualität")
    provider = Organisation.objects.get(slug="bsw-bildungszentrum")
    assert f'<a href="{provider.get_absolute_url()}">{provider.name}</a>' in html
    for group in ["Unternehmen und KMU", "Geflüchtete", "Internationale Fachkräfte"]:
        assert group in html
    assert "Chemnitz, Stadt" in html
    assert german("Practice examples") in html
    assert "200 Personen aufgenommen" in html  # the story
    figures = re.search(r'<ul class="figures">(.*?)</ul>', html, re.S)
    assert figures
    # As text, the way a screen reader or a copy reads it: the number, a space, the label.
    items = [re.sub(r"<[^>]+>", "", item) for item in re.findall(r"<li>(.*?)</li>", figures[1])]
    assert items == [
        "200 aufgenommene Personen",
        "40 % Vermittlungsquote in Ausbildung/Qualifizierung (über)",
        "150 Partnerschaften zu Chemnitzer Betrieben",
    ]
    assert "Talente gewinnen – Fachkräfte gezielt rekrutieren" in html  # an action field


def test_an_offers_own_contact_point_comes_first_if_the_visitor_may_see_it(users, admin_user):
    welcome = Organisation.objects.get(slug="welcome-center-chemnitz")
    public = ContactPoint.objects.create(
        organisation=welcome, function="Beratung für Zugewanderte", email="welcome@example.org"
    )
    internal = ContactPoint.objects.create(
        organisation=welcome, function="Abstimmung im Netzwerk", visibility="network"
    )
    offer = Offer.objects.get(slug=BSW_OFFER)

    update_offer(offer, actor=admin_user, contact_point=public)
    contact = contact_section(client_for(None).get(offer.get_absolute_url()))
    assert contact.startswith(
        f"<li><strong>Beratung für Zugewanderte</strong>, {welcome.name}"
        '<br><a href="mailto:welcome@example.org">'
    )

    update_offer(offer, actor=admin_user, contact_point=internal)
    assert "Abstimmung im Netzwerk" not in contact_section(
        client_for(None).get(offer.get_absolute_url())
    )
    assert "Abstimmung im Netzwerk" in contact_section(
        client_for(users["administrator"]).get(offer.get_absolute_url())
    )


def contact_section(response: Any) -> str:
    html = unescape(response.content.decode())
    match = re.search(rf"<h2>{german('Contact')}</h2>\s*<ul>(.*?)</ul>", html, re.S)
    assert match, "no contact section"
    return match[1].strip()


def test_an_unknown_offer_is_not_found(client):
    assert client.get(reverse("offers:offer_detail", args=["no-such-offer"])).status_code == 404


def test_a_draft_is_hidden_from_the_public_but_shown_to_the_providers_staff(users, new_offer):
    draft = new_offer("entwurf-beratung", "Entwurf einer Beratung", publish=False)
    url = draft.get_absolute_url()

    seen = {role: client_for(user).get(url).status_code for role, user in users.items()}
    assert seen == {
        "anonymous": 404,
        "administrator": 200,
        "coordinator": 200,  # Stadt Chemnitz provides it
        "adviser": 404,
        "other_adviser": 404,
        "company": 404,
        "talent": 404,
    }
    own = client_for(users["coordinator"]).get(url).content.decode()
    assert f'<span class="tag">{german("Draft")}</span>' in own
    assert draft.slug in every_page(client_for(users["coordinator"]), "q=Entwurf")
    assert draft.slug not in every_page(client_for(None), "q=Entwurf")


def test_an_expired_offer_leaves_the_public_compass(client, new_offer):
    expired = new_offer(
        "abgelaufen", "Abgelaufene Förderung",
        valid_from=datetime.date(2020, 1, 1), valid_until=datetime.date(2020, 12, 31),
    )  # fmt: skip
    assert client.get(expired.get_absolute_url()).status_code == 404
    assert expired.slug not in every_page(client, "q=Abgelaufene")


# --- The finder --------------------------------------------------------------------------


def finder(client: Client, **answers: str) -> Any:
    return client.get(FINDER, answers)


def redirect_query(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 302, response.content[-2000:]
    location = urlsplit(response["Location"])
    assert location.path == COMPASS
    return parse_qs(location.query)


def test_the_finder_asks_three_questions(client):
    response = finder(client)
    html = response.content.decode()

    assert response.status_code == 200
    assert html.count("<h1>") == 1
    assert german("Find the right offer") in html
    assert html.count("<fieldset>") == 3
    assert 'name="who"' in html and 'name="need"' in html and 'name="postcode"' in html
    assert f'<option value="{CHEMNITZ_KREIS}">' in html
    assert "errorlist" not in html, "an empty finder shows no errors"


def test_a_company_training_apprentices_in_chemnitz_lands_on_the_filtered_compass(client):
    response = finder(client, who="company", need="apprentices", region=CHEMNITZ_KREIS)

    assert redirect_query(response) == {
        "q": ["Ausbildung"],
        "target_group": ["companies"],
        "region": [CHEMNITZ_KREIS],
    }


def test_the_finders_list_is_the_compass_list_for_the_same_answers(client):
    location = finder(client, who="company", need="apprentices", region=CHEMNITZ_KREIS)["Location"]
    response = client.get(location)

    assert response.status_code == 200
    assert not response.context["filter"].errors, response.context["filter"].errors
    found = every_page(client, urlsplit(location).query)
    assert found
    companies = set(TargetGroup.objects.get(slug="companies").offers.values_list("slug", flat=True))
    assert set(found) <= companies


def test_a_postcode_stands_for_its_kreis(client):
    response = finder(client, who="company", need="apprentices", postcode="09111")
    assert redirect_query(response)["region"] == [CHEMNITZ_KREIS]


def test_a_postcode_wins_over_the_chosen_region(client):
    response = finder(client, who="person", need="job", region="15", postcode="09111")
    assert redirect_query(response) == {
        "target_group": ["jobseekers", "skilled-workers"],
        "region": [CHEMNITZ_KREIS],
    }


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"postcode": "00000"}, "postcode", "No place in Germany has this postcode."),
        ({"postcode": "0911"}, "postcode", "A German postcode has five digits."),
        ({"who": "person"}, "need", "This need does not fit the answer to the first question."),
        ({"need": "dragons"}, "need", None),
        ({"region": "99999"}, "region", None),
    ],
)
def test_wrong_answers_are_explained_next_to_their_question(client, answers, field, message):
    response = finder(client, **{"who": "company", "need": "apprentices", **answers})
    html = unescape(response.content.decode())

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert f'id="id_{field}_error"' in html or 'class="errorlist"' in html
    if message:
        assert german(message) in html


def found_count(client: Client, query: dict[str, list[str]] | str) -> int:
    """How many offers the compass lists for these parameters."""
    query = query if isinstance(query, str) else urlencode(query, doseq=True)
    response = compass(client, query)
    assert not response.context["filter"].errors, response.context["filter"].errors
    return response.context["page"].paginator.count


@pytest.mark.parametrize("need", list(NEEDS))
def test_every_need_leads_to_the_offers_it_means(client, need):
    """A need's own target groups are the answer; "companies" narrows the other needs.

    Values of one facet are alternatives, so "companies" beside a need's own target
    group would list every offer for companies, whatever the need.
    """
    _label, who, params = NEEDS[need]
    query = redirect_query(finder(client, who=who, need=need))
    found = found_count(client, query)

    assert found > 0, f"{need} finds nothing"
    if "target_group" in params:
        assert query["target_group"] == params["target_group"]
        assert found == found_count(client, params)
    elif who == "company":
        assert query["target_group"] == ["companies"]
        assert found == found_count(client, {**params, "target_group": ["companies"]})
        assert found <= found_count(client, params)
    else:
        assert found == found_count(client, params)


def test_a_company_recruiting_from_abroad_sees_the_offers_for_international_talents(client):
    query = redirect_query(finder(client, who="company", need="international"))
    for_companies = found_count(client, "target_group=companies")
    international = found_count(client, "target_group=international-talents")

    assert international < for_companies, "the demo data tell the two apart"
    assert found_count(client, query) == international
    assert set(every_page(client, urlencode(query, doseq=True))) == set(
        every_page(client, "target_group=international-talents")
    )


# --- Query budget ---------------------------------------------------------------------


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["anonymous", "coordinator"])
@pytest.mark.parametrize(
    "query",
    ["", "q=Ausbildung", "kind=advice&kind=coaching&sort=title", "q=Fachkräfte&action_field=2"],
)
def test_the_compass_needs_as_many_queries_for_one_offer_as_for_fifty(
    users, monkeypatch, role, query
):
    client = client_for(users[role])
    client.get(f"{COMPASS}?{query}")  # the vocabulary and the session are loaded once

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    one = count_queries(client, f"{COMPASS}?{query}")
    monkeypatch.setattr(views, "PAGE_SIZE", 50)
    fifty = count_queries(client, f"{COMPASS}?{query}")

    assert one == fifty


def test_the_compass_needs_no_more_queries_when_there_are_more_offers(client, new_offer):
    client.get(COMPASS)  # the first search after a change loads the catalogue's columns
    before = count_queries(client, COMPASS)
    for number in range(25):
        new_offer(f"zusatz-{number}", f"Zusätzliche Beratung {number}")
    client.get(COMPASS)
    after = count_queries(client, COMPASS)
    assert after == before


def test_the_first_search_after_a_change_sees_the_change(client, new_offer):
    assert listed(compass(client, "q=Wombatberatung")) == []
    new_offer("wombat", "Wombatberatung für Betriebe")

    assert listed(compass(client, "q=Wombatberatung")) == ["wombat"]


def test_the_compass_pages_stay_within_a_fixed_query_budget(client, django_assert_max_num_queries):
    client.get(f"{COMPASS}?q=Ausbildung")  # the vocabulary is cached per process
    with django_assert_max_num_queries(13):
        compass(client)
    with django_assert_max_num_queries(16):
        compass(client, "q=Ausbildung&kind=advice")
    with django_assert_max_num_queries(17):  # PostgreSQL asks its trigram index about a typo
        compass(client, "q=Ausbildng")
    with django_assert_max_num_queries(13):
        compass(client, "kind=advice", **{"HX-Request": "true"})
    with django_assert_max_num_queries(10):
        client.get(reverse("offers:offer_detail", args=[BSW_OFFER]))
    with django_assert_max_num_queries(3):
        client.get(FINDER, {"who": "company", "need": "apprentices", "postcode": "09111"})
