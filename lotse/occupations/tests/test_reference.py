from collections import Counter

from lotse.occupations.reference import get_reference, get_skills


def test_the_shipped_tree_has_every_level_of_the_kldb():
    levels = Counter(o.level for o in get_reference().occupations.values())
    assert levels == {1: 10, 2: 37, 3: 144, 4: 703, 5: 1301}


def test_a_five_digit_code_names_its_requirement_level_and_its_parents():
    reference = get_reference()
    mechatronics = reference.occupations["26112"]
    assert mechatronics.requirement_level == "Fachkraft"
    assert [o.code for o in reference.ancestors("26112")] == ["2", "26", "261", "2611"]
    assert reference.occupations["26114"].requirement_level == "Experte"


def test_job_titles_esco_occupations_and_the_ba_mapping_are_shipped():
    reference = get_reference()
    assert "Mechatroniker/in" in reference.titles_by_kldb["26112"]
    esco = reference.best_esco("26112")
    assert esco is not None
    assert len(esco.isco_group) == 4
    assert "Mechatronik" in esco.preferred_label


def test_esco_skills_come_with_german_labels():
    skills = get_skills()
    assert len(skills) > 10_000
    assert all(skill.uri.startswith("http://data.europa.eu/esco/skill/") for skill in skills)
