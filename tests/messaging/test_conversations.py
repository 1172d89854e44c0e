"""Conversations: one person's exchange, replies in place, whom each person may write to."""

import pytest

from messaging.models import Message
from parcours.inputs import MAX_ID

CONTACTS = {
    # standing: (may write, several at once)
    "participant": (True, False),
    "tutor": (True, True),
    "trainer": (True, True),
    "admin_granted": (False, False),
    "inspector": (False, False),
    "admin": (False, False),
    "designer": (False, False),
    "national": (False, False),
    "outsider": (False, False),
}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def send(api, sender, recipients, body, **extra) -> dict:
    payload = {"recipient_ids": [r.pk for r in recipients], "body": body} | extra
    response = api(sender).post("/messages", payload)
    assert response.status_code == 201, response.content
    return response.json()


def test_a_message_names_its_session_by_title_and_its_recipients(api, world):
    sent = send(
        api,
        world.trainer,
        [world.participant, world.other_participant],
        "Classe jeudi",
        session_id=world.session.pk,
    )
    assert sent["session_title"] == "Session Rouen Nord"
    assert [r["name"] for r in sent["recipients"]] == ["Participant Test", "Participant2 Test"]


def test_a_conversation_is_what_two_people_wrote_to_each_other(api, world):
    """A trainer's message to two participants belongs to each one's exchange with the
    trainer, not to the two participants' exchange with each other."""
    session = world.session.pk
    everyone = [world.participant, world.other_participant]
    send(api, world.trainer, everyone, "À tous", session_id=session)
    send(api, world.participant, [world.trainer], "Merci", session_id=session)
    send(api, world.participant, [world.other_participant], "On révise ?", session_id=session)

    def exchange(viewer, other) -> list[str]:
        found = api(viewer).get(f"/messages?with_user={other.pk}").json()
        return [m["body"] for m in found]

    assert exchange(world.participant, world.trainer) == ["Merci", "À tous"]
    assert exchange(world.trainer, world.participant) == ["Merci", "À tous"]
    assert exchange(world.participant, world.other_participant) == ["On révise ?"]
    assert exchange(world.other_participant, world.trainer) == ["À tous"]
    assert exchange(world.tutor, world.participant) == []


def test_the_conversations_list_the_people_of_ones_exchanges_latest_first(api, world):
    session = world.session.pk
    send(api, world.trainer, [world.participant], "Bienvenue", session_id=session)
    send(api, world.other_participant, [world.participant], "Salut", session_id=session)
    listed = api(world.participant).get("/messages/conversations").json()
    assert [(c["name"], c["last_body"], c["last_from_me"]) for c in listed] == [
        ("Participant2 Test", "Salut", False),
        ("Trainer Test", "Bienvenue", False),
    ]
    assert {c["session_title"] for c in listed} == {"Session Rouen Nord"}
    mine = api(world.trainer).get("/messages/conversations").json()
    assert [(c["name"], c["last_from_me"]) for c in mine] == [("Participant Test", True)]
    assert api(world.outsider).get("/messages/conversations").json() == []


def test_a_reply_stays_in_the_session_of_the_message_it_answers(api, world):
    first = send(api, world.trainer, [world.participant], "Question ?", session_id=world.session.pk)
    reply = send(api, world.participant, [world.trainer], "Réponse", reply_to=first["id"])
    assert (reply["reply_to"], reply["session_id"]) == (first["id"], world.session.pk)
    exchange = api(world.trainer).get(f"/messages?with_user={world.participant.pk}").json()
    assert [m["body"] for m in exchange] == ["Réponse", "Question ?"]


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        # Unknown message, another people's message, a session other than the message's.
        ({"reply_to": 99999}, 404, None),
        ({"reply_to": "others"}, 404, None),
        ({"reply_to": "first", "session_id": "other_session"}, 422, "session_id"),
        # A reply goes to people of the message it answers.
        ({"reply_to": "first", "recipient_ids": ["tutor"]}, 422, "recipient_ids"),
        ({"reply_to": MAX_ID + 1}, 422, "reply_to"),
        ({"recipient_ids": [MAX_ID + 1]}, 422, "recipient_ids.0"),
        ({"reply_to": "first", "body": "a\x00b"}, 422, "body"),
        ({"body": "x"}, 422, "session_id"),
    ],
)
def test_a_bad_reply_is_refused_clearly_and_changes_nothing(api, world, payload, status, field):
    first = send(api, world.trainer, [world.participant], "Question ?", session_id=world.session.pk)
    others = send(api, world.tutor, [world.other_participant], "Privé", session_id=world.session.pk)
    names = {
        "first": first["id"],
        "others": others["id"],
        "other_session": world.other_session.pk,
        "tutor": world.tutor.pk,
    }

    def named(value):
        return [named(v) for v in value] if isinstance(value, list) else names.get(value, value)

    body = {"recipient_ids": [world.trainer.pk], "body": "Réponse"}
    body |= {key: named(value) for key, value in payload.items()}
    before = list(Message.objects.order_by("pk").values_list("pk", "body", "reply_to"))

    response = api(world.participant).post("/messages", body)

    assert response.status_code == status, response.content
    error = response.json()["error"]
    if field:
        assert error["details"]["field"] == field
    assert error["message"]
    assert list(Message.objects.order_by("pk").values_list("pk", "body", "reply_to")) == before


def test_no_reply_once_the_session_is_closed(api, world):
    first = send(api, world.trainer, [world.participant], "Question ?", session_id=world.session.pk)
    world.session.state = "closed"
    world.session.save()
    response = api(world.participant).post(
        "/messages", {"reply_to": first["id"], "recipient_ids": [world.trainer.pk], "body": "x"}
    )
    assert (response.status_code, response.json()["error"]["code"]) == (409, "frozen")
    assert Message.objects.count() == 1


@pytest.mark.parametrize(("standing", "expected"), CONTACTS.items())
def test_the_page_offers_to_write_only_to_whom_one_may(client, world, standing, expected):
    may_write, several = expected
    viewer = world.by_standing(standing)
    client.force_login(viewer)
    response = client.get("/messages/")
    assert response.status_code == 200
    contacts = response.context["contacts"]
    assert (b'id="write"' in response.content) == may_write
    if not may_write:
        assert contacts == []
        assert "Vous ne pouvez écrire à personne" in response.content.decode()
        return
    (only,) = contacts
    assert (only["title"], only["several"]) == ("Session Rouen Nord", several)
    others = {world.participant, world.other_participant, world.tutor, world.trainer} - {viewer}
    assert {m["id"] for m in only["members"]} == {u.pk for u in others}


def test_a_closed_session_offers_no_one_to_write_to(client, world):
    world.session.state = "closed"
    world.session.save()
    client.force_login(world.trainer)
    response = client.get("/messages/")
    assert response.context["contacts"] == []
    assert b'id="write"' not in response.content


@pytest.mark.parametrize("path", ["/messages/{participant2}/", "/messages/99999/"])
def test_a_conversation_one_has_not_had_is_not_found(client, world, api, path):
    """The participant has had no exchange with participant2 (only the trainer has)."""
    send(api, world.trainer, [world.other_participant], "Privé", session_id=world.session.pk)
    client.force_login(world.participant)
    response = client.get(path.format(participant2=world.other_participant.pk))
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
    assert "Privé" not in response.content.decode()


def test_a_conversation_page_offers_a_reply_while_the_session_runs(client, world, api):
    send(api, world.trainer, [world.participant], "Question ?", session_id=world.session.pk)
    client.force_login(world.participant)
    url = f"/messages/{world.trainer.pk}/"
    assert b'id="reply"' in client.get(url).content
    world.session.state = "closed"
    world.session.save()
    closed = client.get(url)
    assert b'id="reply"' not in closed.content
    assert "Vous ne pouvez plus écrire à cette personne" in closed.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_bell_names_the_session_and_opens_the_conversation(api, world):
    send(api, world.trainer, [world.participant], "Question ?", session_id=world.session.pk)
    (item,) = api(world.participant).get("/me/notifications").json()["items"][:1]
    assert item["text"] == "Message de Trainer Test (Session Rouen Nord)"
    assert item["link"] == f"/messages/{world.trainer.pk}/"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (f"with_user={MAX_ID + 1}", "with_user"),
        ("with_user=abc", "with_user"),
        (f"session_id={MAX_ID + 1}", "session_id"),
    ],
)
def test_a_bad_filter_is_named_in_a_clear_error(api, world, query, field):
    response = api(world.participant).get(f"/messages?{query}")
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == field


def test_no_one_reads_other_peoples_exchange_through_the_filter(api, world):
    """The tutor's message to participant2 is theirs: the participant asking for the
    tutor's or participant2's exchange gets only what they themselves wrote or received."""
    send(api, world.tutor, [world.other_participant], "Privé", session_id=world.session.pk)
    me = api(world.participant)
    for other in (world.tutor, world.other_participant):
        assert me.get(f"/messages?with_user={other.pk}").json() == []
    assert me.get("/messages/conversations").json() == []
