from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "realtime"
    verbose_name = "Temps réel"

    def ready(self) -> None:
        from parcours import heads as core_heads
        from parcours.signals import access_changed

        from . import gateway
        from .heads import expose_heads
        from .topics import register_topic

        # `user:<id>` carries a person's own events (direct messages): only they subscribe.
        register_topic("user", authorize=gateway.authorize_own_topic, presence=False)
        access_changed.connect(gateway.on_access_changed, dispatch_uid="realtime.access")
        core_heads.register(expose_heads)
