"""Every write to offers: permission, validation, search index and audit in one place."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lotse.core.audit import record
from lotse.core.permissions import require
from lotse.network.models import ActionField, Organisation, Region
from lotse.offers.models import (
    Language,
    Offer,
    OfferLink,
    OfferStatus,
    PracticeExample,
    TargetGroup,
)
from lotse.offers.search.backends import index_offer

FIELDS = frozenset(
    {
        "title", "slug", "kind", "summary", "description", "provider", "nationwide",
        "funding_type", "funding_amount", "eligibility", "application_deadline",
        "contact_point", "website", "source", "valid_from", "valid_until",
    }
)  # fmt: skip
# Paths under /offers/ that are pages, not offers.
RESERVED_SLUGS = frozenset({"import", "finder", "feed"})
RELATIONS = {
    "partners": Organisation,
    "target_groups": TargetGroup,
    "action_fields": ActionField,
    "regions": Region,
    "languages": Language,
}


def _split(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Iterable[Any]]]:
    unknown = set(values) - FIELDS - set(RELATIONS) - {"links", "status"}
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), _("Not a field of an offer.")))
    fields = {name: value for name, value in values.items() if name in FIELDS}
    relations = {name: value for name, value in values.items() if name in RELATIONS}
    return fields, relations


def _validate(offer: Offer, relations: dict[str, Iterable[Any]]) -> None:
    errors: dict[str, list[Any]] = {}
    try:
        offer.full_clean(exclude=["status", "published_at"])
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if offer.slug in RESERVED_SLUGS:
        errors.setdefault("slug", []).append(_("This key is reserved for a page of the compass."))
    if "target_groups" in relations and not list(relations["target_groups"]):
        errors.setdefault("target_groups", []).append(_("Name at least one target group."))
    if errors:
        raise ValidationError(errors)


def _apply(offer: Offer, relations: dict[str, Iterable[Any]], links: Any) -> None:
    for name, values in relations.items():
        getattr(offer, name).set(list(values))
    if links is not None:
        offer.links.all().delete()
        OfferLink.objects.bulk_create(
            [OfferLink(offer=offer, label=link["label"], url=link["url"]) for link in links]
        )
    index_offer(offer)


@transaction.atomic
def create_offer(*, actor: Any, publish: bool = False, **values: Any) -> Offer:
    """Create an offer (a draft unless ``publish``) and index it for the search.

    The actor must be allowed to offer in the provider's name (``offers.add_offer``
    with the provider); a missing provider is a validation error.
    """
    links = values.pop("links", None)
    fields, relations = _split(values)
    require(actor, "offers.add_offer", fields.get("provider"))
    offer = Offer(**fields)
    _validate(offer, {"target_groups": [], **relations})
    if publish:
        offer.status, offer.published_at = OfferStatus.PUBLISHED, timezone.now()
    offer.save()
    _apply(offer, relations, links)
    record("offers.offer.created", offer, actor, {"title": offer.title, "status": offer.status})
    return offer


@transaction.atomic
def update_offer(offer: Offer, *, actor: Any, **values: Any) -> Offer:
    """Change an offer; the audit entry names every changed field.

    The actor must be allowed to change the offer as stored, and to offer for a
    new provider if the change moves the offer to another organisation.
    """
    links = values.pop("links", None)
    fields, relations = _split(values)
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    require(actor, "offers.change_offer", offer)
    provider = fields.get("provider")
    if provider is not None and provider.pk != offer.provider_id:
        require(actor, "offers.offer_for_provider", provider)
    before = {name: getattr(offer, name) for name in fields}
    for name, value in fields.items():
        setattr(offer, name, value)
    _validate(offer, relations)
    offer.save()
    _apply(offer, relations, links)
    changed = {name: str(value) for name, value in fields.items() if before[name] != value}
    changed.update(dict.fromkeys(relations, "changed"))
    record("offers.offer.updated", offer, actor, {"changes": changed})
    return offer


@transaction.atomic
def publish_offer(offer: Offer, *, actor: Any) -> Offer:
    require(actor, "offers.change_offer", offer)
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.status != OfferStatus.PUBLISHED:
        offer.status, offer.published_at = OfferStatus.PUBLISHED, timezone.now()
        offer.save(update_fields=["status", "published_at", "updated_at"])
        record("offers.offer.published", offer, actor)
    return offer


@transaction.atomic
def withdraw_offer(offer: Offer, *, actor: Any) -> Offer:
    """Back to draft: the offer leaves the public compass but is kept."""
    require(actor, "offers.change_offer", offer)
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.status != OfferStatus.DRAFT:
        offer.status, offer.published_at = OfferStatus.DRAFT, None
        offer.save(update_fields=["status", "published_at", "updated_at"])
        record("offers.offer.withdrawn", offer, actor)
    return offer


def add_practice_example(offer: Offer, *, actor: Any, **values: Any) -> PracticeExample:
    require(actor, "offers.change_offer", offer)
    example = PracticeExample(offer=offer, **values)
    example.full_clean()
    example.save()
    index_offer(offer)
    record("offers.practiceexample.created", example, actor, {"title": example.title})
    return example
