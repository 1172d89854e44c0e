"""Documents served by real server processes: a restart keeps the text; two processes over
Redis hold one document."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from collab.models import Document
from parcours.models import Space
from tests import factories
from tests.collab.ysupport import open_remote, until
from tests.services import require_redis

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _stored(document_id: int) -> str:
    """The document's text as the database holds it (read from a thread of its own)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections
    from pycrdt import Doc

    from collab import documents, richtext

    def read() -> str:
        try:
            doc = Doc()
            doc.apply_update(documents.stored_state(document_id)[0])
            return richtext.plain_text(doc)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(read).result()


def _setup():
    space = factories.space(title="Réseau", visibility=Space.Visibility.OPEN)
    alice = factories.space_member(space, "member").user
    bob = factories.space_member(space, "member").user
    document = Document.objects.create(scope=space.scope, title="Notes")
    return document, alice, bob


async def test_the_text_is_still_there_after_the_server_restarts(daphne):
    document, alice, bob = await database_sync_to_async(_setup)()
    server = await asyncio.to_thread(daphne)
    writer = await open_remote(server, alice, document.pk)
    writer.add_paragraph("Écrit avant le redémarrage")
    await until(lambda: _stored(document.pk) == "Écrit avant le redémarrage")
    await writer.close()
    await asyncio.to_thread(server.stop)
    restarted = await asyncio.to_thread(daphne)
    reader = await open_remote(restarted, bob, document.pk)
    assert reader.text() == "Écrit avant le redémarrage"
    await reader.close()


async def test_editors_on_two_processes_share_one_document_through_redis(daphne):
    redis_url = require_redis()
    document, alice, bob = await database_sync_to_async(_setup)()
    # Reading back the log every minute only: what converges here came through the relay.
    first, second = [
        await asyncio.to_thread(daphne, REDIS_URL=redis_url, COLLAB_DOC_POLL="60") for _ in range(2)
    ]
    left = await open_remote(first, alice, document.pk)
    left.announce(7, {"user": {"name": "Alice"}})
    await asyncio.sleep(0.3)
    right = await open_remote(second, bob, document.pk)
    # A late joiner on the other process sees who is there (asked of the other processes).
    await until(lambda: {"user": {"name": "Alice"}} in right.present())
    left.add_paragraph("Gauche")
    await until(lambda: right.text() == "Gauche")
    left.type_into(0, 6, " et droite")
    right.type_into(0, 0, "De ")
    await until(lambda: left.text() == right.text() == "De Gauche et droite")
    for client in (left, right):
        await client.close()
