"""Polls through the API: refusals with every reason, answers, hidden results, closing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from scheduling.models import Answer, Ballot, Poll, ScheduledClass
from scheduling.selectors import poll_topic_decision
from tests.scheduling.helpers import good_slots, next_weekday, slot_body


def make_poll(api, world, *, slots=2, **extra):
    body = {
        "title": "Classe virtuelle : stratégies",
        "slots": [slot_body(s) for s in good_slots(slots)],
    }
    response = api(world.trainer).post(f"/sessions/{world.session.pk}/polls", body | extra)
    assert response.status_code == 201, response.json()
    return response.json()


def test_trainer_proposes_allowed_slots(api, world):
    poll = make_poll(api, world)
    assert poll["state"] == "open" and len(poll["slots"]) == 2
    assert poll["timezone"] == "Europe/Paris"
    assert poll["slots"][0]["local_start"].endswith(("+01:00", "+02:00"))


def test_refused_slots_come_back_with_every_reason_and_nothing_is_stored(api, world):
    saturday = next_weekday(5).replace(hour=10)
    tuesday_evening = next_weekday(1, after_days=14).replace(hour=18)
    body = {
        "title": "Mauvais créneaux",
        "slots": [
            slot_body(good_slots(1)[0]),
            slot_body(saturday),
            slot_body(tuesday_evening, 30),
        ],
    }
    response = api(world.trainer).post(f"/sessions/{world.session.pk}/polls", body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid" and error["details"]["field"] == "slots"
    refused = {row["index"]: row["reasons"] for row in error["details"]["refused"]}
    assert "weekend" in refused[1]
    assert "outside_working_hours" in refused[2]
    assert 0 not in refused
    assert not Poll.objects.exists()


def test_a_slot_over_two_hours_passes_the_weekly_cap(api, world):
    body = {"title": "Trop long", "slots": [slot_body(good_slots(1)[0], 150)]}
    response = api(world.trainer).post(f"/sessions/{world.session.pk}/polls", body)
    assert response.json()["error"]["details"]["refused"][0]["reasons"] == ["weekly_distance_cap"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"slots": []}, "title"),
        ({"title": "x", "slots": []}, "slots"),
        ({"title": "x", "slots": [{"starts_at": "2026-12-01T10:00:00", "ends_at": "x"}]}, "slots"),
        ({"title": "x", "slots": [{"starts_at": "demain"}]}, "slots"),
    ],
)
def test_bad_poll_input_names_the_field_and_changes_nothing(api, world, body, field):
    response = api(world.trainer).post(f"/sessions/{world.session.pk}/polls", body)
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"].startswith(field)
    assert not Poll.objects.exists()


def test_members_answer_and_change_their_answer(api, world, capture_events):
    poll = make_poll(api, world)
    first, second = (slot["id"] for slot in poll["slots"])
    client = api(world.participant)
    response = client.post(
        f"/polls/{poll['id']}/answers", {"choices": {first: "yes", second: "no"}, "comment": "Ok"}
    )
    assert response.status_code == 200
    response = client.post(f"/polls/{poll['id']}/answers", {"choices": {second: "maybe"}})
    body = response.json()
    assert body["my_choices"] == {str(first): "yes", str(second): "maybe"}
    assert body["my_comment"] == "Ok"
    assert Ballot.objects.count() == 1 and Answer.objects.count() == 2
    counts = [e for t, e in capture_events.events if t == f"poll:{poll['id']}"][-1]
    assert counts.type == "poll.answer_counts"
    assert {(s.slot_id, s.yes, s.maybe) for s in counts.slots} == {(first, 1, 0), (second, 0, 1)}


@pytest.mark.parametrize(
    "choices",
    [{"999999": "yes"}, {"SLOT": "peut-être"}, {}, "oui"],
)
def test_bad_answers_name_the_field_and_change_nothing(api, world, choices):
    poll = make_poll(api, world)
    body = (
        {"choices": {k.replace("SLOT", str(poll["slots"][0]["id"])): v for k, v in choices.items()}}
        if isinstance(choices, dict)
        else {"choices": choices}
    )
    response = api(world.participant).post(f"/polls/{poll['id']}/answers", body)
    assert 400 <= response.status_code < 500
    assert response.json()["error"]["details"]["field"].startswith("choices")
    assert not Answer.objects.exists()


def test_hidden_results_show_only_seats_to_participants_and_on_the_topic(
    api, world, capture_events
):
    poll = make_poll(api, world, hide_results=True, nominative=True)
    limited = poll["slots"][0]["id"]
    Poll.objects.get(pk=poll["id"]).slots.filter(pk=limited).update(seat_limit=3)
    api(world.participant).post(f"/polls/{poll['id']}/answers", {"choices": {limited: "yes"}})
    seen = api(world.other_participant).get(f"/polls/{poll['id']}").json()
    assert not seen["results_visible"] and seen["ballots"] is None
    assert {s["yes"] for s in seen["slots"]} == {None}
    assert seen["slots"][0]["seats_left"] == 2
    trainer_view = api(world.trainer).get(f"/polls/{poll['id']}").json()
    assert trainer_view["slots"][0]["yes"] == 1 and len(trainer_view["ballots"]) == 1
    assert capture_events.types(f"poll:{poll['id']}") == ["poll.seats"]
    seats = capture_events.events[-1][1]
    assert seats.model_dump(exclude={"type"}) == {
        "poll_id": poll["id"],
        "respondents": 1,
        "slots": [{"slot_id": limited, "seats_left": 2}],
    }


def test_a_full_slot_refuses_one_more_yes(api, world):
    poll = make_poll(api, world, slots=1)
    slot = poll["slots"][0]["id"]
    Poll.objects.get(pk=poll["id"]).slots.update(seat_limit=1)
    assert (
        api(world.participant)
        .post(f"/polls/{poll['id']}/answers", {"choices": {slot: "yes"}})
        .status_code
        == 200
    )
    refused = api(world.other_participant).post(
        f"/polls/{poll['id']}/answers", {"choices": {slot: "yes"}}
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["details"]["full_slots"] == [slot]
    assert (
        api(world.other_participant)
        .post(f"/polls/{poll['id']}/answers", {"choices": {slot: "maybe"}})
        .status_code
        == 200
    )


def test_a_poll_past_its_closing_date_takes_no_more_answers(api, world):
    poll = make_poll(api, world, closes_at=(timezone.now() + timedelta(hours=1)).isoformat())
    Poll.objects.filter(pk=poll["id"]).update(closes_at=timezone.now() - timedelta(minutes=1))
    slot = poll["slots"][0]["id"]
    response = api(world.participant).post(
        f"/polls/{poll['id']}/answers", {"choices": {slot: "yes"}}
    )
    assert response.status_code == 409
    assert not Answer.objects.exists()


def test_a_closing_date_in_the_past_is_refused(api, world):
    body = {
        "title": "x",
        "slots": [slot_body(good_slots(1)[0])],
        "closes_at": (timezone.now() - timedelta(hours=1)).isoformat(),
    }
    response = api(world.trainer).post(f"/sessions/{world.session.pk}/polls", body)
    assert response.json()["error"]["details"]["field"] == "closes_at"


def test_closing_schedules_the_best_supported_slot_and_notifies_members(api, world, capture_events):
    poll = make_poll(api, world)
    first, second = (slot["id"] for slot in poll["slots"])
    api(world.participant).post(
        f"/polls/{poll['id']}/answers", {"choices": {first: "maybe", second: "yes"}}
    )
    api(world.other_participant).post(
        f"/polls/{poll['id']}/answers", {"choices": {first: "yes", second: "yes"}}
    )
    assert api(world.trainer).get(f"/polls/{poll['id']}").json()["suggested_slot_id"] == second
    response = api(world.trainer).post(f"/polls/{poll['id']}/close", {})
    assert response.status_code == 200
    scheduled = ScheduledClass.objects.get()
    assert response.json()["id"] == scheduled.pk
    assert scheduled.starts_at.isoformat() == poll["slots"][1]["starts_at"].replace("Z", "+00:00")
    assert capture_events.types(f"poll:{poll['id']}")[-1] == "poll.closed"
    notified = {t for t, e in capture_events.events if e.type == "class.scheduled"}
    members = [world.participant, world.other_participant, world.tutor, world.trainer]
    assert notified == {f"user:{user.pk}" for user in members}
    again = api(world.trainer).post(f"/polls/{poll['id']}/close", {})
    assert again.status_code == 409
    classes = api(world.participant).get(f"/sessions/{world.session.pk}/classes").json()
    assert [c["id"] for c in classes] == [scheduled.pk]


def test_the_trainer_may_pick_another_slot_than_the_suggestion(api, world):
    poll = make_poll(api, world)
    chosen = poll["slots"][0]["id"]
    response = api(world.trainer).post(f"/polls/{poll['id']}/close", {"slot_id": chosen})
    assert response.status_code == 200
    assert Poll.objects.get(pk=poll["id"]).slots.get(chosen=True).pk == chosen


def test_closing_with_a_slot_of_another_poll_is_refused(api, world):
    poll = make_poll(api, world)
    response = api(world.trainer).post(f"/polls/{poll['id']}/close", {"slot_id": 987654})
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "slot_id"
    assert not ScheduledClass.objects.exists()


def test_polls_freeze_when_the_session_ends(api, world):
    poll = make_poll(api, world)
    world.session.state = "closed"
    world.session.save()
    slot = poll["slots"][0]["id"]
    response = api(world.participant).post(
        f"/polls/{poll['id']}/answers", {"choices": {slot: "yes"}}
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "frozen"
    assert (
        api(world.trainer).post(f"/polls/{poll['id']}/close", {}).json()["error"]["code"]
        == "frozen"
    )


def test_the_poll_topic_asks_policies(world, api):
    poll = make_poll(api, world)
    assert poll_topic_decision(world.participant, poll["id"])
    assert poll_topic_decision(world.outsider, poll["id"]).code == "forbidden"
    assert poll_topic_decision(world.inspector, poll["id"]).code == "forbidden"
    assert poll_topic_decision(world.participant, 999999).code == "not_found"


def test_an_academy_may_shorten_its_working_hours(api, world):
    from datetime import time

    from scheduling.models import WorkingHours

    WorkingHours.objects.create(academy=world.session.academy, day_end=time(10, 30))
    body = {"title": "Tard", "slots": [slot_body(good_slots(1)[0])]}
    response = api(world.trainer).post(f"/sessions/{world.session.pk}/polls", body)
    assert response.json()["error"]["details"]["refused"][0]["reasons"] == ["outside_working_hours"]
