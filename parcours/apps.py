from django.apps import AppConfig


class ParcoursConfig(AppConfig):
    name = "parcours"
    verbose_name = "Parcours"

    def ready(self) -> None:
        from django.conf import settings
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save
        from django.urls import register_converter
        from django.urls.converters import get_converters

        from .inputs import IdConverter

        # `<id:...>` in every app's page URLs: an id past 64 bits is a 404, not a 500. Once
        # per process: a registry built again (`isolate_apps`) runs `ready` again, and Django
        # refuses a converter registered twice (a deprecation warning until Django 6).
        if not isinstance(get_converters().get("id"), IdConverter):
            register_converter(IdConverter, "id")

        # Django writes `auth.User.last_login` on every login, to the microsecond: a record of
        # connection times the trust frame forbids. The date of last visit is kept instead.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        # API tokens die with a password change or a deactivation.
        post_save.connect(
            _user_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="parcours.tokens"
        )


def _user_saved(sender, instance, **kwargs) -> None:
    from . import services

    services.forget_dead_tokens(user=instance)
