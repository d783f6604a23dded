"""The benchmark's fixed query mix, its raw-SQL twin, and nDCG@10 over the judged queries."""

import csv
import math
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import yaml
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from lotse.core.text import fold
from lotse.network.models import Region
from lotse.network.regions import REGIONS_FILE
from lotse.offers.compass import PAGE_SIZE as COMPASS_PAGE
from lotse.offers.compass import search_offers
from lotse.offers.filters import SortOrder
from lotse.offers.models import Offer, OfferKind, TargetGroup
from lotse.offers.search.analysis import HERE as SEARCH_DIR
from lotse.offers.search.analysis import stopwords
from lotse.offers.search.backends import match_expression

from .offer_corpus import CORE_STATES, SeedText

JUDGMENTS_FILE = SEARCH_DIR / "judgments.yaml"
SYNONYMS_FILE = SEARCH_DIR / "synonyms.txt"
PAGE_SIZE = COMPASS_PAGE  # the API's first page, as long as the compass page
# How the 200 queries divide (scaled for other sizes); every list is seeded.
PLAN = [
    ("single word", 35),
    ("two words", 30),
    ("three words", 10),
    ("typo", 25),
    ("umlaut spelling", 15),
    ("synonym", 20),
    ("text + kind", 15),
    ("text + target group", 15),
    ("text + region", 15),
    ("filters only", 20),
]
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
UMLAUTS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)


@dataclass
class BenchQuery:
    number: int
    category: str
    params: dict[str, str]
    # Filled in by prepare(): what the compass made of it, for the raw SQL.
    expression: str | None = None
    sort: str = ""
    sql: str = ""
    sql_params: list[Any] = field(default_factory=list)
    sql_source: str = ""

    @property
    def querystring(self) -> str:
        return urlencode(self.params)


def _is_content_word(word: str) -> bool:
    """Words one would search for: no stopwords; acronyms (KMU, MINT) from three letters."""
    if word.isupper():
        return len(word) >= 3
    return len(word) >= 4 and fold(word) not in stopwords()


def _content_words(texts: list[str]) -> list[str]:
    return sorted({word for text in texts for word in WORD.findall(text) if _is_content_word(word)})


def _synonym_entries() -> list[str]:
    entries = []
    for line in SYNONYMS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        entries += [entry.strip() for entry in line.split(",") if entry.strip()]
    return entries


def _typo(rng: random.Random, word: str) -> str:
    at = rng.randint(1, len(word) - 2)
    operation = rng.choice(["delete", "swap", "double", "replace"])
    if operation == "delete":
        return word[:at] + word[at + 1 :]
    if operation == "swap":
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    if operation == "double":
        return word[:at] + word[at] + word[at:]
    return word[:at] + rng.choice([c for c in "aeinrst" if c != word[at]]) + word[at + 1 :]


def build_mix(size: int = 200, seed: int = 2026) -> list[BenchQuery]:
    """A seeded mix of what people type, from the documents' vocabulary and the reference data."""
    rng = random.Random(seed)  # noqa: S311 (test data, not cryptography)
    text = SeedText.load()
    titles = [offer["title"] for offer in text.demo_offers]
    title_words = _content_words(titles)
    summary_words = _content_words([offer["summary"] for offer in text.demo_offers])
    umlaut_words = [w for w in title_words + summary_words if w != w.translate(UMLAUTS)]
    long_words = [w for w in title_words + summary_words if len(w) >= 6 and "-" not in w]
    synonyms = _synonym_entries()
    with open(REGIONS_FILE, encoding="utf-8", newline="") as handle:
        regions = list(csv.DictReader(handle))
    core = [r["code"] for r in regions if len(r["code"]) == 5 and r["code"][:2] in CORE_STATES]
    other = [r["code"] for r in regions if len(r["code"]) == 5 and r["code"][:2] not in CORE_STATES]
    states = [r["code"] for r in regions if len(r["code"]) == 2]
    groups = [group["key"] for group in text.target_groups]
    kinds = [kind.value for kind in OfferKind]

    def single() -> str:
        return rng.choice(title_words if rng.random() < 0.6 else summary_words)

    def several(n: int) -> str:
        for _attempt in range(20):
            candidates = _content_words([rng.choice(titles)])
            if len(candidates) >= n:
                return " ".join(rng.sample(candidates, n))
        return " ".join(single() for _ in range(n))

    def region() -> str:
        roll = rng.random()
        return rng.choice(core if roll < 0.6 else states if roll < 0.8 else other)

    def text_query() -> str:
        return single() if rng.random() < 0.6 else several(2)

    makers = {
        "single word": lambda: {"q": single()},
        "two words": lambda: {"q": several(2)},
        "three words": lambda: {"q": several(3)},
        "typo": lambda: {"q": _typo(rng, rng.choice(long_words))},
        "umlaut spelling": lambda: {"q": rng.choice(umlaut_words).translate(UMLAUTS)},
        "synonym": lambda: {"q": rng.choice(synonyms)},
        "text + kind": lambda: {"q": text_query(), "kind": rng.choice(kinds)},
        "text + target group": lambda: {"q": text_query(), "target_group": rng.choice(groups)},
        "text + region": lambda: {"q": text_query(), "region": region()},
        "filters only": lambda: rng.choice(
            [
                lambda: {"kind": rng.choice(kinds)},
                lambda: {"target_group": rng.choice(groups)},
                lambda: {"region": region()},
                lambda: {"kind": rng.choice(kinds), "region": region()},
                lambda: {"target_group": rng.choice(groups), "region": region()},
            ]
        )(),
    }
    total = sum(count for _name, count in PLAN)
    mix: list[tuple[str, dict[str, str]]] = []
    for category, count in PLAN:
        for _ in range(max(1, round(count * size / total))):
            params = makers[category]()
            if "q" in params and rng.random() < 0.5:
                params["sort"] = SortOrder.RELEVANCE
            mix.append((category, params))
    rng.shuffle(mix)
    return [BenchQuery(i, category, params) for i, (category, params) in enumerate(mix[:size], 1)]


class _Capture:
    """execute_wrapper keeping the statements the compass runs."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, list[Any]]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.statements.append((sql, list(params or [])))
        return execute(sql, params, many, context)


RANKING_FUNCTIONS = ("bm25(", "ts_rank")


def prepare(query: BenchQuery) -> None:
    """Find the one SQL query that answers the question: the first page of ids, ranked.

    For a relevance-ranked search this is the statement with which the compass
    itself ranks its first page (captured while it does so, so that it stays
    the same when the ranking changes); for a list sorted by date or title it
    is the ORM's query of the first page of ids. If no ranking statement can be
    found, a hand-written equivalent (``raw_sql``) stands in.
    """
    result = search_offers(QueryDict(query.querystring), AnonymousUser(), with_facets=False)
    if not result.is_valid:
        raise ValueError(f"query {query.querystring!r} is invalid: {result.filterset.errors}")
    parsed = result.query
    if parsed is not None and not parsed.is_empty:
        query.expression = match_expression(parsed, any_term=result.relaxed)
    query.sort = result.sort
    if isinstance(result.offers, QuerySet):
        ids = result.offers.values_list("pk", flat=True)[:PAGE_SIZE]
        sql, params = ids.query.sql_with_params()
        query.sql, query.sql_params, query.sql_source = sql, list(params), "orm"
        return
    capture = _Capture()
    with connection.execute_wrapper(capture):
        result.offers[0:PAGE_SIZE]
    ranking = [
        (sql, params)
        for sql, params in capture.statements
        if any(function in sql for function in RANKING_FUNCTIONS)
    ]
    if ranking:
        query.sql, query.sql_params = ranking[0]
        query.sql_source = "compass"
    else:
        query.sql, query.sql_params = raw_sql(query)
        query.sql_source = "hand-written"


def raw_sql(query: BenchQuery) -> tuple[str, list[Any]]:
    """The first page of ids as the database alone finds it: match, filter, rank every match."""
    postgresql = connection.vendor == "postgresql"
    offer = Offer._meta.db_table
    today = timezone.localdate()
    where = [
        "o.status = 'published'",
        "(o.valid_from IS NULL OR o.valid_from <= %s)",
        "(o.valid_until IS NULL OR o.valid_until >= %s)",
    ]
    params: list[Any] = [today, today]
    if "kind" in query.params:
        where.append("o.kind = %s")
        params.append(query.params["kind"])
    if "target_group" in query.params:
        through = Offer.target_groups.through._meta.db_table
        # Table names come from the models, values are parameters.
        where.append(
            f"EXISTS (SELECT 1 FROM {through} t JOIN {TargetGroup._meta.db_table} g "  # noqa: S608
            "ON g.id = t.targetgroup_id WHERE t.offer_id = o.id AND g.slug = %s)"
        )
        params.append(query.params["target_group"])
    if "region" in query.params:
        code = query.params["region"]
        through = Offer.regions.through._meta.db_table
        region = Region._meta.db_table
        codes = "g.code = %s OR p.code = %s" + (" OR g.code = %s" if len(code) == 5 else "")
        where.append(
            f"(o.nationwide OR EXISTS (SELECT 1 FROM {through} r "  # noqa: S608
            f"JOIN {region} g ON g.id = r.region_id LEFT JOIN {region} p ON p.id = g.parent_id "
            f"WHERE r.offer_id = o.id AND ({codes})))"
        )
        params += [code, code] + ([code[:2]] if len(code) == 5 else [])
    condition = " AND ".join(where)
    if query.expression is None or query.sort != SortOrder.RELEVANCE:
        newest = query.sort == SortOrder.NEWEST
        order = "o.published_at DESC NULLS LAST, o.title" if newest else "o.title"
        if query.expression is not None:
            match = (
                "o.search_vector @@ to_tsquery('german', %s)"
                if postgresql
                else "o.id IN (SELECT rowid FROM offers_offer_fts WHERE offers_offer_fts MATCH %s)"
            )
            condition, params = f"{match} AND {condition}", [query.expression, *params]
        sql = f"SELECT o.id FROM {offer} o WHERE {condition} ORDER BY {order} LIMIT {PAGE_SIZE}"  # noqa: S608
        return sql, params
    if postgresql:
        sql = (
            f"SELECT o.id FROM {offer} o, to_tsquery('german', %s) query "  # noqa: S608
            f"WHERE o.search_vector @@ query AND {condition} "
            "ORDER BY ts_rank('{0.1, 0.1, 0.1, 1.0}', o.search_vector, query) DESC, o.title, o.id "
            f"LIMIT {PAGE_SIZE}"
        )
    else:
        sql = (
            f"SELECT o.id FROM offers_offer_fts JOIN {offer} o ON o.id = offers_offer_fts.rowid "  # noqa: S608
            f"WHERE offers_offer_fts MATCH %s AND {condition} "
            f"ORDER BY bm25(offers_offer_fts, 10.0, 1.0), o.title, o.id LIMIT {PAGE_SIZE}"
        )
    return sql, [query.expression, *params]


# --- quality -------------------------------------------------------------------------


def dcg(grades: list[int]) -> float:
    return sum((2**grade - 1) / math.log2(rank + 2) for rank, grade in enumerate(grades[:10]))


def ndcg_at_10(ranked: list[str], relevant: dict[str, int]) -> float:
    ideal = dcg(sorted(relevant.values(), reverse=True))
    return dcg([relevant.get(slug, 0) for slug in ranked[:10]]) / ideal if ideal else 0.0


def judged_queries(path: Path = JUDGMENTS_FILE) -> list[tuple[str, dict[str, int]]]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [(str(item["query"]), dict(item["relevant"])) for item in document["queries"]]


def evaluate(path: Path = JUDGMENTS_FILE) -> list[dict[str, Any]]:
    """Every judged query through the compass (relevance order) with its nDCG@10."""
    rows = []
    for text, relevant in judged_queries(path):
        data = QueryDict(urlencode({"q": text, "sort": SortOrder.RELEVANCE}))
        result = search_offers(data, AnonymousUser(), with_facets=False)
        ranked = [offer.slug for offer in result.offers[:10]]
        known = set(Offer.objects.filter(slug__in=relevant).values_list("slug", flat=True))
        missing = sorted(set(relevant) - known)
        rows.append(
            {
                "query": text,
                "ndcg10": ndcg_at_10(ranked, relevant),
                "found": result.offers.count(),
                "top": ranked[:5],
                "relevant": relevant,
                "unknown_keys": missing,
            }
        )
    return rows
