"""Regions and postcodes ship with Lotse and place organisations on the map."""

import csv
import gzip

import pytest
from django.core.management import call_command

from lotse.network.models import PostalCode, Region
from lotse.network.regions import POSTCODES_FILE, REGIONS_FILE, build_region_files, load_regions

pytestmark = pytest.mark.django_db


def test_every_land_and_kreis_is_there_with_its_official_code():
    assert Region.objects.filter(level="state").count() == 16
    chemnitz = Region.objects.get(code="14511")
    assert chemnitz.level == "district"
    assert chemnitz.parent.code == "14"
    assert chemnitz.parent.abbreviation == "SN"
    assert Region.objects.filter(level="district").count() == 400


def test_a_postcode_knows_its_district_and_coordinates():
    place = PostalCode.objects.filter(code="09111").select_related("region").first()
    assert place.region.code == "14511"
    assert 50 < place.latitude < 51 and 12 < place.longitude < 13


def test_loading_regions_again_adds_nothing():
    before = (Region.objects.count(), PostalCode.objects.count())
    result = load_regions()
    assert (result.regions_created, result.postcodes_created) == (0, 0)
    assert (Region.objects.count(), PostalCode.objects.count()) == before


def _source(tmp_path, rows):
    path = tmp_path / "plz_de.csv.gz"
    header = ["country_code", "zipcode", "place", "state", "state_code", "province",
              "province_code", "community", "community_code", "latitude", "longitude"]  # fmt: skip
    with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_build_derives_regions_and_postcodes_and_skips_places_without_kreis(tmp_path):
    source = _source(tmp_path, [
        ["DE", "09111", "Chemnitz", "Sachsen", "SN", "", "00", "Chemnitz, Stadt", "14511",
         "50.8333", "12.9167"],
        ["DE", "87491", "Jungholz", "", "", "", "", "", "", "47.5741", "10.4472"],
    ])  # fmt: skip
    regions, postcodes = build_region_files(source, tmp_path / "out")
    assert (regions, postcodes) == (2, 1)
    with open(tmp_path / "out" / "regions.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["level"], row["code"]) for row in rows] == [("state", "14"), ("district", "14511")]


def test_build_rejects_a_kreis_code_outside_its_land(tmp_path):
    source = _source(tmp_path, [
        ["DE", "09111", "Chemnitz", "Sachsen", "SN", "", "00", "Chemnitz", "15511", "50.8", "12.9"],
    ])  # fmt: skip
    with pytest.raises(ValueError, match="line 2: unknown state 'SN'"):
        build_region_files(source, tmp_path / "out")


def test_shipped_files_have_attribution_and_are_compact():
    attribution = (REGIONS_FILE.parent / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "GeoNames" in attribution and "CC BY 4.0" in attribution
    assert POSTCODES_FILE.stat().st_size < 400_000


def test_build_command_names_a_missing_source(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not found"):
        call_command("build_regions", source=tmp_path / "missing.csv.gz", target=tmp_path)
