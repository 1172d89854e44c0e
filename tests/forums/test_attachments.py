"""Attachments: limited in size and type, judged by content, served only to readers."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from forums.models import Attachment

PDF = b"%PDF-1.7\n" + b"0" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 200


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _upload(client, post_id, name, content):
    return client.client.post(
        f"/api/v1/posts/{post_id}/attachments",
        {"file": SimpleUploadedFile(name, content)},
        headers=client.headers,
    )


def test_an_author_attaches_a_pdf_that_members_download(world, board, api):
    response = _upload(api(world.other_participant), board.reply.pk, "séquence CE1.pdf", PDF)
    assert response.status_code == 201, response.content
    attachment = response.json()
    assert (attachment["name"], attachment["size"]) == ("séquence CE1.pdf", len(PDF))
    post = api(world.participant).get(f"/posts/{board.reply.pk}").json()
    assert [a["name"] for a in post["attachments"]] == ["séquence CE1.pdf"]
    download = api(world.participant).get(attachment["url"].removeprefix("/api/v1"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download["Content-Disposition"]


@pytest.mark.parametrize("standing", ["inspector", "admin", "outsider", "national"])
def test_attachments_are_not_served_outside_the_session(world, board, api, standing):
    attachment = _upload(api(world.other_participant), board.reply.pk, "a.png", PNG).json()
    response = api(world.by_standing(standing)).get(attachment["url"].removeprefix("/api/v1"))
    assert response.status_code == 403


def test_a_private_replys_attachment_is_not_served_to_other_participants(world, board, api):
    private = api(world.participant).post(
        f"/discussions/{board.discussion.pk}/posts", {"body": "Privé", "private": True}
    )
    attachment = _upload(api(world.participant), private.json()["id"], "a.png", PNG).json()
    url = attachment["url"].removeprefix("/api/v1")
    assert api(world.other_participant).get(url).status_code == 404
    assert api(world.trainer).get(url).status_code == 200


@pytest.mark.parametrize(
    ("name", "content", "status"),
    [
        ("page.html", b"<script>alert(1)</script>", 422),
        ("script.js", b"alert(1)", 422),
        ("image.svg", b"<svg onload=alert(1)>", 422),
        ("faux.pdf", b"<html><script>alert(1)</script></html>", 422),
        ("faux.png", PDF, 422),
        ("binaire.txt", b"\xff\xfe\x00\x00", 422),
        ("sans-extension", PDF, 422),
        ("énorme.pdf", b"%PDF-" + b"0" * (512 * 1024), 413),
    ],
)
def test_refused_files_are_not_stored(world, board, api, name, content, status):
    response = _upload(api(world.other_participant), board.reply.pk, name, content)
    assert response.status_code == status, response.content
    assert response.json()["error"]["details"]["field"] == "file"
    assert not Attachment.objects.exists()


def test_only_the_author_attaches_files_to_a_post(world, board, api):
    response = _upload(api(world.participant), board.reply.pk, "a.pdf", PDF)
    assert response.status_code == 403
    assert not Attachment.objects.exists()


def test_a_path_in_the_file_name_is_dropped(world, board, api):
    response = _upload(api(world.other_participant), board.reply.pk, "../../etc/passwd.txt", b"hi")
    assert response.json()["name"] == "passwd.txt"
    stored = Attachment.objects.get()
    assert stored.file.name.startswith("forums/")
    assert ".." not in stored.file.name


def test_a_missing_file_field_is_named(world, board, api):
    client = api(world.other_participant)
    response = client.client.post(
        f"/api/v1/posts/{board.reply.pk}/attachments", {}, headers=client.headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"].endswith("file")
