from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "web"
    verbose_name = "Pages"

    def ready(self) -> None:
        from parcours.signals import progress_changed

        from . import events

        progress_changed.connect(events.on_progress_changed, dispatch_uid="web.progress")
