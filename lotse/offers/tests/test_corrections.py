"""Typo corrections say what was searched instead; they must not give away a draft,
and what a process keeps for them stays bounded however many odd words people type."""

import pytest
from django.http import QueryDict

from lotse.network.models import Organisation
from lotse.offers import catalogue as catalogue_module
from lotse.offers.catalogue import catalogue
from lotse.offers.compass import search_offers
from lotse.offers.models import Offer, TargetGroup
from lotse.offers.search import query as query_module
from lotse.offers.search.backends import vocabulary
from lotse.offers.services import create_offer, publish_offer

pytestmark = pytest.mark.django_db


def corrections(text: str, user=None) -> list[tuple[str, str]]:
    result = search_offers(QueryDict(f"q={text}"), user)
    return result.query.corrections() if result.query else []


@pytest.fixture
def secret_draft(admin_user) -> Offer:
    return create_offer(
        actor=admin_user, slug="vertraulicher-entwurf", title="Quantenschweissgeraet Pilot",
        summary="Noch nicht öffentlich.", kind="funding",
        provider=Organisation.objects.get(slug="stadt-chemnitz"),
        target_groups=list(TargetGroup.objects.filter(slug="companies")),
    )  # fmt: skip


def test_a_typo_is_not_corrected_to_a_word_only_a_draft_holds(secret_draft, client):
    assert corrections("Quantenschwaissgeraet") == []

    api = client.get("/api/v1/offers/", {"q": "Quantenschwaissgeraet"}).json()
    assert api["corrections"] == []
    assert "quantenschweissgeraet" not in client.get("/offers/?q=Quantenschwaissgeraet").text


def test_once_the_offer_is_published_the_typo_is_corrected_to_its_word(secret_draft, admin_user):
    publish_offer(secret_draft, actor=admin_user)

    assert corrections("Quantenschwaissgeraet") == [
        ("quantenschwaissgeraet", "quantenschweissgeraet")
    ]


def test_many_words_without_a_match_do_not_fill_the_memory(monkeypatch):
    monkeypatch.setattr(catalogue_module, "POSTINGS_KEPT", 1_000)  # ten unmatched words
    monkeypatch.setattr(query_module, "CORRECTIONS_KEPT", 5)

    for number in range(30):
        search_offers(QueryDict(f"q=xqzv{number:03d}blorp"), None)

    offers = catalogue()
    assert len(offers._postings) <= 10
    assert offers._postings_kept <= 1_000
    assert len(vocabulary(offers.version)._corrections) <= 5
