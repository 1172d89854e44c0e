"""Each member's private calendar address: read without logging in, replaced and revoked by
its owner, following what the owner may see; events say what, where and how to join."""

from datetime import timedelta

import icalendar
import pytest
from django.test import Client

from scheduling.models import CalendarFeed
from tests.scheduling.helpers import good_slots


@pytest.fixture
def classes(api, world):
    """A fortnightly series in the world session, and one in the other session."""
    first = good_slots(1, after_days=10)[0].date()
    world.session.ends_on = first + timedelta(weeks=4)
    world.session.save()
    body = {"session_id": world.session.pk, "first_day": str(first), "until": str(first)}
    mine = api(world.trainer).post("/series", body | {"title": "Entre pairs Rouen"})
    assert mine.status_code == 201, mine.json()
    from tests import factories

    other_trainer = factories.member(world.other_session, "trainer").user
    world.other_session.ends_on = world.session.ends_on
    world.other_session.save()
    theirs = api(other_trainer).post(
        "/series", body | {"session_id": world.other_session.pk, "title": "Ailleurs"}
    )
    assert theirs.status_code == 201, theirs.json()
    return mine.json()["classes"]


def _issue(api, user) -> str:
    response = api(user).post("/me/calendar-feed")
    assert response.status_code == 201, response.json()
    return response.json()["url"]


def _read(url: str):
    """As a calendar application reads it: no cookie, no token."""
    return Client().get(url.removeprefix("http://testserver"))


def test_the_feed_is_read_without_logging_in_and_describes_each_class(api, world, classes):
    url = _issue(api, world.participant)
    assert url.startswith("http://testserver/api/v1/calendar/") and url.endswith(".ics")
    response = _read(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(response.content).events
    assert [str(e["SUMMARY"]) for e in events] == ["Entre pairs Rouen"]
    event = events[0]
    page = f"http://testserver/classes-virtuelles/classe/{classes[0]['id']}/"
    assert str(event["URL"]) == page
    assert page in str(event["LOCATION"])
    description = str(event["DESCRIPTION"])
    assert "Session « Session Rouen Nord »" in description
    assert "Présentation (15 min)" in description and page in description


def test_only_the_secrets_hash_is_stored(api, world):
    url = _issue(api, world.participant)
    key = url.rsplit("/", 1)[1].removesuffix(".ics")
    stored = CalendarFeed.objects.get(user=world.participant)
    assert stored.key_hash == CalendarFeed.hash_key(key) and key not in stored.key_hash
    assert api(world.participant).get("/me/calendar-feed").json() == {"active": True, "url": None}


def test_replacing_the_address_kills_the_old_one(api, world, classes):
    old = _issue(api, world.participant)
    new = _issue(api, world.participant)
    assert old != new
    assert _read(old).status_code == 404
    assert _read(new).status_code == 200


def test_a_revoked_address_answers_not_found(api, world, classes):
    url = _issue(api, world.participant)
    assert api(world.participant).delete("/me/calendar-feed").status_code == 204
    response = _read(url)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert api(world.participant).get("/me/calendar-feed").json()["active"] is False


def test_a_member_removed_from_the_session_no_longer_sees_its_classes(api, world, classes):
    url = _issue(api, world.participant)
    removed = api(world.trainer).delete(
        f"/sessions/{world.session.pk}/members/{world.participant.pk}"
    )
    assert removed.status_code == 204
    events = icalendar.Calendar.from_ical(_read(url).content).events
    assert events == []


def test_a_deactivated_account_has_no_feed(api, world, classes):
    url = _issue(api, world.participant)
    world.participant.is_active = False
    world.participant.save()
    assert _read(url).status_code == 404


@pytest.mark.parametrize("key", ["nope", "x" * 43, "%00"])
def test_unknown_secrets_answer_not_found_or_invalid(db, key):
    response = Client().get(f"/api/v1/calendar/{key}.ics")
    assert response.status_code in {404, 422}
    assert response.json()["error"]["code"] in {"not_found", "invalid"}


def test_managing_the_address_needs_an_account(db, api):
    assert api(None).post("/me/calendar-feed").status_code == 401
    assert not CalendarFeed.objects.exists()


def test_the_page_issues_shows_once_and_revokes(client, world, classes):
    client.force_login(world.tutor)
    page = client.get("/agenda/").content.decode()
    assert "Aucune adresse d'abonnement active." in page
    issued = client.post("/agenda/", {"action": "issue"})
    url = issued.context["url"]
    assert url in issued.content.decode()
    assert _read(url).status_code == 200
    again = client.get("/agenda/").content.decode()
    assert url not in again and "Une adresse d'abonnement est active." in again
    client.post("/agenda/", {"action": "revoke"})
    assert _read(url).status_code == 404
    assert client.post("/agenda/", {"action": "explode"}).status_code == 400


def test_the_page_needs_a_login(client):
    response = client.get("/agenda/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_space_members_feed_links_the_spaces_page(api, world):
    from tests import factories

    space = factories.space(academy_obj=world.session.academy, title="Réseau entre pairs")
    animator = factories.space_member(space, "animator").user
    member = factories.space_member(space, "member").user
    first = good_slots(1, after_days=10)[0].date()
    body = {"space_id": space.pk, "first_day": str(first), "until": str(first)}
    created = api(animator).post("/series", body | {"title": "Rencontre"})
    assert created.status_code == 201, created.json()
    event = icalendar.Calendar.from_ical(_read(_issue(api, member)).content).events[0]
    assert str(event["URL"]) == f"http://testserver/spaces/{space.pk}/"
    assert "Espace « Réseau entre pairs »" in str(event["DESCRIPTION"])
