"""What every app reads from a request: ids and free text, in the API and in page URLs.

Kept in the core so that every app may import it (imports point down). An id past a signed
64-bit integer overflows the database driver (SQLite raises, PostgreSQL casts), and a NUL
character cannot be stored in PostgreSQL text nor compared with it: both are refused where
the request is parsed, as a 4xx naming the field, never a 500 further down.
"""

from datetime import date
from typing import Annotated

from django.core.exceptions import BadRequest
from django.http import HttpRequest
from ninja import Field
from pydantic import AfterValidator

MAX_ID = 2**63 - 1
NUL_FREE_PATTERN = "^[^\\u0000]*$"


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("le caractère NUL n'est pas accepté")
    return value


# A database id in a path, a query string or a body.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# Free text read from a path or a query string (JSON bodies are checked once by the API's
# parser, config/api.py).
# The pattern tells clients (and the fuzzer) what the validator refuses.
QueryText = Annotated[
    str, AfterValidator(_no_nul), Field(json_schema_extra={"pattern": NUL_FREE_PATTERN})
]


class IdConverter:
    """`<id:name>` in page URLs: an id that fits the database, else the URL does not match."""

    regex = "[1-9][0-9]{0,18}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError("id past 64 bits")
        return number

    def to_url(self, value: int) -> str:
        return str(value)


def query_int(request: HttpRequest, name: str, *, default: int, low: int, high: int) -> int:
    """An integer from a page's query string; anything else is the client's error (400)."""
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    # str.isdigit() accepts "²", which int() refuses: only ASCII digits are a number here.
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise BadRequest(f"paramètre « {name} » invalide")
    return int(raw)


def query_date(request: HttpRequest, name: str, *, default: date, low: date, high: date) -> date:
    """A date (YYYY-MM-DD) from a page's query string, within [low, high], else 400."""
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = date.fromisoformat(raw)
    except ValueError as exc:
        raise BadRequest(f"paramètre « {name} » invalide") from exc
    if not low <= value <= high:
        raise BadRequest(f"paramètre « {name} » hors des dates possibles")
    return value
