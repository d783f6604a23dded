"""Database side of the offer search: keeping the index current and matching it.

PostgreSQL: a stored, generated ``search_vector`` (german configuration,
title weighted A, the rest B) with a GIN index, and pg_trgm on the vocabulary
for typos. SQLite: an FTS5 table over the Snowball stems, kept current by
triggers. Both are created by migration ``offers.0002`` for their database only.
"""

from functools import lru_cache

from django.db import connection

from lotse.offers.catalogue import catalogue, catalogue_changed, loaded
from lotse.offers.models import Offer, SearchTerm
from lotse.offers.search.analysis import index_words, lexicon, stem, with_umlauts
from lotse.offers.search.query import Alternative, ParsedQuery, Vocabulary


def index_offer(offer: Offer) -> None:
    """Recompute what the search indexes for one offer (after its relations are set)."""
    known = lexicon()
    title = index_words(offer.title, known)
    body_text = " ".join(
        [
            offer.summary,
            offer.description,
            offer.provider.name,
            offer.provider.short_name,
            str(offer.get_kind_display()),
            offer.eligibility,
            offer.funding_amount,
            *(group.name for group in offer.target_groups.all()),
            *(field.title for field in offer.action_fields.all()),
            *(region.name for region in offer.regions.all()),
            *(partner.name for partner in offer.partners.all()),
            *(example.title for example in offer.practice_examples.all()),
        ]
    )
    body = index_words(body_text, known)
    Offer.objects.filter(pk=offer.pk).update(
        search_title=with_umlauts(" ".join(title)),
        search_body=with_umlauts(" ".join(body)),
        stems_title=" ".join(stem(word) for word in title),
        stems_body=" ".join(stem(word) for word in body),
    )
    new_words = {word for word in title + body if 3 < len(word) <= 80 and not word.isdigit()}
    SearchTerm.objects.bulk_create(
        [SearchTerm(word=word) for word in sorted(new_words)], ignore_conflicts=True
    )
    catalogue_changed()


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def vocabulary(version: tuple[str, int]) -> Vocabulary:
    """The offers' words for ``version`` of the catalogue (which index_offer changes)."""
    return _vocabulary(*version, connection.vendor)


@lru_cache(maxsize=4)
def _vocabulary(database: str, token: int, vendor: str) -> Vocabulary:
    known = frozenset(SearchTerm.objects.values_list("word", flat=True))
    candidates = _trigram_candidates if vendor == "postgresql" else None

    def shown(word: str) -> bool:
        return in_public_offer(word, (database, token))

    return Vocabulary(known, candidates, shown)


def in_public_offer(word: str, version: tuple[str, int]) -> bool:
    """Whether a published, current offer has ``word`` (any of its forms)."""
    offers = loaded(version) or catalogue()
    positions, _scores = offers.postings(alternative_expression(Alternative((word,))), postings)
    return bool(offers.public()[positions].any())


def _trigram_candidates(word: str) -> list[str]:
    from django.contrib.postgres.search import TrigramSimilarity

    return list(
        SearchTerm.objects.annotate(similarity=TrigramSimilarity("word", word))
        .filter(similarity__gt=0.3)
        .order_by("-similarity")
        .values_list("word", flat=True)[:25]
    )


def _fts5_alternative(alternative: Alternative) -> str:
    stems = [stem(word) for word in alternative.words]
    if alternative.phrase:
        return '"' + " ".join(stems) + '"'
    return "(" + " AND ".join(f'"{s}"' for s in stems) + ")"


def _tsquery_alternative(alternative: Alternative) -> str:
    joiner = " <-> " if alternative.phrase else " & "
    return "(" + joiner.join(with_umlauts(word) for word in alternative.words) + ")"


def alternative_expression(alternative: Alternative) -> str:
    """One alternative in the database's own syntax (words are [a-z0-9]+: nothing to escape)."""
    if is_postgresql():
        return _tsquery_alternative(alternative)
    return _fts5_alternative(alternative)


def match_expression(parsed: ParsedQuery, *, any_term: bool = False) -> str:
    """The whole query in the database's own syntax."""
    and_, or_ = (" & ", " | ") if is_postgresql() else (" AND ", " OR ")
    terms = [
        "(" + or_.join(alternative_expression(alt) for alt in term.alternatives) + ")"
        for term in parsed.terms
    ]
    return (or_ if any_term else and_).join(terms)


# Relevance of one alternative for one offer; a query's is the sum over its
# alternatives (BM25 is such a sum: FTS5's bm25() over a whole query gives the same).
POSTINGS_SQL = {
    "postgresql": (
        "SELECT o.id, ts_rank('{0.1, 0.1, 0.1, 1.0}', o.search_vector, query) "
        "FROM offers_offer o, to_tsquery('german', %s) query WHERE o.search_vector @@ query"
    ),
    # bm25() is lower for better matches; negated, higher is better on both.
    "sqlite": (
        "SELECT rowid, -bm25(offers_offer_fts, 10.0, 1.0) FROM offers_offer_fts "
        "WHERE offers_offer_fts MATCH %s"
    ),
}


def postings(expression: str) -> list[tuple[int, float]]:
    """Every offer matching one alternative, with its relevance for it (all offers, any status)."""
    with connection.cursor() as cursor:
        cursor.execute(POSTINGS_SQL[connection.vendor], [expression])
        return cursor.fetchall()
