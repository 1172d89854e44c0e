from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Messagerie"

    def ready(self) -> None:
        from realtime.notifications import register_notification

        from . import notices

        register_notification("message.received", notices.received)
