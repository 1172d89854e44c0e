"""The pages of running a training: desks from the navigation, managing a session, authoring,
the catalogue, a participant's attestation."""

import pytest
from django.urls import reverse

from parcours import services
from tests import factories
from tests.conftest import STANDINGS

NAV = {
    "Administration": {"admin", "admin_granted"},
    "Ma circonscription": {"inspector"},
    "Parcours": {"designer", "admin", "admin_granted"},
    "Statistiques": {"national", "admin", "admin_granted"},
}


def _page(client, user, url):
    client.force_login(user)
    return client.get(url)


def _nav(html: str) -> str:
    return html.split('<nav aria-label="Navigation principale">', 1)[1].split("</nav>", 1)[0]


@pytest.mark.parametrize("standing", STANDINGS)
def test_the_navigation_leads_each_role_to_its_desks(world, client, standing):
    response = _page(client, world.by_standing(standing), "/")
    nav = _nav(response.content.decode())
    for label, who in NAV.items():
        assert (f">{label}</a>" in nav) is (standing in who), label
    assert ">Offre</a>" in nav


def test_an_administrator_without_sessions_lands_on_her_work_not_on_nothing(world, client):
    html = _page(client, world.admin, "/").content.decode()
    assert "Vous n'êtes inscrit à aucune session" not in html
    assert 'href="/administration/"' in html
    assert "Administration de l'académie" in html


def test_a_teacher_without_sessions_is_pointed_to_the_open_offer(world, client):
    loner = factories.user("seule")
    html = _page(client, loner, "/").content.decode()
    assert "Vous n'êtes inscrit à aucune session" in html
    assert 'href="/offre/"' in html


DESKS = [
    ("/administration/", {"admin", "admin_granted"}),
    ("/circonscription/", {"inspector"}),
    ("/statistiques/", {"national", "admin", "admin_granted"}),
    ("/parcours/", {"designer", "admin", "admin_granted"}),
    ("/offre/", set(STANDINGS)),
]


@pytest.mark.parametrize("standing", STANDINGS)
@pytest.mark.parametrize(("url", "who"), DESKS)
def test_each_desk_opens_for_its_roles_only(world, client, standing, url, who):
    response = _page(client, world.by_standing(standing), url)
    assert response.status_code == (200 if standing in who else 403)
    if standing not in who:
        assert "Accès impossible" in response.content.decode()


def test_the_desk_shows_the_academys_sessions_and_what_she_may_do(world, client):
    asked = factories.help_request(world.session, world.trainer, "Un message à vérifier")
    html = _page(client, world.admin, "/administration/").content.decode()
    assert "Session Rouen Nord" in html and "Autre session" in html
    assert f'href="/sessions/{world.session.pk}/gestion/"' in html
    # Access is opened against a member's help request, and only then.
    assert "1 demande d'aide" in html and "Un message à vérifier" in html
    assert f'<option value="{asked.pk}">' in html
    assert "aucune demande d'aide" in html  # the other session: nobody asked
    assert f'href="/sessions/{world.session.pk}/journal/"' in html
    assert 'id="new-session"' in html and 'id="new-account"' in html
    # Statistics: small counts are hidden, never names.
    assert "&lt; 5" in html
    assert "Participant Test" not in html


def test_the_national_desk_shows_numbers_only(world, client):
    html = _page(client, world.national, "/statistiques/").content.decode()
    assert "Statistiques nationales" in html
    assert "&lt; 5" in html
    assert "Participant" not in html.split('id="stats"', 1)[1]


def test_the_inspector_desk_lists_his_circonscriptions_sessions(world, client):
    html = _page(client, world.inspector, "/circonscription/").content.decode()
    assert "Session Rouen Nord" in html
    assert "Autre session" not in html


MANAGE = {"trainer", "admin", "admin_granted"}


@pytest.mark.parametrize("standing", STANDINGS)
def test_who_opens_the_management_page_and_what_it_offers(world, client, standing):
    response = _page(client, world.by_standing(standing), f"/sessions/{world.session.pk}/gestion/")
    assert response.status_code == (200 if standing in MANAGE else 403)
    if standing not in MANAGE:
        return
    html = response.content.decode()
    assert 'id="import-form"' in html and 'id="enrol"' in html
    # Naming trainers and tutors is the administrators' choice.
    assert ('<option value="trainer">' in html) is (standing != "trainer")
    assert ("Créer un compte" in html) is (standing != "trainer")


def test_a_participant_sees_the_attestation_once_finished(world, client):
    url = f"/sessions/{world.session.pk}/"
    assert "my-attestation" not in _page(client, world.participant, url).content.decode()
    attestation = services.finish_training(
        session=world.session, actor=world.trainer, participant_id=world.participant.pk
    )
    html = _page(client, world.participant, url).content.decode()
    assert "Votre formation a été marquée terminée" in html
    assert reverse("api:attestation_pdf", kwargs={"attestation_id": attestation.pk}) in html
    other = _page(client, world.other_participant, url).content.decode()
    assert "my-attestation" not in other


def test_the_api_gives_a_participant_their_own_attestation_only(world, api):
    services.finish_training(
        session=world.session, actor=world.trainer, participant_id=world.participant.pk
    )
    mine = api(world.participant).get(f"/sessions/{world.session.pk}").json()
    assert mine["attestation"]["url"].endswith(".pdf")
    assert (
        api(world.other_participant).get(f"/sessions/{world.session.pk}").json()["attestation"]
        is None
    )
    assert api(world.trainer).get(f"/sessions/{world.session.pk}").json()["attestation"] is None


def test_the_finish_button_names_the_participant_for_its_confirmation(world, client):
    html = _page(client, world.trainer, f"/sessions/{world.session.pk}/").content.decode()
    assert 'data-name="Participant Test"' in html


def test_the_parcours_editor_edits_its_academys_parcours_and_copies_the_others(world, client):
    own = factories.parcours("Normand", origin="academic", academy=world.session.academy)
    national = factories.parcours("National", origin="national")
    html = _page(client, world.designer, f"/parcours/{own.pk}/").content.decode()
    assert 'id="parcours-settings"' in html and "Ajouter l'activité" in html
    html = _page(client, world.designer, f"/parcours/{national.pk}/").content.decode()
    assert 'id="parcours-settings"' not in html
    assert "Dupliquer dans mon académie" in html
    reunion = factories.academy("reunion", timezone="Indian/Reunion")
    hidden = factories.parcours("Réunion", origin="academic", academy=reunion)
    assert _page(client, world.designer, f"/parcours/{hidden.pk}/").status_code == 403
    assert _page(client, world.designer, "/parcours/999999/").status_code == 404


def test_the_audit_page_is_for_trainers_and_administrators(world, client):
    services.record_entry(session=world.session, user=world.admin_granted)
    url = f"/sessions/{world.session.pk}/journal/"
    html = _page(client, world.trainer, url).content.decode()
    assert "Admin_Granted Test" in html
    assert _page(client, world.participant, url).status_code == 403
    assert _page(client, world.inspector, url).status_code == 403


def test_the_catalogue_offers_open_access_sessions(world, client):
    parcours = factories.parcours("Autoformation", origin="national", kind="self_enrolment")
    open_session = factories.session(parcours_obj=parcours, title="Session libre")
    html = _page(client, world.outsider, "/offre/").content.decode()
    assert "Session libre" in html
    assert f'data-api-path="/sessions/{open_session.pk}/enrol"' in html
    assert "Session Rouen Nord" not in html
