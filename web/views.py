"""The login page: Django's, with the login limits of `parcours.services.log_in`."""

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from collab import selectors as collab_selectors
from forums import selectors as forums_selectors
from forums import services as forums_services
from parcours import policies, services
from parcours import selectors as parcours_selectors
from parcours.errors import ErrorCode, ServiceError
from parcours.policies import Action
from recordings import selectors as recordings_selectors
from scheduling import selectors as scheduling_selectors


class ThrottledAuthenticationForm(AuthenticationForm):
    """Checks credentials through the same service as the API, so both share one count."""

    retry_after: int | None = None
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Identifiant ou mot de passe incorrect."),
    }

    def clean(self) -> dict:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = services.log_in(
                    username=username,
                    password=password,
                    address=self.request.META.get("REMOTE_ADDR", ""),
                    request=self.request,
                )
            except ServiceError as exc:
                if exc.code != ErrorCode.RATE_LIMITED:
                    raise self.get_invalid_login_error() from None
                self.retry_after = exc.details["retry_after"]
                raise forms.ValidationError(exc.message, code="throttled") from None
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form: ThrottledAuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if form.retry_after is not None:
            response.status_code = 429
            response["Retry-After"] = str(form.retry_after)
        return response


@login_required
def spaces_page(request: HttpRequest) -> HttpResponse:
    """The viewer's spaces, and those they may join or ask to join."""
    found = parcours_selectors.visible_spaces(request.user)
    mine, others = [], []
    for space in found:
        (mine if policies.can(request.user, Action.READ_CONTRIBUTIONS, space) else others).append(
            space
        )
    return render(request, "web/spaces.html", {"mine": mine, "others": others})


def _recordings(space, scope) -> list:
    """The space's recordings; a session's own space shows its session's too."""
    found = recordings_selectors.scope_recordings(scope)
    if space.session_id:
        found += recordings_selectors.scope_recordings(space.session.scope)
    return found


@login_required
def space_page(request: HttpRequest, space_id: int) -> HttpResponse:
    """A space's page: its forums, classes, series, recordings and co-working tools, each
    read from its app's selectors (`web` is the one place that reads every app)."""
    try:
        scope = parcours_selectors.get_space_scope(space_id)
        policies.require(request.user, Action.VIEW_SESSION_SUMMARY, scope)
    except ServiceError as exc:
        return render(request, "parcours/denied.html", {"error": exc}, status=exc.http_status)
    allowed = policies.allowed_actions(request.user, scope)
    can = {action.name.lower(): action in allowed for action in Action}
    space = scope.space
    context = {
        "space": space,
        "can": can,
        "asked": can["request_to_join"] and parcours_selectors.has_asked(request.user, space),
        "requests": parcours_selectors.join_requests(space) if can["manage_enrolments"] else [],
    }
    if can["read_contributions"]:
        viewer = forums_selectors.viewer(request.user, scope)
        # Under an administrator's access grant, the session's audit log has this visit.
        forums_services.audit_read(viewer, "space", [space_id])
        context |= {
            "forums": forums_selectors.forums_of(scope, viewer),
            "classes": scheduling_selectors.upcoming_classes(scope),
            "series": scheduling_selectors.scope_series(scope),
            "tools": collab_selectors.tools_of(request.user, scope),
            "recordings": _recordings(space, scope) if can["watch_recordings"] else [],
        }
    return render(request, "web/space.html", context)
