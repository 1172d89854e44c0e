from django.apps import AppConfig


class RecordingsConfig(AppConfig):
    name = "recordings"
    verbose_name = "Enregistrements"

    def ready(self) -> None:
        """Plug into classrooms through their hooks (classrooms never import recordings):
        every classroom's SFU feeds a recording sink, in whichever process runs it, and the
        classroom's page and API show a running recording to everyone, late joiners too."""
        from classrooms.media.sinks import register_sink
        from classrooms.status import register_status

        from . import live, selectors, services

        register_sink(services.SINK, live.room_recorder)
        register_status("recording", selectors.room_status)
