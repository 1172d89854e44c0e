"""Files attached to contributions (forum posts, direct messages): one rule for all apps.

Each app keeps its own concrete model, linked to what it attaches to, and its own
permission check; what a file may be, where it lies on disk and how it is sent back are
decided here, once, so that no app accepts or serves a file another would refuse.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.http import FileResponse

from .errors import ErrorCode, ServiceError

# Extension -> (content type served, leading bytes the file must start with).
ATTACHMENT_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".txt": ("text/plain; charset=utf-8", ()),
    ".odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
    ".odp": ("application/vnd.oasis.opendocument.presentation", (b"PK\x03\x04",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
}


# Room for the multipart envelope around one file (boundary lines, the part's headers).
MULTIPART_ENVELOPE = 16 * 1024


def upload_route(max_file_bytes: int) -> dict:
    """`openapi_extra` of a route that takes one file of at most `max_file_bytes`: the body
    limit the server enforces as the body arrives (`config.bodies`), stated in the OpenAPI."""
    return {
        "x-max-body-bytes": max_file_bytes + MULTIPART_ENVELOPE,
        "x-max-file-bytes": max_file_bytes,
        "requestBody": {
            "description": f"Un fichier de {max_file_bytes} octets au plus "
            f"({max_file_bytes // 1024} Kio ; 413 « too_large » au-delà)."
        },
    }


def upload_path(instance: AttachmentBase, filename: str) -> str:
    """A random name in the app's folder: the original name is kept in `name`, never used
    as a path, so a name like `../../etc/passwd.pdf` cannot choose where a file lands."""
    suffix = PurePosixPath(filename).suffix.lower()
    return f"{instance._meta.app_label}/{uuid.uuid4().hex}{suffix}"


class AttachmentBase(models.Model):
    """What every attachment holds; the concrete model adds the link to its owner."""

    # Never under MEDIA_URL's public listing: the API serves each file to the readers of
    # what it is attached to, and to no one else.
    file = models.FileField(upload_to=upload_path)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    class Meta:
        abstract = True
        ordering = ["id"]


def _invalid(message: str) -> ServiceError:
    return ServiceError(ErrorCode.INVALID, message, {"field": "file"})


def check_upload(upload: UploadedFile, *, max_bytes: int) -> tuple[str, str]:
    """(safe name, content type) of an allowed file, judged by extension and content.

    The content type comes from our own table, never from the client, so that what is
    served is what was checked.
    """
    name = PurePosixPath((upload.name or "").replace("\\", "/")).name[-200:]
    allowed = ATTACHMENT_TYPES.get(PurePosixPath(name).suffix.lower())
    if not name or allowed is None:
        kinds = ", ".join(sorted(ATTACHMENT_TYPES))
        raise _invalid(f"Type de fichier refusé. Types acceptés : {kinds}.")
    if upload.size > max_bytes:
        raise ServiceError(
            ErrorCode.TOO_LARGE,
            f"Fichier trop volumineux (maximum {max_bytes // 1024} Kio).",
            {"field": "file", "max_bytes": max_bytes},
        )
    content_type, signatures = allowed
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if signatures and not head.startswith(signatures):
        raise _invalid("Le contenu du fichier ne correspond pas à son extension.")
    if not signatures:
        try:
            upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise _invalid("Un fichier .txt doit être du texte UTF-8.") from None
        upload.seek(0)
    return name, content_type


def save_upload(
    model: type[AttachmentBase], upload: UploadedFile, *, max_bytes: int, **owner
) -> AttachmentBase:
    """Check `upload`, then store it as a new `model` row linked to `owner` (its post, its
    message); nothing is written when the file is refused."""
    name, content_type = check_upload(upload, max_bytes=max_bytes)
    attachment = model(name=name, content_type=content_type, size=upload.size, **owner)
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment


def file_response(attachment: AttachmentBase) -> FileResponse:
    """The file of an attachment its app has already allowed this reader to fetch."""
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=not attachment.content_type.startswith("image/"),
        filename=attachment.name,
    )
    # Served from our own type table, never sniffed, never run as a page.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
