"""Bad input to the classrooms API: a clear 4xx envelope naming the field, nothing changed."""

import pytest

from classrooms import services
from classrooms.models import ChatMessage, Classroom, QuickPoll, Seat

HUGE = 2**70


def _state():
    return (
        Classroom.objects.count(),
        ChatMessage.objects.count(),
        QuickPoll.objects.count(),
        sorted(Seat.objects.values_list("user_id", "mic_muted", "removed", "hand", "group")),
        list(Classroom.objects.values_list("locked", "presenter_id", "state")),
    )


CASES = [
    # (name, method, path, body or raw text, status, field)
    ("malformed json", "post", "/classrooms/{room}/chat", "{body:", 400, "body"),
    ("chat: wrong type", "post", "/classrooms/{room}/chat", {"body": 12}, 422, "body"),
    ("chat: empty", "post", "/classrooms/{room}/chat", {"body": ""}, 422, "body"),
    ("chat: too long", "post", "/classrooms/{room}/chat", {"body": "x" * 2001}, 422, "body"),
    ("chat: NUL", "post", "/classrooms/{room}/chat", {"body": "a\x00b"}, 422, "body"),
    ("hand: not a bool", "put", "/classrooms/{room}/hand", {"raised": "yes"}, 422, "raised"),
    ("settings: not a bool", "patch", "/classrooms/{room}", {"locked": 1}, 422, "locked"),
    (
        "presenter: huge id",
        "put",
        "/classrooms/{room}/presenter",
        {"user_id": HUGE},
        422,
        "user_id",
    ),
    (
        "presenter: unknown",
        "put",
        "/classrooms/{room}/presenter",
        {"user_id": 99999999},
        404,
        "user_id",
    ),
    (
        "mute: unknown person",
        "post",
        "/classrooms/{room}/participants/99999999/mute",
        None,
        404,
        "user_id",
    ),
    (
        "mute: huge id",
        "post",
        f"/classrooms/{{room}}/participants/{HUGE}/mute",
        None,
        422,
        "user_id",
    ),
    (
        "mute: outsider",
        "post",
        "/classrooms/{room}/participants/{outsider}/mute",
        None,
        404,
        "user_id",
    ),
    (
        "unknown action",
        "post",
        "/classrooms/{room}/participants/{other}/explode",
        None,
        422,
        "action",
    ),
    ("unknown room", "get", "/classrooms/99999999", None, 404, None),
    ("huge room id", "get", f"/classrooms/{HUGE}", None, 422, "classroom_id"),
    ("other session's room", "get", "/classrooms/{foreign}", None, 403, None),
    (
        "poll: one choice",
        "post",
        "/classrooms/{room}/polls",
        {"question": "?", "choices": ["a"]},
        422,
        "choices",
    ),
    (
        "poll: NUL",
        "post",
        "/classrooms/{room}/polls",
        {"question": "a\x00", "choices": ["a", "b"]},
        422,
        "question",
    ),
    (
        "breakout: bad ids",
        "post",
        "/classrooms/{room}/breakouts",
        {"minutes": 5, "groups": [["a"], ["b"]]},
        422,
        "groups.0.0",
    ),
    ("create: no title", "post", "/sessions/{session}/classrooms", {}, 422, "title"),
]


@pytest.mark.parametrize(
    ("name", "method", "path", "body", "status", "field"), CASES, ids=[c[0] for c in CASES]
)
def test_bad_input_is_refused_with_a_clear_error(
    world, api, name, method, path, body, status, field
):
    room = services.create_room(scope=world.session.scope, actor=world.trainer, title="Classe")
    foreign = services.create_room(
        scope=world.other_session.scope, actor=_trainer_of(world), title="B"
    )
    path = path.format(
        room=room.pk,
        foreign=foreign.pk,
        session=world.session.pk,
        outsider=world.outsider.pk,
        other=world.other_participant.pk,
    )
    before = _state()
    client = api(world.trainer)
    if isinstance(body, str):
        response = client._call(method, path, raw=body)
    else:
        response = (
            getattr(client, method)(path, body)
            if body is not None
            else getattr(client, method)(path)
        )
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] and error["message"]
    if field is not None:
        assert error["details"]["field"] == field
    assert _state() == before


def _trainer_of(world):
    from tests import factories

    return factories.member(world.other_session, "trainer").user
