import pytest

from lotse.core.text import fold

pytestmark = pytest.mark.django_db


def test_the_hierarchy_is_browsed_by_level_and_parent(client):
    areas = client.get("/api/v1/occupations/", {"level": 1}).json()
    assert areas["count"] == 10
    children = client.get("/api/v1/occupations/", {"parent": "261"}).json()
    assert {o["code"] for o in children["results"]} == {"2610", "2611", "2612", "2619"}
    assert all(o["level"] == 4 for o in children["results"])


def test_the_hierarchy_is_searched_by_words_without_umlauts(client):
    found = client.get("/api/v1/occupations/", {"q": "Koeche", "level": 5}).json()
    assert found["count"] >= 1
    assert all("koech" in fold(o["title"]) for o in found["results"])


def test_one_position_lists_children_titles_and_esco(client):
    occupation = client.get("/api/v1/occupations/26112/").json()
    assert occupation["requirement_level"] == "Fachkraft"
    assert "Mechatroniker/in" in occupation["job_titles"]
    assert occupation["esco_uris"]
    assert client.get("/api/v1/occupations/99999/").status_code == 404


def test_a_title_is_coded_with_ranked_scored_codes(client):
    response = client.get("/api/v1/occupations/code/", {"title": "KFZ-Mechaniker", "top": 3})
    body = response.json()
    assert response.status_code == 200
    assert len(body["results"]) == 3
    first = body["results"][0]
    assert first["kldb5"] == "25212"
    assert set(first) >= {"score", "matched_title", "esco_uri", "esco_label", "level_name"}


@pytest.mark.parametrize("title", ["", "x" * 201, "Koch\x00"])
def test_a_bad_title_is_a_400_that_names_the_field(client, title):
    response = client.get("/api/v1/occupations/code/", {"title": title})
    assert response.status_code == 400
    assert "title" in response.json()


def test_coding_while_the_server_starts_is_a_503_with_retry_after(client, coder_being_fitted):
    response = client.get("/api/v1/occupations/code/", {"title": "Koch"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.json()["detail"]
    assert client.get("/api/v1/occupations/26112/").status_code == 200  # the tree needs no fit


def test_bad_filters_are_a_400(client):
    assert client.get("/api/v1/occupations/", {"level": 9}).status_code == 400
    assert client.get("/api/v1/occupations/code/").status_code == 400


def test_writes_are_not_allowed(client):
    assert client.post("/api/v1/occupations/", {}).status_code in (401, 403, 405)


def code_many(client, body):
    return client.post("/api/v1/occupations/code/", body, content_type="application/json")


def test_an_adviser_codes_many_titles_at_once_with_the_uncertain_flagged(client, adviser):
    client.force_login(adviser)
    response = code_many(client, {"titles": ["Mechatroniker/in (m/w/d)", "Zzqx Blorpf"], "top": 2})
    assert response.status_code == 200
    coded = response.json()["titles"]
    assert [(c["title"], c["uncertain"], len(c["results"])) for c in coded] == [
        ("Mechatroniker/in (m/w/d)", False, 2),
        ("Zzqx Blorpf", True, 2),
    ]
    assert coded[0]["results"][0]["kldb5"] == "26112"


def test_a_bad_title_among_many_is_named_by_its_position_and_nothing_is_coded(client, adviser):
    client.force_login(adviser)
    response = code_many(client, {"titles": ["Koch", "", "x" * 201, "Maurer"]})
    assert response.status_code == 400
    assert set(response.json()["titles"]) == {"1", "2"}


def test_titles_that_are_not_text_are_named_by_their_position(client, adviser):
    client.force_login(adviser)
    response = code_many(client, {"titles": ["Koch", None, ["Maurer"], 4711]})
    assert response.status_code == 400
    assert response.json()["titles"] == {
        "1": ["Geben Sie eine Berufsbezeichnung ein."],
        "2": ["Die Berufsbezeichnung muss Text sein, keine Zahl, Liste oder ein anderer Wert."],
        "3": ["Die Berufsbezeichnung muss Text sein, keine Zahl, Liste oder ein anderer Wert."],
    }


def test_every_bad_title_is_named_in_one_answer_whatever_is_wrong_with_it(client, adviser):
    client.force_login(adviser)
    response = code_many(client, {"titles": [None, "", "Koch\u0000", "x" * 201, "Koch"]})
    assert response.status_code == 400
    assert set(response.json()["titles"]) == {"0", "1", "2", "3"}


def test_a_body_nested_too_deep_is_a_400(client, adviser):
    client.force_login(adviser)
    assert code_many(client, "[" * 100_000).status_code == 400


@pytest.mark.parametrize("titles", [[], ["Koch"] * 1001, "Koch"])
def test_none_too_many_or_no_list_of_titles_is_a_400(client, adviser, titles):
    client.force_login(adviser)
    assert code_many(client, {"titles": titles}).status_code == 400


def test_coding_many_is_for_partner_staff(client, talent):
    assert code_many(client, {"titles": ["Koch"]}).status_code in (401, 403)
    client.force_login(talent)
    assert code_many(client, {"titles": ["Koch"]}).status_code == 403


def test_coding_many_while_the_server_starts_is_a_503(client, adviser, coder_being_fitted):
    client.force_login(adviser)
    response = code_many(client, {"titles": ["Koch"]})
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
