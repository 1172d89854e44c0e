"""The demo data a newcomer meets after `make run`."""

import io

import pytest
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from parcours.attestations import format_minutes
from parcours.models import Academy, Activity, Membership, Parcours, PlatformRole, Section, Session

PARTICIPANTS = [f"participant{n:02d}" for n in range(1, 13)]
PARCOURS_TITLE = "Enseigner la compréhension en lecture"


def _seed(settings, *, demo: bool = True) -> str:
    settings.DEMO_MODE = demo
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    models = [*apps.get_app_config("parcours").get_models(), get_user_model()]
    return {model._meta.label: model.objects.count() for model in models}


@pytest.fixture
def demo(db, settings):
    _seed(settings)


def test_seeding_twice_changes_nothing(db, settings):
    _seed(settings)
    first = _counts()
    assert first["parcours.Session"] == 4
    _seed(settings)
    assert _counts() == first


def test_the_two_academies_have_their_time_zones_and_holiday_zones(demo):
    normandie = Academy.objects.get(code="normandie")
    reunion = Academy.objects.get(code="reunion")
    assert (normandie.name, normandie.timezone, normandie.school_zone) == (
        "Normandie",
        "Europe/Paris",
        "B",
    )
    assert reunion.timezone == "Indian/Reunion"


def test_the_parcours_lasts_nine_hours_in_three_sections_and_eight_activities(demo):
    parcours = Parcours.objects.get(title=PARCOURS_TITLE)
    assert parcours.kind == "tutored"
    assert (parcours.distance_minutes, parcours.presence_minutes) == (6 * 60, 3 * 60)
    assert format_minutes(parcours.total_minutes) == "9 h"
    assert Section.objects.filter(parcours=parcours).count() == 3
    activities = Activity.objects.filter(section__parcours=parcours)
    assert activities.count() == 8
    assert activities.filter(trainer_only=True).count() == 1
    assert all(activity.estimated_minutes > 0 for activity in activities)


def _rouen_nord() -> Session:
    return Session.objects.get(parcours__title=PARCOURS_TITLE, circonscription="Rouen Nord")


def test_the_session_has_its_trainer_tutor_and_twelve_participants_with_schools(demo):
    session = _rouen_nord()
    roles = dict(session.memberships.values_list("user__username", "role"))
    assert roles.pop("formatrice") == "trainer"
    assert roles.pop("tuteur") == "tutor"
    assert sorted(roles) == PARTICIPANTS
    assert set(roles.values()) == {"participant"}
    User = get_user_model()
    for user in User.objects.filter(username__in=PARTICIPANTS).select_related("profile"):
        assert user.profile.school
        assert user.profile.circonscription == "Rouen Nord"
        assert user.profile.academy.code == "normandie"


def test_the_platform_accounts_hold_their_roles(demo):
    def roles(username):
        return list(
            PlatformRole.objects.filter(user__username=username).values_list(
                "role", "academy__code", "circonscription"
            )
        )

    assert roles("inspecteur") == [("inspector", "normandie", "Rouen Nord")]
    assert roles("admin-normandie") == [("admin", "normandie", "")]
    assert roles("national") == [("national", None, "")]


def test_participant01_is_not_in_the_second_session(demo):
    session = _rouen_nord()
    second = Session.objects.get(title="Compréhension en lecture — Le Havre")
    assert second.pk != session.pk
    assert not Membership.objects.filter(session=second, user__username="participant01").exists()
    assert second.memberships.filter(role="participant").exists()


@pytest.mark.parametrize(
    "username", ["participant01", "formatrice", "inspecteur", "admin-normandie", "national"]
)
def test_every_demo_account_opens_with_the_demo_password(demo, username):
    assert authenticate(username=username, password="preau-demo") is not None
    assert authenticate(username=username, password="autre-chose") is None


def test_demo_mode_prints_the_accounts_and_their_password(db, settings):
    output = _seed(settings, demo=True)
    assert "preau-demo" in output
    for username in ("formatrice", "participant01", "inspecteur", "admin-normandie", "national"):
        assert username in output


def test_outside_demo_mode_no_account_or_password_is_printed(db, settings):
    output = _seed(settings, demo=False)
    assert output.strip()
    for secret in ("preau-demo", "formatrice", "participant01", "admin-normandie"):
        assert secret not in output


def test_each_account_has_something_to_do(demo, client):
    """The running-a-training demo: what each account finds on its desk."""
    from forums.models import Forum
    from questionnaires.models import Questionnaire

    def page(username: str, url: str) -> str:
        client.force_login(get_user_model().objects.get(username=username))
        response = client.get(url)
        assert response.status_code == 200, (username, url)
        return response.content.decode()

    desk = page("admin-normandie", "/administration/")
    assert "Compréhension en lecture — Dieppe" in desk and "Rouen Nord" in desk
    authoring = page("concepteur", "/parcours/")
    assert "version normande" in authoring and "Le jeu à l&#x27;école maternelle" in authoring
    assert "Autoformation — l&#x27;oral au cycle 1" in page("enseignant-reunion", "/offre/")
    rouen = _rouen_nord()
    assert "Télécharger mon attestation" in page("participant01", f"/sessions/{rouen.pk}/")
    quiz = Questionnaire.objects.get(session=rouen, nominative=False)
    assert 'id="answer-form"' in page("participant01", f"/questionnaires/{quiz.pk}/")
    assert "4 réponses" in page("formatrice", f"/questionnaires/{quiz.pk}/")
    forum = Forum.objects.get(scope__session=rouen, kind="standard")
    assert f'href="/forums/{forum.pk}/" data-kind="forum"' in page(
        "participant02", f"/sessions/{rouen.pk}/"
    )
    assert "Statistiques nationales" in page("national", "/statistiques/")
    assert "Session" in page("inspecteur", "/circonscription/")
