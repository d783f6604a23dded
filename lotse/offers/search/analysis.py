"""Turning text into what the search indexes: folded words, compound parts, stems."""

import re
import threading
from functools import cache
from pathlib import Path

import Stemmer

from lotse.core.text import fold, words

HERE = Path(__file__).resolve().parent
LINKING = ("", "s", "es", "n", "en", "e")
_local = threading.local()


def stem(word: str) -> str:
    """Snowball German stem; stemmers are not thread-safe, so one per thread."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("german")
    return stemmer.stemWord(word)


_SPELLED_OUT = re.compile("ae|oe|ue")
_UMLAUT = {"ae": "ä", "oe": "ö", "ue": "ü"}


def with_umlauts(text: str) -> str:
    """Folded words with ä, ö, ü written again, for PostgreSQL's german stemmer.

    Folding writes "Fachkräfte" as "fachkraefte"; the stemmer of PostgreSQL's
    german configuration turns "fachkräfte" and "fachkraft" into the same stem,
    but not "fachkraefte". Index and query go through this alike, so a word
    with a true "ue" (steuer) is changed on both sides and still matches.
    """
    return _SPELLED_OUT.sub(lambda pair: _UMLAUT[pair.group()], text)


@cache
def stopwords() -> frozenset[str]:
    text = (HERE / "stopwords.txt").read_text(encoding="utf-8")
    return frozenset(
        w for line in text.splitlines() if not line.startswith("#") for w in line.split()
    )


@cache
def lexicon() -> frozenset[str]:
    """Standalone German words of the domain, the base for splitting compounds."""
    text = (HERE / "lexicon.txt").read_text(encoding="utf-8")
    return frozenset(
        fold(line.strip())
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def split_compound(word: str, known: frozenset[str] | set[str]) -> list[str]:
    """Split a compound into two known parts (Fachkräftesicherung → fachkraefte, sicherung).

    Tries the longest head first and allows a linking element (Fugen-s).
    Returns [] when the word is no compound of known words.
    """
    if len(word) < 9:
        return []
    for cut in range(len(word) - 4, 3, -1):
        head, rest = word[:cut], word[cut:]
        if rest not in known:
            continue
        heads = [head[: len(head) - len(link)] for link in LINKING if head.endswith(link)]
        for left in heads:
            if len(left) >= 4 and left in known:
                return [left, rest]
        for left in heads:
            deeper = split_compound(left, known)
            if deeper:
                return [*deeper, rest]
    return []


def index_words(text: str, known: frozenset[str] | set[str]) -> list[str]:
    """Folded words of a text followed by the parts of its compounds."""
    found = words(text)
    parts: list[str] = []
    pending = list(found)
    while pending:
        for part in split_compound(pending.pop(), known):
            parts.append(part)
            pending.append(part)
    return found + parts


def stems(tokens: list[str]) -> list[str]:
    return [stem(token) for token in tokens]
