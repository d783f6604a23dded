"""What the apps share for files people open in spreadsheet programs."""

import datetime
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
