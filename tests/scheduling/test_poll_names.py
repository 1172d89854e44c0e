"""Who answered what in a poll, as a table: every standing, anonymous or nominative,
each place a poll is read (the API's poll, the session's list of polls, the poll's page).

An anonymous poll shows counts only, to trainers as to members, and its comments without
names; a nominative one shows each person's answers and comment to those who read it.
"""

import re

import pytest

from scheduling import services
from scheduling.models import Poll
from tests import factories
from tests.conftest import STANDINGS
from tests.scheduling.helpers import good_slots

READERS = {"participant", "tutor", "trainer", "admin_granted"}
VOTERS = {"Alix Votante": "Plutôt le matin", "Basile Votant": ""}
PLACES = ["api", "list", "page"]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def answered_poll(world, *, nominative: bool) -> Poll:
    slots = [services.SlotIn(s, s.replace(hour=11)) for s in good_slots(2)]
    poll = services.create_poll(
        session=world.session, actor=world.trainer, title="Quand ?", slots=slots,
        nominative=nominative,
    )  # fmt: skip
    first = poll.slots.first()
    for name, comment in VOTERS.items():
        given, family = name.split()
        voter = factories.member(world.session, first_name=given, last_name=family).user
        services.answer_poll(
            poll=poll, user=voter, choices={first.pk: "yes"}, comment=comment or None
        )
    return poll


def read(client, api, world, standing: str, poll: Poll, place: str) -> tuple[int, str, dict]:
    """Status, text and (for the API) body of what `standing` gets of the poll at `place`."""
    viewer = world.by_standing(standing)
    if place == "page":
        client.force_login(viewer)
        response = client.get(f"/sondages/{poll.pk}/")
        return response.status_code, response.content.decode(), {}
    path = f"/polls/{poll.pk}" if place == "api" else f"/sessions/{world.session.pk}/polls"
    response = api(viewer).get(path)
    body = response.json()
    if place == "list" and response.status_code == 200:
        (body,) = body
    return response.status_code, response.content.decode(), body


@pytest.mark.parametrize("standing", STANDINGS)
@pytest.mark.parametrize("nominative", [False, True], ids=["anonymous", "nominative"])
def test_names_in_a_poll_by_standing_and_anonymity(client, api, world, nominative, standing):
    poll = answered_poll(world, nominative=nominative)
    seen = {}
    for place in PLACES:
        status, text, body = read(client, api, world, standing, poll, place)
        seen[place] = (status, {name for name in VOTERS if name in text})
        if status == 200 and place != "page":
            assert (body["ballots"] is not None) is nominative
            assert body["comments"] == (None if nominative else ["Plutôt le matin"])
            assert [s["yes"] for s in body["slots"]] == [2, 0]
    if standing not in READERS:
        expected = (403, set())
    else:
        expected = (200, set(VOTERS) if nominative else set())
    assert seen == dict.fromkeys(PLACES, expected)


def test_the_nominative_table_gives_each_persons_answers_and_comment(api, world):
    poll = answered_poll(world, nominative=True)
    body = api(world.participant).get(f"/polls/{poll.pk}").json()
    first = body["slots"][0]["id"]
    assert body["ballots"] == [
        {"name": "Basile Votant", "comment": "", "choices": {str(first): "yes"}},
        {"name": "Alix Votante", "comment": "Plutôt le matin", "choices": {str(first): "yes"}},
    ]


def test_the_poll_form_asks_for_anonymity_with_no_answer_given(client, world):
    client.force_login(world.trainer)
    page = client.get(f"/sessions/{world.session.pk}/planifier/").content.decode()
    radios = re.findall(r'<input name="anonymity"[^>]*>', page)
    assert [('value="anonymous"' in r, 'value="nominative"' in r) for r in radios] == [
        (True, False),
        (False, True),
    ]
    assert all("required" in r and "checked" not in r for r in radios)
