"""The compass counts and filters over the catalogue's columns in memory; these tests
prove that those columns follow the same rules as the database's queries."""

import datetime

import pytest
from django.db.models import F
from django.http import QueryDict

from lotse.network.models import Organisation, Region
from lotse.offers.compass import search_offers
from lotse.offers.filters import OfferFilter, covered_codes, regions_covered
from lotse.offers.models import Offer, TargetGroup
from lotse.offers.services import add_practice_example, create_offer, update_offer, withdraw_offer

pytestmark = pytest.mark.django_db

QUERIES = [
    "",
    "kind=advice&kind=funding",
    "target_group=companies",
    "target_group=refugees&target_group=international-talents",
    "region=14511",
    "region=14",
    "region=15003&kind=qualification",
    "language=en",
    "provider=stadt-chemnitz&provider=agentur-fuer-arbeit-chemnitz",
    "action_field=2&sort=title",
]


def compass_slugs(query: str, user) -> set[str]:
    return {offer.slug for offer in search_offers(QueryDict(query), user).offers}


def database_slugs(query: str, user) -> set[str]:
    filterset = OfferFilter(QueryDict(query), queryset=Offer.objects.visible_to(user))
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("slug", flat=True))


@pytest.fixture
def hidden_offers(admin_user):
    """A draft of the Stadt Chemnitz, an expired and a future offer of the Arbeitsagentur."""
    city = Organisation.objects.get(slug="stadt-chemnitz")
    agency = Organisation.objects.get(slug="agentur-fuer-arbeit-chemnitz")
    companies = list(TargetGroup.objects.filter(slug="companies"))
    today = datetime.date.today()
    day = datetime.timedelta(days=1)
    for slug, provider, extra in [
        ("entwurf", city, {}),
        ("abgelaufen", agency, {"publish": True, "valid_until": today - day}),
        ("kuenftig", agency, {"publish": True, "valid_from": today + day}),
    ]:
        create_offer(
            actor=admin_user, slug=slug, title=slug.title(), summary="Ein Angebot.",
            kind="advice", provider=provider, target_groups=companies, **extra,
        )  # fmt: skip


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("who", ["anonymous", "coordinator", "admin_user", "company_user"])
def test_every_filter_lists_what_the_database_lists_for_everyone(
    query, who, request, hidden_offers
):
    user = None if who == "anonymous" else request.getfixturevalue(who)

    assert compass_slugs(query, user) == database_slugs(query, user)


def test_a_coordinator_sees_the_own_draft_and_nobody_else_does(hidden_offers, coordinator, adviser):
    assert "entwurf" in compass_slugs("", coordinator)
    assert "entwurf" not in compass_slugs("", adviser)
    assert "entwurf" not in compass_slugs("", None)
    assert not {"abgelaufen", "kuenftig"} & compass_slugs("", None)


def test_a_withdrawn_offer_leaves_the_list_at_once(admin_user, client):
    offer = Offer.objects.published().get(slug="welcome-center-chemnitz")
    assert "welcome-center-chemnitz" in compass_slugs("q=Welcome", None)

    withdraw_offer(offer, actor=admin_user)

    assert "welcome-center-chemnitz" not in compass_slugs("q=Welcome", None)


def test_a_changed_target_group_moves_the_offer_between_facets(admin_user):
    offer = Offer.objects.get(slug="welcome-center-chemnitz")
    assert "welcome-center-chemnitz" not in compass_slugs("target_group=single-parents", None)

    update_offer(
        offer, actor=admin_user, target_groups=TargetGroup.objects.filter(slug="single-parents")
    )

    assert "welcome-center-chemnitz" in compass_slugs("target_group=single-parents", None)
    counts = {
        facet.value: facet.count
        for facet in search_offers(QueryDict("q=Welcome"), None).facets["target_group"]
    }
    assert counts.get("single-parents", 0) >= 1


def test_a_new_practice_example_shows_in_the_api_list_at_once(admin_user, client):
    def listed_examples() -> list[str]:
        response = client.get("/api/v1/offers/", {"q": "Welcome Center Chemnitz"})
        offer = next(
            o for o in response.json()["results"] if o["slug"] == "welcome-center-chemnitz"
        )
        return [example["title"] for example in offer["practice_examples"]]

    assert "Hundert Gäste" not in listed_examples()
    add_practice_example(
        Offer.objects.get(slug="welcome-center-chemnitz"), actor=admin_user, title="Hundert Gäste"
    )

    assert "Hundert Gäste" in listed_examples()


@pytest.mark.parametrize(
    ("sort", "ordering"),
    [
        ("newest", [F("published_at").desc(nulls_last=True), "title", "pk"]),
        ("title", ["title", "pk"]),
    ],
)
def test_sorted_lists_follow_the_databases_order_drafts_included(
    sort, ordering, hidden_offers, admin_user
):
    compass = [offer.slug for offer in search_offers(QueryDict(f"sort={sort}"), admin_user).offers]

    assert compass == list(Offer.objects.order_by(*ordering).values_list("slug", flat=True))


def test_the_regions_a_list_covers_are_the_same_in_memory_and_in_the_database():
    regions = list(Region.objects.values_list("code", "parent__code"))
    children: dict[str, list[str]] = {}
    for code, parent in regions:
        if parent:
            children.setdefault(parent, []).append(code)
    known = {code for code, _parent in regions}

    for code in [*known, "14999", "99"]:
        in_database = set(
            Region.objects.filter(regions_covered(code)).values_list("code", flat=True)
        )
        assert covered_codes(code, children, known) == in_database, code


@pytest.mark.parametrize("query", ["", "q=Ausbildung", "target_group=companies"])
def test_each_region_counts_the_offers_choosing_it_lists(query, hidden_offers):
    facets = search_offers(QueryDict(query), None).facets["region"]
    assert "14" in {facet.value for facet in facets}  # Sachsen, and more

    for facet in facets:
        chosen = search_offers(QueryDict(f"{query}&region={facet.value}"), None)
        assert chosen.offers.count() == facet.count, facet.label


def test_a_chosen_region_without_offers_of_its_own_counts_the_nationwide_ones(admin_user):
    create_offer(
        actor=admin_user, slug="bundesweit", title="Bundesweite Beratung", publish=True,
        summary="Ein Angebot für alle.", kind="advice", nationwide=True,
        provider=Organisation.objects.get(slug="agentur-fuer-arbeit-chemnitz"),
        target_groups=list(TargetGroup.objects.filter(slug="companies")),
    )  # fmt: skip
    region = Region.objects.exclude(offers__isnull=False).filter(code__startswith="09").first()
    result = search_offers(QueryDict(f"region={region.code}"), None)

    (listed,) = [facet for facet in result.facets["region"] if facet.value == region.code]
    assert listed.selected
    assert listed.count == result.offers.count() > 0
