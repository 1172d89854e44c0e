"""`GET /api/v1/me/notifications`: the bell's list across devices, and its read marker (a
sequence number of the person's own topic, never a time)."""

from datetime import timedelta

import pytest

from forums import services as forums
from messaging import services as messaging
from realtime.models import NotificationsRead
from realtime.selectors import last_seq
from scheduling import services as scheduling
from scheduling.models import Poll
from tests.scheduling.helpers import good_slots

pytestmark = [pytest.mark.django_db(transaction=True)]


def _news(world):
    """For the participant: a reply in a discussion they started, a message from a peer, a
    class scheduled; and events on their topic that are not notifications."""
    forum = forums.create_forum(
        scope=world.session.scope, actor=world.trainer, title="Échanges", kind="standard"
    )
    discussion = forums.start_discussion(
        forum=forum, author=world.participant, title="Vos rituels", body="Et vous ?"
    )
    reply = forums.reply(discussion=discussion, author=world.other_participant, body="Un carnet")
    messaging.send_message(
        sender=world.other_participant,
        session=world.session,
        recipient_ids=[world.participant.pk],
        body="Bonjour",
    )
    messaging.send_message(  # their own: echoed to their topic, not news to them
        sender=world.participant, session=world.session, recipient_ids=[world.trainer.pk], body="Hé"
    )
    start = good_slots(1)[0]
    poll = scheduling.create_poll(
        session=world.session,
        actor=world.trainer,
        title="Classe de rentrée",
        slots=[scheduling.SlotIn(start, start + timedelta(hours=1))],
    )
    scheduled = scheduling.close_poll(poll=poll, actor=world.trainer)
    return discussion, reply, scheduled


def test_the_list_says_what_each_notification_is_about_with_a_link_newest_first(world, api):
    discussion, reply, scheduled = _news(world)
    body = api(world.participant).get("/me/notifications").json()

    assert [item["type"] for item in body["items"]] == [
        "class.scheduled",
        "poll.opened",
        "message.received",
        "forum.reply_notification",
    ]
    lesson, poll, message, answered = body["items"]
    assert lesson["text"].startswith("Classe virtuelle planifiée : Classe de rentrée, ")
    assert lesson["link"] == f"/sessions/{world.session.pk}/"
    assert lesson["about"]["class_id"] == scheduled.pk
    assert poll["text"] == "Nouveau sondage : Classe de rentrée"
    assert poll["about"] == {"poll_id": Poll.objects.get().pk, "session_id": world.session.pk}
    assert message["text"] == f"Message de Participant2 Test ({world.session.title})"
    assert message["link"] == f"/messages/{world.other_participant.pk}/"
    assert answered["text"] == "Participant2 Test a répondu dans « Vos rituels »"
    assert answered["link"] == f"/forums/discussions/{discussion.pk}/#post-{reply.pk}"
    assert answered["about"] == {"discussion_id": discussion.pk, "post_id": reply.pk}
    assert body["unread"] == 4 and all(item["unread"] for item in body["items"])
    head = last_seq(f"user:{world.participant.pk}")
    assert body["topics"] == {f"user:{world.participant.pk}": head}
    assert body["items"][0]["seq"] <= head
    assert "class.scheduled" in body["types"]


def test_pages_go_back_in_time_without_overlap(world, api):
    _news(world)
    reader = api(world.participant)
    first = reader.get("/me/notifications?limit=2").json()
    second = reader.get(f"/me/notifications?limit=2&before={first['next_before']}").json()

    assert [i["type"] for i in first["items"]] == ["class.scheduled", "poll.opened"]
    assert [i["type"] for i in second["items"]] == ["message.received", "forum.reply_notification"]
    assert first["next_before"] == first["items"][-1]["seq"]
    assert second["next_before"] is None


def test_the_read_marker_is_a_seq_that_only_moves_forward_up_to_the_head(world, api):
    _news(world)
    reader = api(world.participant)
    items = reader.get("/me/notifications").json()["items"]
    middle = items[1]["seq"]

    answer = reader.put("/me/notifications/read", {"seq": middle}).json()
    assert answer == {"read_seq": middle, "unread": 1}
    assert [i["unread"] for i in reader.get("/me/notifications").json()["items"]] == [
        True,
        False,
        False,
        False,
    ]
    assert reader.put("/me/notifications/read", {"seq": 1}).json()["read_seq"] == middle
    head = last_seq(f"user:{world.participant.pk}")
    assert reader.put("/me/notifications/read", {"seq": head + 50}).json() == {
        "read_seq": head,
        "unread": 0,
    }
    # Another device sees the same: the marker lives on the server.
    assert api(world.participant).get("/me/notifications").json()["unread"] == 0


def test_everyone_sees_only_their_own(world, api):
    _news(world)
    trainer = api(world.trainer).get("/me/notifications").json()["items"]
    assert [(i["type"], i["text"][:25]) for i in trainer] == [
        ("class.scheduled", "Classe virtuelle planifié"),
        ("message.received", "Message de Participant Te"),  # not the peer's to the participant
    ]
    assert api(world.outsider).get("/me/notifications").json()["unread"] == 0
    assert api(None).get("/me/notifications").status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"seq": -1}, "seq"),
        ({"seq": 2**63}, "seq"),
        ({"seq": 2**64 + 1}, "seq"),
        ({"seq": "3"}, "seq"),
        ({"seq": None}, "seq"),
        ({}, "seq"),
    ],
)
def test_a_bad_marker_is_refused_and_changes_nothing(world, api, body, field):
    _news(world)
    reader = api(world.participant)
    reader.put("/me/notifications/read", {"seq": 1})

    response = reader.put("/me/notifications/read", body)

    assert 400 <= response.status_code < 500
    assert field in str(response.json())
    assert NotificationsRead.objects.get(user=world.participant).seq == 1


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=101", "limit=x", "before=-1", f"before={2**64}", "before=%00"]
)
def test_bad_paging_is_refused(world, api, query):
    response = api(world.participant).get(f"/me/notifications?{query}")
    assert 400 <= response.status_code < 500
