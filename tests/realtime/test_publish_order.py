"""One ordering rule inside `publish`: writers that publish to several topics in opposite
orders, through separate `publish` calls in one transaction (a moderation touching a forum
then a discussion, a scheduling change its poll then each member), neither deadlock nor
leave a gap on PostgreSQL."""

import random

import pytest
from django.db import transaction

from realtime import publish
from realtime.models import StoredEvent
from realtime.selectors import last_seq
from tests.realtime.support import Said
from tests.services import require_postgres, run_together

TOPICS = ["discussion:7", "forum:3", "poll:5", "user:1", "user:2", "user:10"]


@pytest.mark.django_db(transaction=True)
def test_separate_publishes_in_opposite_orders_neither_deadlock_nor_leave_gaps():
    require_postgres()
    writers, rounds = 8, 12

    def write(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(rounds):
            chosen = rng.sample(TOPICS, rng.randint(2, len(TOPICS)))
            if seed % 2:
                chosen.reverse()
            with transaction.atomic():
                for topic in chosen:  # one publish per topic, in this writer's order
                    publish(topic, Said(body=f"{seed}", author_id=seed))

    run_together(writers, write)  # a deadlock surfaces as OperationalError
    for topic in TOPICS:
        seqs = list(
            StoredEvent.objects.filter(topic=topic, seq__isnull=False)
            .order_by("seq")
            .values_list("seq", flat=True)
        )
        assert seqs == list(range(1, last_seq(topic) + 1))
        assert StoredEvent.objects.filter(topic=topic).count() == len(seqs)
