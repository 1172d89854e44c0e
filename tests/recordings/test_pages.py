"""The session page lists its recordings with a player, to members only."""

from __future__ import annotations

import re

import pytest

from tests.conftest import STANDINGS

MEMBERS = {"participant", "tutor", "trainer"}


def page(client, user, session):
    client.force_login(user)
    return client.get(f"/sessions/{session.pk}/")


@pytest.mark.parametrize("standing", STANDINGS)
def test_the_session_page_shows_recordings_and_a_player_to_members_only(
    world, client, make_recording, standing
):
    recording = make_recording(world.session, title="Classe du lundi")
    response = page(client, world.by_standing(standing), world.session)
    html = response.content.decode()
    players = re.findall(r'<video[^>]+src="([^"]+)"', html)
    if standing in MEMBERS:
        assert response.status_code == 200
        assert "Classe du lundi" in html
        assert players and players[0].startswith(f"/api/v1/recordings/{recording.pk}/media?t=")
    else:
        assert "Classe du lundi" not in html and not players
        assert "/media?t=" not in html


def test_only_trainers_get_the_controls_to_rename_and_delete(world, client, make_recording):
    make_recording(world.session)
    assert "recording-manage" in page(client, world.trainer, world.session).content.decode()
    for who in (world.tutor, world.participant):
        assert "recording-manage" not in page(client, who, world.session).content.decode()


def test_a_failed_segment_is_shown_as_failed_without_a_player(world, client, make_recording):
    failed = make_recording(world.session, title="Raté", note="Le serveur s'est arrêté.")
    failed.state = failed.State.FAILED
    failed.save()
    html = page(client, world.participant, world.session).content.decode()
    assert "échec de l&#x27;enregistrement" in html and "Le serveur s&#x27;est arrêté." in html
    assert "<video" not in html


def test_after_the_end_with_content_closed_participants_are_told_why(world, client, make_recording):
    make_recording(world.session)
    world.session.state = world.session.State.CLOSED
    world.session.content_open_after_end = False
    world.session.save()
    html = page(client, world.participant, world.session).content.decode()
    assert "fermé l&#x27;accès au contenu" in html and "<video" not in html
    assert "<video" in page(client, world.trainer, world.session).content.decode()
