"""An adviser codes the vacancies of a job fair as a file, in a browser.

She signs in, uploads the titles, and gets a CSV back whose flagged rows she
checks; a broken file is explained on the page with its line.
"""

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from lotse.core.permissions import Role
from lotse.core.tests.e2e import assert_accessible
from lotse.network.demo import load_demo_data
from lotse.network.regions import load_regions
from lotse.occupations.coder import get_coder

pytest_plugins = ["lotse.core.tests.e2e"]
pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"


@pytest.fixture
def signed_in_adviser(browser_page: Page, transactional_db: Any) -> Page:
    """The employment agency's adviser, signed in through the login page."""
    from lotse.accounts.models import User
    from lotse.network.models import Organisation

    load_regions()
    load_demo_data()
    User.objects.create_user(
        username="beratung",
        password=PASSWORD,
        role=Role.ADVISER,
        organisation=Organisation.objects.get(slug="agentur-fuer-arbeit-chemnitz"),
    )
    get_coder()  # fitted before the upload, not during it
    page = browser_page
    page.goto("/accounts/login/")
    page.get_by_label("Benutzername").fill("beratung")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    return page


def test_an_adviser_uploads_titles_and_downloads_them_coded(
    signed_in_adviser: Page, tmp_path: Path
) -> None:
    page = signed_in_adviser
    page.goto("/berufe/")
    page.get_by_role("link", name="Eine ganze Datei mit Berufstiteln kodieren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Eine Datei mit Berufstiteln kodieren"
    )
    assert_accessible(page)

    titles = tmp_path / "jobmesse.txt"
    titles.write_text("Mechatroniker/in (m/w/d)\nPflegefachfrau\nZzqx Blorpf\n", "utf-8")
    page.get_by_label("Datei mit Berufstiteln").set_input_files(titles)
    page.get_by_label("Codes je Titel").fill("1")
    with page.expect_download() as download:
        page.get_by_role("button", name="Kodieren und herunterladen").click()
    assert download.value.suggested_filename == "berufe-kodiert.csv"
    text = Path(download.value.path()).read_text("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(row["title"], row["kldb5"][:3], row["uncertain"]) for row in rows[:2]] == [
        ("Mechatroniker/in (m/w/d)", "261", "0"),
        ("Pflegefachfrau", "813", "0"),
    ]
    assert rows[2]["uncertain"] == "1"


def test_a_broken_file_is_explained_with_its_line(signed_in_adviser: Page, tmp_path: Path) -> None:
    page = signed_in_adviser
    page.goto("/berufe/kodieren/")
    broken = tmp_path / "stellen.csv"
    broken.write_bytes(b"title\nKoch\n" + b"x" * 300 + b"\n")
    page.get_by_label("Datei mit Berufstiteln").set_input_files(broken)
    page.get_by_role("button", name="Kodieren und herunterladen").click()
    expect(page.get_by_role("alert")).to_contain_text("Zeile 3")
    assert_accessible(page)


def test_an_adviser_checks_the_uncertain_titles_before_downloading(
    signed_in_adviser: Page, tmp_path: Path
) -> None:
    page = signed_in_adviser
    page.goto("/berufe/kodieren/")
    titles = tmp_path / "jobmesse.txt"
    titles.write_text("Mechatroniker/in (m/w/d)\nZzqx Blorpf\nXylophonstimmer\n", "utf-8")
    page.get_by_label("Datei mit Berufstiteln").set_input_files(titles)
    page.get_by_role("button", name="Erst die unsicheren Titel prüfen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Unsichere Titel prüfen")
    expect(page.get_by_role("status")).to_have_text("3 Titel kodiert, 2 davon unsicher.")
    assert_accessible(page)

    # Each uncertain title is a group of choices named by the title; the first code is chosen.
    unclear = page.get_by_role("group", name="Zzqx Blorpf")
    expect(unclear.get_by_role("radio").first).to_be_checked()
    unclear.get_by_role("radio", name="Keiner passt: ohne Code lassen").check()
    stimmer = page.get_by_role("group", name="Xylophonstimmer")
    second = stimmer.get_by_role("radio").nth(1)
    chosen = second.get_attribute("value")
    second.focus()
    page.keyboard.press("Space")
    expect(page.get_by_role("checkbox", name="Die Codes merken, die ich ändere")).to_be_checked()
    with page.expect_download() as download:
        page.get_by_role("button", name="Geprüfte Datei herunterladen").click()
    assert download.value.suggested_filename == "berufe-geprueft.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert [(row["title"], row["kldb5"], row["checked"]) for row in rows] == [
        ("Mechatroniker/in (m/w/d)", "26112", "0"),
        ("Zzqx Blorpf", "", "1"),
        ("Xylophonstimmer", chosen, "1"),
    ]

    # Lotse remembered the code she changed: it is listed, and she can withdraw it.
    page.goto("/berufe/kodieren/")
    page.get_by_role("link", name="Von Hand geprüfte Berufsbezeichnungen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Von Hand geprüfte Berufsbezeichnungen"
    )
    row = page.get_by_role("row").filter(has_text="Xylophonstimmer")
    expect(row).to_contain_text(str(chosen))
    expect(row).to_contain_text("Agentur für Arbeit Chemnitz")
    assert_accessible(page)
    row.get_by_role("button", name="Zurückziehen Xylophonstimmer").focus()
    page.keyboard.press("Enter")
    expect(
        page.get_by_text("„Xylophonstimmer“ wird wieder allein vom Kodierer kodiert.")
    ).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Noch kein Titel wurde von Hand geprüft.")
    assert_accessible(page)
