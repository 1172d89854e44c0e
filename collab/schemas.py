"""Schemas of the collaborative spaces' API (documents, versions; word clouds, mind maps and
resources in their own sections)."""

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema

from parcours.inputs import Id, QueryText

Title = Annotated[str, Field(min_length=1, max_length=200)]
DocumentKind = Literal["text", "mindmap"]

__all__ = ["Id", "QueryText"]


class DocumentIn(Schema):
    title: Title
    kind: DocumentKind = "text"
    reserved: bool = False


class DocumentPatch(Schema):
    title: Title | None = None
    reserved: bool | None = None


class DocumentOut(Schema):
    id: int
    title: str
    kind: str
    reserved: bool
    session_id: int | None
    space_id: int | None
    # The socket speaking y-websocket for this document.
    sync_url: str
    writable: bool


class VersionIn(Schema):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    # The naming page's document state, a base64 Yjs update (see `documents.save_version`).
    state: Annotated[str | None, Field(max_length=1_400_000)] = None


class VersionOut(Schema):
    id: int
    name: str
    created_at: datetime


class MindMapNodeOut(Schema):
    id: str
    label: str
    children: list["MindMapNodeOut"]


MindMapNodeOut.model_rebuild()


class WordCloudIn(Schema):
    question: Annotated[str, Field(min_length=1, max_length=300)]
    max_words: Annotated[int, Field(ge=1, le=10)] = 3
    anonymous: bool = True


class WordIn(Schema):
    word: Annotated[str, Field(min_length=1, max_length=40)]


class HideIn(Schema):
    word: Annotated[str, Field(min_length=1, max_length=40)]
    hidden: bool = True


class CloseIn(Schema):
    closed: bool = True


class WordOut(Schema):
    normal: str
    word: str
    count: int
    hidden: bool
    # Only in a nominative cloud, only for its animators.
    authors: list[str] | None


class WordCloudOut(Schema):
    id: int
    question: str
    max_words: int
    anonymous: bool
    closed: bool
    words: list[WordOut]
    # The normalised words the viewer gave.
    mine: list[str]


class LinkIn(Schema):
    title: Title
    url: Annotated[str, Field(min_length=1, max_length=2000)]


class ResourceOut(Schema):
    id: int
    kind: str
    title: str
    # A link's address, or the member-only download of a file.
    url: str
    name: str | None
    size: int | None
    mine: bool
