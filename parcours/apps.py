from django.apps import AppConfig


class ParcoursConfig(AppConfig):
    name = "parcours"
    verbose_name = "Parcours"

    def ready(self) -> None:
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        # Django writes `auth.User.last_login` on every login, to the microsecond: a record of
        # connection times the trust frame forbids. The date of last visit is kept instead.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
