"""The permission matrix of collaborative spaces: every standing against every action.

A space is a scope like a session, without a parcours timeline: animators lead it like
trainers, members take part like participants; academy administrators run its membership
but do not read it; inspectors, designers and national staff have no standing in it.
Expectations are written from issue 15 and DESIGN.md, not copied from `SPACE_GRANTS`.
"""

from dataclasses import dataclass

import pytest

from parcours import policies
from parcours.errors import ErrorCode
from parcours.models import Profile, Space
from parcours.policies import Action, Standing
from tests import factories

SPACE_STANDINGS = [
    "animator",
    "member",
    "newcomer",
    "admin",
    "inspector",
    "designer",
    "national",
    "outsider",
]
MEMBERS = {"animator", "member"}
ANIMATOR = {"animator"}
NOBODY: set[str] = set()

# In an academic space "sur demande"; every action not listed is refused to everyone
# (progress, activities, attestations, grants, inspectors' lists: session matters).
EXPECTED: dict[Action, set[str]] = {
    Action.VIEW_SESSION_SUMMARY: MEMBERS | {"newcomer", "admin"},
    Action.ENTER_SESSION: MEMBERS,
    Action.LIST_MEMBERS: MEMBERS | {"admin"},
    Action.MANAGE_ENROLMENTS: ANIMATOR | {"admin"},
    Action.MANAGE_SPACE: ANIMATOR | {"admin"},
    Action.READ_CONTRIBUTIONS: MEMBERS,
    Action.READ_TRAINER_ONLY_CONTRIBUTIONS: ANIMATOR,
    Action.CONTRIBUTE: MEMBERS,
    Action.REACT: MEMBERS,
    Action.MODERATE: ANIMATOR,
    Action.FOLLOW: MEMBERS,
    Action.MANAGE_FORUMS: ANIMATOR,
    Action.START_NEWS_DISCUSSION: ANIMATOR,
    Action.READ_QA_WITHOUT_ANSWERING: ANIMATOR,
    Action.ARRANGE_DISCUSSIONS: ANIMATOR,
    Action.READ_MODERATION_LOG: ANIMATOR,
    Action.SCHEDULE_CLASS: ANIMATOR,
    Action.VOTE: MEMBERS,
    Action.VIEW_POLL_RESULTS: ANIMATOR,
    Action.VIEW_POLL_BALLOTS: MEMBERS,
    Action.WATCH_RECORDINGS: MEMBERS,
    Action.RECORD_CLASS: ANIMATOR,
    Action.MANAGE_RECORDINGS: ANIMATOR,
    # A space's classes have rooms: members come in and take part, animators moderate and
    # run them like a session's trainers; no one else, administrators included.
    Action.CLASSROOM_JOIN: MEMBERS,
    Action.CLASSROOM_PARTICIPATE: MEMBERS,
    Action.CLASSROOM_MODERATE: ANIMATOR,
    Action.CLASSROOM_MANAGE: ANIMATOR,
    # This space is "sur demande": one asks, nobody joins straight away.
    Action.JOIN_SPACE: NOBODY,
    Action.REQUEST_TO_JOIN: {"newcomer"},
    Action.LEAVE_SPACE: MEMBERS,
    Action.LEAD_ACTIVITIES: ANIMATOR,
    Action.EDIT_RESERVED: ANIMATOR,
}


@dataclass
class SpaceWorld:
    space: Space
    users: dict

    def by_standing(self, name: str):
        return self.users[name]


@pytest.fixture
def space_world(db) -> SpaceWorld:
    academy = factories.academy()
    elsewhere = factories.academy("reunion")
    space = factories.space(academy_obj=academy, visibility=Space.Visibility.ON_REQUEST)
    users = {
        "animator": factories.space_member(space, "animator", username="animator").user,
        "member": factories.space_member(space, "member", username="member").user,
        "newcomer": factories.user("newcomer", academy_obj=academy),
        "admin": factories.platform_user("admin", academy_obj=elsewhere, username="admin"),
        "inspector": factories.platform_user("inspector", academy_obj=academy, circo="Rouen"),
        "designer": factories.platform_user("designer", academy_obj=elsewhere),
        "national": factories.platform_user("national", academy_obj=elsewhere),
        "outsider": factories.user("outsider", academy_obj=elsewhere),
    }
    # Platform roles held in the space's academy by people who teach elsewhere: their role
    # alone, not being one of the academy's teachers, decides what they may do.
    for name in ("admin", "designer"):
        users[name].platform_roles.update(academy=academy)
    Profile.objects.filter(user__in=users.values()).exclude(
        user__in=[users["animator"], users["member"], users["newcomer"]]
    ).update(academy=elsewhere)
    return SpaceWorld(space, users)


def test_every_action_has_a_space_expectation_or_is_refused_to_all():
    unknown = set(EXPECTED) - set(Action)
    assert not unknown


@pytest.mark.parametrize("standing", SPACE_STANDINGS)
def test_space_matrix(space_world, standing):
    """One row of the table: every action for one standing, answered through the scope."""
    user = space_world.by_standing(standing)
    wrong = []
    for action in Action:
        decision = policies.decide(user, action, space_world.space.scope)
        expected = standing in EXPECTED.get(action, NOBODY)
        if decision.allowed is not expected:
            wrong.append((str(action), decision.allowed))
        elif not decision.allowed and not (
            decision.code == ErrorCode.FORBIDDEN and decision.message
        ):
            wrong.append((str(action), "denied without a code and a message"))
    assert not wrong, f"{standing}: {wrong}"


def test_standings_are_computed_from_the_database(space_world):
    held = {
        name: policies.standings(user, space_world.space)
        for name, user in space_world.users.items()
    }
    assert held["animator"] == {Standing.ANIMATOR}
    assert held["member"] == {Standing.MEMBER}
    assert held["newcomer"] == {Standing.NEWCOMER}
    assert held["outsider"] == {Standing.OUTSIDER}
    assert Standing.ADMIN in held["admin"]
    assert Standing.NATIONAL in held["national"]


@pytest.mark.parametrize(
    ("visibility", "join", "ask"),
    [("open", True, False), ("on_request", False, True), ("invitation", False, False)],
)
def test_how_a_newcomer_gets_in_depends_on_the_visibility(space_world, visibility, join, ask):
    space_world.space.visibility = visibility
    newcomer = space_world.by_standing("newcomer")
    assert policies.can(newcomer, Action.JOIN_SPACE, space_world.space) is join
    assert policies.can(newcomer, Action.REQUEST_TO_JOIN, space_world.space) is ask
    # An invitation-only space is not even shown to people who were not invited.
    seen = policies.can(newcomer, Action.VIEW_SESSION_SUMMARY, space_world.space)
    assert seen is (visibility != "invitation")


def test_an_academic_space_is_not_open_to_other_academies(space_world):
    space_world.space.visibility = "open"
    assert not policies.can(
        space_world.by_standing("outsider"), Action.JOIN_SPACE, space_world.space
    )


def test_a_national_space_is_open_to_every_academy(space_world):
    space_world.space.visibility = "open"
    space_world.space.origin = "national"
    assert policies.can(space_world.by_standing("outsider"), Action.JOIN_SPACE, space_world.space)


@pytest.mark.parametrize(
    "action", [Action.CONTRIBUTE, Action.REACT, Action.LEAD_ACTIVITIES, Action.EDIT_RESERVED]
)
def test_an_archived_space_is_read_only(space_world, action):
    space_world.space.archived = True
    animator = space_world.by_standing("animator")
    decision = policies.decide(animator, action, space_world.space)
    assert decision.code == ErrorCode.FROZEN and "archivé" in decision.message
    assert policies.can(animator, Action.READ_CONTRIBUTIONS, space_world.space)
    assert policies.can(animator, Action.MANAGE_SPACE, space_world.space)


def test_member_fan_out_follows_the_space_table(space_world):
    animator, member = space_world.by_standing("animator"), space_world.by_standing("member")
    scope = space_world.space.scope
    assert policies.member_ids_granted(Action.READ_CONTRIBUTIONS, scope) == {animator.pk, member.pk}
    assert policies.member_ids_granted(Action.MODERATE, scope) == {animator.pk}
    assert policies.member_ids(scope) == {animator.pk, member.pk}


# A session's own space: the session's people, their roles mapped.
SESSION_SPACE_EXPECTED = {
    "trainer": {Action.LEAD_ACTIVITIES, Action.CONTRIBUTE, Action.READ_CONTRIBUTIONS},
    "tutor": {Action.LEAD_ACTIVITIES, Action.CONTRIBUTE, Action.READ_CONTRIBUTIONS},
    "participant": {Action.CONTRIBUTE, Action.READ_CONTRIBUTIONS},
    # An administrator's access grant opens reading, never writing.
    "admin_granted": {Action.READ_CONTRIBUTIONS},
    "admin": set(),
    "inspector": set(),
    "national": set(),
    "outsider": set(),
}


@pytest.mark.parametrize("standing", sorted(SESSION_SPACE_EXPECTED))
def test_a_session_space_takes_its_members_from_the_session(world, standing):
    space = factories.space(academy_obj=world.session.academy, session=world.session)
    user = world.by_standing(standing)
    for action in (Action.LEAD_ACTIVITIES, Action.CONTRIBUTE, Action.READ_CONTRIBUTIONS):
        expected = action in SESSION_SPACE_EXPECTED[standing]
        assert policies.can(user, action, space.scope) is expected, action


def test_a_session_space_freezes_with_its_session(world):
    space = factories.space(academy_obj=world.session.academy, session=world.session)
    world.session.state = world.session.State.CLOSED
    world.session.save()
    space.refresh_from_db()
    decision = policies.decide(world.participant, Action.CONTRIBUTE, space.scope)
    assert decision.code == ErrorCode.FROZEN and "session est terminée" in decision.message
    assert policies.member_ids_granted(Action.CONTRIBUTE, space.scope) == set()


def test_session_space_fan_out_uses_the_session_members(world):
    space = factories.space(academy_obj=world.session.academy, session=world.session)
    leads = policies.member_ids_granted(Action.LEAD_ACTIVITIES, space.scope)
    assert leads == {world.trainer.pk, world.tutor.pk}
    assert world.participant.pk in policies.member_ids(space.scope)


@pytest.mark.parametrize(
    ("standing", "same_academy", "allowed"),
    [
        ("admin", True, True),
        ("designer", True, True),
        ("admin", False, False),
        ("trainer", True, False),
        ("national", True, False),
        ("inspector", True, False),
    ],
)
def test_who_may_open_a_space(world, standing, same_academy, allowed):
    academy = world.session.academy if same_academy else factories.academy("reunion")
    decision = policies.decide_create_space(
        world.by_standing(standing), origin="academic", academy_id=academy.pk
    )
    assert decision.allowed is allowed
