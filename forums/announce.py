"""Where an event about a post goes: its topics, or only the people who may read the post.

`forum:<id>` and `discussion:<id>` reach everyone who may read the forum. A post that not all
of them may read (a private reply, a Q&A answer) is announced instead on the `user:<id>`
topic of each person who may (`selectors.restricted_reader_ids`), so that the others do not
even learn it exists. Topics are published forum, then discussion, then users in one batch
(`publish_each`), so that a write's events are stored by one insert and numbered together
after its commit.
"""

from __future__ import annotations

from collections.abc import Iterable

from realtime import publish, publish_each
from realtime.events import Event

from . import events, selectors
from .models import Discussion, Post


def about_post(
    post: Post,
    event: Event,
    *,
    on_forum: bool = False,
    readers: set[int] | None = None,
    then: Iterable[tuple[str, Event]] = (),
) -> None:
    """Publish `event` about `post`, then the `then` pairs, in one batch (one insert).

    `readers`: the post's restricted readers when the caller has them already (None: asked
    here, and None from `restricted_reader_ids` means everyone who may read the forum)."""
    if readers is None:
        readers = selectors.restricted_reader_ids(post)
    if readers is None:
        topics = [f"forum:{post.discussion.forum_id}"] if on_forum else []
        topics.append(f"discussion:{post.discussion_id}")
    else:
        topics = [f"user:{user_id}" for user_id in sorted(readers)]
    publish_each([(topic, event) for topic in topics] + list(then))


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
