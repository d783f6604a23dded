"""Import the funding programmes of the Förderdatenbank des Bundes from its XML export.

The export (``GET https://www.foerderdatenbank.de/FDB/WS/export``) is a ZIP of
single GSB documents in the repository tree of the portal, below ``BMWI/``:

* one programme per file under ``BMWI/FDB/Content/DE/Foerderprogramm/**.xml``
  (``Bund/<Ressort>/``, ``Land/<Land>/``, ``EU/`` …); the file path is the
  programme's identity - the document ``name`` alone repeats across Länder;
* documents a programme links to under ``BMWI/FDB/Content/DE/Foerdergeber/``,
  ``…/Kontakt/``, ``…/Adresse/`` and ``…/ExternerLink/``; categories under
  ``BMWI/SiteGlobals/Categories/FDB/<Facet>/<code>``.

Every file is ``<document name=… path=… type=…>`` with a flat list of
``<property name="gsb:…" type="…">``, each holding exactly one child:
``<text>`` for ``RichText``, ``<value>`` for ``String``/``Date``/``Long``,
``<links>`` for ``LinkList`` and ``<classifiedLinkLists>`` for
``ClassifiedLinkLists`` (``classifiedLinkList`` → ``classifierLinks/link`` names
the classifier, ``links/link/@xlink:href`` the targets, as
``target:/BMWI/…`` without the ``.xml``). A programme is a ``gsb:ServiceOffer``;
RichText holds HTML, escaped and wrapped in an escaped CDATA marker
(``&lt;![CDATA[&lt;div&gt;…]]&gt;``).

What is read (and where it goes):

========================================  =====================================
``gsb:title``                             title
``gsb:teaserText`` (Kurztext)             summary (plain text, ≤ 500 characters)
``gsb:summary`` (Volltext)                description
``gsb:bodyText`` (Rechtsgrundlage)        description, after the Volltext
``gsb:header`` (status banner)            description, first paragraph
``gsb:regulatoryFWork`` (Voraussetzungen) eligibility, after the Förderberechtigte
Förderart / Fördergebiet / Förderberechtigte  funding type / regions, nationwide /
(category codes in ``gsb:cl2Processes``)  target groups
Foerderorganisation → Foerdergeber doc    provider (an organisation, by its title)
ExternerLink documents (``gsb:url``)      links
file path                                 slug ``fdb-…`` and the website (the
                                          programme's page on foerderdatenbank.de)
========================================  =====================================

Contacts (``Kontakt``) are not imported: they often name a person, and Lotse
keeps functions, never persons. The export states no reliable end date
(``gsb:dateOfExpiration`` is a CMS value) and no modification date.

Everything is checked first; any problem, and nothing is written (unless
``skip_invalid``, which leaves out the programmes with problems). The writes go
through :mod:`lotse.offers.services` with an actor, in one transaction; an
import that changes nothing writes nothing, and a re-import updates by slug.

XML safety: ``defusedxml`` is not a dependency. Documents are parsed with the
standard library only after refusing any DTD or entity declaration, so no
entity can be expanded, and ElementTree never fetches external resources.
"""

import hashlib
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree as ET

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.text import slugify

from lotse.core.permissions import can, is_administrator, require
from lotse.network.models import Organisation, OrganisationKind, Region, RegionLevel
from lotse.network.services import create_organisation
from lotse.offers import services
from lotse.offers.models import FundingType, Language, Offer, OfferKind, TargetGroup

SITE = "https://www.foerderdatenbank.de"
EXPORT_ROOT = "BMWI/"
PROGRAMME_DIR = "BMWI/FDB/Content/DE/Foerderprogramm/"
PROGRAMME_TYPE = "gsb:ServiceOffer"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# The imprint licenses the texts under CC BY-ND 4.0 (rights holder: BMWE); other
# projects cite CC BY 4.0 for the export. The stricter one stands until the BMWE says.
LICENCE = "CC BY-ND 4.0"
SOURCE = f"Förderdatenbank des Bundes (BMWE), {LICENCE}"
SLUG_PREFIX = "fdb-"
SUMMARY_LENGTH = 500
MAX_FILE_BYTES = 5 * 1024 * 1024  # a programme document is a few kB
# When the export names no Fördergeber, the database that lists the programme stands in.
FALLBACK_PROVIDER = ("foerderdatenbank-des-bundes", "Förderdatenbank des Bundes")

# Category codes (the last segment of the category link) → Lotse values.
FUNDING_TYPES = {
    "zuschuss": FundingType.GRANT,
    "darlehen": FundingType.LOAN,
    "buergschaft": FundingType.GUARANTEE_BANK,
    "beteiligung": FundingType.EQUITY,
    "garantie": FundingType.GUARANTEE,
    "sonstige": FundingType.OTHER,
}
NATIONWIDE = frozenset({"_bundesweit", "bundesweit"})  # both occur, as duplicates
NO_REGION = frozenset({"sonstige"})
STATES = {
    "baden_wuerttemberg": "Baden-Württemberg",
    "bayern": "Bayern",
    "berlin": "Berlin",
    "brandenburg": "Brandenburg",
    "bremen": "Bremen",
    "hamburg": "Hamburg",
    "hessen": "Hessen",
    "mecklenburg_vorpommern": "Mecklenburg-Vorpommern",
    "niedersachsen": "Niedersachsen",
    "de_ni": "Niedersachsen",  # the export abbreviates this one …
    "nordrhein_westfalen": "Nordrhein-Westfalen",
    "rheinland_pfalz": "Rheinland-Pfalz",
    "saarland": "Saarland",
    "sachsen": "Sachsen",
    "sachsen_anhalt": "Sachsen-Anhalt",
    "de_st": "Sachsen-Anhalt",  # … and this one,
    "schleswig_holstein": "Schleswig-Holstein",
    "schlesig_holstein": "Schleswig-Holstein",  # and misspells this one.
    "thueringen": "Thüringen",
}
# Förderberechtigte: the label the portal shows, and the Lotse target group. Lotse's
# target groups are people; an institution that may apply (Hochschule, Kommune,
# Verband …) is reached through its staff, the partners of the networks. A private
# person is anyone: no target group fits, so it is named in ``eligibility`` only.
ELIGIBLE = {
    "unternehmen": ("Unternehmen", "companies"),
    "existenzgruenderin": ("Existenzgründer/in", "founders-successors"),
    "privatperson": ("Privatperson", None),
    "hochschule": ("Hochschule", "partner-staff"),
    "forschungseinrichtung": ("Forschungseinrichtung", "partner-staff"),
    "bildungseinrichtung": ("Bildungseinrichtung", "partner-staff"),
    "kommune": ("Kommune", "partner-staff"),
    "oeffentliche_einrichtung": ("Öffentliche Einrichtung", "partner-staff"),
    "verband_vereinigung": ("Verband/Vereinigung", "partner-staff"),
}
MINISTRY_WORDS = re.compile(r"ministeri|senatsverwaltung|staatskanzlei|senatskanzlei", re.I)

# The properties read from a programme, with the container type each must have.
TEXT_PROPERTIES = {
    "gsb:title": "title",
    "gsb:teaserText": "Kurztext",
    "gsb:summary": "Volltext",
    "gsb:bodyText": "Rechtsgrundlage",
    "gsb:header": "Hinweis",
    "gsb:regulatoryFWork": "Voraussetzungen",
}
CONTAINERS = {
    "RichText": "text",
    "String": "value",
    "Date": "value",
    "Long": "value",
    "LinkList": "links",
    "ClassifiedLinkLists": "classifiedLinkLists",
    "Blob": "blob",
}
CATEGORY_LINK = re.compile(r"/Categories/FDB/([^/]+)/([^/]+)$")
FORBIDDEN_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XML 1.0
DECLARATIONS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)
INVISIBLE = re.compile("[\u00ad\u200b\x00-\x08\x0b-\x1f\x7f-\x9f]")
SPACES = re.compile(r"[^\S\n]+")
BLANK_LINES = re.compile(r"\n{3,}")
UMLAUTS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)
validate_url = URLValidator(schemes=["http", "https"])


class ExportError(Exception):
    """The export cannot be read at all (no archive, no programme folder)."""


@dataclass(frozen=True)
class Problem:
    """What is wrong or noteworthy, and where: the file inside the export and the field."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.field}: {self.message}"
            if self.field
            else f"{self.file}: {self.message}"
        )


@dataclass
class ProgrammeData:
    """One programme as Lotse will store it, before anything is looked up."""

    file: str
    slug: str
    fields: dict[str, Any]
    target_groups: list[str]
    states: list[str]  # Region names (level state)
    provider: tuple[str, str]  # organisation slug, name
    links: list[dict[str, str]]


@dataclass
class ImportReport:
    dry_run: bool
    programmes: int = 0
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)  # left out by design, with the reason
    warnings: list[Problem] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)  # providers created
    absent: list[str] = field(default_factory=list)  # fdb- offers no longer in the export
    skip_invalid: bool = False
    in_export: set[str] = field(default_factory=set, repr=False)  # slugs of every programme file

    @property
    def is_valid(self) -> bool:
        return not self.problems or self.skip_invalid

    @property
    def written(self) -> bool:
        return self.is_valid and not self.dry_run and bool(self.created or self.updated)


class _Invalid(Exception):
    """One or more problems that keep a file (and the programme reading it) out."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__(str(problems[0]))
        self.problems = list(problems)


# --- reading the archive ---


class ExportArchive:
    """The export as a ZIP file or an unpacked folder; members by POSIX path."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._zip: zipfile.ZipFile | None = None
        if self.path.is_dir():
            self._names = sorted(
                item.relative_to(self.path).as_posix()
                for item in self.path.rglob("*")
                if item.is_file() and not item.is_symlink()
            )
        else:
            try:
                self._zip = zipfile.ZipFile(self.path)
            except (OSError, zipfile.BadZipFile) as error:
                raise ExportError(
                    f"{self.path} is neither a folder nor a ZIP file: {error}"
                ) from error
            self._names = sorted(
                info.filename for info in self._zip.infolist() if not info.is_dir()
            )
        self._known = frozenset(self._names)
        programmes = [n for n in self._names if PROGRAMME_DIR in n and n.endswith(".xml")]
        prefixes = {name[: name.index(PROGRAMME_DIR)] for name in programmes}
        if not programmes or len(prefixes) > 1:
            self.__exit__()
        if not programmes:
            raise ExportError(f"{self.path} holds no programme files ({PROGRAMME_DIR}**.xml).")
        if len(prefixes) > 1:
            raise ExportError(
                f"{self.path} holds more than one export: {', '.join(sorted(prefixes))}"
            )
        self.prefix = prefixes.pop()
        self.programmes = [n for n in programmes if n.startswith(self.prefix + PROGRAMME_DIR)]

    def __enter__(self) -> "ExportArchive":
        return self

    def __exit__(self, *exc: object) -> None:
        if self._zip is not None:
            self._zip.close()

    def __contains__(self, name: str) -> bool:
        return name in self._known

    def read(self, name: str) -> bytes:
        if self._zip is not None:
            info = self._zip.getinfo(name)
            if info.file_size > MAX_FILE_BYTES:
                raise _Invalid(Problem(name, "", f"larger than {MAX_FILE_BYTES} bytes"))
            try:
                return self._zip.read(info)
            except (zipfile.BadZipFile, OSError, RuntimeError) as error:  # damaged, encrypted
                raise _Invalid(
                    Problem(name, "", f"cannot be read from the ZIP: {error}")
                ) from error
        file = self.path / name
        if file.stat().st_size > MAX_FILE_BYTES:
            raise _Invalid(Problem(name, "", f"larger than {MAX_FILE_BYTES} bytes"))
        return file.read_bytes()

    def member_for(self, href: str) -> str:
        """``target:/BMWI/…/x`` → the member holding that document (``…/x.xml``)."""
        return self.prefix + href.removeprefix("target:").lstrip("/") + ".xml"


@dataclass
class Document:
    file: str
    root: ET.Element
    properties: dict[str, ET.Element]

    def text(self, name: str) -> str:
        """A RichText property as plain text (empty if absent)."""
        prop = self.properties.get(name)
        if prop is None:
            return ""
        child = prop.find("text")
        if child is None:
            child = prop.find("value")
        return html_to_text("".join(child.itertext())) if child is not None else ""

    def value(self, name: str) -> str:
        """A String, Date or Long property as it stands (no HTML in it to decode)."""
        prop = self.properties.get(name)
        child = prop.find("value") if prop is not None else None
        return one_line(INVISIBLE.sub("", "".join(child.itertext()))) if child is not None else ""

    def classified_links(self) -> dict[str, list[str]]:
        """Classifier name (last segment of its link) → the targets listed under it."""
        groups: dict[str, list[str]] = {}
        for prop in self.properties.values():
            container = prop.find("classifiedLinkLists")
            if container is None:
                continue
            for entry in container.findall("classifiedLinkList"):
                classifier = [
                    link.get(XLINK_HREF, "") for link in entry.findall("classifierLinks/link")
                ]
                name = classifier[0].rstrip("/").rsplit("/", 1)[-1] if classifier else ""
                targets = [link.get(XLINK_HREF, "") for link in entry.findall("links/link")]
                groups.setdefault(name, []).extend(href for href in targets if href)
        return groups


def parse_document(file: str, data: bytes, warnings: list[Problem]) -> Document:
    """Parse one export file; a problem names the file and, where it can, line and column."""
    if DECLARATIONS.search(data):
        raise _Invalid(Problem(file, "XML", "DTD or entity declarations are not accepted"))
    if FORBIDDEN_BYTES.search(data):
        # The real export ships a stray control byte mid-word; XML 1.0 forbids it.
        data = FORBIDDEN_BYTES.sub(b"", data)
        warnings.append(Problem(file, "XML", "control characters removed"))
    try:
        root = ET.fromstring(data)  # noqa: S314 - no DTD (refused above), no entities
    except ET.ParseError as error:
        raise _Invalid(Problem(file, "XML", f"not well-formed: {error}")) from error
    if root.tag != "document":
        raise _Invalid(
            Problem(file, "document", f"root element is <{root.tag}>, expected <document>")
        )
    properties: dict[str, ET.Element] = {}
    for prop in root.findall("property"):
        name, kind = prop.get("name", ""), prop.get("type", "")
        if not name:
            raise _Invalid(Problem(file, "property", "a <property> without a name"))
        expected = CONTAINERS.get(kind)
        children = [child.tag for child in prop]
        if expected is not None and children != [expected]:
            found = ", ".join(f"<{tag}>" for tag in children) or "nothing"
            raise _Invalid(
                Problem(
                    file, name, f"type {kind} must hold exactly one <{expected}>, found {found}"
                )
            )
        properties[name] = prop
    return Document(file, root, properties)


# --- text ---


class _PlainText(HTMLParser):
    BLOCKS = frozenset(
        {"p", "div", "ul", "ol", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
         "section", "article", "blockquote", "dl", "dt", "dd", "pre"}
    )  # fmt: skip
    HIDDEN = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_to_text(raw: str) -> str:
    """RichText as the export ships it (HTML, possibly in a CDATA marker) → plain text.

    Paragraphs stay apart by a blank line, list items become "- " lines; the
    words are the export's own.
    """
    raw = raw.replace("<![CDATA[", "").replace("]]>", "")
    parser = _PlainText()
    parser.feed(raw)
    parser.close()
    text = INVISIBLE.sub("", "".join(parser.parts).replace("\r", ""))
    lines = [SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def one_line(text: str) -> str:
    return " ".join(text.split())


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word and marked with an ellipsis."""
    text = one_line(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–") + "…"


def ascii_slug(text: str, length: int) -> str:
    slug = slugify(unicodedata.normalize("NFC", text).translate(UMLAUTS))
    if len(slug) <= length:
        return slug
    digest = hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:8]
    return f"{slug[: length - 9].rstrip('-')}-{digest}"


def programme_slug(key: str) -> str:
    """``Bund/BMAS/einstiegsgeld`` → ``fdb-bund-bmas-einstiegsgeld`` (≤ 120 characters)."""
    return SLUG_PREFIX + ascii_slug(key.replace("/", "-"), 120 - len(SLUG_PREFIX))


def page_url(file: str, prefix: str) -> str:
    """The programme's page on the portal: the export tree below ``BMWI`` mirrors the site."""
    path = file.removeprefix(prefix).removeprefix(EXPORT_ROOT).removesuffix(".xml")
    return f"{SITE}/{quote(path, safe='/')}.html"


# --- programme → ProgrammeData ---


class _Reader:
    """Reads the programmes of one export and the documents they link to."""

    def __init__(self, archive: ExportArchive) -> None:
        self.archive = archive
        self.warnings: list[Problem] = []
        self.skipped: list[Problem] = []
        self._linked: dict[str, Document | _Invalid | None] = {}

    def linked(self, href: str) -> Document | None:
        """A linked document, or None if the export does not hold it; bad XML raises."""
        member = self.archive.member_for(href)
        if member not in self._linked:
            if member not in self.archive:
                self._linked[member] = None
            else:
                try:
                    data = self.archive.read(member)
                    self._linked[member] = parse_document(member, data, self.warnings)
                except _Invalid as invalid:
                    self._linked[member] = invalid
        found = self._linked[member]
        if isinstance(found, _Invalid):
            raise found
        return found

    def programme(self, file: str) -> ProgrammeData | None:
        """One programme, None if it is left out by design; raises _Invalid with every problem."""
        document = parse_document(file, self.archive.read(file), self.warnings)
        kind = document.root.get("type", "")
        if kind != PROGRAMME_TYPE:
            self.skipped.append(
                Problem(file, "document", f"type {kind or '(none)'} is no programme")
            )
            return None
        for name in TEXT_PROPERTIES:
            prop = document.properties.get(name)
            if prop is not None and prop.get("type") != "RichText":
                raise _Invalid(
                    Problem(file, name, f"type {prop.get('type')!r}, expected 'RichText'")
                )
        if document.value("gsb:shouldNotBeIndexed") == "1":
            self.skipped.append(
                Problem(file, "gsb:shouldNotBeIndexed", "marked as not to be listed")
            )
            return None
        title = one_line(document.text("gsb:title"))
        if not title:
            self.skipped.append(Problem(file, "gsb:title", "no title: not a published programme"))
            return None

        problems: list[Problem] = []
        categories: dict[str, list[str]] = {}
        groups = document.classified_links()
        for hrefs in groups.values():
            for href in hrefs:
                match = CATEGORY_LINK.search(href)
                if match:
                    categories.setdefault(match[1], []).append(match[2])

        funding_types = []
        for code in dict.fromkeys(categories.get("Foerderart", [])):
            if code in FUNDING_TYPES:
                funding_types.append(FUNDING_TYPES[code])
            else:
                problems.append(Problem(file, "Foerderart", f"unknown category {code!r}"))
        order = list(FundingType)
        funding_type = min(funding_types, key=order.index) if funding_types else ""

        nationwide, states = False, []
        for code in dict.fromkeys(categories.get("Foerdergebiet", [])):
            if code in NATIONWIDE:
                nationwide = True
            elif code in STATES:
                states.append(STATES[code])
            elif code not in NO_REGION:
                problems.append(Problem(file, "Foerdergebiet", f"unknown category {code!r}"))

        eligible, groups_wanted = [], []
        for code in dict.fromkeys(categories.get("Foerderberechtigte", [])):
            if code not in ELIGIBLE:
                problems.append(Problem(file, "Foerderberechtigte", f"unknown category {code!r}"))
                continue
            label, group = ELIGIBLE[code]
            eligible.append(label)
            if group and group not in groups_wanted:
                groups_wanted.append(group)

        if problems:
            raise _Invalid(*problems)
        if not groups_wanted:
            named = ", ".join(eligible) or "none"
            self.skipped.append(
                Problem(file, "Foerderberechtigte", f"no Lotse target group (named: {named})")
            )
            return None
        provider = self._provider(file, groups, problems)
        links = self._links(file, groups, problems)
        if problems:
            raise _Invalid(*problems)

        teaser, full_text = document.text("gsb:teaserText"), document.text("gsb:summary")
        legal_basis, header = document.text("gsb:bodyText"), document.text("gsb:header")
        if teaser:
            summary = shorten(teaser, SUMMARY_LENGTH)
        elif full_text:
            summary = shorten(full_text, SUMMARY_LENGTH)
            self.warnings.append(
                Problem(file, "gsb:teaserText", "no Kurztext: summary from the Volltext")
            )
        else:
            summary = shorten(title, SUMMARY_LENGTH)
            self.warnings.append(
                Problem(file, "gsb:teaserText", "no Kurztext or Volltext: the title stands in")
            )
        eligibility = [f"Förderberechtigt: {', '.join(eligible)}"] if eligible else []
        eligibility.append(document.text("gsb:regulatoryFWork"))
        key = file.removeprefix(self.archive.prefix + PROGRAMME_DIR).removesuffix(".xml")
        website = page_url(file, self.archive.prefix)
        if len(website) > 200:
            self.warnings.append(
                Problem(file, "website", "page address longer than 200 characters, left out")
            )
            website = ""
        values = {
            "title": shorten(title, 200),
            "kind": OfferKind.FUNDING,
            "summary": summary,
            "description": "\n\n".join(part for part in (header, full_text, legal_basis) if part),
            "nationwide": nationwide,
            "funding_type": funding_type,
            "eligibility": "\n\n".join(part for part in eligibility if part),
            "website": website,
            "source": SOURCE,
        }
        return ProgrammeData(
            file=file,
            slug=programme_slug(key),
            fields=values,
            target_groups=groups_wanted,
            states=list(dict.fromkeys(states)),
            provider=provider,
            links=links,
        )

    def _provider(
        self, file: str, groups: dict[str, list[str]], problems: list[Problem]
    ) -> tuple[str, str]:
        hrefs = [
            href
            for name in ("Foerderorganisation", "Foerdergeber")
            for href in groups.get(name, [])
            if "/Content/DE/Foerdergeber/" in href
        ]
        for href in hrefs:
            try:
                document = self.linked(href)
            except _Invalid as invalid:
                problems.extend(_referred(invalid, f"Fördergeber of {file}"))
                return FALLBACK_PROVIDER
            if document is None:
                self.warnings.append(
                    Problem(file, "Foerderorganisation", f"{href} is not in the export")
                )
                continue
            name = shorten(document.text("gsb:title"), 200)
            slug = ascii_slug(name, 100)
            if name and slug:
                return slug, name
            self.warnings.append(Problem(document.file, "gsb:title", "Fördergeber without a name"))
        if not hrefs:
            self.warnings.append(
                Problem(
                    file,
                    "Foerderorganisation",
                    "no Fördergeber named: the Förderdatenbank stands in",
                )
            )
        return FALLBACK_PROVIDER

    def _links(
        self, file: str, groups: dict[str, list[str]], problems: list[Problem]
    ) -> list[dict[str, str]]:
        links: list[dict[str, str]] = []
        seen: set[str] = set()
        hrefs = [
            href
            for targets in groups.values()
            for href in targets
            if "/Content/DE/ExternerLink/" in href
        ]
        for href in dict.fromkeys(hrefs):
            try:
                document = self.linked(href)
            except _Invalid as invalid:
                problems.extend(_referred(invalid, f"link of {file}"))
                continue
            if document is None:
                self.warnings.append(Problem(file, "ExternerLink", f"{href} is not in the export"))
                continue
            url = document.value("gsb:url")
            try:
                if len(url) > 200:
                    raise ValidationError("too long")
                validate_url(url)
            except ValidationError:
                self.warnings.append(
                    Problem(document.file, "gsb:url", f"not a usable web address: {url!r}")
                )
                continue
            if url in seen:
                continue
            seen.add(url)
            label = one_line(document.text("gsb:title")) or urlsplit(url).hostname or url
            links.append({"label": shorten(label, 120), "url": url})
        return links


def _referred(invalid: _Invalid, by: str) -> list[Problem]:
    """A linked document's problems, saying which programme refers to it."""
    return [Problem(p.file, p.field, f"{p.message} ({by})") for p in invalid.problems]


def read_export(path: Path) -> tuple[list[ProgrammeData], ImportReport]:
    """Read and check every programme; nothing is looked up in the database yet."""
    report = ImportReport(dry_run=True)
    programmes: list[ProgrammeData] = []
    with ExportArchive(path) as archive:
        reader = _Reader(archive)
        report.programmes = len(archive.programmes)
        programme_dir = archive.prefix + PROGRAMME_DIR
        report.in_export = {
            programme_slug(file.removeprefix(programme_dir).removesuffix(".xml"))
            for file in archive.programmes
        }
        for file in archive.programmes:
            try:
                data = reader.programme(file)
            except _Invalid as invalid:
                report.problems.extend(invalid.problems)
                continue
            if data is not None:
                programmes.append(data)
        report.warnings, report.skipped = reader.warnings, reader.skipped
    by_slug: dict[str, str] = {}
    for data in programmes:
        if data.slug in by_slug:
            report.problems.append(
                Problem(data.file, "slug", f"{data.slug} is also the slug of {by_slug[data.slug]}")
            )
        by_slug.setdefault(data.slug, data.file)
    return programmes, report


# --- planning and writing ---


@dataclass
class _Plan:
    data: ProgrammeData
    offer: Offer | None
    values: dict[str, Any]  # for create: everything; for update: what changes


class _Lookups:
    def __init__(self, programmes: list[ProgrammeData]) -> None:
        self.groups = {group.slug: group for group in TargetGroup.objects.all()}
        self.states = {
            region.name: region for region in Region.objects.filter(level=RegionLevel.STATE)
        }
        self.german = list(Language.objects.filter(code="de"))
        slugs = {data.provider[0] for data in programmes}
        self.organisations = {org.slug: org for org in Organisation.objects.filter(slug__in=slugs)}
        self.offers = {
            offer.slug: offer
            for offer in Offer.objects.filter(slug__in=[data.slug for data in programmes])
            .select_related("provider")
            .prefetch_related("target_groups", "regions", "languages", "links")
        }


def _check(
    data: ProgrammeData, lookups: _Lookups, actor: Any
) -> tuple[_Plan | None, list[Problem]]:
    """What writing this programme would do, or why it cannot be written."""
    problems = []
    for slug in data.target_groups:
        if slug not in lookups.groups:
            problems.append(
                Problem(data.file, "Foerderberechtigte", f"Lotse has no target group {slug!r}")
            )
    for name in data.states:
        if name not in lookups.states:
            problems.append(
                Problem(data.file, "Foerdergebiet", f"Lotse has no federal state {name!r}")
            )
    try:
        Offer(slug=data.slug, **data.fields).clean_fields(exclude=["provider"])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            problems.append(Problem(data.file, name, " ".join(messages)))
    if problems:
        return None, problems
    relations: dict[str, list[Any]] = {
        "target_groups": [lookups.groups[slug] for slug in data.target_groups],
        "regions": [lookups.states[name] for name in data.states],
        "languages": lookups.german,
    }
    offer = lookups.offers.get(data.slug)
    if offer is None:
        values = {"slug": data.slug, **data.fields, **relations, "links": data.links}
        plan = _Plan(data, None, values)
    else:
        changes: dict[str, Any] = {
            name: value for name, value in data.fields.items() if getattr(offer, name) != value
        }
        if offer.provider.slug != data.provider[0]:
            changes["provider"] = None  # resolved when writing: the organisation may be new
        for name, items in relations.items():
            if {item.pk for item in getattr(offer, name).all()} != {item.pk for item in items}:
                changes[name] = items
        if [{"label": link.label, "url": link.url} for link in offer.links.all()] != data.links:
            changes["links"] = data.links
        plan = _Plan(data, offer, changes)
    refused = _permission_problems(plan, lookups, actor)
    return (None, refused) if refused else (plan, [])


def _permission_problems(plan: _Plan, lookups: _Lookups, actor: Any) -> list[Problem]:
    """The services check again when writing; checked here, every refusal is listed at once."""
    file, (slug, name) = plan.data.file, plan.data.provider
    if plan.offer is None and not can(actor, "offers.add_offer"):
        return [Problem(file, "", "the importing user may not add offers")]
    if plan.offer is not None and plan.values and not can(actor, "offers.change_offer", plan.offer):
        return [Problem(file, "", f"the importing user may not change the offer {plan.offer.slug}")]
    adds_provider = plan.offer is None or "provider" in plan.values
    if not adds_provider:
        return []
    organisation = lookups.organisations.get(slug)
    if organisation is None and not can(actor, "network.add_organisation"):
        message = f"the importing user may not add the organisation {name!r}"
        return [Problem(file, "Foerderorganisation", message)]
    # An organisation the import adds belongs to no network and has no staff yet, so
    # only administrators will be allowed to offer in its name.
    allowed = (
        is_administrator(actor)
        if organisation is None
        else can(actor, "offers.offer_for_provider", organisation)
    )
    if not allowed:
        message = f"the importing user may not offer in the name of {name!r}"
        return [Problem(file, "Foerderorganisation", message)]
    return []


def _provider(
    data: ProgrammeData, lookups: _Lookups, actor: Any, report: ImportReport
) -> Organisation:
    slug, name = data.provider
    organisation = lookups.organisations.get(slug)
    if organisation is None:
        kind = OrganisationKind.MINISTRY if MINISTRY_WORDS.search(name) else OrganisationKind.OTHER
        organisation = create_organisation(actor=actor, name=name, slug=slug, kind=kind)
        lookups.organisations[slug] = organisation
        report.organisations.append(slug)
    return organisation


class _RolledBack(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(str(problems[0]))
        self.problems = problems


def import_foerderdatenbank(
    path: Path | str,
    *,
    actor: Any,
    dry_run: bool = False,
    skip_invalid: bool = False,
    publish: bool = True,
) -> ImportReport:
    """Import (or, in a dry run, check and plan) every programme of an export.

    Raises :class:`ExportError` if the path holds no export and ``PermissionDenied``
    if ``actor`` may not import offers. New offers are published unless ``publish`` is
    false; existing offers keep their status and everything the export does not fill.
    """
    require(actor, "offers.import_offers")
    programmes, report = read_export(Path(path))
    report.dry_run, report.skip_invalid = dry_run, skip_invalid
    bad_files = {problem.file for problem in report.problems}
    lookups = _Lookups(programmes)
    plans: list[_Plan] = []
    for data in programmes:
        plan, problems = _check(data, lookups, actor)
        report.problems.extend(problems)
        if plan is not None and data.file not in bad_files:
            plans.append(plan)
    imported = Offer.objects.filter(slug__startswith=SLUG_PREFIX).values_list("slug", flat=True)
    report.absent = sorted(set(imported) - report.in_export)
    if report.problems and not skip_invalid:
        return report
    if report.problems:
        bad_files |= {problem.file for problem in report.problems}
        plans = [plan for plan in plans if plan.data.file not in bad_files]
    if dry_run:
        for plan in plans:
            _count(plan, report)
        report.organisations = sorted(
            {
                plan.data.provider[0]
                for plan in plans
                if plan.data.provider[0] not in lookups.organisations
            }
        )
        return report
    try:
        with transaction.atomic():
            for plan in plans:
                _write(plan, lookups, actor, report, publish)
    except _RolledBack as rolled_back:
        report.problems = rolled_back.problems
        report.skip_invalid = False
        report.created, report.updated, report.unchanged, report.organisations = [], [], [], []
    return report


def _count(plan: _Plan, report: ImportReport) -> None:
    if plan.offer is None:
        report.created.append(plan.data.slug)
    elif plan.values:
        report.updated.append(plan.data.slug)
    else:
        report.unchanged.append(plan.data.slug)


def _write(plan: _Plan, lookups: _Lookups, actor: Any, report: ImportReport, publish: bool) -> None:
    try:
        if plan.offer is None:
            provider = _provider(plan.data, lookups, actor, report)
            services.create_offer(actor=actor, publish=publish, provider=provider, **plan.values)
        elif plan.values:
            values = dict(plan.values)
            if "provider" in values:
                values["provider"] = _provider(plan.data, lookups, actor, report)
            services.update_offer(plan.offer, actor=actor, **values)
    except ValidationError as error:
        # Checked before writing; only a change made meanwhile by someone else ends here.
        messages = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        problems = [
            Problem(plan.data.file, name, " ".join(texts)) for name, texts in messages.items()
        ]
        raise _RolledBack(problems) from error
    except PermissionDenied as error:
        raise _RolledBack([Problem(plan.data.file, "", f"permission denied: {error}")]) from error
    _count(plan, report)


def summarise(problems: Iterable[Problem]) -> Iterator[tuple[str, int]]:
    """Problems grouped by field and message, with how often each occurs."""
    counts: dict[str, int] = {}
    for problem in problems:
        key = (
            f"{problem.field}: {_generic(problem.message)}"
            if problem.field
            else _generic(problem.message)
        )
        counts[key] = counts.get(key, 0) + 1
    yield from sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _generic(message: str) -> str:
    """A message without the values that differ per file, for grouping."""
    return re.sub(r"'[^']*'|\S*/\S*", "…", message)
