"""The permission matrix as a table: every standing against every action.

Expectations are written from the platform's published rules (DESIGN.md, "Roles and the
trust frame"), independently of `policies.GRANTS`, and checked through real users whose
standing is computed from the database.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from parcours import policies
from parcours.errors import ErrorCode
from parcours.policies import Action, PlatformAction
from tests import factories
from tests.conftest import STANDINGS

ALL = set(STANDINGS)
MEMBERS = {"participant", "tutor", "trainer"}
STAFF = {"tutor", "trainer"}
NOBODY: set[str] = set()

# Who may, for every action; everyone else must be refused.
EXPECTED: dict[Action, set[str]] = {
    Action.VIEW_SESSION_SUMMARY: MEMBERS | {"inspector", "admin", "admin_granted"},
    Action.ENTER_SESSION: MEMBERS | {"admin_granted"},
    Action.LIST_MEMBERS: MEMBERS | {"admin", "admin_granted"},
    Action.EXPORT_MEMBERS: {"trainer", "admin", "admin_granted"},
    Action.MANAGE_ENROLMENTS: {"trainer", "admin", "admin_granted"},
    Action.LIST_ENROLLED_TEACHERS: {"inspector"},
    Action.VIEW_ACTIVITIES: MEMBERS | {"admin_granted"},
    Action.VIEW_TRAINER_ONLY_CONTENT: STAFF | {"admin_granted"},
    Action.VIEW_OWN_PROGRESS: {"participant"},
    Action.VIEW_ALL_PROGRESS: STAFF,
    Action.COMPLETE_ACTIVITY: {"participant"},
    Action.FINISH_TRAINING: STAFF,
    Action.DOWNLOAD_ANY_ATTESTATION: {"trainer", "admin", "admin_granted"},
    Action.SET_CONTENT_OPEN: STAFF,
    Action.READ_CONTRIBUTIONS: MEMBERS | {"admin_granted"},
    Action.READ_TRAINER_ONLY_CONTRIBUTIONS: STAFF | {"admin_granted"},
    Action.CONTRIBUTE: MEMBERS,
    Action.REACT: MEMBERS,
    Action.MODERATE: STAFF,
    Action.FOLLOW: MEMBERS,
    Action.MANAGE_FORUMS: {"trainer"},
    Action.START_NEWS_DISCUSSION: {"trainer"},
    Action.READ_QA_WITHOUT_ANSWERING: STAFF | {"admin_granted"},
    Action.ARRANGE_DISCUSSIONS: STAFF,
    Action.READ_MODERATION_LOG: STAFF,
    Action.CONTACT_MEMBERS: MEMBERS,
    Action.MESSAGE_PARTICIPANTS_IN_BULK: STAFF,
    Action.SCHEDULE_CLASS: STAFF,
    Action.VOTE: MEMBERS,
    Action.VIEW_POLL_RESULTS: STAFF,
    Action.VIEW_POLL_BALLOTS: MEMBERS | {"admin_granted"},
    Action.WATCH_RECORDINGS: MEMBERS,
    Action.RECORD_CLASS: STAFF,
    Action.MANAGE_RECORDINGS: {"trainer"},
    Action.CLASSROOM_JOIN: MEMBERS,
    Action.CLASSROOM_PARTICIPATE: MEMBERS,
    Action.CLASSROOM_MODERATE: STAFF,
    Action.CLASSROOM_MANAGE: STAFF,
    Action.GRANT_ACCESS: {"admin", "admin_granted"},
    Action.READ_AUDIT_LOG: {"trainer", "admin", "admin_granted"},
    Action.REQUEST_HELP: MEMBERS,
    Action.LIST_HELP_REQUESTS: {"admin", "admin_granted"},
    Action.VIEW_TIME_SPENT: NOBODY,
    Action.VIEW_CONNECTION_TIMES: NOBODY,
    Action.VIEW_PAGES_VIEWED: NOBODY,
    Action.EDIT_SESSION: {"trainer", "admin", "admin_granted"},
    Action.CLOSE_SESSION: {"trainer", "admin", "admin_granted"},
    Action.MANAGE_STAFF: {"admin", "admin_granted"},
    # The world's session is tutored: nobody enrols themselves (see the open-access table).
    Action.ENROL_SELF: NOBODY,
    Action.MANAGE_QUESTIONNAIRES: {"trainer"},
    Action.ANSWER_QUESTIONNAIRE: {"participant"},
    Action.VIEW_QUESTIONNAIRE_RESULTS: STAFF,
    Action.VIEW_NOMINATIVE_ANSWERS: STAFF,
    Action.OPEN_SESSION_SPACE: {"trainer"},
    # Joining, leaving and running a space's activities happen in the space, not the session.
    Action.JOIN_SPACE: NOBODY,
    Action.REQUEST_TO_JOIN: NOBODY,
    Action.LEAVE_SPACE: NOBODY,
    Action.MANAGE_SPACE: NOBODY,
    Action.LEAD_ACTIVITIES: NOBODY,
    Action.EDIT_RESERVED: NOBODY,
}


def test_every_action_has_an_expectation():
    missing = sorted(set(Action) - set(EXPECTED))
    assert not missing, f"write the expected row of {missing} in EXPECTED"


@pytest.mark.parametrize("standing", STANDINGS)
@pytest.mark.parametrize("action", list(EXPECTED), ids=str)
def test_matrix(world, standing, action):
    decision = policies.decide(world.by_standing(standing), action, world.session)
    assert decision.allowed is (standing in EXPECTED[action])
    if not decision.allowed:
        assert decision.code == ErrorCode.FORBIDDEN
        assert decision.message


@pytest.mark.parametrize(
    ("standing", "action"),
    [
        ("participant", Action.VIEW_ALL_PROGRESS),
        ("inspector", Action.VIEW_ACTIVITIES),
        ("inspector", Action.READ_CONTRIBUTIONS),
        ("inspector", Action.WATCH_RECORDINGS),
        ("inspector", Action.VIEW_ALL_PROGRESS),
        ("inspector", Action.ENTER_SESSION),
        ("admin", Action.ENTER_SESSION),
        ("admin", Action.READ_CONTRIBUTIONS),
        ("admin_granted", Action.WATCH_RECORDINGS),
        ("national", Action.LIST_MEMBERS),
        ("national", Action.VIEW_SESSION_SUMMARY),
        ("outsider", Action.VIEW_SESSION_SUMMARY),
        ("trainer", Action.VIEW_TIME_SPENT),
        ("trainer", Action.VIEW_CONNECTION_TIMES),
        ("admin_granted", Action.VIEW_QUESTIONNAIRE_RESULTS),
        ("inspector", Action.VIEW_QUESTIONNAIRE_RESULTS),
        ("trainer", Action.ANSWER_QUESTIONNAIRE),
        ("trainer", Action.MANAGE_STAFF),
    ],
)
def test_trust_frame_denials(world, standing, action):
    assert not policies.can(world.by_standing(standing), action, world.session)


def test_admin_without_grant_is_told_to_ask_for_one(world):
    decision = policies.decide(world.admin, Action.ENTER_SESSION, world.session)
    assert "accès accordé" in decision.message


def test_expired_grant_no_longer_opens_the_session(world):
    world.admin_granted.access_grants.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert not policies.can(world.admin_granted, Action.ENTER_SESSION, world.session)


def test_grant_for_one_session_does_not_open_another(world):
    assert not policies.can(world.admin_granted, Action.ENTER_SESSION, world.other_session)


def test_inspector_of_another_circonscription_sees_nothing(world):
    other = factories.platform_user("inspector", circo="Dieppe")
    assert not policies.can(other, Action.VIEW_SESSION_SUMMARY, world.session)


def test_admin_of_another_academy_cannot_grant_themselves_access(world):
    stranger = factories.platform_user("admin", academy_obj=factories.academy("reunion"))
    assert not policies.can(stranger, Action.GRANT_ACCESS, world.session)


def test_anonymous_user_is_an_outsider(world):
    from django.contrib.auth.models import AnonymousUser

    assert policies.standings(AnonymousUser(), world.session) == {policies.Standing.OUTSIDER}
    assert not policies.can(AnonymousUser(), Action.VIEW_SESSION_SUMMARY, world.session)


FROZEN_FOR_EVERYONE = [
    Action.CONTRIBUTE,
    Action.REACT,
    Action.VOTE,
    Action.COMPLETE_ACTIVITY,
    Action.SCHEDULE_CLASS,
    Action.ANSWER_QUESTIONNAIRE,
    Action.MANAGE_QUESTIONNAIRES,
    Action.CLASSROOM_JOIN,
    Action.CLASSROOM_PARTICIPATE,
    Action.CLASSROOM_MODERATE,
    Action.CLASSROOM_MANAGE,
]


@pytest.mark.parametrize("action", FROZEN_FOR_EVERYONE, ids=str)
@pytest.mark.parametrize("standing", sorted(MEMBERS))
def test_social_tools_are_frozen_after_the_end(world, standing, action):
    world.session.state = world.session.State.CLOSED
    decision = policies.decide(world.by_standing(standing), action, world.session)
    if standing in EXPECTED[action]:
        assert decision.code == ErrorCode.FROZEN
    assert not decision.allowed


@pytest.mark.parametrize("action", [Action.READ_CONTRIBUTIONS, Action.VIEW_POLL_BALLOTS], ids=str)
@pytest.mark.parametrize("content_open", [True, False])
@pytest.mark.parametrize("standing", sorted(MEMBERS))
def test_reading_after_the_end_follows_the_trainers_choice(world, standing, content_open, action):
    world.session.state = world.session.State.CLOSED
    world.session.content_open_after_end = content_open
    allowed = policies.can(world.by_standing(standing), action, world.session)
    assert allowed is (content_open or standing in STAFF)


def test_moderation_stays_possible_after_the_end(world):
    world.session.state = world.session.State.CLOSED
    assert policies.can(world.trainer, Action.MODERATE, world.session)


PLATFORM_EXPECTED: dict[PlatformAction, set[str]] = {
    PlatformAction.VIEW_STATS: {"national", "admin", "admin_granted"},
    PlatformAction.DUPLICATE_PARCOURS: {"designer", "admin", "admin_granted"},
    PlatformAction.LIST_INSPECTED_SESSIONS: {"inspector"},
    PlatformAction.EXPORT_NOMINATIVE_DATA: NOBODY,
    PlatformAction.AUTHOR_PARCOURS: {"designer", "admin", "admin_granted"},
    PlatformAction.CREATE_SESSION: {"admin", "admin_granted"},
    PlatformAction.CREATE_ACCOUNT: {"admin", "admin_granted"},
    PlatformAction.LIST_ACADEMY_SESSIONS: {"admin", "admin_granted"},
    PlatformAction.CREATE_SPACE: {"designer", "admin", "admin_granted"},
}


def test_every_platform_action_has_an_expectation():
    assert set(PLATFORM_EXPECTED) == set(PlatformAction)


@pytest.mark.parametrize("standing", STANDINGS)
@pytest.mark.parametrize("action", list(PLATFORM_EXPECTED), ids=str)
def test_platform_matrix(world, standing, action):
    allowed = policies.decide_platform(world.by_standing(standing), action).allowed
    assert allowed is (standing in PLATFORM_EXPECTED[action])


@pytest.mark.parametrize(
    ("standing", "origin", "same_academy", "published", "allowed"),
    [
        ("designer", "national", False, False, True),
        ("designer", "academic", True, False, True),
        # Another academy's parcours: only once that academy published it in the offer.
        ("designer", "academic", False, False, False),
        ("designer", "academic", False, True, True),
        ("admin", "academic", True, False, True),
        ("admin", "academic", False, True, True),
        ("admin", "academic", False, False, False),
        ("trainer", "national", False, False, False),
        ("trainer", "academic", False, True, False),
        ("national", "national", False, False, False),
        ("inspector", "national", False, False, False),
        ("outsider", "academic", True, True, False),
    ],
)
def test_who_may_duplicate_which_parcours(
    world, standing, origin, same_academy, published, allowed
):
    academy = world.session.academy if same_academy else factories.academy("reunion")
    parcours = factories.parcours(origin=origin, academy=academy, published=published)
    user = world.by_standing(standing)
    assert policies.decide_duplicate_parcours(user, parcours).allowed is allowed
    assert policies.decide_view_parcours(user, parcours).allowed is allowed


ACADEMY_SCOPED = [
    PlatformAction.AUTHOR_PARCOURS,
    PlatformAction.CREATE_SESSION,
    PlatformAction.CREATE_ACCOUNT,
    PlatformAction.LIST_ACADEMY_SESSIONS,
]


@pytest.mark.parametrize("standing", STANDINGS)
@pytest.mark.parametrize("action", ACADEMY_SCOPED, ids=str)
def test_academy_scoped_actions_count_in_the_roles_own_academy_only(world, standing, action):
    user = world.by_standing(standing)
    own = policies.decide_in_academy(user, action, world.session.academy_id)
    foreign = policies.decide_in_academy(user, action, factories.academy("reunion").pk)
    assert own.allowed is (standing in PLATFORM_EXPECTED[action])
    assert not foreign.allowed
    assert foreign.code == ErrorCode.FORBIDDEN and foreign.message
    assert not policies.decide_in_academy(user, action, None).allowed


@pytest.mark.parametrize(
    ("standing", "origin", "own_academy", "allowed"),
    [
        ("designer", "academic", True, True),
        ("admin", "academic", True, True),
        # A national parcours is copied, never edited, whoever asks.
        ("designer", "national", False, False),
        ("admin", "national", False, False),
        # Another academy's parcours, even published, is theirs to edit.
        ("designer", "academic", False, False),
        ("trainer", "academic", True, False),
        ("inspector", "academic", True, False),
        ("national", "academic", True, False),
        ("participant", "academic", True, False),
    ],
)
def test_who_may_edit_which_parcours(world, standing, origin, own_academy, allowed):
    academy = world.session.academy if own_academy else factories.academy("reunion")
    parcours = factories.parcours(origin=origin, academy=academy, published=True)
    decision = policies.decide_author_parcours(world.by_standing(standing), parcours)
    assert decision.allowed is allowed
    if not allowed:
        assert decision.code == ErrorCode.FORBIDDEN and decision.message


@pytest.mark.parametrize(
    ("origin", "parcours_academy", "allowed"),
    [("national", None, True), ("academic", "own", True), ("academic", "reunion", False)],
)
def test_sessions_open_on_national_parcours_or_the_academys_own(
    world, origin, parcours_academy, allowed
):
    academy = {"own": world.session.academy, "reunion": factories.academy("reunion")}.get(
        parcours_academy
    )
    parcours = factories.parcours(origin=origin, academy=academy, published=True)
    own = world.session.academy_id
    assert policies.decide_create_session(world.admin, parcours, own).allowed is allowed
    assert not policies.decide_create_session(world.designer, parcours, own).allowed


@pytest.fixture
def open_access_session(world):
    """The world's session, its parcours turned into one in open access."""
    world.session.parcours.kind = "self_enrolment"
    world.session.parcours.save()
    return world.session


@pytest.mark.parametrize("standing", STANDINGS)
def test_anyone_not_yet_in_an_open_access_session_may_join_it(world, open_access_session, standing):
    decision = policies.decide(world.by_standing(standing), Action.ENROL_SELF, open_access_session)
    assert decision.allowed is (standing not in MEMBERS)


def test_nobody_joins_an_open_access_session_after_its_end(world, open_access_session):
    open_access_session.state = open_access_session.State.CLOSED
    decision = policies.decide(world.outsider, Action.ENROL_SELF, open_access_session)
    assert decision.code == ErrorCode.FROZEN


def test_an_anonymous_visitor_joins_nothing(world, open_access_session):
    from django.contrib.auth.models import AnonymousUser

    assert not policies.can(AnonymousUser(), Action.ENROL_SELF, open_access_session)


@pytest.mark.parametrize("standing", STANDINGS)
@pytest.mark.parametrize("role", ["participant", "tutor", "trainer"])
def test_trainers_enrol_participants_and_administrators_name_the_staff(world, standing, role):
    decision = policies.decide_enrol(world.by_standing(standing), world.session, role)
    expected = (
        {"trainer", "admin", "admin_granted"}
        if role == "participant"
        else {
            "admin",
            "admin_granted",
        }
    )
    assert decision.allowed is (standing in expected)


@pytest.mark.parametrize("standing", STANDINGS)
@pytest.mark.parametrize("nominative", [True, False])
def test_nobody_sees_who_answered_an_anonymous_questionnaire(world, standing, nominative):
    decision = policies.decide_answers(
        world.by_standing(standing), world.session, nominative=nominative
    )
    assert decision.allowed is (nominative and standing in STAFF)
    if not nominative:
        assert "anonyme" in decision.message
