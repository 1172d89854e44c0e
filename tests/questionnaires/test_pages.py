"""Questionnaire pages: the participant is told before answering whether it is anonymous."""

import pytest

from tests.conftest import STANDINGS
from tests.questionnaires.test_questionnaires import _answers, _create, _participants


def _html(client, user, url) -> tuple[int, str]:
    client.force_login(user)
    response = client.get(url)
    return response.status_code, response.content.decode()


@pytest.mark.parametrize("nominative", [False, True])
def test_the_participant_reads_anonymous_or_nominative_before_the_form(
    world, api, client, nominative
):
    created = _create(api, world, nominative=nominative)
    status, html = _html(client, world.participant, f"/questionnaires/{created['id']}/")
    assert status == 200
    notice = html.index('id="anonymity"')
    assert notice < html.index('id="answer-form"')
    word = "Questionnaire nominatif" if nominative else "Questionnaire anonyme"
    assert word in html[notice : html.index('id="answer-form"')]
    assert 'id="results"' not in html


def test_after_answering_the_participant_is_thanked_and_the_form_is_gone(world, api, client):
    created = _create(api, world)
    api(world.participant).post(
        f"/questionnaires/{created['id']}/responses", _answers(created, 0, [1], "Oui")
    )
    _, html = _html(client, world.participant, f"/questionnaires/{created['id']}/")
    assert "vos réponses sont enregistrées" in html and 'id="answer-form"' not in html


def test_the_trainer_page_shows_group_results_and_names_only_if_nominative(world, api, client):
    for nominative in (False, True):
        created = _create(api, world, nominative=nominative)
        for person in _participants(world, 3) if not nominative else [world.participant]:
            api(person).post(
                f"/questionnaires/{created['id']}/responses", _answers(created, 1, [0], "Texte")
            )
        _, html = _html(client, world.trainer, f"/questionnaires/{created['id']}/")
        assert 'id="results"' in html and 'id="answer-form"' not in html
        assert ('id="nominative-answers"' in html) is nominative
        assert ("Participant Test" in html) is nominative


STAFF = {"tutor", "trainer"}
MEMBERS_AND_GRANTED = {"participant", "tutor", "trainer", "admin_granted"}


@pytest.mark.parametrize("standing", STANDINGS)
def test_who_opens_the_questionnaire_pages(world, api, client, standing):
    created = _create(api, world)
    user = world.by_standing(standing)
    for url in (
        f"/sessions/{world.session.pk}/questionnaires/",
        f"/questionnaires/{created['id']}/",
    ):
        status, html = _html(client, user, url)
        assert status == (200 if standing in MEMBERS_AND_GRANTED else 403)
        if url.startswith("/questionnaires/") and status == 200:
            assert ('id="results"' in html) is (standing in STAFF)
            assert ('id="answer-form"' in html) is (standing == "participant")
    _, html = _html(client, user, f"/sessions/{world.session.pk}/questionnaires/")
    assert ('id="new-questionnaire"' in html) is (standing == "trainer")
