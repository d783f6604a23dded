import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lotse.occupations import forms

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


@pytest.mark.parametrize("title", ["", "x" * 201, "Koch\x07"])
def test_a_bad_title_on_the_page_is_explained_not_an_error(client, title):
    response = client.get("/berufe/", {"title": title})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


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


def test_the_sources_page_gives_every_attribution(client):
    html = client.get("/berufe/quellen/").content.decode()
    assert "Quelle: Statistik der Bundesagentur für Arbeit" in html
    assert "This service uses the ESCO classification of the European Commission." in html


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
