"""German regions and postcodes: the shipped reference files and their loading.

The files in ``network/data/`` are derived from GeoNames postcode data
(CC BY 4.0, see ``data/ATTRIBUTION.md``) by :func:`build_region_files`; run
``lotse build_regions`` to rebuild them. :func:`load_regions` makes the
database match the shipped files and is safe to run again.
"""

import csv
import functools
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from lotse.network.models import PostalCode, Region, RegionLevel

DATA_DIR = Path(__file__).resolve().parent / "data"
REGIONS_FILE = DATA_DIR / "regions.csv"
POSTCODES_FILE = DATA_DIR / "postcodes.csv.gz"

# Official two-digit AGS of the Länder, keyed by the GeoNames state code.
STATE_AGS = {
    "SH": "01", "HH": "02", "NI": "03", "HB": "04", "NW": "05", "HE": "06",
    "RP": "07", "BW": "08", "BY": "09", "SL": "10", "BE": "11", "BB": "12",
    "MV": "13", "SN": "14", "ST": "15", "TH": "16",
}  # fmt: skip


class RegionFileError(ValueError):
    """A source or shipped region file that does not have the expected shape."""


@dataclass(frozen=True)
class LoadResult:
    regions_created: int
    postcodes_created: int


def build_region_files(source: Path, target_dir: Path = DATA_DIR) -> tuple[int, int]:
    """Derive ``regions.csv`` and ``postcodes.csv.gz`` from GeoNames' ``plz_de.csv.gz``."""
    states: dict[str, tuple[str, str]] = {}
    districts: dict[str, tuple[str, str]] = {}
    postcodes: set[tuple[str, str, str, str, str]] = set()
    with gzip.open(source, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        for line, row in enumerate(reader, start=2):
            district_code = row["community_code"]
            if not district_code:
                continue  # an enclave without Land or Kreis (87491 Jungholz)
            state_ags = STATE_AGS.get(row["state_code"])
            if state_ags is None or not district_code.startswith(state_ags):
                raise RegionFileError(f"{source}, line {line}: unknown state {row['state_code']!r}")
            states[state_ags] = (row["state"], row["state_code"])
            districts[district_code] = (row["community"], state_ags)
            postcodes.add(
                (row["zipcode"], row["place"], district_code, row["latitude"], row["longitude"])
            )
    target_dir.mkdir(parents=True, exist_ok=True)
    with open(target_dir / REGIONS_FILE.name, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["level", "code", "name", "abbreviation", "parent_code"])
        for code, (name, abbreviation) in sorted(states.items()):
            writer.writerow([RegionLevel.STATE, code, name, abbreviation, ""])
        for code, (name, state_ags) in sorted(districts.items()):
            writer.writerow([RegionLevel.DISTRICT, code, name, "", state_ags])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["code", "place", "district_code", "latitude", "longitude"])
    writer.writerows(sorted(postcodes))
    # mtime=0 keeps the file byte-identical between rebuilds of the same source.
    with (
        open(target_dir / POSTCODES_FILE.name, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed,
    ):
        packed.write(buffer.getvalue().encode("utf-8"))
    return len(states) + len(districts), len(postcodes)


@functools.cache
def place_names() -> frozenset[str]:
    """The names of all German places with a postcode ("Chemnitz", "Frankfurt am Main")."""
    return frozenset(row["place"] for row in _read_postcodes(POSTCODES_FILE))


def _read_postcodes(path: Path) -> Iterator[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


@transaction.atomic
def load_regions(
    regions_file: Path = REGIONS_FILE, postcodes_file: Path = POSTCODES_FILE
) -> LoadResult:
    """Create the regions and postcodes that are missing; existing rows stay."""
    with open(regions_file, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    known = dict(Region.objects.values_list("code", "id"))
    created = 0
    for row in sorted(rows, key=lambda r: r["level"] != RegionLevel.STATE):
        if row["code"] in known:
            continue
        region = Region.objects.create(
            level=row["level"],
            code=row["code"],
            name=row["name"],
            abbreviation=row["abbreviation"],
            parent_id=known.get(row["parent_code"]) if row["parent_code"] else None,
        )
        known[region.code] = region.id
        created += 1
    expected = sum(1 for _ in _read_postcodes(postcodes_file))
    if PostalCode.objects.count() >= expected:
        return LoadResult(created, 0)
    existing = set(PostalCode.objects.values_list("code", "place"))
    new = [
        PostalCode(
            code=row["code"],
            place=row["place"],
            region_id=known[row["district_code"]],
            latitude=Decimal(row["latitude"]),
            longitude=Decimal(row["longitude"]),
        )
        for row in _read_postcodes(postcodes_file)
        if (row["code"], row["place"]) not in existing
    ]
    PostalCode.objects.bulk_create(new, batch_size=2000)
    return LoadResult(created, len(new))


def locate_postcode(postcode: str) -> PostalCode | None:
    """The first place of a postcode, for its district and coordinates."""
    return PostalCode.objects.filter(code=postcode).select_related("region").first()
