"""Each activity opens what it is: its forum, its classes, its questionnaire."""

from forums.models import Forum
from parcours.models import Activity, Section
from tests import factories


def _parcours_with_every_kind():
    parcours = factories.parcours(
        "Parcours complet", origin="national", activities=0, trainer_only=0
    )
    section = parcours.sections.get()
    for rank, (title, kind) in enumerate(
        [
            ("Lire l'article", "resource"),
            ("Forum : vos pratiques", "forum"),
            ("Classe virtuelle : stratégies", "virtual_class"),
            ("Quiz de positionnement", "questionnaire"),
        ]
    ):
        Activity.objects.create(section=section, title=title, kind=kind, position=rank)
    return parcours


def _outline_urls(api, user, session_id) -> dict[str, str | None]:
    sections = api(user).get(f"/sessions/{session_id}").json()["sections"]
    return {a["title"]: a["url"] for s in sections for a in s["activities"]}


def test_a_new_session_gets_a_forum_for_each_forum_activity_and_links_to_it(world, api):
    parcours = _parcours_with_every_kind()
    factories.user("claire")
    response = api(world.admin).post(
        "/sessions",
        {
            "parcours_id": parcours.pk,
            "title": "Session complète",
            "starts_on": factories.days_from_today(0).isoformat(),
            "ends_on": factories.days_from_today(30).isoformat(),
            "trainers": ["claire"],
        },
    )
    session_id = response.json()["id"]
    (forum,) = Forum.objects.filter(scope__session_id=session_id)
    assert (forum.title, forum.activity.title) == ("Forum : vos pratiques", "Forum : vos pratiques")
    from django.contrib.auth import get_user_model

    claire = get_user_model().objects.get(username="claire")
    urls = _outline_urls(api, claire, session_id)
    assert urls == {
        "Lire l'article": None,
        "Forum : vos pratiques": f"/forums/{forum.pk}/",
        "Classe virtuelle : stratégies": f"/sessions/{session_id}/#upcoming-classes",
        "Quiz de positionnement": f"/sessions/{session_id}/questionnaires/",
    }


def test_an_activity_added_after_the_session_opens_the_sessions_forums(world, api):
    section = Section.objects.filter(parcours=world.session.parcours).first()
    Activity.objects.create(section=section, title="Forum ajouté", kind="forum", position=99)
    urls = _outline_urls(api, world.participant, world.session.pk)
    assert urls["Forum ajouté"] == f"/sessions/{world.session.pk}/forums/"


def test_the_session_page_shows_each_activitys_link(world, client):
    section = Section.objects.filter(parcours=world.session.parcours).first()
    Activity.objects.create(section=section, title="Classe", kind="virtual_class", position=99)
    client.force_login(world.participant)
    html = client.get(f"/sessions/{world.session.pk}/").content.decode()
    # The session's own classes and polls, which a participant may read (not the planning).
    link = f'href="/sessions/{world.session.pk}/#upcoming-classes" data-kind="virtual_class"'
    assert link in html


def test_a_collaborative_activity_opens_the_sessions_own_space_once_there_is_one(world, api):
    from parcours import spaces

    section = Section.objects.filter(parcours=world.session.parcours).first()
    Activity.objects.create(section=section, title="Co-écrire", kind="collaborative", position=99)
    assert _outline_urls(api, world.participant, world.session.pk)["Co-écrire"] is None
    space = spaces.open_session_space(session=world.session, actor=world.trainer)
    urls = _outline_urls(api, world.participant, world.session.pk)
    assert urls["Co-écrire"] == f"/spaces/{space.pk}/"
