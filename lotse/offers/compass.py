"""The offer compass: search, facets and sorting over the visible offers.

One function serves the search page, the exports and the API, so a shared
URL gives the same list everywhere.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from django.db.models import Count, QuerySet
from django.http import QueryDict

from lotse.network.models import ActionField, Organisation, Region
from lotse.offers.filters import OfferFilter, SortOrder
from lotse.offers.models import Language, Offer, OfferKind, TargetGroup
from lotse.offers.search.analysis import stem
from lotse.offers.search.backends import (
    match_expression,
    matching_ids_sql,
    ranked_ids,
    vocabulary,
)
from lotse.offers.search.query import ParsedQuery, parse


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class CompassResult:
    filterset: OfferFilter
    offers: "QuerySet[Offer] | RankedOffers"
    query: ParsedQuery | None
    sort: str
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    relaxed: bool = False

    @property
    def is_valid(self) -> bool:
        return self.filterset.is_valid()


FEW_RESULTS = 30


class RankedOffers(Sequence[Offer]):
    """Offers in the order of relevance; each page is ranked and fetched on its own."""

    def __init__(
        self,
        matched: QuerySet[Offer],
        expression: str,
        preferred: str | None,
        parsed: ParsedQuery,
        fetch_from: QuerySet[Offer],
    ) -> None:
        self.matched = matched
        self.expression = expression
        self.preferred = preferred
        self.parsed = parsed
        self.fetch_from = fetch_from
        self._count: int | None = None

    def count(self) -> int:  # type: ignore[override]  # Paginator's question, not Sequence's
        if self._count is None:
            self._count = self.matched.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

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
        if start < RERANK_DEPTH:
            # The head is re-ranked as a whole, so every page size sees the same order.
            head = ranked_ids(
                self.matched, self.expression, preferred=self.preferred,
                offset=0, limit=max(stop, RERANK_DEPTH),
            )  # fmt: skip
            ids = rerank_top(head, self.parsed)[start:stop]
        else:
            ids = ranked_ids(
                self.matched, self.expression, preferred=self.preferred,
                offset=start, limit=stop - start,
            )  # fmt: skip
        found = self.fetch_from.in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]

    def __iter__(self) -> Iterator[Offer]:
        return iter(self[0 : self.count()])

    def prefetch_related(self, *lookups: Any) -> "RankedOffers":
        return RankedOffers(
            self.matched, self.expression, self.preferred, self.parsed,
            self.fetch_from.prefetch_related(*lookups),
        )  # fmt: skip


def search_offers(data: QueryDict, user: Any, *, with_facets: bool = True) -> CompassResult:
    """Filter, search and rank the offers ``user`` may see; count the facets."""
    base = Offer.objects.visible_to(user)
    filterset = OfferFilter(data, queryset=base)
    if not filterset.is_valid():
        return CompassResult(filterset, base.none(), None, SortOrder.RELEVANCE)
    filtered = filterset.qs
    text = (filterset.form.cleaned_data.get("q") or "").strip()
    parsed = parse(text, vocabulary=vocabulary()) if text else None
    relaxed = False
    expression, preferred = "", None
    if parsed and not parsed.is_empty:
        expression = match_expression(parsed)
        every_word = filtered.filter(pk__in=matching_ids_sql(expression))
        if len(parsed.terms) > 1 and every_word.count() < FEW_RESULTS:
            # Few offers have every word: after them come those with some, best first.
            preferred, expression = expression, match_expression(parsed, any_term=True)
        matched = filtered.filter(pk__in=matching_ids_sql(expression))
        relaxed = preferred is not None and matched.count() > every_word.count()
        filtered = matched
    sort = filterset.form.cleaned_data.get("sort") or (
        SortOrder.RELEVANCE if expression else SortOrder.NEWEST
    )
    offers: QuerySet[Offer] | RankedOffers
    if sort == SortOrder.RELEVANCE and parsed and expression:
        offers = RankedOffers(
            filtered, expression, preferred, parsed, base.select_related("provider")
        )
    else:
        ordering = ["-published_at", "title"] if sort == SortOrder.NEWEST else ["title"]
        offers = filtered.order_by(*ordering).select_related("provider")
    result = CompassResult(filterset, offers, parsed, sort, relaxed=relaxed)
    if with_facets:

        def scope(name: str) -> QuerySet[Offer]:
            if name not in data:
                return filtered
            others = data.copy()
            others.pop(name)
            offers = OfferFilter(others, queryset=base).qs
            return offers.filter(pk__in=matching_ids_sql(expression)) if expression else offers

        result.facets = count_facets(scope, filterset)
    return result


RERANK_DEPTH = 10


def rerank_top(ranked: list[int], parsed: ParsedQuery) -> list[int]:
    """Among the best matches, put those whose *title* has the words as typed first.

    Full-text ranking treats a synonym or a compound part like the word itself;
    a person who types "Network-KMU" means the offer called so.
    """
    head = ranked[:RERANK_DEPTH]
    typed = [stem(word) for term in parsed.terms for word in term.alternatives[0].words]
    titles = dict(Offer.objects.filter(pk__in=head).values_list("pk", "stems_title"))

    def named_in_title(pk: int) -> bool:
        stems = set(titles.get(pk, "").split())
        return all(typed_stem in stems for typed_stem in typed)

    return sorted(head, key=lambda pk: not named_in_title(pk)) + ranked[RERANK_DEPTH:]


def count_facets(
    scope: Callable[[str], QuerySet[Offer]], filterset: OfferFilter
) -> dict[str, list[FacetValue]]:
    """How many offers each facet value would give.

    Counted over the offers found with every *other* filter (``scope(name)``),
    so that a second value of the same facet can still be chosen.
    """
    chosen = filterset.form.cleaned_data

    def selected(name: str, value: Any) -> bool:
        current = chosen.get(name) or []
        if isinstance(current, str):
            return str(value) == current
        keys = {
            str(
                getattr(item, "slug", None)
                or getattr(item, "code", None)
                or getattr(item, "pk", item)
            )
            for item in current
        }
        return str(value) in keys

    kinds = dict(
        Offer.objects.filter(pk__in=scope("kind").order_by().values("pk"))
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    facets: dict[str, list[FacetValue]] = {
        "kind": [
            FacetValue(kind.value, str(kind.label), kinds[kind.value], selected("kind", kind.value))
            for kind in OfferKind
            if kinds.get(kind.value)
        ]
    }
    relations: list[tuple[str, Any, str, Any, str, str | None]] = [
        ("target_group", Offer.target_groups.through, "targetgroup", TargetGroup, "slug", "name"),
        ("action_field", Offer.action_fields.through, "actionfield", ActionField, "pk", None),
        ("language", Offer.languages.through, "language", Language, "code", "name"),
        ("region", Offer.regions.through, "region", Region, "code", "name"),
    ]
    for name, through, column, model, key, label in relations:
        counts = dict(
            through.objects.filter(offer_id__in=scope(name).order_by().values("pk"))
            .values_list(f"{column}_id")
            .annotate(n=Count("offer_id"))
            .order_by()
        )
        objects = model.objects.filter(pk__in=counts)
        if model is ActionField:
            objects = objects.select_related("network")
        facets[name] = sorted(
            (
                FacetValue(
                    str(getattr(obj, key)),
                    getattr(obj, label)
                    if label
                    else f"{obj.network.name}: {obj.number}. {obj.title}",
                    counts[obj.pk],
                    selected(name, getattr(obj, key)),
                )
                for obj in objects
            ),
            key=lambda facet: (-facet.count, facet.label),
        )
    providers = dict(
        Offer.objects.filter(pk__in=scope("provider").order_by().values("pk"))
        .values_list("provider_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    facets["provider"] = sorted(
        (
            FacetValue(org.slug, org.name, providers[org.pk], selected("provider", org.slug))
            for org in Organisation.objects.filter(pk__in=providers).only("slug", "name")
        ),
        key=lambda facet: (-facet.count, facet.label),
    )
    return facets
