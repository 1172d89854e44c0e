"""Quick polls and breakout rooms, as a moderator leads them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from classrooms import activities, selectors
from classrooms.models import Classroom
from parcours.errors import ErrorCode, ServiceError


def _answer(board, user, choices):
    activities.answer_poll(poll=board.poll, actor=user, choices=choices)


def test_an_anonymous_poll_shows_counts_to_moderators_only(world, board, capture_events):
    _answer(board, world.participant, [0])
    _answer(board, world.other_participant, [1])
    _answer(board, world.participant, [1])  # changes their answer
    poll = board.poll
    assert selectors.poll_counts(poll) == ([0, 2], 2)
    assert selectors.poll_voters(poll) == []  # anonymous: not even moderators see names

    sent = [(topic, e) for topic, e in capture_events.events if e.type == "quickpoll.results"]
    assert {topic for topic, _e in sent} == {f"user:{world.trainer.pk}", f"user:{world.tutor.pk}"}
    assert sent[-1][1].counts == [0, 2]
    as_participant = selectors.poll_view_for(poll, world.participant, moderator=False)
    assert as_participant["counts"] is None and as_participant["my_choices"] == [1]


def test_a_public_named_poll_shows_results_to_all_and_names_to_moderators(
    world, board, capture_events
):
    poll = activities.open_poll(
        room=board.room,
        actor=world.trainer,
        question="Quels thèmes ?",
        choices=["Évaluation", "Différenciation", "Numérique"],
        multiple=True,
        anonymous=False,
        results_public=True,
    )
    activities.answer_poll(poll=poll, actor=world.participant, choices=[0, 2])
    assert selectors.poll_counts(poll) == ([1, 0, 1], 1)
    assert selectors.poll_voters(poll)[0]["choices"] == [0, 2]
    results = [t for t, e in capture_events.events if e.type == "quickpoll.results"]
    assert results[-1] == board.room.topic
    seen = selectors.poll_view_for(poll, world.other_participant, moderator=False)
    assert seen["counts"] == [1, 0, 1] and seen["voters"] == []


@pytest.mark.parametrize(
    "choices", [[], [5], [-1], [0, 1], [0, 0], ["0"], [True], [2**70], "0", None]
)
def test_a_bad_answer_is_refused_and_changes_nothing(world, board, choices):
    with pytest.raises(ServiceError) as refused:
        _answer(board, world.participant, choices)
    assert refused.value.code == ErrorCode.INVALID
    assert selectors.poll_counts(board.poll) == ([0, 0], 0)


def test_a_closed_poll_takes_no_more_answers(world, board, capture_events):
    activities.close_poll(poll=board.poll, actor=world.trainer)
    with pytest.raises(ServiceError) as refused:
        _answer(board, world.participant, [0])
    assert refused.value.code == ErrorCode.CONFLICT
    assert "quickpoll.closed" in capture_events.types(board.room.topic)


def test_breakout_groups_decide_who_hears_whom_until_everyone_is_back(world, board):
    room, alice, bruno = board.room, world.participant, world.other_participant
    groups = activities.start_breakouts(
        room=room, actor=world.trainer, minutes=10, groups=[[alice.pk], [bruno.pk]]
    )
    assert groups == {alice.pk: 1, bruno.pk: 2}
    room.refresh_from_db()
    _default, rules = selectors.media_rules(room)
    assert (rules[alice.pk].group, rules[bruno.pk].group) == ("1", "2")
    assert rules[world.trainer.pk].group == ""  # the moderator stays in the main room

    activities.visit(room=room, actor=world.trainer, group=2)
    _default, rules = selectors.media_rules(room)
    assert rules[world.trainer.pk].group == "2"
    with pytest.raises(ServiceError):
        activities.visit(room=room, actor=world.trainer, group=3)

    activities.end_breakouts(room=room, actor=world.trainer)
    room.refresh_from_db()
    _default, rules = selectors.media_rules(room)
    assert {rule.group for rule in rules.values()} == {""}


def test_random_groups_split_the_participants_evenly(world, board):
    people = [world.participant.pk, world.other_participant.pk]
    groups = activities.start_breakouts(
        room=board.room, actor=world.trainer, minutes=5, count=2, participants=people
    )
    assert sorted(groups) == sorted(people) and sorted(groups.values()) == [1, 2]


def test_the_breakout_timer_brings_everyone_back(world, board):
    room = board.room
    activities.start_breakouts(
        room=room,
        actor=world.trainer,
        minutes=5,
        groups=[[world.participant.pk], [world.other_participant.pk]],
    )
    assert not activities.end_breakouts_if_due(room)
    Classroom.objects.filter(pk=room.pk).update(
        breakout_ends_at=timezone.now() - timedelta(seconds=1)
    )
    assert activities.end_breakouts_if_due(room)
    room.refresh_from_db()
    assert room.breakout_groups == 0 and not room.seats.filter(group__isnull=False).exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"minutes": 0, "groups": [[1], [2]]}, "minutes"),
        ({"minutes": 5, "groups": [[1]]}, "groups"),
        ({"minutes": 5, "count": 1, "participants": [1, 2]}, "count"),
        ({"minutes": 5, "count": 2}, "count"),
    ],
)
def test_bad_breakouts_are_refused(world, board, fields, field):
    with pytest.raises(ServiceError) as refused:
        activities.start_breakouts(room=board.room, actor=world.trainer, **fields)
    assert refused.value.details["field"] == field


def test_a_person_in_two_groups_is_refused(world, board):
    alice = world.participant.pk
    with pytest.raises(ServiceError) as refused:
        activities.start_breakouts(
            room=board.room, actor=world.trainer, minutes=5, groups=[[alice], [alice]]
        )
    assert refused.value.details["field"] == "groups"
    assert not board.room.seats.filter(group__isnull=False).exists()
