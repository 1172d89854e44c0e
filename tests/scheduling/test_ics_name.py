"""A class's invitation downloads under a name people recognise: the class and its day."""

from zoneinfo import ZoneInfo

from scheduling import services
from tests.scheduling.helpers import two_slot_poll


def test_the_invitation_is_named_after_the_class_and_its_day(world, api):
    poll = two_slot_poll(world)
    scheduled = services.close_poll(poll=poll, actor=world.trainer)
    response = api(world.participant).get(f"/polls/{poll.pk}/event.ics")
    assert response.status_code == 200
    day = scheduled.starts_at.astimezone(ZoneInfo(scheduled.timezone)).date()
    assert response["Content-Disposition"] == (
        f'attachment; filename="quand-se-retrouver-{day.isoformat()}.ics"'
    )
    assert b"URL:" in response.content
