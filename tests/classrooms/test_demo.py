"""The demo's classroom: an open room a newcomer can walk into after `make run`."""

import io

from django.core.management import call_command

from classrooms.models import ChatMessage, Classroom


def test_the_demo_session_has_one_open_room_and_seeding_again_adds_nothing(db, settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    room = Classroom.objects.get()
    assert room.state == Classroom.State.OPEN
    assert room.scope.session.memberships.filter(user__username="participant01").exists()
    assert ChatMessage.objects.filter(classroom=room).count() == 1
