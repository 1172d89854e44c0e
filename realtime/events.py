"""The base of every realtime event.

Each app declares the events it publishes in its own `events.py`, as subclasses with a
`Literal` `type` and their data fields; that file is the app's realtime contract.
"""

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Durable events get a per-topic sequence number and are stored for replay; ephemeral
    # ones (typing, presence, signalling, hands) are neither numbered nor stored.
    durable: ClassVar[bool] = True

    type: str

    def data(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude={"type"})
