"""What the apps share for files people open in spreadsheet programs."""

import codecs
import datetime
import re
from typing import Any

from django.http import HttpResponse


def csv_download(filename: str) -> HttpResponse:
    """An empty CSV attachment that starts with a byte-order mark, so spreadsheets read UTF-8."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    return response


def cell_text(value: Any) -> str:
    """A workbook cell as the text a person typed: 1.0 as "1", a date as 2026-12-03."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class UndecodableText(ValueError):
    """Bytes that are no text a spreadsheet program writes; ``line`` is where it fails."""

    def __init__(self, line: int) -> None:
        super().__init__(f"line {line}: not text in UTF-8, UTF-16 or Windows-1252")
        self.line = line


def decode_text_file(raw: bytes) -> str:
    """The text of an uploaded CSV or text file, in the encodings spreadsheets save.

    UTF-8 (with or without BOM) first; UTF-16 with a BOM, as Excel's "Unicode text";
    Windows-1252, as German Excel saves "CSV (Trennzeichen-getrennt)", where a file
    is not UTF-8 and not partly UTF-8 either, so half-broken UTF-8 is refused
    rather than read as "VerkÃ¤ufer".
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as error:
            raise UndecodableText(
                _line_of(raw[: error.start].decode("utf-16", "ignore"))
            ) from error
    body = raw.removeprefix(codecs.BOM_UTF8)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        failure = error.start
    if not _partly_utf8(body):
        try:
            return body.decode("cp1252")
        except UnicodeDecodeError as error:
            failure = error.start
    raise UndecodableText(_line_of(body[:failure].decode("latin-1")))


def _line_of(before: str) -> int:
    """The number of the line a text goes on in after ``before`` (LF, CRLF or CR ends)."""
    return before.count("\n") + before.count("\r") - before.count("\r\n") + 1


# What UTF-8 for these characters reads as in Windows-1252 ("Ã¤", "â€“", "â‚¬"), no
# German text holds: U+0080 to U+00FF (umlauts, ß, NBSP), general punctuation (dashes,
# quotation marks) and the euro sign.
_MOJIBAKE_SOURCES = re.compile("[\x80-\xff\u2010-\u206f\u20ac]")


# UTF-8 for U+0100 to U+017F (Polish, Czech, Turkish letters: "ą" is C4 85), but not
# where Windows-1252 reads "Ä" or "Å" before a quotation mark, a dash or NBSP ("Ä“").
_UTF8_LATIN_EXTENDED = re.compile(rb"[\xc4\xc5](?![\x84\x91-\x94\x96\x97\xa0])[\x80-\xbf]")


def _partly_utf8(raw: bytes) -> bool:
    """Whether bytes that are not UTF-8 as a whole were meant as UTF-8 in part.

    Other sequences arise by chance in Windows-1252: "ß“" is DF 93, valid UTF-8 for
    U+07D3, so they are no evidence.
    """
    if _UTF8_LATIN_EXTENDED.search(raw):
        return True
    return bool(_MOJIBAKE_SOURCES.search(raw.decode("utf-8", "ignore")))
