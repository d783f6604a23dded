"""The catalogue as columns in memory: filters, facets and orderings without SQL per facet.

Counting six facets over tens of thousands of matching offers is where SQL
spends its time (each count repeats the match and the filters); the same
counts over arrays take a millisecond. The database stays the source of
truth: each process loads the columns once per catalogue version (a token
changed with every change of an offer, read at the start of each search) and
asks the database's full-text index which offers match a word, keeping that
answer until the catalogue changes.
"""

import datetime
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from scipy import sparse

from lotse.core.permissions import Role, has_role, is_administrator
from lotse.network.models import ActionField, Network, Organisation, Region
from lotse.offers.filters import covered_codes
from lotse.offers.models import (
    CatalogueVersion,
    Language,
    Offer,
    OfferKind,
    OfferLink,
    OfferStatus,
    PracticeExample,
    TargetGroup,
)

KINDS = list(OfferKind.values)
NEVER = np.iinfo(np.int32).max
ALWAYS = np.iinfo(np.int32).min
# Relations counted as facets: the filter's name, the M2M field.
RELATIONS = {
    "target_group": "target_groups",
    "action_field": "action_fields",
    "language": "languages",
    "region": "regions",
}
# Every M2M relation an offer's document lists, with the key it shows for each object.
RELATED_KEYS: dict[str, Any] = {
    "partners": "slug",
    "target_groups": "slug",
    "action_fields": Concat("network__slug", Value("/"), Cast("number", CharField())),
    "regions": "code",
    "languages": "code",
}


def catalogue_changed() -> None:
    """Tell every process that the offers changed (call after bulk writes; saves signal it)."""
    token = secrets.randbits(62)
    if not CatalogueVersion.objects.filter(pk=1).update(token=token):
        CatalogueVersion.objects.update_or_create(pk=1, defaults={"token": token})


def current_version() -> tuple[str, int]:
    """Which catalogue this database holds now (read before anything it describes)."""
    with connection.cursor() as cursor:  # on every search: no ORM on the way
        cursor.execute(f"SELECT token FROM {CatalogueVersion._meta.db_table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    return f"{connection.alias}:{connection.settings_dict['NAME']}", row[0] if row else 0


class Membership:
    """One M2M relation of every offer, by offer position and by value.

    ``values`` are the related objects' ids; ``codes`` number them 0..k-1 in
    their model's order, so that counting is a ``bincount`` and an offer's
    related objects come out in the order the API shows them.
    """

    def __init__(
        self, field: str, position: Callable[[np.ndarray], np.ndarray], size: int, key: Any
    ) -> None:
        relation = Offer._meta.get_field(field)
        through: Any = relation.remote_field.through  # type: ignore[union-attr]
        column = relation.m2m_reverse_name()  # type: ignore[union-attr]
        model: Any = relation.related_model
        ordered = list(model.objects.values_list("pk", key))  # in the model's own order
        self.values = np.array([pk for pk, _key in ordered], dtype=np.int64)
        self.keys = [str(value) for _pk, value in ordered]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT offer_id, {column} FROM {through._meta.db_table}")  # noqa: S608
            rows = cursor.fetchall()
        pairs = np.fromiter(chain.from_iterable(rows), np.int64, 2 * len(rows)).reshape(-1, 2)
        offers = position(pairs[:, 0])
        # Rows of offers added since the catalogue's own query are left out.
        known = np.isin(pairs[:, 1], self.values) & (offers >= 0)
        offers, values = offers[known], pairs[known, 1]
        by_id = np.argsort(self.values)
        codes = by_id[np.searchsorted(self.values[by_id], values)].astype(np.int64)
        order = np.lexsort((codes, offers))
        self.offers, self.codes = offers[order], codes[order]
        self.starts = np.searchsorted(self.offers, np.arange(size + 1))
        # Values x offers, for counting a facet as one product with the scope's mask.
        self.matrix = sparse.csr_array(
            (np.ones(len(self.codes), dtype=np.float32), (self.codes, self.offers)),
            shape=(len(ordered), size),
        )
        by_code = np.argsort(self.codes, kind="stable")
        bounds = np.searchsorted(self.codes[by_code], np.arange(len(ordered) + 1))
        self.by_value = {
            int(self.values[code]): self.offers[by_code[bounds[code] : bounds[code + 1]]]
            for code in range(len(ordered))
        }

    def having(self, value_ids: Iterable[int], size: int) -> np.ndarray:
        """Mask of the offers related to any of ``value_ids``."""
        mask = np.zeros(size, dtype=bool)
        for value in value_ids:
            if value in self.by_value:
                mask[self.by_value[value]] = True
        return mask

    def count(self, scope: np.ndarray) -> dict[int, int]:
        """For each value (by id), how many offers of ``scope`` have it."""
        counts = np.rint(self.matrix @ scope.astype(np.float32)).astype(np.int64)
        present = np.flatnonzero(counts)
        return dict(zip(self.values[present].tolist(), counts[present].tolist(), strict=True))

    def keys_of(self, position: int) -> list[str]:
        """The keys of one offer's related objects, in their model's order."""
        return [
            self.keys[code]
            for code in self.codes[self.starts[position] : self.starts[position + 1]]
        ]


class RegionCover:
    """Which offers each region's list includes, by the rule of ``filters.regions_covered``.

    A Land's list holds the offers tagged with the Land or any of its Kreise; a
    Kreis's those tagged with the Kreis or its Land. Nationwide offers are in
    every list and counted apart. A Kreis is counted as its own offers plus its
    Land's, less those tagged with both, so that no matrix repeats a Land's
    offers for each of its Kreise (96 in Bayern).
    """

    def __init__(self, tagged: Membership) -> None:
        regions = list(Region.objects.order_by().values_list("pk", "code", "parent__code"))
        code_of = {pk: code for pk, code, _parent in regions}
        known = set(code_of.values())
        children: dict[str, list[str]] = {}
        for _pk, code, parent in regions:
            if parent:
                children.setdefault(parent, []).append(code)
        # Rows in the order of ``tagged``'s codes (its model's order).
        codes = [code_of[int(pk)] for pk in tagged.values.tolist()]
        self.index = {code: i for i, code in enumerate(codes)}
        self.ids = tagged.values
        self.tagged, self._children, self._known = tagged, children, known
        own = tagged.matrix
        self.lands = np.array([i for i, code in enumerate(codes) if len(code) == 2], dtype=np.int64)
        pairs = [
            (row, self.index[code])
            for row, land in enumerate(self.lands.tolist())
            for code in [codes[land], *children.get(codes[land], ())]
        ]
        rows, columns = zip(*pairs, strict=True) if pairs else ((), ())
        reach = sparse.csr_array(
            (np.ones(len(pairs), dtype=np.float32), (rows, columns)),
            shape=(len(self.lands), len(codes)),
        )
        self.land_lists = (reach @ own).astype(bool).astype(np.float32)
        self.districts = np.array(
            [i for i, code in enumerate(codes) if len(code) == 5 and code[:2] in self.index],
            dtype=np.int64,
        )
        self.land_of = np.array([self.index[codes[i][:2]] for i in self.districts], dtype=np.int64)
        self.both = own[self.districts].multiply(own[self.land_of]).tocsr()

    def having(self, code: str, size: int) -> np.ndarray:
        """Mask of the offers (not nationwide ones) a region's list includes."""
        covered = covered_codes(code, self._children, self._known)
        return self.tagged.having((int(self.ids[self.index[c]]) for c in covered), size)

    def count(self, scope: np.ndarray, nationwide: np.ndarray) -> dict[int, int]:
        """For each region (by id) with an offer of its own in ``scope``: its list's length."""
        regional = (scope & ~nationwide).astype(np.float32)
        own = self.tagged.matrix @ regional
        counts = own.copy()
        counts[self.lands] = self.land_lists @ regional
        counts[self.districts] += own[self.land_of] - self.both @ regional
        counts = np.rint(counts).astype(np.int64)
        present = np.flatnonzero(counts)
        everywhere = int(np.count_nonzero(scope & nationwide))
        return dict(
            zip(self.ids[present].tolist(), (counts[present] + everywhere).tolist(), strict=True)
        )


class Catalogue:
    """Every offer's facet values, visibility and sort positions, as arrays by position."""

    def __init__(self, version: tuple[str, int]) -> None:
        self.version = version
        table = Offer._meta.db_table
        if connection.vendor == "postgresql":
            # Day numbers and seconds, not dates and datetimes: parsing 100,000 of
            # those in the driver took half the load.
            dated = (
                "valid_from - DATE '0001-01-01' + 1, valid_until - DATE '0001-01-01' + 1, "
                "nationwide, EXTRACT(EPOCH FROM published_at)::float8"
            )
        else:  # SQLite's timestamps are ISO text, which sorts as time does
            dated = "valid_from, valid_until, nationwide, published_at"
        with connection.cursor() as cursor:  # raw rows: 100,000 of them pass no converters
            cursor.execute(
                f"SELECT id, kind, provider_id, status, {dated} FROM {table} ORDER BY title, id"  # noqa: S608
            )
            rows = cursor.fetchall()
        self.size = len(rows)
        # Positions follow the ids; the query's order is the title order of the database.
        by_title = np.array([row[0] for row in rows], dtype=np.int64)
        order = np.argsort(by_title)
        rows = [rows[i] for i in order.tolist()]
        self.ids = by_title[order]
        self.by_title = order.astype(np.int32)  # the offer at position p came order[p]-th
        kind_codes = {kind: code for code, kind in enumerate(KINDS)}
        self.kind = np.array([kind_codes.get(row[1], -1) for row in rows], dtype=np.int16)
        self.provider = np.array([row[2] for row in rows], dtype=np.int64)
        self.published = np.array([row[3] == OfferStatus.PUBLISHED for row in rows], dtype=bool)
        self.valid_from = _days([row[4] for row in rows], ALWAYS)
        self.valid_until = _days([row[5] for row in rows], NEVER)
        self.nationwide = np.array([bool(row[6]) for row in rows], dtype=bool)
        self.by_newest = _newest_first([row[7] for row in rows], self.by_title)
        self.relations = {
            field: Membership(field, self.positions, self.size, key)
            for field, key in RELATED_KEYS.items()
        }
        self.region_cover = RegionCover(self.relations["regions"])
        # Providers numbered 0..p-1, so that counting them is a bincount.
        self.providers, self.provider_code = np.unique(self.provider, return_inverse=True)
        self.labels = facet_labels(self.providers.tolist())
        # Whether an offer has practice examples, links: its page asks only then.
        self.has_examples = self._having_rows(PracticeExample._meta.db_table)
        self.has_links = self._having_rows(OfferLink._meta.db_table)
        self.ids_by_key = {
            facet: {key: pk for pk, (key, _label) in labels.items()}
            for facet, labels in self.labels.items()
        }
        self._postings: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._postings_kept = 0
        self._lock = threading.Lock()

    def _having_rows(self, table: str) -> np.ndarray:
        """Mask of the offers that some row of ``table`` (by its offer_id) belongs to."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT offer_id FROM {table}")  # noqa: S608
            offer_ids = np.array([row[0] for row in cursor.fetchall()], dtype=np.int64)
        mask = np.zeros(self.size, dtype=bool)
        found = self.positions(offer_ids)
        mask[found[found >= 0]] = True
        return mask

    def positions(self, offer_ids: np.ndarray) -> np.ndarray:
        """Where each offer is in the arrays; -1 for an id the catalogue does not hold."""
        found = np.searchsorted(self.ids, offer_ids)
        inside = np.minimum(found, max(self.size - 1, 0))
        held = (found < self.size) & (self.ids[inside] == offer_ids) if self.size else found < 0
        return np.where(held, found, -1)

    # --- who sees what, which filters hold --------------------------------------------

    def visible(self, user: Any, today: datetime.date | None = None) -> np.ndarray:
        """Mask of the offers ``user`` may see: the rule of ``OfferQuerySet.visible_to``."""
        if is_administrator(user):
            return np.ones(self.size, dtype=bool)
        public = self.public(today)
        if has_role(user, Role.COORDINATOR, Role.ADVISER) and user.organisation_id:
            return public | (self.provider == user.organisation_id)
        return public

    def public(self, today: datetime.date | None = None) -> np.ndarray:
        """Mask of the offers everyone sees: published and current."""
        day = (today or timezone.localdate()).toordinal()
        return self.published & (self.valid_from <= day) & (self.valid_until >= day)

    def filter_masks(
        self, chosen: dict[str, list[str]], region: str | None
    ) -> dict[str, np.ndarray]:
        """One mask per filter that is set: the rules of ``filters.OfferFilter``.

        ``chosen`` holds the keys of each list filter, as the form accepted them.
        """
        masks: dict[str, np.ndarray] = {}
        if chosen.get("kind"):
            wanted = np.zeros(len(KINDS), dtype=bool)
            wanted[[KINDS.index(kind) for kind in chosen["kind"] if kind in KINDS]] = True
            masks["kind"] = wanted[self.kind]
        if chosen.get("provider"):
            wanted = np.isin(self.providers, self.ids_of("provider", chosen["provider"]))
            masks["provider"] = wanted[self.provider_code]
        for name in ("target_group", "action_field", "language"):
            if chosen.get(name):
                relation = self.relations[RELATIONS[name]]
                masks[name] = relation.having(self.ids_of(name, chosen[name]), self.size)
        if region:
            masks["region"] = self.nationwide | self.region_cover.having(region, self.size)
        return masks

    def facet_counts(self, facet: str, scope: np.ndarray) -> dict[int, int]:
        """For each value of a related facet (by id), how many offers of ``scope`` it lists.

        A region lists what choosing it lists: nationwide offers and those of
        the regions it covers (itself, its Kreise, its Land).
        """
        if facet == "region":
            return self.region_cover.count(scope, self.nationwide)
        return self.relations[RELATIONS[facet]].count(scope)

    def ids_of(self, facet: str, keys: Iterable[str]) -> list[int]:
        by_key = self.ids_by_key[facet]
        return [by_key[key] for key in keys if key in by_key]

    # --- what the full-text index says ------------------------------------------------

    def postings(
        self, expression: str, fetch: Callable[[str], list[tuple[int, float]]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Positions and scores of the offers matching one alternative, asked once."""
        with self._lock:
            if expression in self._postings:
                self._postings.move_to_end(expression)
                return self._postings[expression]
        rows = fetch(expression)
        found = np.array([row[0] for row in rows], dtype=np.int64)
        scores = np.array([row[1] for row in rows], dtype=np.float64)
        positions = self.positions(found)
        known = positions >= 0
        answer = (positions[known], scores[known])
        with self._lock:
            if expression not in self._postings:
                self._postings[expression] = answer
                self._postings_kept += _weight(answer)
            self._postings.move_to_end(expression)
            while self._postings_kept > POSTINGS_KEPT and len(self._postings) > 1:
                _expression, dropped = self._postings.popitem(last=False)
                self._postings_kept -= _weight(dropped)
        return answer


# Matching offers kept over all words (about 50 MB); a word counts at least 100, so that
# many words without a match cannot fill the memory either.
POSTINGS_KEPT = 4_000_000


def _weight(answer: tuple[np.ndarray, np.ndarray]) -> int:
    return max(len(answer[0]), 100)


def facet_labels(providers: list[int]) -> dict[str, dict[int, tuple[str, str]]]:
    """Key and label of every facet value, by id (they change with the catalogue's version)."""
    fields = ActionField.objects.select_related("network").order_by()
    return {
        "target_group": {g.pk: (g.slug, g.name) for g in TargetGroup.objects.order_by()},
        "action_field": {
            f.pk: (str(f.pk), f"{f.network.name}: {f.number}. {f.title}") for f in fields
        },
        "language": {lang.pk: (lang.code, lang.name) for lang in Language.objects.order_by()},
        "region": {r.pk: (r.code, r.name) for r in Region.objects.order_by().only("code", "name")},
        "provider": {
            org.pk: (org.slug, org.name)
            for org in Organisation.objects.filter(pk__in=providers).only("slug", "name")
        },
    }


# Saving or deleting any of these changes what the compass shows, or what it calls it.
LABELLED_MODELS = (
    Organisation, Network, ActionField, TargetGroup, Language, Region, PracticeExample,
    OfferLink,
)  # fmt: skip


def _days(dates: list[Any], missing: int) -> np.ndarray:
    """Day numbers (``date.toordinal``) of dates as the query gives them.

    PostgreSQL's query gives the numbers; SQLite's driver dates or ISO text.
    """

    def day(value: Any) -> int:
        if isinstance(value, str):
            return datetime.date.fromisoformat(value).toordinal()
        return value if isinstance(value, int) else value.toordinal()

    return np.array([missing if d is None else day(d) for d in dates], dtype=np.int64)


def _newest_first(published: list[Any], by_title: np.ndarray) -> np.ndarray:
    """Positions in the order ``-published_at, title, id`` as this database sorts it.

    Values compare as the query gives them (seconds on PostgreSQL, ISO text on
    SQLite, which sorts as time does). Offers never published (drafts, which only
    editors see) come last on both databases, as ``nulls_last`` asks.
    """
    size = len(published)
    missing = np.array([value is None for value in published], dtype=bool)
    rank = np.zeros(size, dtype=np.float64)
    known = [value for value in published if value is not None]
    if known:
        _values, place = np.unique(np.array(known), return_inverse=True)
        rank[~missing] = -place.ravel()
    rank[missing] = np.inf
    ranks = np.empty(size, dtype=np.int32)
    ranks[np.lexsort((by_title, rank))] = np.arange(size, dtype=np.int32)
    return ranks


_loaded: dict[str, Catalogue] = {}
_loading = threading.Lock()


def loaded(version: tuple[str, int]) -> Catalogue | None:
    """The catalogue of ``version`` if this process holds it."""
    kept = _loaded.get(version[0])
    return kept if kept is not None and kept.version == version else None


def catalogue() -> Catalogue:
    """This database's catalogue as it is now; loaded again after any change."""
    version = current_version()
    kept = _loaded.get(version[0])
    if kept is not None and kept.version == version:
        return kept
    with _loading:
        kept = _loaded.get(version[0])
        if kept is None or kept.version != version:
            kept = _loaded[version[0]] = Catalogue(version)
    return kept
