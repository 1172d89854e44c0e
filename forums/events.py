"""The forums' realtime contract: what they publish, and on which topics.

`forum:<id>` and `discussion:<id>` carry ids, counts and flags, never a post's text: a
page fetches the post through the API, which applies the reader's visibility (private
replies, Q&A answers, hidden posts). Notifications go to `user:<id>`. Events about a post
that only some readers may read (a private reply, a Q&A answer) go to each of those readers'
`user:<id>` instead of the forum's topics (`announce.py`).
"""

from typing import Literal

from realtime.events import Event


class DiscussionCreated(Event):
    type: Literal["forum.discussion_created"] = "forum.discussion_created"
    forum_id: int
    discussion_id: int
    title: str


class DiscussionUpdated(Event):
    """Pinned, locked or renamed."""

    type: Literal["forum.discussion_updated"] = "forum.discussion_updated"
    forum_id: int
    discussion_id: int
    title: str
    pinned: bool
    locked: bool


class DiscussionMoved(Event):
    type: Literal["forum.discussion_moved"] = "forum.discussion_moved"
    discussion_id: int
    from_forum_id: int
    to_forum_id: int


class DiscussionDeleted(Event):
    type: Literal["forum.discussion_deleted"] = "forum.discussion_deleted"
    forum_id: int
    discussion_id: int


class PostCreated(Event):
    type: Literal["forum.post_created"] = "forum.post_created"
    forum_id: int
    discussion_id: int
    post_id: int
    parent_id: int | None
    private: bool


class PostEdited(Event):
    type: Literal["forum.post_edited"] = "forum.post_edited"
    discussion_id: int
    post_id: int
    by_moderator: bool


class PostHidden(Event):
    type: Literal["forum.post_hidden"] = "forum.post_hidden"
    discussion_id: int
    post_id: int
    hidden: bool


class PostsRemoved(Event):
    """Posts deleted, or split off into another discussion."""

    type: Literal["forum.posts_removed"] = "forum.posts_removed"
    discussion_id: int
    post_ids: list[int]
    moved_to_discussion_id: int | None = None


class LikeCountChanged(Event):
    type: Literal["forum.like_count"] = "forum.like_count"
    discussion_id: int
    post_id: int
    like_count: int


class ReplyNotification(Event):
    """To a subscriber: a followed forum or discussion got a new post."""

    type: Literal["forum.reply_notification"] = "forum.reply_notification"
    forum_id: int
    discussion_id: int
    post_id: int
    discussion_title: str
    author_name: str


class LikesNotification(Event):
    """To an author: their post's likes, announced in batches, not one per like."""

    type: Literal["forum.likes_notification"] = "forum.likes_notification"
    discussion_id: int
    post_id: int
    like_count: int
