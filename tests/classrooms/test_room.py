"""The room's life and its moderation rules, as the services apply them and announce them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from classrooms import selectors, services
from classrooms.media.room import Rules
from classrooms.models import Classroom, Seat
from parcours.errors import ErrorCode, ServiceError
from parcours.signals import access_changed
from scheduling.models import ScheduledClass
from tests import factories


def _scheduled(world, *, starts_in: timedelta, agenda=None) -> ScheduledClass:
    return factories.scheduled_class(
        world.session.scope,
        "Entre pairs",
        starts_in=starts_in,
        length=timedelta(minutes=30),
        agenda=agenda or [],
    )


def _rules(room) -> tuple[Rules, dict[int, Rules]]:
    room.refresh_from_db()
    return selectors.media_rules(room)


def test_the_lobby_opens_fifteen_minutes_before_the_class(world, capture_events):
    room = services.room_for_class(_scheduled(world, starts_in=timedelta(minutes=20)))
    assert room.state == Classroom.State.SCHEDULED and room.scope == world.session.scope
    with pytest.raises(ServiceError) as early:
        services.open_room(room=room, actor=world.trainer)
    assert early.value.code == ErrorCode.CONFLICT and "opens_at" in early.value.details

    later = timezone.now() + timedelta(minutes=6)
    room = services.open_room(room=room, actor=world.trainer, now=later)
    assert room.state == Classroom.State.OPEN
    assert capture_events.types(room.topic) == ["room.updated"]
    assert services.room_for_class(room.scheduled_class) == room  # one room per class


def test_starting_runs_the_agenda_and_the_moderator_moves_on(world, capture_events):
    from classrooms import activities

    agenda = [{"title": "Présentation", "minutes": 15}, {"title": "Échanges", "minutes": 15}]
    room = services.room_for_class(_scheduled(world, starts_in=timedelta(0), agenda=agenda))
    services.open_room(room=room, actor=world.trainer)
    room = services.start_class(room=room, actor=world.trainer)
    segment = selectors.segment_view(room)
    assert segment["title"] == "Présentation" and segment["next"]["title"] == "Échanges"
    assert 14 * 60 < segment["seconds_left"] <= 15 * 60

    with pytest.raises(ServiceError):
        activities.next_segment(room=room, actor=world.participant)
    activities.next_segment(room=room, actor=world.trainer)
    room.refresh_from_db()
    assert selectors.segment_view(room)["title"] == "Échanges"
    assert selectors.segment_view(room)["next"] is None
    with pytest.raises(ServiceError) as last:
        activities.next_segment(room=room, actor=world.trainer)
    assert last.value.code == ErrorCode.CONFLICT
    assert capture_events.types(room.topic).count("agenda.changed") == 2


def test_muting_is_a_rule_on_the_media_until_the_person_unmutes(world, board, capture_events):
    room, alice, bruno = board.room, world.participant, world.other_participant
    services.mute(room=room, actor=world.trainer, user_id=alice.pk)
    default, rules = _rules(room)
    assert not rules[alice.pk].mic and default.mic
    assert rules[world.trainer.pk].mic

    services.mute_everyone(room=room, actor=world.trainer)
    default, rules = _rules(room)
    assert not default.mic and not rules[alice.pk].mic  # bruno has no seat: the default
    assert rules[world.trainer.pk].mic and rules[world.tutor.pk].mic  # moderators speak

    services.unmute_self(room=room, actor=bruno)
    assert _rules(room)[1][bruno.pk].mic

    services.update_settings(room=room, actor=world.trainer, self_unmute_forbidden=True)
    with pytest.raises(ServiceError) as refused:
        services.unmute_self(room=room, actor=alice)
    assert refused.value.code == ErrorCode.FORBIDDEN
    assert not _rules(room)[1][alice.pk].mic
    types = capture_events.types(room.topic)
    assert types.count("participant.updated") == 2 and "participants.muted" in types


def test_cameras_stop_for_one_person_or_lock_for_all_but_moderators(world, board):
    room, alice = board.room, world.participant
    services.stop_camera(room=room, actor=world.trainer, user_id=alice.pk)
    default, rules = _rules(room)
    assert not rules[alice.pk].camera and default.camera

    services.restart_camera(room=room, actor=alice)
    assert _rules(room)[1][alice.pk].camera

    services.update_settings(room=room, actor=world.trainer, cameras_locked=True)
    default, rules = _rules(room)
    assert not default.camera and not rules[alice.pk].camera and rules[world.trainer.pk].camera
    with pytest.raises(ServiceError):
        services.restart_camera(room=room, actor=alice)


def test_only_the_presenter_and_moderators_share_their_screen(world, board):
    room, alice = board.room, world.participant
    default, rules = _rules(room)
    assert not default.screen and rules[world.trainer.pk].screen
    services.set_presenter(room=room, actor=world.trainer, user_id=alice.pk)
    assert _rules(room)[1][alice.pk].screen
    services.set_presenter(room=room, actor=world.trainer, user_id=None)
    default, rules = _rules(room)
    assert not rules.get(alice.pk, default).screen
    with pytest.raises(ServiceError):
        services.set_presenter(room=room, actor=world.trainer, user_id=world.outsider.pk)


def test_a_removed_participant_is_put_out_and_cannot_come_back(world, board, capture_events):
    room, alice = board.room, world.participant
    notices = []

    def listen(sender, session_id, user_ids, **kw):
        notices.append((session_id, user_ids))

    access_changed.connect(listen)
    try:
        services.remove(room=room, actor=world.trainer, user_id=alice.pk)
        assert capture_events.events  # runs the commit callbacks
    finally:
        access_changed.disconnect(listen)
    assert notices == [(world.session.pk, [alice.pk])]
    assert capture_events.types(room.topic)[-1] == "participant.removed"
    decision = selectors.topic_decision(alice, room.pk)
    assert not decision and decision.code == ErrorCode.FORBIDDEN
    for attempt in (
        lambda: services.knock(room=room, actor=alice),
        lambda: services.post_chat(room=room, actor=alice, body="Je reviens"),
        lambda: services.admit(room=room, actor=world.trainer, user_id=alice.pk),
    ):
        with pytest.raises(ServiceError):
            attempt()
    assert selectors.topic_decision(world.other_participant, room.pk)


def test_the_waiting_room_lets_people_in_one_by_one(world, board, capture_events):
    room, alice = board.room, world.participant
    services.update_settings(room=room, actor=world.trainer, waiting_room=True)
    room.refresh_from_db()
    assert not selectors.topic_decision(alice, room.pk)
    assert selectors.topic_decision(world.tutor, room.pk)  # moderators come in

    services.knock(room=room, actor=alice)
    assert selectors.waiting_list(room) == [{"user_id": alice.pk, "name": "Participant Test"}]
    services.admit(room=room, actor=world.trainer, user_id=alice.pk)
    assert selectors.topic_decision(alice, room.pk)
    assert selectors.waiting_list(room) == []
    assert (f"user:{alice.pk}", "classroom.admitted") in [
        (topic, event.type) for topic, event in capture_events.events
    ]


def test_locking_keeps_newcomers_out(world, board):
    services.update_settings(room=board.room, actor=world.trainer, locked=True)
    board.room.refresh_from_db()
    decision = selectors.topic_decision(world.participant, board.room.pk)
    assert not decision and "verrouillée" in decision.message


def test_hands_queue_in_the_order_they_were_raised(world, board, capture_events):
    room = board.room
    services.set_hand(room=room, actor=world.other_participant, raised=True)
    services.set_hand(room=room, actor=world.participant, raised=True)
    services.set_hand(room=room, actor=world.other_participant, raised=True)  # no change
    assert [p["user_id"] for p in selectors.hand_queue(room)] == [
        world.other_participant.pk,
        world.participant.pk,
    ]
    with pytest.raises(ServiceError):
        services.set_hand(room=room, actor=world.participant, raised=False, user_id=world.tutor.pk)
    services.set_hand(
        room=room, actor=world.trainer, raised=False, user_id=world.other_participant.pk
    )
    assert [p["user_id"] for p in selectors.hand_queue(room)] == [world.participant.pk]
    services.set_hand(room=room, actor=world.other_participant, raised=True)
    assert [p["user_id"] for p in selectors.hand_queue(room)][-1] == world.other_participant.pk
    assert capture_events.types(room.topic).count("hands.changed") == 4


def test_chat_can_be_closed_to_participants_and_lines_deleted(world, board, capture_events):
    room = board.room
    services.update_settings(room=room, actor=world.trainer, chat_locked=True)
    room.refresh_from_db()
    with pytest.raises(ServiceError) as refused:
        services.post_chat(room=room, actor=world.participant, body="Puis-je ?")
    assert refused.value.code == ErrorCode.FORBIDDEN
    services.post_chat(room=room, actor=world.trainer, body="Je reprends la parole")
    services.delete_chat(message=board.message, actor=world.tutor)
    assert [m.body for m in selectors.chat_lines(room)] == ["Je reprends la parole"]
    assert capture_events.types(room.topic)[-2:] == ["chat.message", "chat.deleted"]


def test_ending_the_class_forgets_everyone_who_came(world, board):
    room = board.room
    services.set_hand(room=room, actor=world.participant, raised=True)
    services.mute(room=room, actor=world.trainer, user_id=world.other_participant.pk)
    room = services.end_class(room=room, actor=world.trainer)
    assert room.state == Classroom.State.ENDED
    assert not Seat.objects.filter(classroom=room).exists()
    board.poll.refresh_from_db()
    assert board.poll.state == "closed"
    with pytest.raises(ServiceError) as refused:
        services.post_chat(room=room, actor=world.participant, body="Encore là ?")
    assert refused.value.code == ErrorCode.CONFLICT
