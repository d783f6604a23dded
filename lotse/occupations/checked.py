"""Codes people chose by hand on the review page: ranked first for the same title again.

The coder learns from the shipped labels only, and a title like none of them is
coded uncertainly. When staff of a partner correct such a code on the review page,
Lotse keeps the title and the chosen code (``CheckedTitle``); from then on, the
same title (as the coder normalises it: "Lagerhelfer (m/w/d)" is "Lagerhelferin")
gets that code first and is no longer flagged, in every import, autocomplete and
API call. Where organisations chose differently, the code most of them chose wins,
then the latest. A code kept by the coder's own first choice is not learnt: a
preselected answer left as it was shows no one looked.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Max

from lotse.network.models import Organisation
from lotse.occupations.coder import Match, get_coder
from lotse.occupations.models import CheckedTitle
from lotse.occupations.text import normalise_title

# Titles looked up in one query: well inside every database's limit on parameters.
LOOKUP_CHUNK = 500


@dataclass(frozen=True)
class Correction:
    """A title whose code a person chose instead of the coder's first."""

    title: str
    kldb5: str


def checked_codes(titles: Sequence[str]) -> list[str]:
    """For each title, the code people chose for it by hand, or ""."""
    keys = [normalise_title(title) for title in titles]
    wanted = sorted(set(keys))
    chosen: dict[str, str] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        rows = (
            CheckedTitle.objects.filter(normalised__in=wanted[start : start + LOOKUP_CHUNK])
            .values("normalised", "kldb5")
            .annotate(organisations=Count("id"), latest=Max("checked_at"))
            .order_by("normalised", "-organisations", "-latest", "kldb5")
        )
        for row in rows:
            chosen.setdefault(row["normalised"], row["kldb5"])
    return [chosen.get(key, "") for key in keys]


def code_titles(titles: Sequence[str], top: int = 5, wait: bool = True) -> list[list[Match]]:
    """The ranked codes of valid titles, a code people chose by hand first.

    With ``wait=False``, ``CoderStarting`` while the server still fits the coder.
    """
    coder = get_coder(wait=wait)
    return coder.code_many(titles, top, checked_codes(titles))


def remember_corrections(organisation: Organisation, corrections: Sequence[Correction]) -> int:
    """Keep the codes an organisation's staff chose; its earlier choice for a title yields."""
    latest = {normalise_title(c.title): c for c in corrections if c.kldb5}
    rows = [
        CheckedTitle(normalised=key, title=c.title, kldb5=c.kldb5, organisation=organisation)
        for key, c in latest.items()
        if key
    ]
    with transaction.atomic():
        CheckedTitle.objects.bulk_create(
            rows,
            batch_size=LOOKUP_CHUNK,
            update_conflicts=True,
            unique_fields=["normalised", "organisation"],
            update_fields=["title", "kldb5", "checked_at"],
        )
    return len(rows)
