"""From what a person types to what the database matches.

A query is a list of *terms*; every term must match (AND). A term has
*alternatives*, any of which may match (OR): the word itself, its synonyms
(possibly phrases), the parts of a compound, and a correction of a typo. An
alternative is a sequence of words that must occur as a phrase (synonyms) or
together (compound parts).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache

from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import extract

from lotse.core.text import words
from lotse.offers.search.analysis import HERE, lexicon, split_compound, stem, stopwords

MAX_TERMS = 12


@dataclass(frozen=True)
class Alternative:
    words: tuple[str, ...]
    phrase: bool = False


@dataclass
class Term:
    word: str
    alternatives: list[Alternative] = field(default_factory=list)
    corrected_from: str | None = None


@dataclass
class ParsedQuery:
    text: str
    terms: list[Term]

    @property
    def is_empty(self) -> bool:
        return not self.terms

    def highlight_stems(self) -> set[str]:
        return {
            stem(word) for term in self.terms for alt in term.alternatives for word in alt.words
        }

    def corrections(self) -> list[tuple[str, str]]:
        return [(t.corrected_from, t.word) for t in self.terms if t.corrected_from]


@cache
def synonym_groups() -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    """Each entry (as folded words) maps to the other entries of its group."""
    groups: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    text = (HERE / "synonyms.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        entries = [tuple(words(entry)) for entry in line.split(",") if words(entry)]
        for entry in entries:
            others = [other for other in entries if other != entry]
            groups.setdefault(entry, [])
            groups[entry] += [o for o in others if o not in groups[entry]]
    return groups


def _longest_synonym_at(tokens: list[str], start: int) -> tuple[tuple[str, ...], int] | None:
    groups = synonym_groups()
    for length in (4, 3, 2):
        candidate = tuple(tokens[start : start + length])
        if len(candidate) == length and candidate in groups:
            return candidate, length
    return None


def parse(text: str, *, vocabulary: "Vocabulary") -> ParsedQuery:
    """Parse a query: phrases from the synonym list, compounds, typos, synonyms."""
    tokens = words(text[:500])
    terms: list[Term] = []
    index = 0
    while index < len(tokens) and len(terms) < MAX_TERMS:
        phrase = _longest_synonym_at(tokens, index)
        if phrase:
            entry, length = phrase
            term = Term(" ".join(entry), [Alternative(entry, phrase=True)])
            index += length
        else:
            word = tokens[index]
            index += 1
            if word in stopwords():
                continue
            term = Term(word, [Alternative((word,))])
            if not vocabulary.knows(word):
                corrected = vocabulary.correct(word)
                if corrected:
                    term = Term(corrected, [Alternative((corrected,))], corrected_from=word)
            entry = (term.word,)
            parts = split_compound(term.word, lexicon() | vocabulary.words)
            if parts:
                term.alternatives.append(Alternative(tuple(parts)))
        for synonym in synonym_groups().get(entry, []):
            term.alternatives.append(Alternative(synonym, phrase=len(synonym) > 1))
        terms.append(term)
    return ParsedQuery(text=text, terms=terms)


CORRECTIONS_KEPT = 10_000


class Vocabulary:
    """The words that occur in the offers; answers "is this a typo, and of what?".

    ``candidates`` narrows the words a typo is compared with (PostgreSQL asks
    its trigram index); by default every known word is a candidate. ``shown``
    says whether a word may be offered as a correction: the known words
    include those of drafts, and a correction must not reveal them.
    """

    def __init__(
        self,
        known: frozenset[str],
        candidates: Callable[[str], Iterable[str]] | None = None,
        shown: Callable[[str], bool] | None = None,
    ) -> None:
        self.words = known
        self._stems = frozenset(stem(word) for word in known)
        self._candidates = candidates
        self._shown = shown or (lambda _word: True)
        self._corrections: dict[str, str | None] = {}  # the oldest first

    def knows(self, word: str) -> bool:
        if word.isdigit() or len(word) < 4:
            return True
        return word in self.words or stem(word) in self._stems

    def correct(self, word: str) -> str | None:
        """The closest known word within one edit (two for words of seven letters or more)."""
        if word not in self._corrections:
            if len(self._corrections) >= CORRECTIONS_KEPT:
                del self._corrections[next(iter(self._corrections))]
            self._corrections[word] = self._closest(word)
        return self._corrections[word]

    def _closest(self, word: str) -> str | None:
        candidates = self._candidates(word) if self._candidates else self.words
        limit = 1 if len(word) < 7 else 2
        close = extract(
            word,
            candidates,
            scorer=Levenshtein.distance,  # type: ignore[arg-type]
            score_cutoff=limit,
            limit=None,
        )
        # Among equally close words, the one that begins like the typed word, then the
        # alphabetically first: the same answer in every process and on both databases.
        close.sort(key=lambda hit: (hit[1], -_common_prefix(word, hit[0]), hit[0]))
        return next((hit[0] for hit in close if self._shown(hit[0])), None)


def _common_prefix(a: str, b: str) -> int:
    length = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        length += 1
    return length
