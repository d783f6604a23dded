"""German text normalisation shared by every search in Lotse.

Umlauts are folded to their two-letter spellings (ä → ae, ß → ss) so that
"Rückkehrer" and "Rueckkehrer" are the same word, other accents are dropped,
and text is lower-cased. Search indexes and queries go through the same
function, on SQLite and on PostgreSQL.
"""

import re
import unicodedata

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    folded = text.lower().translate(_FOLD)
    if folded.isascii():  # the common case, and nothing left to decompose
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str) -> list[str]:
    """The folded words of a text, in order."""
    return _WORD.findall(fold(text))
