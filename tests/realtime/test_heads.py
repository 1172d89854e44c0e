"""State with its position: each API read a live page or client builds on returns the heads
of the topics it depends on, and a client subscribing with `since` from them misses nothing."""

import json
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async

from classrooms import services as classrooms
from forums import services as forums
from messaging import services as messaging
from realtime.selectors import last_seq
from scheduling import services as scheduling
from tests.forums.conftest import make_board
from tests.realtime.support import connect
from tests.scheduling.helpers import good_slots


def _live_world(world):
    board = make_board(world)
    start = good_slots(1)[0]
    poll = scheduling.create_poll(
        session=world.session,
        actor=world.trainer,
        title="Réunion",
        slots=[scheduling.SlotIn(start, start + timedelta(hours=1), seat_limit=10)],
    )
    scheduling.answer_poll(poll=poll, user=world.participant, choices={poll.slots.get().pk: "yes"})
    room = classrooms.create_room(scope=world.session.scope, actor=world.trainer, title="Classe")
    classrooms.post_chat(room=room, actor=world.trainer, body="Bonjour")
    messaging.send_message(
        sender=world.participant, session=world.session, recipient_ids=[world.trainer.pk], body="Hé"
    )
    return board, poll, room


# (path, the topics it depends on, whether the body is an object carrying them)
READS = [
    ("/sessions/{session}", ["user:{me}"], True),
    ("/forums/{forum}", ["forum:{forum}"], True),
    ("/discussions/{discussion}", ["discussion:{discussion}"], True),
    ("/sessions/{session}/polls", ["poll:{poll}"], False),
    ("/polls/{poll}", ["poll:{poll}"], True),
    ("/sessions/{session}/classes", ["user:{me}"], False),
    ("/sessions/{session}/classrooms", ["classroom:{room}"], False),
    ("/classrooms/{room}", ["classroom:{room}"], True),
    ("/classrooms/{room}/chat", ["classroom:{room}"], False),
    ("/messages", ["user:{me}"], False),
]


@pytest.mark.django_db(transaction=True)  # events are numbered after their commit
@pytest.mark.parametrize(("path", "depends_on", "in_body"), READS)
def test_each_live_read_returns_the_heads_of_its_topics(world, api, path, depends_on, in_body):
    board, poll, room = _live_world(world)
    ids = {
        "session": world.session.pk,
        "forum": board.forum.pk,
        "discussion": board.discussion.pk,
        "poll": poll.pk,
        "room": room.pk,
        "me": world.trainer.pk,
    }
    expected = {topic.format(**ids): last_seq(topic.format(**ids)) for topic in depends_on}
    assert all(expected.values()), "every topic has events before the read"

    response = api(world.trainer).get(path.format(**ids))

    assert response.status_code == 200
    assert json.loads(response["Preau-Topics"]) == expected
    body = response.json()
    if in_body:
        assert body["topics"] == expected
    elif isinstance(body, list) and body and "topics" in body[0]:
        assert {k: v for item in body for k, v in item["topics"].items()} == expected


@pytest.mark.django_db(transaction=True)
def test_a_post_committed_while_the_state_is_read_comes_after_the_heads(world, api, monkeypatch):
    """Heads first, then state: a post that the state missed is replayed after `since`."""
    from forums import selectors

    board = make_board(world)
    read_posts = selectors.discussion_posts
    late = []

    def then_someone_replies(*args, **kwargs):
        posts = read_posts(*args, **kwargs)
        late.append(
            forums.reply(discussion=board.discussion, author=world.trainer, body="<p>Tard</p>")
        )
        return posts

    monkeypatch.setattr(selectors, "discussion_posts", then_someone_replies)
    body = api(world.participant).get(f"/discussions/{board.discussion.pk}").json()

    assert late[0].pk not in {post["id"] for post in body["posts"]}
    topic = f"discussion:{board.discussion.pk}"
    assert body["topics"][topic] < last_seq(topic)


@pytest.mark.django_db(transaction=True)
async def test_a_client_resuming_from_the_heads_gets_exactly_what_came_after(world, api):
    board = await database_sync_to_async(make_board)(world)
    topic = f"discussion:{board.discussion.pk}"
    reader = await database_sync_to_async(api)(world.participant)
    response = await database_sync_to_async(reader.get)(f"/discussions/{board.discussion.pk}")
    head = response.json()["topics"][topic]
    post = await database_sync_to_async(forums.reply)(
        discussion=board.discussion, author=world.trainer, body="<p>Après la lecture</p>"
    )

    client, _ = await connect(world.participant)
    answer = await client.subscribe(topic, since=head)
    frames = await client.events(1, topic)
    assert (frames[0]["seq"], frames[0]["data"]["post_id"]) == (head + 1, post.pk)
    assert answer["seq"] >= head + 1
    assert await client.nothing()
    await client.close()
