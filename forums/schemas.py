from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from parcours.inputs import Id

ForumKind = Literal["standard", "single", "qa", "news"]
Title = Field(min_length=1, max_length=200)
Body = Field(min_length=1, max_length=20_000)
Reason = Field(default="", max_length=500)


class ForumIn(Schema):
    title: str = Title
    kind: ForumKind = "standard"
    description: str = Field(default="", max_length=20_000)


class DiscussionIn(Schema):
    title: str = Title
    body: str = Body


class PostIn(Schema):
    body: str = Body
    parent_id: Id | None = None
    quote_id: Id | None = None
    # Only its author and the session's trainers and tutors will see it.
    private: bool = False


class PostEditIn(Schema):
    body: str = Body


class PreviewOut(Schema):
    # The HTML a post with this body would store and show.
    body: str


class ReadIn(Schema):
    # The last post read; omitted: the newest post of the discussion.
    up_to: Id | None = None


class HideIn(Schema):
    reason: str = Field(min_length=3, max_length=500)


class MoveIn(Schema):
    forum_id: Id


class SplitIn(Schema):
    title: str = Title


class ForumOut(Schema):
    id: int
    session_id: int | None
    space_id: int | None
    title: str
    description: str
    kind: str
    discussion_count: int | None = None
    subscribed: bool = False
    unread: int = 0


class DiscussionOut(Schema):
    id: int
    forum_id: int
    title: str
    author_name: str
    pinned: bool
    locked: bool
    post_count: int = 0
    unread: int = 0
    favourite: bool = False
    subscribed: bool = False


class ForumDetailOut(Schema):
    forum: ForumOut
    discussions: list[DiscussionOut]
    # What the caller may do here, so that clients show only the controls that work.
    can: dict[str, bool]
    # Heads of the topics this state depends on: subscribe with `since` from them.
    topics: dict[str, int] = {}


class QuoteOut(Schema):
    post_id: int
    author_name: str
    excerpt: str


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    url: str


class PostOut(Schema):
    id: int
    discussion_id: int
    parent_id: int | None
    author_id: int | None
    author_name: str
    body: str
    word_count: int
    private: bool
    hidden: bool
    # Shown to the author and the moderators only.
    hidden_reason: str
    created_at: datetime
    edited_at: datetime | None
    edited_by_moderator: bool
    like_count: int
    liked_by_me: bool
    likers: list[str]
    quote: QuoteOut | None
    attachments: list[AttachmentOut]


class DiscussionDetailOut(Schema):
    discussion: DiscussionOut
    posts: list[PostOut]
    can: dict[str, bool]
    # Heads of the topics this state depends on: subscribe with `since` from them.
    topics: dict[str, int] = {}


class LikeOut(Schema):
    post_id: int
    like_count: int
    liked_by_me: bool


class FavouriteOut(Schema):
    discussion_id: int
    title: str
    forum_id: int
    forum_title: str
    session_id: int | None
    space_id: int | None
    # The session's or the space's title.
    session_title: str
    # False once the session has ended and its trainers closed its content.
    readable: bool


class ModerationEntryOut(Schema):
    id: int
    act: str
    act_label: str
    actor_name: str
    forum_id: int | None
    discussion_id: int | None
    post_id: int | None
    summary: str
    reason: str
    at: datetime
