"""The classroom page, the way in from a scheduled class, and the session page's rooms."""

from datetime import timedelta

from classrooms import services
from classrooms.models import Classroom
from scheduling.models import ScheduledClass
from tests import factories


def _scheduled(world) -> ScheduledClass:
    return factories.scheduled_class(
        world.session.scope, "Classe du jeudi", starts_in=timedelta(days=2)
    )


def test_a_scheduled_class_leads_members_to_its_one_classroom(client, world):
    scheduled = _scheduled(world)
    client.force_login(world.participant)
    first = client.get(f"/classes-virtuelles/classe/{scheduled.pk}/")
    again = client.get(f"/classes-virtuelles/classe/{scheduled.pk}/")
    room = Classroom.objects.get(scheduled_class=scheduled)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == f"/classes-virtuelles/{room.pk}/"

    client.force_login(world.inspector)
    assert client.get(f"/classes-virtuelles/classe/{scheduled.pk}/").status_code == 403
    assert client.get("/classes-virtuelles/classe/99999999/").status_code == 404


def test_the_session_page_links_classes_and_rooms(client, world):
    scheduled = _scheduled(world)
    room = services.create_room(scope=world.session.scope, actor=world.trainer, title="Soutien")
    client.force_login(world.participant)
    html = client.get(f"/sessions/{world.session.pk}/").content.decode()
    assert f'href="/classes-virtuelles/classe/{scheduled.pk}/"' in html
    assert f'href="/classes-virtuelles/{room.pk}/"' in html
    assert 'id="new-classroom"' not in html  # only trainers open rooms
    client.force_login(world.trainer)
    assert 'id="new-classroom"' in client.get(f"/sessions/{world.session.pk}/").content.decode()


def test_the_room_page_shows_members_their_controls(client, world):
    room = services.create_room(scope=world.session.scope, actor=world.trainer, title="Soutien")
    services.post_chat(room=room, actor=world.participant, body="Bonjour <b>tous</b>")
    client.force_login(world.participant)
    html = client.get(f"/classes-virtuelles/{room.pk}/").content.decode()
    assert 'id="classroom"' in html and 'data-moderator="0"' in html
    assert "Bonjour &lt;b&gt;tous&lt;/b&gt;" in html  # chat lines are escaped
    assert 'id="mute-all"' not in html
    client.force_login(world.trainer)
    html = client.get(f"/classes-virtuelles/{room.pk}/").content.decode()
    assert 'data-moderator="1"' in html and 'id="mute-all"' in html


def test_outsiders_and_the_waiting_get_no_room(client, world):
    room = services.create_room(scope=world.session.scope, actor=world.trainer, title="Soutien")
    client.force_login(world.admin_granted)
    assert client.get(f"/classes-virtuelles/{room.pk}/").status_code == 403

    services.update_settings(room=room, actor=world.trainer, waiting_room=True)
    client.force_login(world.participant)
    html = client.get(f"/classes-virtuelles/{room.pk}/").content.decode()
    assert 'id="classroom"' not in html and 'id="knock"' in html


def test_the_ics_invitation_points_to_the_classroom(api, world):
    import icalendar

    from tests.scheduling.helpers import good_slots, slot_body

    body = {"title": "Classe virtuelle", "slots": [slot_body(good_slots(1)[0])]}
    poll = api(world.trainer).post(f"/sessions/{world.session.pk}/polls", body).json()
    api(world.trainer).post(f"/polls/{poll['id']}/close", {})
    response = api(world.participant).get(f"/polls/{poll['id']}/event.ics")
    event = icalendar.Calendar.from_ical(response.content).events[0]
    scheduled = ScheduledClass.objects.get()
    assert str(event["url"]) == f"http://testserver/classes-virtuelles/classe/{scheduled.pk}/"
