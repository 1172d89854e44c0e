"""Who may do what with polls, as a table; answers racing on PostgreSQL."""

import threading

import pytest
from django.db import close_old_connections

from parcours.errors import ServiceError
from scheduling import services
from scheduling.models import Answer, Poll, ScheduledClass
from tests import factories
from tests.conftest import STANDINGS
from tests.scheduling.helpers import good_slots, slot_body
from tests.services import require_postgres

# action -> standings that may do it
EXPECTED = {
    "create": {"tutor", "trainer"},
    "view": {"participant", "tutor", "trainer", "admin_granted"},
    "answer": {"participant", "tutor", "trainer"},
    "export": {"tutor", "trainer"},
    "close": {"tutor", "trainer"},
}


def _poll(world) -> Poll:
    slots = [services.SlotIn(s, s.replace(hour=11)) for s in good_slots(2)]
    return services.create_poll(session=world.session, actor=world.trainer, title="P", slots=slots)


def _call(client, action: str, world, poll: Poll):
    slot = poll.slots.first().pk
    if action == "create":
        body = {"title": "x", "slots": [slot_body(good_slots(1)[0])]}
        return client.post(f"/sessions/{world.session.pk}/polls", body)
    if action == "view":
        return client.get(f"/polls/{poll.pk}")
    if action == "answer":
        return client.post(f"/polls/{poll.pk}/answers", {"choices": {slot: "yes"}})
    if action == "export":
        return client.get(f"/polls/{poll.pk}/answers.csv")
    return client.post(f"/polls/{poll.pk}/close", {})


@pytest.mark.parametrize("action", list(EXPECTED))
def test_poll_actions_by_standing(api, world, action):
    got = {}
    for standing in STANDINGS:
        response = _call(api(world.by_standing(standing)), action, world, _poll(world))
        got[standing] = response.status_code
        # Classes closed by one standing must not fill the week for the next (weekly cap).
        ScheduledClass.objects.update(state=ScheduledClass.State.CANCELLED)
        if response.status_code == 403:
            assert response.json()["error"]["code"] == "forbidden"
    allowed = {standing for standing, status in got.items() if status in {200, 201}}
    assert allowed == EXPECTED[action], got
    assert set(got.values()) <= {200, 201, 403}, got


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_yes_answers_never_overfill_a_slot():
    require_postgres()
    academy = factories.academy()
    session = factories.session(academy_obj=academy)
    trainer = factories.member(session, "trainer").user
    people = [factories.member(session, "participant").user for _ in range(8)]
    start = good_slots(1)[0]
    poll = services.create_poll(
        session=session,
        actor=trainer,
        title="Places comptées",
        slots=[services.SlotIn(start, start.replace(hour=11), seat_limit=3)],
    )
    slot_id = poll.slots.get().pk
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []

    def answer(user) -> None:
        try:
            barrier.wait()
            services.answer_poll(poll=poll, user=user, choices={slot_id: "yes"})
            outcomes.append("ok")
        except ServiceError as exc:
            outcomes.append(exc.code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=answer, args=(user,)) for user in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict"] * 5 + ["ok"] * 3
    assert Answer.objects.filter(slot_id=slot_id, choice="yes").count() == 3


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_one_member_answering_twice_at_once_keeps_one_ballot():
    require_postgres()
    session = factories.session()
    trainer = factories.member(session, "trainer").user
    participant = factories.member(session, "participant").user
    start = good_slots(1)[0]
    poll = services.create_poll(
        session=session,
        actor=trainer,
        title="P",
        slots=[services.SlotIn(start, start.replace(hour=11))],
    )
    slot_id = poll.slots.get().pk
    barrier = threading.Barrier(4)

    def answer(choice: str) -> None:
        barrier.wait()
        services.answer_poll(poll=poll, user=participant, choices={slot_id: choice})
        close_old_connections()

    threads = [threading.Thread(target=answer, args=(c,)) for c in ["yes", "no", "maybe", "yes"]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert poll.ballots.count() == 1
    assert Answer.objects.filter(slot_id=slot_id).count() == 1
