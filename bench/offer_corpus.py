"""Realistic offers in bulk, composed from the seed documents and the reference data.

Texts are the sentences and titles of ``lotse/offers/demo/offers.yaml`` and
``lotse/network/demo/networks.yaml``; providers, partners, target groups,
action fields, regions and languages are the rows that the demo loaders and
``load_regions`` created. No amount, deadline or URL is invented.

The search fields are computed with the analysis functions that
``index_offer`` uses (``words``, ``index_words``, ``stem``), memoised per word
so that 100,000 offers take seconds; a sample is checked against
``index_offer`` itself, and the benchmark stops if they differ.
"""

import datetime
import random
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from lotse.core.text import words
from lotse.network.demo import DEMO_FILE as NETWORKS_FILE
from lotse.network.models import ActionField, Organisation, Region, RegionLevel
from lotse.offers.catalogue import catalogue_changed
from lotse.offers.demo import DEMO_FILE as OFFERS_FILE
from lotse.offers.models import (
    FundingType,
    Language,
    Offer,
    OfferKind,
    OfferStatus,
    SearchTerm,
    TargetGroup,
)
from lotse.offers.search.analysis import index_words, lexicon, stem, with_umlauts
from lotse.offers.search.backends import index_offer

TEXT_KEYS = {"summary", "description", "story", "text", "goals", "approaches", "eligibility"}
SHORT_ITEM_KEYS = {"goals", "approaches"}
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ„0-9])")
CORE_STATES = ("14", "15")  # Sachsen, Sachsen-Anhalt: where the seed documents are
# German nouns for the kinds, as titles of the documents begin ("Beratung: ...").
KIND_WORDS = {
    OfferKind.FUNDING: "Förderprogramm",
    OfferKind.ADVICE: "Beratung",
    OfferKind.COACHING: "Coaching",
    OfferKind.QUALIFICATION: "Qualifizierung",
    OfferKind.PLACEMENT: "Vermittlung",
    OfferKind.INTERNSHIP: "Praktikum",
    OfferKind.EVENT_SERIES: "Veranstaltungsreihe",
    OfferKind.PORTAL: "Portal",
    OfferKind.NETWORK: "Netzwerk",
}
BATCH = 2000


def _clean(text: str) -> str:
    return " ".join(str(text).split())


def _walk(node: Any, key: str | None = None) -> Iterable[tuple[str | None, str]]:
    if isinstance(node, dict):
        for name, value in node.items():
            yield from _walk(value, str(name))
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, key)
    elif isinstance(node, str):
        yield key, _clean(node)


@dataclass
class SeedText:
    """Titles, sentences and the demo offers of the seed documents, read from the YAML files."""

    titles: list[str]
    sentences: list[str]
    demo_offers: list[dict[str, Any]]
    target_groups: list[dict[str, Any]]

    @classmethod
    def load(
        cls, offers_file: Path = OFFERS_FILE, networks_file: Path = NETWORKS_FILE
    ) -> "SeedText":
        titles: set[str] = set()
        sentences: set[str] = set()
        documents = [
            yaml.safe_load(path.read_text(encoding="utf-8"))
            for path in (offers_file, networks_file)
        ]
        for document in documents:
            for key, text in _walk(document):
                if key == "title":
                    titles.add(text)
                if key in SHORT_ITEM_KEYS and len(text.split()) <= 12:
                    titles.add(text.rstrip(".;:"))
                if key in TEXT_KEYS:
                    for sentence in SENTENCE_END.split(text):
                        if len(sentence.split()) >= 4:
                            sentences.add(sentence)
        offers = documents[0]
        return cls(
            titles=sorted(t for t in titles if 3 <= len(t) <= 150),
            sentences=sorted(sentences),
            demo_offers=list(offers["offers"]),
            target_groups=list(offers["target_groups"]),
        )


class FastIndex:
    """What ``index_offer`` computes, memoised per text fragment and per word."""

    def __init__(self) -> None:
        self.known = lexicon()
        self._fragments: dict[str, list[str]] = {}
        self._parts: dict[str, list[str]] = {}
        self._stems: dict[str, str] = {}

    def tokens(self, fragment: str, *, remember: bool = True) -> list[str]:
        """``words(fragment)``; words(a + " " + b) == words(a) + words(b)."""
        found = self._fragments.get(fragment)
        if found is None:
            found = words(fragment)
            if remember:
                self._fragments[fragment] = found
        return found

    def _compound_parts(self, word: str) -> list[str]:
        parts = self._parts.get(word)
        if parts is None:
            parts = self._parts[word] = index_words(word, self.known)[1:]
        return parts

    def index_words(self, found: list[str]) -> list[str]:
        """``index_words``: the words, then the parts of compounds, last word first (LIFO)."""
        return found + [part for word in reversed(found) for part in self._compound_parts(word)]

    def stem(self, word: str) -> str:
        stemmed = self._stems.get(word)
        if stemmed is None:
            stemmed = self._stems[word] = stem(word)
        return stemmed


@dataclass
class Reference:
    """The rows generated offers refer to, in the order ``index_offer`` reads them."""

    organisations: list[Organisation]
    groups: list[TargetGroup]
    fields: list[ActionField]
    core_districts: list[Region]
    other_districts: list[Region]
    states: list[Region]
    core_states: list[Region]
    languages: list[Language]
    kind_labels: dict[str, str]
    rank: dict[tuple[str, int], int] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "Reference":
        organisations = list(Organisation.objects.all())
        groups = list(TargetGroup.objects.all())
        fields = list(ActionField.objects.all())
        regions = list(Region.objects.all())
        reference = cls(
            organisations=organisations,
            groups=groups,
            fields=fields,
            core_districts=[
                r for r in regions if r.level == RegionLevel.DISTRICT and r.code[:2] in CORE_STATES
            ],
            other_districts=[
                r
                for r in regions
                if r.level == RegionLevel.DISTRICT and r.code[:2] not in CORE_STATES
            ],
            states=[r for r in regions if r.level == RegionLevel.STATE],
            core_states=[r for r in regions if r.code in CORE_STATES],
            languages=list(Language.objects.exclude(code="de")),
            kind_labels={kind.value: str(kind.label) for kind in OfferKind},
        )
        # Related managers return rows in the model's default ordering; so does index_offer.
        for name, rows in (
            ("org", organisations),
            ("group", groups),
            ("field", fields),
            ("region", regions),
        ):
            reference.rank.update({(name, row.pk): i for i, row in enumerate(rows)})
        return reference

    def ordered(self, name: str, rows: Iterable[Any]) -> list[Any]:
        return sorted(rows, key=lambda row: self.rank[(name, row.pk)])


@dataclass
class Draft:
    offer: Offer
    partners: list[Organisation]
    groups: list[TargetGroup]
    fields: list[ActionField]
    regions: list[Region]
    languages: list[Language]


class OfferFactory:
    """Composes one realistic offer at a time from a seeded random generator."""

    def __init__(self, seed: int, text: SeedText, reference: Reference) -> None:
        self.rng = random.Random(seed)  # noqa: S311 (test data, not cryptography)
        self.text = text
        self.ref = reference
        self.index = FastIndex()
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.summary_sentences = [s for s in text.sentences if len(s) <= 240]
        orgs = {org.slug: org for org in reference.organisations}
        groups = {group.slug: group for group in reference.groups}
        fields = {
            f"{f.network.slug}/{f.number}": f for f in ActionField.objects.select_related("network")
        }
        self.group_descriptions = [
            _clean(g["description"]) for g in text.target_groups if g.get("description")
        ]
        self.templates = [
            {
                "kind": offer["kind"],
                "provider": orgs[offer["provider"]],
                "groups": [groups[key] for key in offer.get("target_groups") or []],
                "fields": [fields[key] for key in offer.get("action_fields") or []],
            }
            for offer in text.demo_offers
        ]
        self.kinds = [kind.value for kind in OfferKind]
        self.funding_types = [t.value for t in FundingType]
        self.new_words: set[str] = set()

    def _sample(
        self, rows: list[Any], low: int, high: int, exclude: Iterable[Any] = ()
    ) -> list[Any]:
        skip = set(exclude)
        pool = [row for row in rows if row not in skip] if skip else rows
        return self.rng.sample(pool, min(len(pool), self.rng.randint(low, high)))

    def _regions(self) -> tuple[list[Region], bool]:
        roll = self.rng.random()
        ref = self.ref
        if roll < 0.50:
            return self._sample(ref.core_districts, 1, 3), False
        if roll < 0.65:
            states = ref.core_states if self.rng.random() < 0.7 else ref.states
            return [self.rng.choice(states)], False
        if roll < 0.85:
            return self._sample(ref.other_districts, 1, 2), False
        if roll < 0.93:
            return ([self.rng.choice(ref.core_states)] if self.rng.random() < 0.5 else []), True
        return [], False

    def _title(
        self, kind: str, provider: Organisation, groups: list[TargetGroup], regions: list[Region]
    ) -> str:
        base = self.rng.choice(self.text.titles)
        roll = self.rng.random()
        if roll < 0.30:
            title = base
        elif roll < 0.50 and regions:
            title = f"{base} in {self.rng.choice(regions).name}"
        elif roll < 0.65:
            title = f"{base} für {self.rng.choice(groups).name}"
        elif roll < 0.75:
            title = f"{KIND_WORDS[OfferKind(kind)]}: {base}"
        elif roll < 0.90:
            title = f"{base} ({provider.short_name or provider.name})"
        else:
            title = f"{base} {self.rng.randint(2024, 2027)}"
        return title if len(title) <= 200 else base[:200]

    def draft(self, number: int) -> Draft:
        rng, ref = self.rng, self.ref
        template = rng.choice(self.templates)
        kind = template["kind"] if rng.random() < 0.75 else rng.choice(self.kinds)
        provider = template["provider"] if rng.random() < 0.6 else rng.choice(ref.organisations)
        groups = list(template["groups"])
        if rng.random() < 0.2 or not groups:
            groups = self._sample(ref.groups, 1, 2)
        elif rng.random() < 0.3:
            groups = list({*groups, rng.choice(ref.groups)})
        roll = rng.random()
        fields = (
            template["fields"] if roll < 0.4 else ([rng.choice(ref.fields)] if roll < 0.6 else [])
        )
        regions, nationwide = self._regions()
        partners = (
            self._sample(ref.organisations, 1, 3, exclude=[provider]) if rng.random() < 0.35 else []
        )
        languages = self._sample(ref.languages, 1, 2) if rng.random() < 0.12 else []
        title = self._title(kind, provider, groups, regions)
        summary_parts = rng.sample(self.summary_sentences, rng.randint(1, 2))
        description_parts = rng.sample(self.text.sentences, rng.randint(2, 7))
        composed = ""
        if rng.random() < 0.3:
            where = ", ".join(r.name for r in regions) if regions else "ganz Deutschland"
            audience = ", ".join(g.name for g in groups)
            composed = f"Das Angebot richtet sich an {audience} in {where}."
            description_parts.append(composed)
        funding_type = eligibility = ""
        eligibility_parts: list[str] = []
        if kind == OfferKind.FUNDING:
            funding_type = (
                FundingType.GRANT if rng.random() < 0.7 else rng.choice(self.funding_types)
            )
            eligibility_parts = [rng.choice(self.group_descriptions)]
            eligibility = eligibility_parts[0]
        status, published_at = (
            OfferStatus.PUBLISHED,
            self.now - datetime.timedelta(seconds=rng.randrange(3 * 365 * 86400)),
        )
        if rng.random() < 0.05:
            status, published_at = OfferStatus.DRAFT, None
        valid_from = valid_until = None
        roll = rng.random()
        if roll < 0.04:
            valid_until = self.today - datetime.timedelta(days=rng.randint(1, 700))  # expired
        elif roll < 0.07:
            valid_from = self.today + datetime.timedelta(days=rng.randint(1, 200))  # not yet
        elif roll < 0.30:
            valid_until = self.today + datetime.timedelta(days=rng.randint(30, 900))
        summary = " ".join(summary_parts)
        description = " ".join(description_parts)

        partners = ref.ordered("org", partners)
        groups = ref.ordered("group", groups)
        fields = ref.ordered("field", fields)
        regions = ref.ordered("region", regions)
        # The body text of index_offer, fragment by fragment (joined by spaces there).
        tokens = self.index.tokens
        body_found = [
            *(w for part in summary_parts for w in tokens(part)),
            *(w for part in description_parts for w in tokens(part, remember=part != composed)),
            *tokens(provider.name),
            *tokens(provider.short_name),
            *tokens(ref.kind_labels[kind]),
            *(w for part in eligibility_parts for w in tokens(part)),
            *(w for g in groups for w in tokens(g.name)),
            *(w for f in fields for w in tokens(f.title)),
            *(w for r in regions for w in tokens(r.name)),
            *(w for p in partners for w in tokens(p.name)),
        ]
        title_words = self.index.index_words(words(title))
        body_words = self.index.index_words(body_found)
        stem_ = self.index.stem
        self.new_words.update(
            w for w in (*title_words, *body_words) if 3 < len(w) <= 80 and not w.isdigit()
        )
        offer = Offer(
            title=title,
            slug=f"{slugify(title)[:100].strip('-')}-{number}",
            kind=kind,
            summary=summary,
            description=description,
            provider=provider,
            nationwide=nationwide,
            funding_type=funding_type,
            eligibility=eligibility,
            status=status,
            published_at=published_at,
            valid_from=valid_from,
            valid_until=valid_until,
            source="Lotse benchmark (generated from the seed documents)",
            search_title=with_umlauts(" ".join(title_words)),
            search_body=with_umlauts(" ".join(body_words)),
            stems_title=" ".join(stem_(w) for w in title_words),
            stems_body=" ".join(stem_(w) for w in body_words),
        )
        return Draft(offer, partners, groups, fields, regions, languages)


def _save(drafts: list[Draft], german: Language) -> None:
    with transaction.atomic():
        Offer.objects.bulk_create([d.offer for d in drafts], batch_size=500)
        through = Offer.target_groups.through
        through.objects.bulk_create(
            [through(offer_id=d.offer.pk, targetgroup_id=g.pk) for d in drafts for g in d.groups],
            batch_size=5000,
        )
        through = Offer.partners.through
        through.objects.bulk_create(
            [
                through(offer_id=d.offer.pk, organisation_id=p.pk)
                for d in drafts
                for p in d.partners
            ],
            batch_size=5000,
        )
        through = Offer.action_fields.through
        through.objects.bulk_create(
            [through(offer_id=d.offer.pk, actionfield_id=f.pk) for d in drafts for f in d.fields],
            batch_size=5000,
        )
        through = Offer.regions.through
        through.objects.bulk_create(
            [through(offer_id=d.offer.pk, region_id=r.pk) for d in drafts for r in d.regions],
            batch_size=5000,
        )
        through = Offer.languages.through
        through.objects.bulk_create(
            [
                through(offer_id=d.offer.pk, language_id=lang.pk)
                for d in drafts
                for lang in [german, *d.languages]
            ],
            batch_size=5000,
        )


SEARCH_FIELDS = ("search_title", "search_body", "stems_title", "stems_body")


def check_against_index_offer(offers: list[Offer]) -> None:
    """Re-index a sample with ``index_offer`` and demand the very same search fields."""
    for offer in offers:
        before = Offer.objects.filter(pk=offer.pk).values(*SEARCH_FIELDS).get()
        index_offer(Offer.objects.select_related("provider").get(pk=offer.pk))
        after = Offer.objects.filter(pk=offer.pk).values(*SEARCH_FIELDS).get()
        for name in SEARCH_FIELDS:
            if before[name] != after[name]:
                raise RuntimeError(
                    f"generated offer {offer.slug}: {name} differs from index_offer\n"
                    f"  bench: {before[name][:300]}\n  index_offer: {after[name][:300]}"
                )


def generate_offers(
    total: int, *, seed: int, say: Callable[[str], None] = print
) -> dict[str, float | int]:
    """Add generated offers until there are ``total``; returns counts and timings."""
    started = time.perf_counter()
    existing = Offer.objects.count()
    wanted = max(0, total - existing)
    factory = OfferFactory(seed, SeedText.load(), Reference.load())
    german = Language.objects.get(code="de")
    made = 0
    while made < wanted:
        drafts = [factory.draft(existing + made + i) for i in range(min(BATCH, wanted - made))]
        _save(drafts, german)
        if made == 0:
            check_against_index_offer([d.offer for d in drafts[:25]])
        made += len(drafts)
        if made % 20000 < BATCH or made == wanted:
            say(f"  {made:>7} offers generated ({time.perf_counter() - started:.1f} s)")
    terms = sorted(factory.new_words)
    SearchTerm.objects.bulk_create(
        [SearchTerm(word=w) for w in terms], batch_size=5000, ignore_conflicts=True
    )
    catalogue_changed()  # bulk inserts send no signals
    return {
        "generated": made,
        "offers": Offer.objects.count(),
        "search_terms": SearchTerm.objects.count(),
        "seconds": time.perf_counter() - started,
    }
