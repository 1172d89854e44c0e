"""The one rule for attached files: what is accepted, where it lies, how it is served."""

from pathlib import PurePosixPath

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from forums.models import Attachment as ForumAttachment
from messaging.models import Attachment as MessageAttachment
from parcours.attachments import check_upload, file_response
from parcours.errors import ErrorCode, ServiceError

PDF = b"%PDF-1.7\n" + b"0" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 200


def _refusal(name: str, content: bytes, max_bytes: int = 1024) -> ServiceError:
    with pytest.raises(ServiceError) as refused:
        check_upload(SimpleUploadedFile(name, content), max_bytes=max_bytes)
    assert refused.value.details["field"] == "file"
    return refused.value


def test_an_allowed_file_gets_its_content_type_from_our_table():
    upload = SimpleUploadedFile("séquence.pdf", PDF, content_type="text/html")
    assert check_upload(upload, max_bytes=1024) == ("séquence.pdf", "application/pdf")
    assert upload.read() == PDF  # left at its start, ready to be stored


def test_an_oversized_file_is_refused_with_the_limit():
    refused = _refusal("gros.pdf", PDF, max_bytes=100)
    assert refused.code == ErrorCode.TOO_LARGE
    assert refused.details["max_bytes"] == 100


@pytest.mark.parametrize("name", ["page.html", "script.js", "image.svg", "sans-extension"])
def test_a_type_outside_the_table_is_refused(name):
    assert _refusal(name, PDF).code == ErrorCode.INVALID


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("faux.pdf", b"<html><script>alert(1)</script></html>"),
        ("faux.png", PDF),
        ("faux.docx", PNG),
        ("binaire.txt", b"\xff\xfe\x00\x00"),
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(name, content):
    assert _refusal(name, content).code == ErrorCode.INVALID


@pytest.mark.parametrize("model", [ForumAttachment, MessageAttachment])
def test_a_path_like_name_is_stored_under_a_random_name_in_the_apps_folder(model):
    name, _ = check_upload(SimpleUploadedFile("../../etc/passwd.pdf", PDF), max_bytes=1024)
    assert name == "passwd.pdf"
    field = model._meta.get_field("file")
    stored = [PurePosixPath(field.generate_filename(model(), name)) for _ in range(2)]
    assert all(path.parent == PurePosixPath(model._meta.app_label) for path in stored)
    assert all(path.suffix == ".pdf" and "passwd" not in path.name for path in stored)
    assert stored[0] != stored[1]


@pytest.mark.parametrize(
    ("content_type", "disposition"),
    [("application/pdf", "attachment"), ("image/png", "inline")],
)
def test_files_are_served_with_their_checked_type_never_sniffed(
    db, settings, tmp_path, content_type, disposition
):
    # `db`: closing a response ends the request, which checks the database connection.
    settings.MEDIA_ROOT = tmp_path
    attachment = ForumAttachment(name="a", content_type=content_type, size=3)
    attachment.file.save("a.bin", SimpleUploadedFile("a.bin", b"abc"), save=False)
    response = file_response(attachment)
    assert b"".join(response.streaming_content) == b"abc"
    response.close()
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith(disposition)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
