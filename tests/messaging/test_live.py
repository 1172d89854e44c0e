import pytest
from channels.db import database_sync_to_async

from messaging import services
from tests.realtime.support import connect

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


async def test_a_direct_message_arrives_live_on_the_recipients_own_topic(world):
    reader, _ = await connect(world.participant)
    await reader.subscribe(f"user:{world.participant.pk}")
    await database_sync_to_async(services.send_message)(
        sender=world.trainer,
        session=world.session,
        recipient_ids=[world.participant.pk],
        body="Pensez au devoir",
    )
    (frame,) = await reader.events(1)
    assert frame["type"] == "message.received"
    assert frame["data"]["body"] == "Pensez au devoir"
    assert frame["data"]["parcours"] == world.session.parcours.title
    await reader.close()
