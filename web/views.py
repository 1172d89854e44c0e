"""The login page: Django's, with the login limits of `parcours.services.log_in`."""

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from parcours import services
from parcours.errors import ErrorCode, ServiceError


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
