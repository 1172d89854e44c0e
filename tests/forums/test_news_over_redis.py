"""A post in a news forum tells every member, through the real Redis bus: all of its frames
(one per member's `user:<id>` topic, after the discussion's) leave in one trip and arrive,
each member's in number order."""

import json
import time

import pytest

from forums import services
from parcours import policies
from parcours.policies import Action
from realtime.bus import RedisBus, get_bus, split
from tests import factories
from tests.services import require_redis

CROWD = 40


@pytest.mark.django_db(transaction=True)
def test_a_news_post_reaches_every_members_bell_through_redis_in_number_order(world):
    url = require_redis()
    bus = get_bus()
    if not isinstance(bus, RedisBus):
        pytest.skip("the process's bus is the in-memory one")
    import redis

    factories.crowd(world.session, CROWD)
    forum = services.create_forum(
        scope=world.session.scope, actor=world.trainer, title="Annonces", kind="news"
    )
    news = services.start_discussion(
        forum=forum, author=world.trainer, title="Rentrée", body="<p>Bienvenue</p>"
    )
    members = policies.member_ids_granted(Action.READ_CONTRIBUTIONS, world.session.scope)
    members.discard(world.trainer.pk)
    listener = redis.Redis.from_url(url).pubsub()
    try:
        listener.psubscribe(bus.channel_name("user:*"))
        listener.subscribe(bus.channel_name(f"discussion:{news.pk}"))
        confirmed = 0
        while confirmed < 2:  # Redis has both subscriptions before anything is published
            message = listener.get_message(timeout=5)
            assert message is not None, "Redis did not confirm the subscriptions"
            confirmed += message["type"] in ("subscribe", "psubscribe")
        for n in range(2):
            services.reply(discussion=news, author=world.trainer, body=f"<p>Rappel {n}</p>")

        received: list[tuple[str, dict]] = []
        deadline = time.monotonic() + 20
        while len(received) < 2 * len(members) + 2 and time.monotonic() < deadline:
            message = listener.get_message(timeout=1)
            if message and message["type"] in ("message", "pmessage"):
                channel = message["channel"].decode().removeprefix(bus.channel_name(""))
                _marker, frame = split(message["data"])
                received.append((channel, json.loads(frame)))
    finally:
        listener.close()

    told: dict[int, list[int]] = {}
    for channel, frame in received:
        if channel.startswith("user:") and frame["type"] == "forum.reply_notification":
            told.setdefault(int(channel.removeprefix("user:")), []).append(frame["seq"])
    assert set(told) == members  # every member but the author, nobody else
    assert all(seqs == sorted(seqs) and len(seqs) == 2 for seqs in told.values())
    on_discussion = [f for c, f in received if c == f"discussion:{news.pk}"]
    assert [f["type"] for f in on_discussion] == ["forum.post_created"] * 2
