"""Every result list of the compass as CSV and XLSX, and new offers as an Atom feed.

A coordinator filters the compass and hands the list on as a spreadsheet; the
press follows the feed. The files hold exactly the list the same URL shows.
"""

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections import Counter
from typing import Any

import pytest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import client_for
from lotse.network.models import Organisation
from lotse.offers import exports
from lotse.offers.models import Offer, OfferKind, TargetGroup
from lotse.offers.services import create_offer, publish_offer, update_offer

pytestmark = pytest.mark.django_db

CSV_URL = reverse("offers:export_csv")
XLSX_URL = reverse("offers:export_xlsx")
FEED_URL = reverse("offers:feed")
ATOM = "{http://www.w3.org/2005/Atom}"
BSW_OFFER = "integration-mit-individualitaet"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

LISTS = [
    "",
    "q=Ausbildung",
    "q=Ausbildung&kind=advice&kind=coaching",
    "q=Welcome+Center&region=14511",
    "kind=funding&sort=title",
    "region=15&sort=newest",
    "action_field=2",
]


def compass_list(client: Client, query: str) -> list[str]:
    """What the compass shows for ``query``, every page of it."""
    found: list[str] = []
    number = 1
    while True:
        response = client.get(f"{reverse('offers:offer_list')}?{query}&page={number}")
        assert response.status_code == 200
        found += [offer.slug for offer in response.context["page"]]
        if not response.context["page"].has_next():
            return found
        number += 1


def csv_rows(response: Any) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff"), "spreadsheet programs need the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(text[1:])))


def xlsx_rows(response: Any) -> list[list[str]]:
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == ["Angebote"]
    return [
        ["" if value is None else str(value) for value in row]
        for row in workbook["Angebote"].iter_rows(values_only=True)
    ]


@pytest.fixture
def stadt_chemnitz_offer(admin_user):
    """Make an offer of the Stadt Chemnitz, published or not."""

    def make(slug: str, title: str, *, publish: bool = True) -> Offer:
        return create_offer(
            actor=admin_user,
            publish=publish,
            slug=slug,
            title=title,
            kind=OfferKind.ADVICE,
            summary="Beratung für Betriebe.",
            provider=Organisation.objects.get(slug="stadt-chemnitz"),
            target_groups=list(TargetGroup.objects.filter(slug="companies")),
        )

    return make


# --- CSV ---------------------------------------------------------------------------------


@pytest.mark.parametrize("query", LISTS)
def test_the_csv_holds_exactly_the_offers_of_the_list_in_its_order(client, query):
    response = client.get(f"{CSV_URL}?{query}")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, *rows = csv_rows(response)
    assert header == exports.COLUMNS
    assert all(len(row) == len(exports.COLUMNS) for row in rows)
    keys = [row[0] for row in rows]
    assert keys, f"{query} finds nothing"
    assert keys == compass_list(client, query)


def test_the_csv_is_a_download_named_with_the_date(client):
    response = client.get(f"{CSV_URL}?q=Ausbildung")
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="lotse-angebote-{today}.csv"'


def test_a_csv_row_has_the_columns_of_the_import(client):
    _header, *rows = csv_rows(client.get(f"{CSV_URL}?q=Integration+Individualit%C3%A4t"))
    row = dict(zip(exports.COLUMNS, next(r for r in rows if r[0] == BSW_OFFER), strict=True))

    offer = Offer.objects.get(slug=BSW_OFFER)
    assert row["title"] == offer.title
    assert row["kind"] == "coaching"
    assert row["summary"] == offer.summary
    assert row["provider"] == "bsw-bildungszentrum"
    assert set(row["target_groups"].split("|")) == {
        "migrants", "refugees", "international-talents", "companies",
    }  # fmt: skip
    assert sorted(row["action_fields"].split("|")) == [
        "fachkraefteallianz-chemnitz/2",
        "fachkraefteallianz-chemnitz/3",
    ]
    assert row["regions"] == "14511"
    assert row["nationwide"] == "false"
    assert row["languages"] == "de"
    assert row["url"] == f"/offers/{BSW_OFFER}/"


def test_an_invalid_filter_is_refused_not_exported_as_an_empty_list(client):
    for url in (CSV_URL, XLSX_URL):
        response = client.get(f"{url}?region=12x")
        assert response.status_code == 400
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert response.content.decode().startswith("region: ")


def test_drafts_are_exported_only_to_their_providers_staff(users, stadt_chemnitz_offer):
    stadt_chemnitz_offer("entwurf-export", "Entwurf zum Export", publish=False)

    def keys(role: str) -> list[str]:
        _header, *rows = csv_rows(client_for(users[role]).get(f"{CSV_URL}?q=Entwurf+Export"))
        return [row[0] for row in rows]

    assert "entwurf-export" in keys("coordinator")
    assert "entwurf-export" in keys("administrator")
    assert "entwurf-export" not in keys("anonymous")
    assert "entwurf-export" not in keys("adviser")


def test_the_whole_compass_exports_every_published_offer(client):
    _header, *rows = csv_rows(client.get(CSV_URL))
    published = set(Offer.objects.published().values_list("slug", flat=True))
    assert len(rows) == len(published)
    assert {row[0] for row in rows} == published


def statement_shapes(queries: CaptureQueriesContext) -> Counter[str]:
    shapes: Counter[str] = Counter()
    for query in queries.captured_queries:
        sql = re.sub(r"'[^']*'", "?", query["sql"])
        sql = re.sub(r"\b\d+\b", "?", sql)
        shapes[re.sub(r"\(\?(, \?)*\)", "(?)", sql)] += 1
    return shapes


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
@pytest.mark.parametrize("query", ["", "q=Ausbildung", "q=Fachkr%C3%A4fte&region=14"])
def test_an_export_reads_each_relation_once_however_long_the_list(
    client, django_assert_max_num_queries, url, query
):
    client.get(f"{url}?{query}")  # the vocabulary is loaded once per process
    with django_assert_max_num_queries(14) as queries:
        assert client.get(f"{url}?{query}").status_code == 200
    repeated = {sql: n for sql, n in statement_shapes(queries).items() if n > 1}
    assert not repeated, repeated


# --- XLSX --------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["q=Ausbildung&kind=advice", "region=14511", ""])
def test_the_xlsx_opens_and_has_the_same_rows_as_the_csv(client, query):
    response = client.get(f"{XLSX_URL}?{query}")

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="lotse-angebote-{today}.xlsx"'
    rows = xlsx_rows(response)
    assert rows[0] == exports.COLUMNS
    assert rows == csv_rows(client.get(f"{CSV_URL}?{query}"))


# --- Atom feed --------------------------------------------------------------------------


def read_feed(client: Client) -> ET.Element:
    response = client.get(FEED_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def entry_titles(feed: ET.Element) -> list[str]:
    return [entry.findtext(f"{ATOM}title") or "" for entry in feed.iter(f"{ATOM}entry")]


def test_the_feed_is_atom_with_a_title_date_and_link_for_every_entry(client):
    feed = read_feed(client)

    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title")
    assert feed.findtext(f"{ATOM}updated")
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 50, "the newest fifty"
    published = {offer.get_absolute_url(): offer for offer in Offer.objects.published()}
    for entry in entries:
        title = entry.findtext(f"{ATOM}title")
        link = entry.find(f"{ATOM}link")
        assert title and entry.findtext(f"{ATOM}updated") and entry.findtext(f"{ATOM}id")
        assert link is not None and link.get("href", "").startswith("http://testserver/offers/")
        offer = published[link.get("href", "").removeprefix("http://testserver")]
        assert title == offer.title
    updated = [entry.findtext(f"{ATOM}updated") or "" for entry in entries]
    assert updated == sorted(updated, reverse=True), "newest change first"


def test_a_newly_published_offer_comes_first_in_the_feed(client, admin_user, stadt_chemnitz_offer):
    draft = stadt_chemnitz_offer("neu-im-feed", "Neu im Feed: Fachkräfteberatung", publish=False)
    assert draft.title not in entry_titles(read_feed(client)), "drafts stay out of the feed"

    publish_offer(draft, actor=admin_user)

    feed = read_feed(client)
    first = next(feed.iter(f"{ATOM}entry"))
    assert first.findtext(f"{ATOM}title") == draft.title
    link = first.find(f"{ATOM}link")
    assert link is not None
    assert link.get("href") == f"http://testserver{draft.get_absolute_url()}"
    assert feed.findtext(f"{ATOM}updated") == first.findtext(f"{ATOM}updated")


def test_a_changed_offer_moves_to_the_top_of_the_feed(client, admin_user):
    offer = Offer.objects.get(slug=BSW_OFFER)
    update_offer(offer, actor=admin_user, summary=offer.summary + " Stand: 2026.")
    assert entry_titles(read_feed(client))[0] == offer.title


def test_the_feed_is_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get(FEED_URL)
