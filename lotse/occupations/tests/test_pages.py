import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from lotse.occupations import forms, services

pytestmark = pytest.mark.django_db


def test_the_occupations_page_codes_a_title_and_offers_the_tree(client):
    response = client.get("/berufe/", {"title": "Mechatroniker/in (m/w/d)"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "26112" in html
    assert "Quelle: Statistik der Bundesagentur für Arbeit" in html
    assert 'href="/berufe/2/"' in html


def test_typing_in_the_search_box_swaps_only_the_results(client):
    response = client.get("/berufe/", {"title": "Pflegefachfrau"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<h1" not in html
    assert "81302" in html


@pytest.mark.parametrize("title", ["x" * 201, "Koch\x07", "1001"])
def test_a_bad_title_on_the_page_is_explained_not_an_error(client, title):
    response = client.get("/berufe/", {"title": title})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert 'aria-invalid="true"' in html  # the field points to what is wrong with it
    assert 'aria-describedby="id_title_error id_title_help"' in html


@pytest.mark.parametrize("title", ["", "   "])
def test_emptying_the_search_box_is_not_an_error(client, title):
    response = client.get("/berufe/", {"title": title}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'role="alert"' not in response.content.decode()


def test_a_position_shows_its_path_children_and_titles(client):
    html = client.get("/berufe/2611/").content.decode()
    assert "Berufe in der Mechatronik" in html
    assert 'href="/berufe/261/"' in html
    assert 'href="/berufe/26112/"' in html
    leaf = client.get("/berufe/26112/").content.decode()
    assert "Mechatroniker/in" in leaf
    assert "Fachkraft" in leaf
    assert "data.europa.eu/esco/occupation/" in leaf


def test_an_unknown_code_is_not_found(client):
    assert client.get("/berufe/99999/").status_code == 404


def test_the_autocomplete_suggests_codes_for_a_widget_field(client):
    response = client.get("/berufe/autocomplete/job/", {"job": "Schweißer WIG"})
    html = response.content.decode()
    assert 'data-kldb5="24422"' in html
    assert "<h1" not in html


def test_while_the_server_starts_the_search_says_so_instead_of_hanging(client, coder_being_fitted):
    page = client.get("/berufe/", {"title": "Koch"}).content.decode()
    assert "Die Berufssuche startet gerade" in page
    suggestions = client.get("/berufe/autocomplete/job/", {"job": "Koch"}).content.decode()
    assert "Die Berufssuche startet gerade" in suggestions
    assert "data-kldb5" not in suggestions


def test_an_emptied_field_gets_no_suggestions_and_no_error(client):
    response = client.get("/berufe/autocomplete/job/", {"job": "  "})
    assert response.status_code == 200
    assert response.content.decode().strip() == ""


def test_an_over_long_title_in_the_field_is_explained(client):
    html = client.get("/berufe/autocomplete/job/", {"job": "x" * 201}).content.decode()
    assert 'class="errorlist"' in html
    assert "data-kldb5" not in html


def test_the_autocomplete_widget_renders_for_other_forms():
    from lotse.occupations.forms import TitleForm

    form = TitleForm()
    html = str(form["title"])
    assert 'hx-get="/berufe/autocomplete/title/"' in html
    assert 'name="title_kldb5"' in html
    # Suggestions go into a live region that stays in place, named by the field.
    assert 'hx-target="#id_title-suggestions" hx-swap="innerHTML"' in html
    assert 'id="id_title-suggestions" aria-live="polite"' in html
    assert 'aria-controls="id_title-suggestions"' in html
    assert "occupations/autocomplete.js" in str(form.media)


@pytest.mark.parametrize(
    ("sent", "kept"), [("26112", "26112"), ("99999", ""), ("2611", ""), ('"><b>', "")]
)
def test_a_form_shown_again_keeps_the_code_chosen_for_its_title(sent, kept):
    from lotse.occupations.forms import TitleForm

    form = TitleForm({"title": "Mechatroniker/in", "title_kldb5": sent})
    form.is_valid()
    html = str(form["title"])
    assert f'name="title_kldb5" value="{kept}"' in html
    assert ("Gewählt: 26112" in html) == bool(kept)  # confirmed in the live region
    assert "<b>" not in html


def test_the_sources_page_gives_every_attribution(client):
    html = client.get("/berufe/quellen/").content.decode()
    assert "Quelle: Statistik der Bundesagentur für Arbeit" in html
    # ESCO's required words, marked as English for screen readers, then in German
    assert (
        '<strong lang="en">This service uses the ESCO classification of the European '
        "Commission.</strong> (Dieser Dienst nutzt die ESCO-Klassifikation" in html
    )
    assert '<strong lang="en">Mapping: Bundesagentur für Arbeit;' in html
    assert "(Zuordnung: Bundesagentur für Arbeit;" in html


def upload(client, content: bytes, name: str = "stellen.csv", top: int = 2):
    file = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post("/berufe/kodieren/", {"file": file, "top": top})


def test_an_adviser_gets_a_file_of_titles_back_coded_with_the_uncertain_flagged(client, adviser):
    client.force_login(adviser)
    assert 'href="/berufe/kodieren/"' in client.get("/berufe/").content.decode()
    response = upload(client, b"title\nMechatroniker/in (m/w/d)\nZzqx Blorpf\n")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="berufe-kodiert.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # spreadsheet programs then read UTF-8
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [(row["title"], row["rank"]) for row in rows] == [
        ("Mechatroniker/in (m/w/d)", "1"),
        ("Mechatroniker/in (m/w/d)", "2"),
        ("Zzqx Blorpf", "1"),
        ("Zzqx Blorpf", "2"),
    ]
    assert rows[0]["kldb5"] == "26112"
    assert [row["uncertain"] for row in rows] == ["0", "0", "1", "1"]


def test_a_bad_file_is_explained_with_its_line_and_nothing_is_coded(client, adviser):
    client.force_login(adviser)
    response = upload(client, b"title\nKoch\n" + b"x" * 300 + b"\n")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert "Zeile 3" in html
    assert "200 Zeichen" in html


def test_a_file_of_too_many_titles_is_refused(client, adviser, monkeypatch):
    monkeypatch.setattr(forms, "MAX_TITLES_IN_FILE", 2)
    client.force_login(adviser)
    html = upload(client, "Koch\nBäcker\nMaurer\n".encode()).content.decode()
    assert 'role="alert"' in html
    assert "3" in html and "höchstens 2" in html


def test_a_talent_may_not_upload_titles_to_code_nor_sees_the_link(client, talent):
    client.force_login(talent)
    assert upload(client, b"Koch\n").status_code == 403
    assert "/berufe/kodieren/" not in client.get("/berufe/").content.decode()


def review(client, content: bytes):
    file = SimpleUploadedFile("stellen.txt", content, content_type="text/plain")
    return client.post("/berufe/kodieren/", {"file": file, "top": 1, "action": "review"})


def checked_rows(response) -> list[dict[str, str]]:
    assert response["Content-Disposition"] == 'attachment; filename="berufe-geprueft.csv"'
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def review_form(html: str) -> dict[str, str]:
    """The fields the review page posts, as a browser would with nothing changed."""
    fields = dict(re.findall(r'name="(batch|csrfmiddlewaretoken)" value="([^"]*)"', html))
    fields.update(re.findall(r'name="(code-\d+)" value="(\d*)" checked', html))
    return fields


def test_an_adviser_chooses_the_codes_of_the_uncertain_titles_before_downloading(client, adviser):
    client.force_login(adviser)
    page = review(client, b"Mechatroniker/in (m/w/d)\nZzqx Blorpf\nXylophonstimmer\n")
    html = page.content.decode()
    assert page.status_code == 200
    assert "3 Titel kodiert, 2 davon unsicher." in html
    # Only the uncertain titles are asked about, each with five codes and "none fits".
    assert "<legend>Zzqx Blorpf</legend>" in html and "<legend>Xylophonstimmer</legend>" in html
    assert "<legend>Mechatroniker/in (m/w/d)</legend>" not in html
    assert html.count('name="code-1"') == html.count('name="code-2"') == 6
    fields = review_form(html)
    offered = re.findall(r'name="code-2" value="(\d+)"', html)
    fields["code-2"] = offered[3]  # the fourth code fits better than the first
    fields["code-1"] = ""  # none fits
    rows = checked_rows(client.post("/berufe/kodieren/geprueft/", fields))
    assert [(r["title"], r["kldb5"], r["uncertain"], r["checked"]) for r in rows] == [
        ("Mechatroniker/in (m/w/d)", "26112", "0", "0"),
        ("Zzqx Blorpf", "", "1", "1"),
        ("Xylophonstimmer", offered[3], "1", "1"),
    ]
    assert rows[0]["kldb_title"].startswith("Berufe in der Mechatronik")


def test_a_file_the_coder_is_sure_of_needs_no_choice(client, adviser):
    client.force_login(adviser)
    html = review(client, b"Mechatroniker/in\nKoch\n").content.decode()
    assert "davon unsicher" in html and "<fieldset" not in html
    rows = checked_rows(client.post("/berufe/kodieren/geprueft/", review_form(html)))
    assert [(r["kldb5"], r["checked"]) for r in rows] == [("26112", "0"), ("29302", "0")]


def test_uncertain_titles_beyond_one_page_stay_flagged(client, adviser, monkeypatch):
    monkeypatch.setattr(services, "REVIEW_PAGE_SIZE", 1)
    client.force_login(adviser)
    html = review(client, b"Zzqx Blorpf\nXylophonstimmer\n").content.decode()
    assert html.count("<fieldset") == 1
    assert "1 weiterer behält seinen ersten Code" in html
    rows = checked_rows(client.post("/berufe/kodieren/geprueft/", review_form(html)))
    assert [(r["uncertain"], r["checked"]) for r in rows] == [("1", "1"), ("1", "0")]
    assert rows[1]["kldb5"]  # the coder's first code


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"batch": "forged"}, "Das Prüfformular ist beschädigt."),
        ({"code-0": "99999"}, "Wählen Sie einen der angebotenen Codes für „Zzqx Blorpf“."),
    ],
)
def test_a_forged_review_is_refused_with_a_reason_and_no_file(client, adviser, change, message):
    client.force_login(adviser)
    fields = review_form(review(client, b"Zzqx Blorpf\n").content.decode())
    response = client.post("/berufe/kodieren/geprueft/", {**fields, **change})
    assert response.status_code == 400
    assert "Content-Disposition" not in response
    assert message in response.content.decode()


def test_a_review_made_for_one_person_is_refused_to_another(client, adviser, coordinator):
    client.force_login(adviser)
    fields = review_form(review(client, b"Zzqx Blorpf\n").content.decode())
    client.force_login(coordinator)
    assert client.post("/berufe/kodieren/geprueft/", fields).status_code == 400


def test_a_talent_may_not_download_a_checked_file(client, talent):
    client.force_login(talent)
    assert client.post("/berufe/kodieren/geprueft/", {"batch": "x"}).status_code == 403


def test_a_review_left_open_for_over_a_day_asks_for_the_file_again(client, adviser, monkeypatch):
    client.force_login(adviser)
    fields = review_form(review(client, b"Zzqx Blorpf\n").content.decode())
    monkeypatch.setattr(services, "REVIEW_MAX_AGE", -1)
    response = client.post("/berufe/kodieren/geprueft/", fields)
    assert response.status_code == 400
    assert "älter als einen Tag" in response.content.decode()


def test_a_file_too_large_for_the_review_form_is_explained(client, adviser, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_100  # leaves 100 bytes for the signed file
    client.force_login(adviser)
    response = review(client, b"Zzqx Blorpf\nKoch\n")
    html = response.content.decode()
    assert "Content-Disposition" not in response
    assert 'role="alert"' in html and "zu groß, um sie auf der Seite zu prüfen" in html


def test_a_title_is_never_a_formula_in_the_downloaded_file(client, adviser):
    client.force_login(adviser)
    rows = list(
        csv.DictReader(
            io.StringIO(upload(client, b"=HYPERLINK(Koch)\n").content.decode("utf-8-sig"))
        )
    )
    assert rows[0]["title"] == "'=HYPERLINK(Koch)"


def test_the_checked_file_address_opened_again_leads_back_to_the_upload(client, adviser):
    client.force_login(adviser)
    response = client.get("/berufe/kodieren/geprueft/")
    assert response.status_code == 302 and response["Location"] == "/berufe/kodieren/"


def test_an_adviser_uploads_an_excel_workbook(client, adviser, tmp_path):
    book = Workbook()
    book.active.append(["title"])
    book.active.append(["Mechatroniker/in (m/w/d)"])
    book.save(tmp_path / "stellen.xlsx")
    client.force_login(adviser)
    response = upload(client, (tmp_path / "stellen.xlsx").read_bytes(), name="stellen.xlsx", top=1)
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(row["title"], row["kldb5"]) for row in rows] == [("Mechatroniker/in (m/w/d)", "26112")]
