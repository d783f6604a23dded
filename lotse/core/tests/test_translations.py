"""The gettext catalogues: complete, compiled, and actually used by the pages.

German is Lotse's primary language, the msgids are English. These tests read
``locale/<lang>/LC_MESSAGES/django.po`` with a small parser (the standard
library reads only compiled catalogues), compare it with the committed
``django.mo`` and look for translatable strings the catalogue does not know.
After adding or changing a translatable string run ``make messages``, translate
the new German entries and commit the .po and .mo files together.
"""

import ast
import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.translation.template import templatize

LOCALE = Path(settings.LOCALE_PATHS[0])
SOURCE = Path(settings.BASE_DIR)
LANGUAGES = ["de", "en"]
SKIPPED_DIRECTORIES = {"tests", "migrations", "locale", "__pycache__"}


# --- a tiny .po reader ---

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}


def _unquote(literal: str) -> str:
    literal = literal.strip()
    assert literal.startswith('"') and literal.endswith('"'), f"not a PO string: {literal}"
    return re.sub(r"\\(.)", lambda match: _ESCAPES[match.group(1)], literal[1:-1])


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())

    def __str__(self) -> str:
        context = f" (context {self.msgctxt!r})" if self.msgctxt is not None else ""
        return f"line {self.line}: {self.msgid!r}{context}"


def read_po(path: Path) -> list[Entry]:
    """Every entry of a .po file, the header (msgid "") first; obsolete entries left out."""
    entries: list[Entry] = []
    entry, target = Entry(), None

    def finish() -> None:
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            if not line:
                finish()
            continue
        if line.startswith("#,"):
            if target is not None and target != "comment":
                finish()
            entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
        elif line.startswith("#"):
            if target is not None and target != "comment":
                finish()
        elif line.startswith('"'):
            assert target is not None, f"{path}:{number}: string outside an entry"
            kind, index = target
            if kind == "msgstr":
                entry.msgstr[index] += _unquote(line)
            else:
                setattr(entry, kind, getattr(entry, kind) + _unquote(line))
        else:
            keyword, _, literal = line.partition(" ")
            if keyword in {"msgctxt", "msgid"} and target is not None and target[0] == "msgstr":
                finish()
            if keyword in {"msgctxt", "msgid"} and not entry.line:
                entry.line = number
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if match:
                target = ("msgstr", int(match.group(1)))
                entry.msgstr[target[1]] = _unquote(literal)
            elif keyword == "msgstr":
                target = ("msgstr", 0)
                entry.msgstr[0] = _unquote(literal)
            elif keyword in {"msgid", "msgid_plural", "msgctxt"}:
                target = (keyword, None)
                setattr(entry, keyword, _unquote(literal))
            else:
                raise AssertionError(f"{path}:{number}: unexpected line {raw!r}")
    finish()
    return entries


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def mo_catalog(path: Path) -> dict:
    with path.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)  # type: ignore[attr-defined]


def expected_catalog(entries: list[Entry]) -> dict:
    """What msgfmt puts into the .mo: the header and every translated, non-fuzzy entry."""
    catalog: dict = {}
    for entry in entries:
        if entry.msgid and ("fuzzy" in entry.flags or not entry.translated):
            continue
        if entry.msgid_plural is None:
            catalog[entry.key] = entry.msgstr[0]
        else:
            for index, text in entry.msgstr.items():
                catalog[(entry.key, index)] = text
    return catalog


def _header_fields(text: str) -> dict[str, str]:
    fields = (line.partition(":") for line in text.splitlines())
    return {
        name.strip(): value.strip()
        for name, _, value in fields
        if name.strip() != "POT-Creation-Date"
    }


def header(entries: list[Entry]) -> dict[str, str]:
    assert entries and entries[0].msgid == "", "the catalogue has no header entry"
    return _header_fields(entries[0].msgstr[0])


# --- the catalogues themselves ---


def test_the_german_catalogue_translates_every_msgid_and_marks_none_fuzzy():
    entries = read_po(po_path("de"))[1:]
    assert len(entries) > 100, "the German catalogue looks truncated"
    untranslated = [str(entry) for entry in entries if not entry.translated]
    fuzzy = [str(entry) for entry in entries if "fuzzy" in entry.flags]
    assert not untranslated and not fuzzy, (
        "msgids without German translation:\n"
        + "\n".join(untranslated or ["(none)"])
        + "\nfuzzy German entries (check them, then remove the flag):\n"
        + "\n".join(fuzzy or ["(none)"])
    )


def test_the_german_plurals_fill_both_forms():
    wrong = [
        str(entry)
        for entry in read_po(po_path("de"))[1:]
        if entry.msgid_plural is not None and sorted(entry.msgstr) != [0, 1]
    ]
    assert not wrong, "German plural entries need msgstr[0] and msgstr[1]:\n" + "\n".join(wrong)


def test_the_german_translations_keep_every_placeholder_of_their_msgid():
    placeholder = re.compile(r"%\(\w+\)[sdifr]|%[sdifr]|\{\w*\}")
    wrong = []
    for entry in read_po(po_path("de"))[1:]:
        expected = sorted(placeholder.findall(entry.msgid))
        for text in entry.msgstr.values():
            if text and sorted(placeholder.findall(text)) != expected:
                wrong.append(f"{entry} -> {text!r}")
    assert not wrong, "placeholders changed in translation:\n" + "\n".join(wrong)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_header_names_its_language_utf8_and_two_plural_forms(language):
    entries = read_po(po_path(language))
    fields = header(entries)
    assert "fuzzy" not in entries[0].flags
    assert fields.get("Language") == language
    assert fields.get("Project-Id-Version") == "Lotse"
    assert fields.get("Content-Type") == "text/plain; charset=UTF-8"
    assert fields.get("Plural-Forms") == "nplurals=2; plural=(n != 1);"


def test_the_english_catalogue_lists_the_same_msgids_as_the_german_one():
    german = {(e.key, e.msgid_plural) for e in read_po(po_path("de"))[1:]}
    english = {(e.key, e.msgid_plural) for e in read_po(po_path("en"))[1:]}
    assert german - english == set(), "missing from the English catalogue: run makemessages"
    assert english - german == set(), "missing from the German catalogue: run makemessages"


# --- the committed .mo files ---


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_mo_file_holds_exactly_what_the_po_file_says(language):
    """File times say nothing after a checkout, so compare the contents instead."""
    mo = po_path(language).with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run compilemessages and commit it"
    expected = expected_catalog(read_po(po_path(language)))
    actual = mo_catalog(mo)
    # Newer msgfmt versions drop POT-Creation-Date from the compiled header.
    expected[""], actual[""] = _header_fields(expected[""]), _header_fields(actual.get("", ""))
    stale = sorted(str(key) for key in expected if actual.get(key) != expected[key])
    extra = sorted(str(key) for key in actual if key not in expected)
    assert not stale and not extra, (
        f"{mo} is out of date; run compilemessages.\n"
        f"changed or missing in the .mo: {stale}\nonly in the .mo: {extra}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_msgfmt_compiles_the_po_file_without_errors_into_the_committed_catalogue(
    language, tmp_path
):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext's msgfmt is not installed; the .po/.mo comparison above still ran")
    compiled = tmp_path / "django.mo"
    result = subprocess.run(
        [msgfmt, "--check-format", "-o", str(compiled), str(po_path(language))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert mo_catalog(compiled) == mo_catalog(po_path(language).with_suffix(".mo")), (
        "the committed .mo differs from a fresh msgfmt of the .po: run compilemessages"
    )


# --- translatable strings the catalogue does not know ---

_PYTHON_KEYWORDS = {
    # function name: (index of msgctxt or None, index of msgid, index of msgid_plural or None),
    # as makemessages passes them to xgettext
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}
_TEMPLATIZED_CALL = re.compile(
    r"\b(n?p?gettext)\(((?:\s*u?(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")\s*,?)+)"
)
_STRING_LITERAL = re.compile(r"u?('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")")


def _source_files(*suffixes: str) -> list[Path]:
    return sorted(
        path
        for path in SOURCE.rglob("*")
        if path.suffix in suffixes
        and path.is_file()
        and not SKIPPED_DIRECTORIES & set(path.relative_to(SOURCE).parts[:-1])
        and not any(part.startswith(".") for part in path.relative_to(SOURCE).parts)
    )


def _key(context: str | None, msgid: str) -> str:
    return msgid if context is None else f"{context}\x04{msgid}"


def _python_messages(path: Path) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in _PYTHON_KEYWORDS:
            continue
        context_at, msgid_at, _ = _PYTHON_KEYWORDS[name]
        args = node.args
        needed = max(i for i in (context_at, msgid_at) if i is not None)
        if len(args) <= needed or not all(
            isinstance(args[i], ast.Constant) and isinstance(args[i].value, str)
            for i in (context_at, msgid_at)
            if i is not None
        ):
            continue  # not a literal: xgettext cannot extract it either
        context = args[context_at].value if context_at is not None else None  # type: ignore[attr-defined]
        found.append((_key(context, args[msgid_at].value), node.lineno))  # type: ignore[attr-defined]
    return found


def _template_messages(path: Path) -> list[tuple[str, int]]:
    """The msgids of a template, found with the same templatize() makemessages uses."""
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    found = []
    for match in _TEMPLATIZED_CALL.finditer(code):
        literals = [ast.literal_eval(s) for s in _STRING_LITERAL.findall(match.group(2))]
        context = literals.pop(0) if match.group(1).startswith(("pgettext", "npgettext")) else None
        line = code.count("\n", 0, match.start()) + 1
        found.append((_key(context, literals[0]), line))
    return found


def test_every_translatable_string_in_templates_and_code_is_in_the_german_catalogue():
    known = {entry.key for entry in read_po(po_path("de"))[1:]}
    found: list[str] = []
    missing = []
    for path in _source_files(".py"):
        for msgid, line in _python_messages(path):
            found.append(msgid)
            if msgid not in known:
                missing.append(f"{path.relative_to(SOURCE)}:{line}: {msgid!r}")
    for path in _source_files(".html", ".txt"):
        for msgid, line in _template_messages(path):
            found.append(msgid)
            if msgid not in known:
                missing.append(f"{path.relative_to(SOURCE)}:{line}: {msgid!r}")
    assert len(found) > 100, "the scan for translatable strings found suspiciously few"
    assert not missing, "not in the catalogue, run `make messages`:\n" + "\n".join(missing)


# --- the pages speak the visitor's language ---


class _VisibleText(HTMLParser):
    """Text a visitor sees or hears: text nodes and the labelling attributes."""

    ATTRIBUTES = {"aria-label", "title", "alt", "placeholder"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._hidden += 1
        attributes = dict(attrs)
        for name, value in attributes.items():
            if value and name in self.ATTRIBUTES:
                self.parts.append(value)
        if tag == "input" and attributes.get("type") in {"submit", "button", "reset"}:
            self.parts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: bytes) -> str:
    parser = _VisibleText()
    parser.feed(html.decode())
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def contains(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


# English phrase -> German phrase, as the templates and the catalogue have them
EVERY_PAGE = {
    "Skip to content": "Zum Inhalt springen",
    "Main navigation": "Hauptnavigation",
    "Networks": "Netzwerke",
    "Organisations": "Organisationen",
    "Sign in": "Anmelden",
    "Language": "Sprache",
    "Switch": "Wechseln",
    "About Lotse and its data sources": "Über Lotse und seine Datenquellen",
}
PAGES = {
    "home": {
        "Explore the networks": "Netzwerke entdecken",
        "Find partner organisations": "Partnerorganisationen finden",
        "Networks on Lotse": "Netzwerke auf Lotse",
    },
    "network:network_list": {
        "Breadcrumb": "Pfadnavigation",
        "Start": "Startseite",
        "Filter networks": "Netzwerke filtern",
        "Search": "Suche",
        "Show": "Anzeigen",
    },
    "network:organisation_list": {
        "Breadcrumb": "Pfadnavigation",
        "Filter organisations": "Organisationen filtern",
        "Search": "Suche",
        "Place": "Ort",
        "Show": "Anzeigen",
    },
    "accounts:login": {
        "Forgot your password?": "Passwort vergessen?",
    },
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_a_page_asked_for_in_german_shows_the_german_interface_and_no_english_one(page):
    response = Client().get(reverse(page), HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "de"
    text = visible_text(response.content)
    phrases = {**EVERY_PAGE, **PAGES[page]}
    english = [en for en in phrases if contains(text, en)]
    german_missing = [de for de in phrases.values() if not contains(text, de)]
    assert not english, f"English on the German {page} page: {english}"
    assert not german_missing, f"German phrases missing on the {page} page: {german_missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_a_page_asked_for_in_english_shows_the_english_interface(page):
    response = Client().get(reverse(page), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "en"
    text = visible_text(response.content)
    phrases = {**EVERY_PAGE, **PAGES[page]}
    english_missing = [en for en in phrases if not contains(text, en)]
    # Only phrases that cannot come from the (German) demo data are checked for absence.
    german = [
        de for de in ("Zum Inhalt springen", "Hauptnavigation", "Wechseln") if contains(text, de)
    ]
    assert not english_missing, f"English phrases missing on the {page} page: {english_missing}"
    assert not german, f"German interface text on the English {page} page: {german}"


@pytest.mark.django_db
def test_a_visitor_without_language_preference_gets_german():
    response = Client().get(reverse("home"))
    assert response.headers["Content-Language"] == "de"
    assert contains(visible_text(response.content), "Zum Inhalt springen")
