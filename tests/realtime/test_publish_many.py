"""`publish_many`: one event on many topics, each numbered, stored and delivered as `publish`
would, in a fixed number of queries; concurrent writers never deadlock on PostgreSQL."""

import random

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from realtime import publish, publish_each, publish_many
from realtime.models import StoredEvent
from realtime.publishing import capture
from realtime.selectors import last_seq
from tests.realtime.support import Said
from tests.services import require_postgres, run_together


def test_each_topic_gets_its_own_next_number_and_a_stored_frame(transactional_db):
    publish("room:1", Said(body="avant", author_id=1))
    publish("room:1", Said(body="avant", author_id=1))

    seqs = publish_many(["room:2", "room:1", "user:7", "room:1"], Said(body="à tous", author_id=1))

    assert seqs == {"room:1": 3, "room:2": 1, "user:7": 1}
    stored = StoredEvent.objects.filter(frame__contains="à tous").values_list("topic", "seq")
    assert sorted(stored) == [("room:1", 3), ("room:2", 1), ("user:7", 1)]


def test_several_events_on_one_topic_in_a_batch_keep_their_order_and_numbers(transactional_db):
    publish("user:1", Said(body="avant", author_id=1))

    taken = publish_each(
        [
            ("user:2", Said(body="b1", author_id=1)),
            ("user:1", Said(body="a1", author_id=1)),
            ("user:1", Said(body="a2", author_id=1)),
        ]
    )

    assert taken == [("user:2", 1), ("user:1", 2), ("user:1", 3)]
    frames = (
        StoredEvent.objects.filter(topic="user:1").order_by("seq").values_list("frame", flat=True)
    )
    assert ['"a1"' in f for f in frames] == [False, True, False]
    assert ['"a2"' in f for f in frames] == [False, False, True]


def test_delivery_waits_for_the_commit_and_a_rollback_leaves_nothing(transactional_db):
    with capture() as delivered:
        with transaction.atomic():
            publish_many(["user:1", "user:2"], Said(body="gardé", author_id=1))
            assert delivered == []
        assert sorted(topic for topic, _ in delivered) == ["user:1", "user:2"]

        with pytest.raises(RuntimeError), transaction.atomic():
            publish_many(["user:1", "user:3"], Said(body="annulé", author_id=1))
            raise RuntimeError
    assert len(delivered) == 2
    assert (last_seq("user:1"), last_seq("user:3")) == (1, 0)
    assert not StoredEvent.objects.filter(frame__contains="annulé").exists()


def test_three_or_three_hundred_topics_cost_the_same_queries(transactional_db):
    """One insert in the writer's transaction; after its commit, three statements lock the
    topics and number them: on PostgreSQL they are two (numbering the events and moving the
    sequences on are one) sent together, one round trip with no BEGIN nor COMMIT of its own."""

    def statements(queries: list[dict]) -> int:
        control = ("BEGIN", "SAVEPOINT", "RELEASE", "COMMIT")
        return sum(not q["sql"].startswith(control) for q in queries)

    def queries(count: int) -> tuple[int, int]:
        """Statements inside the writer's transaction; round trips (PostgreSQL) or
        statements (SQLite) after its commit."""
        with CaptureQueriesContext(connection) as captured, transaction.atomic():
            publish_many([f"user:{n}" for n in range(1, count + 1)], Said(body="x", author_id=1))
            inside = len(captured)
        before, after = captured.captured_queries[:inside], captured.captured_queries[inside:]
        if connection.vendor == "postgresql":
            assert after[0]["sql"] == "COMMIT"  # the writer's
            return statements(before), len(after) - 1
        return statements(before), statements(after)

    after_commit = 1 if connection.vendor == "postgresql" else 3
    assert queries(3) == queries(300) == (1, after_commit)


def test_an_invalid_topic_is_refused_before_anything_is_written(db):
    with pytest.raises(ValueError):
        publish_many(["user:1", "pas un sujet"], Said(body="x", author_id=1))
    assert not StoredEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_to_overlapping_topics_neither_deadlock_nor_leave_gaps():
    require_postgres()
    topics = [f"user:{n}" for n in (1, 2, 9, 10, 11, 100)]
    writers, rounds = 8, 15

    def write(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(rounds):
            chosen = rng.sample(topics, rng.randint(2, len(topics)))
            with transaction.atomic():
                publish_many(chosen, Said(body="x", author_id=seed))

    run_together(writers, write, timeout=60)  # a deadlock surfaces as OperationalError
    for topic in topics:
        seqs = list(StoredEvent.objects.filter(topic=topic).values_list("seq", flat=True))
        assert seqs == list(range(1, len(seqs) + 1)) == list(range(1, last_seq(topic) + 1))
