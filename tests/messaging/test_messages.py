"""Direct messages: who may write to whom, what each side sees, attachments kept to them."""

from pathlib import Path, PurePosixPath

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from messaging.models import Attachment, Message
from tests import factories

SENDERS = {
    "participant": True,
    "tutor": True,
    "trainer": True,
    "admin_granted": False,
    "inspector": False,
    "admin": False,
    "designer": False,
    "national": False,
    "outsider": False,
}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize(("standing", "allowed"), SENDERS.items())
def test_members_may_write_to_another_member_of_their_session(api, world, standing, allowed):
    response = api(world.by_standing(standing)).post(
        "/messages",
        {
            "session_id": world.session.pk,
            "recipient_ids": [world.other_participant.pk],
            "body": "Bonjour",
        },
    )
    assert response.status_code == (201 if allowed else 403)


@pytest.mark.parametrize(
    ("standing", "allowed"), [("trainer", True), ("tutor", True), ("participant", False)]
)
def test_writing_to_several_participants_at_once_is_for_trainers(api, world, standing, allowed):
    recipients = [world.participant.pk, world.other_participant.pk, world.trainer.pk]
    recipients = [pk for pk in recipients if pk != world.by_standing(standing).pk][:2]
    response = api(world.by_standing(standing)).post(
        "/messages", {"session_id": world.session.pk, "recipient_ids": recipients, "body": "À tous"}
    )
    assert response.status_code == (201 if allowed else 403)


def test_a_recipient_outside_the_session_is_refused(api, world):
    response = api(world.participant).post(
        "/messages",
        {"session_id": world.session.pk, "recipient_ids": [world.outsider.pk], "body": "Coucou"},
    )
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_a_message_names_its_parcours_and_reaches_each_persons_topic(api, world, capture_events):
    response = api(world.trainer).post(
        "/messages",
        {
            "session_id": world.session.pk,
            "recipient_ids": [world.participant.pk, world.other_participant.pk],
            "body": "Classe virtuelle jeudi",
        },
    )
    message = response.json()
    assert message["parcours"] == world.session.parcours.title
    assert message["sender_name"] == "Trainer Test"
    topics = sorted(topic for topic, _ in capture_events.events)
    expected = [world.participant.pk, world.other_participant.pk, world.trainer.pk]
    assert topics == sorted(f"user:{pk}" for pk in expected)
    assert {event.type for _, event in capture_events.events} == {"message.received"}


def test_each_person_lists_only_the_messages_they_sent_or_received(api, world):
    api(world.trainer).post(
        "/messages",
        {"session_id": world.session.pk, "recipient_ids": [world.participant.pk], "body": "A"},
    )
    api(world.tutor).post(
        "/messages",
        {
            "session_id": world.session.pk,
            "recipient_ids": [world.other_participant.pk],
            "body": "B",
        },
    )
    assert [m["body"] for m in api(world.participant).get("/messages").json()] == ["A"]
    assert [m["body"] for m in api(world.trainer).get("/messages").json()] == ["A"]
    assert api(world.outsider).get("/messages").json() == []
    filtered = api(world.participant).get(f"/messages?with_user={world.tutor.pk}").json()
    assert filtered == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"recipient_ids": [1], "body": "x"}, "session_id"),
        ({"session_id": 1, "recipient_ids": [], "body": "x"}, "recipient_ids"),
        ({"session_id": 1, "recipient_ids": ["a"], "body": "x"}, "recipient_ids.0"),
        ({"session_id": 1, "recipient_ids": [1], "body": ""}, "body"),
        ({"session_id": 1, "recipient_ids": [1], "body": "x" * 5001}, "body"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(api, world, body, field):
    response = api(world.participant).post("/messages", body)
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == field
    assert not Message.objects.exists()


def test_a_blank_body_is_refused(api, world):
    response = api(world.participant).post(
        "/messages",
        {"session_id": world.session.pk, "recipient_ids": [world.trainer.pk], "body": "   "},
    )
    assert (response.status_code, response.json()["error"]["details"]["field"]) == (422, "body")


def test_an_unknown_session_or_recipient_is_not_found(api, world):
    me = api(world.participant)
    assert (
        me.post("/messages", {"session_id": 99999, "recipient_ids": [1], "body": "x"}).status_code
        == 404
    )
    response = me.post(
        "/messages", {"session_id": world.session.pk, "recipient_ids": [99999], "body": "x"}
    )
    assert response.status_code == 404


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _message_to_participant(api, world) -> dict:
    body = {"session_id": world.session.pk, "recipient_ids": [world.participant.pk], "body": "x"}
    return api(world.trainer).post("/messages", body).json()


def _attach(client, message_id: int, headers: dict, name: str, content: bytes):
    upload = SimpleUploadedFile(name, content, content_type="text/plain")
    return client.post(
        f"/api/v1/messages/{message_id}/attachments", {"file": upload}, headers=headers
    )


@pytest.mark.parametrize(
    ("reader", "allowed"),
    [
        ("trainer", True),
        ("participant", True),
        ("other_participant", False),
        ("admin_granted", False),
    ],
)
def test_attachments_are_kept_to_the_messages_sender_and_recipients(
    api, world, media, client, reader, allowed
):
    sent = _message_to_participant(api, world)
    token = api(world.trainer).headers
    response = _attach(client, sent["id"], token, "programme.txt", b"jeudi 14h")
    assert response.status_code == 201
    url = response.json()["url"]
    got = api(world.by_standing(reader)).get(url.removeprefix("/api/v1"))
    assert got.status_code == (200 if allowed else 404)
    if allowed:
        assert b"".join(got.streaming_content) == b"jeudi 14h"


def test_only_the_sender_attaches_files_to_a_message(api, world, media, client):
    sent = _message_to_participant(api, world)
    response = _attach(client, sent["id"], api(world.participant).headers, "a.txt", b"a")
    assert response.status_code == 404


def test_an_attachment_is_stored_under_a_random_name(api, world, media, client):
    sent = _message_to_participant(api, world)
    headers = api(world.trainer).headers
    first = _attach(client, sent["id"], headers, "../../etc/passwd.txt", b"un")
    second = _attach(client, sent["id"], headers, "passwd.txt", b"deux")
    assert [first.json()["name"], second.json()["name"]] == ["passwd.txt", "passwd.txt"]
    stored = [a.file.name for a in Attachment.objects.all()]
    assert all(PurePosixPath(n).parent == PurePosixPath("messaging") for n in stored)
    assert all(n.endswith(".txt") and "passwd" not in n for n in stored)
    assert stored[0] != stored[1]


def test_a_file_whose_content_belies_its_extension_is_not_stored(api, world, media, client):
    sent = _message_to_participant(api, world)
    headers = api(world.trainer).headers
    response = _attach(client, sent["id"], headers, "faux.pdf", b"<html><script>x</script>")
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "file"
    assert not Attachment.objects.exists()


def test_a_member_of_another_session_is_not_a_common_member(api, world):
    shared = factories.session(academy_obj=world.session.academy)
    factories.member(shared, "participant", user_obj=world.outsider)
    response = api(world.participant).post(
        "/messages",
        {"session_id": shared.pk, "recipient_ids": [world.outsider.pk], "body": "x"},
    )
    assert response.status_code == 403


def test_an_attachment_up_to_the_advertised_five_mib_is_accepted(api, world, media, client):
    """The OpenAPI states 5 MiB for a message's file; the server takes what it states."""
    sent = _message_to_participant(api, world)
    content = b"%PDF-" + b"x" * (5 * 1024 * 1024 - 5)
    response = _attach(client, sent["id"], api(world.trainer).headers, "cours.pdf", content)
    assert response.status_code == 201
    assert Attachment.objects.get().size == 5 * 1024 * 1024


@pytest.mark.parametrize(("extra", "field"), [(1, "file"), (64 * 1024, "body")])
def test_an_attachment_over_five_mib_is_refused_and_nothing_is_stored(
    api, world, media, client, settings, extra, field
):
    sent = _message_to_participant(api, world)
    content = b"%PDF-" + b"x" * (5 * 1024 * 1024 - 5 + extra)
    response = _attach(client, sent["id"], api(world.trainer).headers, "cours.pdf", content)
    assert response.status_code == 413
    error = response.json()["error"]
    assert (error["code"], error["details"]["field"]) == ("too_large", field)
    assert not Attachment.objects.exists()
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.pdf"))
