"""The week view, the voting page and the session page's list of upcoming classes."""

from datetime import timedelta

from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from scheduling import services
from tests.scheduling.helpers import good_slots, next_weekday


def render_upcoming(session, user) -> str:
    """The one line the session page includes, rendered for `user`."""
    request = RequestFactory().get("/")
    request.user = user
    return Template("{% load scheduling %}{% upcoming_classes session %}").render(
        Context({"session": session, "request": request})
    )


def test_the_week_view_greys_out_refused_times_with_their_reason(client, world):
    client.force_login(world.trainer)
    monday = next_weekday(0, after_days=14).date()
    response = client.get(f"/sessions/{world.session.pk}/planifier/?semaine={monday}")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'title="Week-end' in html
    assert 'title="Hors des heures de travail' in html
    assert 'class="pick"' in html


def test_participants_do_not_get_the_week_view(client, world):
    client.force_login(world.participant)
    assert client.get(f"/sessions/{world.session.pk}/planifier/").status_code == 403


def test_the_voting_page_shows_slots_in_local_time(client, world):
    start = good_slots(1)[0]
    poll = services.create_poll(
        session=world.session,
        actor=world.trainer,
        title="Choisir la date",
        slots=[services.SlotIn(start, start + timedelta(hours=1))],
    )
    client.force_login(world.participant)
    html = client.get(f"/sondages/{poll.pk}/").content.decode()
    assert "Choisir la date" in html and "10:00\u201311:00" in html
    assert 'name="slot-' in html and "close-form" not in html
    client.force_login(world.outsider)
    assert client.get(f"/sondages/{poll.pk}/").status_code == 403


def test_upcoming_classes_tag_lists_the_session_classes(world):
    start = good_slots(1)[0]
    poll = services.create_poll(
        session=world.session,
        actor=world.trainer,
        title="Classe de rentrée",
        slots=[services.SlotIn(start, start + timedelta(hours=1))],
    )
    services.close_poll(poll=poll, actor=world.trainer)
    html = render_upcoming(world.session, world.participant)
    assert "Classe de rentrée" in html and "Planifier" not in html
    assert timezone.localtime(start).strftime("%H:%M") in html


def test_the_demo_seed_gives_a_poll_and_a_series_once(world):
    from scheduling import demo
    from scheduling.models import Poll, Series

    demo.seed(world.session)
    demo.seed(world.session)
    assert Poll.objects.filter(session=world.session).count() == 1
    assert Series.objects.filter(scope__session=world.session).count() == 1
    assert Poll.objects.get().slots.count() == demo.POLL_SLOTS
    html = render_upcoming(world.session, world.participant)
    assert "Entre pairs" in html and "feed.ics" in html and "Sondage en cours" in html
