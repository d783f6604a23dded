import pytest

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
