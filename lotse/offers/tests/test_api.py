"""The offer compass as JSON under /api/v1/offers/: the page's search, filters and facets.

A newsroom or another network's portal reads the published offers with the
same URL parameters as the compass page and gets the same list, page by page;
drafts stay with their provider's staff; nobody writes through this endpoint.
"""

import re
from collections import Counter
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import client_for
from lotse.accounts.models import User
from lotse.core.models import AuditEntry
from lotse.network.models import Organisation
from lotse.offers import views
from lotse.offers.models import Offer, OfferKind, TargetGroup
from lotse.offers.services import create_offer

pytestmark = pytest.mark.django_db

API = "/api/v1"
OFFERS = f"{API}/offers/"
BSW_OFFER = "integration-mit-individualitaet"
DRAFT = "entwurf-fachkraefteberatung"
TRAINING = "Ausbildung/Qualifizierung"
FACETS = {"kind", "target_group", "action_field", "language", "region", "provider"}


def api_client(user: User | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def get(client: APIClient, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return response.json()


def slugs(body: dict[str, Any]) -> list[str]:
    return [offer["slug"] for offer in body["results"]]


def all_pages(client: APIClient, url: str) -> list[str]:
    """Follow ``next`` to the end, as an API consumer would."""
    found: list[str] = []
    next_url: str | None = url
    while next_url:
        body = get(client, next_url)
        found += slugs(body)
        next_url = body["next"]
    return found


def compass_list(query: str) -> list[str]:
    """The list the compass page shows for the same parameters, every page of it."""
    client = client_for(None)
    found: list[str] = []
    number = 1
    while True:
        response = client.get(f"{reverse('offers:offer_list')}?{query}&page={number}")
        assert response.status_code == 200
        found += [offer.slug for offer in response.context["page"]]
        if not response.context["page"].has_next():
            return found
        number += 1


def compass_page(query: str, number: int) -> list[str]:
    """The offers one page of the compass shows."""
    response = client_for(None).get(f"{reverse('offers:offer_list')}?{query}&page={number}")
    assert response.status_code == 200
    return [offer.slug for offer in response.context["page"]]


@pytest.fixture
def draft(admin_user: User) -> Offer:
    """An unpublished offer of the Stadt Chemnitz, the coordinator's organisation."""
    return create_offer(
        actor=admin_user,
        slug=DRAFT,
        title="Entwurf: Fachkräfteberatung für Handwerksbetriebe",
        kind=OfferKind.ADVICE,
        summary="Noch nicht veröffentlicht.",
        provider=Organisation.objects.get(slug="stadt-chemnitz"),
        target_groups=list(TargetGroup.objects.filter(slug="companies")),
    )


# --- Lists ---------------------------------------------------------------------------


def test_a_visitor_pages_through_every_published_offer():
    client = api_client()
    first = get(client, f"{OFFERS}?page_size=25")

    published = Offer.objects.published()
    assert first["count"] == published.count()
    assert len(first["results"]) == 25
    assert first["previous"] is None
    assert parse_qs(urlsplit(first["next"]).query) == {"page": ["2"], "page_size": ["25"]}

    every_offer = all_pages(client, f"{OFFERS}?page_size=25")
    assert len(every_offer) == len(set(every_offer)) == published.count()
    assert set(every_offer) == set(published.values_list("slug", flat=True))
    assert every_offer == compass_list(""), "the API lists in the page's order"


def test_api_pages_are_the_compass_pages_and_the_last_page_holds_the_rest():
    client = api_client()
    size = views.PAGE_SIZE
    total = Offer.objects.published().count()
    pages = -(-total // size)
    assert pages >= 3

    for number in range(1, pages + 1):
        page = get(client, f"{OFFERS}?page={number}")
        assert [offer["slug"] for offer in page["results"]] == compass_page("", number)
    assert len(page["results"]) == total - (pages - 1) * size
    assert page["next"] is None
    assert len(get(client, f"{OFFERS}?page_size=1000")["results"]) == total
    assert client.get(f"{OFFERS}?page={pages + 1}").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "q=Ausbildung",
        "q=Welcome+Center",
        "q=Ausbildng",
        "kind=funding",
        "kind=advice&kind=coaching&sort=title",
        "region=14511",
        "region=15&q=Ausbildung",
        "action_field=1",
        "target_group=companies&q=Ausbildung",
        "provider=stadt-chemnitz",
        "language=en",
    ],
)
def test_a_query_gives_the_same_list_as_on_the_compass_page(query):
    found = all_pages(api_client(), f"{OFFERS}?{query}&page_size=10")

    assert found, f"{query} finds nothing"
    assert found == compass_list(query)


def test_small_pages_give_the_same_ranking_as_large_ones(admin_user):
    """An offer named as typed ("Azubi", not the synonym) belongs on top on every page size.

    The full-text ranks differ between SQLite and PostgreSQL, so two lists are compared:
    on SQLite the demo's "Ausbildung" shows the difference, on PostgreSQL the tie below.
    """
    provider = Organisation.objects.get(slug="stadt-chemnitz")
    titles = [f"Quagga Auszubildende {side}" for side in ("Nord", "Ost", "Süd")]
    for number, title in enumerate([*titles, "Quagga Azubi"]):
        create_offer(
            actor=admin_user, publish=True, slug=f"quagga-{number}", title=title,
            kind=OfferKind.ADVICE, summary="Ein Angebot.", provider=provider,
            target_groups=list(TargetGroup.objects.filter(slug="companies")),
        )  # fmt: skip
    client = api_client()
    for query in ("q=Ausbildung", "q=Quagga+Azubi"):
        whole = slugs(get(client, f"{OFFERS}?{query}&page_size=100"))
        assert all_pages(client, f"{OFFERS}?{query}&page_size=2") == whole, query


def test_the_response_carries_the_facets_with_counts_that_follow_the_query():
    body = get(api_client(), f"{OFFERS}?q=Ausbildung&kind=advice")

    assert set(body["facets"]) == FACETS
    kinds = body["facets"]["kind"]
    advice = str(OfferKind.ADVICE.label)  # German, as the request asked for nothing else
    chosen = [value for value in kinds if value["selected"]]
    assert chosen == [
        {"value": "advice", "label": advice, "count": body["count"], "selected": True}
    ]
    assert len(kinds) > 1  # the other kinds stay on offer, counted without the kind filter
    for name, values in body["facets"].items():
        for value in values:
            assert set(value) == {"value", "label", "count", "selected"}, name
            if name != "kind":
                assert 0 < value["count"] <= body["count"], (name, value)
    assert not any(value["selected"] for value in body["facets"]["action_field"])


def test_facet_counts_add_up_to_the_number_of_offers_found():
    body = get(api_client(), f"{OFFERS}?q=Ausbildung")
    assert sum(value["count"] for value in body["facets"]["kind"]) == body["count"]
    assert body["corrections"] == []


def test_a_typo_is_corrected_and_the_correction_reported():
    typo = get(api_client(), f"{OFFERS}?q=Ausbildng")
    right = get(api_client(), f"{OFFERS}?q=Ausbildung")

    assert typo["corrections"] == [["ausbildng", "ausbildung"]]
    assert slugs(typo) == slugs(right)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("region=12x", "region"),
        ("kind=dragon", "kind"),
        ("target_group=dragons", "target_group"),
        ("sort=random", "sort"),
    ],
)
def test_an_invalid_filter_is_answered_with_400_naming_it(query, field):
    response = api_client().get(f"{OFFERS}?{query}")

    assert response.status_code == 400
    assert field in response.json()


# --- One offer -----------------------------------------------------------------------


def test_an_offer_is_read_by_its_slug_with_its_practice_examples():
    offer = get(api_client(), f"{OFFERS}{BSW_OFFER}/")

    assert offer["url"] == f"http://testserver{OFFERS}{BSW_OFFER}/"
    assert offer["slug"] == BSW_OFFER
    assert offer["title"].startswith("Integration mit Individualität")
    assert offer["kind"] == "coaching"
    assert offer["provider"] == "bsw-bildungszentrum"
    assert offer["provider_name"] == "bsw – Bildungszentrum der Sächsischen Wirtschaft"
    assert set(offer["target_groups"]) == {
        "migrants", "refugees", "international-talents", "companies",
    }  # fmt: skip
    assert sorted(offer["action_fields"]) == [
        "fachkraefteallianz-chemnitz/2",
        "fachkraefteallianz-chemnitz/3",
    ]
    assert offer["regions"] == ["14511"]
    assert offer["nationwide"] is False
    assert offer["languages"] == ["de"]
    assert offer["links"] == [
        {"label": "bsw – Bildungszentrum", "url": "https://www.bsw-sachsen.de"}
    ]
    assert offer["source"].startswith("Handlungskonzept Fachkräfteallianz Chemnitz")
    assert offer["provider_assumed"] is False
    assert offer["published_at"]
    [example] = offer["practice_examples"]
    assert example["title"] == "Integration mit Individualität"
    assert example["organisation"] == "bsw-bildungszentrum"
    assert example["figures"] == [
        {"value": 200.0, "unit": "", "label": "aufgenommene Personen"},
        {"value": 40.0, "unit": "%", "label": f"Vermittlungsquote in {TRAINING} (über)"},
        {"value": 150.0, "unit": "", "label": "Partnerschaften zu Chemnitzer Betrieben"},
    ]  # fmt: skip


def test_a_provider_the_source_does_not_name_is_marked_as_assumed_in_list_and_detail():
    client = api_client()
    listed = get(client, f"{OFFERS}?q=Pop-Up-B%C3%BCro")["results"]
    [pop_up] = [offer for offer in listed if offer["slug"] == "pop-up-buero"]

    assert pop_up["provider_assumed"] is True
    assert get(client, pop_up["url"])["provider_assumed"] is True


def test_list_and_detail_describe_an_offer_alike():
    client = api_client()
    listed = next(
        offer
        for offer in get(client, f"{OFFERS}?q=Integration+Individualit%C3%A4t")["results"]
        if offer["slug"] == BSW_OFFER
    )
    assert listed == get(client, f"{OFFERS}{BSW_OFFER}/")


def test_every_listed_offer_reads_as_its_own_document():
    client = api_client()
    listed = get(client, f"{OFFERS}?page_size=500")["results"]

    assert len(listed) == Offer.objects.published().count()
    for offer in listed:
        assert offer == get(client, offer["url"]), offer["slug"]


@pytest.mark.parametrize(
    "query", ["kind=funding", "region=abc", "q=Stipendium", "provider=ihk-chemnitz&page=9"]
)
def test_an_offers_address_finds_it_whatever_list_filters_a_link_carries(query):
    """A link copied from a filtered list keeps its query; the offer is still there."""
    client = api_client()
    plain = get(client, f"{OFFERS}{BSW_OFFER}/")

    response = client.get(f"{OFFERS}{BSW_OFFER}/?{query}")

    assert response.status_code == 200, response.content
    assert response.json() == plain


def test_the_list_still_checks_its_filters():
    assert api_client().get(f"{OFFERS}?region=abc").status_code == 400


def test_an_unknown_offer_is_404():
    assert api_client().get(f"{OFFERS}no-such-offer/").status_code == 404


def test_drafts_stay_with_the_providers_staff(users, draft):
    def sees(role: str) -> tuple[int, bool]:
        client = api_client(users[role])
        detail = client.get(f"{OFFERS}{DRAFT}/").status_code
        listed = DRAFT in all_pages(client, f"{OFFERS}?q=Entwurf+Fachkr%C3%A4fteberatung")
        return detail, listed

    assert {role: sees(role) for role in users} == {
        "anonymous": (404, False),
        "administrator": (200, True),
        "coordinator": (200, True),  # Stadt Chemnitz provides it
        "adviser": (404, False),
        "other_adviser": (404, False),
        "company": (404, False),
        "talent": (404, False),
    }
    assert get(api_client(), OFFERS)["count"] == Offer.objects.published().count()


# --- Who may do what -------------------------------------------------------------

ROLES = [
    "anonymous",
    "talent",
    "company",
    "adviser",
    "other_adviser",
    "coordinator",
    "administrator",
]


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def no_writes() -> dict[str, int]:
    """Visitors must sign in, non-staff are refused, staff find no such method."""
    return {**everyone(405), "anonymous": 401, "talent": 403, "company": 403}


OFFER_URL = f"{OFFERS}{BSW_OFFER}/"
DRAFT_URL = f"{OFFERS}{DRAFT}/"

MATRIX: list[tuple[str, str, dict[str, int]]] = [
    ("get", OFFERS, everyone(200)),
    ("get", f"{OFFERS}?q=Ausbildung&kind=advice", everyone(200)),
    ("get", f"{OFFERS}?region=12x", everyone(400)),
    ("get", OFFER_URL, everyone(200)),
    ("get", DRAFT_URL, {**everyone(404), "coordinator": 200, "administrator": 200}),
    ("head", OFFER_URL, everyone(200)),
    ("options", OFFERS, everyone(200)),
    ("post", OFFERS, no_writes()),
    ("put", OFFER_URL, no_writes()),
    ("patch", OFFER_URL, no_writes()),
    ("delete", OFFER_URL, no_writes()),
    ("patch", DRAFT_URL, no_writes()),
    ("delete", DRAFT_URL, no_writes()),
]

PAYLOADS = {
    "post": {"slug": "neu", "title": "Neu", "kind": "advice", "summary": "Neu."},
    "put": {"slug": BSW_OFFER, "title": "Überschrieben", "kind": "advice", "summary": "Neu."},
    "patch": {"title": "Überschrieben"},
}


@pytest.mark.parametrize(
    ("method", "role", "url", "expected"),
    [
        pytest.param(method, role, url, expected, id=f"{method.upper()} {url} as {role}")
        for method, url, by_role in MATRIX
        for role, expected in by_role.items()
    ],
)
def test_permission_matrix(users, draft, method, role, url, expected):
    client = api_client(users[role])
    entries = AuditEntry.objects.count()
    before = list(Offer.objects.order_by("pk").values_list("slug", "title", "status"))

    response = getattr(client, method)(url, PAYLOADS.get(method), format="json")

    assert response.status_code == expected, response.content[:500]
    if expected == 401:
        assert response["WWW-Authenticate"] == "Token"
    assert AuditEntry.objects.count() == entries, "nothing was written"
    assert list(Offer.objects.order_by("pk").values_list("slug", "title", "status")) == before


def test_the_matrix_covers_every_role_and_method(users):
    assert set(users) == set(ROLES)
    assert all(set(by_role) == set(ROLES) for _method, _url, by_role in MATRIX)
    methods = {method for method, _url, _by_role in MATRIX}
    assert methods >= {"get", "post", "put", "patch", "delete"}


# --- Query counts ------------------------------------------------------------------


def statement_shapes(queries: CaptureQueriesContext) -> Counter[str]:
    """Each statement with its literals blanked: an N+1 shows as one shape many times."""
    shapes: Counter[str] = Counter()
    for query in queries.captured_queries:
        sql = re.sub(r"'[^']*'", "?", query["sql"])
        sql = re.sub(r"\b\d+\b", "?", sql)
        shapes[re.sub(r"\(\?(, \?)*\)", "(?)", sql)] += 1
    return shapes


@pytest.mark.parametrize("role", ["anonymous", "coordinator"])
@pytest.mark.parametrize(
    "query",
    ["", "q=Ausbildung&", "kind=advice&kind=coaching&sort=title&", "region=14&q=Fachkr%C3%A4fte&"],
)
def test_list_queries_do_not_grow_with_the_number_of_offers(
    users, role, query, django_assert_max_num_queries
):
    """A prefetch that finds nothing saves its second query, so compare shapes, not counts."""
    client = api_client(users[role])
    client.get(f"{OFFERS}?{query}page_size=1")  # the session and the vocabulary are loaded once

    with django_assert_max_num_queries(26) as queries:
        response = client.get(f"{OFFERS}?{query}page_size=50")

    assert response.status_code == 200
    assert len(response.json()["results"]) > 10
    repeated = {sql: n for sql, n in statement_shapes(queries).items() if n > 1}
    assert not repeated, repeated


def test_reading_an_offer_with_its_practice_examples_takes_a_fixed_number_of_queries(
    django_assert_max_num_queries,
):
    with django_assert_max_num_queries(9) as queries:
        assert api_client().get(OFFER_URL).status_code == 200
    assert max(statement_shapes(queries).values()) == 1
