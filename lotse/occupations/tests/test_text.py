import pytest
from django.core.exceptions import ValidationError

from lotse.occupations.text import normalise_title, validate_title, variant_key


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("Mechatroniker/in (m/w/d)", "mechatroniker"),
        ("Abbrucharbeiterin", "abbrucharbeiter"),
        ("Erzieher:innen", "erzieher"),
        ("Lehrer*in", "lehrer"),
        ("Industriekaufmann/-frau", "industriekaufmann"),
        ("Pflegefachfrau", "pflegefachmann"),
        ("Biologe/Biologin - Landschaftsökologie", "biologe landschaftsoekologie"),
        ("Direktionsbevollmächtigte/r (Versicherung)", "direktionsbevollmaechtigte versicherung"),
        ("Beamt(er/in) - Archivdienst", "beamter archivdienst"),
        ("Meteorolog(e/in)", "meteorologe"),
        ("Koch/Köchin", "koch"),
        ("Lehrerin/Lehrer", "lehrer"),
        ("Beamte(r/in)", "beamter"),
    ],
)
def test_gender_forms_and_spelling_become_one_title(written, normalised):
    assert normalise_title(written) == normalised


def test_alternatives_that_are_not_gender_forms_are_both_kept():
    assert normalise_title("Dipl.-Ing. - Techn. Optik/Optoelektronik") == (
        "dipl ing techn optik optoelektronik"
    )
    assert normalise_title("Fachassistent/in - Immunhämatologie/Transfusionsmedizin") == (
        "fachassistent immunhaematologie transfusionsmedizin"
    )


def test_abbreviations_are_spelt_out_and_english_words_gain_the_german_one():
    assert normalise_title("MFA (m/w/d)") == "medizinische fachangestellte"
    assert normalise_title("Truck Driver") == "truck lkw driver fahrer"


@pytest.mark.parametrize(
    ("vacancy_title", "normalised"),
    [
        ("Pflegefachkraft (m/w/d) in Voll- oder Teilzeit, ab sofort gesucht", "pflegefachkraft"),
        ("Verkäufer*in Teilzeit 20 Std./Woche", "verkaeufer"),
        ("Produktionshelfer (m/w/d) 3-Schicht, 15,50 €/Std.", "produktionshelfer"),
        ("Lagerhelfer (m/w/d) auf Minijob-Basis, unbefristet", "lagerhelfer"),
        ("Staplerfahrer (m/w/d) im Schichtdienst – Quereinsteiger willkommen", "staplerfahrer"),
        ("Ausbildung zum Bürokaufmann (m/w/d) 2027", "buerokaufmann"),
        ("Ausbildung zum/zur Elektroniker/in", "elektroniker"),
        ("Verkäufer (m/w/d) 12,50 EUR/h", "verkaeufer"),
        ("Verkäufer 13 € pro Stunde", "verkaeufer"),
        ("Entwickler (m/w/d) – 100% remote möglich", "entwickler"),
        ("Sachbearbeiter Lohnbuchhaltung – Homeoffice möglich", "sachbearbeiter lohnbuchhaltung"),
    ],
)
def test_what_a_vacancy_says_beside_the_occupation_is_dropped(vacancy_title, normalised):
    assert normalise_title(vacancy_title) == normalised


@pytest.mark.parametrize(
    ("label", "normalised"),
    [
        ("Euro-Manager/in", "euro manager"),  # "euro" goes only after an amount
        ("Sofortbildfotograf/in", "sofortbildfotograf"),
        (
            "Elektroniker/in - Masch. u. Antriebst. (Ausbildung bis 2021)",
            "elektroniker masch u antriebst ausbildung bis 2021",
        ),
    ],
)
def test_words_of_the_official_titles_are_not_taken_for_vacancy_details(label, normalised):
    assert normalise_title(label) == normalised


@pytest.mark.parametrize(
    ("title", "normalised"),
    [
        ("Referent Vergütung", "referent verguetung"),  # pay is the work here
        ("Remote Pilot", "remote pilot"),
        ("Werkstudent (m/w/d)", "werkstudent"),  # nothing else: coded as written
    ],
)
def test_words_that_name_the_work_stay(title, normalised):
    assert normalise_title(title) == normalised
    assert validate_title(title) == title


def test_variants_of_a_title_share_one_benchmark_group():
    assert variant_key("Abbrucharbeiter/in") == variant_key("Abbrucharbeiterin")
    assert variant_key("Abbrucharbeiter/in") != variant_key("Abbruchhelfer/in")


def test_a_title_is_stripped_of_extra_whitespace():
    assert validate_title("  Koch   mit  Erfahrung ") == "Koch mit Erfahrung"


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", "Geben Sie eine Berufsbezeichnung ein."),
        ("   ", "Geben Sie eine Berufsbezeichnung ein."),
        ("x" * 201, "höchstens 200 Zeichen"),
        ("Koch\x00", "Steuerzeichen"),
        (b"Koch", "kein Binär"),
        ("(m/w/d)", "kein Wort, das sich codieren lässt"),
        ("Водитель", "kein Wort, das sich codieren lässt"),
        ("1001", "nur Ziffern"),
        ("4711 / 08", "nur Ziffern"),
    ],
)
def test_bad_titles_say_what_is_wrong(title, message):
    with pytest.raises(ValidationError) as error:
        validate_title(title)
    assert message in error.value.messages[0]
