"""The Förderdatenbank importer, on a synthetic miniature of the XML export.

The fixture folder holds the export's ``BMWI/`` tree; each test zips it (with the
changes it needs), as the real export arrives.
"""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.http import QueryDict

from lotse.core.models import AuditEntry
from lotse.network.models import Membership, Organisation, OrganisationKind
from lotse.offers.compass import search_offers
from lotse.offers.foerderdatenbank import (
    LICENCE,
    ExportError,
    html_to_text,
    import_foerderdatenbank,
    programme_slug,
)
from lotse.offers.models import FundingType, Offer, OfferKind, OfferStatus
from lotse.offers.services import withdraw_offer

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parent / "fixtures" / "foerderdatenbank"
PROGRAMMES = "BMWI/FDB/Content/DE/Foerderprogramm/"
ZEBRA = PROGRAMMES + "Bund/BMBW/zebrafink-weiterbildungsbonus.xml"
OKAPI = PROGRAMMES + "Land/Sachsen/okapi-gruendungsdarlehen.xml"
TAPIR = PROGRAMMES + "Land/Berlin/tapir-haushaltsbonus.xml"
ZEBRA_SLUG = "fdb-bund-bmbw-zebrafink-weiterbildungsbonus"
OKAPI_SLUG = "fdb-land-sachsen-okapi-gruendungsdarlehen"
BOTH = sorted([ZEBRA_SLUG, OKAPI_SLUG])
PROVIDERS = ["bundesministerium-fuer-beispielwesen-bmbw", "saechsische-beispielbank"]


def export_zip(
    tmp_path: Path,
    replace: dict[str, tuple[bytes, bytes] | bytes] | None = None,
    name: str = "export.zip",
) -> Path:
    """The fixture as a ZIP; ``replace`` swaps bytes in a member, or the whole member."""
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(FIXTURE.rglob("*.xml")):
            member = file.relative_to(FIXTURE).as_posix()
            data = file.read_bytes()
            change = (replace or {}).get(member)
            if isinstance(change, bytes):
                data = change
            elif change is not None:
                old, new = change
                assert old in data, f"{old!r} is not in {member}"
                data = data.replace(old, new)
            archive.writestr(member, data)
    return path


def fdb_slugs() -> list[str]:
    return sorted(Offer.objects.filter(slug__startswith="fdb-").values_list("slug", flat=True))


def found(text: str, **filters: str) -> list[str]:
    data = QueryDict(mutable=True)
    data["q"] = text
    for name, value in filters.items():
        data[name] = value
    return [offer.slug for offer in search_offers(data, None).offers]


# --- a valid export ---


def test_a_valid_export_creates_published_offers_findable_in_the_compass(admin_user, tmp_path):
    report = import_foerderdatenbank(export_zip(tmp_path), actor=admin_user)

    assert report.is_valid and report.written
    assert sorted(report.created) == BOTH
    assert [problem.file for problem in report.skipped] == [TAPIR]
    assert sorted(report.organisations) == PROVIDERS
    assert fdb_slugs() == BOTH

    assert ZEBRA_SLUG in found("Zebrafink Weiterbildung")
    assert ZEBRA_SLUG in found("Zebrafink", region="09")  # nationwide: also in Bayern
    assert OKAPI_SLUG in found("Okapi Gründung", region="14")
    assert OKAPI_SLUG in found("Okapi", region="15")  # "de_st" is Sachsen-Anhalt
    assert OKAPI_SLUG not in found("Okapi", region="09")


def test_the_programme_fields_are_mapped(admin_user, tmp_path):
    import_foerderdatenbank(export_zip(tmp_path), actor=admin_user)

    zebra = Offer.objects.get(slug=ZEBRA_SLUG)
    assert zebra.status == OfferStatus.PUBLISHED
    assert (zebra.title, zebra.kind, zebra.funding_type) == (
        "Zebrafink-Weiterbildungsbonus", OfferKind.FUNDING, FundingType.GRANT,
    )  # fmt: skip
    assert zebra.summary.startswith("Wenn Ihr Betrieb Beschäftigte")  # the Kurztext
    assert "<" not in zebra.description and "CDATA" not in zebra.description
    assert zebra.description.startswith("Beispielprogramm aktiv\n\nDas Bundesministerium")
    assert "- Lehrgänge bei zugelassenen Trägern,\n- Prüfungsgebühren." in zebra.description
    assert "50\u00a0Prozent" not in zebra.description and "50 Prozent" in zebra.description
    legal_basis = "Rechtsgrundlage\n\nRichtlinie zur Förderung des Zebrafink-Verfahrens"
    assert zebra.description.endswith(legal_basis + " (Beispielanzeiger, fiktiv).")
    assert zebra.eligibility.startswith("Förderberechtigt: Unternehmen, Privatperson\n\n")
    assert zebra.nationwide and not zebra.regions.exists()
    assert {group.slug for group in zebra.target_groups.all()} == {"companies"}
    assert [language.code for language in zebra.languages.all()] == ["de"]
    assert zebra.website == (
        "https://www.foerderdatenbank.de/FDB/Content/DE/Foerderprogramm/Bund/BMBW/"
        "zebrafink-weiterbildungsbonus.html"
    )
    assert zebra.source == f"Förderdatenbank des Bundes (BMWE), {LICENCE}"
    assert [(link.label, link.url) for link in zebra.links.all()] == [
        ("Informationen zum Zebrafink-Weiterbildungsbonus",
         "https://www.example.org/zebrafink?programm=bonus&para=1"),
    ]  # fmt: skip
    assert zebra.contact_point is None  # contacts are not imported
    assert zebra.provider.name == "Bundesministerium für Beispielwesen (BMBW)"
    assert zebra.provider.kind == OrganisationKind.MINISTRY

    okapi = Offer.objects.get(slug=OKAPI_SLUG)
    assert okapi.title == "Okapi-Gründungsdarlehen"  # the soft hyphen is gone
    assert okapi.summary.startswith("Die Sächsische Beispielbank vergibt")  # from the Volltext
    assert len(okapi.summary) <= 500 and "\n" not in okapi.summary
    assert "einrichten & betreiben" in okapi.description
    assert okapi.funding_type == FundingType.GRANT  # Zuschuss and Darlehen: the first in Lotse
    assert not okapi.nationwide
    assert sorted(region.code for region in okapi.regions.all()) == ["14", "15"]
    assert {group.slug for group in okapi.target_groups.all()} == {
        "founders-successors", "partner-staff",
    }  # fmt: skip
    assert okapi.provider.kind == OrganisationKind.OTHER


def test_an_unpacked_folder_is_read_like_the_zip(admin_user):
    report = import_foerderdatenbank(FIXTURE, actor=admin_user)
    assert sorted(report.created) == BOTH


def test_an_existing_organisation_is_the_provider_not_a_copy(admin_user, tmp_path):
    existing = Organisation.objects.create(
        name="Sächsische Beispielbank", slug="saechsische-beispielbank", kind="other"
    )
    report = import_foerderdatenbank(export_zip(tmp_path), actor=admin_user)
    assert report.organisations == ["bundesministerium-fuer-beispielwesen-bmbw"]
    assert Offer.objects.get(slug=OKAPI_SLUG).provider == existing


# --- re-import ---


def test_a_reimport_updates_and_does_not_duplicate(admin_user, tmp_path):
    import_foerderdatenbank(export_zip(tmp_path), actor=admin_user)
    offers, organisations = Offer.objects.count(), Organisation.objects.count()
    changed = export_zip(
        tmp_path,
        {ZEBRA: (b"erhalten Sie einen Zuschuss", b"erhalten Sie einen h\xc3\xb6heren Zuschuss")},
        name="changed.zip",
    )

    report = import_foerderdatenbank(changed, actor=admin_user)

    assert (report.created, report.updated, report.unchanged) == ([], [ZEBRA_SLUG], [OKAPI_SLUG])
    assert (Offer.objects.count(), Organisation.objects.count()) == (offers, organisations)
    assert "höheren Zuschuss" in Offer.objects.get(slug=ZEBRA_SLUG).summary
    update = AuditEntry.objects.filter(action="offers.offer.updated").latest("id")
    assert set(update.data["changes"]) == {"summary"}

    entries = AuditEntry.objects.count()
    again = import_foerderdatenbank(changed, actor=admin_user)
    assert again.absent == []
    assert (again.created, again.updated) == ([], [])
    assert sorted(again.unchanged) == BOTH
    assert AuditEntry.objects.count() == entries  # nothing changed, nothing written


def test_offers_whose_programme_left_the_export_are_named_not_deleted(admin_user, tmp_path):
    import_foerderdatenbank(FIXTURE, actor=admin_user)
    without_okapi = tmp_path / "export"
    for file in FIXTURE.rglob("*.xml"):
        if not file.name.startswith("okapi"):
            target = without_okapi / file.relative_to(FIXTURE)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(file.read_bytes())

    report = import_foerderdatenbank(without_okapi, actor=admin_user)

    assert report.absent == [OKAPI_SLUG]
    assert Offer.objects.get(slug=OKAPI_SLUG).status == OfferStatus.PUBLISHED


def test_a_reimport_keeps_a_withdrawn_offer_withdrawn(admin_user, tmp_path):
    import_foerderdatenbank(export_zip(tmp_path), actor=admin_user)
    withdraw_offer(Offer.objects.get(slug=ZEBRA_SLUG), actor=admin_user)
    changed = export_zip(tmp_path, {ZEBRA: (b"Prozent der Kosten", b"Prozent aller Kosten")})

    import_foerderdatenbank(changed, actor=admin_user)

    zebra = Offer.objects.get(slug=ZEBRA_SLUG)
    assert zebra.status == OfferStatus.DRAFT and "aller Kosten" in zebra.description


# --- nothing is written when anything is wrong ---


def test_malformed_xml_names_the_file_and_changes_nothing(admin_user, tmp_path):
    import_foerderdatenbank(export_zip(tmp_path), actor=admin_user)
    before = {offer.slug: offer.updated_at for offer in Offer.objects.all()}
    broken = export_zip(
        tmp_path,
        {
            ZEBRA: (b"Zebrafink-Weiterbildungsbonus&lt;/p", b"Zebrafink-Bonus neu&lt;/p"),
            OKAPI: (FIXTURE / OKAPI).read_bytes()[:900],
        },
        name="broken.zip",
    )

    report = import_foerderdatenbank(broken, actor=admin_user)

    assert not report.is_valid and not report.written
    assert [(problem.file, problem.field) for problem in report.problems] == [(OKAPI, "XML")]
    assert "not well-formed" in report.problems[0].message
    assert "line" in report.problems[0].message
    assert {offer.slug: offer.updated_at for offer in Offer.objects.all()} == before
    assert Offer.objects.get(slug=ZEBRA_SLUG).title == "Zebrafink-Weiterbildungsbonus"


def test_the_command_prints_the_broken_file_and_imports_nothing(admin_user, tmp_path):
    broken = export_zip(tmp_path, {OKAPI: b"<document><property"})
    errors = io.StringIO()

    with pytest.raises(CommandError, match="Nothing was imported: 1 problem"):
        call_command(
            "import_foerderdatenbank", str(broken), user=admin_user.username, stderr=errors
        )

    assert f"{OKAPI}: XML: not well-formed" in errors.getvalue()
    assert fdb_slugs() == []
    assert not Organisation.objects.filter(slug__in=PROVIDERS).exists()


def test_an_unknown_category_names_the_file_and_the_field(admin_user, tmp_path):
    export = export_zip(tmp_path, {OKAPI: (b"Foerderart/darlehen", b"Foerderart/steuervorteil")})

    report = import_foerderdatenbank(export, actor=admin_user)

    assert [str(problem) for problem in report.problems] == [
        f"{OKAPI}: Foerderart: unknown category 'steuervorteil'"
    ]
    assert fdb_slugs() == []


def test_skip_invalid_leaves_out_only_the_programmes_with_problems(admin_user, tmp_path):
    export = export_zip(tmp_path, {OKAPI: (b"Foerdergebiet/sachsen", b"Foerdergebiet/atlantis")})

    report = import_foerderdatenbank(export, actor=admin_user, skip_invalid=True)

    assert report.is_valid and [problem.file for problem in report.problems] == [OKAPI]
    assert report.created == [ZEBRA_SLUG] and fdb_slugs() == [ZEBRA_SLUG]


def test_a_broken_linked_document_names_that_document(admin_user, tmp_path):
    link = "BMWI/FDB/Content/DE/ExternerLink/Z/zebrafink-infoseite.xml"
    report = import_foerderdatenbank(
        export_zip(tmp_path, {link: b"<document><property name='gsb:url'"}), actor=admin_user
    )
    assert [problem.file for problem in report.problems] == [link]
    assert ZEBRA in report.problems[0].message  # which programme links to it
    assert fdb_slugs() == []


def test_a_document_type_declaration_is_refused(admin_user, tmp_path):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE document [<!ENTITY a "ha">'
        b'<!ENTITY b "&a;&a;&a;&a;">]><document type="gsb:ServiceOffer">&b;</document>'
    )
    report = import_foerderdatenbank(export_zip(tmp_path, {ZEBRA: laughs}), actor=admin_user)
    assert [(p.file, p.field) for p in report.problems] == [(ZEBRA, "XML")]
    assert "DTD" in report.problems[0].message
    assert fdb_slugs() == []


def test_a_stray_control_character_is_removed_with_a_note(admin_user, tmp_path):
    title = b"Zebrafink-Weiterbildungsbonus&lt;/p"
    export = export_zip(tmp_path, {ZEBRA: (title, title.replace(b"-", b"-\x02"))})
    report = import_foerderdatenbank(export, actor=admin_user)
    assert Offer.objects.get(slug=ZEBRA_SLUG).title == "Zebrafink-Weiterbildungsbonus"
    assert any(w.file == ZEBRA and "control characters" in w.message for w in report.warnings)


def test_a_path_without_an_export_is_refused(admin_user, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ExportError, match="no programme files"):
        import_foerderdatenbank(tmp_path / "empty", actor=admin_user)
    (tmp_path / "not.zip").write_bytes(b"no zip")
    with pytest.raises(ExportError, match="neither a folder nor a ZIP"):
        import_foerderdatenbank(tmp_path / "not.zip", actor=admin_user)


# --- dry run and permissions ---


def test_a_dry_run_writes_nothing(admin_user, tmp_path):
    entries = AuditEntry.objects.count()

    report = import_foerderdatenbank(export_zip(tmp_path), actor=admin_user, dry_run=True)

    assert report.is_valid and not report.written
    assert sorted(report.created) == BOTH
    assert report.organisations == PROVIDERS
    assert fdb_slugs() == []
    assert not Organisation.objects.filter(slug__in=PROVIDERS).exists()
    assert AuditEntry.objects.count() == entries


def test_the_command_dry_run_says_what_it_would_do(admin_user, tmp_path):
    out = io.StringIO()
    call_command(
        "import_foerderdatenbank", str(export_zip(tmp_path)), "--dry-run",
        user=admin_user.username, stdout=out,
    )  # fmt: skip
    assert "Dry run, nothing written; would be: 2 created, 0 updated" in out.getvalue()
    assert "Left out (1)" in out.getvalue()
    assert fdb_slugs() == []


def test_the_command_imports(admin_user, tmp_path):
    out = io.StringIO()
    call_command(
        "import_foerderdatenbank", str(export_zip(tmp_path)), user=admin_user.username, stdout=out
    )
    assert "Imported: 2 created, 0 updated, 0 unchanged, 2 new organisation(s)." in out.getvalue()
    assert fdb_slugs() == BOTH


def test_only_users_who_may_import_offers_import(adviser, tmp_path):
    with pytest.raises(PermissionDenied):
        import_foerderdatenbank(export_zip(tmp_path), actor=adviser)
    with pytest.raises(CommandError, match="may not import"):
        call_command("import_foerderdatenbank", str(export_zip(tmp_path)), user=adviser.username)


def test_a_coordinator_may_not_overwrite_offers_of_other_providers(
    admin_user, coordinator, tmp_path
):
    import_foerderdatenbank(export_zip(tmp_path), actor=admin_user)
    changed = export_zip(tmp_path, {ZEBRA: (b"Prozent der Kosten", b"Prozent aller Kosten")})

    report = import_foerderdatenbank(changed, actor=coordinator)

    assert [problem.file for problem in report.problems] == [ZEBRA]
    assert "may not change" in report.problems[0].message
    assert "aller Kosten" not in Offer.objects.get(slug=ZEBRA_SLUG).description


def test_a_coordinator_may_not_offer_for_funders_outside_their_networks(coordinator, tmp_path):
    """A new Fördergeber belongs to no network yet: only administrators speak for it."""
    entries = AuditEntry.objects.count()

    report = import_foerderdatenbank(export_zip(tmp_path), actor=coordinator)

    assert sorted(problem.file for problem in report.problems) == sorted([ZEBRA, OKAPI])
    assert {problem.field for problem in report.problems} == {"Foerderorganisation"}
    assert all("may not offer in the name" in p.message for p in report.problems)
    assert fdb_slugs() == []
    assert not Organisation.objects.filter(slug__in=PROVIDERS).exists()
    assert AuditEntry.objects.count() == entries


def test_a_coordinator_imports_programmes_of_funders_in_their_network(
    coordinator, chemnitz, tmp_path
):
    for slug, name in zip(PROVIDERS, ["BMBW", "Sächsische Beispielbank"], strict=True):
        funder = Organisation.objects.create(name=name, slug=slug, kind="other")
        Membership.objects.create(network=chemnitz, organisation=funder, role="partner")

    report = import_foerderdatenbank(export_zip(tmp_path), actor=coordinator)

    assert report.is_valid, report.problems
    assert fdb_slugs() == BOTH


# --- helpers ---


def test_rich_text_becomes_plain_text():
    raw = "<![CDATA[<div><p>A &amp; B&nbsp;C</p><ul><li>x</li><li>y</li></ul>"
    raw += "<p>Z&shy;eile</p></div>]]>"
    assert html_to_text(raw) == "A & B C\n\n- x\n- y\n\nZeile"


def test_programme_slugs_are_short_and_stable():
    assert programme_slug("Land/Thueringen/ab-c") == "fdb-land-thueringen-ab-c"
    long = programme_slug("Land/Nordrhein-Westfalen/" + "sehr-langer-name-" * 10)
    assert len(long) <= 120 and long.startswith("fdb-land-nordrhein-westfalen-sehr")
    assert long == programme_slug("Land/Nordrhein-Westfalen/" + "sehr-langer-name-" * 10)
