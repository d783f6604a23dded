"""Codes that partner staff change on the review page are learnt, shown and can be withdrawn."""

import re
import threading

import pytest
from django.db import connection
from django.utils import timezone

from conftest import client_for
from lotse.core.models import AuditEntry
from lotse.network.models import Organisation
from lotse.occupations.checked import Correction, checked_codes, remember_corrections
from lotse.occupations.models import CheckedTitle
from lotse.occupations.services import code_for_import, code_title

from .test_pages import checked_rows, review, review_form

pytestmark = pytest.mark.django_db

TITLE = "Xylophonstimmer"  # no label is like it: the coder is unsure


def reviewed(client, title: str, pick: int, remember: bool = True) -> str:
    """Review a file of one uncertain title, choosing its code number ``pick`` (0: the first)."""
    html = review(client, f"{title}\n".encode()).content.decode()
    offered = re.findall(r'name="code-0" value="(\d+)"', html)
    fields = {**review_form(html), "code-0": offered[pick]}
    if remember:
        fields["remember"] = "1"
    checked_rows(client.post("/berufe/kodieren/geprueft/", fields))
    return offered[pick]


def organisation(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def learn(slug: str, title: str, code: str) -> None:
    """As if staff of the organisation had changed the title's code on a review page now."""
    remember_corrections(organisation(slug), [Correction(title, code)], timezone.now())


def test_a_code_changed_on_the_review_page_comes_first_for_that_title_from_then_on(
    adviser, other_adviser
):
    client = client_for(adviser)
    assert code_for_import([TITLE])[0].uncertain
    chosen = reviewed(client, TITLE, pick=3)

    # For everyone, written either way, everywhere the coder answers.
    first = code_title("Xylophonstimmerin (m/w/d)")[0]
    assert (first.kldb5, first.checked) == (chosen, True)
    coded = code_for_import([TITLE])[0]
    assert (coded.kldb5, coded.uncertain) == (chosen, False)
    api = client_for(other_adviser).get("/api/v1/occupations/code/", {"title": TITLE}).json()
    assert [api["results"][0]["kldb5"], api["results"][0]["checked"]] == [chosen, True]
    assert api["results"][1]["checked"] is False
    suggestions = client.get("/berufe/autocomplete/job/", {"job": TITLE}).content.decode()
    assert re.findall(r'data-kldb5="(\d+)"', suggestions)[0] == chosen
    # The next file with the title asks no more.
    assert "<fieldset" not in review(client, f"{TITLE}\n".encode()).content.decode()


def test_a_code_left_as_preselected_or_not_to_be_remembered_is_not_learnt(adviser):
    client = client_for(adviser)
    reviewed(client, TITLE, pick=0)
    reviewed(client, TITLE, pick=2, remember=False)
    assert not CheckedTitle.objects.exists()
    assert code_for_import([TITLE])[0].uncertain


def test_the_review_page_says_what_remembering_does(adviser, admin_user):
    html = review(client_for(adviser), f"{TITLE}\n".encode()).content.decode()
    assert 'name="remember" value="1" checked' in html
    assert "Agentur für Arbeit Chemnitz" in html
    # An administrator without an organisation has nothing to list the choice under.
    html = review(client_for(admin_user), f"{TITLE}\n".encode()).content.decode()
    assert 'name="remember"' not in html


def test_an_organisation_that_changes_its_mind_replaces_its_choice(adviser):
    client = client_for(adviser)
    reviewed(client, TITLE, pick=3)
    second = reviewed(client, "Zzqx Blorpf", pick=1)
    agency = organisation("agentur-fuer-arbeit-chemnitz")
    learn("agentur-fuer-arbeit-chemnitz", "Zzqx Blorpf (m/w/d)", "29302")
    assert second != "29302"
    assert CheckedTitle.objects.filter(organisation=agency).count() == 2
    assert checked_codes(["zzqx blorpf", "Koch"]) == ["29302", ""]


def test_where_organisations_disagree_the_code_most_chose_comes_first():
    earlier = timezone.now() - timezone.timedelta(days=1)
    for slug, code in [("stadt-chemnitz", "29302"), ("ihk-chemnitz", "29302")]:
        learn(slug, TITLE, code)
    learn("agentur-fuer-arbeit-chemnitz", TITLE, "93532")
    assert checked_codes([TITLE]) == ["29302"]
    # Of as many, the latest choice.
    CheckedTitle.objects.filter(kldb5="29302").update(checked_at=earlier)
    learn("handwerkskammer-chemnitz", TITLE, "93532")
    assert checked_codes([TITLE]) == ["93532"]


def test_learning_and_withdrawing_are_in_the_audit_log_with_title_and_codes(adviser):
    client = client_for(adviser)
    before = code_for_import([TITLE])[0].kldb5
    chosen = reviewed(client, TITLE, pick=3)
    checked = CheckedTitle.objects.get()
    client.post(f"/berufe/gepruefte-titel/{checked.pk}/vergessen/")
    entries = {e.action: e for e in AuditEntry.objects.filter(action__startswith="occupations")}
    learnt, forgotten = (
        entries["occupations.checkedtitle.learnt"],
        entries["occupations.checkedtitle.forgotten"],
    )
    assert learnt.data == {"titles": [[TITLE, before, chosen]]}
    assert learnt.actor == adviser and learnt.object_label == "Agentur für Arbeit Chemnitz"
    assert forgotten.data == {"kldb5": chosen} and forgotten.actor == adviser


def test_the_list_shows_the_checked_titles_and_finds_them_by_words(adviser):
    client = client_for(adviser)
    chosen = reviewed(client, TITLE, pick=3)
    learn("stadt-chemnitz", "Koch Eventgastronomie", "29302")
    html = client.get("/berufe/gepruefte-titel/").content.decode()
    assert "2 von Hand geprüfte Titel" in html
    assert f'href="/berufe/{chosen}/"' in html and "Agentur für Arbeit Chemnitz" in html
    found = client.get("/berufe/gepruefte-titel/", {"q": "xylophonstimmerin"}).content.decode()
    assert TITLE in found and "Eventgastronomie" not in found
    none = client.get("/berufe/gepruefte-titel/", {"q": "Bäcker"}).content.decode()
    assert "Kein geprüfter Titel enthält diese Wörter." in none


@pytest.mark.parametrize(
    ("who", "of", "may"),
    [
        ("adviser", "agentur-fuer-arbeit-chemnitz", True),  # its own organisation
        ("other_adviser", "agentur-fuer-arbeit-chemnitz", False),  # another partner
        ("coordinator", "agentur-fuer-arbeit-chemnitz", True),  # a member of her network
        ("coordinator", "staatskanzlei-sachsen-anhalt", False),  # not in her network
        ("administrator", "staatskanzlei-sachsen-anhalt", True),
        ("talent", "agentur-fuer-arbeit-chemnitz", False),
    ],
)
def test_a_checked_code_is_withdrawn_only_by_those_answerable_for_it(users, who, of, may):
    learn(of, TITLE, "29302")
    checked = CheckedTitle.objects.get()
    client = client_for(users[who])
    listed = client.get("/berufe/gepruefte-titel/").content.decode()
    response = client.post(f"/berufe/gepruefte-titel/{checked.pk}/vergessen/", follow=True)
    if may:
        assert "Zurückziehen" in listed
        assert response.status_code == 200
        assert "wird wieder allein vom Kodierer kodiert" in response.content.decode()
        assert checked_codes([TITLE]) == [""]
        assert (
            "Noch kein Titel wurde von Hand geprüft."
            in client.get("/berufe/gepruefte-titel/").content.decode()
        )
    else:
        assert "Zurückziehen" not in listed
        assert response.status_code == 403
        assert checked_codes([TITLE]) == ["29302"]


def test_withdrawing_needs_a_form_not_a_link(adviser):
    learn("agentur-fuer-arbeit-chemnitz", TITLE, "29302")
    checked = CheckedTitle.objects.get()
    response = client_for(adviser).get(f"/berufe/gepruefte-titel/{checked.pk}/vergessen/")
    assert response.status_code == 405
    assert CheckedTitle.objects.exists()


def test_an_old_form_sent_again_undoes_neither_a_withdrawal_nor_a_newer_choice(
    adviser, coordinator
):
    client = client_for(adviser)
    html = review(client, f"{TITLE}\n".encode()).content.decode()
    offered = re.findall(r'name="code-0" value="(\d+)"', html)
    fields = {**review_form(html), "code-0": offered[2], "remember": "1"}
    checked_rows(client.post("/berufe/kodieren/geprueft/", fields))
    checked = CheckedTitle.objects.get()
    client_for(coordinator).post(f"/berufe/gepruefte-titel/{checked.pk}/vergessen/")
    # The same form again (a reload, a second download) still gives the file ...
    assert checked_rows(client.post("/berufe/kodieren/geprueft/", fields))[0]["kldb5"] == offered[2]
    assert checked_codes([TITLE]) == [""]
    # ... but a new review may teach it again, or another code,
    assert reviewed(client, TITLE, pick=3) == offered[3]
    assert checked_codes([TITLE]) == [offered[3]]
    # which the old form, sent once more, does not undo.
    checked_rows(client.post("/berufe/kodieren/geprueft/", fields))
    assert checked_codes([TITLE]) == [offered[3]]


def test_a_code_no_longer_in_the_classification_gives_way_to_one_that_is():
    for slug in ("stadt-chemnitz", "ihk-chemnitz"):
        learn(slug, TITLE, "99999")
    learn("handwerkskammer-chemnitz", TITLE, "29302")
    first = code_title(TITLE)[0]
    assert (first.kldb5, first.checked) == ("29302", True)


def test_a_title_whose_normalised_form_is_too_long_to_keep_is_coded_but_not_learnt(adviser):
    title = "\u33af" * 200  # each sign is read as several letters: 1,200 in all
    client = client_for(adviser)
    html = review(client, f"{title}\n".encode()).content.decode()
    offered = re.findall(r'name="code-0" value="(\d+)"', html)
    fields = {**review_form(html), "code-0": offered[1], "remember": "1"}
    rows = checked_rows(client.post("/berufe/kodieren/geprueft/", fields))
    assert rows[0]["kldb5"] == offered[1]
    assert not CheckedTitle.objects.exists()


def test_a_search_of_no_readable_word_looks_for_the_text_as_written(adviser):
    learn("stadt-chemnitz", "Koch (m/w/d)", "29302")
    learn("stadt-chemnitz", "Bäcker", "29202")
    html = client_for(adviser).get("/berufe/gepruefte-titel/", {"q": "(m/w/d)"}).content.decode()
    assert "Koch (m/w/d)" in html and "Bäcker" not in html


@pytest.mark.django_db(transaction=True)
def test_two_reviews_saving_the_same_titles_at_once_both_succeed():
    """On PostgreSQL, two requests upserting rows in opposite order once deadlocked."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the row locks in question are PostgreSQL's")
    # Its own organisation: the tables of a transactional test may start empty.
    agency, _new = Organisation.objects.get_or_create(
        slug="arbeitsagentur-zum-test",
        defaults={"name": "Arbeitsagentur", "kind": "employment_agency"},
    )
    corrections = [Correction(f"Xylophonstimmer {i}", "29302") for i in range(200)]
    errors: list[BaseException] = []

    def save(order: list[Correction]) -> None:
        try:
            for _round in range(5):
                remember_corrections(agency, order, timezone.now())
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(corrections,)),
        threading.Thread(target=save, args=(corrections[::-1],)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert CheckedTitle.objects.count() == 200


def test_a_search_with_a_control_character_is_no_error(adviser):
    learn("stadt-chemnitz", "Koch (m/w/d)", "29302")
    response = client_for(adviser).get("/berufe/gepruefte-titel/", {"q": "\x00"})
    assert response.status_code == 200
    assert "Koch (m/w/d)" in response.content.decode()
