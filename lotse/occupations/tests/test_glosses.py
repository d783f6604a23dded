"""The Wiktionary definitions that let the coder read titles no label resembles."""

import pytest

from lotse.occupations import glosses
from lotse.occupations.coder import Coder, reference_labels
from lotse.occupations.glosses import compound_parts, gloss_of, gloss_text, names_a_place
from lotse.occupations.reference import get_reference


def test_a_word_is_read_through_its_definition():
    # "Gräzist" shares no telling n-gram with the labels of philology; its definition does.
    assert "sprachwissenschaftler" in gloss_of("graezist").split()


def test_a_scholar_is_read_through_the_field_named_after_them():
    assert "planeten" in gloss_of("planetologe").split()


def test_a_compound_is_read_through_its_parts_and_linking_letters():
    table = glosses.glosses()
    assert compound_parts("waldhornbauer", table) == ["wald", "horn", "bauer"]
    assert compound_parts("arbeitsbegleiter", table) == ["arbeit", "begleiter"]
    # the horn is a wind instrument: the maker meets the makers of brass instruments
    assert "blasinstrument" in gloss_of("waldhornbauer").split()


def test_definitions_are_folded_like_titles_and_keep_only_telling_words():
    text = gloss_text("schweisser")
    assert text == text.lower() and "ß" not in text
    assert all(len(word) > 2 for word in text.split())


def test_a_word_nobody_defined_adds_nothing():
    assert gloss_text("qxzvq") == ""
    assert gloss_text("qxzvq qxzvq") == ""


def forget_the_definitions():
    glosses.glosses.cache_clear()
    glosses.forget_looked_up_words()


@pytest.fixture
def without_the_package(monkeypatch):
    monkeypatch.setattr(glosses, "glosses_path", lambda: None)
    forget_the_definitions()
    yield
    forget_the_definitions()


@pytest.mark.parametrize(
    ("word", "place"),
    [
        ("chemnitz", True),  # "Großstadt in Sachsen"
        ("luebeck", True),  # "Hansestadt …"
        ("oberfrohna", True),  # no entry of its own: a village, not a word
        ("essen", False),  # a city too, but first a verb
        ("bahnhof", False),  # "Ort, an dem Züge halten"
        ("drogen", False),  # no entry, but Droge has one
    ],
)
def test_the_dictionary_tells_a_place_from_a_word(word, place):
    assert names_a_place(word) is place


def test_without_the_package_titles_have_no_definitions(without_the_package):
    assert glosses.glosses() == {}
    assert gloss_text("graezist waldhornbauer") == ""


def test_the_coder_still_codes_without_the_definitions(without_the_package):
    reference = get_reference()
    labels = [
        label for label in reference_labels(reference) if label.kldb5.startswith(("25", "26"))
    ]
    coder = Coder(labels, reference)
    assert coder.code("KFZ-Mechaniker")[0].kldb5 == "25212"
