"""Pages: my sessions, a session (outline, progress, members), the inspector's view, and
my API tokens."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render

from . import policies, selectors, services
from .errors import ServiceError
from .models import Profile
from .policies import Action


@login_required
def my_sessions(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "parcours/my_sessions.html",
        {
            "memberships": selectors.memberships_of(request.user),
            "inspected": selectors.inspected_sessions(request.user),
            # The desks this user's platform roles open (administration, parcours...).
            "desks": {str(action) for action in policies.platform_actions(request.user)},
            "role_forms": Profile.RoleForm.choices,
        },
    )


@login_required
def session_page(request: HttpRequest, session_id: int) -> HttpResponse:
    user = request.user
    try:
        session = selectors.get_session(session_id)
        policies.require(user, Action.VIEW_SESSION_SUMMARY, session)
    except ServiceError as exc:
        return render(request, "parcours/denied.html", {"error": exc}, status=exc.http_status)
    allowed = policies.allowed_actions(user, session)
    can = {action.name.lower(): action in allowed for action in Action}
    context = {"session": session, "can": can, "trainers": selectors.trainer_names(session)}
    if can["view_activities"]:
        services.record_entry(session=session, user=user)
        context["outline"] = selectors.outline(
            session, user=user, include_trainer_only=can["view_trainer_only_content"]
        )
    if can["view_all_progress"]:
        context["progress"] = selectors.progress(session)
    elif can["view_own_progress"]:
        context["progress"] = selectors.progress(session, only_user=user)
    if can["list_members"]:
        context["members"] = selectors.members(session)
    if can["list_enrolled_teachers"]:
        context["teachers"] = selectors.enrolled_teachers(session, user.profile.circonscription)
    return render(request, "parcours/session.html", context)


@login_required
def tokens_page(request: HttpRequest) -> HttpResponse:
    """My API tokens: what each is for, when it expires, and a button to revoke it."""
    if request.method == "POST":
        token_id = request.POST.get("revoke", "")
        if not token_id.isascii() or not token_id.isdigit() or len(token_id) > 18:
            return HttpResponseBadRequest("Jeton invalide.")
        try:
            services.revoke_api_token(actor=request.user, token_id=int(token_id))
        except ServiceError as exc:
            return render(request, "parcours/denied.html", {"error": exc}, status=404)
        return redirect("parcours:tokens")
    return render(
        request, "parcours/tokens.html", {"tokens": selectors.api_tokens_of(request.user)}
    )
