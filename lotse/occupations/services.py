"""Coding titles for callers: validated single titles, bulk imports with review flags, files.

The coder itself (``coder.py``) expects clean text; these functions check input
first, so that an empty, over-long or binary title becomes a message that names
the problem (and, for files, the line) instead of an error page.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import zip_longest
from typing import IO, Any, Protocol

from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from lotse.core.spreadsheets import UndecodableText, cell_text, decode_text_file
from lotse.occupations.checked import Correction, code_titles
from lotse.occupations.coder import Match, is_uncertain
from lotse.occupations.reference import get_reference
from lotse.occupations.text import title_problem, validate_title

OUTPUT_COLUMNS = ["title", "rank", "kldb5", "score", "matched_title", "esco_uri"]
# Rows of a workbook looked through for its header, below a caption or two.
HEADER_ROWS = 10
# A character no title may hold, as the delimiter of a CSV of one column.
_NO_DELIMITER = "\x1f"
# Header names of the titles' column in an input file, compared without case.
TITLE_COLUMNS = (
    "title", "titel", "job title", "jobtitle", "jobtitel", "beruf", "berufsbezeichnung",
    "berufsbenennung", "stellenbezeichnung", "stellentitel", "stelle", "position",
)  # fmt: skip
# In a list of titles, these may also be entries: a header of theirs is only the first line.
_ENTRY_WORDS = ("beruf", "stelle", "position")
# The file after a person checked the uncertain titles: one row a title.
CHECKED_COLUMNS = ["title", "kldb5", "kldb_title", "uncertain", "checked"]
# Workbooks (XLSX) start like every zip file; a small one can hold a million rows.
_ZIP_START, MAX_WORKBOOK_ROWS = b"PK\x03\x04", 100_000
# Unpacked, a workbook of 20,000 titles in 30 columns is about 30 MB; a bigger one would
# tie up a server process for minutes (a 1 MB upload can unpack to 500 MB).
MAX_WORKBOOK_UNPACKED = 40_000_000
_BULLET = re.compile(r"^\s*[-–•*·]+\s*")
# Old Excel files (XLS) and encrypted workbooks are OLE2 compound files.
_OLE2_START = b"\xd0\xcf\x11\xe0"
# Uncertain titles a person checks on one page; more stay flagged in the file.
REVIEW_PAGE_SIZE = 200
# Codes offered for each uncertain title, and how long a review form stays valid.
REVIEW_CHOICES, REVIEW_MAX_AGE = 5, 24 * 60 * 60


@dataclass(frozen=True)
class CodedTitle:
    """An imported title with its ranked codes and whether a person should review it."""

    title: str
    matches: list[Match]
    uncertain: bool

    @property
    def kldb5(self) -> str:
        return self.matches[0].kldb5 if self.matches else ""


# A cell starting so is a formula to a spreadsheet program, which an uploaded title
# must never be (OWASP "CSV injection"); a leading apostrophe keeps it text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str) -> str:
    return f"'{text}" if text.startswith(_FORMULA_START) else text


class TitleFileError(ValueError):
    """An input file that cannot be coded; the message names the line."""


def code_title(title: object, top: int = 5) -> list[Match]:
    """The ranked codes of one title; ValidationError for bad input."""
    return code_titles([validate_title(title)], top)[0]


def code_for_import(titles: Sequence[str], top: int = 5) -> list[CodedTitle]:
    """Code many titles at once (vectorised) and flag those a person should check.

    Invalid titles are not coded and flagged uncertain, so one bad cell does not
    stop an import.
    """
    valid = [(i, " ".join(t.split())) for i, t in enumerate(titles) if title_problem(t) is None]
    # The flag compares the first two codes, so they are found even for top 1.
    coded = code_titles([title for _i, title in valid], max(top, 2))
    by_index = dict(zip((i for i, _t in valid), coded, strict=True))
    results = []
    for i, title in enumerate(titles):
        matches = by_index.get(i, [])
        results.append(CodedTitle(title, matches[:top], is_uncertain(matches)))
    return results


def read_titles(handle: IO[bytes]) -> list[str]:
    """Titles of a CSV with a ``title`` column, a text file with one title a line, or a workbook.

    The column may be headed by any of ``TITLE_COLUMNS`` in any case, and a CSV's
    columns separated by commas, semicolons or tabs. A workbook (XLSX) is read like
    a CSV: its first visible sheet, the column so headed or else the first column,
    lines numbered as the spreadsheet shows them.
    """
    raw = handle.read()
    if raw.startswith(_OLE2_START):
        raise TitleFileError(
            _("line 1: an old Excel file (XLS) or an encrypted workbook; save it as XLSX or CSV")
        )
    titles = _workbook_titles(raw) if raw.startswith(_ZIP_START) else _text_titles(raw)
    # Titles pasted from a bulleted list ("- Koch", "• Koch") lose the bullet.
    titles = [(line, _BULLET.sub("", title)) for line, title in titles]
    if not titles:
        raise TitleFileError(_("line 1: no titles found"))
    for line, title in titles:
        problem = title_problem(title)
        if problem:
            raise TitleFileError(
                _("line %(line)d: %(problem)s") % {"line": line, "problem": problem}
            )
    return [" ".join(title.split()) for _line, title in titles]


def _text_titles(raw: bytes) -> list[tuple[int, str]]:
    try:
        text = decode_text_file(raw)
    except UndecodableText as error:
        raise TitleFileError(
            _("line %(line)d: not text in UTF-8, UTF-16 or Windows-1252") % {"line": error.line}
        ) from error
    # Lines end in LF, CRLF or CR alone (old Mac "CSV"); other breaks stay in the line.
    lines = io.StringIO(text, newline=None).read().split("\n")
    delimiter = _delimiter([line for line in lines[: HEADER_ROWS * 10] if line.strip()])
    if delimiter is None:
        rows = ((number, [line]) for number, line in enumerate(lines, 1))
        return _table_titles(rows)
    return _table_titles(_csv_rows(text, delimiter), check_width=delimiter != _NO_DELIMITER)


def _delimiter(first_lines: Sequence[str]) -> str | None:
    """How a text file's columns are separated, or None for one title a line.

    Spreadsheet programs write CSV with commas, with semicolons (German Excel) or
    tabs. A header naming the titles' column decides. Without one, first lines of
    the same number of fields separated by semicolons or tabs (as spreadsheet
    programs write every row) make a table, but commas may be part of a title. A
    table of one column has no delimiter: "Verkäufer, Teilzeit" is one title.
    """
    candidates = first_lines[:HEADER_ROWS]
    for delimiter in (",", ";", "\t"):
        for number, cells in enumerate(_fields(candidates, delimiter)):
            if _title_column(cells, entries=len(cells) == 1 and number > 0) is not None:
                return delimiter if len(cells) > 1 else _NO_DELIMITER
    for delimiter in (";", "\t"):
        records = _fields(candidates, delimiter)
        widths = {len(cells) for cells in records}
        # "Koch; Beikoch": spreadsheet programs write no space after the delimiter.
        later = [cell for cells in records for cell in cells[1:]]
        spaced = bool(later) and all(cell.startswith(" ") for cell in later)
        if len(widths) == 1 and widths.pop() > 1 and not spaced:
            return delimiter
    return None


def _fields(lines: Sequence[str], delimiter: str) -> list[list[str]]:
    """The lines split as CSV records, up to one too long for the csv module."""
    records = []
    for line in lines:
        try:
            records.append(next(csv.reader([line], delimiter=delimiter), []))
        except csv.Error:
            break
    return records


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """A CSV's records with the line each starts on."""
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)
    start = 0
    try:
        for row in reader:
            line, start = start + 1, reader.line_num
            if any("\n" in cell for cell in row):  # a quotation mark left open, say
                raise TitleFileError(
                    _("line %(line)d: a line break inside a field, or an unclosed quotation mark")
                    % {"line": line}
                )
            yield line, row
    except csv.Error as error:  # a field beyond the csv module's limit
        raise TitleFileError(
            _(
                "line %(line)d: a field of more than %(max)d characters, "
                "or an unclosed quotation mark"
            )
            % {"line": start + 1, "max": csv.field_size_limit()}
        ) from error


def _title_column(header: Sequence[str], entries: bool = False) -> int | None:
    """Where a header row names the titles' column (any case: "Title", "Berufsbezeichnung").

    With ``entries``, a row of one cell below the first: "Position" there is an entry
    of a list of titles, not its header.
    """
    names = [" ".join(cell.split()).casefold() for cell in header]
    return next(
        (
            i
            for i, name in enumerate(names)
            if name in TITLE_COLUMNS and not (entries and name in _ENTRY_WORDS)
        ),
        None,
    )


def _workbook_titles(raw: bytes) -> list[tuple[int, str]]:
    """The titles of a workbook's first visible sheet; rows without a title are skipped.

    Whatever the workbook holds, a problem becomes a ``TitleFileError``: openpyxl
    reads rows lazily, so a broken file may fail only while its rows are read.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
            unpacked = sum(member.file_size for member in members)
            if unpacked > MAX_WORKBOOK_UNPACKED:
                raise TitleFileError(
                    _("line 1: the workbook unpacks to more than %(max)d MB")
                    % {"max": MAX_WORKBOOK_UNPACKED // 1_000_000}
                )
            sheets = [archive.read(m) for m in members if m.filename.startswith("xl/worksheets/")]
            uncomputed = _saved_without_results(sheets)
        values = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        # A workbook that a program wrote without computing it (pandas, scripts) has its
        # formulas but no results: they are read a second time, so that a title there is
        # named, not lost without a word.
        written = load_workbook(io.BytesIO(raw), read_only=True) if uncomputed else None
        try:
            position = _first_visible(values.worksheets)
            rows = _workbook_rows(
                values.worksheets[position], written.worksheets[position] if written else None
            )
            return _table_titles(rows, sheet=True)
        finally:
            values.close()
            if written:
                written.close()
    except TitleFileError:
        raise
    except Exception as error:  # not a zip file, or any damage a workbook can carry
        raise TitleFileError(_("line 1: not a readable Excel workbook (XLSX)")) from error


def _first_visible(sheets: Sequence[Any]) -> int:
    """The sheet a person sees first: hidden sheets (lists for drop-downs) are skipped."""
    return next((i for i, sheet in enumerate(sheets) if sheet.sheet_state == "visible"), 0)


def _workbook_rows(sheet: Any, formulas: Any | None) -> Iterator[tuple[int, list[str]]]:
    sheet.reset_dimensions()  # some programs write a wrong size, which hid rows
    rows = sheet.iter_rows(values_only=True)
    if formulas is not None:
        formulas.reset_dimensions()
        written = formulas.iter_rows(values_only=True)
        rows = (
            tuple(
                _Uncomputed("=") if value is None and _is_formula(text) else value
                for value, text in zip_longest(row, written_row)
            )
            for row, written_row in zip_longest(rows, written, fillvalue=())
        )
    for line, row in enumerate(rows, 1):
        cells = [v if isinstance(v, _Uncomputed) else cell_text(v).strip() for v in row]
        if line > MAX_WORKBOOK_ROWS and any(cells):
            raise TitleFileError(
                _("line %(line)d: a workbook is read up to line %(max)d")
                % {"line": line, "max": MAX_WORKBOOK_ROWS}
            )
        yield line, cells


# In a sheet's XML: a formula; a formula followed by a result; a cell of a formula's text
# (t="str"), which Excel and LibreOffice write with the result even when it is empty, and
# scripts (openpyxl, pandas) never: they leave out <v>, or write it empty. The patterns
# are bounded, so that a crafted sheet cannot make the search take time that grows with
# the square of its size.
_FORMULA = re.compile(rb"<(?:\w{1,20}:)?f[\s>/]")
_FORMULA_RESULT = re.compile(
    rb"(?:</(?:\w{1,20}:)?f>|<(?:\w{1,20}:)?f\s[^<>]{0,300}/>)\s*<(?:\w{1,20}:)?v>[^<]"
)
_TEXT_FORMULA = re.compile(
    rb'<(?:\w{1,20}:)?c\s[^<>]{0,300}\bt="str"[^<>]{0,300}>\s*<(?:\w{1,20}:)?f[\s>/]'
)


def _saved_without_results(sheets: Sequence[bytes]) -> bool:
    """Whether the sheets hold formulas and not one of them a result.

    Spreadsheet programs compute every formula when they save; a workbook written
    by a script (openpyxl, pandas) has none of their results.
    """
    formulas = False
    for sheet in sheets:
        if _FORMULA_RESULT.search(sheet) or _TEXT_FORMULA.search(sheet):
            return False
        formulas = formulas or bool(_FORMULA.search(sheet))
    return formulas


def _is_formula(value: object) -> bool:
    text = getattr(value, "text", value)  # an array formula is an object with its text
    return isinstance(text, str) and text.startswith("=")


class _Uncomputed(str):
    """A formula cell saved without its result: its title is unknown."""


def _table_titles(
    rows: Iterable[tuple[int, list[str]]], check_width: bool = False, sheet: bool = False
) -> list[tuple[int, str]]:
    """The titles of a table's rows, from a CSV, a text file or a sheet.

    The header may stand below a caption ("Jobmesse 2026"): up to ``HEADER_ROWS``
    rows of one cell each are looked through for a header naming the titles'
    column. Without such a header, the first column holds the titles from the
    first row that is not empty. "Beruf", "Stelle" or "Position" alone in a row
    below the first are entries of a list, not its header, except right below a
    ``sheet``'s caption.
    """
    titles: list[tuple[int, str]] = []
    column: int | None = None
    width = 0
    waiting: list[tuple[int, list[str]]] = []  # rows read while no header is found
    for line, cells in rows:
        if not "".join(cells).strip():
            continue  # a blank line, or ";" for a row left empty in a spreadsheet
        if column is None:
            filled = sum(1 for cell in cells if cell.strip())
            # A sheet shows one caption above "Beruf"; below more, "Beruf" is an entry.
            entries = bool(waiting) and filled == 1 and not (sheet and len(waiting) == 1)
            column = _title_column(cells, entries=entries)
            if column is not None:
                waiting, width = [], len(cells)  # captions
                continue
            waiting.append((line, cells))
            # A caption fills one cell; a row of several is data, and no header follows.
            if len(waiting) < HEADER_ROWS and filled == 1:
                continue
            column = 0
            titles += _cells_titles(waiting, column)
            waiting = []
            continue
        if check_width and width and len(cells) != width:
            raise TitleFileError(_("line %(line)d: wrong number of fields") % {"line": line})
        titles += _cells_titles([(line, cells)], column)
    return titles + _cells_titles(waiting, 0)


def _cells_titles(rows: list[tuple[int, list[str]]], column: int) -> list[tuple[int, str]]:
    titles = []
    for line, cells in rows:
        title = cells[column] if column < len(cells) else ""
        if isinstance(title, _Uncomputed):
            raise TitleFileError(
                _(
                    "line %(line)d: a formula saved without its result; open the workbook "
                    "in a spreadsheet program and save it again"
                )
                % {"line": line}
            )
        if title.strip():
            titles.append((line, title))
    return titles


class Writable(Protocol):
    """Where the CSV goes: an open text file or an HttpResponse."""

    def write(self, text: str, /) -> object: ...


def write_coded_csv(
    handle: Writable, titles: Sequence[str], top: int, flag_uncertain: bool = False
) -> int:
    """Write the output CSV, ``top`` rows per title; return how many titles are uncertain.

    With ``flag_uncertain`` a last column ``uncertain`` holds ``1`` on every row of a
    title a person should check (``is_uncertain``), else ``0``.
    """
    writer = csv.writer(handle)
    writer.writerow([*OUTPUT_COLUMNS, *(["uncertain"] if flag_uncertain else [])])
    # The flag compares the first two codes, so they are found even for top 1.
    coded = code_titles(titles, max(top, 2))
    flagged = 0
    for title, matches in zip(titles, coded, strict=True):
        uncertain = is_uncertain(matches)
        flagged += uncertain
        flag = ["1" if uncertain else "0"] if flag_uncertain else []
        writer.writerows(
            [
                spreadsheet_text(title),
                str(match.rank),
                match.kldb5,
                f"{match.score:.4f}",
                match.matched_title,
                match.esco_uri,
                *flag,
            ]
            for match in matches[:top]
        )
    return flagged


class ReviewError(ValueError):
    """A review form that cannot be turned into a file; the message says why."""


@dataclass(frozen=True)
class Review:
    """A coded file whose uncertain titles wait for a person to choose their codes.

    ``sealed`` carries the whole file through the review form, signed, so that
    nothing is stored on the server and the codes written come from the coder or
    from the choices it offered.
    """

    to_check: list[tuple[int, CodedTitle]]  # (line of the file - 1, coded title)
    titles: int
    uncertain: int
    sealed: str

    @property
    def left_flagged(self) -> int:
        return self.uncertain - len(self.to_check)


def start_review(titles: Sequence[str], salt: str) -> Review:
    """Code the titles and pick the uncertain ones a person checks on one page."""
    coded = code_for_import(titles, REVIEW_CHOICES)
    uncertain = [(i, item) for i, item in enumerate(coded) if item.uncertain]
    to_check = uncertain[:REVIEW_PAGE_SIZE]
    batch = {
        "titles": list(titles),
        "codes": [item.kldb5 for item in coded],
        "uncertain": [i for i, _item in uncertain],
        "offered": {str(i): [m.kldb5 for m in item.matches] for i, item in to_check},
        "made": timezone.now().timestamp(),
    }
    sealed = signing.dumps(batch, salt=salt, compress=True)
    return Review(to_check, len(coded), len(uncertain), sealed)


@dataclass(frozen=True)
class CheckedReview:
    """What a person changed on a review page made at ``made``."""

    corrections: list[Correction]
    made: datetime


def write_checked_csv(
    handle: Writable, sealed: str, choices: Mapping[str, str], salt: str
) -> CheckedReview:
    """Write one row a title, with the code a person chose where one was offered.

    ``choices`` maps ``code-<i>`` to an offered code or to "" (none fits). Returns
    the titles whose code the person changed from the coder's first; a forged,
    outdated or incomplete form is a ``ReviewError`` and nothing is written.
    """
    try:
        batch = signing.loads(sealed, salt=salt, max_age=REVIEW_MAX_AGE)
    except signing.SignatureExpired as error:
        raise ReviewError(
            _("The review is older than a day. Please upload the file again.")
        ) from error
    except signing.BadSignature as error:
        raise ReviewError(_("The review form is damaged. Please upload the file again.")) from error
    titles, codes = batch["titles"], list(batch["codes"])
    corrections = []
    for index, offered in batch["offered"].items():
        chosen = choices.get(f"code-{index}")
        if chosen is None or (chosen and chosen not in offered):
            title = titles[int(index)]
            raise ReviewError(
                _("Choose one of the offered codes for “%(title)s”.") % {"title": title}
            )
        if chosen and chosen != codes[int(index)]:
            corrections.append(Correction(titles[int(index)], chosen, codes[int(index)]))
        codes[int(index)] = chosen
    occupations = get_reference().occupations
    uncertain = set(batch["uncertain"])
    writer = csv.writer(handle)
    writer.writerow(CHECKED_COLUMNS)
    for i, (title, code) in enumerate(zip(titles, codes, strict=True)):
        occupation = occupations.get(code)
        writer.writerow(
            [
                spreadsheet_text(title),
                code,
                occupation.title if occupation else "",
                "1" if i in uncertain else "0",
                "1" if str(i) in batch["offered"] else "0",
            ]
        )
    # Forms made before the time was sealed in count as made a day ago.
    made = batch.get("made", timezone.now().timestamp() - REVIEW_MAX_AGE)
    return CheckedReview(corrections, datetime.fromtimestamp(made, tz=UTC))
