"""Moderation by trainers and tutors, and editing, where authors and moderators meet.

Every moderation act is written to the moderation log the session's trainers read. Hiding
and deleting stay possible after the session ends (abusive content must remain removable);
pinning, locking, moving, splitting and editing are frozen with the rest of the forum.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from parcours.errors import ErrorCode, ServiceError
from parcours.policies import Action
from realtime import publish

from . import announce, events
from .models import Discussion, Forum, ModerationEntry, Post
from .selectors import owner_paths, viewer
from .services import clean_body, clean_title, invalid, require_author_edit, within_edit_window
from .text import excerpt, word_count

Act = ModerationEntry.Act


def log(
    *,
    actor,
    act: str,
    discussion: Discussion | None = None,
    post: Post | None = None,
    reason: str = "",
    summary: str = "",
) -> ModerationEntry:
    discussion = discussion or post.discussion
    return ModerationEntry.objects.create(
        scope_id=discussion.forum.scope_id,
        actor=actor,
        act=act,
        forum_id_ref=discussion.forum_id,
        discussion_id_ref=discussion.pk,
        post_id_ref=post.pk if post else None,
        summary=(summary or (excerpt(post.body, 120) if post else discussion.title))[:300],
        reason=reason,
    )


def _moderator(actor, discussion: Discussion, action: Action) -> None:
    viewer(actor, discussion.forum.scope).require(action)


def _fresh_for_update(discussion: Discussion) -> Discussion:
    """The discussion as committed, locked until this transaction ends.

    Its published state must be the latest: a pin and a lock made at the same moment by two
    requests would otherwise each publish the other's flag as it was before.
    """
    return Discussion.objects.select_for_update().get(pk=discussion.pk)


def _publish_discussion(discussion: Discussion) -> None:
    updated = events.DiscussionUpdated(
        forum_id=discussion.forum_id,
        discussion_id=discussion.pk,
        title=discussion.title,
        pinned=discussion.pinned,
        locked=discussion.locked,
    )
    publish(f"forum:{discussion.forum_id}", updated)
    publish(f"discussion:{discussion.pk}", updated)


@transaction.atomic
def edit_post(*, post: Post, actor, body: str) -> Post:
    """Authors edit during the edit window; moderators at any time, and the post says so."""
    who = viewer(actor, post.discussion.forum.scope)
    by_moderator = post.author_id != actor.pk or not within_edit_window(post)
    if not (by_moderator and who.can(Action.ARRANGE_DISCUSSIONS)):
        require_author_edit(post, who)
        by_moderator = False
    post.body = clean_body(body)
    post.word_count = word_count(post.body)
    post.edited_at = timezone.now()
    post.edited_by_moderator = post.edited_by_moderator or by_moderator
    post.save(update_fields=["body", "word_count", "edited_at", "edited_by_moderator"])
    if by_moderator:
        log(actor=actor, act=Act.EDIT, post=post)
    announce.about_post(
        post,
        events.PostEdited(
            discussion_id=post.discussion_id, post_id=post.pk, by_moderator=by_moderator
        ),
    )
    return post


def set_pinned(*, discussion: Discussion, actor, pinned: bool) -> Discussion:
    return _set_flag(discussion, actor, "pinned", pinned, on=Act.PIN, off=Act.UNPIN)


def set_locked(*, discussion: Discussion, actor, locked: bool) -> Discussion:
    return _set_flag(discussion, actor, "locked", locked, on=Act.LOCK, off=Act.UNLOCK)


@transaction.atomic
def _set_flag(discussion: Discussion, actor, flag: str, value: bool, *, on: Act, off: Act):
    _moderator(actor, discussion, Action.ARRANGE_DISCUSSIONS)
    discussion = _fresh_for_update(discussion)
    if getattr(discussion, flag) != value:
        setattr(discussion, flag, value)
        discussion.save(update_fields=[flag])
        log(actor=actor, act=on if value else off, discussion=discussion)
        _publish_discussion(discussion)
    return discussion


@transaction.atomic
def set_hidden(*, post: Post, actor, hidden: bool, reason: str = "") -> Post:
    """Hide a post with a reason its author reads, or bring it back."""
    _moderator(actor, post.discussion, Action.MODERATE)
    reason = " ".join(reason.split())
    if hidden and len(reason) < 3:
        raise invalid("reason", "Indiquez à l'auteur pourquoi son message est masqué.")
    if post.hidden == hidden and (not hidden or post.hidden_reason == reason):
        return post
    post.hidden, post.hidden_reason = hidden, reason if hidden else ""
    post.save(update_fields=["hidden", "hidden_reason"])
    log(actor=actor, act=Act.HIDE if hidden else Act.UNHIDE, post=post, reason=reason)
    announce.about_post(
        post,
        events.PostHidden(discussion_id=post.discussion_id, post_id=post.pk, hidden=hidden),
    )
    return post


def _thread_ids(post: Post) -> list[int]:
    """The post and every reply below it."""
    ids, frontier = [post.pk], [post.pk]
    while frontier:
        frontier = list(Post.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
        ids.extend(frontier)
    return ids


def _with_parents(ids: list[int]) -> list[Post]:
    return list(
        Post.objects.filter(pk__in=ids).select_related(
            "parent", *owner_paths("discussion__forum__")
        )
    )


@transaction.atomic
def delete_discussion(*, discussion: Discussion, actor, reason: str = "") -> None:
    _moderator(actor, discussion, Action.MODERATE)
    log(actor=actor, act=Act.DELETE_DISCUSSION, discussion=discussion, reason=reason)
    deleted = events.DiscussionDeleted(forum_id=discussion.forum_id, discussion_id=discussion.pk)
    publish(f"forum:{discussion.forum_id}", deleted)
    publish(f"discussion:{discussion.pk}", deleted)
    discussion.delete()


@transaction.atomic
def delete_post(*, post: Post, actor, reason: str = "") -> None:
    """Delete a post and its replies; deleting the opening post deletes the discussion."""
    discussion = post.discussion
    if post.parent_id is None:
        delete_discussion(discussion=discussion, actor=actor, reason=reason)
        return
    _moderator(actor, discussion, Action.MODERATE)
    ids = _thread_ids(post)
    log(actor=actor, act=Act.DELETE_POST, post=post, reason=reason)
    announce.posts_removed(discussion, _with_parents(ids))
    Post.objects.filter(pk__in=ids).delete()


@transaction.atomic
def move_discussion(*, discussion: Discussion, actor, forum_id: int) -> Discussion:
    """Move a discussion to another forum of the same session or space."""
    _moderator(actor, discussion, Action.ARRANGE_DISCUSSIONS)
    target = Forum.objects.filter(pk=forum_id, scope_id=discussion.forum.scope_id).first()
    if target is None:
        raise ServiceError(
            ErrorCode.NOT_FOUND,
            f"Forum {forum_id} introuvable ici.",
            {"field": "forum_id"},
        )
    if target.pk == discussion.forum_id:
        raise invalid("forum_id", "La discussion est déjà dans ce forum.")
    if target.kind == Forum.Kind.SINGLE:
        raise invalid("forum_id", "Un forum à discussion unique n'en reçoit pas d'autre.")
    source = discussion.forum_id
    discussion.forum = target
    discussion.save(update_fields=["forum"])
    log(actor=actor, act=Act.MOVE, discussion=discussion, summary=f"{discussion.title} → {target}")
    moved = events.DiscussionMoved(
        discussion_id=discussion.pk, from_forum_id=source, to_forum_id=target.pk
    )
    for topic in (
        *(f"forum:{pk}" for pk in sorted([source, target.pk])),
        f"discussion:{discussion.pk}",
    ):
        publish(topic, moved)
    return discussion


@transaction.atomic
def split_thread(*, post: Post, actor, title: str) -> Discussion:
    """Make a reply and the replies below it a discussion of their own, in the same forum."""
    discussion = post.discussion
    _moderator(actor, discussion, Action.ARRANGE_DISCUSSIONS)
    title = clean_title(title)
    if post.parent_id is None:
        raise invalid("post", "Le message d'ouverture ne se scinde pas : déplacez la discussion.")
    if post.private:
        raise invalid("post", "Une réponse privée ne peut pas ouvrir une discussion.")
    ids = _thread_ids(post)
    removed = _with_parents(ids)  # who may read each, judged where they were
    created = Discussion.objects.create(
        forum_id=discussion.forum_id, title=title, author_id=post.author_id
    )
    Post.objects.filter(pk__in=ids).update(discussion=created)
    Post.objects.filter(pk=post.pk).update(parent=None)
    log(actor=actor, act=Act.SPLIT, post=post, summary=f"{discussion.title} → {title}")
    publish(
        f"forum:{discussion.forum_id}",
        events.DiscussionCreated(
            forum_id=discussion.forum_id, discussion_id=created.pk, title=title
        ),
    )
    announce.posts_removed(discussion, removed, moved_to=created.pk)
    return created
