"""The realtime contract of collaborative spaces: what `wordcloud:<id>` carries.

Counts, never authors: a page of a nominative cloud asks the API who wrote what.
(Documents sync on their own socket, `/ws/docs/<id>/`: docs/realtime.md.)
"""

from typing import Literal

from realtime.events import Event


class WordCounted(Event):
    """A word's count changed (someone gave it, or took it back)."""

    type: Literal["wordcloud.word_counted"] = "wordcloud.word_counted"
    cloud_id: int
    normal: str
    word: str
    count: int


class WordHidden(Event):
    type: Literal["wordcloud.word_hidden"] = "wordcloud.word_hidden"
    cloud_id: int
    normal: str
    hidden: bool


class CloudClosed(Event):
    type: Literal["wordcloud.closed"] = "wordcloud.closed"
    cloud_id: int
    closed: bool
