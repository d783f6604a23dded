"""Normalisation of job titles as people write them, and the checks on bad input.

"Mechatroniker/in (m/w/d)", "Mechatronikerin" and "MECHATRONIKER" are one
title to the coder: umlauts folded (``core.text.fold``), gender markers and
the other gender's form after a slash dropped, the feminine "-frau" read as "-mann" and a
feminine "-in" ending removed; abbreviations ("MFA") are spelt out and English
job words ("truck driver") gain their German word (``glossary``). What a
vacancy says beside the occupation ("in Teilzeit", "ab sofort gesucht",
"15,50 €/Std.", "Quereinsteiger willkommen") is dropped: no label has those
words, and their n-grams pulled titles towards unrelated codes. The
benchmark groups titles by the same key, so spelling and gender variants are
never split between training and test.
"""

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lotse.core.text import fold
from lotse.occupations.glossary import ABBREVIATIONS, ENGLISH

MAX_TITLE_LENGTH = 200

_GENDER_ENDING = re.compile(r"(?:innen|in|e)$")


def _gender_stem(word: str) -> str:
    return _GENDER_ENDING.sub("", word).replace("ae", "a").replace("oe", "o").replace("ue", "u")


def _one_of_a_pair(first: str, second: str) -> str:
    """One title for "biologe/biologin" and "koch/koechin", two for "optik/optoelektronik"."""
    return first if _gender_stem(first) == _gender_stem(second) else f"{first} {second}"


_REWRITES: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    # Beamt(er/in), Beamte(r/in), Meteorolog(e/in), Kaufm(ann/frau): the first form, joined
    (re.compile(r"(\w)\((er|e|ter|r|ann)/(?:in|innen|r|frau)\)"), r"\1\2"),
    # (m/w/d), (w/m/d), (gn), (all genders), m/w/d
    (re.compile(r"\((?:m|w|d|f|x|gn|all genders)(?:\s*/\s*(?:m|w|d|f|x))*\)"), " "),
    (re.compile(r"\b[mwdfx]\s*/\s*[mwdfx]\s*/\s*[mwdfx]\b"), " "),
    # Lehrer/innen, Lehrer:innen, Lehrer*innen, Lehrer_innen, Lehrer(innen)
    (re.compile(r"(\w)(?:/-?|\(|:|\*|_)innen\)?(?=\W|$)"), r"\1"),
    (re.compile(r"(\w)(?:/-?|\(|:|\*|_)in\)?(?=\W|$)"), r"\1"),
    # Bevollmächtigte/r, Beamte(r), Angestellte/-e
    (re.compile(r"(\w)/-?[re]\b"), r"\1"),
    (re.compile(r"(\w)\([re]\)"), r"\1"),
    # Kaufmann/-frau, Fachmann/Fachfrau
    (re.compile(r"/\s*-?\s*\w*(?:frau|mann|leute)\b"), " "),
    # the feminine or plural written out: Lehrerinnen
    (re.compile(r"(\w)innen\b"), r"\1"),
    # Krankenschwester/-pfleger: keep the first form; Biologe/Biologin and
    # Lehrerin/Lehrer too, but other alternatives keep both sides
    # ("Optik/Optoelektronik", "Pflege/Medizin")
    (re.compile(r"(\w+)/-\w+"), r"\1"),
    (re.compile(r"(\w+)/(\w+)"), lambda pair: _one_of_a_pair(pair[1], pair[2])),
    (re.compile(r"frau\b"), "mann"),
    (re.compile(r"(er|or|eur|ist|ant|ent|ar|ier|ot)in\b"), r"\1"),
    (re.compile(r"ogin\b"), "oge"),
    (re.compile(r"[^a-z0-9]+"), " "),
]


# Terms of employment, pay, hours and calls to apply, as vacancies add them to the
# title (folded, after punctuation became spaces). None of these words is in any
# shipped label; "euro" and "h" are, so they go only after a number, and a year only
# from 2025 on ("Ausbildung bis 2021" is part of an old title). Words that can name
# the work itself go only in a vacancy's phrase: "Referent Vergütung" keeps its pay,
# "Remote Pilot" its "remote".
_VACANCY_DETAILS = re.compile(
    r"(?<= )(?:"
    r"(?:in )?voll (?:oder|und|od) teilzeit|(?:in )?(?:vollzeit|teilzeit)(?:stelle)?"
    r"|(?:auf )?(?:\d+ euro|minijob) basis|minijob(?:ber)?|nebenjob|aushilfsjob"
    r"|(?:un)?befristet(?:e|er)?|(?:in )?festanstellung|(?:ab )?sofort|(?:dringend )?gesucht"
    r"|wir suchen|zum naechstmoeglichen zeitpunkt|arbeitsbeginn"
    r"|home ?office(?: moeglich)?|mobiles arbeiten"
    r"|(?:\d+ |teilweise )?(?:remote|hybrid)(?:es)? (?:moeglich|arbeiten)"
    r"|(?:als )?quereinsteiger(?: willkommen)?|quereinstieg(?: moeglich)?"
    r"|werkstudent|(?:im )?schicht(?:dienst|betrieb|system)|\d schicht(?: system)?"
    r"|(?:top|gute|attraktive|tarifliche|ueberdurchschnittliche) (?:bezahlung|verguetung)"
    r"|(?:\d+ )?(?:wechsel)?praemie|\d+ tage woche|(?:fuer )?unser(?:e|en)? team"
    r"|\d+(?: \d+)? (?:euro|eur|std|stunden|h)"
    r"(?: (?:std|stunde|stunden|h|woche|monat|brutto|pro stunde|pro monat))*"
    r"|\d+(?: \d+)? pro (?:stunde|monat)|std(?: woche)?|stunden woche|\d+h|brutto"
    r"|20(?:2[5-9]|3\d)"
    r")(?= )"
)
# "Ausbildung zum/zur Elektroniker" (both forms, joined by the slash rule).
_TRAINEESHIP = re.compile(r"^(?:ausbildung|umschulung) (?:(?:zum|zur|als) )+")


@lru_cache(maxsize=4096)
def normalise_title(title: str) -> str:
    """The comparable form of a job title: folded, without gender forms and punctuation.

    Kept for the titles last seen (a few MB at most): a batch of titles is looked up
    among the codes chosen by hand and then coded, each normalised once.
    """
    text = fold(title)
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    # A title of such words alone ("Werkstudent (m/w/d)") is still coded as written.
    text = _TRAINEESHIP.sub("", _VACANCY_DETAILS.sub(" ", f" {text} ").strip()) or text
    words = []
    for word in text.split():
        words.append(ABBREVIATIONS.get(word, word))
        if word in ENGLISH:
            words.append(ENGLISH[word])
    return " ".join(words)


def variant_key(title: str) -> str:
    """One key for all spelling and gender variants of a title (the benchmark's groups)."""
    return normalise_title(title).replace(" ", "")


def title_problem(title: object) -> str | None:
    """Why ``title`` cannot be coded, or None: empty, over-long, binary or control characters."""
    if isinstance(title, bytes):
        return str(_("The title must be text, not binary data."))
    if title is not None and not isinstance(title, str):
        return str(_("The title must be text, not a number, list or other value."))
    if title is None or not title.strip():
        return str(_("Enter a job title."))
    if len(title) > MAX_TITLE_LENGTH:
        return str(
            _("A job title has at most %(max)d characters (this one has %(length)d).")
            % {"max": MAX_TITLE_LENGTH, "length": len(title)}
        )
    if any(unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn") for char in title):
        return str(_("The title contains control characters or binary data."))
    normalised = normalise_title(title)
    if not normalised:
        return str(
            _("The title has no word that can be coded (Latin letters and digits are read).")
        )
    if not any(char.isalpha() for char in normalised):
        return str(_("The title has no letters, only digits (a number, not a job title?)."))
    return None


def validate_title(title: object) -> str:
    """The stripped title, or a ValidationError that says what is wrong with it."""
    problem = title_problem(title)
    if problem:
        raise ValidationError(problem, code="invalid_title")
    assert isinstance(title, str)
    return " ".join(title.split())
