"""A new poll is announced to the session's members on their own `user:<id>` topic."""

from tests.scheduling.helpers import two_slot_poll


def test_a_new_poll_is_announced_to_every_member_but_its_author(world, capture_events):
    poll = two_slot_poll(world)
    told = {topic: event for topic, event in capture_events.events if event.type == "poll.opened"}
    members = {world.participant, world.other_participant, world.tutor}
    assert set(told) == {f"user:{user.pk}" for user in members}
    event = told[f"user:{world.participant.pk}"]
    assert (event.poll_id, event.session_id, event.title, event.url) == (
        poll.pk,
        world.session.pk,
        "Quand se retrouver ?",
        f"/sondages/{poll.pk}/",
    )
    for outsider in (world.outsider, world.inspector, world.admin):
        assert f"user:{outsider.pk}" not in told
