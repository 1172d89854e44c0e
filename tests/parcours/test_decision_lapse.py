"""A grant says when it may lapse by time alone, so that live sockets are asked again then."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from parcours import policies
from parcours.grants import Action
from parcours.models import AccessGrant
from tests import factories


def _midnight_after(day) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def test_a_members_access_lapses_when_the_session_ends(world):
    decision = policies.decide(world.participant, Action.READ_CONTRIBUTIONS, world.session)
    assert decision.allowed
    assert decision.session_id == world.session.pk
    assert decision.until == _midnight_after(world.session.ends_on)


def test_an_administrators_access_lapses_when_the_grant_expires(world):
    expiry = AccessGrant.objects.get(grantee=world.admin_granted).expires_at
    decision = policies.decide(world.admin_granted, Action.READ_CONTRIBUTIONS, world.session)
    assert decision.allowed and decision.until == expiry


def test_the_session_end_comes_first_when_the_grant_outlives_it(world):
    world.session.ends_on = timezone.localdate()
    world.session.save(update_fields=["ends_on"])
    AccessGrant.objects.filter(grantee=world.admin_granted).update(
        expires_at=timezone.now() + timedelta(days=3)
    )
    decision = policies.decide(world.admin_granted, Action.READ_CONTRIBUTIONS, world.session)
    assert decision.until == _midnight_after(world.session.ends_on)


def test_an_ended_session_has_nothing_left_to_lapse(world, db):
    ended = factories.session(ended=True)
    trainer = factories.member(ended, "trainer").user
    decision = policies.decide(trainer, Action.READ_CONTRIBUTIONS, ended)
    assert decision.allowed and decision.until is None


def test_a_denial_carries_no_lapse(world):
    decision = policies.decide(world.outsider, Action.READ_CONTRIBUTIONS, world.session)
    assert not decision.allowed and decision.until is None and decision.session_id is None
