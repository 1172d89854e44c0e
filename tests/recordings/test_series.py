""" "Entre pairs": the recordings of a meetup series, listed together for the network's members."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from scheduling.models import ScheduledClass, Series
from tests.conftest import STANDINGS

MEMBERS = {"participant", "tutor", "trainer"}


def last_years_series(session, title="Entre pairs 2025") -> tuple[Series, list[ScheduledClass]]:
    """A fortnightly meetup that ran last year, with three held classes."""
    first = timezone.localdate() - timedelta(days=400)
    series = Series.objects.create(
        scope=session.scope,
        title=title,
        first_day=first,
        until=first + timedelta(weeks=4),
        interval_weeks=2,
        start_time=time(17, 0),
        minutes=30,
        timezone="Europe/Paris",
    )
    classes = []
    for rank in range(3):
        start = timezone.make_aware(datetime.combine(first + timedelta(weeks=2 * rank), time(17)))
        classes.append(
            ScheduledClass.objects.create(
                scope=session.scope,
                series=series,
                title=f"{title} n°{rank + 1}",
                starts_at=start,
                ends_at=start + timedelta(minutes=30),
                timezone="Europe/Paris",
            )
        )
    return series, classes


def test_a_series_lists_its_classes_recordings_in_order(world, api, make_recording):
    series, classes = last_years_series(world.session)
    third = make_recording(world.session, title="Troisième", scheduled_class=classes[2])
    first_a = make_recording(
        world.session,
        title="Première, partie 1",
        scheduled_class=classes[0],
        started_at=classes[0].starts_at,
    )
    first_b = make_recording(
        world.session,
        title="Première, partie 2",
        scheduled_class=classes[0],
        started_at=classes[0].starts_at + timedelta(minutes=10),
    )
    _other_series, other_classes = last_years_series(world.session, title="Autre série")
    make_recording(world.session, title="Autre", scheduled_class=other_classes[0])
    make_recording(world.session, title="Hors série")
    listed = api(world.participant).get(f"/series/{series.pk}/recordings")
    assert listed.status_code == 200
    data = listed.json()
    assert data["title"] == "Entre pairs 2025" and data["until"] < timezone.localdate().isoformat()
    assert [r["id"] for r in data["recordings"]] == [first_a.pk, first_b.pk, third.pk]
    assert {r["series_id"] for r in data["recordings"]} == {series.pk}
    assert all(r["playback_url"] for r in data["recordings"])


@pytest.mark.parametrize("standing", STANDINGS)
def test_last_years_series_stays_open_to_the_networks_members_only(
    world, api, make_recording, standing
):
    series, classes = last_years_series(world.session)
    make_recording(world.session, scheduled_class=classes[0])
    response = api(world.by_standing(standing)).get(f"/series/{series.pk}/recordings")
    if standing in MEMBERS:
        assert response.status_code == 200
        assert len(response.json()["recordings"]) == 1
    else:
        assert response.status_code == 403
        assert "recordings" not in response.json()
