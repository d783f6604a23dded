"""Offers come in as CSV or XLSX in the export's columns, or as JSON in the API's schema.

Every row is checked first and every problem is reported with its row and
field; if there is one, nothing is written. A valid file is imported through
the services in one transaction, so the compass finds the new offers and the
audit log names the importing coordinator.
"""

import csv
import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import QueryDict
from django.urls import reverse
from openpyxl import Workbook
from rest_framework.test import APIClient

from conftest import client_for
from lotse.core.models import AuditEntry
from lotse.network.models import Membership, MembershipRole, Network, Organisation
from lotse.offers import exports, services
from lotse.offers.compass import search_offers
from lotse.offers.imports import (
    COLUMN_FIELDS,
    FIELDS,
    import_offers,
    read_offers,
    validate_offers,
)
from lotse.offers.models import Offer, OfferStatus

pytestmark = pytest.mark.django_db

API = "/api/v1/offers/import/"
STADT_CHEMNITZ = "stadt-chemnitz"


def row(**values: str) -> dict[str, str]:
    """A valid row of the import; keyword arguments change single columns."""
    base = {
        "key": "kranich-werkstatt",
        "title": "Kranich-Werkstatt für Ausbildungsbetriebe",
        "kind": "coaching",
        "summary": "Werkstatttage, in denen Betriebe ihre Ausbildung neu aufstellen.",
        "description": "Drei Termine im Jahr, mit Praxisbeispielen aus Chemnitz.",
        "provider": STADT_CHEMNITZ,
        "partners": "agentur-fuer-arbeit-chemnitz",
        "target_groups": "companies|apprentices",
        "action_fields": "fachkraefteallianz-chemnitz/2",
        "regions": "14511",
        "nationwide": "false",
        "languages": "de|en",
        "funding_type": "",
        "funding_amount": "",
        "eligibility": "",
        "application_deadline": "",
        "website": "https://example.org/kranich",
        "valid_from": "2025-01-01",
        "valid_until": "",
        "url": "",
    }
    return {**base, **values}


def csv_file(*rows: dict[str, str], delimiter: str = ",", bom: bool = False) -> bytes:
    buffer = io.StringIO()
    columns = list(rows[0]) if rows else exports.COLUMNS
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(columns)
    for values in rows:
        writer.writerow([values[column] for column in columns])
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode()


def xlsx_file(*rows: list[object]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def problems(report) -> set[tuple[int | None, str]]:
    return {(problem.row, problem.field) for problem in report.problems}


def found(text: str) -> list[str]:
    return [offer.slug for offer in search_offers(QueryDict(f"q={text}"), None).offers]


def counts() -> tuple[int, int]:
    return Offer.objects.count(), AuditEntry.objects.count()


def test_the_import_reads_the_export_columns_and_writes_only_fields_of_the_services():
    assert [COLUMN_FIELDS.get(c, c) for c in exports.COLUMNS if c != "url"] == list(FIELDS)
    assert set(FIELDS) <= services.FIELDS | set(services.RELATIONS)


# --- CSV ---


def test_a_valid_csv_is_imported_published_and_found_by_the_compass(coordinator):
    report = import_offers(read_offers("angebote.csv", csv_file(row())), actor=coordinator)

    assert report.is_valid and report.written
    assert report.counts == {"created": 1, "updated": 0, "unchanged": 0}
    offer = Offer.objects.get(slug="kranich-werkstatt")
    assert offer.status == OfferStatus.PUBLISHED
    assert offer.valid_from == datetime.date(2025, 1, 1)
    assert sorted(offer.target_groups.values_list("slug", flat=True)) == [
        "apprentices",
        "companies",
    ]
    assert [f"{f.network.slug}/{f.number}" for f in offer.action_fields.all()] == [
        "fachkraefteallianz-chemnitz/2"
    ]
    assert "kranich-werkstatt" in found("Kranich Werkstatt")
    entry = AuditEntry.objects.get(action="offers.offer.created", object_id=str(offer.pk))
    assert entry.actor == coordinator


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_export_of_a_result_list_reimports_unchanged(coordinator, extension):
    exported = client_for(coordinator).get(f"/offers/export.{extension}?kind=coaching")
    assert exported.status_code == 200
    offers = Offer.objects.filter(kind="coaching").order_by("slug")
    before, entries = [exports.offer_row(offer) for offer in offers], AuditEntry.objects.count()
    # Offers of other providers too: a row that changes nothing needs no permission.
    assert offers.exclude(provider=coordinator.organisation).count() >= 2

    report = import_offers(read_offers(f"export.{extension}", exported.content), actor=coordinator)

    assert report.is_valid, report.problems
    assert report.counts == {"created": 0, "updated": 0, "unchanged": len(before)}
    assert [exports.offer_row(offer) for offer in offers.all()] == before
    assert AuditEntry.objects.count() == entries


def test_an_edited_export_updates_that_offer_only_and_keeps_its_status(coordinator):
    offer = Offer.objects.filter(provider__slug=STADT_CHEMNITZ).first()
    assert offer is not None and offer.status == OfferStatus.PUBLISHED
    values = dict(zip(exports.COLUMNS, exports.offer_row(offer), strict=True))

    edited = csv_file({**values, "title": "Neuer Titel", "languages": "de|uk"})
    report = import_offers(read_offers("edit.csv", edited), actor=coordinator)

    assert report.counts == {"created": 0, "updated": 1, "unchanged": 0}
    offer.refresh_from_db()
    assert offer.title == "Neuer Titel"
    assert offer.status == OfferStatus.PUBLISHED
    assert sorted(offer.languages.values_list("code", flat=True)) == ["de", "uk"]
    entry = AuditEntry.objects.filter(action="offers.offer.updated").latest("pk")
    assert entry.data["changes"] == {"title": "Neuer Titel", "languages": "changed"}


def test_a_bad_csv_reports_every_row_and_field_and_imports_nothing(coordinator):
    rows = [
        {**row(key="gute-zeile"), "notes": "an unknown column"},
        {**row(key="zeile-drei", target_groups="companies|azubis"), "notes": ""},
        {**row(key="zeile-vier", valid_from="31.02.2025"), "notes": ""},
        {**row(key="zeile-fuenf", title=""), "notes": ""},
    ]
    before = counts()

    report = import_offers(read_offers("bad.csv", csv_file(*rows)), actor=coordinator)

    assert problems(report) == {
        (1, "notes"),
        (3, "target_groups"),
        (4, "valid_from"),
        (5, "title"),
    }
    messages = {(p.row, p.field): p.message for p in report.problems}
    assert "azubis" in messages[(3, "target_groups")]
    assert "companies" not in messages[(3, "target_groups")]
    assert "31.02.2025" in messages[(4, "valid_from")]
    assert not report.written
    assert counts() == before


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("kind", "beratung", "beratung"),
        ("provider", "stadt-atlantis", "stadt-atlantis"),
        ("provider", "", ""),
        ("partners", "niemand", "niemand"),
        ("action_fields", "fachkraefteallianz-chemnitz/99", "fachkraefteallianz-chemnitz/99"),
        ("regions", "99999", "99999"),
        ("languages", "xx", "xx"),
        ("nationwide", "vielleicht", "vielleicht"),
        ("funding_type", "Geschenk", "Geschenk"),
        ("application_deadline", "2025-13-01", "2025-13-01"),
        ("website", "kein link", ""),
        ("target_groups", "", ""),
        ("valid_until", "2024-12-31", "2025-01-01"),
    ],
)
def test_each_bad_field_is_reported_with_its_row_and_column(coordinator, column, value, fragment):
    report = validate_offers(
        read_offers("one.csv", csv_file(row(**{column: value}))), actor=coordinator
    )

    assert problems(report) == {(2, column)}
    assert fragment in report.problems[0].message


def test_the_same_key_twice_in_a_file_is_reported_at_the_second_row(coordinator):
    report = validate_offers(read_offers("twice.csv", csv_file(row(), row())), actor=coordinator)

    assert problems(report) == {(3, "key")}
    assert "2" in report.problems[0].message


def test_a_missing_column_is_reported_once_in_the_header(coordinator):
    values = row()
    del values["summary"]

    report = validate_offers(read_offers("short.csv", csv_file(values)), actor=coordinator)

    assert problems(report) == {(1, "summary")}


def test_a_dry_run_says_what_would_change_and_writes_nothing(coordinator):
    offer = Offer.objects.filter(provider__slug=STADT_CHEMNITZ).first()
    assert offer is not None
    existing = dict(zip(exports.COLUMNS, exports.offer_row(offer), strict=True))
    data = csv_file(row(), {**existing, "summary": "Anders zusammengefasst."})
    before = counts()

    report = import_offers(read_offers("dry.csv", data), actor=coordinator, dry_run=True)

    assert report.is_valid and report.dry_run and not report.written
    assert [(r.row, r.key, r.action) for r in report.rows] == [
        (2, "kranich-werkstatt", "created"),
        (3, offer.slug, "updated"),
    ]
    assert counts() == before
    offer.refresh_from_db()
    assert offer.summary != "Anders zusammengefasst."


def test_a_semicolon_csv_with_bom_german_dates_and_ja_is_read(coordinator):
    data = csv_file(
        row(nationwide="ja", valid_from="01.03.2025", valid_until="31.12.2030"),
        delimiter=";",
        bom=True,
    )

    report = import_offers(read_offers("excel.csv", data), actor=coordinator)

    assert report.counts["created"] == 1, report.problems
    offer = Offer.objects.get(slug="kranich-werkstatt")
    assert offer.nationwide is True
    assert (offer.valid_from, offer.valid_until) == (
        datetime.date(2025, 3, 1),
        datetime.date(2030, 12, 31),
    )


def test_a_csv_saved_by_german_excel_keeps_its_umlauts(coordinator):
    data = csv_file(row(title="Größe zählt"), delimiter=";").decode().encode("cp1252")

    report = import_offers(read_offers("excel.csv", data), actor=coordinator)

    assert report.counts["created"] == 1, report.problems
    assert Offer.objects.get(slug="kranich-werkstatt").title == "Größe zählt"


def test_excels_unicode_text_is_imported_tabs_and_all(coordinator):
    data = csv_file(row(title="Größe zählt"), delimiter="\t").decode().encode("utf-16")

    report = import_offers(read_offers("unicode.txt.csv", data), actor=coordinator)

    assert report.counts["created"] == 1, report.problems
    assert Offer.objects.get(slug="kranich-werkstatt").title == "Größe zählt"


def test_a_file_that_is_partly_not_utf8_is_reported_as_a_whole_with_its_line(coordinator):
    data = csv_file(row(title="Größe")) + "Käse\n".encode("cp1252")

    report = validate_offers(read_offers("broken.csv", data), actor=coordinator)

    assert problems(report) == {(None, "")}
    assert report.problems[0].message.startswith("Zeile 3: ")


# --- who may import for whom ---
# An offer speaks in its provider's name: a coordinator imports for organisations
# whose networks they all coordinate (like changing the organisation itself).

OUTSIDE = "staatskanzlei-sachsen-anhalt"  # a partner in Sachsen-Anhalt, not in Chemnitz
MEMBER = "ihk-chemnitz"  # a member of the Chemnitz alliance only


def exported(offer: Offer, **changes: str) -> dict[str, str]:
    values = dict(zip(exports.COLUMNS, exports.offer_row(offer), strict=True))
    return {**values, **changes}


def test_a_coordinator_may_not_change_the_offer_of_an_organisation_outside_their_network(
    coordinator,
):
    offer = Offer.objects.filter(provider__slug=OUTSIDE).first()
    assert offer is not None
    unchanged = validate_offers(
        read_offers("same.csv", csv_file(exported(offer))), actor=coordinator
    )
    edited = csv_file(exported(offer, title="Übernommen"))

    report = import_offers(read_offers("edit.csv", edited), actor=coordinator)

    assert unchanged.is_valid
    assert problems(report) == {(2, "key")}
    offer.refresh_from_db()
    assert offer.title != "Übernommen"


def test_a_coordinator_cannot_import_an_offer_for_an_organisation_outside_their_network(
    coordinator,
):
    rows = [row(key="eigenes"), row(key="fremdes", provider=OUTSIDE)]
    before = counts()

    dry = validate_offers(read_offers("fremd.csv", csv_file(*rows)), actor=coordinator)
    report = import_offers(read_offers("fremd.csv", csv_file(*rows)), actor=coordinator)

    assert problems(dry) == problems(report) == {(3, "provider")}
    assert OUTSIDE in report.problems[0].message
    assert counts() == before  # the valid first row is not imported either


def test_a_coordinator_imports_for_a_member_whose_networks_they_all_coordinate(coordinator):
    report = import_offers(
        read_offers("ihk.csv", csv_file(row(provider=MEMBER))), actor=coordinator
    )

    assert report.written, report.problems
    offer = Offer.objects.get(slug="kranich-werkstatt")
    assert (offer.provider.slug, offer.status) == (MEMBER, OfferStatus.PUBLISHED)
    # ... and keeps that offer current afterwards.
    edited = csv_file(exported(offer, title="Kranich-Werkstatt, zweite Runde"))
    assert import_offers(read_offers("edit.csv", edited), actor=coordinator).written
    offer.refresh_from_db()
    assert offer.title == "Kranich-Werkstatt, zweite Runde"


def test_a_member_that_also_belongs_to_a_foreign_network_is_not_the_coordinators_to_speak_for(
    coordinator,
):
    ihk = Organisation.objects.get(slug=MEMBER)
    elsewhere = Network.objects.exclude(pk__in=coordinator.coordinated_network_ids()).first()
    Membership.objects.create(network=elsewhere, organisation=ihk, role=MembershipRole.PARTNER)
    offer = Offer.objects.filter(provider=ihk).first()
    assert offer is not None
    rows = [row(provider=MEMBER), exported(offer, title="Übernommen")]

    report = import_offers(read_offers("ihk.csv", csv_file(*rows)), actor=coordinator)

    assert problems(report) == {(2, "provider"), (3, "key")}
    assert not Offer.objects.filter(slug="kranich-werkstatt").exists()


def test_moving_an_offer_to_an_organisation_outside_the_network_is_refused(coordinator):
    offer = Offer.objects.filter(provider__slug=STADT_CHEMNITZ).first()
    assert offer is not None
    moved = csv_file(exported(offer, provider=OUTSIDE))

    report = import_offers(read_offers("move.csv", moved), actor=coordinator)

    assert problems(report) == {(2, "provider")}
    offer.refresh_from_db()
    assert offer.provider.slug == STADT_CHEMNITZ


def test_an_administrator_imports_for_any_organisation(admin_user):
    report = import_offers(
        read_offers("bund.csv", csv_file(row(provider=OUTSIDE))), actor=admin_user
    )

    assert report.written, report.problems
    assert Offer.objects.get(slug="kranich-werkstatt").provider.slug == OUTSIDE


# --- control characters ---


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("title", "Kranich\x00Werkstatt"),
        ("summary", "Werkstatttage\x1bim Jahr"),
        ("description", "Drei Termine\x00 im Jahr"),
        ("eligibility", "Betriebe\x07"),
        ("target_groups", "companies|appren\x00tices"),
    ],
)
def test_a_control_character_is_reported_with_row_and_field_in_the_dry_run(
    coordinator, column, value
):
    data = csv_file(row(), row(key="zweites", **{column: value}))

    report = import_offers(read_offers("steuer.csv", data), actor=coordinator, dry_run=True)

    assert problems(report) == {(3, column)}
    assert "U+00" in report.problems[0].message
    assert str(report.problems[0]).startswith(f"row 3, field '{column}'")


def test_a_control_character_imports_nothing(coordinator):
    before = counts()

    report = import_offers(
        read_offers("nul.csv", csv_file(row(), row(key="zweites", title="A\x00B"))),
        actor=coordinator,
    )

    assert problems(report) == {(3, "title")}
    assert counts() == before


def test_long_texts_keep_their_lines_and_tabs(coordinator):
    description = "Erster Termin:\tMärz\r\nZweiter Termin:\tSeptember"
    data = csv_file(row(description=description, eligibility="Betriebe\nVereine"))

    report = import_offers(read_offers("zeilen.csv", data), actor=coordinator)

    assert report.written, report.problems
    offer = Offer.objects.get(slug="kranich-werkstatt")
    assert (offer.description, offer.eligibility) == (description, "Betriebe\nVereine")


def test_a_line_break_in_a_title_is_refused(coordinator):
    data = csv_file(row(title="Kranich-Werkstatt\nfür Betriebe"))

    report = validate_offers(read_offers("zeilen.csv", data), actor=coordinator)

    assert problems(report) == {(2, "title")}


# --- XLSX ---


def test_an_xlsx_file_with_typed_dates_and_booleans_is_imported(coordinator):
    values: dict[str, object] = {
        **row(),
        "valid_from": datetime.datetime(2025, 2, 1),
        "nationwide": True,
    }
    data = xlsx_file(list(values), list(values.values()))

    report = import_offers(read_offers("angebote.xlsx", data), actor=coordinator)

    assert report.counts["created"] == 1, report.problems
    offer = Offer.objects.get(slug="kranich-werkstatt")
    assert offer.valid_from == datetime.date(2025, 2, 1)
    assert offer.nationwide is True


def test_an_xlsx_file_reports_rows_as_the_spreadsheet_numbers_them(coordinator):
    data = xlsx_file(
        exports.COLUMNS,
        list(row(key="eins").values()),
        [],
        list(row(key="drei", kind="seminar").values()),
    )

    report = validate_offers(read_offers("angebote.xlsx", data), actor=coordinator)

    assert problems(report) == {(4, "kind")}


def test_a_file_that_is_not_a_workbook_is_reported(coordinator):
    report = validate_offers(read_offers("kaputt.xlsx", b"not a zip"), actor=coordinator)

    assert problems(report) == {(None, "")}


# --- JSON and the API ---


def api_offer(**values: object) -> dict[str, object]:
    base: dict[str, object] = {
        "slug": "reiher-sprechstunde",
        "title": "Reiher-Sprechstunde für Rückkehrer",
        "kind": "advice",
        "summary": "Offene Sprechstunde für alle, die nach Chemnitz zurückkehren wollen.",
        "provider": STADT_CHEMNITZ,
        "target_groups": ["returnees"],
        "regions": ["14511"],
        "languages": ["de"],
        "valid_from": "2025-01-01",
        "url": "https://elsewhere.example/offers/reiher",
        "provider_name": "ignored",
    }
    return {**base, **values}


def api_client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def test_json_in_the_api_schema_is_imported_through_the_api(coordinator):
    response = api_client(coordinator).post(API, [api_offer()], format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["dry_run"], body["created"], body["updated"], body["unchanged"]) == (
        False,
        1,
        0,
        0,
    )
    assert body["rows"] == [
        {"row": 1, "key": "reiher-sprechstunde", "title": api_offer()["title"], "action": "created"}
    ]
    detail = api_client().get("/api/v1/offers/reiher-sprechstunde/").json()
    assert detail["target_groups"] == ["returnees"]
    assert detail["provider"] == STADT_CHEMNITZ


def test_an_offer_as_the_api_returns_it_imports_unchanged(coordinator):
    offer = Offer.objects.filter(provider__slug=STADT_CHEMNITZ).first()
    assert offer is not None
    detail = api_client().get(f"/api/v1/offers/{offer.slug}/").json()

    response = api_client(coordinator).post(API, [detail], format="json")

    assert response.status_code == 200, response.json()
    assert (response.json()["unchanged"], response.json()["updated"]) == (1, 0)


def test_a_json_update_changes_only_the_fields_it_names(coordinator):
    offer = Offer.objects.filter(provider__slug=STADT_CHEMNITZ).first()
    assert offer is not None
    groups = set(offer.target_groups.values_list("slug", flat=True))

    response = api_client(coordinator).post(
        API, [{"slug": offer.slug, "summary": "Kürzer gesagt."}], format="json"
    )

    assert response.json()["updated"] == 1
    offer.refresh_from_db()
    assert offer.summary == "Kürzer gesagt."
    assert set(offer.target_groups.values_list("slug", flat=True)) == groups


def test_an_invalid_json_payload_gives_400_with_row_and_field_and_changes_nothing(coordinator):
    payload = [
        api_offer(),
        api_offer(slug="zweites", kind="workshop", target_groups="returnees", titel="x"),
        "not an offer",
    ]
    before = counts()

    response = api_client(coordinator).post(API, payload, format="json")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {(error["row"], error["field"]) for error in errors} == {
        (2, "kind"),
        (2, "target_groups"),
        (2, "titel"),
        (3, ""),
    }
    assert all(error["message"] for error in errors)
    assert counts() == before


def test_a_new_offer_in_json_names_each_missing_required_field(coordinator):
    payload = [{"slug": "leer"}]

    response = api_client(coordinator).post(API, payload, format="json")

    assert response.status_code == 400
    fields = [error["field"] for error in response.json()["errors"]]
    assert fields == ["title", "kind", "summary", "provider", "target_groups"]


def test_a_dry_run_through_the_api_writes_nothing(coordinator):
    before = counts()

    response = api_client(coordinator).post(f"{API}?dry_run=true", [api_offer()], format="json")

    assert response.status_code == 200
    assert (response.json()["dry_run"], response.json()["created"]) == (True, 1)
    assert counts() == before


def test_a_dry_run_flag_that_is_not_a_boolean_gives_400_in_the_same_form(coordinator):
    response = api_client(coordinator).post(f"{API}?dry_run=maybe", [api_offer()], format="json")

    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(None, "dry_run")]


def test_the_api_takes_json_only(coordinator):
    response = api_client(coordinator).post(API, {"slug": "x"}, format="multipart")

    assert response.status_code == 415


def test_the_api_refuses_an_offer_in_the_name_of_an_organisation_outside_the_network(
    coordinator,
):
    before = counts()

    response = api_client(coordinator).post(API, [api_offer(provider=OUTSIDE)], format="json")

    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(1, "provider")]
    assert counts() == before


@pytest.mark.parametrize("dry_run", ["true", "false"])
def test_a_nul_character_in_json_gives_400_with_row_and_field(coordinator, dry_run):
    payload = [api_offer(), api_offer(slug="nul", title="A\u0000B", languages=["d\u0000e"])]
    before = counts()

    response = api_client(coordinator).post(f"{API}?dry_run={dry_run}", payload, format="json")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(2, "title"), (2, "languages")]
    assert counts() == before


def test_a_body_that_is_not_a_list_gives_400(coordinator):
    response = api_client(coordinator).post(API, {"slug": "x"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["row"] is None


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("adviser", 403), ("company", 403), ("talent", 403)],
)
def test_only_coordinators_and_administrators_import_through_the_api(users, role, status):
    before = counts()

    response = api_client(users[role]).post(API, [api_offer()], format="json")

    assert response.status_code == status
    assert counts() == before


def test_an_administrator_imports_through_the_api_with_a_token(admin_user):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=admin_user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = client.post(API, [api_offer()], format="json")

    assert response.status_code == 200
    assert Offer.objects.filter(slug="reiher-sprechstunde").exists()


# --- the page ---


def test_the_import_page_offers_a_labelled_file_input_and_a_checked_dry_run(coordinator):
    response = client_for(coordinator).get(reverse("offers:offer_import"))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert '<label for="id_file"' in html
    assert 'type="checkbox" name="dry_run"' in html
    assert "checked" in html.split('name="dry_run"')[1].split(">")[0]


@pytest.mark.parametrize("role", ["adviser", "other_adviser", "company", "talent"])
def test_the_import_page_is_forbidden_to_other_roles(users, role):
    assert client_for(users[role]).get(reverse("offers:offer_import")).status_code == 403


def test_the_import_page_sends_anonymous_visitors_to_sign_in():
    response = client_for(None).get(reverse("offers:offer_import"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_dry_run_on_the_page_lists_what_would_be_created(coordinator):
    upload = io.BytesIO(csv_file(row()))
    upload.name = "angebote.csv"
    before = counts()

    response = client_for(coordinator).post(
        reverse("offers:offer_import"), {"file": upload, "dry_run": "on"}
    )

    assert response.status_code == 200
    assert "kranich-werkstatt" in response.content.decode()
    assert counts() == before


def test_the_page_shows_every_problem_in_a_table_and_imports_nothing(coordinator):
    upload = io.BytesIO(csv_file(row(target_groups="azubis")))
    upload.name = "angebote.csv"
    before = counts()

    response = client_for(coordinator).post(reverse("offers:offer_import"), {"file": upload})

    html = response.content.decode()
    assert "<code>target_groups</code>" in html
    assert "azubis" in html
    assert counts() == before


def test_without_the_dry_run_box_the_page_imports(coordinator):
    upload = io.BytesIO(csv_file(row()))
    upload.name = "angebote.csv"

    response = client_for(coordinator).post(reverse("offers:offer_import"), {"file": upload})

    assert response.status_code == 200
    assert Offer.objects.filter(slug="kranich-werkstatt", status=OfferStatus.PUBLISHED).exists()
    assert reverse("offers:offer_detail", args=["kranich-werkstatt"]) in response.content.decode()


# --- the command ---


def test_the_command_prints_each_problem_and_exits_non_zero(coordinator, tmp_path, capsys):
    path = tmp_path / "angebote.csv"
    path.write_bytes(csv_file(row(key="eins"), row(key="zwei", target_groups="azubis")))
    before = counts()

    with pytest.raises(CommandError) as raised:
        call_command("import_offers", str(path), "--user", coordinator.username)

    assert raised.value.returncode == 1
    lines = capsys.readouterr().err.splitlines()
    assert any(
        line.startswith("row 3, field 'target_groups': ") and "azubis" in line for line in lines
    )
    assert counts() == before


def test_the_command_imports_a_json_file(coordinator, tmp_path, capsys):
    path = tmp_path / "angebote.json"
    path.write_text(json.dumps([api_offer()]), encoding="utf-8")

    call_command("import_offers", str(path), "--user", coordinator.username)

    assert "1 created" in capsys.readouterr().out
    assert Offer.objects.filter(slug="reiher-sprechstunde").exists()


def test_the_command_dry_run_writes_nothing(coordinator, tmp_path, capsys):
    path = tmp_path / "angebote.csv"
    path.write_bytes(csv_file(row()))
    before = counts()

    call_command("import_offers", str(path), "--dry-run", "--user", coordinator.username)

    assert "1 created" in capsys.readouterr().out
    assert counts() == before


def test_the_command_refuses_an_adviser(adviser, tmp_path):
    path = tmp_path / "angebote.csv"
    path.write_bytes(csv_file(row()))

    with pytest.raises(CommandError):
        call_command("import_offers", str(path), "--user", adviser.username)
    assert not Offer.objects.filter(slug="kranich-werkstatt").exists()
