"""The demo offers: every offer, programme and measure named in the seed documents.

Checked completely first (every problem with its line), then written in one
transaction. Offers already in the database are left as they are, unless
``update=True``.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from lotse.core.audit import record
from lotse.network.demo import Checker, DemoDataError, LoadReport, Node, load_yaml
from lotse.network.models import ActionField, Organisation, OrganisationKind, Region
from lotse.offers.models import (
    SEARCH_FIELDS,
    FundingType,
    Language,
    Offer,
    OfferKind,
    OfferLink,
    OfferStatus,
    PracticeExample,
    TargetGroup,
)
from lotse.offers.search.backends import index_offer

DEMO_FILE = Path(__file__).resolve().parent / "demo" / "offers.yaml"
LANGUAGE_NAMES = {
    "de": "Deutsch", "en": "Englisch", "vi": "Vietnamesisch", "es": "Spanisch",
    "ar": "Arabisch", "uk": "Ukrainisch", "ru": "Russisch", "pl": "Polnisch",
    "cs": "Tschechisch", "fr": "Französisch", "tr": "Türkisch", "fa": "Persisch",
}  # fmt: skip
OFFER_KEYS = {
    "key", "title", "kind", "summary", "description", "provider", "provider_uncertain",
    "partners", "target_groups", "action_fields", "regions", "nationwide", "languages",
    "funding", "links", "source", "practice_examples",
}  # fmt: skip


@dataclass
class OfferData:
    node: Node
    values: dict[str, Any]
    relations: dict[str, list[str]]
    links: list[tuple[str, str]]
    examples: list[dict[str, Any]]


def read_offers_file(path: Path = DEMO_FILE) -> tuple[list[Node], list[Node], list[OfferData]]:
    document = load_yaml(path)
    check = Checker()
    if not check.mapping(document, "line 1"):
        raise DemoDataError(path, check.problems)
    check.keys(document, {"version", "target_groups", "offers"}, {"organisations"})
    if document.get("version") != 1:
        check.fail(document, "version", "must be 1")
    groups = [
        g for g in check.items(document, "target_groups") if check.mapping(g, "target_groups")
    ]
    for group in groups:
        check.keys(group, {"key", "name"}, {"description"})
    group_keys = {str(group.get("key")) for group in groups}
    new_orgs = [
        o for o in check.items(document, "organisations") if check.mapping(o, "organisations")
    ]
    for org in new_orgs:
        check.keys(org, {"key", "name", "kind"}, {"description", "website", "region", "short_name"})
        check.choice(org, "kind", OrganisationKind)
    org_keys = set(Organisation.objects.values_list("slug", flat=True)) | {
        str(org.get("key")) for org in new_orgs
    }
    region_codes = set(Region.objects.values_list("code", flat=True))
    fields = {
        f"{network}/{number}"
        for network, number in ActionField.objects.values_list("network__slug", "number")
    }
    offers: list[OfferData] = []
    seen: set[str] = set()
    for node in check.items(document, "offers"):
        if not check.mapping(node, "offers"):
            continue
        check.keys(
            node, {"key", "title", "kind", "summary", "provider", "target_groups"}, OFFER_KEYS
        )
        key = check.text(node, "key", required=True)
        if key in seen:
            check.fail(node, "key", f"offer {key!r} is listed twice")
        seen.add(key)
        relations = {
            "partners": [str(v) for v in check.items(node, "partners")],
            "target_groups": [str(v) for v in check.items(node, "target_groups")],
            "action_fields": [str(v) for v in check.items(node, "action_fields")],
            "regions": [str(v) for v in check.items(node, "regions")],
            "languages": [str(v) for v in check.items(node, "languages")] or ["de"],
        }
        provider = check.text(node, "provider", required=True)
        for name, allowed, label in (
            ("partners", org_keys, "organisation"),
            ("target_groups", group_keys, "target group"),
            ("action_fields", fields, "action field"),
            ("regions", region_codes, "region"),
            ("languages", set(LANGUAGE_NAMES), "language"),
        ):
            for value in relations[name]:
                if value not in allowed:
                    check.fail(node, name, f"unknown {label} {value!r}")
        if provider and provider not in org_keys:
            check.fail(node, "provider", f"unknown organisation {provider!r}")
        funding = node.get("funding") or Node()
        if funding and check.mapping(funding, f"line {node.line}"):
            check.keys(funding, set(), {"type", "amount", "eligibility", "deadline"})
            if funding.get("type"):
                check.choice(funding, "type", FundingType)
            deadline = funding.get("deadline")
            if deadline is not None and not isinstance(deadline, datetime.date):
                check.fail(funding, "deadline", f"{deadline!r} is not a date (YYYY-MM-DD)")
        values = {
            "slug": key,
            "title": check.text(node, "title", required=True),
            "kind": check.choice(node, "kind", OfferKind),
            "summary": check.text(node, "summary", required=True),
            "description": check.text(node, "description"),
            "nationwide": bool(node.get("nationwide", False)),
            "source": check.text(node, "source"),
            "provider_assumed": bool(node.get("provider_uncertain", False)),
            "funding_type": str(funding.get("type") or "") if funding else "",
            "funding_amount": check.text(funding, "amount") if funding else "",
            "eligibility": check.text(funding, "eligibility") if funding else "",
            "application_deadline": funding.get("deadline") if funding else None,
            "provider_key": provider,
        }
        candidate = Offer(**{k: v for k, v in values.items() if k != "provider_key"})
        check.model(node, candidate, exclude=["provider", *SEARCH_FIELDS])
        links = []
        for link in check.items(node, "links"):
            if check.mapping(link, f"line {node.line}"):
                check.keys(link, {"label", "url"}, set())
                links.append(
                    (
                        check.text(link, "label", required=True),
                        check.text(link, "url", required=True),
                    )
                )
        examples = []
        for example in check.items(node, "practice_examples"):
            if not check.mapping(example, f"line {node.line}"):
                continue
            check.keys(example, {"title"}, {"organisation", "story", "figures"})
            organisation = check.text(example, "organisation")
            if organisation and organisation not in org_keys:
                check.fail(example, "organisation", f"unknown organisation {organisation!r}")
            figures = []
            for figure in check.items(example, "figures"):
                if check.mapping(figure, f"line {example.line}"):
                    check.keys(figure, {"label"}, {"value", "unit"})
                    number: Decimal | None
                    try:
                        number = (
                            Decimal(str(figure.get("value")))
                            if figure.get("value") is not None
                            else None
                        )
                    except InvalidOperation:
                        check.fail(figure, "value", f"{figure.get('value')!r} is not a number")
                        number = None
                    figures.append({
                        "value": float(number) if number is not None else None,
                        "unit": check.text(figure, "unit"),
                        "label": check.text(figure, "label", required=True),
                    })  # fmt: skip
            examples.append({
                "title": check.text(example, "title", required=True),
                "organisation": organisation,
                "story": check.text(example, "story"),
                "figures": figures,
            })  # fmt: skip
        offers.append(OfferData(node, values, relations, links, examples))
    if check.problems:
        raise DemoDataError(path, check.problems)
    return groups, new_orgs, offers


@transaction.atomic
def load_demo_offers(path: Path = DEMO_FILE, *, update: bool = False) -> LoadReport:
    """Load the target groups, languages and offers; everything or nothing."""
    groups, new_orgs, offers = read_offers_file(path)
    report = LoadReport()
    for position, group in enumerate(groups, start=1):
        _obj, created = TargetGroup.objects.update_or_create(
            slug=group["key"],
            defaults={"name": group["name"], "description": group.get("description") or "",
                      "position": position},
        )  # fmt: skip
        report.count("target groups", created)
    for code, name in LANGUAGE_NAMES.items():
        Language.objects.get_or_create(code=code, defaults={"name": name})
    regions = {region.code: region for region in Region.objects.all()}
    for org in new_orgs:
        _organisation, created = Organisation.objects.get_or_create(
            slug=org["key"],
            defaults={
                "name": org["name"], "kind": org["kind"],
                "short_name": org.get("short_name") or "",
                "description": org.get("description") or "", "website": org.get("website") or "",
                "region": regions.get(str(org.get("region") or "")),
            },
        )  # fmt: skip
        report.count("organisations", created)
    organisations = {org.slug: org for org in Organisation.objects.all()}
    existing = set(Offer.objects.values_list("slug", flat=True))
    now = timezone.now()
    for data in offers:
        if data.values["slug"] in existing and not update:
            continue
        values = dict(data.values)
        provider = organisations[values.pop("provider_key")]
        offer, created = Offer.objects.update_or_create(
            slug=values.pop("slug"),
            defaults={**values, "provider": provider, "status": OfferStatus.PUBLISHED,
                      "published_at": now},
        )  # fmt: skip
        report.count("offers", created)
        offer.partners.set([organisations[key] for key in data.relations["partners"]])
        offer.target_groups.set(
            TargetGroup.objects.filter(slug__in=data.relations["target_groups"])
        )
        offer.action_fields.set([_action_field(ref) for ref in data.relations["action_fields"]])
        offer.regions.set([regions[code] for code in data.relations["regions"]])
        offer.languages.set(Language.objects.filter(code__in=data.relations["languages"]))
        offer.links.all().delete()
        OfferLink.objects.bulk_create(
            [OfferLink(offer=offer, label=label, url=url) for label, url in data.links]
        )
        offer.practice_examples.all().delete()
        for example in data.examples:
            PracticeExample.objects.create(
                offer=offer, title=example["title"], story=example["story"],
                figures=example["figures"],
                organisation=organisations.get(example["organisation"] or ""),
            )  # fmt: skip
            report.count("practice examples", True)
        index_offer(offer)
        if created:
            record("offers.offer.imported", offer, None, {"source": offer.source})
    return report


def _action_field(reference: str) -> ActionField:
    network, number = reference.rsplit("/", 1)
    return ActionField.objects.get(network__slug=network, number=int(number))
