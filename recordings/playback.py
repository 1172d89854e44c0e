"""Member-only playback: links bound to one person and one recording, served by ranges.

A playback link carries a signed token naming the recording, the member it was made for and
when it stops working. The media route checks the token *and* the person asking (their
session cookie or API token) *and* the policy, on every request, ranges included: a link
copied to someone else, used after its expiry, or kept by a member who has since been
removed, is refused. Nothing is ever served from a public path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

from django.conf import settings
from django.core import signing
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from parcours.errors import ErrorCode, ServiceError

from .models import Recording

SALT = "recordings.playback"
CHUNK_BYTES = 64 * 1024
RANGE = re.compile(r"^bytes=(\d{0,19})-(\d{0,19})$")


def playback_link(recording: Recording, user) -> tuple[str, datetime]:
    """The media URL for `user`, and when it expires."""
    ttl = settings.RECORDINGS_PLAYBACK_TTL + int(recording.seconds)
    expires = int(timezone.now().timestamp()) + ttl
    token = signing.dumps({"r": recording.pk, "u": user.pk, "e": expires}, salt=SALT)
    url = reverse("api:recording_media", kwargs={"recording_id": recording.pk})
    return f"{url}?t={token}", datetime.fromtimestamp(expires, tz=UTC)


def check_link(token: str, recording_id: int, user) -> None:
    """Refuse a token that is forged, for another recording or person, or expired."""
    refused = ServiceError(
        ErrorCode.FORBIDDEN,
        gettext("Ce lien de lecture n'est pas valable pour vous, ou il a expiré."),
        {"field": "t"},
    )
    try:
        claims = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise refused from None
    if not isinstance(claims, dict):
        raise refused
    if claims.get("r") != recording_id or claims.get("u") != getattr(user, "pk", None):
        raise refused
    if not isinstance(claims.get("e"), int) or claims["e"] < timezone.now().timestamp():
        raise refused


def requested_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive byte range asked for, or None to send the whole file.

    A header this server does not understand (several ranges, another unit, garbage) is
    ignored, as RFC 9110 allows; a range past the end raises `Unsatisfiable`.
    """
    match = RANGE.match(header.strip()) if header else None
    if match is None or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":  # the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            raise Unsatisfiable
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        raise Unsatisfiable
    return start, end


class Unsatisfiable(Exception):
    pass


def media_response(recording: Recording, range_header: str | None) -> HttpResponse:
    """The recording's bytes, whole (200) or the range asked for (206), never cached."""
    size = recording.size
    try:
        wanted = requested_range(range_header, size)
    except Unsatisfiable:
        response = JsonResponse(
            {
                "error": {
                    "code": ErrorCode.INVALID,
                    "message": gettext("Plage d'octets hors du fichier."),
                    "details": {"field": "Range", "size": size},
                }
            },
            status=416,
        )
        response["Content-Range"] = f"bytes */{size}"
        return response
    start, end = wanted if wanted is not None else (0, size - 1)
    response = StreamingHttpResponse(
        _read(recording, start, end - start + 1),
        status=206 if wanted is not None else 200,
        content_type=recording.content_type,
    )
    response["Content-Length"] = str(max(0, end - start + 1))
    if wanted is not None:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _read(recording: Recording, start: int, length: int) -> Iterator[bytes]:
    field = recording.file
    field.open("rb")
    try:
        # django-storages' S3 file downloads the whole object before it can seek: ask the
        # bucket for the range alone.
        remote = getattr(field.file, "obj", None)
        if remote is not None:
            if length > 0:
                body = remote.get(Range=f"bytes={start}-{start + length - 1}")["Body"]
                yield from body.iter_chunks(CHUNK_BYTES)
            return
        field.seek(start)
        while length > 0:
            chunk = field.read(min(CHUNK_BYTES, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk
    finally:
        field.close()
