"""Forums over HTTP: forums, discussions, posts, likes, favourites, subscriptions, moderation."""

from django.http import HttpRequest, HttpResponse
from ninja import File, Router, Status
from ninja.files import UploadedFile

from parcours import policies
from parcours import selectors as parcours_selectors
from parcours.attachments import file_response, upload_route
from parcours.errors import not_found
from parcours.inputs import Id, QueryText
from parcours.policies import Action
from realtime.heads import expose_heads

from . import moderation, selectors, services, text
from .conf import setting
from .models import Discussion
from .schemas import (
    AttachmentOut,
    DiscussionDetailOut,
    DiscussionIn,
    DiscussionOut,
    FavouriteOut,
    ForumDetailOut,
    ForumIn,
    ForumOut,
    HideIn,
    LikeOut,
    ModerationEntryOut,
    MoveIn,
    PostEditIn,
    PostIn,
    PostOut,
    PreviewOut,
    ReadIn,
    SplitIn,
)
from .selectors import Viewer

router = Router()


def _reader(request: HttpRequest, scope) -> Viewer:
    who = selectors.viewer(request.user, scope)
    who.require(Action.READ_CONTRIBUTIONS)
    return who


def _discussion_out(discussion: Discussion, request: HttpRequest) -> dict:
    who = selectors.viewer(request.user, discussion.forum.scope)
    qs = selectors.annotate_for(who, Discussion.objects.filter(pk=discussion.pk))
    return selectors.discussion_view(qs.get())


def _post_out(post_id: int, request: HttpRequest) -> dict:
    post = selectors.get_post(post_id)
    who = _reader(request, post.discussion.forum.scope)
    found = selectors.posts(post.discussion, who).filter(pk=post_id).first()
    if found is None:
        raise not_found("message", post_id)
    services.audit_read(who, "private_post" if found.private else "post", [post_id])
    return selectors.post_view(found, who)


@router.get("/sessions/{session_id}/forums", response=list[ForumOut])
def list_forums(request: HttpRequest, session_id: Id):
    scope = parcours_selectors.get_session_scope(session_id)
    who = _reader(request, scope)
    services.audit_read(who, "forums", [scope.pk])
    return selectors.forums_of(scope, who)


@router.post("/sessions/{session_id}/forums", response={201: ForumOut})
def create_forum(request: HttpRequest, session_id: Id, payload: ForumIn):
    scope = parcours_selectors.get_session_scope(session_id)
    forum = services.create_forum(scope=scope, actor=request.user, **payload.dict())
    return Status(201, selectors.forum_view(forum))


@router.get("/spaces/{space_id}/forums", response=list[ForumOut])
def list_space_forums(request: HttpRequest, space_id: Id):
    scope = parcours_selectors.get_space_scope(space_id)
    return selectors.forums_of(scope, _reader(request, scope))


@router.post("/spaces/{space_id}/forums", response={201: ForumOut})
def create_space_forum(request: HttpRequest, space_id: Id, payload: ForumIn):
    scope = parcours_selectors.get_space_scope(space_id)
    forum = services.create_forum(scope=scope, actor=request.user, **payload.dict())
    return Status(201, selectors.forum_view(forum))


@router.get("/forums/{forum_id}", response=ForumDetailOut)
def forum_detail(request: HttpRequest, forum_id: Id, response: HttpResponse):
    forum = selectors.get_forum(forum_id)
    who = _reader(request, forum.scope)
    topics = expose_heads(response, [f"forum:{forum_id}"])
    services.audit_read(who, "forum", [forum_id])
    rows = [selectors.discussion_view(d) for d in selectors.discussions(forum, who)]
    return {
        "forum": selectors.forum_view(forum) | {"discussion_count": len(rows)},
        "discussions": rows,
        "can": who.flags(),
        "topics": topics,
    }


@router.post("/forums/{forum_id}/discussions", response={201: DiscussionOut})
def start_discussion(request: HttpRequest, forum_id: Id, payload: DiscussionIn):
    forum = selectors.get_forum(forum_id)
    discussion = services.start_discussion(forum=forum, author=request.user, **payload.dict())
    return Status(201, _discussion_out(discussion, request))


@router.put("/forums/{forum_id}/subscription", response={204: None})
def subscribe_forum(request: HttpRequest, forum_id: Id):
    forum = selectors.get_forum(forum_id)
    services.set_subscription(user=request.user, forum=forum, subscribed=True)
    return Status(204, None)


@router.delete("/forums/{forum_id}/subscription", response={204: None})
def unsubscribe_forum(request: HttpRequest, forum_id: Id):
    forum = selectors.get_forum(forum_id)
    services.set_subscription(user=request.user, forum=forum, subscribed=False)
    return Status(204, None)


@router.get("/discussions/{discussion_id}", response=DiscussionDetailOut)
def discussion_detail(request: HttpRequest, discussion_id: Id, response: HttpResponse):
    discussion = selectors.get_discussion(discussion_id)
    who = _reader(request, discussion.forum.scope)
    topics = expose_heads(response, [f"discussion:{discussion_id}"])
    posts = selectors.discussion_posts(discussion, who)
    services.audit_read(who, "discussion", [discussion_id])
    services.audit_posts(who, posts)
    return {
        "discussion": _discussion_out(discussion, request),
        "posts": posts,
        "can": who.flags(),
        "topics": topics,
    }


@router.delete("/discussions/{discussion_id}", response={204: None})
def delete_discussion(request: HttpRequest, discussion_id: Id, reason: QueryText = ""):
    discussion = selectors.get_discussion(discussion_id)
    moderation.delete_discussion(discussion=discussion, actor=request.user, reason=reason[:500])
    return Status(204, None)


@router.post("/posts/preview", response=PreviewOut)
def preview_post(request: HttpRequest, payload: PostEditIn):
    """The editor's "Aperçu": the same Markdown and sanitising as a stored post, nothing saved."""
    return {"body": text.sanitize(payload.body)}


@router.post("/discussions/{discussion_id}/posts", response={201: PostOut})
def reply(request: HttpRequest, discussion_id: Id, payload: PostIn):
    discussion = selectors.get_discussion(discussion_id)
    who = selectors.viewer(request.user, discussion.forum.scope)
    post = services.reply(discussion=discussion, author=request.user, who=who, **payload.dict())
    services.audit_read(who, "private_post" if post.private else "post", [post.pk])
    return Status(201, selectors.new_post_view(post, who))


def _flag_routes(name: str, setter, flag: str, *, person: str, personal: bool) -> None:
    """PUT sets, DELETE clears a flag on a discussion: personal ones (favourite,
    subscription) answer 204, moderation ones (pin, lock) the updated discussion."""

    def route(on: bool):
        def view(request: HttpRequest, discussion_id: Id):
            discussion = selectors.get_discussion(discussion_id)
            setter(discussion=discussion, **{person: request.user, flag: on})
            return Status(204, None) if personal else _discussion_out(discussion, request)

        view.__name__ = f"{'set' if on else 'clear'}_{name}"
        return view

    path = f"/discussions/{{discussion_id}}/{name}"
    response = {204: None} if personal else DiscussionOut
    router.put(path, response=response)(route(True))
    router.delete(path, response=response)(route(False))


_flag_routes("favourite", services.set_favourite, "favourite", person="user", personal=True)
_flag_routes("subscription", services.set_subscription, "subscribed", person="user", personal=True)
_flag_routes("pin", moderation.set_pinned, "pinned", person="actor", personal=False)
_flag_routes("lock", moderation.set_locked, "locked", person="actor", personal=False)


@router.put("/discussions/{discussion_id}/read", response={204: None})
def mark_read(request: HttpRequest, discussion_id: Id, payload: ReadIn):
    discussion = selectors.get_discussion(discussion_id)
    services.mark_read(discussion=discussion, user=request.user, up_to=payload.up_to)
    return Status(204, None)


@router.post("/discussions/{discussion_id}/move", response=DiscussionOut)
def move_discussion(request: HttpRequest, discussion_id: Id, payload: MoveIn):
    discussion = selectors.get_discussion(discussion_id)
    moderation.move_discussion(discussion=discussion, actor=request.user, **payload.dict())
    return _discussion_out(discussion, request)


@router.get("/me/favourites", response=list[FavouriteOut])
def my_favourites(request: HttpRequest):
    return selectors.favourites(request.user)


@router.get("/posts/{post_id}", response=PostOut)
def post_detail(request: HttpRequest, post_id: Id):
    return _post_out(post_id, request)


@router.patch("/posts/{post_id}", response=PostOut)
def edit_post(request: HttpRequest, post_id: Id, payload: PostEditIn):
    post = selectors.get_post(post_id)
    moderation.edit_post(post=post, actor=request.user, body=payload.body)
    return _post_out(post_id, request)


@router.delete("/posts/{post_id}", response={204: None})
def delete_post(request: HttpRequest, post_id: Id, reason: QueryText = ""):
    post = selectors.get_post(post_id)
    moderation.delete_post(post=post, actor=request.user, reason=reason[:500])
    return Status(204, None)


@router.put("/posts/{post_id}/like", response=LikeOut)
def like(request: HttpRequest, post_id: Id):
    post = selectors.get_post(post_id)
    count = services.set_like(post=post, user=request.user, liked=True)
    return {"post_id": post_id, "like_count": count, "liked_by_me": True}


@router.delete("/posts/{post_id}/like", response=LikeOut)
def unlike(request: HttpRequest, post_id: Id):
    post = selectors.get_post(post_id)
    count = services.set_like(post=post, user=request.user, liked=False)
    return {"post_id": post_id, "like_count": count, "liked_by_me": False}


@router.put("/posts/{post_id}/hidden", response=PostOut)
def hide_post(request: HttpRequest, post_id: Id, payload: HideIn):
    post = selectors.get_post(post_id)
    moderation.set_hidden(post=post, actor=request.user, hidden=True, reason=payload.reason)
    return _post_out(post_id, request)


@router.delete("/posts/{post_id}/hidden", response=PostOut)
def unhide_post(request: HttpRequest, post_id: Id):
    post = selectors.get_post(post_id)
    moderation.set_hidden(post=post, actor=request.user, hidden=False)
    return _post_out(post_id, request)


@router.post("/posts/{post_id}/split", response={201: DiscussionOut})
def split_thread(request: HttpRequest, post_id: Id, payload: SplitIn):
    post = selectors.get_post(post_id)
    created = moderation.split_thread(post=post, actor=request.user, title=payload.title)
    return Status(201, _discussion_out(created, request))


@router.post(
    "/posts/{post_id}/attachments",
    response={201: AttachmentOut},
    openapi_extra=upload_route(setting("ATTACHMENT_MAX_BYTES")),
)
def add_attachment(request: HttpRequest, post_id: Id, file: File[UploadedFile]):
    post = selectors.get_post(post_id)
    attachment = services.add_attachment(post=post, user=request.user, upload=file)
    return Status(201, selectors.attachment_view(attachment))


@router.get("/forum-attachments/{attachment_id}")
def download_attachment(request: HttpRequest, attachment_id: Id):
    attachment, who = selectors.readable_attachment(attachment_id, request.user)
    services.audit_read(who, "attachment", [attachment_id])
    return file_response(attachment)


@router.get("/sessions/{session_id}/forum-moderation-log", response=list[ModerationEntryOut])
def moderation_log(request: HttpRequest, session_id: Id):
    scope = parcours_selectors.get_session_scope(session_id)
    policies.require(request.user, Action.READ_MODERATION_LOG, scope)
    return selectors.moderation_log(scope)


@router.get("/spaces/{space_id}/forum-moderation-log", response=list[ModerationEntryOut])
def space_moderation_log(request: HttpRequest, space_id: Id):
    scope = parcours_selectors.get_space_scope(space_id)
    policies.require(request.user, Action.READ_MODERATION_LOG, scope)
    return selectors.moderation_log(scope)
