"""Codes people chose by hand on the review page: ranked first for the same title again.

The coder learns from the shipped labels only, and a title like none of them is
coded uncertainly. When staff of a partner correct such a code on the review page,
Lotse keeps the title and the chosen code (``CheckedTitle``); from then on, the
same title (as the coder normalises it: "Lagerhelfer (m/w/d)" is "Lagerhelferin")
gets that code first and is no longer flagged, in every import, autocomplete and
API call. A code kept as the coder's own first choice is not learnt: a preselected
answer left as it was shows no one looked. Once learnt, a title is no longer asked
about, so the first organisation to correct it speaks for all; where organisations
did choose differently (in reviews at the same time), the code most of them chose
wins, then the latest.
"""

from collections.abc import Container, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from lotse.core import audit
from lotse.network.models import Organisation
from lotse.occupations.coder import BATCH, Match, get_coder
from lotse.occupations.models import CheckedTitle
from lotse.occupations.text import normalise_title

# Titles looked up in one query: well inside every database's limit on parameters.
LOOKUP_CHUNK = 500


@dataclass(frozen=True)
class Correction:
    """A title whose code a person chose (``kldb5``) instead of the coder's first (``before``)."""

    title: str
    kldb5: str
    before: str = ""


def checked_codes(titles: Sequence[str], known: Container[str] | None = None) -> list[str]:
    """For each title, the code people chose for it by hand, or "".

    With ``known``, codes outside it (no longer in the reference) are passed over.
    """
    keys = [normalise_title(title) for title in titles]
    wanted = sorted(set(keys))
    chosen: dict[str, str] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        rows = (
            CheckedTitle.objects.in_force()
            .filter(normalised__in=wanted[start : start + LOOKUP_CHUNK])
            .values("normalised", "kldb5")
            .annotate(organisations=Count("id"), latest=Max("checked_at"))
            .order_by("normalised", "-organisations", "-latest", "kldb5")
        )
        for row in rows:
            if known is None or row["kldb5"] in known:
                chosen.setdefault(row["normalised"], row["kldb5"])
    return [chosen.get(key, "") for key in keys]


def code_titles(titles: Sequence[str], top: int = 5, wait: bool = True) -> list[list[Match]]:
    """The ranked codes of valid titles, a code people chose by hand first.

    With ``wait=False``, ``CoderStarting`` while the server still fits the coder.
    A batch at a time, so the coder finds each title just normalised for the lookup.
    """
    coder = get_coder(wait=wait)
    results: list[list[Match]] = []
    for start in range(0, len(titles), BATCH):
        batch = titles[start : start + BATCH]
        results += coder.code_many(batch, top, checked_codes(batch, coder.known_codes))
    return results


def remember_corrections(
    organisation: Organisation,
    corrections: Sequence[Correction],
    since: datetime,
    by: Any = None,
) -> list[Correction]:
    """Keep the codes an organisation's staff chose on a review made at ``since``.

    A choice counts from the time its review was made: the organisation's earlier
    choice for a title yields, but a choice or withdrawal made after the review was
    shown stands, so an old form sent again changes nothing. Returns the
    corrections kept; the audit log names them and the person ``by``.
    """
    latest = {normalise_title(c.title): c for c in corrections if c.kldb5}
    # A title whose form outgrows the column ("㎯" x 200 is 1,200 letters) is not kept.
    latest = {key: c for key, c in latest.items() if 0 < len(key) <= _KEY_LENGTH}
    with transaction.atomic():
        # A choice or withdrawal made after this review was shown stands.
        newer = CheckedTitle.objects.filter(
            Q(checked_at__gte=since) | Q(withdrawn_at__gte=since),
            organisation=organisation,
            normalised__in=list(latest),
        ).values_list("normalised", flat=True)
        for key in set(newer):
            del latest[key]
        # In one order, so that two requests upserting the same titles never deadlock.
        rows = [
            CheckedTitle(
                normalised=key,
                title=c.title,
                kldb5=c.kldb5,
                organisation=organisation,
                checked_at=since,
            )
            for key, c in sorted(latest.items())
        ]
        CheckedTitle.objects.bulk_create(
            rows,
            batch_size=LOOKUP_CHUNK,
            update_conflicts=True,
            unique_fields=["normalised", "organisation"],
            update_fields=["title", "kldb5", "checked_at", "withdrawn_at"],
        )
    learnt = [latest[key] for key in sorted(latest)]
    if learnt:
        audit.record(
            "occupations.checkedtitle.learnt",
            organisation,
            by,
            {"titles": [[c.title, c.before, c.kldb5] for c in learnt]},
        )
    return learnt


def withdraw(checked: CheckedTitle, by: Any = None) -> None:
    """The title is coded by the coder alone again; the audit log names the person ``by``."""
    audit.record("occupations.checkedtitle.forgotten", checked, by, {"kldb5": checked.kldb5})
    checked.withdrawn_at = timezone.now()
    checked.save(update_fields=["withdrawn_at"])


def find_checked_titles(query: str = "") -> QuerySet[CheckedTitle]:
    """The codes in force whose title holds the words of ``query``, as the coder reads them.

    "Lagerhelferin" finds "Lagerhelfer (m/w/d)"; a query of no such word ("m/w/d")
    is looked for as written.
    """
    rows = (
        CheckedTitle.objects.in_force()
        .select_related("organisation")
        .prefetch_related("organisation__memberships")
    )
    if not query:
        return rows
    words = normalise_title(query)
    return rows.filter(normalised__contains=words) if words else rows.filter(title__icontains=query)


_KEY_LENGTH = CheckedTitle._meta.get_field("normalised").max_length or 0
