"""Import offers: CSV and XLSX in the columns of the export, JSON in the API's schema.

Reading never raises: every problem becomes a :class:`Problem` with the row as
the file shows it (the header is row 1 of a CSV or XLSX file; in JSON an offer
is counted from 1) and the field as the file names it. :func:`validate_offers`
checks every row completely with the model's and the services' own rules and
writes nothing. :func:`import_offers` writes only when no row has a problem:
every row in one transaction through ``services.create_offer`` and
``services.update_offer``, so permissions, the search index and the audit log
apply as to any other change. A row that would change nothing is left alone.

A row may create or change an offer only for a provider the actor may offer for
(``offers.offer_for_provider``); text with control characters is refused, since
PostgreSQL cannot store NUL and the others are invisible garbage.
"""

import copy
import csv
import datetime
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from lotse.core.permissions import can, require
from lotse.core.spreadsheets import UndecodableText, cell_text, decode_text_file
from lotse.network.models import ActionField, Organisation, Region
from lotse.offers import services
from lotse.offers.exports import COLUMNS
from lotse.offers.models import FundingType, Language, Offer, OfferKind, TargetGroup

# The import reads what the export writes: its columns, with ``key`` for the slug.
IGNORED_COLUMNS = frozenset({"url"})
COLUMN_FIELDS = {"key": "slug"}
FIELDS = tuple(
    COLUMN_FIELDS.get(column, column) for column in COLUMNS if column not in IGNORED_COLUMNS
)
COLUMN_ORDER = {"": -1, "slug": 0} | {name: i for i, name in enumerate(COLUMNS)}
READ_ONLY_FIELDS = frozenset(
    {
        "url", "provider_name", "provider_assumed", "published_at", "updated_at",
        "practice_examples", "links", "source",
    }
)  # fmt: skip
LIST_FIELDS = ("partners", "target_groups", "action_fields", "regions", "languages")
DATE_FIELDS = ("application_deadline", "valid_from", "valid_until")
# Long texts keep their lines and tabs; every other control character is refused
# (PostgreSQL cannot store NUL at all, and the others are invisible garbage).
LONG_TEXT_FIELDS = ("description", "eligibility")
LINE_CHARACTERS = frozenset("\t\n\r")
FORMATS = ("csv", "xlsx", "json")
TRUE_WORDS = frozenset({"true", "ja"})
FALSE_WORDS = frozenset({"false", "nein", ""})
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")

UNKNOWN = {
    "provider": gettext_lazy("unknown provider '%(value)s'"),
    "partners": gettext_lazy("unknown organisation '%(value)s'"),
    "target_groups": gettext_lazy("unknown target group '%(value)s'"),
    "action_fields": gettext_lazy("unknown action field '%(value)s' (expected <network>/<number>)"),
    "regions": gettext_lazy("unknown region '%(value)s' (expected a Land or Kreis code)"),
    "languages": gettext_lazy("unknown language '%(value)s'"),
}  # fmt: skip
UNKNOWN_CHOICE = {
    "kind": (gettext_lazy("unknown kind '%(value)s' (allowed: %(allowed)s)"), OfferKind),
    "funding_type": (
        gettext_lazy("unknown funding type '%(value)s' (allowed: %(allowed)s)"),
        FundingType,
    ),
}

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass(frozen=True)
class Problem:
    """What is wrong where: ``row`` is None for the file as a whole, ``field`` may be empty."""

    row: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = "file" if self.row is None else f"row {self.row}"
        return (
            f"{where}, field {self.field!r}: {self.message}"
            if self.field
            else f"{where}: {self.message}"
        )


@dataclass
class SourceRow:
    number: int
    values: dict[str, Any]  # API field name -> value as read
    tabular: bool  # CSV/XLSX text (lists joined with '|') rather than JSON values


@dataclass
class OfferSource:
    """What a file says, before anything is looked up: its rows and any problems of its form."""

    rows: list[SourceRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # field -> its name in the file
    missing: frozenset[str] = frozenset()  # fields whose column the header lacks


@dataclass(frozen=True)
class RowResult:
    row: int
    key: str
    title: str
    action: str  # CREATED, UPDATED or UNCHANGED


@dataclass
class ImportReport:
    dry_run: bool
    problems: list[Problem] = field(default_factory=list)
    rows: list[RowResult] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.problems

    @property
    def written(self) -> bool:
        return self.is_valid and not self.dry_run

    @property
    def counts(self) -> dict[str, int]:
        return {
            action: sum(1 for row in self.rows if row.action == action)
            for action in (CREATED, UPDATED, UNCHANGED)
        }


# --- reading ---


def read_offers(name: str, data: bytes) -> OfferSource:
    """Read a file by its extension: .csv, .xlsx or .json."""
    extension = Path(name).suffix.lower().lstrip(".")
    readers = {"csv": read_csv, "xlsx": read_xlsx, "json": read_json}
    if extension in readers:
        return readers[extension](data)
    message = _("unsupported file type '%(extension)s' (expected .csv, .xlsx or .json)")
    return _unreadable(message % {"extension": extension})


def _unreadable(message: str) -> OfferSource:
    return OfferSource(problems=[Problem(None, "", message)])


def read_csv(data: bytes) -> OfferSource:
    """UTF-8, UTF-16 or Windows-1252 (German Excel); comma, semicolon or tab, as the header uses."""
    try:
        text = decode_text_file(data)
    except UndecodableText as error:
        message = _("line %(line)s: the file is not text in UTF-8, UTF-16 or Windows-1252")
        return _unreadable(message % {"line": error.line})
    header_line = text.split("\n", 1)[0]
    # Commas, semicolons (German Excel) or tabs (Excel's "Unicode text"): the header's most.
    delimiter = max((",", ";", "\t"), key=header_line.count)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        return _unreadable(_("the file is not readable as CSV (%(error)s)") % {"error": error})
    return _from_table(records)


def read_xlsx(data: bytes) -> OfferSource:
    """The first sheet of a workbook; cells the spreadsheet typed are read as text."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        return _unreadable(_("the file is not a readable XLSX workbook"))
    try:
        sheet = workbook.worksheets[0]
        records = [[cell_text(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return _from_table(records)


def _from_table(records: list[list[str]]) -> OfferSource:
    source = OfferSource(labels={name: column for column, name in COLUMN_FIELDS.items()})
    if not records or not any(cell.strip() for cell in records[0]):
        source.problems.append(Problem(None, "", _("the file is empty or has no header row")))
        return source
    header = [cell.strip() for cell in records[0]]
    positions: dict[str, int] = {}
    for index, column in enumerate(header):
        if not column:
            continue
        if column in positions:
            source.problems.append(Problem(1, column, _("the column appears twice")))
        elif column not in COLUMNS:
            source.problems.append(Problem(1, column, _("unknown column")))
        else:
            positions[column] = index
    missing = [c for c in COLUMNS if c not in positions and c not in IGNORED_COLUMNS]
    for column in missing:
        source.problems.append(Problem(1, column, _("the column is missing")))
    source.missing = frozenset(COLUMN_FIELDS.get(column, column) for column in missing)
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        if any(cell.strip() for cell in record[len(header) :]):
            source.problems.append(Problem(number, "", _("the row has more cells than the header")))
        values = {
            COLUMN_FIELDS.get(column, column): record[index] if index < len(record) else ""
            for column, index in positions.items()
            if column not in IGNORED_COLUMNS
        }
        source.rows.append(SourceRow(number, values, tabular=True))
    return source


def read_json(data: bytes) -> OfferSource:
    try:
        payload = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return _unreadable(_("the file is not UTF-8 encoded"))
    except json.JSONDecodeError as error:
        message = _("not valid JSON: %(error)s (line %(line)s, column %(column)s)")
        params = {"error": error.msg, "line": error.lineno, "column": error.colno}
        return _unreadable(message % params)
    return from_json(payload)


def from_json(payload: Any) -> OfferSource:
    """A list of offers in the API's field names; read-only fields of the API are ignored."""
    if not isinstance(payload, list):
        return _unreadable(_("expected a list of offers"))
    source = OfferSource()
    for number, item in enumerate(payload, start=1):
        if not isinstance(item, dict):
            source.problems.append(
                Problem(number, "", _("expected an object with the fields of an offer"))
            )
            continue
        for name in sorted(set(item) - set(FIELDS) - READ_ONLY_FIELDS):
            source.problems.append(Problem(number, str(name), _("unknown field")))
        values = {name: item[name] for name in FIELDS if name in item}
        source.rows.append(SourceRow(number, values, tabular=False))
    return source


# --- converting values ---


class _Invalid(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _refuse_control_characters(text: str, allowed: frozenset[str] = frozenset()) -> str:
    """``text`` unchanged, unless it holds a control character (Unicode category Cc)."""
    for position, character in enumerate(text, start=1):
        if character not in allowed and unicodedata.category(character) == "Cc":
            message = _(
                "contains the control character U+%(code)04X at position %(position)s; remove it"
            )
            raise _Invalid(message % {"code": ord(character), "position": position})
    return text


def _text(value: Any, tabular: bool, allowed: frozenset[str] = frozenset()) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Invalid(_("must be text"))
    return _refuse_control_characters(value, allowed).strip()


def _list(value: Any, tabular: bool) -> list[str]:
    if tabular:
        text = _refuse_control_characters(str(value))
        return [part.strip() for part in text.split("|") if part.strip()]
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _Invalid(_("must be a list of texts"))
    items = [_refuse_control_characters(item).strip() for item in value]
    return [item for item in items if item]


def _boolean(value: Any, tabular: bool) -> bool:
    if not tabular:
        if isinstance(value, bool):
            return value
        raise _Invalid(_("must be true or false"))
    word = str(value).strip().lower()
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise _Invalid(
        _("'%(value)s' is not a yes/no value (true, false, ja, nein)") % {"value": value}
    )


def _date(value: Any, tabular: bool) -> datetime.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = value.strip() if isinstance(value, str) else ""
    iso, german = ISO_DATE.match(text), GERMAN_DATE.match(text)
    try:
        if iso:
            return datetime.date(int(iso[1]), int(iso[2]), int(iso[3]))
        if german:
            return datetime.date(int(german[3]), int(german[2]), int(german[1]))
    except ValueError:
        pass
    message = _("invalid date '%(value)s' (expected YYYY-MM-DD or DD.MM.YYYY)")
    raise _Invalid(message % {"value": value})


CONVERTERS: dict[str, Callable[[Any, bool], Any]] = {
    **dict.fromkeys(FIELDS, _text),
    **dict.fromkeys(LONG_TEXT_FIELDS, partial(_text, allowed=LINE_CHARACTERS)),
    **dict.fromkeys(LIST_FIELDS, _list),
    **dict.fromkeys(DATE_FIELDS, _date),
    "nationwide": _boolean,
}


# --- checking ---


@dataclass
class _References:
    """Everything the rows name, fetched once per kind."""

    lookups: dict[str, dict[str, Any]]
    offers: dict[str, Offer]

    @classmethod
    def load(cls, rows: Iterable[dict[str, Any]]) -> "_References":
        wanted: dict[str, set[str]] = {name: set() for name in ("provider", "slug", *LIST_FIELDS)}
        for values in rows:
            for name, names in wanted.items():
                value = values.get(name) or []
                names.update(value if isinstance(value, list) else [value])
        organisations = Organisation.objects.in_bulk(
            wanted["provider"] | wanted["partners"], field_name="slug"
        )
        networks = {reference.rpartition("/")[0] for reference in wanted["action_fields"]}
        fields = ActionField.objects.filter(network__slug__in=networks).select_related("network")
        offers = Offer.objects.filter(slug__in=wanted["slug"]).select_related("provider")
        lookups: dict[str, dict[str, Any]] = {
            "provider": organisations,
            "partners": organisations,
            "target_groups": TargetGroup.objects.in_bulk(
                wanted["target_groups"], field_name="slug"
            ),
            "action_fields": {f"{item.network.slug}/{item.number}": item for item in fields},
            "regions": Region.objects.in_bulk(wanted["regions"], field_name="code"),
            "languages": Language.objects.in_bulk(wanted["languages"], field_name="code"),
        }
        return cls(lookups, {offer.slug: offer for offer in offers.prefetch_related(*LIST_FIELDS)})


@dataclass
class _Plan:
    result: RowResult
    offer: Offer | None  # the existing offer, None for a new one
    values: dict[str, Any]  # what create_offer or update_offer gets


def _check(source: OfferSource, actor: Any) -> tuple[ImportReport, list[_Plan]]:
    report = ImportReport(dry_run=True, problems=list(source.problems))
    converted: list[tuple[SourceRow, dict[str, Any], set[str]]] = []
    for row in source.rows:
        values, failed = {}, set()
        for name, raw in row.values.items():
            try:
                values[name] = CONVERTERS[name](raw, row.tabular)
            except _Invalid as error:
                report.problems.append(
                    Problem(row.number, source.labels.get(name, name), error.message)
                )
                failed.add(name)
        converted.append((row, values, failed))
    references = _References.load(values for _row, values, _failed in converted)
    seen: dict[str, int] = {}
    plans = []
    may_offer_for = _ProviderRights(actor)
    for row, values, failed in converted:
        plan, problems = _check_row(
            row.number, values, failed, source, references, seen, may_offer_for
        )
        report.problems.extend(problems)
        if plan is not None:
            plans.append(plan)
    report.rows = [plan.result for plan in plans]
    report.problems.sort(key=_position)
    return report, plans


def _position(problem: Problem) -> tuple[int, int]:
    """The file first, then row by row, in the order of the columns."""
    column = COLUMN_ORDER.get(problem.field, len(COLUMN_ORDER))
    return (-1 if problem.row is None else problem.row, column)


class _ProviderRights:
    """Whether the actor may offer in an organisation's name, asked once per organisation."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self.answers: dict[int, bool] = {}

    def __call__(self, organisation: Organisation) -> bool:
        if organisation.pk not in self.answers:
            allowed = can(self.actor, "offers.offer_for_provider", organisation)
            self.answers[organisation.pk] = allowed
        return self.answers[organisation.pk]


def _check_row(
    number: int,
    values: dict[str, Any],
    failed: set[str],
    source: OfferSource,
    references: _References,
    seen: dict[str, int],
    may_offer_for: _ProviderRights,
) -> tuple[_Plan | None, list[Problem]]:
    problems: list[Problem] = []

    def fail(name: str, message: str) -> None:
        problems.append(Problem(number, source.labels.get(name, name), message))
        failed.add(name)

    slug = values.get("slug", "")
    if slug in seen:
        message = _("the key '%(value)s' appears already in row %(row)s")
        fail("slug", message % {"value": slug, "row": seen[slug]})
    elif slug:
        seen[slug] = number
    existing = references.offers.get(slug) if slug else None
    fields: dict[str, Any] = {}
    relations: dict[str, list[Any]] = {}
    for name, value in values.items():
        if name == "provider":
            if not value:
                fail(name, _("the provider is missing"))
            elif value not in references.lookups[name]:
                fail(name, UNKNOWN[name] % {"value": value})
            else:
                fields[name] = references.lookups[name][value]
        elif name in LIST_FIELDS:
            unknown = [item for item in value if item not in references.lookups[name]]
            for item in unknown:
                fail(name, UNKNOWN[name] % {"value": item})
            if not unknown:
                relations[name] = [references.lookups[name][item] for item in dict.fromkeys(value)]
        else:
            fields[name] = value
    # The model's check constraint would only say its name; say what is wrong instead.
    valid_from = fields.get("valid_from", existing.valid_from if existing else None)
    valid_until = fields.get("valid_until", existing.valid_until if existing else None)
    if valid_from and valid_until and valid_until < valid_from:
        message = _("valid until (%(until)s) lies before valid from (%(from)s)")
        fail("valid_until", message % {"until": valid_until, "from": valid_from})
        fields.pop("valid_until", None)

    # An offer speaks in its provider's name: a new offer, or a change that moves an
    # offer to another provider, needs the right to offer for that provider, and a
    # change of an existing offer the right to change it (for its present provider).
    provider = fields.get("provider")
    if existing is None:
        offer, changes, action = Offer(**fields), {**fields, **relations}, CREATED
        check_relations: dict[str, Iterable[Any]] = {"target_groups": [], **relations}
        names_provider = can(may_offer_for.actor, "offers.add_offer")
        if not names_provider:
            fail("slug", _("you may not create offers"))
    else:
        changes = _changes(existing, fields, relations)
        offer, action = copy.copy(existing), UPDATED if changes else UNCHANGED
        for name, value in fields.items():
            setattr(offer, name, value)
        check_relations = dict(relations)
        # A row that changes nothing needs no permission: a whole export can come back.
        if changes and not may_offer_for(existing.provider):
            fail("slug", _("you may not change the offer '%(value)s'") % {"value": slug})
        names_provider = "provider" in changes
    if names_provider and provider is not None and not may_offer_for(provider):
        message = _("you may not offer in the name of '%(value)s'")
        fail("provider", message % {"value": provider.slug})
    try:
        services._validate(offer, check_relations)
    except ValidationError as error:
        for name, errors in error.error_dict.items():
            if name in failed or name in source.missing:
                continue
            for item in errors:
                problems.append(Problem(number, _label(name, source), _model_message(name, item)))
    if problems:
        return None, problems
    result = RowResult(number, slug, offer.title, action)
    return _Plan(result, existing, changes), []


def _label(name: str, source: OfferSource) -> str:
    return "" if name == NON_FIELD_ERRORS else source.labels.get(name, name)


def _model_message(name: str, error: ValidationError) -> str:
    if error.code == "invalid_choice" and name in UNKNOWN_CHOICE:
        message, choices = UNKNOWN_CHOICE[name]
        value = (error.params or {}).get("value", "")
        return message % {"value": value, "allowed": ", ".join(choices.values)}
    if error.code == "null":  # a provider left out of a new offer: "cannot be null" says too little
        return str(models.Field.default_error_messages["blank"])
    return " ".join(error.messages)


def _changes(
    offer: Offer, fields: dict[str, Any], relations: dict[str, list[Any]]
) -> dict[str, Any]:
    changes = {name: value for name, value in fields.items() if getattr(offer, name) != value}
    for name, items in relations.items():
        if {item.pk for item in getattr(offer, name).all()} != {item.pk for item in items}:
            changes[name] = items
    return changes


# --- the two entry points ---


def validate_offers(source: OfferSource, *, actor: Any) -> ImportReport:
    """Check every row completely and say what an import would create or update; write nothing."""
    require(actor, "offers.import_offers")
    report, _plans = _check(source, actor)
    return report


class _RolledBack(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems


def import_offers(source: OfferSource, *, actor: Any, dry_run: bool = False) -> ImportReport:
    """Create or update every row through the services, in one transaction, or write nothing.

    New offers are published; existing offers keep their status.
    """
    require(actor, "offers.import_offers")
    if dry_run:
        return validate_offers(source, actor=actor)
    try:
        with transaction.atomic():
            report, plans = _check(source, actor)
            if not report.is_valid:
                return report
            report.dry_run = False
            problems = []
            for plan in plans:
                try:
                    if plan.offer is None:
                        services.create_offer(actor=actor, publish=True, **plan.values)
                    elif plan.values:
                        services.update_offer(plan.offer, actor=actor, **plan.values)
                except (ValidationError, PermissionDenied) as error:
                    # Checked above; only a change made meanwhile by someone else ends here.
                    messages = getattr(error, "messages", None) or [_("permission denied")]
                    problems.append(Problem(plan.result.row, "", " ".join(messages)))
            if problems:
                raise _RolledBack(problems)
    except _RolledBack as rolled_back:
        return ImportReport(dry_run=False, problems=rolled_back.problems)
    return report
