"""Reads of the forums, with each reader's visibility applied in the query.

What a reader sees of a discussion depends on who they are: private replies only for their
author and the trainers and tutors (and, when one answers a private reply, for that reply's
author); in a Q&A forum, others' answers only once one's own is posted; hidden posts keep
their place but lose their text, except for their author and the moderators. `Viewer`
gathers those answers from `parcours.policies` once per request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from parcours import policies
from parcours.errors import ErrorCode, not_found
from parcours.models import Scope
from parcours.policies import Action, Decision
from parcours.selectors import display_name

from .models import (
    Attachment,
    Discussion,
    Favourite,
    Forum,
    Like,
    ModerationEntry,
    Post,
    ReadMark,
    Subscription,
)
from .text import excerpt

VIEWER_ACTIONS = (
    Action.READ_CONTRIBUTIONS,
    Action.READ_TRAINER_ONLY_CONTRIBUTIONS,
    Action.READ_QA_WITHOUT_ANSWERING,
    Action.CONTRIBUTE,
    Action.REACT,
    Action.FOLLOW,
    Action.MODERATE,
    Action.ARRANGE_DISCUSSIONS,
    Action.MANAGE_FORUMS,
    Action.START_NEWS_DISCUSSION,
    Action.READ_MODERATION_LOG,
)


@dataclass(frozen=True)
class Viewer:
    """A reader of one scope's forums; asks the policies once per action and request."""

    user: object
    scope: Scope
    decisions: dict[Action, Decision] = field(default_factory=dict, repr=False)

    @property
    def user_id(self) -> int | None:
        return self.user.pk

    @cached_property
    def standings(self) -> frozenset[policies.Standing]:
        return policies.standings(self.user, self.scope)

    def decide(self, action: Action) -> Decision:
        if action not in self.decisions:
            self.decisions[action] = policies.decide_for_standings(
                self.standings, action, self.scope
            )
        return self.decisions[action]

    def can(self, action: Action) -> bool:
        return self.decide(action).allowed

    def require(self, action: Action) -> None:
        self.decide(action).raise_if_denied()

    def flags(self) -> dict[str, bool]:
        """Every forum action's answer, for pages that show or hide their controls."""
        return {action.name.lower(): self.can(action) for action in VIEWER_ACTIONS}


def viewer(user, scope: Scope) -> Viewer:
    return Viewer(user, scope)


def owner_paths(path: str) -> list[str]:
    """`select_related` paths that load a scope's owner (what the policies read) with it."""
    return [f"{path}scope__session__academy", f"{path}scope__space__session"]


def get_forum(forum_id: int) -> Forum:
    forum = Forum.objects.select_related(*owner_paths("")).filter(pk=forum_id).first()
    if forum is None:
        raise not_found("forum", forum_id)
    return forum


def get_discussion(discussion_id: int) -> Discussion:
    discussion = (
        Discussion.objects.select_related(*owner_paths("forum__")).filter(pk=discussion_id).first()
    )
    if discussion is None:
        raise not_found("discussion", discussion_id)
    return discussion


def get_post(post_id: int) -> Post:
    post = (
        Post.objects.select_related(*owner_paths("discussion__forum__"), "author")
        .filter(pk=post_id)
        .first()
    )
    if post is None:
        raise not_found("message", post_id)
    return post


def authorize_forum_topic(user, forum_id: int) -> Decision:
    """May `user` follow `forum:<id>` live? Never raises."""
    forum = Forum.objects.select_related(*owner_paths("")).filter(pk=forum_id).first()
    return _topic_decision(user, forum.scope if forum else None, "forum", forum_id)


def authorize_discussion_topic(user, discussion_id: int) -> Decision:
    """May `user` follow `discussion:<id>` live? Never raises."""
    found = (
        Discussion.objects.select_related(*owner_paths("forum__")).filter(pk=discussion_id).first()
    )
    return _topic_decision(user, found.forum.scope if found else None, "discussion", discussion_id)


def _topic_decision(user, scope: Scope | None, kind: str, object_id: int) -> Decision:
    if scope is None:
        return Decision(False, ErrorCode.NOT_FOUND, f"{kind} {object_id} introuvable.")
    return policies.decide(user, Action.READ_CONTRIBUTIONS, scope)


def _answered(viewer: Viewer, discussion_ref: OuterRef) -> Exists:
    return Exists(
        Post.objects.filter(
            discussion=discussion_ref, author_id=viewer.user_id, parent__isnull=False
        )
    )


def visibility(viewer: Viewer) -> Q:
    """The posts `viewer` may see, as a filter on `Post`."""
    seen = Q()
    mine = Q(author_id=viewer.user_id)
    if not viewer.can(Action.READ_TRAINER_ONLY_CONTRIBUTIONS):
        # A private reply answering someone's private reply is theirs to read as well.
        answered_me = Q(parent__private=True, parent__author_id=viewer.user_id)
        seen &= Q(private=False) | mine | answered_me
    if not viewer.can(Action.READ_QA_WITHOUT_ANSWERING):
        seen &= (
            ~Q(discussion__forum__kind=Forum.Kind.QA)
            | Q(parent__isnull=True)
            | mine
            | Q(_answered(viewer, OuterRef("discussion")))
        )
    return seen


def can_see(viewer: Viewer, post: Post) -> bool:
    """`visibility` for one post: a post that is neither private nor in a Q&A forum is seen by
    every reader of the forum, known without a query when its forum is loaded."""
    loaded = Post.discussion.is_cached(post) and Discussion.forum.is_cached(post.discussion)
    if loaded and not post.private and post.discussion.forum.kind != Forum.Kind.QA:
        return True
    return Post.objects.filter(pk=post.pk).filter(visibility(viewer)).exists()


def masked(viewer: Viewer, post: Post) -> bool:
    """A hidden post's text is kept from everyone but its author and the moderators."""
    return post.hidden and post.author_id != viewer.user_id and not viewer.can(Action.MODERATE)


def _count(posts: QuerySet[Post]) -> Coalesce:
    counted = posts.values("discussion").annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def latest_post_id(discussion_ref: OuterRef) -> Subquery:
    """Id of a discussion's newest post (whoever may read it): what orders lists by activity,
    read on the (discussion, id) index."""
    newest = Post.objects.filter(discussion=discussion_ref).order_by("-id").values("id")[:1]
    return Subquery(newest, output_field=IntegerField())


def discussions(forum: Forum, viewer: Viewer) -> QuerySet[Discussion]:
    """A forum's discussions, pinned first then by latest post, with the reader's counts."""
    qs = Discussion.objects.filter(forum=forum).annotate(latest=latest_post_id(OuterRef("pk")))
    return annotate_for(viewer, qs.order_by("-pinned", "-latest", "-id"))


def annotate_for(viewer: Viewer, qs: QuerySet[Discussion]) -> QuerySet[Discussion]:
    visible = Post.objects.filter(discussion=OuterRef("pk")).filter(visibility(viewer))
    last_read = ReadMark.objects.filter(
        discussion=OuterRef("discussion"), user_id=viewer.user_id
    ).values("last_read_post_id")[:1]
    unread = visible.filter(hidden=False, id__gt=Coalesce(Subquery(last_read), 0)).exclude(
        author_id=viewer.user_id
    )
    mine = {"user_id": viewer.user_id, "discussion": OuterRef("pk")}
    return qs.select_related("author", "forum").annotate(
        post_count=_count(visible),
        unread=_count(unread),
        favourite=Exists(Favourite.objects.filter(**mine)),
        subscribed=Exists(Subscription.objects.filter(**mine)),
    )


def forums_of(scope: Scope, viewer: Viewer) -> list[dict]:
    forums = (
        Forum.objects.filter(scope=scope)
        .select_related("scope")
        .annotate(
            discussion_count=Count("discussions", distinct=True),
            subscribed=Exists(
                Subscription.objects.filter(user_id=viewer.user_id, forum=OuterRef("pk"))
            ),
        )
    )
    counts = _unread_per_forum(scope, viewer)
    return [forum_view(forum) | {"unread": counts.get(forum.pk, 0)} for forum in forums]


def _unread_per_forum(scope: Scope, viewer: Viewer) -> dict[int, int]:
    totals: dict[int, int] = {}
    rows = annotate_for(viewer, Discussion.objects.filter(forum__scope=scope))
    for forum_id, unread in rows.values_list("forum_id", "unread"):
        totals[forum_id] = totals.get(forum_id, 0) + unread
    return totals


def forum_view(forum: Forum) -> dict:
    return {
        "id": forum.pk,
        "session_id": forum.scope.session_id,
        "space_id": forum.scope.space_id,
        "title": forum.title,
        "description": forum.description,
        "kind": forum.kind,
        "kind_label": forum.get_kind_display(),
        "discussion_count": getattr(forum, "discussion_count", None),
        "subscribed": getattr(forum, "subscribed", False),
    }


def discussion_view(discussion: Discussion) -> dict:
    author = discussion.author
    return {
        "id": discussion.pk,
        "forum_id": discussion.forum_id,
        "title": discussion.title,
        "author_name": display_name(author) if author else "",
        "pinned": discussion.pinned,
        "locked": discussion.locked,
        "post_count": getattr(discussion, "post_count", 0),
        "unread": getattr(discussion, "unread", 0),
        "favourite": getattr(discussion, "favourite", False),
        "subscribed": getattr(discussion, "subscribed", False),
    }


def posts(discussion: Discussion, viewer: Viewer) -> QuerySet[Post]:
    return (
        Post.objects.filter(discussion=discussion)
        .filter(visibility(viewer))
        .select_related("author", "quote_of__author")
        .prefetch_related("attachments", Prefetch("likes", Like.objects.select_related("user")))
    )


def post_view(post: Post, viewer: Viewer, *, visible_ids: set[int] | None = None) -> dict:
    """A post as `viewer` may read it, its quote included only if they may read the quoted
    post: `visible_ids` when the caller has them (a whole discussion), else asked here."""
    quote = post.quote_of
    show_quote = quote is not None and (
        quote.pk in visible_ids if visible_ids is not None else can_see(viewer, quote)
    )
    likers = [like.user for like in post.likes.all()]
    return _post_dict(post, viewer, likers, list(post.attachments.all()), show_quote=show_quote)


def new_post_view(post: Post, viewer: Viewer) -> dict:
    """`post_view` of a post its author has just written (`services.reply`): no like and no
    attachment yet, and a quote the service found readable; no query."""
    return _post_dict(post, viewer, [], [], show_quote=post.quote_of is not None)


def _post_dict(
    post: Post, viewer: Viewer, likers: list, attachments: list[Attachment], *, show_quote: bool
) -> dict:
    hide_text = masked(viewer, post)
    quote = post.quote_of
    return {
        "id": post.pk,
        "discussion_id": post.discussion_id,
        "parent_id": post.parent_id,
        "author_id": post.author_id,
        "author_name": display_name(post.author) if post.author else "",
        "body": "" if hide_text else post.body,
        "word_count": 0 if hide_text else post.word_count,
        "private": post.private,
        "hidden": post.hidden,
        "hidden_reason": "" if hide_text else post.hidden_reason,
        "created_at": post.created_at,
        "edited_at": post.edited_at,
        "edited_by_moderator": post.edited_by_moderator,
        "like_count": len(likers),
        "liked_by_me": any(u.pk == viewer.user_id for u in likers),
        "likers": [display_name(u) for u in likers],
        "quote": {
            "post_id": quote.pk,
            "author_name": display_name(quote.author) if quote.author else "",
            "excerpt": "" if masked(viewer, quote) else excerpt(quote.body),
        }
        if show_quote
        else None,
        "attachments": [] if hide_text else [attachment_view(a) for a in attachments],
    }


def attachment_view(attachment: Attachment) -> dict:
    return {
        "id": attachment.pk,
        "name": attachment.name,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "url": f"/api/v1/forum-attachments/{attachment.pk}",
    }


def readable_attachment(attachment_id: int, user) -> tuple[Attachment, Viewer]:
    """An attachment of a post `user` may read in full (and the viewer that read it), or
    `not_found`."""
    attachment = (
        Attachment.objects.select_related(*owner_paths("post__discussion__forum__"))
        .filter(pk=attachment_id)
        .first()
    )
    scope = attachment.post.discussion.forum.scope if attachment else None
    if scope is None:
        raise not_found("fichier", attachment_id)
    who = viewer(user, scope)
    who.require(Action.READ_CONTRIBUTIONS)
    if not can_see(who, attachment.post) or masked(who, attachment.post):
        raise not_found("fichier", attachment_id)
    return attachment, who


def discussion_posts(discussion: Discussion, viewer: Viewer) -> list[dict]:
    rows = list(posts(discussion, viewer))
    visible_ids = {post.pk for post in rows}
    return [post_view(post, viewer, visible_ids=visible_ids) for post in rows]


def favourites(user) -> list[dict]:
    """My favourite discussions across all my sessions, newest activity first."""
    rows = (
        Favourite.objects.filter(user=user)
        .select_related(*owner_paths("discussion__forum__"))
        .annotate(latest=latest_post_id(OuterRef("discussion")))
        .order_by("-latest")
    )
    return [
        {
            "discussion_id": fav.discussion_id,
            "title": fav.discussion.title,
            "forum_id": fav.discussion.forum_id,
            "forum_title": fav.discussion.forum.title,
            "session_id": fav.discussion.forum.scope.session_id,
            "space_id": fav.discussion.forum.scope.space_id,
            "session_title": fav.discussion.forum.scope.owner.title,
            # False once the session has ended and its trainers closed its content.
            "readable": policies.can(user, Action.READ_CONTRIBUTIONS, fav.discussion.forum.scope),
        }
        for fav in rows
    ]


def notified_ids(discussion: Discussion) -> set[int]:
    """Who hears of a new post in `discussion` (before the post's own readers are applied):
    those following it or its forum, or every member for a news forum; only those who may
    read the forum now. One query."""
    scope = discussion.forum.scope
    readers = policies.members_granted(Action.READ_CONTRIBUTIONS, scope)
    if discussion.forum.kind == Forum.Kind.NEWS:
        return set(readers)
    following = Q(forum=discussion.forum_id) | Q(discussion=discussion)
    found = Subscription.objects.filter(following, user_id__in=readers)
    return set(found.values_list("user_id", flat=True))


def restricted_reader_ids(post: Post) -> set[int] | None:
    """Who may read `post` when not every reader of its forum may (None: everyone may).

    The members' side of `visibility`: a private reply is read by its author, the session's
    trainers and tutors, and the author of the private reply it answers; an answer in a Q&A
    forum by the staff and by those who have answered. Live events about such a post go to
    these people only, so that nobody else learns it exists.
    """
    discussion = post.discussion
    scope = discussion.forum.scope
    readers: set[int] | None = None
    if post.private:
        readers = policies.user_ids_granted(Action.READ_TRAINER_ONLY_CONTRIBUTIONS, scope)
        if post.parent_id is not None and post.parent.private:
            readers.add(post.parent.author_id)
    if discussion.forum.kind == Forum.Kind.QA and post.parent_id is not None:
        qa = policies.user_ids_granted(Action.READ_QA_WITHOUT_ANSWERING, scope)
        qa |= reply_author_ids(discussion)
        readers = qa if readers is None else readers & qa
    if readers is not None:
        readers.add(post.author_id)
        readers.discard(None)
    return readers


def reply_author_ids(discussion: Discussion) -> set[int]:
    return set(
        Post.objects.filter(discussion=discussion, parent__isnull=False).values_list(
            "author_id", flat=True
        )
    )


def moderation_log(scope: Scope) -> list[dict]:
    return [
        {
            "id": entry.pk,
            "act": entry.act,
            "act_label": entry.get_act_display(),
            "actor_name": display_name(entry.actor) if entry.actor else "",
            "forum_id": entry.forum_id_ref,
            "discussion_id": entry.discussion_id_ref,
            "post_id": entry.post_id_ref,
            "summary": entry.summary,
            "reason": entry.reason,
            "at": entry.at,
        }
        for entry in ModerationEntry.objects.filter(scope=scope).select_related("actor")
    ]
