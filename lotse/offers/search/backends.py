"""Database side of the offer search: keeping the index current and matching it.

PostgreSQL: a stored, generated ``search_vector`` (german configuration,
title weighted A, the rest B) with a GIN index, and pg_trgm on the vocabulary
for typos. SQLite: an FTS5 table over the Snowball stems, kept current by
triggers. Both are created by migration ``offers.0002`` for their database only.
"""

from functools import lru_cache

from django.db import connection
from django.db.models import Count, Max, QuerySet
from django.db.models.expressions import RawSQL

from lotse.offers.models import Offer, SearchTerm
from lotse.offers.search.analysis import index_words, lexicon, stem
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
        search_title=" ".join(title),
        search_body=" ".join(body),
        stems_title=" ".join(stem(word) for word in title),
        stems_body=" ".join(stem(word) for word in body),
    )
    global _indexed_here
    _indexed_here += 1
    new_words = {word for word in title + body if 3 < len(word) <= 80 and not word.isdigit()}
    SearchTerm.objects.bulk_create(
        [SearchTerm(word=word) for word in sorted(new_words)], ignore_conflicts=True
    )


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


_indexed_here = 0  # offers indexed by this process; part of the vocabulary's cache key


def vocabulary() -> Vocabulary:
    """The offers' words, cached until they change (here, or in another process)."""
    stats = SearchTerm.objects.aggregate(size=Count("pk"), last=Max("pk"))
    key = (connection.alias, connection.vendor, stats["size"], stats["last"], _indexed_here)
    return _vocabulary(*key)


@lru_cache(maxsize=4)
def _vocabulary(
    alias: str, vendor: str, size: int, last: int | None, generation: int
) -> Vocabulary:
    known = frozenset(SearchTerm.objects.values_list("word", flat=True))
    return Vocabulary(known, _trigram_candidates if vendor == "postgresql" else None)


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
    return "(" + joiner.join(alternative.words) + ")"


def match_expression(parsed: ParsedQuery, *, any_term: bool = False) -> str:
    """The query in the database's own syntax (words are [a-z0-9]+, so nothing to escape)."""
    if is_postgresql():
        alternative, and_, or_ = _tsquery_alternative, " & ", " | "
    else:
        alternative, and_, or_ = _fts5_alternative, " AND ", " OR "
    terms = [
        "(" + or_.join(alternative(alt) for alt in term.alternatives) + ")" for term in parsed.terms
    ]
    return (or_ if any_term else and_).join(terms)


def matching_ids_sql(expression: str) -> RawSQL:
    """A self-contained subquery of the ids of the offers that match."""
    if is_postgresql():
        return RawSQL(
            "SELECT id FROM offers_offer WHERE search_vector @@ to_tsquery('german', %s)",
            [expression],
        )
    return RawSQL(
        "SELECT rowid FROM offers_offer_fts WHERE offers_offer_fts MATCH %s", [expression]
    )


def ranked_ids(
    queryset: QuerySet[Offer],
    expression: str,
    *,
    preferred: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[int]:
    """Ids of the offers of ``queryset`` that match, best first (the title weighs most).

    Offers that also match ``preferred`` (the stricter every-word query) come
    before the others. Only the requested window is fetched.
    """
    inner, params = queryset.order_by().values("pk").query.sql_with_params()
    window = " LIMIT %s OFFSET %s" if limit is not None else ""
    window_params = [limit, offset] if limit is not None else []
    if is_postgresql():
        first = "(o.search_vector @@ to_tsquery('german', %s)) DESC, " if preferred else ""
        sql = (
            "SELECT o.id FROM offers_offer o, to_tsquery('german', %s) query "  # noqa: S608
            f"WHERE o.search_vector @@ query AND o.id IN ({inner}) ORDER BY {first}"
            "ts_rank('{0.1, 0.1, 0.1, 1.0}', o.search_vector, query) DESC, o.title, o.id"
        )
    else:
        first = (
            "(o.id IN (SELECT rowid FROM offers_offer_fts WHERE offers_offer_fts MATCH %s)) DESC, "
            if preferred
            else ""
        )
        sql = (
            "SELECT o.id FROM offers_offer_fts "  # noqa: S608 (inner SQL is Django's, bound)
            "JOIN offers_offer o ON o.id = offers_offer_fts.rowid "
            f"WHERE offers_offer_fts MATCH %s AND o.id IN ({inner}) ORDER BY {first}"
            "bm25(offers_offer_fts, 10.0, 1.0), o.title, o.id"
        )
    ordered_params = [preferred] if preferred else []
    with connection.cursor() as cursor:
        cursor.execute(sql + window, [expression, *params, *ordered_params, *window_params])
        return [row[0] for row in cursor.fetchall()]
