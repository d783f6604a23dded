"""Highlighted snippets: the passage of a text that best matches the query."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from lotse.core.text import fold
from lotse.offers.search.analysis import stem

_TOKEN = re.compile(r"\w+|\W+")


def _matches(token: str, stems: set[str]) -> bool:
    if not token[:1].isalnum():
        return False
    folded = fold(token)
    return stem(folded) in stems or any(
        folded.startswith(s) or folded.endswith(s) for s in stems if len(s) >= 5
    )


def snippet(text: str, stems: set[str], *, words: int = 35) -> SafeString:
    """The ``words``-long passage with the most matches, matches wrapped in <mark>."""
    tokens = _TOKEN.findall(text)
    positions = [i for i, token in enumerate(tokens) if token[:1].isalnum()]
    if not positions:
        return highlight(text, stems)
    hits = [n for n, i in enumerate(positions) if _matches(tokens[i], stems)]
    first = 0
    if hits and len(positions) > words:
        # The window (in words) holding most matches, starting a little before the first.
        def covered(start: int) -> int:
            return sum(1 for hit in hits if start <= hit < start + words)

        candidates = [max(0, min(hit - 3, len(positions) - words)) for hit in hits]
        first = max(candidates, key=lambda start: (covered(start), -start))
    last = min(first + words, len(positions)) - 1
    begin, end = positions[first], positions[last] + 1
    body = "".join(
        f"<mark>{escape(token)}</mark>" if _matches(token, stems) else escape(token)
        for token in tokens[begin:end]
    )
    prefix = "… " if first > 0 else ""
    suffix = " …" if last < len(positions) - 1 else ""
    return mark_safe(prefix + body + suffix)  # noqa: S308 (every token escaped)


def highlight(text: str, stems: set[str]) -> SafeString:
    return mark_safe(  # noqa: S308 (every token escaped)
        "".join(
            f"<mark>{escape(t)}</mark>" if _matches(t, stems) else escape(t)
            for t in _TOKEN.findall(text)
        )
    )
