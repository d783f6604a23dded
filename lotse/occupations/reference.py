"""The shipped occupation reference: KldB 2010 (2020), job titles, ESCO and the BA mapping.

The files in ``occupations/data/`` are derived from ``../shared/data`` by
:func:`build_reference_files` (``lotse build_occupations``) and committed, so
that neither ``make run`` nor the tests need the source folder. They are
read-only reference data, identical on every installation, so they are held in
memory (loaded once, a few MB) rather than copied into every database: other
apps store the five-digit KldB code and look it up here.
"""

import csv
import gzip
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.utils.translation import gettext_lazy as _

DATA_DIR = Path(__file__).resolve().parent / "data"

KLDB_DIR = "kldb2010_fassung2020"
ESCO_DIR = "esco_v1.2_de"
MAPPING_DIR = "esco_ba_mapping_eures"

LEVEL_NAMES = {
    1: _("Occupational area"),  # Berufsbereich
    2: _("Occupational main group"),  # Berufshauptgruppe
    3: _("Occupational group"),  # Berufsgruppe
    4: _("Occupational subgroup"),  # Berufsuntergruppe
    5: _("Occupational type"),  # Berufsgattung
}

# The fifth digit of a five-digit code: the requirement level (Anforderungsniveau).
REQUIREMENT_LEVELS = {
    "1": _("Helper"),  # Helfer
    "2": _("Skilled worker"),  # Fachkraft
    "3": _("Specialist"),  # Spezialist
    "4": _("Expert"),  # Experte
}

_EXAMPLE = re.compile(r"(\d{5})-(\d{3}) (.*?)(?= \d{5}-\d{3} |$)")


class ReferenceFileError(ValueError):
    """A source file that does not have the expected shape."""


@dataclass(frozen=True)
class Occupation:
    """A position of the KldB tree, from Berufsbereich (1 digit) to Berufsgattung (5)."""

    code: str
    level: int
    title: str
    short_title: str
    parent_code: str
    description: str

    @property
    def level_name(self) -> str:
        return str(LEVEL_NAMES[self.level])

    @property
    def requirement_level(self) -> str:
        """Helfer, Fachkraft, Spezialist or Experte; empty above the fifth level."""
        return str(REQUIREMENT_LEVELS.get(self.code[4:5], "")) if self.level == 5 else ""


@dataclass(frozen=True)
class JobTitle:
    """A job title (Berufsbenennung or BA occupation label) with its five-digit code."""

    title: str
    kldb5: str
    source: str  # "bb": alphabetical list of Berufsbenennungen; "ba": the BA's ESCO mapping


@dataclass(frozen=True)
class EscoOccupation:
    uri: str
    code: str
    isco_group: str
    preferred_label: str
    alt_labels: tuple[str, ...]


@dataclass(frozen=True)
class EscoMapping:
    """The BA's mapping of an ESCO occupation to a BA occupation (and so a KldB code)."""

    esco_uri: str
    kldb5: str
    ba_beruf_id: str
    relation: str  # skos:exactMatch, closeMatch, narrowMatch or broadMatch


@dataclass(frozen=True)
class IscoLink:
    """KldB 2020 -> ISCO-08 crosswalk row; ``rank`` 1 is the recommended ISCO group."""

    kldb5: str
    isco4: str
    rank: int
    kldb_title_en: str
    isco_title_en: str


@dataclass(frozen=True)
class EscoSkill:
    uri: str
    label: str
    skill_type: str
    alt_labels: tuple[str, ...]


@dataclass
class Reference:
    """Everything in the shipped files, with the indexes the pages and the coder need."""

    occupations: dict[str, Occupation]
    job_titles: list[JobTitle]
    esco: dict[str, EscoOccupation]
    mappings: list[EscoMapping]
    isco_links: list[IscoLink]
    isco_groups: dict[str, str]
    children: dict[str, list[str]] = field(default_factory=dict)
    esco_by_kldb: dict[str, list[tuple[EscoMapping, EscoOccupation]]] = field(default_factory=dict)
    titles_by_kldb: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for occupation in self.occupations.values():
            self.children.setdefault(occupation.parent_code, []).append(occupation.code)
        # Closest relation first; among equals, the ESCO occupation in the ISCO group
        # that the official crosswalk recommends for the code.
        order = {"skos:exactMatch": 0, "skos:closeMatch": 1, "skos:narrowMatch": 2}
        recommended = {link.kldb5: link.isco4 for link in self.isco_links if link.rank == 1}
        linked = [(m, self.esco[m.esco_uri]) for m in self.mappings if m.esco_uri in self.esco]
        for mapping, esco in sorted(
            linked,
            key=lambda pair: (
                order.get(pair[0].relation, 3),
                pair[1].isco_group != recommended.get(pair[0].kldb5),
            ),
        ):
            pairs = self.esco_by_kldb.setdefault(mapping.kldb5, [])
            if all(other.uri != esco.uri for _m, other in pairs):
                pairs.append((mapping, esco))
        for job_title in self.job_titles:
            self.titles_by_kldb.setdefault(job_title.kldb5, []).append(job_title.title)

    def best_esco(self, kldb5: str) -> EscoOccupation | None:
        """The ESCO occupation that the BA maps most closely to ``kldb5``, if any."""
        linked = self.esco_by_kldb.get(kldb5)
        return linked[0][1] if linked else None

    def ancestors(self, code: str) -> list[Occupation]:
        """The positions above ``code``, from the Berufsbereich down."""
        chain = []
        occupation = self.occupations.get(code)
        while occupation and occupation.parent_code:
            occupation = self.occupations.get(occupation.parent_code)
            if occupation:
                chain.append(occupation)
        return list(reversed(chain))


def _read(path: Path) -> Iterator[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:  # type: ignore[operator]
        yield from csv.DictReader(handle)


def _split(value: str) -> tuple[str, ...]:
    return tuple(part for part in value.split("|") if part)


@cache
def get_reference() -> Reference:
    """The shipped reference, read once per process."""
    occupations = {
        row["code"]: Occupation(
            row["code"],
            int(row["level"]),
            row["title"],
            row["short_title"],
            row["parent_code"],
            row["description"],
        )
        for row in _read(DATA_DIR / "kldb.csv.gz")
    }
    return Reference(
        occupations=occupations,
        job_titles=[
            JobTitle(row["title"], row["kldb5"], row["source"])
            for row in _read(DATA_DIR / "job_titles.csv.gz")
        ],
        esco={
            row["uri"]: EscoOccupation(
                row["uri"],
                row["code"],
                row["isco_group"],
                row["preferred_label"],
                _split(row["alt_labels"]),
            )
            for row in _read(DATA_DIR / "esco_occupations.csv.gz")
        },
        mappings=[
            EscoMapping(row["esco_uri"], row["kldb5"], row["ba_beruf_id"], row["relation"])
            for row in _read(DATA_DIR / "esco_mapping.csv.gz")
        ],
        isco_links=[
            IscoLink(
                row["kldb5"],
                row["isco4"],
                int(row["rank"]),
                row["kldb_title_en"],
                row["isco_title_en"],
            )
            for row in _read(DATA_DIR / "kldb_isco.csv.gz")
        ],
        isco_groups={row["code"]: row["label"] for row in _read(DATA_DIR / "isco_groups.csv.gz")},
    )


@cache
def get_skills() -> list[EscoSkill]:
    """ESCO skills with German labels (read only when asked: most pages never need them)."""
    return [
        EscoSkill(row["uri"], row["label"], row["skill_type"], _split(row["alt_labels"]))
        for row in _read(DATA_DIR / "esco_skills.csv.gz")
    ]


# Building the shipped files from ../shared/data


def _write(path: Path, header: list[str], rows: Iterable[Iterable[str]]) -> int:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    # mtime=0: the same input gives byte-identical files, so a rebuild shows no diff.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
        handle.write(buffer.getvalue().encode("utf-8"))
    return count


def _require(path: Path, columns: set[str]) -> list[dict[str, str]]:
    if not path.exists():
        raise ReferenceFileError(f"{path} not found")
    rows = list(_read(path))
    if not rows or not columns <= rows[0].keys():
        raise ReferenceFileError(f"{path}: expected the columns {', '.join(sorted(columns))}")
    return rows


def example_titles(also_includes: str) -> list[tuple[str, str]]:
    """(code, title) of the 'Zugeordnete Berufe (Beispiele)' listed at a five-digit code."""
    return [(code, title.strip()) for code, _n, title in _EXAMPLE.findall(also_includes)]


def _labels(value: str, separator: str | None) -> str:
    """Alternative labels joined by "|" (ESCO separates them by newlines or " | ")."""
    parts = value.splitlines() if separator is None else value.split(separator)
    return "|".join(part.strip() for part in parts if part.strip())


# Shipped file -> (source file, output columns, source column of each output column).
# A source column given as (name, separator) is a list of alternative labels.
_COPIES: dict[str, tuple[str, list[str], list[str | tuple[str, str | None]]]] = {
    "kldb": (
        f"{KLDB_DIR}/kldb2020_hierarchy.csv.gz",
        ["code", "level", "title", "short_title", "parent_code", "description"],
        ["code", "level", "title", "short_title", "parent_code", "general_notes"],
    ),
    "esco_occupations": (
        f"{ESCO_DIR}/occupations_de.csv.gz",
        ["uri", "code", "isco_group", "preferred_label", "alt_labels"],
        ["conceptUri", "code", "iscoGroup", "preferredLabel", ("altLabels", None)],
    ),
    "esco_mapping": (
        f"{MAPPING_DIR}/esco_occupation_to_ba_beruf.csv",
        ["esco_uri", "kldb5", "ba_beruf_id", "relation"],
        ["esco_uri", "kldb5", "ba_beruf_id", "relation"],
    ),
    "kldb_isco": (
        f"{KLDB_DIR}/kldb2020_to_isco08.csv",
        ["kldb5", "isco4", "rank", "kldb_title_en", "isco_title_en"],
        ["kldb5", "isco4", "rank", "kldb_title_en", "isco_title_en"],
    ),
    "isco_groups": (f"{ESCO_DIR}/ISCOGroups_de.csv", ["code", "label"], ["code", "preferredLabel"]),
    "esco_skills": (
        f"{ESCO_DIR}/derived_skill_labels_de.csv.gz",
        ["uri", "label", "skill_type", "alt_labels"],
        ["skill_uri", "preferred_label_de", "skill_type", ("alt_labels_de", " | ")],
    ),
}


def _job_titles(source: Path, known: set[str]) -> list[list[str]]:
    """The BA's job titles, then the BA occupation labels of the ESCO mapping, deduplicated."""
    titles = _require(source / KLDB_DIR / "berufsbenennungen_80pct.csv", {"title", "kldb5"})
    mapping = _require(
        source / MAPPING_DIR / "esco_occupation_to_ba_beruf.csv", {"kldb5", "ba_beruf_label"}
    )
    seen: set[tuple[str, str]] = set()
    rows: list[list[str]] = []
    for source_name, entries in (
        ("bb", [(r["title"], r["kldb5"]) for r in titles]),
        ("ba", [(r["ba_beruf_label"], r["kldb5"]) for r in mapping]),
    ):
        for title, code in entries:
            if title and code in known and (title, code) not in seen:
                seen.add((title, code))
                rows.append([title, code, source_name])
    return rows


def build_reference_files(
    source: Path,
    target: Path = DATA_DIR,
    progress: Callable[[Iterable[str]], Iterable[str]] = lambda steps: steps,
) -> dict[str, int]:
    """Derive the shipped files in ``target`` from the folders in ``source``.

    Only columns the licences allow and the product uses are kept; titles and
    labels are copied verbatim (the BA's terms forbid altering them). The files are
    built in a folder of their own and moved into ``target`` only when all are
    done, so a missing or broken source leaves the shipped files as they were.
    """
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".building-", dir=target) as building:
        counts = _build_files(source, Path(building), progress)
        for name in counts:
            os.replace(Path(building) / f"{name}.csv.gz", target / f"{name}.csv.gz")
    return counts


def _build_files(
    source: Path, target: Path, progress: Callable[[Iterable[str]], Iterable[str]]
) -> dict[str, int]:
    counts: dict[str, int] = {}
    hierarchy = _require(source / KLDB_DIR / "kldb2020_hierarchy.csv.gz", {"code", "level"})
    known = {row["code"] for row in hierarchy if row["level"] == "5"}
    for step in progress(["kldb", "job_titles", *(name for name in _COPIES if name != "kldb")]):
        path = target / f"{step}.csv.gz"
        if step == "job_titles":
            counts[step] = _write(path, ["title", "kldb5", "source"], _job_titles(source, known))
            continue
        file, header, columns = _COPIES[step]
        names = {column if isinstance(column, str) else column[0] for column in columns}
        rows = _require(source / file, names)
        if step == "esco_mapping":  # the few non-KldB BA ids have no place in the tree
            rows = [row for row in rows if row["kldb5"] in known]
        counts[step] = _write(
            path,
            header,
            (
                [
                    row[column] if isinstance(column, str) else _labels(row[column[0]], column[1])
                    for column in columns
                ]
                for row in rows
            ),
        )
    return counts
