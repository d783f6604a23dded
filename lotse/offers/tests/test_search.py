"""The compass finds offers the way people write: word forms, compounds, umlauts,
typos and synonyms. The same tests run on SQLite (FTS5) and PostgreSQL (tsvector)."""

import datetime

import pytest
from django.http import QueryDict

from lotse.network.models import Organisation
from lotse.offers.compass import FEW_RESULTS, search_offers
from lotse.offers.models import Offer
from lotse.offers.services import create_offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer_factory(admin_user):
    provider = Organisation.objects.get(slug="stadt-chemnitz")

    def make(title: str, summary: str = "Ein Angebot.", description: str = "", **extra) -> Offer:
        slug = extra.pop("slug", title.lower().replace(" ", "-")[:60])
        return create_offer(
            actor=admin_user, publish=extra.pop("publish", True), title=title, slug=slug,
            kind=extra.pop("kind", "advice"), summary=summary, description=description,
            provider=provider, target_groups=extra.pop("target_groups", []) or _groups("companies"),
            **extra,
        )  # fmt: skip

    return make


def _groups(*slugs):
    from lotse.offers.models import TargetGroup

    return list(TargetGroup.objects.filter(slug__in=slugs))


def found(text: str, user=None, **filters) -> list[str]:
    data = QueryDict(mutable=True)
    data["q"] = text
    for name, value in filters.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    return [offer.slug for offer in search_offers(data, user).offers]


def test_word_forms_find_each_other(offer_factory):
    offer_factory(
        "Zebrafink Werkstatt",
        description="Wir bilden junge Menschen in Ausbildungen aus.",
        slug="zebrafink",
    )
    for query in ["Zebrafink Ausbildung", "Zebrafink ausbilden", "zebrafinken ausbildungen"]:
        assert "zebrafink" in found(query), query


def test_a_part_of_a_compound_finds_the_compound(offer_factory):
    offer_factory("Okapi Beratung", description="Fachkräftesicherung für Betriebe.", slug="okapi")
    assert "okapi" in found("Okapi Fachkräfte")
    assert "okapi" in found("Okapi Sicherung")


def test_a_compound_finds_its_parts_written_apart(offer_factory):
    offer_factory(
        "Tapir Service", description="Sicherung der Fachkräfte im Handwerk.", slug="tapir"
    )
    assert "tapir" in found("Tapir Fachkräftesicherung")


@pytest.mark.parametrize(
    ("written", "query"),
    [("Rückkehrer", "Rueckkehrer"), ("Rueckkehrer", "Rückkehrer"), ("Straße", "Strasse"),
     ("Fachkräfte", "Fachkraefte")],
)  # fmt: skip
def test_umlaut_spellings_are_the_same_word(offer_factory, written, query):
    offer_factory("Gnu Angebot", description=f"Für {written} aus dem Westen.", slug="gnu")
    assert "gnu" in found(f"Gnu {query}")


def test_small_typos_are_corrected_and_said(offer_factory):
    offer_factory(
        "Wombat Ausbildungsbörse", description="Willkommen zur Ausbildung.", slug="wombat"
    )
    result = search_offers(QueryDict("q=Wombat+Ausbildng+Wilkommen"), None)
    assert "wombat" in [offer.slug for offer in result.offers]
    assert ("ausbildng", "ausbildung") in result.query.corrections()
    assert ("wilkommen", "willkommen") in result.query.corrections()


@pytest.mark.parametrize(
    ("written", "query"),
    [("Auszubildende", "Azubi"), ("Geflüchtete", "Flüchtlinge"),
     ("kleine und mittlere Unternehmen", "KMU"), ("Studienabbruch", "Studienabbrecher")],
)  # fmt: skip
def test_synonyms_from_the_maintained_list(offer_factory, written, query):
    offer_factory("Quokka Hilfe", description=f"Unterstützung für {written}.", slug="quokka")
    assert "quokka" in found(f"Quokka {query}")


def test_offers_with_every_word_come_before_offers_with_some(offer_factory):
    offer_factory("Ibis Pflege", description="Pflegeberufe entdecken.", slug="ibis")
    offer_factory("Ibis Technik", description="Mechatronik erleben.", slug="ibis-technik")
    result = search_offers(QueryDict("q=Ibis+Pflege"), None)
    slugs = [offer.slug for offer in result.offers]
    assert slugs.index("ibis") < slugs.index("ibis-technik")
    # Fewer than a handful have every word: some-word matches follow, and the page says
    # how many have every word instead of "no offer has all of them".
    assert result.partial
    assert result.with_every_word == 1
    assert not result.relaxed


@pytest.mark.parametrize("sort", ["", "relevance", "title", "newest"])
def test_offers_with_every_word_come_first_whatever_the_order(offer_factory, sort):
    """Sorted by title or date, an exact hit must not sink among the partial ones."""
    offer_factory("Zz Gnu Pflege", description="Pflegeberufe entdecken.", slug="gnu-every")
    offer_factory("Aa Gnu Technik", description="Mechatronik erleben.", slug="gnu-some-a")
    offer_factory("Ab Gnu Handwerk", description="Holz und Metall.", slug="gnu-some-b")
    result = search_offers(QueryDict(f"q=Gnu+Pflege&sort={sort}"), None)
    slugs = [offer.slug for offer in result.offers]

    assert slugs[0] == "gnu-every"
    assert set(slugs[1:]) >= {"gnu-some-a", "gnu-some-b"}
    if sort == "title":
        assert slugs.index("gnu-some-a") < slugs.index("gnu-some-b"), "the rest by title"
    assert [offer.slug for offer in result.offers[:1]] == ["gnu-every"], "a page is the same"


def test_when_no_offer_has_every_word_the_result_says_so(offer_factory):
    offer_factory("Yak Pflege", slug="yak-pflege")
    offer_factory("Yak Technik", slug="yak-technik")
    result = search_offers(QueryDict("q=Yak+Quastenflosserei"), None)

    assert {offer.slug for offer in result.offers} == {"yak-pflege", "yak-technik"}
    assert result.relaxed
    assert result.with_every_word == 0


def test_when_enough_offers_have_every_word_no_others_are_shown(offer_factory):
    for number in range(FEW_RESULTS):
        offer_factory(f"Elch Pflege {number}", slug=f"elch-pflege-{number}")
    offer_factory("Elch Technik", slug="elch-technik")
    result = search_offers(QueryDict("q=Elch+Pflege"), None)
    assert not result.relaxed
    assert not result.partial
    assert "elch-technik" not in [offer.slug for offer in result.offers]


def test_a_match_in_the_title_ranks_above_a_match_in_the_text(offer_factory):
    offer_factory(
        "Allgemeine Beratung Lemur", description="Auch zum Thema Kranich.", slug="lemur-text"
    )
    offer_factory("Kranich Lemur", description="Ein Angebot.", slug="lemur-title")
    assert found("Lemur Kranich")[:2] == ["lemur-title", "lemur-text"]


def test_drafts_and_expired_offers_are_not_found_by_the_public(offer_factory, coordinator):
    offer_factory("Marder Entwurf", slug="marder-draft", publish=False)
    offer_factory("Marder Alt", slug="marder-old", valid_until=datetime.date(2020, 12, 31),
                  valid_from=datetime.date(2020, 1, 1))  # fmt: skip
    offer_factory("Marder Aktuell", slug="marder-now")
    assert found("Marder") == ["marder-now"]
    assert "marder-draft" in found("Marder", user=coordinator)  # the provider's own staff


def test_facet_counts_follow_the_query(offer_factory):
    offer_factory("Yak Förderung", kind="funding", slug="yak-funding")
    offer_factory("Yak Beratung", kind="advice", slug="yak-advice")
    offer_factory("Yak Coaching", kind="coaching", slug="yak-coaching")
    result = search_offers(QueryDict("q=Yak"), None)
    kinds = {facet.value: facet.count for facet in result.facets["kind"]}
    assert kinds == {"funding": 1, "advice": 1, "coaching": 1}
    narrowed = search_offers(QueryDict("q=Yak&kind=funding"), None)
    assert [o.slug for o in narrowed.offers] == ["yak-funding"]
    # The kind facet still offers the other kinds, so a second one can be ticked.
    assert {f.value: f.count for f in narrowed.facets["kind"]} == kinds
    assert [f.value for f in narrowed.facets["kind"] if f.selected] == ["funding"]


def test_sorting_by_title_and_newest(offer_factory):
    offer_factory("Zander Kurs", slug="zander-z")
    offer_factory("Aal Zander Kurs", slug="zander-a")
    by_title = search_offers(QueryDict("q=Zander&sort=title"), None)
    assert [o.slug for o in by_title.offers] == ["zander-a", "zander-z"]
    newest = search_offers(QueryDict("q=Zander&sort=newest"), None)
    assert newest.offers[0].slug == "zander-a"


def test_a_query_of_only_stopwords_or_symbols_lists_everything(offer_factory):
    everything = search_offers(QueryDict(""), None).offers.count()
    assert search_offers(QueryDict("q=und+oder+%21%21"), None).offers.count() == everything


def test_an_invalid_region_code_is_a_clear_error():
    result = search_offers(QueryDict("region=123"), None)
    assert not result.is_valid
    assert "region" in result.filterset.errors


def test_a_typo_between_two_equally_close_words_is_corrected_the_same_way_every_time():
    from lotse.offers.search.query import Vocabulary

    assert Vocabulary(frozenset({"karre", "karte"})).correct("kartre") == "karte"
    for known in (["mappe", "kappe"], ["kappe", "mappe"]):
        assert Vocabulary(frozenset(known), lambda _word, k=known: k).correct("lappe") == "kappe"


def test_plural_umlauts_and_missing_dots_find_the_same_offer(offer_factory):
    offer_factory(
        "Wapiti Börse", description="Ausbildungsplätze und Arbeitgeberattraktivität.", slug="wapiti"
    )
    for query in [
        "Wapiti Ausbildungsplatz",
        "Wapiti Ausbildungsplaetze",
        "Wapiti Arbeitgeberattraktivitat",
        "Wapiti Arbeitgeberattraktivitaet",
    ]:
        assert "wapiti" in found(query), query
