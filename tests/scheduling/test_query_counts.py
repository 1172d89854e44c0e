"""A vote costs the same few queries in a small session and in a crowded one, and for one
slot or thirty (see tests/forums/test_query_counts.py for the method)."""

from scheduling.models import Answer, Ballot, PollSlot
from tests import factories
from tests.forums.test_query_counts import count_queries
from tests.scheduling.helpers import good_slots, slot_body

# Authentication, the poll's lock and rules, the ballot, the tallies published live and the
# poll as the voter sees it, whatever the numbers.
VOTE_QUERIES = 24


def make_poll(api, world, slots: int) -> dict:
    body = {
        "title": "Classe virtuelle : stratégies",
        "slots": [slot_body(s, seat_limit=400) for s in good_slots(slots)],
    }
    response = api(world.trainer).post(f"/sessions/{world.session.pk}/polls", body)
    assert response.status_code == 201, response.json()
    return response.json()


def vote(client, poll: dict, slots: list[dict]) -> None:
    choices = {slot["id"]: "yes" for slot in slots}
    response = client.post(f"/polls/{poll['id']}/answers", {"choices": choices})
    assert response.status_code == 200, response.content


def test_a_vote_costs_as_many_queries_with_three_or_three_hundred_voters(
    world, api, capture_events, django_assert_max_num_queries
):
    poll = make_poll(api, world, 3)
    first, second = api(world.participant), api(world.other_participant)
    first.get("/me")
    second.get("/me")

    small = count_queries(
        django_assert_max_num_queries, VOTE_QUERIES, lambda: vote(first, poll, poll["slots"])
    )
    crowd = factories.crowd(world.session, 300)
    ballots = Ballot.objects.bulk_create(Ballot(poll_id=poll["id"], user=u) for u in crowd)
    Answer.objects.bulk_create(
        Answer(ballot=b, slot_id=s.pk, choice="yes")
        for b in ballots
        for s in PollSlot.objects.filter(poll_id=poll["id"])
    )
    large = count_queries(
        django_assert_max_num_queries, VOTE_QUERIES, lambda: vote(second, poll, poll["slots"])
    )

    assert large == small
    last = [e for t, e in capture_events.events if e.type == "poll.answer_counts"][-1]
    assert [slot.yes for slot in last.slots] == [302, 302, 302]


def test_a_vote_costs_as_many_queries_for_one_slot_or_thirty(
    world, api, django_assert_max_num_queries
):
    poll = make_poll(api, world, 30)
    first, second = api(world.participant), api(world.other_participant)
    first.get("/me")
    second.get("/me")

    one = count_queries(
        django_assert_max_num_queries, VOTE_QUERIES, lambda: vote(first, poll, poll["slots"][:1])
    )
    thirty = count_queries(
        django_assert_max_num_queries, VOTE_QUERIES, lambda: vote(second, poll, poll["slots"])
    )

    assert thirty == one
    assert Answer.objects.filter(ballot__user=world.other_participant).count() == 30
