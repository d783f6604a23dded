"""Offers as the API shows them, built from rows: a page of fifty in a few queries.

The search answers with ids; building model instances, related managers and
serializer fields for fifty offers costs more than finding them. The same
document comes from ``api.OfferSerializer`` for one offer (a test holds the two
to the same shape); this module serves the lists.
"""

import datetime
from collections import defaultdict
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from lotse.network.models import Organisation
from lotse.offers.catalogue import Catalogue
from lotse.offers.models import Offer, OfferLink, PracticeExample

_date = serializers.DateField()


def moment(value: datetime.datetime | None, zone: datetime.tzinfo) -> str | None:
    """A point in time as DRF's DateTimeField writes it, without its per-call lookups."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


COLUMNS = [
    "id", "slug", "title", "kind", "summary", "description", "nationwide", "funding_type",
    "funding_amount", "eligibility", "application_deadline", "website", "valid_from",
    "valid_until", "published_at", "updated_at", "source", "provider_assumed",
]  # fmt: skip


def offer_rows(ids: list[int]) -> list[dict[str, Any]]:
    """``COLUMNS`` of the offers ``ids`` with their provider's slug and name, as the ORM gives them.

    One raw statement: composing it through the ORM cost more than running it.
    """
    if not ids:
        return []
    columns = ", ".join(f"o.{Offer._meta.get_field(name).column}" for name in COLUMNS)  # type: ignore[union-attr]
    places = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, p.slug, p.name FROM {Offer._meta.db_table} o "  # noqa: S608
            f"JOIN {Organisation._meta.db_table} p ON p.id = o.provider_id "
            f"WHERE o.id IN ({places})",
            ids,
        )
        fetched = cursor.fetchall()
    names = [*COLUMNS, "provider_slug", "provider_name"]
    rows = [dict(zip(names, row, strict=True)) for row in fetched]
    for row in rows:  # SQLite's driver gives naive UTC times and 0/1 for booleans
        for name in ("published_at", "updated_at"):
            value = row[name]
            if value is not None and value.tzinfo is None:
                row[name] = value.replace(tzinfo=datetime.UTC)
        for name in ("nationwide", "provider_assumed"):
            row[name] = bool(row[name])
    return rows


def offer_documents(ids: list[int], request: Any, offers: Catalogue) -> list[dict[str, Any]]:
    """The API's document of each offer of ``ids``, in that order (missing ones left out).

    Related keys come from the catalogue's columns (of the same version as the
    search that found ``ids``); the rest from one query, and one each for the practice
    examples and links of the offers that have some.
    """
    rows = {row["id"]: row for row in offer_rows(ids)}
    # One reverse() for the page: the detail address differs only by the slug.
    placeholder = "slug-placeholder"
    address = reverse("offer-detail", kwargs={"slug": placeholder})
    if request is not None:
        address = request.build_absolute_uri(address)
    positions = offers.positions(np.array(ids, dtype=np.int64))
    told = [pk for pk, position in zip(ids, positions.tolist(), strict=True)
            if position >= 0 and offers.has_examples[position]]  # fmt: skip
    examples: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if told:  # most pages have none: no query composed
        for example in (
            PracticeExample.objects.filter(offer_id__in=told)
            .order_by("title", "pk")
            .values(
                "offer_id", "title", "story", "figures", organisation_slug=F("organisation__slug")
            )
        ):
            examples[example["offer_id"]].append(
                {
                    "title": example["title"],
                    "organisation": example["organisation_slug"],
                    "story": example["story"],
                    "figures": example["figures"],
                }
            )
    linked = [pk for pk, position in zip(ids, positions.tolist(), strict=True)
              if position >= 0 and offers.has_links[position]]  # fmt: skip
    links: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if linked:
        shown = OfferLink.objects.filter(offer_id__in=linked)
        for link in shown.values("offer_id", "label", "url"):
            links[link["offer_id"]].append({"label": link["label"], "url": link["url"]})
    position_of = dict(zip(ids, positions.tolist(), strict=True))
    zone = timezone.get_current_timezone()
    return [
        _document(
            rows[pk],
            offers,
            position_of[pk],
            examples,
            links,
            address.replace(placeholder, rows[pk]["slug"]),
            zone,
        )
        for pk in ids
        if pk in rows
    ]


def _document(
    row: dict[str, Any],
    offers: Catalogue,
    position: int,
    examples: dict[int, list[dict[str, Any]]],
    links: dict[int, list[dict[str, Any]]],
    url: str,
    zone: datetime.tzinfo,
) -> dict[str, Any]:
    pk = row["id"]

    def day(value: Any) -> str | None:
        return None if value is None else _date.to_representation(value)

    def related(field: str) -> list[str]:
        return offers.relations[field].keys_of(position)

    return {
        "url": url,
        "slug": row["slug"],
        "title": row["title"],
        "kind": row["kind"],
        "summary": row["summary"],
        "description": row["description"],
        "provider": row["provider_slug"],
        "provider_name": row["provider_name"],
        "provider_assumed": row["provider_assumed"],
        "partners": related("partners"),
        "target_groups": related("target_groups"),
        "action_fields": related("action_fields"),
        "regions": related("regions"),
        "nationwide": row["nationwide"],
        "languages": related("languages"),
        "funding_type": row["funding_type"],
        "funding_amount": row["funding_amount"],
        "eligibility": row["eligibility"],
        "application_deadline": day(row["application_deadline"]),
        "website": row["website"],
        "links": links.get(pk, []),
        "source": row["source"],
        "valid_from": day(row["valid_from"]),
        "valid_until": day(row["valid_until"]),
        "published_at": moment(row["published_at"], zone),
        "updated_at": moment(row["updated_at"], zone),
        "practice_examples": examples.get(pk, []),
    }
