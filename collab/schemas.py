"""Schemas of the collaborative spaces' API (documents, versions; word clouds, mind maps and
resources in their own sections)."""

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema

from parcours.routes.schemas import Id

Title = Annotated[str, Field(min_length=1, max_length=200)]
DocumentKind = Literal["text", "mindmap"]

__all__ = ["Id"]


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


class VersionOut(Schema):
    id: int
    name: str
    created_at: datetime
