"""The demo networks come from the seed documents, load idempotently and never half."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lotse.network.demo import DEMO_FILE, DemoDataError, load_demo_data, read_demo_file
from lotse.network.models import (
    ActionField,
    Approach,
    Challenge,
    ContactPoint,
    Goal,
    KeyFigure,
    Membership,
    Network,
    Organisation,
)

pytestmark = pytest.mark.django_db

ALL_MODELS = [
    Organisation,
    ContactPoint,
    Network,
    Membership,
    Challenge,
    ActionField,
    Goal,
    Approach,
    KeyFigure,
]


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ALL_MODELS}


def test_chemnitz_alliance_has_its_action_concept_as_in_the_document(chemnitz):
    assert chemnitz.founded == 2016
    assert [c.title for c in chemnitz.challenges.all()] == [
        "Demografischer Wandel",
        "Digitalisierung/ KI",
        "Regionaler Strukturwandel",
        "Vernetzung Schule und Wirtschaft",
        "New Work",
        "Wirtschaftliche Herausforderungen",
    ]
    fields = list(chemnitz.action_fields.order_by("number"))
    assert [field.number for field in fields] == [1, 2, 3, 4]
    assert fields[1].title == "Talente gewinnen – Fachkräfte gezielt rekrutieren"
    goals = [goal.text for goal in fields[1].goals.all()]
    assert goals[2] == "deutschlandweite Gewinnung Rückkehrwilliger"
    first_approach = fields[0].approaches.get(number=1)
    assert first_approach.outline_number == "1.1"
    assert first_approach.text == "branchenunabhängige Fokussierung auf Projektideen"


def test_chemnitz_alliance_is_led_by_the_employment_agency_and_the_city(chemnitz):
    managing = set(
        chemnitz.memberships.filter(role="managing").values_list("organisation__slug", flat=True)
    )
    assert managing == {"agentur-fuer-arbeit-chemnitz", "stadt-chemnitz"}
    assert chemnitz.memberships.filter(role__in=["managing", "member"]).count() == 11


def test_fact_check_figures_are_data_with_unit_and_date(chemnitz):
    population = chemnitz.key_figures.get(label__startswith="Einwohner")
    assert population.value == 251485
    assert str(population.reference_date) == "2023-12-31"


def test_the_other_seed_networks_are_there_with_their_regions():
    pact = Network.objects.get(slug="fachkraeftesicherungspakt-sachsen-anhalt")
    assert pact.action_fields.count() == 5
    assert list(pact.regions.values_list("code", flat=True)) == ["15"]
    assert Network.objects.filter(kind="network", recognition__contains="2014").count() == 5
    cooperation = Network.objects.get(
        slug="kooperation-landesressorts-fachkraeftesicherung-sachsen-anhalt"
    )
    projects = {
        "pfiff-fachkraefteportal",
        "network-kmu",
        "transferzentren-hochschulen-sachsen-anhalt",
        "ausbildungscoaches-der-kammern",
        "foerderprogramm-weiterbildung",
    }
    members = set(cooperation.memberships.values_list("organisation__slug", flat=True))
    assert projects <= members
    assert Network.objects.get(slug="kooperation-ba-sachsen-acod").action_fields.count() == 4


def test_demo_data_names_no_person_only_functions():
    text = DEMO_FILE.read_text(encoding="utf-8")
    for name in [
        "Montag",
        "Börner",
        "Heinze",
        "Bergk",
        "Katzek",
        "Vollgold",
        "Kemser",
        "Hansen",
        "Albrecht",
    ]:
        assert name not in text
    for contact in ContactPoint.objects.exclude(email=""):
        assert "." not in contact.email.split("@")[0], contact.email  # no firstname.lastname@


def test_loading_again_creates_nothing_and_keeps_edits():
    approach = Approach.objects.filter(
        action_field__network__slug="fachkraefteallianz-chemnitz"
    ).first()
    approach.text = "Von der Koordinatorin überarbeitet"
    approach.save()
    before = _counts()

    report = load_demo_data()

    assert report.created == {}
    assert _counts() == before
    approach.refresh_from_db()
    assert approach.text == "Von der Koordinatorin überarbeitet"


def test_what_a_coordinator_deleted_stays_deleted_when_loading_again(chemnitz):
    chemnitz.challenges.get(number=5).delete()
    ContactPoint.objects.filter(organisation__slug="stadt-chemnitz").delete()

    load_demo_data()

    assert not chemnitz.challenges.filter(number=5).exists()
    assert not ContactPoint.objects.filter(organisation__slug="stadt-chemnitz").exists()


def test_a_network_new_in_the_file_is_added_to_an_existing_installation(tmp_path):
    text = DEMO_FILE.read_text(encoding="utf-8") + (
        "  - key: fachkraefteallianz-erzgebirge\n"
        "    name: Fachkräfteallianz Erzgebirgskreis\n"
        "    kind: alliance\n"
        '    regions: ["14521"]\n'
        "    memberships:\n"
        "      - organisation: pfiff-fachkraefteportal\n"
        "        role: partner\n"
    )
    path = _write(tmp_path, text)
    Organisation.objects.filter(slug="dihk-service-gmbh").delete()

    report = load_demo_data(path)

    assert report.created == {"networks": 1, "memberships": 1}
    new = Network.objects.get(slug="fachkraefteallianz-erzgebirge")
    assert list(new.regions.values_list("code", flat=True)) == ["14521"]
    assert not Organisation.objects.filter(slug="dihk-service-gmbh").exists()  # not needed


def test_update_mode_restores_the_document_wording():
    approach = Approach.objects.get(action_field__network__slug="fachkraefteallianz-chemnitz",
                                    action_field__number=1, number=1)  # fmt: skip
    approach.text = "überarbeitet"
    approach.save()
    load_demo_data(update=True)
    approach.refresh_from_db()
    assert approach.text == "branchenunabhängige Fokussierung auf Projektideen"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = DEMO_FILE.read_text(encoding="utf-8")
    assert old in text
    return _write(tmp_path, text.replace(old, new, 1))


def _line_of(path: Path, fragment: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(fragment)


def test_unknown_organisation_kind_names_line_and_field_and_loads_nothing(tmp_path):
    path = _broken_copy(tmp_path, "kind: trade_union", "kind: guild")
    Network.objects.all().delete()
    before = _counts()

    with pytest.raises(DemoDataError) as error:
        load_demo_data(path)

    line = _line_of(path, "kind: guild")
    assert f"broken.yaml, line {line}, field 'kind': 'guild' is not one of" in str(error.value)
    assert _counts() == before


def test_unknown_member_and_region_are_both_reported(tmp_path):
    path = _broken_copy(tmp_path, "organisation: stadt-chemnitz", "organisation: stadt-chemnitzz")
    path = _write(
        tmp_path,
        path.read_text(encoding="utf-8").replace('regions: ["14511"]', 'regions: ["99999"]'),
    )
    with pytest.raises(DemoDataError) as error:
        read_demo_file(path)
    problems = error.value.problems
    assert any("no organisation with key 'stadt-chemnitzz'" in problem for problem in problems)
    assert any("no region with the official code '99999'" in problem for problem in problems)


def test_malformed_yaml_names_the_line(tmp_path):
    path = _write(tmp_path, "version: 1\norganisations:\n  - key: [unclosed\n")
    with pytest.raises(DemoDataError, match=r"broken.yaml, line \d+, column \d+: not valid YAML"):
        read_demo_file(path)


def test_an_invalid_website_is_reported_with_the_model_message(tmp_path):
    path = _broken_copy(tmp_path, "website: https://www.acod.de", "website: not a url")
    with pytest.raises(DemoDataError, match=r"field 'website': Gib eine gültige URL ein"):
        read_demo_file(path)


def test_the_command_reports_errors_without_a_traceback(tmp_path):
    path = _write(tmp_path, "version: 2\norganisations: []\nnetworks: []\n")
    with pytest.raises(
        CommandError, match=r"Nothing was loaded.\nbroken.yaml, line 1, field 'version': must be 1"
    ):
        call_command("load_demo", file=str(path))
