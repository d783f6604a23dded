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


# UTF-8 for U+0080 to U+00FF: "ä" is C3 A4. In Windows-1252 these bytes read "Ã¤" or
# "Â°", which German text does not hold, while chance pairs of Windows-1252 ("Ä“" is
# C4 93) decode to other code points.
_UTF8_LATIN1 = re.compile(rb"[\xc2\xc3][\x80-\xbf]")


class UndecodableText(ValueError):
    """Bytes that are no text a spreadsheet program writes; ``line`` is where it fails."""

    def __init__(self, line: int) -> None:
        super().__init__(f"line {line}: not text in UTF-8, UTF-16 or Windows-1252")
        self.line = line


def decode_text_file(raw: bytes) -> str:
    """The text of an uploaded CSV or text file, in the encodings spreadsheets save.

    UTF-8 (with or without BOM) first; UTF-16 with a BOM, as Excel's "Unicode text";
    Windows-1252, as German Excel saves "CSV (Trennzeichen-getrennt)", where a file
    is not UTF-8 and has no umlaut written in UTF-8, so half-broken UTF-8 is
    refused rather than read as "VerkÃ¤ufer".
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as error:
            read = raw[: error.start].decode("utf-16", errors="ignore")
            raise UndecodableText(read.count("\n") + 1) from error
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        failure = error.start
    # Not UTF-8 as a whole: Windows-1252, unless part of it is UTF-8 for umlauts.
    if not _UTF8_LATIN1.search(raw):
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError as error:
            failure = error.start
    raise UndecodableText(raw[:failure].count(b"\n") + 1)
