"""Where an event about a post goes: its topics, or only the people who may read the post.

`forum:<id>` and `discussion:<id>` reach everyone who may read the forum. A post that not all
of them may read (a private reply, a Q&A answer) is announced instead on the `user:<id>`
topic of each person who may (`selectors.restricted_reader_ids`), so that the others do not
even learn it exists. Topics are published forum, then discussion, then users in one batch
(`publish_many`, `publish_each`), so that a transaction's events are numbered together after
its commit.
"""

from __future__ import annotations

from realtime import publish, publish_each, publish_many
from realtime.events import Event

from . import events, selectors
from .models import Discussion, Post


def about_post(post: Post, event: Event, *, on_forum: bool = False) -> set[int] | None:
    """Publish `event` about `post`; returns the restricted readers it went to (None: all)."""
    readers = selectors.restricted_reader_ids(post)
    if readers is None:
        if on_forum:
            publish(f"forum:{post.discussion.forum_id}", event)
        publish(f"discussion:{post.discussion_id}", event)
        return None
    publish_many((f"user:{user_id}" for user_id in readers), event)
    return readers


def posts_removed(
    discussion: Discussion, posts: list[Post], *, moved_to: int | None = None
) -> None:
    """Deleted or split-off posts: each reader is told of those they could read."""
    public: list[int] = []
    restricted: dict[int, list[int]] = {}
    for post in posts:
        readers = selectors.restricted_reader_ids(post)
        if readers is None:
            public.append(post.pk)
        for user_id in readers or ():
            restricted.setdefault(user_id, []).append(post.pk)

    def removed(ids: list[int]) -> events.PostsRemoved:
        return events.PostsRemoved(
            discussion_id=discussion.pk, post_ids=ids, moved_to_discussion_id=moved_to
        )

    if public:
        publish(f"discussion:{discussion.pk}", removed(public))
    publish_each((f"user:{user_id}", removed(ids)) for user_id, ids in restricted.items())
