"""Fixtures of the classroom tests: an SFU room in this process and aiortc client peers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from classrooms.media.network import ice_configuration
from classrooms.media.room import MediaRoom
from tests.classrooms.peers import ClientPeer, DirectSignalling, direct_send


class MediaHarness:
    """A `MediaRoom` and the aiortc peers joining it, all closed at teardown."""

    def __init__(self, room_id: int = 1, transcode: bool = False) -> None:
        self.room = MediaRoom(
            room_id,
            send=direct_send(lambda: self.room),
            configuration=ice_configuration([]),
            transcode=transcode,
        )
        self.clients: list[ClientPeer] = []

    async def join(self, key: str, user_id: int, **media) -> ClientPeer:
        client = ClientPeer(DirectSignalling(self.room, key, user_id), **media)
        self.clients.append(client)
        await client.join()
        return client

    async def close(self) -> None:
        for client in self.clients:
            await client.close()
        await self.room.close()


@pytest.fixture
async def media():
    harness = MediaHarness()
    try:
        yield harness
    finally:
        await harness.close()


@dataclass
class Board:
    """An open room of the world's session with a chat line and an open quick poll."""

    room: object
    message: object
    poll: object


@pytest.fixture
def board(world) -> Board:
    from classrooms import activities, services

    room = services.create_room(scope=world.session.scope, actor=world.trainer, title="Classe")
    message = services.post_chat(room=room, actor=world.participant, body="Bonjour à tous")
    poll = activities.open_poll(
        room=room, actor=world.trainer, question="Prêts ?", choices=["Oui", "Non"]
    )
    return Board(room, message, poll)
