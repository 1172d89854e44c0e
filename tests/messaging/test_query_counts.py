"""A direct message costs the same few queries to one person or to two hundred, in a small
session or a crowded one (see tests/forums/test_query_counts.py for the method)."""

from messaging.services import MAX_RECIPIENTS
from tests import factories
from tests.forums.test_query_counts import count_queries

# Authentication, the checks, the rows, the events and the response, whatever the numbers.
MESSAGE_QUERIES = 15


def test_a_message_to_one_member_costs_as_many_queries_in_a_crowded_session(
    world, api, capture_events, django_assert_max_num_queries
):
    client = api(world.participant)
    client.get("/me")

    def send() -> None:
        body = {
            "session_id": world.session.pk,
            "recipient_ids": [world.other_participant.pk],
            "body": "Bonjour",
        }
        response = client.post("/messages", body)
        assert response.status_code == 201, response.content

    small = count_queries(django_assert_max_num_queries, MESSAGE_QUERIES, send)
    factories.crowd(world.session, 300)
    large = count_queries(django_assert_max_num_queries, MESSAGE_QUERIES, send)

    assert large == small


def test_a_trainers_message_costs_as_many_queries_to_two_or_two_hundred_participants(
    world, api, capture_events, django_assert_max_num_queries
):
    crowd = factories.crowd(world.session, MAX_RECIPIENTS)
    client = api(world.trainer)
    client.get("/me")

    def send(recipients: list) -> None:
        body = {
            "session_id": world.session.pk,
            "recipient_ids": [u.pk for u in recipients],
            "body": "Rappel : classe virtuelle jeudi",
        }
        response = client.post("/messages", body)
        assert response.status_code == 201, response.content

    small = count_queries(django_assert_max_num_queries, MESSAGE_QUERIES, lambda: send(crowd[:2]))
    large = count_queries(django_assert_max_num_queries, MESSAGE_QUERIES, lambda: send(crowd))

    assert large == small
    told = [t for t, e in capture_events.events if e.type == "message.received"]
    assert len(told) == (2 + 1) + (MAX_RECIPIENTS + 1)  # each recipient, and the sender
