"""CSV files that French spreadsheets open as they are: ';' between fields (',' is their
decimal separator) and UTF-8 with a byte-order mark, without which accents come out garbled.
Every export of every app goes through `spreadsheet`."""

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse


def spreadsheet(rows: Iterable[Sequence], *, filename: str) -> HttpResponse:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
