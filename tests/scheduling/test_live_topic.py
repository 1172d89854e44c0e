"""`poll:<id>` through the real gateway: who may follow it, and what hidden results let out."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async

from scheduling import services
from tests.realtime.support import connect
from tests.scheduling.helpers import good_slots

pytestmark = [pytest.mark.django_db(transaction=True)]


def _poll(world, *, hide_results: bool):
    start = good_slots(1)[0]
    return services.create_poll(
        session=world.session,
        actor=world.trainer,
        title="En direct",
        hide_results=hide_results,
        slots=[services.SlotIn(start, start + timedelta(hours=1), seat_limit=10)],
    )


@pytest.mark.parametrize(
    ("standing", "allowed"),
    [("participant", True), ("trainer", True), ("inspector", False), ("outsider", False)],
)
async def test_following_a_poll_follows_the_policies(world, standing, allowed):
    poll = await database_sync_to_async(_poll)(world, hide_results=False)
    client, _ = await connect(world.by_standing(standing))
    answer = await client.subscribe(f"poll:{poll.pk}")
    assert (answer["op"] == "subscribed") is allowed
    await client.close()


async def test_an_unknown_poll_is_not_found(world):
    client, _ = await connect(world.participant)
    assert (await client.subscribe("poll:987654"))["code"] == "not_found"
    await client.close()


@pytest.mark.parametrize("hidden", [False, True])
async def test_answers_reach_followers_and_hidden_counts_do_not(world, hidden):
    poll = await database_sync_to_async(_poll)(world, hide_results=hidden)
    slot = await database_sync_to_async(lambda: poll.slots.get().pk)()
    client, _ = await connect(world.other_participant)
    await client.subscribe(f"poll:{poll.pk}")
    await database_sync_to_async(services.answer_poll)(
        poll=poll, user=world.participant, choices={slot: "yes"}
    )
    (frame,) = await client.events(1, topic=f"poll:{poll.pk}")
    if hidden:
        assert frame["type"] == "poll.seats"
        assert frame["data"] == {
            "poll_id": poll.pk,
            "respondents": 1,
            "slots": [{"slot_id": slot, "seats_left": 9}],
        }
    else:
        assert frame["type"] == "poll.answer_counts"
        assert frame["data"]["slots"][0]["yes"] == 1
    await client.close()
