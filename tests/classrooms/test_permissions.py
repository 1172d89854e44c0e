"""Who may do what in a classroom: every action against every standing.

Expectations come from the issue and the trust frame: only the session's members enter a
live class (no access grant, no inspector), trainers and tutors moderate. A refusal answers
403 `forbidden` and changes nothing.
"""

import pytest

from classrooms.models import ChatMessage, Classroom, QuickPoll, QuickPollAnswer, Seat
from tests.conftest import STANDINGS

MEMBERS = {"participant", "tutor", "trainer"}
STAFF = {"tutor", "trainer"}


def _room(board) -> str:
    return f"/classrooms/{board.room.pk}"


def _seats(w, b):
    return sorted(Seat.objects.values_list("user_id", "mic_muted", "removed", "hand"))


# action -> (who may, call(api client, world, board), what a refusal must leave untouched)
ACTIONS = {
    "list_rooms": (MEMBERS, lambda c, w, b: c.get(f"/sessions/{w.session.pk}/classrooms"), None),
    "view_room": (MEMBERS, lambda c, w, b: c.get(_room(b)), None),
    "read_chat": (MEMBERS, lambda c, w, b: c.get(f"{_room(b)}/chat"), None),
    "create_room": (
        STAFF,
        lambda c, w, b: c.post(f"/sessions/{w.session.pk}/classrooms", {"title": "Soutien"}),
        lambda w, b: Classroom.objects.count(),
    ),
    "start_class": (
        STAFF,
        lambda c, w, b: c.post(f"{_room(b)}/start"),
        lambda w, b: Classroom.objects.get(pk=b.room.pk).state,
    ),
    "end_class": (
        STAFF,
        lambda c, w, b: c.post(f"{_room(b)}/end"),
        lambda w, b: Classroom.objects.get(pk=b.room.pk).state,
    ),
    "lock_room": (
        STAFF,
        lambda c, w, b: c.patch(_room(b), {"locked": True, "chat_locked": True}),
        lambda w, b: Classroom.objects.filter(locked=True).count(),
    ),
    "make_presenter": (
        STAFF,
        lambda c, w, b: c.put(f"{_room(b)}/presenter", {"user_id": w.other_participant.pk}),
        lambda w, b: Classroom.objects.get(pk=b.room.pk).presenter_id,
    ),
    "mute_someone": (
        STAFF,
        lambda c, w, b: c.post(f"{_room(b)}/participants/{w.other_participant.pk}/mute"),
        _seats,
    ),
    "mute_everyone": (
        STAFF,
        lambda c, w, b: c.post(f"{_room(b)}/mute-all"),
        lambda w, b: Classroom.objects.get(pk=b.room.pk).mute_epoch,
    ),
    "stop_camera": (
        STAFF,
        lambda c, w, b: c.post(f"{_room(b)}/participants/{w.other_participant.pk}/stop-camera"),
        _seats,
    ),
    "remove_someone": (
        STAFF,
        lambda c, w, b: c.post(f"{_room(b)}/participants/{w.other_participant.pk}/remove"),
        _seats,
    ),
    "raise_hand": (MEMBERS, lambda c, w, b: c.put(f"{_room(b)}/hand", {"raised": True}), _seats),
    "react": (MEMBERS, lambda c, w, b: c.post(f"{_room(b)}/reactions", {"emoji": "👏"}), None),
    "chat": (
        MEMBERS,
        lambda c, w, b: c.post(f"{_room(b)}/chat", {"body": "Question"}),
        lambda w, b: ChatMessage.objects.count(),
    ),
    "delete_chat": (
        STAFF,
        lambda c, w, b: c.delete(f"/classrooms/chat/{b.message.pk}"),
        lambda w, b: ChatMessage.objects.filter(deleted=True).count(),
    ),
    "open_poll": (
        STAFF,
        lambda c, w, b: c.post(f"{_room(b)}/polls", {"question": "Clair ?", "choices": ["a", "b"]}),
        lambda w, b: QuickPoll.objects.count(),
    ),
    "answer_poll": (
        MEMBERS,
        lambda c, w, b: c.put(f"/classrooms/polls/{b.poll.pk}/answer", {"choices": [0]}),
        lambda w, b: QuickPollAnswer.objects.count(),
    ),
    "see_poll": (MEMBERS, lambda c, w, b: c.get(f"/classrooms/polls/{b.poll.pk}"), None),
    "close_poll": (
        STAFF,
        lambda c, w, b: c.post(f"/classrooms/polls/{b.poll.pk}/close"),
        lambda w, b: QuickPoll.objects.get(pk=b.poll.pk).state,
    ),
    "breakouts": (
        STAFF,
        lambda c, w, b: c.post(
            f"{_room(b)}/breakouts",
            {"minutes": 5, "groups": [[w.participant.pk], [w.other_participant.pk]]},
        ),
        lambda w, b: Classroom.objects.get(pk=b.room.pk).breakout_groups,
    ),
}

TABLE = [
    (action, standing, standing in allowed)
    for action, (allowed, _call, _state) in ACTIONS.items()
    for standing in STANDINGS
]


@pytest.mark.parametrize(("action", "standing", "allowed"), TABLE)
def test_classroom_action_by_standing(world, board, api, action, standing, allowed):
    _allowed, call, state = ACTIONS[action]
    before = state(world, board) if state else None
    response = call(api(world.by_standing(standing)), world, board)
    if allowed:
        assert response.status_code in {200, 201, 204}, response.content
    else:
        assert response.status_code == 403, response.content
        error = response.json()["error"]
        assert error["code"] == "forbidden"
        assert error["message"]
        if state:
            assert state(world, board) == before


def test_a_participant_does_not_see_poll_counts_of_a_private_poll(world, board, api):
    api(world.other_participant).put(f"/classrooms/polls/{board.poll.pk}/answer", {"choices": [1]})
    seen = api(world.participant).get(f"/classrooms/polls/{board.poll.pk}").json()
    assert seen["counts"] is None and seen["respondents"] is None
    assert api(world.trainer).get(f"/classrooms/polls/{board.poll.pk}").json()["counts"] == [0, 1]


def test_a_moderator_cannot_moderate_another_moderator(world, board, api):
    response = api(world.tutor).post(
        f"/classrooms/{board.room.pk}/participants/{world.trainer.pk}/mute"
    )
    assert response.status_code == 403
    assert not Seat.objects.filter(user=world.trainer).exists()
