"""The offer compass: search, facets and sorting over the visible offers.

One function serves the search page, the exports and the API, so a shared
URL gives the same list everywhere. It works on the catalogue's columns in
memory (``offers.catalogue``); the database's full-text index says which
offers match each word, and the page's offers are read from the database.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import numpy as np
from django.db import connection
from django.db.models import QuerySet
from django.http import QueryDict

from lotse.offers.catalogue import KINDS, RELATIONS, Catalogue, catalogue
from lotse.offers.filters import OfferFilter, SortOrder
from lotse.offers.models import SEARCH_FIELDS, Offer, OfferKind
from lotse.offers.search.analysis import stem
from lotse.offers.search.backends import alternative_expression, postings, vocabulary
from lotse.offers.search.query import ParsedQuery, parse


@dataclass
class FacetValue:  # vars() of one is its JSON in the API
    value: str
    label: str
    count: int
    selected: bool


FACET_VALUES_SHOWN = 12  # of each facet on the page; the rest behind "more"


@dataclass
class FacetList:
    """A facet as the page lists it: the most frequent values, the chosen ones, the rest."""

    name: str
    shown: list[FacetValue]
    more: list[FacetValue]


@dataclass
class CompassResult:
    filterset: OfferFilter
    offers: "QuerySet[Offer] | OrderedOffers"
    query: ParsedQuery | None
    sort: str
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    # Offers with only some of the words are listed after those with every word
    # (``with_every_word`` of them, which may be none) because few have every word.
    partial: bool = False
    with_every_word: int | None = None
    catalogue: Catalogue | None = None  # the version the search ran on

    @property
    def relaxed(self) -> bool:
        """No offer has every word: all the offers listed have only some of them."""
        return self.partial and not self.with_every_word

    @property
    def is_valid(self) -> bool:
        return self.filterset.is_valid()

    @property
    def facet_lists(self) -> list[FacetList]:
        """Each facet split for the page: a chosen value is always among those shown."""
        return [
            FacetList(
                name,
                [v for i, v in enumerate(values) if i < FACET_VALUES_SHOWN or v.selected],
                [v for i, v in enumerate(values) if i >= FACET_VALUES_SHOWN and not v.selected],
            )
            for name, values in self.facets.items()
            if values
        ]


FEW_RESULTS = 30
PAGE_SIZE = 20  # offers on a page of the compass, and on a page of the API by default
FETCH_CHUNK = 500


class OrderedOffers(Sequence[Offer]):
    """The offers found, in their order; a page is ordered and fetched when asked for.

    Only as much of the order is computed as a page needs (the best 10 of
    40,000 matches need no full sort); the head is re-ranked as a whole, so
    every page size sees the same order.
    """

    def __init__(
        self,
        found: np.ndarray,
        keys: tuple[np.ndarray, ...],
        ids: np.ndarray,
        fetch_from: Callable[[], QuerySet[Offer]],
        parsed: ParsedQuery | None = None,
        fetch: Callable[[list[int]], list[Any]] | None = None,
        tiers: np.ndarray | None = None,
    ) -> None:
        self.found = found  # positions in the catalogue
        self.keys = keys  # sort keys over the found ones, most significant first, ascending
        self.ids = ids
        self.fetch_from = fetch_from  # built only if instances are asked for
        self.parsed = parsed
        self.fetch = fetch or self._instances
        # Over the found ones: the group an offer belongs to whatever its rank (offers
        # with every word before those with some); re-ranking stays within a group.
        self.tiers = tiers
        self._head: list[int] = []

    def _instances(self, ids: list[int]) -> list[Offer]:
        found = self.fetch_from().in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]

    def fetching(self, fetch: Callable[[list[int]], list[Any]]) -> "OrderedOffers":
        """The same list, each page made by ``fetch`` from the ids in order."""
        copy = OrderedOffers(
            self.found, self.keys, self.ids, self.fetch_from, self.parsed, fetch, self.tiers
        )
        copy._head = self._head
        return copy

    def count(self) -> int:  # type: ignore[override]  # Paginator's question, not Sequence's
        return len(self.found)

    def __len__(self) -> int:
        return self.count()

    def ordered_ids(self, stop: int) -> list[int]:
        """The ids of the first ``stop`` offers."""
        stop = min(stop, self.count())
        if len(self._head) < stop:
            want = max(stop, RERANK_DEPTH) if self.parsed else stop
            order = top(self.keys, want)
            head = self.ids[self.found[order]].tolist()
            tiers = self.tiers[order].tolist() if self.tiers is not None else None
            self._head = rerank_top(head, self.parsed, tiers) if self.parsed else head
        return self._head[:stop]

    @overload
    def __getitem__(self, index: int) -> Offer: ...
    @overload
    def __getitem__(self, index: slice) -> list[Offer]: ...
    def __getitem__(self, index: int | slice) -> Offer | list[Offer]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start = index.start or 0
        stop = self.count() if index.stop is None else index.stop
        if stop <= start:
            return []
        return self.fetch(self.ordered_ids(stop)[start:stop])

    def __iter__(self) -> Iterator[Offer]:
        for start in range(0, self.count(), FETCH_CHUNK):
            yield from self[start : start + FETCH_CHUNK]

    def prefetch_related(self, *lookups: Any) -> "OrderedOffers":
        return OrderedOffers(
            self.found, self.keys, self.ids,
            lambda: self.fetch_from().prefetch_related(*lookups),
            self.parsed, tiers=self.tiers,
        )  # fmt: skip


def top(keys: tuple[np.ndarray, ...], n: int) -> np.ndarray:
    """Indices of the ``n`` smallest by ``keys`` (lexicographic), in order.

    The first key narrows by partition; only the candidates at or above the
    n-th value (ties included) are sorted in full.
    """
    first = keys[0]
    if n < len(first):
        threshold = np.partition(first, n - 1)[n - 1]
        candidates = np.flatnonzero(first <= threshold)
    else:
        candidates = np.arange(len(first))
    order = np.lexsort(tuple(key[candidates] for key in reversed(keys)))
    return candidates[order[:n]]


def search_offers(data: QueryDict, user: Any, *, with_facets: bool = True) -> CompassResult:
    """Filter, search and rank the offers ``user`` may see; count the facets."""
    filterset = OfferFilter(data, queryset=Offer.objects.all())
    if not filterset.is_valid():
        return CompassResult(filterset, Offer.objects.none(), None, SortOrder.RELEVANCE)
    chosen = filterset.form.cleaned_data
    keys_chosen = chosen_keys(data)
    offers = catalogue()
    visible = offers.visible(user)
    masks = offers.filter_masks(keys_chosen, chosen.get("region") or None)
    filtered = visible.copy()
    for mask in masks.values():
        filtered &= mask
    text = (chosen.get("q") or "").strip()
    parsed = parse(text, vocabulary=vocabulary(offers.version)) if text else None
    if parsed is not None and parsed.is_empty:
        parsed = None
    matched = np.ones(offers.size, dtype=bool)
    scores = preferred = None
    partial, with_every_word = False, None
    if parsed:
        every_word, any_word, scores = match(offers, parsed)
        matched = every_word
        complete = int(np.count_nonzero(every_word & filtered))
        if len(parsed.terms) > 1 and complete < FEW_RESULTS:
            # Few offers have every word: after them come those with some, best first.
            matched, preferred = any_word, every_word
            partial = bool(np.count_nonzero(any_word & filtered) > complete)
            with_every_word = complete
    sort = chosen.get("sort") or (SortOrder.RELEVANCE if parsed else SortOrder.NEWEST)
    found = np.flatnonzero(matched & filtered)
    keys: tuple[np.ndarray, ...]
    if sort == SortOrder.RELEVANCE and scores is not None:
        keys = (-scores[found], offers.by_title[found])
    elif sort == SortOrder.TITLE:
        keys = (offers.by_title[found],)
    else:
        keys = (offers.by_newest[found],)
    tiers = None
    if preferred is not None:
        # Whatever the order, an offer with every word comes before one with some.
        tiers = ~preferred[found]
        keys = (tiers, *keys)
    ranked = sort == SortOrder.RELEVANCE and scores is not None

    def fetch_from() -> QuerySet[Offer]:
        return Offer.objects.visible_to(user).select_related("provider").defer(*SEARCH_FIELDS)

    result = CompassResult(
        filterset,
        OrderedOffers(found, keys, offers.ids, fetch_from, parsed if ranked else None, tiers=tiers),
        parsed,
        sort,
        partial=partial,
        with_every_word=with_every_word if partial else None,
        catalogue=offers,
    )  # fmt: skip
    if with_facets:
        within = visible & matched

        def scope(name: str) -> np.ndarray:
            mask = within.copy()
            for other, other_mask in masks.items():
                if other != name:
                    mask &= other_mask
            return mask

        result.facets = count_facets(offers, scope, keys_chosen, chosen.get("region") or None)
    return result


KEYED_FILTERS = ("kind", "target_group", "action_field", "provider", "language")


def chosen_keys(data: QueryDict) -> dict[str, list[str]]:
    """The keys chosen in each list filter, as sent (after the form accepted them).

    The form's cleaned values are querysets; asking them again would cost a
    query each, and the catalogue knows every key.
    """
    return {
        name: [value.strip() for value in data.getlist(name) if value.strip()]
        for name in KEYED_FILTERS
        if name in data
    }


def match(offers: Catalogue, parsed: ParsedQuery) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Offers with every term, offers with any term, and each offer's relevance.

    A term matches where any of its alternatives does; the full-text index
    answers for each alternative on its own (and is asked once per catalogue).
    """
    every_word = np.ones(offers.size, dtype=bool)
    any_word = np.zeros(offers.size, dtype=bool)
    scores = np.zeros(offers.size, dtype=np.float64)
    for term in parsed.terms:
        has_term = np.zeros(offers.size, dtype=bool)
        for alternative in term.alternatives:
            positions, relevance = offers.postings(alternative_expression(alternative), postings)
            has_term[positions] = True
            scores[positions] += relevance
        every_word &= has_term
        any_word |= has_term
    return every_word, any_word, scores


RERANK_DEPTH = 10


def title_stems(ids: list[int]) -> dict[int, str]:
    """The stems of each offer's title (a raw statement: the ORM costs more than the query)."""
    if not ids:
        return {}
    places = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, stems_title FROM {Offer._meta.db_table} WHERE id IN ({places})",  # noqa: S608
            ids,
        )
        return dict(cursor.fetchall())


def rerank_top(
    ranked: list[int], parsed: ParsedQuery, tiers: list[bool] | None = None
) -> list[int]:
    """Among the best matches, put those whose *title* has the words as typed first.

    Full-text ranking treats a synonym or a compound part like the word itself;
    a person who types "Network-KMU" means the offer called so. ``tiers`` (one
    per offer of ``ranked``, False first) are kept: an offer with only some of
    the words never passes one with every word.
    """
    head = ranked[:RERANK_DEPTH]
    tier = dict(zip(head, tiers or [False] * len(head), strict=False))
    typed = [stem(word) for term in parsed.terms for word in term.alternatives[0].words]
    titles = title_stems(head)

    def named_in_title(pk: int) -> bool:
        stems = set(titles.get(pk, "").split())
        return all(typed_stem in stems for typed_stem in typed)

    return sorted(head, key=lambda pk: (tier[pk], not named_in_title(pk))) + ranked[RERANK_DEPTH:]


def count_facets(
    offers: Catalogue,
    scope: Callable[[str], np.ndarray],
    chosen: dict[str, list[str]],
    region: str | None,
) -> dict[str, list[FacetValue]]:
    """How many offers each facet value would give.

    Counted over the offers found with every *other* filter (``scope(name)``),
    so that a second value of the same facet can still be chosen. A chosen
    value is always listed, with 0 if no offer has it: the page's form sends
    only the values it lists, and a filter must not vanish with its count.
    """

    def selected(name: str) -> set[str]:
        if name == "region":
            return {region} if region else set()
        return set(chosen.get(name, ()))

    def chosen_count(name: str, key: str) -> int:
        """A chosen value no offer of the scope has: none, but a region lists nationwide ones."""
        if name != "region":
            return 0
        covered = offers.nationwide | offers.region_cover.having(key, offers.size)
        return int(np.count_nonzero(scope(name) & covered))

    def listed(name: str, values: list[tuple[str, str, int]]) -> list[FacetValue]:
        chosen_keys = selected(name)
        facets = [FacetValue(key, label, n, key in chosen_keys) for key, label, n in values]
        missing = chosen_keys - {facet.value for facet in facets}
        if missing:
            labels = dict(offers.labels[name].values())
            # A key the catalogue does not name (a region code no offer lists, say)
            # is shown as sent: the form accepted it, so it filters.
            facets += [
                FacetValue(key, labels.get(key, key), chosen_count(name, key), True)
                for key in missing
            ]
        return sorted(facets, key=lambda facet: (-facet.count, facet.label))

    kinds = np.bincount(offers.kind[scope("kind")], minlength=len(KINDS))
    chosen_kinds = selected("kind")
    facets: dict[str, list[FacetValue]] = {
        "kind": [
            FacetValue(kind.value, str(kind.label), int(n), kind.value in chosen_kinds)
            for kind, n in zip(OfferKind, kinds.tolist(), strict=True)
            if n or kind.value in chosen_kinds
        ]
    }
    for name in RELATIONS:
        labels = offers.labels[name]
        counts = offers.facet_counts(name, scope(name))
        facets[name] = listed(name, [(*labels[pk], n) for pk, n in counts.items() if pk in labels])
    by_code = np.bincount(offers.provider_code[scope("provider")], minlength=len(offers.providers))
    present = np.flatnonzero(by_code)
    counts = dict(zip(offers.providers[present].tolist(), by_code[present].tolist(), strict=True))
    labels = offers.labels["provider"]
    facets["provider"] = listed("provider", [(*labels[pk], n) for pk, n in counts.items()])
    return facets
