"""The demo networks: a versioned YAML file transcribed from the seed documents.

:func:`read_demo_file` checks the whole file first and reports every problem
with its line; :func:`load_demo_data` then writes everything in one
transaction, so a bad file changes nothing. Loading again creates nothing
twice and leaves rows that already exist as they are (coordinators may have
edited them) unless ``update=True``.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import models, transaction

from lotse.core.audit import record
from lotse.network.models import (
    ActionField,
    Approach,
    Challenge,
    ContactPoint,
    ContactVisibility,
    Goal,
    KeyFigure,
    Membership,
    MembershipRole,
    Network,
    NetworkKind,
    Organisation,
    OrganisationKind,
    PostalCode,
    Principle,
    PrincipleKind,
    Region,
    SizeClass,
)
from lotse.network.services import place_organisation

DEMO_FILE = Path(__file__).resolve().parent / "demo" / "networks.yaml"
SUPPORTED_VERSION = 1


class Node(dict):
    """A mapping that remembers the line of each of its keys."""

    line: int
    key_lines: dict[str, int]


class LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Node:  # type: ignore[override]
        mapping = Node(super().construct_mapping(node, deep=True))
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {str(key.value): key.start_mark.line + 1 for key, _value in node.value}
        return mapping


def construct_node(loader: LineLoader, node: yaml.MappingNode) -> Node:
    return loader.construct_mapping(node)


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_node)


class DemoDataError(Exception):
    """The demo file is malformed; ``problems`` lists every one with its line."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(f"{path.name}, {problem}" for problem in problems))


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, label: str, created: bool) -> None:
        if created:
            self.created[label] = self.created.get(label, 0) + 1


class Checker:
    """Collects problems while reading; nothing is written here."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, node: Any, key: str | None, message: str) -> None:
        line = (
            getattr(node, "key_lines", {}).get(key, getattr(node, "line", 0))
            if key
            else getattr(node, "line", 0)
        )
        where = f"line {line}" + (f", field {key!r}" if key else "")
        self.problems.append(f"{where}: {message}")

    def mapping(self, node: Any, context: str) -> bool:
        if not isinstance(node, Node):
            self.problems.append(f"{context}: expected a mapping, found {type(node).__name__}")
            return False
        return True

    def keys(self, node: Node, required: set[str], optional: set[str]) -> None:
        for key in sorted(required - set(node)):
            self.fail(node, None, f"missing field {key!r}")
        for key in sorted(set(node) - required - optional):
            self.fail(node, key, "unknown field")

    def text(self, node: Node, key: str, *, required: bool = False) -> str:
        value = node.get(key)
        if value is None:
            if required:
                self.fail(node, key, "must not be empty")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(node, key, "must be text")
            return ""
        value = str(value).strip()
        if required and not value:
            self.fail(node, key, "must not be empty")
        return value

    def choice(self, node: Node, key: str, choices: type[models.TextChoices]) -> str:
        value = self.text(node, key, required=True)
        if value and value not in choices.values:
            self.fail(node, key, f"{value!r} is not one of {', '.join(choices.values)}")
        return value

    def items(self, node: Node, key: str) -> list[Any]:
        value = node.get(key) or []
        if not isinstance(value, list):
            self.fail(node, key, "must be a list")
            return []
        return value

    def strings(self, node: Node, key: str) -> list[str]:
        values = self.items(node, key)
        for value in values:
            if not isinstance(value, str) or not value.strip():
                self.fail(node, key, f"every item must be non-empty text, not {value!r}")
                return []
        return [value.strip() for value in values]

    def model(self, node: Node, instance: models.Model, exclude: list[str]) -> None:
        """Reuse the model's own validation; report each field at its line."""
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                key = name if name in node else None
                for message in messages:
                    self.fail(node, key, message)


def load_yaml(path: Path) -> Any:
    """Read a YAML file whose mappings remember their lines."""
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=LineLoader)  # noqa: S506 (safe loader subclass)
    except OSError as error:
        raise DemoDataError(path, [f"cannot be read: {error.strerror}"]) from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "line ?"
        raise DemoDataError(
            path, [f"{where}: not valid YAML ({getattr(error, 'problem', error)})"]
        ) from error


@dataclass
class DemoData:
    organisations: list[tuple[Organisation, str, list[ContactPoint]]]
    networks: list[dict[str, Any]]


def read_demo_file(path: Path = DEMO_FILE) -> DemoData:
    """Parse and check the demo file completely; raise ``DemoDataError`` on any problem."""
    document = load_yaml(path)
    check = Checker()
    if not check.mapping(document, "line 1"):
        raise DemoDataError(path, check.problems)
    check.keys(document, {"version", "organisations", "networks"}, set())
    if document.get("version") != SUPPORTED_VERSION:
        check.fail(document, "version", f"must be {SUPPORTED_VERSION}")
    region_codes = set(Region.objects.values_list("code", flat=True))
    postcodes = set(PostalCode.objects.values_list("code", flat=True).distinct())

    organisations: list[tuple[Organisation, str, list[ContactPoint]]] = []
    keys: dict[str, Node] = {}
    for node in check.items(document, "organisations"):
        if not check.mapping(node, "organisations"):
            continue
        check.keys(
            node,
            {"key", "name", "kind"},
            {"short_name", "description", "website", "address", "region", "parent",
             "contact_points", "sector_wz2008", "size_class"},
        )  # fmt: skip
        key = check.text(node, "key", required=True)
        if key in keys:
            check.fail(node, "key", f"{key!r} is used twice (first on line {keys[key].line})")
        keys[key] = node
        address = node.get("address") or Node()
        if address and check.mapping(address, f"line {node.line}"):
            check.keys(address, set(), {"street", "postcode", "city"})
        organisation = Organisation(
            slug=key,
            name=check.text(node, "name", required=True),
            short_name=check.text(node, "short_name"),
            kind=check.choice(node, "kind", OrganisationKind),
            description=check.text(node, "description"),
            website=check.text(node, "website"),
            street=check.text(address, "street") if address else "",
            postcode=check.text(address, "postcode") if address else "",
            city=check.text(address, "city") if address else "",
            sector_wz2008=check.text(node, "sector_wz2008"),
            size_class=check.choice(node, "size_class", SizeClass) if "size_class" in node else "",
        )
        if organisation.postcode and organisation.postcode not in postcodes:
            check.fail(address, "postcode", f"unknown postcode {organisation.postcode!r}")
        region = check.text(node, "region")
        if region and region not in region_codes:
            check.fail(node, "region", f"no region with the official code {region!r}")
        organisation._demo_region = region  # type: ignore[attr-defined]
        check.model(node, organisation, exclude=["region", "parent", "latitude", "longitude"])
        contacts = []
        for contact in check.items(node, "contact_points"):
            if not check.mapping(contact, f"line {node.line}"):
                continue
            check.keys(contact, {"function"}, {"email", "phone", "visibility", "address"})
            contact_address = contact.get("address") or Node()
            if contact_address and check.mapping(contact_address, f"line {contact.line}"):
                check.keys(contact_address, set(), {"street", "postcode", "city"})
            contact_point = ContactPoint(
                function=check.text(contact, "function", required=True),
                street=check.text(contact_address, "street") if contact_address else "",
                postcode=check.text(contact_address, "postcode") if contact_address else "",
                city=check.text(contact_address, "city") if contact_address else "",
                email=check.text(contact, "email"),
                phone=check.text(contact, "phone"),
                visibility=check.choice(contact, "visibility", ContactVisibility)
                if "visibility" in contact
                else ContactVisibility.PUBLIC,
            )
            check.model(contact, contact_point, exclude=["organisation"])
            contacts.append(contact_point)
        organisations.append((organisation, check.text(node, "parent"), contacts))
    for organisation, parent, _contacts in organisations:
        if parent and parent not in keys:
            check.fail(keys[organisation.slug], "parent", f"no organisation with key {parent!r}")

    networks = []
    network_keys: set[str] = set()
    for node in check.items(document, "networks"):
        if not check.mapping(node, "networks"):
            continue
        networks.append(_read_network(check, node, keys, region_codes, network_keys))
    if check.problems:
        raise DemoDataError(path, check.problems)
    return DemoData(organisations, networks)


def _read_network(
    check: Checker,
    node: Node,
    organisation_keys: dict[str, Node],
    region_codes: set[str],
    seen: set[str],
) -> dict[str, Any]:
    check.keys(
        node,
        {"key", "name", "kind"},
        {"founded", "regions", "summary", "description", "source", "recognition",
         "memberships", "principles", "challenges", "action_fields", "key_figures"},
    )  # fmt: skip
    key = check.text(node, "key", required=True)
    if key in seen:
        check.fail(node, "key", f"network {key!r} is listed twice")
    seen.add(key)
    founded = node.get("founded")
    if founded is not None and not isinstance(founded, int):
        check.fail(node, "founded", "must be a year")
        founded = None
    network = Network(
        slug=key,
        name=check.text(node, "name", required=True),
        kind=check.choice(node, "kind", NetworkKind),
        founded=founded,
        summary=check.text(node, "summary"),
        description=check.text(node, "description"),
        source=check.text(node, "source"),
        recognition=check.text(node, "recognition"),
    )
    check.model(node, network, exclude=[])
    regions = [str(code) for code in check.items(node, "regions")]
    for code in regions:
        if code not in region_codes:
            check.fail(node, "regions", f"no region with the official code {code!r}")
    memberships = []
    members: set[str] = set()
    for item in check.items(node, "memberships"):
        if not check.mapping(item, f"line {node.line}"):
            continue
        check.keys(item, {"organisation", "role"}, {"responsibilities"})
        organisation = check.text(item, "organisation", required=True)
        if organisation and organisation not in organisation_keys:
            check.fail(item, "organisation", f"no organisation with key {organisation!r}")
        if organisation in members:
            check.fail(item, "organisation", f"{organisation!r} is a member twice")
        members.add(organisation)
        memberships.append(
            (
                organisation,
                check.choice(item, "role", MembershipRole),
                check.text(item, "responsibilities"),
            )
        )
    principles: list[tuple[str, str, str]] = []
    for item in check.items(node, "principles"):
        if check.mapping(item, f"line {node.line}"):
            check.keys(item, {"kind", "text"}, {"title"})
            principles.append(
                (
                    check.choice(item, "kind", PrincipleKind),
                    check.text(item, "title"),
                    check.text(item, "text", required=True),
                )
            )
    challenges: list[tuple[str, str]] = []
    for item in check.items(node, "challenges"):
        if check.mapping(item, f"line {node.line}"):
            check.keys(item, {"title"}, {"description"})
            challenges.append(
                (check.text(item, "title", required=True), check.text(item, "description"))
            )
    action_fields: list[tuple[str, str, list[str], list[str]]] = []
    for item in check.items(node, "action_fields"):
        if check.mapping(item, f"line {node.line}"):
            check.keys(item, {"title"}, {"description", "goals", "approaches"})
            action_fields.append(
                (check.text(item, "title", required=True), check.text(item, "description"),
                 check.strings(item, "goals"), check.strings(item, "approaches"))
            )  # fmt: skip
    key_figures = [
        _read_key_figure(check, item)
        for item in check.items(node, "key_figures")
        if check.mapping(item, f"line {node.line}")
    ]
    return {
        "network": network, "regions": regions, "memberships": memberships,
        "principles": principles, "challenges": challenges,
        "action_fields": action_fields, "key_figures": key_figures,
    }  # fmt: skip


def _read_key_figure(check: Checker, item: Node) -> KeyFigure:
    check.keys(item, {"label"}, {"category", "value", "unit", "reference_date", "note"})
    value = item.get("value")
    if value is not None:
        try:
            value = Decimal(str(value))
        except InvalidOperation:
            check.fail(item, "value", f"{value!r} is not a number")
            value = None
    reference_date = item.get("reference_date")
    if reference_date is not None and not isinstance(reference_date, datetime.date):
        check.fail(item, "reference_date", f"{reference_date!r} is not a date (YYYY-MM-DD)")
        reference_date = None
    figure = KeyFigure(
        category=check.text(item, "category"),
        label=check.text(item, "label", required=True),
        value=value,
        unit=check.text(item, "unit"),
        reference_date=reference_date,
        note=check.text(item, "note"),
    )
    check.model(item, figure, exclude=["network", "number"])
    return figure


def _upsert(
    model: Any, update: bool, lookup: dict[str, Any], values: dict[str, Any]
) -> tuple[Any, bool]:
    if update:
        return model.objects.update_or_create(**lookup, defaults=values)
    return model.objects.get_or_create(**lookup, defaults=values)


@transaction.atomic
def load_demo_data(path: Path = DEMO_FILE, *, update: bool = False) -> LoadReport:
    """Load the demo networks that are not there yet; everything or nothing.

    A network already in the database is left alone, with all its parts, so
    that what coordinators changed or deleted stays so; ``update=True``
    rewrites everything from the file instead.
    """
    data = read_demo_file(path)
    report = LoadReport()
    regions = {region.code: region for region in Region.objects.all()}
    slugs = [item["network"].slug for item in data.networks]
    loaded = set(Network.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    networks = data.networks
    organisations = data.organisations
    if loaded and not update:
        networks = [item for item in data.networks if item["network"].slug not in loaded]
        needed = _organisations_needed_by(networks, data.organisations)
        organisations = [entry for entry in data.organisations if entry[0].slug in needed]
    by_key: dict[str, Organisation] = {}
    for template, _parent, contacts in organisations:
        if template.postcode:
            place_organisation(template)
        if not template.region_id and template._demo_region:  # type: ignore[attr-defined]
            template.region = regions[template._demo_region]  # type: ignore[attr-defined]
        values = {
            name: getattr(template, name)
            for name in ("name", "short_name", "kind", "description", "website", "street",
                         "postcode", "city", "region", "latitude", "longitude",
                         "sector_wz2008", "size_class")
        }  # fmt: skip
        organisation, created = _upsert(Organisation, update, {"slug": template.slug}, values)
        report.count("organisations", created)
        by_key[organisation.slug] = organisation
        for contact in contacts if created or update else ():
            _obj, created = _upsert(
                ContactPoint, update,
                {"organisation": organisation, "function": contact.function},
                {name: getattr(contact, name) for name in
                 ("email", "phone", "street", "postcode", "city", "visibility")},
            )  # fmt: skip
            report.count("contact points", created)
    for template, parent, _contacts in organisations:
        if parent and (update or by_key[template.slug].parent_id is None):
            Organisation.objects.filter(pk=by_key[template.slug].pk).update(parent=by_key[parent])

    for item in networks:
        _load_network(item, by_key, regions, update, report)
    return report


def _organisations_needed_by(
    networks: list[dict[str, Any]], organisations: list[tuple[Organisation, str, Any]]
) -> set[str]:
    """Keys of the members of these networks and of whoever runs them, transitively."""
    parents = {template.slug: parent for template, parent, _contacts in organisations}
    needed: set[str] = set()
    pending = [key for item in networks for key, _role, _tasks in item["memberships"]]
    while pending:
        key = pending.pop()
        if key and key not in needed:
            needed.add(key)
            pending.append(parents.get(key, ""))
    return needed


def _load_network(
    item: dict[str, Any], organisations: dict[str, Organisation], regions: dict[str, Region],
    update: bool, report: LoadReport,
) -> None:  # fmt: skip
    template: Network = item["network"]
    values = {
        name: getattr(template, name)
        for name in ("name", "kind", "founded", "summary", "description", "source", "recognition")
    }
    network, network_created = _upsert(Network, update, {"slug": template.slug}, values)
    report.count("networks", network_created)
    network.regions.add(*(regions[code] for code in item["regions"]))
    for key, role, responsibilities in item["memberships"]:
        _obj, created = _upsert(
            Membership, update, {"network": network, "organisation": organisations[key]},
            {"role": role, "responsibilities": responsibilities},
        )  # fmt: skip
        report.count("memberships", created)
    numbers: dict[str, int] = {}
    for kind, title, text in item["principles"]:
        numbers[kind] = numbers.get(kind, 0) + 1
        _obj, created = _upsert(
            Principle, update, {"network": network, "kind": kind, "number": numbers[kind]},
            {"title": title, "text": text},
        )  # fmt: skip
        report.count("principles", created)
    for number, (title, description) in enumerate(item["challenges"], start=1):
        _obj, created = _upsert(
            Challenge, update, {"network": network, "number": number},
            {"title": title, "description": description},
        )  # fmt: skip
        report.count("challenges", created)
    for number, (title, description, goals, approaches) in enumerate(
        item["action_fields"], start=1
    ):
        field_obj, created = _upsert(
            ActionField, update, {"network": network, "number": number},
            {"title": title, "description": description},
        )  # fmt: skip
        report.count("action fields", created)
        for model, label, texts in ((Goal, "goals", goals), (Approach, "approaches", approaches)):
            for position, text in enumerate(texts, start=1):
                _obj, created = _upsert(
                    model, update, {"action_field": field_obj, "number": position}, {"text": text}
                )
                report.count(label, created)
    for number, figure in enumerate(item["key_figures"], start=1):
        values = {
            name: getattr(figure, name)
            for name in ("category", "label", "value", "unit", "reference_date", "note")
        }
        _obj, created = _upsert(KeyFigure, update, {"network": network, "number": number}, values)
        report.count("key figures", created)
    if network_created or update:
        record(
            "network.network.imported", network, None, {"source": network.source, "update": update}
        )
