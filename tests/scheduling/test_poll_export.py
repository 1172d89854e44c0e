"""The poll's CSV export names people only when the poll said so at creation."""

import csv
import io

from scheduling import services
from scheduling.models import Poll
from tests.scheduling.helpers import good_slots, slot_body


def _poll(world, **extra) -> Poll:
    slots = [services.SlotIn(s, s.replace(hour=11)) for s in good_slots(2)]
    return services.create_poll(
        session=world.session, actor=world.trainer, title="P", slots=slots, **extra
    )


def _answer(world, poll: Poll) -> None:
    first, second = poll.slots.order_by("starts_at")
    services.answer_poll(
        poll=poll,
        user=world.participant,
        choices={first.pk: "maybe", second.pk: "yes"},
        comment="Je serai en retard",
    )
    services.answer_poll(
        poll=poll, user=world.other_participant, choices={first.pk: "yes", second.pk: "yes"}
    )


def _export(api, world, poll: Poll) -> list[list[str]]:
    response = api(world.trainer).get(f"/polls/{poll.pk}/answers.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_by_default_the_export_gives_counts_per_slot_without_names(api, world):
    poll = _poll(world)
    _answer(world, poll)
    rows = _export(api, world, poll)
    assert rows[0] == ["créneau", "oui", "si besoin", "non"]
    assert [row[1:] for row in rows[1:]] == [["1", "1", "0"], ["2", "0", "0"]]
    text = "\n".join(",".join(row) for row in rows)
    for name in (world.participant.last_name, world.other_participant.last_name):
        assert name not in text
    assert "retard" not in text


def test_a_poll_created_nominative_exports_names_and_comments(api, world):
    poll = _poll(world, nominative=True)
    _answer(world, poll)
    rows = _export(api, world, poll)
    assert rows[0][0] == "nom" and rows[0][-1] == "commentaire"
    assert ["si besoin", "oui", "Je serai en retard"] in [row[1:] for row in rows[1:]]
    assert len(rows) == 3


def test_nominative_is_said_at_creation_through_the_api_and_shown(api, world, client):
    body = {"title": "Classe", "slots": [slot_body(s) for s in good_slots(2)]}
    plain = api(world.trainer).post(f"/sessions/{world.session.pk}/polls", body).json()
    named = (
        api(world.trainer)
        .post(f"/sessions/{world.session.pk}/polls", body | {"nominative": True})
        .json()
    )
    assert (plain["nominative"], named["nominative"]) == (False, True)
    client.force_login(world.participant)
    page = client.get(f"/sondages/{named['id']}/").content.decode()
    assert "Sondage nominatif" in page
    page = client.get(f"/sondages/{plain['id']}/").content.decode()
    assert "que le nombre de réponses par créneau" in page


def test_nominative_must_be_a_boolean(api, world):
    body = {"title": "Classe", "slots": [slot_body(good_slots(1)[0])], "nominative": "peut-être"}
    response = api(world.trainer).post(f"/sessions/{world.session.pk}/polls", body)
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "nominative"
    assert not Poll.objects.exists()


def test_participants_cannot_export(api, world):
    poll = _poll(world, nominative=True)
    assert api(world.participant).get(f"/polls/{poll.pk}/answers.csv").status_code == 403
