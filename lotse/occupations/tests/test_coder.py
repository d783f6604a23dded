import os
import threading
import time

import pytest

from lotse.occupations import coder as coder_module
from lotse.occupations.coder import get_coder
from lotse.occupations.services import code_for_import


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("Mechatroniker/in (m/w/d)", "26112"),
        ("KFZ-Mechaniker", "25212"),
        ("Pflegefachfrau", "81302"),
        ("Schweißer WIG", "24422"),
        ("Lohnbuchhalterin", "72213"),
        ("Elektronikr", "26302"),  # a typo
    ],
)
def test_titles_as_people_write_them_get_their_code_first(title, code):
    assert get_coder().code(title)[0].kldb5 == code


def test_a_title_in_other_words_finds_its_code_among_the_first_three():
    codes = [match.kldb5 for match in get_coder().code("Sachbearbeiter Lohnbuchhaltung", 3)]
    assert "72213" in codes


def test_an_english_title_lands_in_the_right_occupational_group():
    assert get_coder().code("software developer")[0].kldb5.startswith("434")


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("MFA", "81102"),  # Medizinische Fachangestellte
        ("Kita-Leitung", "83193"),  # supervision in child care, not pipelines ("Leitung")
        ("truck driver", "52122"),  # not printing ("Druck")
        ("nurse", "81302"),
    ],
)
def test_abbreviations_and_english_job_words_are_understood(title, code):
    assert get_coder().code(title)[0].kldb5 == code


@pytest.mark.parametrize(
    ("vacancy_title", "title"),
    [
        ("Produktionshelfer (m/w/d) in Chemnitz", "Produktionshelfer"),  # not "chemie"
        ("Verkäufer*in Teilzeit 20 Std./Woche", "Verkäufer"),
        ("Altenpfleger (m/w/d) – 500 € Wechselprämie", "Altenpfleger"),
        ("Lagerist (m/w/d) Leipzig, ab sofort", "Lagerist"),
    ],
)
def test_a_vacancy_title_gets_the_codes_of_the_occupation_it_names(vacancy_title, title):
    coder = get_coder()
    assert [m.kldb5 for m in coder.code(vacancy_title)] == [m.kldb5 for m in coder.code(title)]


@pytest.mark.parametrize(
    ("title", "read_as"),
    [
        ("Produktionshelfer (m/w/d) in Chemnitz", "produktionshelfer"),
        ("Lagerist im Raum Zwickau", "lagerist"),
        # "Meister/in für Veranstaltungstechnik - Halle": the hall, not the city on the Saale
        ("Meister Veranstaltungstechnik Halle", "meister veranstaltungstechnik halle"),
        ("Fahrer Essen auf Rädern", "fahrer essen auf raedern"),  # food, not the city
    ],
)
def test_the_place_of_work_is_left_out_but_words_that_are_places_too_stay(title, read_as):
    assert get_coder()._normalise(title) == read_as


def test_a_code_comes_with_score_matched_title_and_esco_occupation():
    match = get_coder().code("Mechatroniker/in (m/w/d)")[0]
    assert match.rank == 1
    assert 0 < match.score <= 1
    assert match.matched_title == "Mechatroniker/in"
    assert match.esco_uri.startswith("http://data.europa.eu/esco/occupation/")
    assert match.requirement_level == "Fachkraft"


def test_codes_are_ranked_by_falling_score():
    scores = [match.score for match in get_coder().code("Koch", 10)]
    assert scores == sorted(scores, reverse=True)
    assert len(scores) == 10


@pytest.mark.django_db
def test_an_import_flags_unclear_titles_for_review_and_skips_bad_ones():
    coded = code_for_import(["Mechatroniker/in", "xqzv blorp", ""])
    assert [c.uncertain for c in coded] == [False, True, True]
    assert coded[0].kldb5 == "26112"
    assert coded[2].matches == []


@pytest.mark.django_db
def test_an_import_of_the_first_code_alone_flags_as_one_of_five_does():
    # "Arbeitsvermittler/in" scores well, but its first two codes are nearly tied.
    titles = ["Mechatroniker/in", "Arbeitsvermittler/in", "Zzqx"]
    first_only = code_for_import(titles, top=1)
    assert [len(c.matches) for c in first_only] == [1, 1, 1]
    assert [c.uncertain for c in first_only] == [False, True, True]
    assert [c.uncertain for c in code_for_import(titles)] == [False, True, True]


@pytest.mark.parametrize("title", ["xqzv blorp", "Zzqx"])  # "Zzqx": not one n-gram known
def test_a_title_like_no_label_still_names_a_title_and_esco_occupation_of_each_code(title):
    coder = get_coder()
    matches = coder.code(title, 5)
    assert [match.rank for match in matches] == [1, 2, 3, 4, 5]
    for match in matches:
        assert match.matched_title in {
            label.text for label in coder.labels if label.kldb5 == match.kldb5
        }
        assert match.title


def test_the_matched_title_is_the_closest_label_of_the_code():
    match = get_coder().code("Lohnbuchhalterin")[0]
    assert match.kldb5 == "72213"
    assert match.matched_title.startswith("Lohnbuchhalter")


@pytest.mark.parametrize(
    ("title", "group"),
    [
        # "jemand, der ein Schiff baut": shipbuilding, not carpentry (without definitions)
        ("Schiffsbauer", "252"),
        # "Person, die professionell Süßwaren kauft und verkauft": trade, not confectionery
        ("Süßwarenhändler", "612"),
    ],
)
def test_a_title_no_label_names_is_read_through_the_definition_of_its_words(title, group):
    assert get_coder().code(title)[0].kldb5.startswith(group)


def test_requests_during_the_start_up_fit_wait_for_it_instead_of_fitting_again(monkeypatch):
    fits = []

    class SlowCoder:
        def __init__(self, labels, reference):
            fits.append(self)
            time.sleep(0.2)  # a real fit takes 40 s and 600 MB

    monkeypatch.setattr(coder_module, "_fitted", [])
    monkeypatch.setattr(coder_module, "Coder", SlowCoder)
    got = []
    requests = [threading.Thread(target=lambda: got.append(get_coder())) for _ in range(4)]
    for request in requests:
        request.start()
    for request in requests:
        request.join()
    assert len(fits) == 1
    assert got == fits * 4


def test_a_worker_forked_while_the_parent_fits_can_fit_for_itself(coder_being_fitted):
    # gunicorn --preload forks its workers from a master that may be fitting the coder
    # (the fixture holds the fit lock as that master's thread would).
    child = os.fork()
    if child == 0:  # the worker: free to fit, not waiting on its parent's thread for ever
        os._exit(0 if coder_module._fitting.acquire(blocking=False) else 1)
    _pid, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert coder_module._fitting.locked()  # the parent's fit goes on
