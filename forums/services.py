"""Every write of the forums but moderation (`forums.moderation`), and its rules.

Each function asks `parcours.policies` (through a `Viewer`) before writing, runs in one
transaction, and publishes its events through `realtime.publish`, which waits for the commit.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from parcours import audit, policies
from parcours.attachments import save_upload
from parcours.errors import ErrorCode, ServiceError, not_found
from parcours.models import Scope
from parcours.policies import Action
from parcours.selectors import display_name
from realtime import publish

from . import announce, events, limits, selectors
from .conf import setting
from .models import Attachment, Discussion, Favourite, Forum, Like, Post, ReadMark, Subscription
from .selectors import Viewer, viewer
from .text import sanitize, word_count

# A like notification goes out when the count reaches one of these, then every hundred.
LIKE_MILESTONES = (1, 5, 10, 25, 50, 100)


def invalid(field: str, message: str) -> ServiceError:
    return ServiceError(ErrorCode.INVALID, message, {"field": field})


def clean_body(raw: str, field: str = "body") -> str:
    """Sanitised HTML, refused when empty or too long."""
    if len(raw) > setting("BODY_MAX_CHARS"):
        raise invalid(field, f"Le message dépasse {setting('BODY_MAX_CHARS')} caractères.")
    body = sanitize(raw)
    if word_count(body) == 0:
        raise invalid(field, "Le message est vide.")
    return body


def clean_title(raw: str) -> str:
    title = " ".join(raw.split())
    if not title:
        raise invalid("title", "Le titre est vide.")
    return title


@transaction.atomic
def create_forum(*, scope: Scope, actor, title: str, kind: str, description: str = "") -> Forum:
    """A trainer opens a forum; a single-discussion forum starts with its one discussion."""
    policies.require(actor, Action.MANAGE_FORUMS, scope)
    if kind not in Forum.Kind.values:
        raise invalid("kind", f"Type de forum inconnu : « {kind[:40]} ».")
    title = clean_title(title)
    intro = clean_body(description, "description") if description.strip() else ""
    if kind == Forum.Kind.SINGLE and not intro:
        raise invalid("description", "Une discussion unique commence par son sujet.")
    position = Forum.objects.filter(scope=scope).count()
    forum = Forum.objects.create(
        scope=scope, title=title, kind=kind, description=intro, position=position
    )
    if kind == Forum.Kind.SINGLE:
        _open_discussion(forum=forum, author=actor, title=title, body=intro)
    return forum


def _first_post_rules(forum: Forum, who: Viewer) -> None:
    who.require(Action.CONTRIBUTE)
    if forum.kind == Forum.Kind.NEWS:
        who.require(Action.START_NEWS_DISCUSSION)
    if forum.kind == Forum.Kind.SINGLE:
        raise ServiceError(
            ErrorCode.FORBIDDEN,
            "Ce forum ne contient qu'une discussion : répondez-y.",
            {"field": "forum"},
        )


@transaction.atomic
def start_discussion(*, forum: Forum, author, title: str, body: str) -> Discussion:
    who = viewer(author, forum.scope)
    _first_post_rules(forum, who)
    title, body = clean_title(title), clean_body(body)
    limits.hit("post", author.pk)
    return _open_discussion(forum=forum, author=author, title=title, body=body)


def _open_discussion(*, forum: Forum, author, title: str, body: str) -> Discussion:
    discussion = Discussion.objects.create(forum=forum, title=title, author=author)
    post = _create_post(discussion=discussion, author=author, body=body)
    # Whoever starts a discussion follows its replies.
    Subscription.objects.get_or_create(user=author, discussion=discussion)
    publish(
        f"forum:{forum.pk}",
        events.DiscussionCreated(forum_id=forum.pk, discussion_id=discussion.pk, title=title),
    )
    _notify_subscribers(post)
    return discussion


def _create_post(*, discussion: Discussion, author, body: str, **fields) -> Post:
    return Post.objects.create(
        discussion=discussion, author=author, body=body, word_count=word_count(body), **fields
    )


def _post_in(discussion: Discussion, post_id: int | None, who: Viewer, field: str) -> Post | None:
    if post_id is None:
        return None
    post = Post.objects.filter(pk=post_id, discussion=discussion).select_related("author").first()
    if post is not None:
        post.discussion = discussion  # the same row, its forum loaded: see `can_see`
    if post is None or not selectors.can_see(who, post):
        raise ServiceError(
            ErrorCode.NOT_FOUND, f"Message {post_id} introuvable dans cette discussion.",
            {"field": field},
        )  # fmt: skip
    return post


@transaction.atomic
def reply(
    *,
    discussion: Discussion,
    author,
    body: str,
    parent_id: int | None = None,
    quote_id: int | None = None,
    private: bool = False,
    who: Viewer | None = None,
) -> Post:
    """A reply, threaded under `parent_id`; a reply to a private reply stays private.

    `who`: the author's `Viewer` of the discussion's scope, when the caller holds it already
    (its standings are then read once for the reply and its answer)."""
    who = who or viewer(author, discussion.forum.scope)
    if who.user_id != author.pk or who.scope.pk != discussion.forum.scope_id:
        raise ValueError("`who` must be the author's viewer of the discussion's scope")
    who.require(Action.CONTRIBUTE)
    if discussion.locked:
        raise ServiceError(
            ErrorCode.CONFLICT,
            "Cette discussion est verrouillée : on ne peut plus y répondre.",
            {"field": "discussion", "reason": "locked"},
        )
    body = clean_body(body)
    parent = _post_in(discussion, parent_id, who, "parent_id")
    quote = _post_in(discussion, quote_id, who, "quote_id")
    limits.hit("post", author.pk)
    if parent is None:
        parent = discussion.posts.order_by("id").first()
    post = _create_post(
        discussion=discussion,
        author=author,
        body=body,
        parent=parent,
        quote_of=quote,
        private=private or parent.private,
    )
    _notify_subscribers(post)
    return post


def _notify_subscribers(post: Post) -> None:
    """Publish the new post, and tell each subscriber who may read it."""
    discussion = post.discussion
    forum = discussion.forum
    created = events.PostCreated(
        forum_id=forum.pk,
        discussion_id=discussion.pk,
        post_id=post.pk,
        parent_id=post.parent_id,
        private=post.private,
    )
    readers = selectors.restricted_reader_ids(post)
    recipients = selectors.notified_ids(discussion)
    if readers is not None:
        recipients &= readers
    recipients.discard(post.author_id)
    notification = events.ReplyNotification(
        forum_id=forum.pk,
        discussion_id=discussion.pk,
        post_id=post.pk,
        discussion_title=discussion.title,
        author_name=display_name(post.author),
    )
    # Forum and discussion first (or the user topics of those only who may read the post),
    # then the notification to its followers, in one batch (see `announce`).
    announce.about_post(
        post,
        created,
        on_forum=True,
        readers=readers,
        then=[(f"user:{user_id}", notification) for user_id in sorted(recipients)],
    )


def within_edit_window(post: Post) -> bool:
    return timezone.now() - post.created_at <= timedelta(minutes=setting("EDIT_WINDOW_MINUTES"))


def require_author_edit(post: Post, who: Viewer) -> None:
    """Authors change their own post (text, attachments) only during the edit window."""
    who.require(Action.CONTRIBUTE)
    if post.author_id != who.user_id:
        raise ServiceError(ErrorCode.FORBIDDEN, "Seul l'auteur peut modifier ce message.")
    if not within_edit_window(post):
        minutes = setting("EDIT_WINDOW_MINUTES")
        raise ServiceError(
            ErrorCode.FORBIDDEN,
            f"Un message se modifie pendant {minutes} minutes après sa publication.",
            {"edit_window_minutes": minutes},
        )


def _readable_post(post: Post, who: Viewer) -> None:
    who.require(Action.READ_CONTRIBUTIONS)
    if not selectors.can_see(who, post):
        raise not_found("message", post.pk)


@transaction.atomic
def set_like(*, post: Post, user, liked: bool) -> int:
    """Like or unlike (idempotent); returns the new count, published live."""
    who = viewer(user, post.discussion.forum.scope)
    who.require(Action.REACT)
    _readable_post(post, who)
    if post.author_id == user.pk:
        raise invalid("post", "On n'aime pas son propre message.")
    if post.hidden:
        raise ServiceError(ErrorCode.CONFLICT, "Ce message est masqué par la modération.")
    limits.hit("like", user.pk)
    # Likes of one post take turns, so that each published count is the true one: the post's
    # row is held from here to the commit, no other like of it can slip in between.
    Post.objects.select_for_update().filter(pk=post.pk).values_list("pk").get()
    found = Like.objects.filter(post=post).aggregate(
        count=Count("id"), mine=Count("id", filter=Q(user=user))
    )
    changed = liked != bool(found["mine"])
    if not changed:
        return found["count"]
    if liked:
        Like.objects.create(post=post, user=user)
    else:
        Like.objects.filter(post=post, user=user).delete()
    count = found["count"] + (1 if liked else -1)
    data = {"discussion_id": post.discussion_id, "post_id": post.pk, "like_count": count}
    milestone = liked and _claim_like_milestone(post, count)
    announce.about_post(
        post,
        events.LikeCountChanged(**data),
        then=[(f"user:{post.author_id}", events.LikesNotification(**data))] if milestone else [],
    )
    return count


def _claim_like_milestone(post: Post, count: int) -> bool:
    """Whether `count` reaches a milestone not yet announced to the author (claims it)."""
    reached = [m for m in LIKE_MILESTONES if m <= count]
    if count >= 100:
        reached.append(count - count % 100)
    if not reached or post.author_id is None:
        return False
    return bool(
        Post.objects.filter(pk=post.pk, likes_announced__lt=max(reached)).update(
            likes_announced=max(reached)
        )
    )


def _follow_rules(scope: Scope, user) -> None:
    who = viewer(user, scope)
    who.require(Action.READ_CONTRIBUTIONS)
    who.require(Action.FOLLOW)


@transaction.atomic
def set_favourite(*, discussion: Discussion, user, favourite: bool) -> None:
    _follow_rules(discussion.forum.scope, user)
    if favourite:
        Favourite.objects.get_or_create(discussion=discussion, user=user)
    else:
        Favourite.objects.filter(discussion=discussion, user=user).delete()


@transaction.atomic
def set_subscription(
    *, user, subscribed: bool, forum: Forum | None = None, discussion: Discussion | None = None
) -> None:
    target = {"forum": forum} if forum is not None else {"discussion": discussion}
    _follow_rules((forum or discussion.forum).scope, user)
    if subscribed:
        Subscription.objects.get_or_create(user=user, **target)
    else:
        Subscription.objects.filter(user=user, **target).delete()


@transaction.atomic
def mark_read(*, discussion: Discussion, user, up_to: int | None = None) -> None:
    """Remember the last post read (never when): unread counts start after it."""
    who = viewer(user, discussion.forum.scope)
    who.require(Action.READ_CONTRIBUTIONS)
    if not who.can(Action.FOLLOW):
        return  # only members keep read marks
    newest = Post.objects.filter(discussion=discussion).aggregate(m=Max("id"))["m"] or 0
    up_to = newest if up_to is None else min(up_to, newest)
    mark, _ = ReadMark.objects.get_or_create(discussion=discussion, user=user)
    ReadMark.objects.filter(pk=mark.pk, last_read_post_id__lt=up_to).update(last_read_post_id=up_to)


@transaction.atomic
def add_attachment(*, post: Post, user, upload: UploadedFile) -> Attachment:
    who = viewer(user, post.discussion.forum.scope)
    require_author_edit(post, who)
    if post.attachments.count() >= setting("ATTACHMENTS_PER_POST"):
        raise invalid("file", f"Au plus {setting('ATTACHMENTS_PER_POST')} fichiers par message.")
    attachment = save_upload(
        Attachment, upload, max_bytes=setting("ATTACHMENT_MAX_BYTES"), post=post
    )
    announce.about_post(
        post,
        events.PostEdited(discussion_id=post.discussion_id, post_id=post.pk, by_moderator=False),
    )
    return attachment


def audit_read(who: Viewer, kind: str, object_ids: list[int]) -> None:
    """What an administrator reads under an access grant goes to the session's audit log
    (once per object and day); a member's reads write nothing."""
    decision = who.decide(Action.READ_CONTRIBUTIONS)
    audit.record_reads(actor=who.user, decision=decision, kind=kind, object_ids=object_ids)


def audit_posts(who: Viewer, rows: list[dict]) -> None:
    """`audit_read` of the private posts among the rows a reader is shown."""
    audit_read(who, "private_post", [row["id"] for row in rows if row.get("private")])
