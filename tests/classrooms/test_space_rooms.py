"""A space's classes have rooms like a session's: an "entre pairs" meetup or a one-off class
of a space opens a classroom where the space's members come in, its animators moderate and
record, and the recordings are watched by the space's members only."""

from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest

from classrooms import services
from classrooms.models import Classroom
from parcours.errors import ServiceError
from parcours.models import Space
from recordings import services as recordings
from recordings.models import Recording
from scheduling.models import ScheduledClass, Series
from tests import factories


@dataclass
class SpaceClass:
    space: Space
    scheduled: ScheduledClass
    people: dict


@pytest.fixture
def meetup(db) -> SpaceClass:
    """An "entre pairs" meetup of a national space, starting in ten minutes."""
    space = factories.space(title="Entre pairs : cycle 2", origin="national")
    people = {
        "animator": factories.space_member(space, "animator", username="anim").user,
        "member": factories.space_member(space, "member", username="membre").user,
        # Could join this open network, but has not: not in the room.
        "newcomer": factories.user(username="nouvelle"),
        "admin": factories.platform_user("admin", academy_obj=space.academy, username="gest"),
    }
    series = Series.objects.create(
        scope=space.scope,
        title="Entre pairs",
        first_day=date.today(),
        until=date.today() + timedelta(weeks=8),
        start_time=time(15, 30),
        minutes=30,
        timezone="Europe/Paris",
    )
    scheduled = factories.scheduled_class(
        space.scope,
        "Entre pairs",
        starts_in=timedelta(minutes=10),
        length=timedelta(minutes=30),
        series=series,
    )
    return SpaceClass(space, scheduled, people)


def test_a_meetup_of_a_space_leads_its_members_to_one_room_of_the_space(client, meetup):
    client.force_login(meetup.people["member"])
    first = client.get(f"/classes-virtuelles/classe/{meetup.scheduled.pk}/")
    room = Classroom.objects.get(scheduled_class=meetup.scheduled)
    assert first.status_code == 302 and first["Location"] == f"/classes-virtuelles/{room.pk}/"
    assert room.scope == meetup.space.scope
    page = client.get(first["Location"]).content.decode()
    # The room leads back to its space, and says whose recordings these are.
    assert f'href="/spaces/{meetup.space.pk}/"' in page
    assert "Réservés aux membres de l'espace." in page


def test_a_one_off_class_of_a_space_has_its_room_too(api, meetup):
    one_off = factories.scheduled_class(
        meetup.space.scope, "Préparer la rentrée", starts_in=timedelta(days=1)
    )
    room = services.room_for_class(one_off)
    listed = api(meetup.people["member"]).get(f"/spaces/{meetup.space.pk}/classrooms")
    assert listed.status_code == 200
    assert [(r["id"], r["space_id"], r["session_id"]) for r in listed.json()] == [
        (room.pk, meetup.space.pk, None)
    ]
    refused = api(meetup.people["newcomer"]).get(f"/spaces/{meetup.space.pk}/classrooms")
    assert refused.status_code == 403


def _join(api, user, room, space) -> bool:
    return api(user).get(f"/classrooms/{room.pk}").status_code == 200


def _moderate(api, user, room, space) -> bool:
    answer = api(user).patch(f"/classrooms/{room.pk}", {"chat_locked": True})
    room.refresh_from_db()
    assert room.chat_locked == (answer.status_code == 200)
    return answer.status_code == 200


def _record(api, user, room, space) -> bool:
    try:
        recordings.begin_segment(actor=user, scope=room.scope, room_id=room.pk)
    except ServiceError:
        assert not Recording.objects.filter(room_id=room.pk).exists()
        return False
    return Recording.objects.filter(room_id=room.pk).count() == 1


def _watch(api, user, room, space) -> bool:
    Recording.objects.create(scope=room.scope, title="Séance du mardi", room_id=room.pk)
    listed = api(user).get(f"/spaces/{space.pk}/recordings")
    in_room = api(user).get(f"/classrooms/{room.pk}/recordings")
    assert listed.status_code == in_room.status_code
    if listed.status_code != 200:
        return False
    return [r["title"] for r in listed.json()] == ["Séance du mardi"]


ACTIONS = {"join": _join, "moderate": _moderate, "record": _record, "watch": _watch}
# Written from the trust frame: members take part and watch, animators moderate and record
# like a session's trainers; an administrator, even of the space's academy, and someone who
# has not joined, do none of it.
TABLE = {
    "animator": {"join", "moderate", "record", "watch"},
    "member": {"join", "watch"},
    "newcomer": set(),
    "admin": set(),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("who", sorted(TABLE))
def test_space_room_permissions(api, meetup, who, action):
    room = services.room_for_class(meetup.scheduled)
    services.open_room(room=room, actor=meetup.people["animator"])
    allowed = ACTIONS[action](api, meetup.people[who], room, meetup.space)
    assert allowed == (action in TABLE[who])


def test_animators_run_the_class_and_members_take_part(api, meetup):
    animator, member = meetup.people["animator"], meetup.people["member"]
    room = services.room_for_class(meetup.scheduled)
    assert api(animator).post(f"/classrooms/{room.pk}/open").status_code == 200
    assert api(member).put(f"/classrooms/{room.pk}/hand", {"raised": True}).status_code == 204
    assert api(member).post(f"/classrooms/{room.pk}/chat", {"body": "Bonjour"}).status_code == 201
    # The animator lowers the member's hand; a member may not start the class.
    assert api(animator).delete(f"/classrooms/{room.pk}/hands/{member.pk}").status_code == 204
    assert api(member).post(f"/classrooms/{room.pk}/start").status_code == 403
    assert api(animator).post(f"/classrooms/{room.pk}/start").json()["state"] == "live"


def test_the_space_page_leads_to_the_class_room_and_lists_its_recordings(client, meetup):
    room = services.room_for_class(meetup.scheduled)
    Recording.objects.create(scope=meetup.space.scope, title="Séance du mardi", room_id=room.pk)
    client.force_login(meetup.people["member"])
    page = client.get(f"/spaces/{meetup.space.pk}/").content.decode()
    assert f'href="/classes-virtuelles/classe/{meetup.scheduled.pk}/"' in page
    assert "Séance du mardi" in page
    client.force_login(meetup.people["newcomer"])
    page = client.get(f"/spaces/{meetup.space.pk}/").content.decode()
    assert "Séance du mardi" not in page
